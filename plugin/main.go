// Command plugin is Veil's proxy-wasm module; build it with
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o build/veil.wasm ./plugin
package main

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/veilproxy/veil/plugin/internal/filter"
)

func main() {}

func init() { proxywasm.SetVMContext(&filter.VM{}) }
