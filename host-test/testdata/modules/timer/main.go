// Command timer is a test module that arms a runtime timer at plugin start
// and forces a garbage collection on every request. On Envoy 1.33–1.38, whose
// poll_oneoff answers ENOSYS, the Go runtime dies with "poll_oneoff failed".
package main

import (
	"runtime"
	"time"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

func init() {
	proxywasm.SetVMContext(&vm{})
}

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct{ types.DefaultPluginContext }

var timer *time.Timer

func (*plugin) OnPluginStart(int) types.OnPluginStartStatus {
	timer = time.AfterFunc(time.Hour, func() {})
	return types.OnPluginStartStatusOK
}

func (*plugin) NewHttpContext(uint32) types.HttpContext { return &ctx{} }

type ctx struct{ types.DefaultHttpContext }

var sink [][]byte

func (*ctx) OnHttpRequestHeaders(int, bool) types.Action {
	for i := 0; i < 64; i++ {
		sink = append(sink, make([]byte, 64<<10))
	}
	sink = sink[:0]
	runtime.GC()
	proxywasm.LogInfo("survived gc")
	return types.ActionContinue
}

func main() {}
