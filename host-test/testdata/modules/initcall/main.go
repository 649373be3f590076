// Command initcall is a test module that calls a proxy_* host function other
// than proxy_log (proxy_define_metric) from a package init function. Envoy
// traps the call ("restricted_callback") and the VM fails to start.
package main

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

var requests = proxywasm.DefineCounterMetric("initcall_requests")

func init() {
	proxywasm.SetHttpContext(func(uint32) types.HttpContext { return &ctx{} })
}

type ctx struct{ types.DefaultHttpContext }

func (*ctx) OnHttpRequestHeaders(int, bool) types.Action {
	requests.Increment(1)
	return types.ActionContinue
}

func main() {}
