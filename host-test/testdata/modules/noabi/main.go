// Command noabi is a wasip1 reactor without the proxy-wasm SDK: it exports
// no proxy_abi_version_* function, so Envoy refuses it ("Missing or unknown
// Proxy-Wasm ABI version").
package main

//go:wasmexport add
func add(a, b int32) int32 { return a + b }

func main() {}
