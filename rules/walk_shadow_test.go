package rules

import (
	"github.com/veilproxy/veil/bench/corpus"

	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// shadowCase is a rule set split in three: a header, the shadow rules
// (listed first) and the enforcing rules after them.
type shadowCase struct {
	name, header, shadow, enforce, body, want string
}

var shadowCases = []shadowCase{
	{name: "keys", shadow: "  - {id: s, mode: shadow, select: {keys: [email]}, action: redact}\n",
		enforce: "  - {id: e, select: {keys: [email]}, action: {mask: {keep_last: 4}}}\n",
		body:    `{"email":"ann@example.com","u":{"E-Mail":"bob@example.org"}}`,
		want:    `{"email":"***@******e.com","u":{"E-Mail":"***@******e.org"}}`},
	{name: "paths, remove in shadow", shadow: "  - {id: s, mode: shadow, select: {paths: [\"$.user.email\"]}, action: remove}\n",
		enforce: "  - {id: e, select: {paths: [\"$.user.email\"]}, action: redact}\n",
		body:    `{"user":{"email":"ann@example.com","n":1}}`,
		want:    `{"user":{"email":"[REDACTED]","n":1}}`},
	{name: "detectors", shadow: "  - {id: s, mode: shadow, select: {detect: [email, phone]}, action: {redact: {with: \"[x]\"}}}\n",
		enforce: "  - {id: e, select: {detect: [email]}, action: {redact: {with: \"[email]\"}}}\n",
		body:    `{"note":"ann@example.com or +1 415-555-2671","l":["bob@example.org"]}`,
		want:    `{"note":"[email] or +1 415-555-2671","l":["[email]"]}`},
	{name: "shadow keep does not stop redact", shadow: "  - {id: s, mode: shadow, select: {paths: [\"$.support\"]}, action: keep}\n",
		enforce: "  - {id: e, select: {keys: [email]}, action: redact}\n",
		body:    `{"support":{"email":"help@example.com"},"email":"ann@example.com"}`,
		want:    `{"support":{"email":"[REDACTED]"},"email":"[REDACTED]"}`},
	{name: "shadow redact before enforced keep", shadow: "  - {id: s, mode: shadow, select: {keys: [email]}, action: redact}\n",
		enforce: "  - {id: e, select: {paths: [\"$.support\"]}, action: keep}\n  - {id: e2, select: {keys: [email]}, action: mask}\n",
		body:    `{"support":{"email":"help@example.com"},"email":"ann@example.com"}`,
		want:    `{"support":{"email":"help@example.com"},"email":"***@*******.***"}`},
	{name: "shadow on an object, enforced inside", shadow: "  - {id: s, mode: shadow, select: {paths: [\"$.user\"]}, action: redact}\n",
		enforce: "  - {id: e, select: {keys: [ssn]}, action: remove}\n",
		body:    `{"user":{"ssn":"123-45-6789","n":{"ssn":1}}}`,
		want:    `{"user":{"n":{}}}`},
	{name: "shadow inside, enforced on the object", shadow: "  - {id: s, mode: shadow, select: {keys: [ssn]}, action: remove}\n",
		enforce: "  - {id: e, select: {paths: [\"$.user\"]}, action: redact}\n",
		body:    `{"user":{"ssn":"123-45-6789"},"ssn":"x"}`,
		want:    `{"user":"[REDACTED]","ssn":"x"}`},
	{name: "shadow mask on a container", shadow: "  - {id: s, mode: shadow, select: {paths: [\"$.card\"]}, action: mask}\n",
		enforce: "  - {id: e, select: {keys: [number]}, action: {mask: {keep_last: 4}}}\n",
		body:    `{"card":{"number":"4111111111111111","exp":"12/30"}}`,
		want:    `{"card":{"number":"************1111","exp":"12/30"}}`},
	{name: "two shadow rules keep their own order", shadow: "  - {id: s1, mode: shadow, select: {paths: [\"$.a\"]}, action: keep}\n  - {id: s2, mode: shadow, select: {keys: [email]}, action: redact}\n",
		enforce: "  - {id: e, select: {keys: [email]}, action: {redact: {with: null}}}\n",
		body:    `{"a":{"email":"x@example.com"},"email":"y@example.com"}`,
		want:    `{"a":{"email":null},"email":null}`},
	{name: "json_in_strings", header: "json_in_strings: true\n",
		shadow:  "  - {id: s, mode: shadow, select: {keys: [email]}, action: redact}\n",
		enforce: "  - {id: e, select: {detect: [email]}, action: {redact: {with: \"[email]\"}}}\n",
		body:    `{"p":"{\"email\":\"a@example.com\",\"t\":\"to b@example.org\"}"}`,
		want:    `{"p":"{\"email\":\"[email]\",\"t\":\"to [email]\"}"}`},
	{name: "member names", shadow: "  - {id: s, mode: shadow, select: {detect: [email]}, action: {redact: {with: \"[x]\"}}}\n",
		enforce: "  - {id: e, select: {detect: [email]}, action: {redact: {with: \"[email]\"}}}\n",
		body:    `{"users":{"ann@example.com":{"plan":"pro"}}}`,
		want:    `{"users":{"[email]":{"plan":"pro"}}}`},
	{name: "numbers", shadow: "  - {id: s, mode: shadow, select: {detect: [credit_card]}, action: redact}\n",
		enforce: "  - {id: e, select: {keys: [pan]}, action: {mask: {keep_last: 4}}}\n  - {id: e2, select: {detect: [credit_card]}, action: redact}\n",
		body:    `{"pan":4111111111111111,"n":[5555555555554444]}`,
		want:    `{"pan":"************1111","n":["[REDACTED]"]}`},
}

// compose returns the rule set of c with the given parts.
func (c shadowCase) compose(shadow, enforce bool) string {
	src := c.header + "rules:\n"
	if shadow {
		src += c.shadow
	}
	if enforce {
		src += c.enforce
	}
	return src
}

// apply runs src over body and returns the output and the findings by rule.
func applyFindings(t *testing.T, src, body string) (string, map[string]Finding) {
	t.Helper()
	out, rep, err := mustCompile(t, src).Apply([]byte(body), Input{Direction: Request})
	if err != nil || !json.Valid(out) {
		t.Fatalf("%s: %v (out %s)", src, err, out)
	}
	by := map[string]Finding{}
	for _, f := range rep.Findings {
		by[f.Rule] = f
	}
	return string(out), by
}

// A shadow rule listed first never decides: the enforcing rules do exactly
// what they do without it, and it reports exactly what it reports alone.
func TestShadowNeverDecides(t *testing.T) {
	for _, c := range shadowCases {
		t.Run(c.name, func(t *testing.T) {
			out, got := applyFindings(t, c.compose(true, true), c.body)
			if out != c.want {
				t.Errorf("out  %s\nwant %s", out, c.want)
			}
			wantOut, enforced := applyFindings(t, c.compose(false, true), c.body)
			if out != wantOut {
				t.Errorf("the shadow rule changed the output: %s, without it %s", out, wantOut)
			}
			aloneOut, alone := applyFindings(t, c.compose(true, false), c.body)
			if aloneOut != c.body {
				t.Errorf("shadow rules alone changed the body: %s", aloneOut)
			}
			if len(alone) == 0 && !strings.Contains(c.shadow, "action: keep") {
				t.Fatal("the shadow rule found nothing alone: a weak case")
			}
			for id, f := range got {
				want, ok := enforced[id]
				if strings.HasPrefix(id, "s") {
					want, ok = alone[id]
				}
				if !ok || !reflect.DeepEqual(f, want) {
					t.Errorf("rule %s: %+v\nwant %+v", id, f, want)
				}
				if f.Shadow != strings.HasPrefix(id, "s") {
					t.Errorf("rule %s: shadow %v", id, f.Shadow)
				}
			}
			if len(got) != len(alone)+len(enforced) {
				t.Errorf("findings %v, want those of %v and %v", got, alone, enforced)
			}
		})
	}
}

// Set-level shadow mode reports exactly what the set would do enforced
// (keep rules still carve exceptions) and changes nothing.
func TestShadowSetReportsLikeEnforce(t *testing.T) {
	for _, c := range shadowCases {
		t.Run(c.name, func(t *testing.T) {
			enforceAll := strings.ReplaceAll(c.compose(true, true), "mode: shadow, ", "")
			_, want := applyFindings(t, enforceAll, c.body)
			out, got := applyFindings(t, "mode: shadow\n"+enforceAll, c.body)
			if out != c.body {
				t.Errorf("set-level shadow changed the body: %s", out)
			}
			for id, f := range want {
				f.Shadow = true
				if !reflect.DeepEqual(got[id], f) {
					t.Errorf("rule %s: %+v\nwant %+v", id, got[id], f)
				}
			}
			if len(got) != len(want) {
				t.Errorf("findings %v, want %v", got, want)
			}
		})
	}
}

// FuzzShadowLayers: on any body, shadow rules placed first change nothing
// the enforcing rules do, and report what they report alone.
func FuzzShadowLayers(f *testing.F) {
	for _, c := range shadowCases {
		f.Add([]byte(c.body))
	}
	fuzzSeeds(f, "testdata/apply/*/in.json")
	const header = "json_in_strings: true\nrules:\n"
	const shadow = "  - {id: s1, mode: shadow, select: {paths: [\"$.support\"]}, action: keep}\n" +
		"  - {id: s2, mode: shadow, select: {keys: [email, card_number]}, action: remove}\n" +
		"  - {id: s3, mode: shadow, select: {detect: [email, phone, credit_card]}, action: redact}\n"
	const enforce = "  - {id: e1, select: {keys: [email]}, action: {mask: {keep_last: 4}}}\n" +
		"  - {id: e2, select: {paths: [\"$.users[*]\"]}, action: redact}\n" +
		"  - {id: e3, select: {detect: [email, us_ssn]}, action: {redact: {with: \"[pii]\"}}}\n"
	full, alone, enforced := mustCompile(f, header+shadow+enforce), mustCompile(f, header+shadow), mustCompile(f, header+enforce)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rep, err := full.Apply(in, Input{Direction: Request})
		eout, erep, eerr := enforced.Apply(in, Input{Direction: Request})
		_, srep, _ := alone.Apply(in, Input{Direction: Request})
		if (err == nil) != (eerr == nil) || string(out) != string(eout) {
			t.Fatalf("with shadow rules %q %v, without %q %v", out, err, eout, eerr)
		}
		if want := append(srep.Findings[:len(srep.Findings):len(srep.Findings)], erep.Findings...); len(rep.Findings) != len(want) {
			t.Fatalf("findings %+v, want %+v", rep.Findings, want)
		}
		byRule := map[string]Finding{}
		for _, f := range append(srep.Findings, erep.Findings...) {
			byRule[f.Rule] = f
		}
		for _, f := range rep.Findings {
			if !reflect.DeepEqual(f, byRule[f.Rule]) {
				t.Fatalf("rule %s: %+v, want %+v", f.Rule, f, byRule[f.Rule])
			}
		}
	})
}

// BenchmarkShadowLayers: a set of enforcing rules, the same rules in
// set-level shadow mode (one pass each), and both kinds mixed (two passes).
func BenchmarkShadowLayers(b *testing.B) {
	src, _ := benchRules(10)
	shadowed := strings.ReplaceAll(src, "  - id: r", "  - mode: shadow\n    id: s")
	body := corpus.UserPage(16 << 10)
	for _, c := range []struct{ name, src string }{
		{"enforce", src},
		{"set-shadow", "mode: shadow\n" + src},
		{"mixed", "rules:\n" + strings.TrimPrefix(shadowed, "rules:\n") + strings.TrimPrefix(src, "rules:\n")},
	} {
		p := mustCompile(b, c.src)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.Apply(body, Input{Direction: Request}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
