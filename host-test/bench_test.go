package hosttest_test

import (
	"bytes"
	"context"
	"fmt"
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
	benchExchanges(b, vm, jsonExchange(body, []byte("{}"), 0), want)
}

// benchExchanges checks that ex's request leaves vm as want (what native
// Apply makes of it), then times one exchange per op.
func benchExchanges(b *testing.B, vm *hosttest.VM, ex hosttest.Exchange, want []byte) {
	b.Helper()
	if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || !bytes.Equal(res.Request.Body, want) {
		b.Fatalf("wasm output differs from native (vm %v, errors %q)", res.VMError, res.Errors)
	}
	b.SetBytes(int64(len(ex.RequestBody)))
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

// BenchmarkConfigureWasm starts one VM per op with a rule set of 1, 100 or
// 1,000 rules of a corpus.ScaleRules shape (instantiate, _initialize,
// proxy_on_vm_start, proxy_on_configure: what Envoy does per worker on a
// configuration push), and reports linear-B, the guest's linear memory
// after configure. The rules=1 case is the fixed cost of starting a VM.
//
//	go test ./host-test -run '^$' -bench '^BenchmarkConfigureWasm$' -benchmem
func BenchmarkConfigureWasm(b *testing.B) {
	for _, shape := range []string{corpus.ScaleKeys, corpus.ScaleMixed} {
		for _, n := range []int{1, 100, 1000} {
			cfg := hosttest.Config{PluginConfig: []byte(corpus.ScaleRules(n, shape))}
			b.Run(fmt.Sprintf("shape=%s/rules=%d", shape, n), func(b *testing.B) {
				m := load(b, "veil", hosttest.Envoy133)
				ctx := context.Background()
				var linear uint32
				for b.Loop() {
					vm, err := m.Start(ctx, cfg)
					if err != nil {
						b.Fatal(err)
					}
					linear = vm.MemorySize()
					vm.Close(ctx)
				}
				b.ReportMetric(float64(linear), "linear-B")
			})
		}
	}
}
