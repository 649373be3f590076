package rules

import (
	"testing"

	"github.com/veilproxy/veil/bench/baseline"
	"github.com/veilproxy/veil/bench/corpus"
)

// Detector benchmarks: Apply with detector rules on chat-like JSON against a
// baseline that decodes the body with encoding/json and applies equivalent
// stdlib regexps to every string value (bench/baseline). Run with
//
//	go test ./rules -run '^$' -bench 'Detect' -benchmem (see docs/benchmarks.md)

func benchChat(b *testing.B) []byte {
	body := corpus.Chat(1, 256<<10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	return body
}

func BenchmarkDetectApply(b *testing.B) {
	body := benchChat(b)
	p := mustCompile(b, corpus.ChatRules)
	in := Input{Direction: Request}
	for b.Loop() {
		if _, _, err := p.Apply(body, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectBaselineRegexp decodes the body with encoding/json,
// applies baseline.DetectRegexps to every string value and marshals it
// (baseline.JSON with detectors).
func BenchmarkDetectBaselineRegexp(b *testing.B) {
	body := benchChat(b)
	for b.Loop() {
		if _, err := baseline.JSON(body, corpus.RuleSet{Detect: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectNoMatch is Apply with the pii-basic and secrets packs over
// chat text holding nothing any detector reports.
func BenchmarkDetectNoMatch(b *testing.B) {
	body := []byte(`{"model":"m","messages":[`)
	for i := 0; len(body) < 256<<10; i++ {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"role":"user","content":"Could you tell me what went wrong with the order? It was due on Tuesday and the box never came."}`...)
	}
	body = append(body, "]}"...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	p := mustCompile(b, "include: [pii-basic, secrets]")
	in := Input{Direction: Request}
	for b.Loop() {
		out, _, err := p.Apply(body, in)
		if err != nil || len(out) != len(body) {
			b.Fatal(err)
		}
	}
}
