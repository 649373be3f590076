// Command statfile is a test module whose request callback calls os.Stat and
// File.Stat, so it imports wasi_snapshot_preview1.path_filestat_get and
// fd_filestat_get:
// Envoy 1.33–1.38 refuse to load it, Envoy 1.39+ load it (and the call fails).
package main

import (
	"os"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func init() {
	proxywasm.SetHttpContext(func(uint32) types.HttpContext { return &ctx{} })
}

type ctx struct{ types.DefaultHttpContext }

func (*ctx) OnHttpRequestHeaders(int, bool) types.Action {
	if _, err := os.Stat("/etc/hostname"); err != nil {
		proxywasm.LogInfof("stat: %v", err)
	}
	if f, err := os.Open("/etc/hostname"); err != nil {
		proxywasm.LogInfof("open: %v", err)
	} else if _, err := f.Stat(); err != nil {
		proxywasm.LogInfof("fstat: %v", err)
	}
	return types.ActionContinue
}

func main() {}
