package rules

import (
	"errors"
	"strings"
	"testing"
)

// fuzzHeaderSet covers whole-value and span rules, masking and removal.
const fuzzHeaderSet = `
rules:
  - { id: whole, select: { headers: [x-secret] }, action: redact }
  - { id: spans, select: { headers: [x-scan, cookie], detect: [email, phone, credit_card] }, action: { redact: { with: "[pii]" } } }
  - { id: masked, select: { headers: [x-mask], detect: [email] }, action: { mask: { keep_last: 2 } } }
  - { id: gone, select: { headers: [x-gone] }, action: remove }
`

// FuzzHeaderRules: a header value reads back from its JSON form as it
// was; ApplyHeaders never panics, every value it writes is a valid header
// value, a value planted in a whole-value header or between
// spaces in a scanned one never survives, and headers no rule selects are
// never edited.
func FuzzHeaderRules(f *testing.F) {
	p, err := Compile([]byte(fuzzHeaderSet), Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][2]string{
		{"", ""}, {`"`, `\`}, {`"a\`, `"`}, {"%", "%40"}, {"{\"a\":\"", "\"}"}, {"\x01\t", "\xff\xfe"},
		{"\\u0040", "\\"}, {"a=1;", "; b=2"}, {"4111 1111", "1111 1111"}, {"[[[[[[", "]]]]]]"},
	} {
		f.Add(s[0], s[1], uint8(0))
	}
	const plant = "alice@example.com"
	f.Fuzz(func(t *testing.T, prefix, suffix string, dup uint8) {
		for _, v := range []string{prefix, suffix} {
			if strings.ContainsAny(v, "\r\n\x00") {
				return // Envoy never passes such a value
			}
		}
		value := prefix + " " + plant + " " + suffix
		if got := string(decodeHeaderValue(nil, appendHeaderValue(nil, prefix+suffix))); got != prefix+suffix {
			t.Fatalf("%q reads back as %q", prefix+suffix, got)
		}
		in := [][2]string{{":path", "/" + prefix}, {"x-secret", value}, {"x-scan", value}, {"x-mask", value},
			{"x-gone", prefix}, {"x-other", value}}
		if dup&1 != 0 {
			in = append(in, [2]string{"X-Scan", suffix + " " + plant}, [2]string{"x-secret", prefix})
		}
		edits, _, err := p.ApplyHeaders(in, Input{Direction: Request})
		if errors.Is(err, ErrWorkBudget) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrInvalidJSON) || errors.Is(err, ErrHeaderValueTooLong) {
			return
		}
		if err != nil {
			t.Fatalf("ApplyHeaders: %v", err)
		}
		out := applyHeaderEdits(in, edits)
		for _, e := range edits {
			if e.Name == "x-other" || strings.HasPrefix(e.Name, ":") {
				t.Fatalf("edited %s", e.Name)
			}
			for _, v := range e.Values {
				for i := 0; i < len(v); i++ {
					if invalidHeaderByte(v[i]) && !strings.Contains(prefix+suffix, v[i:i+1]) {
						t.Fatalf("%s: invalid byte %#x in %q", e.Name, v[i], v)
					}
				}
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("%s: %q", e.Name, v)
				}
			}
		}
		for _, name := range []string{"x-secret", "x-scan"} {
			for _, v := range valuesOf(out, name) {
				if strings.Contains(v, plant) {
					t.Fatalf("%s keeps the planted value: %q", name, v)
				}
			}
		}
		if got := valuesOf(out, "x-gone"); len(got) != 0 {
			t.Fatalf("x-gone kept: %q", got)
		}
	})
}
