package detect

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewSetErrors(t *testing.T) {
	for _, c := range []struct {
		names  []string
		custom map[string]Custom
		want   string
	}{
		{[]string{"email", "emial"}, nil, `detect: unknown detector "emial"`},
		{nil, map[string]Custom{"email": {Regex: "x"}}, `detect: custom detector "email" reuses a built-in name`},
		{nil, map[string]Custom{"emp": {Regex: "EMP-[0-9"}}, `detect: detector "emp": error parsing regexp: missing closing ]: ` + "`[0-9`"},
		{nil, map[string]Custom{"emp": {Regex: "x", Validate: "crc"}}, `detect: detector "emp": unknown validate "crc" (want none, luhn or mod97)`},
		{nil, map[string]Custom{"": {Regex: "x"}}, `detect: custom detector with an empty name`},
	} {
		_, err := NewSet(c.names, c.custom)
		if err == nil || err.Error() != c.want {
			t.Errorf("NewSet(%v, %v) error = %v, want %s", c.names, c.custom, err, c.want)
		}
	}
	many := map[string]Custom{}
	for i := range MaxDetectors {
		many["d"+strings.Repeat("x", i)] = Custom{Regex: "x"}
	}
	if _, err := NewSet([]string{"email"}, many); err == nil || !strings.Contains(err.Error(), "more than 64 detectors") {
		t.Errorf("65 detectors: error = %v", err)
	}
}

