package rules

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// Short values never show more than half of their letters and digits:
// keep_last shrinks first, then keep_first.
func TestMaskShowsAtMostHalf(t *testing.T) {
	for _, c := range []struct{ name, action, in, want string }{
		{"1 char", "{mask: {keep_last: 4}}", `"a"`, `"*"`},
		{"2 chars", "{mask: {keep_last: 4}}", `"ab"`, `"*b"`},
		{"3 chars", "{mask: {keep_last: 4}}", `"abc"`, `"**c"`},
		{"4 chars", "{mask: {keep_last: 4}}", `"abcd"`, `"**cd"`},
		{"7 chars", "{mask: {keep_last: 4}}", `"abcdefg"`, `"****efg"`},
		{"8 chars: the whole keep", "{mask: {keep_last: 4}}", `"abcdefgh"`, `"****efgh"`},
		{"email", "{mask: {keep_last: 4}}", `"a@b.io"`, `"*@*.io"`},
		{"phone with separators", "{mask: {keep_last: 4}}", `"+1 (555) 010"`, `"+* (***) 010"`},
		{"number", "{mask: {keep_last: 4}}", `1234`, `"**34"`},
		{"negative decimal", "{mask: {keep_last: 4}}", `-12.5`, `"-**.5"`},
		{"keep_first alone", "{mask: {keep_first: 2}}", `"ab"`, `"a*"`},
		{"keep_first 12", "{mask: {keep_first: 12}}", `"Jo"`, `"J*"`},
		{"keep_last shrinks first", "{mask: {keep_first: 2, keep_last: 4}}", `"abcdefghij"`, `"ab*****hij"`},
		{"keep_last shrinks to 0", "{mask: {keep_first: 2, keep_last: 4}}", `"abcd"`, `"ab**"`},
		{"keep_first shrinks last", "{mask: {keep_first: 6, keep_last: 6}}", `"abcdefgh"`, `"abcd****"`},
		{"PCI on 16 digits", "{mask: {keep_first: 6, keep_last: 4}}", `"4111-1111-1111-1111"`, `"4111-11**-****-**11"`},
		{"PCI on 20 digits", "{mask: {keep_first: 6, keep_last: 4}}", `"12345678901234567890"`, `"123456**********7890"`},
		{"non-ASCII", "{mask: {keep_last: 4}}", `"Zoë"`, `"**ë"`},
		{"escapes", "{mask: {keep_first: 2}}", `"a\u0062c"`, `"a**"`},
		{"multi-byte char", "{mask: {keep_last: 4, char: \"•\"}}", `"12345"`, `"•••45"`},
		{"only separators", "{mask: {keep_last: 4}}", `"-- ."`, `"-- ."`},
		{"mask char counts as masked", "{mask: {keep_last: 4}}", `"****5678"`, `"****5678"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustCompile(t, "rules: [{id: m, select: {keys: [v]}, action: "+c.action+"}]")
			out, _, err := p.Apply([]byte(`{"v":`+c.in+`}`), Input{Direction: Request})
			if want := `{"v":` + c.want + `}`; err != nil || string(out) != want {
				t.Errorf("got %s %v, want %s", out, err, want)
			}
		})
	}
}

// Spans found by detectors are masked within themselves, by the same limit.
func TestMaskSpansShowAtMostHalf(t *testing.T) {
	for _, c := range []struct{ name, rule, in, want string }{
		{"short email", "{detect: [email]}, action: {mask: {keep_last: 4}}", `"mail a@b.io now"`, `"mail *@*.io now"`},
		{"card, first 6 last 4", "{detect: [credit_card]}, action: {mask: {keep_first: 6, keep_last: 4}}",
			`"card 4111 1111 1111 1111 ok"`, `"card 4111 11** **** **11 ok"`},
		{"ssn", "{detect: [us_ssn]}, action: {mask: {keep_last: 4}}", `"ssn 123-45-6789"`, `"ssn ***-**-6789"`},
		{"ipv4", "{detect: [ipv4]}, action: {mask: {keep_last: 12}}", `"from 10.0.0.1"`, `"from **.*.0.1"`},
		{"card number", "{detect: [credit_card]}, action: {mask: {keep_last: 12}}", `4111111111111111`, `"********11111111"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustCompile(t, "rules: [{id: m, select: "+c.rule+"}]")
			out, _, err := p.Apply([]byte(`{"v":`+c.in+`}`), Input{Direction: Request})
			if want := `{"v":` + c.want + `}`; err != nil || string(out) != want {
				t.Errorf("got %s %v, want %s", out, err, want)
			}
		})
	}
}

