package rules

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// Detector benchmarks: Apply with detector rules on chat-like JSON against a
// baseline that decodes the body with encoding/json and applies equivalent
// stdlib regexps to every string value. Run with
//
//	go test ./rules -run '^$' -bench 'Detect' -benchmem (see docs/benchmarks.md)

// benchDetectRegexps are the baseline's stand-ins for the same detectors
// (shape only: no Luhn, mod-97 or area checks, which makes them cheaper).
var benchDetectRegexps = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
	regexp.MustCompile(`\+?[0-9][0-9 ().-]{7,}[0-9]`),
	regexp.MustCompile(`\b(?:[0-9][ -]?){12,18}[0-9]\b`),
	regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`),
	regexp.MustCompile(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`),
	regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`),
	regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`),
	regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b`),
	regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
}

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

func BenchmarkDetectBaselineRegexp(b *testing.B) {
	body := benchChat(b)
	for b.Loop() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
		v = regexpWalk(v)
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

// regexpWalk replaces every match of every baseline regexp in every string.
func regexpWalk(v any) any {
	switch v := v.(type) {
	case string:
		for _, re := range benchDetectRegexps {
			v = re.ReplaceAllString(v, "[x]")
		}
		return v
	case []any:
		for i := range v {
			v[i] = regexpWalk(v[i])
		}
	case map[string]any:
		for k, x := range v {
			v[k] = regexpWalk(x)
		}
	}
	return v
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
