// Command badenv is an SDK plugin that also imports env functions Envoy
// does not provide to an ABI 0.2.0 module: proxy_get_log_level (0.2.1 only)
// and proxy_get_status with the wrong signature.
package main

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

//go:wasmimport env proxy_get_log_level
func getLogLevel(level *uint32) uint32

//go:wasmimport env proxy_get_status
func getStatus(code *uint32) uint32

func init() {
	proxywasm.SetHttpContext(func(uint32) types.HttpContext { return &ctx{} })
}

type ctx struct{ types.DefaultHttpContext }

func (*ctx) OnHttpRequestHeaders(int, bool) types.Action {
	var v uint32
	proxywasm.LogInfof("%d %d", getLogLevel(&v), getStatus(&v))
	return types.ActionContinue
}

func main() {}