// checkHalfMasked masks the Go string s with m and checks the result: the
// same characters but the masked ones, which are exactly the letters and
// digits outside the first and last kept, and at least ceil(n/2) of the n
// letters and digits.
func checkHalfMasked(t *testing.T, first, last int, s string) {
	t.Helper()
	m := newMask(first, last, '*')
	raw, _ := json.Marshal(s)
	var out string
	if err := json.Unmarshal(m.value(nil, raw, nil), &out); err != nil {
		t.Fatalf("mask %s: invalid output: %v", raw, err)
	}
	in := []rune(s) // as json.Marshal: U+FFFD for each invalid byte
	got := []rune(out)
	if len(in) != len(got) {
		t.Fatalf("mask %q: %q has another length", s, out)
	}
	n, masked := 0, 0
	for i, r := range in {
		if !m.counts(r) {
			if got[i] != r {
				t.Fatalf("mask %q: separator %q became %q", s, r, got[i])
			}
			continue
		}
		n++
		if got[i] == '*' && r != '*' {
			masked++
		} else if got[i] != r {
			t.Fatalf("mask %q: %q became %q", s, r, got[i])
		}
	}
	already := strings.Count(s, "*")
	if masked+already < (n+1)/2 {
		t.Fatalf("mask %q (keep %d+%d): %q masks %d of %d", s, first, last, out, masked+already, n)
	}
	if kept := n - masked - already; already == 0 && kept != min(first+last, n/2) {
		t.Fatalf("mask %q (keep %d+%d): %q keeps %d of %d", s, first, last, out, kept, n)
	}
}

// maskAlphabet mixes ASCII letters and digits, separators, non-ASCII
// letters and digits, characters JSON escapes, and invalid UTF-8.
var maskAlphabet = []string{"a", "Z", "0", "9", "-", " ", ".", "@", "+", "(", "é", "ß", "४", "１", "\"", "\\", "\n", "\x00", "😀", "\xff"}

// Property: for every keep (sum at most 12) and random values of 1 to 20
// characters, at least ceil(n/2) letters and digits are masked.
func TestMaskHalfProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		first := rng.IntN(maxMaskKeep + 1)
		last := rng.IntN(maxMaskKeep + 1 - first)
		var b strings.Builder
		for range 1 + rng.IntN(20) {
			b.WriteString(maskAlphabet[rng.IntN(len(maskAlphabet))])
		}
		checkHalfMasked(t, first, last, b.String())
	}
}

// FuzzMaskHalf is TestMaskHalfProperty on any value.
func FuzzMaskHalf(f *testing.F) {
	f.Add(uint8(0), uint8(4), "a@b.io")
	f.Add(uint8(6), uint8(4), "4111 1111 1111 1111")
	f.Add(uint8(12), uint8(0), "Zoë")
	f.Fuzz(func(t *testing.T, first, last uint8, s string) {
		fi := int(first) % (maxMaskKeep + 1)
		la := int(last) % (maxMaskKeep + 1 - fi)
		checkHalfMasked(t, fi, la, s)
	})
}

// wantMasked is the reference: s with its letters and digits outside the
// first f and last l masked by '*', f and l shrunk (l first) to half.
func wantMasked(s string, f, l int) string {
	n := 0
	for _, r := range s {
		if isMaskable(r) {
			n++
		}
	}
	for f+l > n/2 {
		if l > 0 {
			l--
		} else {
			f--
		}
	}
	var b strings.Builder
	k := 0
	for _, r := range s {
		if isMaskable(r) {
			if k >= f && k < n-l {
				r = '*'
			}
			k++
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Values of 1 to 20 characters (letters, digits, with separators, JSON
// numbers, email spans a detector found) under the usual keeps match the
// reference.
func TestMaskLengths(t *testing.T) {
	p := mustCompile(t, `
rules:
  - {id: last4, select: {keys: [a]}, action: {mask: {keep_last: 4}}}
  - {id: pci, select: {keys: [b]}, action: {mask: {keep_first: 6, keep_last: 4}}}
  - {id: first2, select: {keys: [c]}, action: {mask: {keep_first: 2}}}
  - {id: spans, select: {detect: [email]}, action: {mask: {keep_last: 4}}}
`)
	const alnum = "a1b2c3d4e5f6g7h8i9j0"
	for n := 1; n <= 20; n++ {
		grouped := ""
		for i := range n {
			if i > 0 && i%3 == 0 {
				grouped += "-"
			}
			grouped += alnum[i : i+1]
		}
		digits := strings.Repeat("7", n)
		for _, c := range []struct {
			key, in, want string
		}{
			{"a", `"` + alnum[:n] + `"`, `"` + wantMasked(alnum[:n], 0, 4) + `"`},
			{"a", `"` + grouped + `"`, `"` + wantMasked(grouped, 0, 4) + `"`},
			{"a", digits, `"` + wantMasked(digits, 0, 4) + `"`},
			{"b", `"` + grouped + `"`, `"` + wantMasked(grouped, 6, 4) + `"`},
			{"b", digits, `"` + wantMasked(digits, 6, 4) + `"`},
			{"c", `"` + alnum[:n] + `"`, `"` + wantMasked(alnum[:n], 2, 0) + `"`},
			{"note", `"to ` + alnum[:n] + `@x.io"`, `"to ` + wantMasked(alnum[:n]+"@x.io", 0, 4) + `"`},
		} {
			in := `{"` + c.key + `":` + c.in + `}`
			out, _, err := p.Apply([]byte(in), Input{Direction: Request})
			if want := `{"` + c.key + `":` + c.want + `}`; err != nil || string(out) != want {
				t.Errorf("%s: got %s %v, want %s", in, out, err, want)
			}
		}
	}
}
