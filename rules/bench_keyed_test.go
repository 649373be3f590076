package rules

import (
	"fmt"
	"strings"
	"testing"
)

// keyedBenchValues is how many values each keyed-action benchmark body holds.
const keyedBenchValues = 100

// BenchmarkKeyedActions applies each action to a body of 100 values of the
// kind it is for, beside redact on the same body (the baseline of the same
// run), and reports ns per value:
//
//	go test ./rules -run '^$' -bench KeyedActions -benchmem
func BenchmarkKeyedActions(b *testing.B) {
	values := map[string]func(i int) string{
		"email": func(i int) string { return fmt.Sprintf("user%d.name@example.com", i) },
		"card":  func(i int) string { return fmt.Sprintf("4111 1111 1111 %04d", i) },
		"date":  func(i int) string { return fmt.Sprintf("19%02d-05-17", i%100) },
		"name":  func(i int) string { return fmt.Sprintf("Ann Lee%d", i) },
	}
	cases := []struct{ name, action, kind string }{
		{"redact", "redact", "email"},
		{"mask", "{ mask: { keep_last: 4 } }", "email"},
		{"hash", "{ hash: { key: a } }", "email"},
		{"encrypt", "{ encrypt: { key: a } }", "email"},
		{"fpe-card", "{ fpe: { key: a, keep_last: 4 } }", "card"},
		{"generalize-date", "{ generalize: date }", "date"},
		{"synthetic-name", "{ synthetic: { key: a, kind: name } }", "name"},
	}
	for _, c := range cases {
		var sb strings.Builder
		sb.WriteString(`{"v":[`)
		for i := range keyedBenchValues {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%q", values[c.kind](i))
		}
		sb.WriteString(`]}`)
		body := []byte(sb.String())
		p := compileKeyed(b, keysA+"rules: [{ id: r, select: { keys: [v] }, action: "+c.action+" }]", testEnv)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, _, err := p.Apply(body, Input{Direction: Request}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*keyedBenchValues), "ns/value")
		})
	}
	// reveal: 100 tokens in one chat message
	p := compileKeyed(b, revealSet, testEnv)
	var sb strings.Builder
	for i := range keyedBenchValues {
		fmt.Fprintf(&sb, "mail user%d@example.com ", i)
	}
	req, _, err := p.Apply([]byte(`{"messages":[{"content":"`+sb.String()+`"}]}`), Input{Direction: Request})
	if err != nil {
		b.Fatal(err)
	}
	content := strings.TrimSuffix(strings.TrimPrefix(string(req), `{"messages":[{"content":"`), `"}]}`)
	resp := []byte(`{"choices":[{"message":{"content":"` + content + `"}}]}`)
	b.Run("reveal", func(b *testing.B) {
		b.SetBytes(int64(len(resp)))
		for b.Loop() {
			if _, _, err := p.Apply(resp, Input{Direction: Response}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*keyedBenchValues), "ns/value")
	})
}