func TestNames(t *testing.T) {
	s, err := NewSet([]string{"phone", "emp", "email", "phone"}, map[string]Custom{"zed": {Regex: "Z"}, "emp": {Regex: "E"}, "abc": {Regex: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Names(), []string{"phone", "emp", "email", "abc", "zed"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if s.Numbers() != 1 {
		t.Errorf("Numbers() = %b with phone first", s.Numbers())
	}
	if s2, _ := NewSet([]string{"email"}, nil); s2.Numbers() != 0 {
		t.Errorf("Numbers() = %b with email only", s2.Numbers())
	}
	if got := len(Builtins()); got != int(numBuiltins) {
		t.Errorf("len(Builtins()) = %d", got)
	}
}

func TestCustom(t *testing.T) {
	s, err := NewSet([]string{"email"}, map[string]Custom{
		"employee_id": {Regex: "EMP-[0-9]{6}"},
		"card_ref":    {Regex: `\b[0-9]{4}-[0-9]{4}\b`, Validate: "luhn"},
		"account":     {Regex: `ACCT[A-Z0-9]{18}`, Validate: "mod97"},
		"empty":       {Regex: "x*"},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := "EMP-123456 EMP-12345 1234-5674 1234-5678 ＥＭＰ-６５４３２１ bob@example.com"
	got := describe(s, in, s.FindString([]byte(in), nil))
	want := []string{"employee_id=EMP-123456", "card_ref=1234-5674", "employee_id=ＥＭＰ-６５４３２１", "email=bob@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// Overlapping candidates merge into one span named after the longer, so no
// leftover of the shorter survives to be found on a second pass.
func TestOverlapsMergeUnderTheLonger(t *testing.T) {
	s, err := NewSet([]string{"email", "phone", "ipv4", "ipv6"}, map[string]Custom{"local": {Regex: "alice"}, "wide": {Regex: "2671 x"}})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string][]string{
		"alice@example.com (415) 555-2671 x": {"email=alice@example.com", "phone=(415) 555-2671 x"},
	} {
		got := describe(s, in, s.FindString([]byte(in), nil))
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	s, err := NewSet([]string{"email", "credit_card", "phone"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.MaskOf("credit_card")
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("a@example.com 4111111111111111")
	if got := describe(s, string(in), s.FindStringIn(in, m, nil)); !slices.Equal(got, []string{"credit_card=4111111111111111"}) {
		t.Errorf("masked: %q", got)
	}
	if _, err := s.MaskOf("iban"); err == nil {
		t.Error("MaskOf(iban) succeeded on a set without it")
	}
	if s.all != 7 {
		t.Errorf("all = %b", s.all)
	}
	if _, _, ok := s.MatchNumberIn([]byte("4111111111111111"), 0, 0); ok {
		t.Error("MatchNumberIn with an empty mask matched")
	}
}

func TestMatchNumber(t *testing.T) {
	s, err := NewSet([]string{"email", "phone", "credit_card"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for num, want := range map[string]string{
		// without a phone member name, no integer is a phone (TestMatchNumberHints)
		"4111111111111111": "credit_card", "14155552671": "", "447700900123": "",
		"4111111111111112": "", "1710498123456": "", "-14155552671": "", "12": "",
		// the same values as floats write them
		"4111111111111111.0": "credit_card", "4.111111111111111e15": "credit_card", "4.111111111111111E+15": "credit_card",
		"41111111111111110e-1": "credit_card", "1.4155552671e10": "", "14155552671.000": "",
		"4111111111111111.5": "", "4.1111111111111115e15": "", "4.111111111111111e16": "",
		// a minus sign does not hide a card's digits; phones stay unsigned
		"-4111111111111111": "credit_card", "-6011111111111117": "credit_card", "-4.111111111111111e15": "credit_card",
		"-4111111111111112": "", "--4111111111111111": "", "-": "",
		"0.0": "", "1e99999": "", "4111111111111111e": "", "4111111111111111.": "", "4111111111111111e+": "", ".5e1": "",
	} {
		det, ok := s.MatchNumber([]byte(num), 0)
		got := ""
		if ok {
			got = s.Names()[det]
		}
		if got != want {
			t.Errorf("MatchNumber(%s) = %q, want %q", num, got, want)
		}
	}
	e, _ := NewSet([]string{"email"}, nil)
	if _, ok := e.MatchNumber([]byte("4111111111111111"), 0); ok {
		t.Error("email-only set matched a number")
	}
}

func TestFindStringAppends(t *testing.T) {
	s, _ := NewSet([]string{"email"}, nil)
	dst := []Span{{Start: 100, End: 200}}
	dst = s.FindString([]byte("b@example.com a@example.com"), dst)
	if len(dst) != 3 || dst[0].Start != 100 || dst[1].Start != 0 || dst[2].Start != 14 {
		t.Errorf("dst = %v", dst)
	}
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	s, err := NewSet(Builtins(), map[string]Custom{"emp": {Regex: "EMP-[0-9]{6}"}})
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{
		"ascii prose":   strings.Repeat("Hi, the meeting is at 10:30 in room 4B; version 2.1.0 ships on 2024-03-15. ", 20),
		"unicode prose": strings.Repeat("Grüße aus Köln — das Treffen ist um 10:30 Uhr, Preis 12,50 €. ", 20),
		"with matches":  "mail alice@example.com card 4111 1111 1111 1111 from 10.0.0.1 ssn 123-45-6789 ４１１１",
		"spellings":     "card 4111111111111111\u200bthanks x4111111111111111y ?to=bob%2540example.com&tel=+1+415+555+2671 ssn 123.45.6789",
		"context":       "born 23 July 1984, né le 1er janvier 1984, llámame al 612 345 678, SSN 078-051121, release 1.2.3.4, Tracking 0123 4567 8901",
	}
	dst := make([]Span, 0, 16)
	for name, text := range texts {
		b := []byte(text)
		s.FindString(b, dst[:0]) // warm the pools
		if n := testing.AllocsPerRun(100, func() { dst = s.FindString(b, dst[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations per FindString", name, n)
		}
		h := KeyHint([]byte("fecha_de_nacimiento"))
		if n := testing.AllocsPerRun(100, func() { dst = s.FindStringAt(b, s.all, h, nil, dst[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations per FindStringAt with a hint", name, n)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _ := NewSet(Builtins(), nil)
	in := []byte("ｃａｒｄ ４１１１ １１１１ １１１１ １１１１ and bob@example.com")
	want := describe(s, string(in), s.FindString(in, nil))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var dst []Span
			for range 200 {
				dst = s.FindString(in, dst[:0])
				if got := describe(s, string(in), dst); !slices.Equal(got, want) {
					t.Errorf("got %q", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestAdversarialInputsLinear: texts made of one unit repeated, each built
// to make a scanner backtrack, cost time linear in their length. The check
// is relative, so a loaded machine hardly affects it: 16 times the text may
// take at most 80 times as long (linear is 16, a little more as span lists
// outgrow the caches; quadratic is 256: the password_assignment scan that
// read every assignment to the end of the text measured 130), the best of
// five runs each.
func TestAdversarialInputsLinear(t *testing.T) {
	s, err := NewSet(Builtins(), map[string]Custom{"any": {Regex: "[a-z0-9]+"}})
	if err != nil {
		t.Fatal(err)
	}
	best := func(text []byte) time.Duration {
		d := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			s.FindString(text, nil)
			d = min(d, time.Since(start))
		}
		return d
	}
	const size = 8 << 10
	for name, unit := range adversarialUnits {
		small := []byte(strings.Repeat(unit, size/len(unit)))
		large := []byte(strings.Repeat(unit, 16*size/len(unit)))
		ts, tl := best(small), best(large)
		if tl > 80*max(ts, 50*time.Microsecond) {
			t.Errorf("%s: %v for %d bytes, %v for %d bytes: more than linear", name, ts, len(small), tl, len(large))
		}
	}
}

// adversarialUnits are the repeated units of TestAdversarialInputsLinear.
var adversarialUnits = map[string]string{
	"pem begins":    "-----BEGIN PRIVATE KEY-----",
	"at signs":      "a.b@",
	"emails":        "a@b.co ",
	"aiza":          "AIzaAIza",
	"eyJ":           "eyJ.",
	"colons":        "1:",
	"digit groups":  "1 ",
	"dots":          "1.",
	"dashes":        "ab-",
	"underscores":   "sk_live_",
	"ibans":         "DE89 ",
	"full-width":    "４",
	"zero-width":    "1\u200b",
	"phones":        "(415) 555-2671 ",
	"cards-overlap": "4111111111111111 ",
	"sk dashes":     "sk-",
	"passwords":     "password=",
	"urls":          "a://b:c@",
	"percents":      "%25",
}

// TestTooPlainFindsNothing backs FindString's shortcut: the built-ins, run
// without it, find nothing in text tooPlain accepts.
func TestTooPlainFindsNothing(t *testing.T) {
	s, err := NewSet(Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "abcdefxyzABCDEFJKAISGPxoxghp_sk lrive,!?'\"()/+#=\t0.@:-%é"
	rng := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for range 50000 {
		text := make([]byte, 1+rng.IntN(19))
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if !s.Plain(text, s.all) {
			continue
		}
		checked++
		sc := scanner{set: s, mask: s.all, t: text, f: scanFeatures(text)}
		if sc.run(); len(sc.out) > 0 {
			t.Fatalf("%q: tooPlain, but the built-ins find %v", text, sc.out)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d plain texts checked", checked)
	}
	// the word-at-a-time test against a byte loop, every length, any bytes
	for range 100000 {
		text := make([]byte, rng.IntN(24))
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(4) == 0 {
				text[i] = byte(rng.IntN(256))
			}
		}
		want := len(text) < 20
		for _, b := range text {
			if b >= '-' && b <= ':' || b == '@' || b == '%' || b == '=' || b >= 0x80 {
				want = false
			}
		}
		if got := tooPlain(text); got != want {
			t.Fatalf("tooPlain(%q) = %t, want %t", text, got, want)
		}
	}
	for _, text := range []string{"AKIAABCDEFGHIJKLMNOP", "a@b.co", "x1", "ａ", "%40", "pwd=hunter"} {
		if tooPlain([]byte(text)) {
			t.Errorf("tooPlain(%q)", text)
		}
	}
}
