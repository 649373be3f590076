package rules

import (
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// BenchmarkKeyedActions applies each action to a body of 100 values of the
// kind it is for, beside redact and mask on the same body (the baselines of
// the same run), and reports ns per value:
//
//	go test ./rules -run '^$' -bench KeyedActions -benchmem
func BenchmarkKeyedActions(b *testing.B) {
	for _, c := range corpus.KeyedCases {
		body := c.KeyedBody()
		p := mustCompile(b, c.KeyedRules())
		b.Run(c.Name, func(b *testing.B) { benchApply(b, p, body, Request) })
	}
	p := mustCompile(b, corpus.RevealRules)
	req, _, err := p.Apply(corpus.RevealPrompt(), Input{Direction: Request})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reveal", func(b *testing.B) { benchApply(b, p, corpus.RevealResponse(req), Response) })
}

// benchApply times Apply of body in direction d and reports ns per value
// (the body holds corpus.KeyedValues).
func benchApply(b *testing.B, p *Program, body []byte, d Direction) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := p.Apply(body, Input{Direction: d}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*corpus.KeyedValues), "ns/value")
}
