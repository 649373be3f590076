package hosttest_test

import (
	"bytes"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Detector rules through the .wasm against the native engine, on the same
// 256 KB chat body and rule set as rules.BenchmarkDetectApply. Run with
//
//	go test ./host-test -run '^$' -bench 'BenchmarkDetect' -benchmem (see docs/benchmarks.md)

// BenchmarkDetectWasm runs one exchange per op: the 256 KB request body
// through the plugin, a two-byte response.
func BenchmarkDetectWasm(b *testing.B) {
	body := corpus.Chat(1, 256<<10)
	p, err := rules.Compile([]byte(corpus.ChatRules), rules.Options{})
	if err != nil {
		b.Fatal(err)
	}
	want, _, err := p.Apply(body, rules.Input{Direction: rules.Request})
	if err != nil {
		b.Fatal(err)
	}
	vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(corpus.ChatRules)})
	ex := jsonExchange(body, []byte("{}"), 0)
	if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || !bytes.Equal(res.Request.Body, want) {
		b.Fatalf("wasm output differs from native (vm %v, errors %q)", res.VMError, res.Errors)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if res := vm.Do(ex); res.VMError != nil {
			b.Fatal(res.VMError)
		}
	}
}

// BenchmarkBodyCopyWasm is the same exchange through a filter that only
// buffers the request body and replaces it with a copy of itself (the
// behave test module): what moving 256 KB into and out of the VM costs,
// without the engine. BenchmarkDetectWasm minus this is the engine's time
// inside the VM.
func BenchmarkBodyCopyWasm(b *testing.B) {
	body := corpus.Chat(1, 256<<10)
	vm := start(b, "behave", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(`{"copy":true}`)})
	ex := jsonExchange(body, []byte("{}"), 0)
	if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || !bytes.Equal(res.Request.Body, body) {
		b.Fatalf("body changed in transit (vm %v, errors %q)", res.VMError, res.Errors)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if res := vm.Do(ex); res.VMError != nil {
			b.Fatal(res.VMError)
		}
	}
}

// BenchmarkDetectNative is the same body and rule set through rules.Apply.
func BenchmarkDetectNative(b *testing.B) {
	body := corpus.Chat(1, 256<<10)
	p, err := rules.Compile([]byte(corpus.ChatRules), rules.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := p.Apply(body, rules.Input{Direction: rules.Request}); err != nil {
			b.Fatal(err)
		}
	}
}
