package hosttest_test

import (
	"bytes"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// BenchmarkKeyedActionsWasm is rules.BenchmarkKeyedActions through the
// .wasm: one exchange per op whose request holds 100 values, redact and
// mask as the baselines of the same run; ns/value is the exchange's time
// over the values. Run with
//
//	go test ./host-test -run '^$' -bench KeyedActionsWasm -benchmem
func BenchmarkKeyedActionsWasm(b *testing.B) {
	for _, c := range corpus.KeyedCases {
		b.Run(c.Name, func(b *testing.B) {
			body := c.KeyedBody()
			want := nativeApply(b, c.KeyedRules(), body, rules.Request)
			vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(c.KeyedRules())})
			benchExchanges(b, vm, jsonExchange(body, []byte("{}"), 0), want)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*corpus.KeyedValues), "ns/value")
		})
	}
	// the LLM round trip: 100 emails encrypted in the prompt, the 100
	// tokens revealed in the model's answer, in one exchange
	b.Run("encrypt+reveal", func(b *testing.B) {
		req := nativeApply(b, corpus.RevealRules, corpus.RevealPrompt(), rules.Request)
		vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(corpus.RevealRules)})
		ex := jsonExchange(corpus.RevealPrompt(), corpus.RevealResponse(req), 0)
		if res := vm.Do(ex); !bytes.Equal(res.Response.Body, corpus.RevealResponse(corpus.RevealPrompt())) {
			b.Fatalf("the answer did not come back revealed: %s", res.Response.Body)
		}
		benchExchanges(b, vm, ex, req)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*corpus.KeyedValues), "ns/value")
	})
}

// nativeApply applies the rule set src to body natively.
func nativeApply(b *testing.B, src string, body []byte, d rules.Direction) []byte {
	p, err := rules.Compile([]byte(src), rules.Options{})
	if err != nil {
		b.Fatal(err)
	}
	out, _, err := p.Apply(body, rules.Input{Direction: d})
	if err != nil {
		b.Fatal(err)
	}
	return out
}
