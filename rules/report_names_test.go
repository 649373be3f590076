package rules

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// testdata/names/cases.json: member names that look like personal data, in
// several spellings, and rule sets that report paths through them. The same
// file drives host-test's check of the .wasm (audit line, logs, metrics).

// piiName is a member name that looks like personal data.
type piiName struct {
	Label string
	JSON  string // its spelling inside the quotes of a JSON string
	// Fragments are pieces of it no report may hold (beside the name
	// itself, unescaped and as spelled).
	Fragments []string
}

// nameCase is a rule set and a body template: NAME stands for the name's
// JSON string, and the document after INNER: is nested as a JSON string.
type nameCase struct {
	Label, Rules, Body string
	Paths              map[string][]string // by rule: the report paths wanted
}

func loadNameCases(t testing.TB) ([]piiName, []nameCase) {
	t.Helper()
	src, err := os.ReadFile("testdata/names/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Names []piiName
		Cases []nameCase
	}
	if err := json.Unmarshal(src, &f); err != nil {
		t.Fatal(err)
	}
	return f.Names, f.Cases
}

// expandName returns the rule set and body of case c for name n.
func expandName(c nameCase, n piiName) (rules, body string) {
	lit := `"` + n.JSON + `"`
	body = strings.ReplaceAll(c.Body, "NAME", lit)
	if i := strings.Index(body, "INNER:"); i >= 0 {
		inner := body[i+len("INNER:") : len(body)-1]
		q, _ := json.Marshal(inner)
		body = body[:i] + string(q) + "}"
	}
	return strings.ReplaceAll(c.Rules, "NAME", lit), body
}

// forbidden returns what no report, log line or metric name may contain for n.
func (n piiName) forbidden(t *testing.T) []string {
	t.Helper()
	var plain string
	if err := json.Unmarshal([]byte(`"`+n.JSON+`"`), &plain); err != nil {
		t.Fatal(err)
	}
	return append([]string{plain, n.JSON}, n.Fragments...)
}

// Every name in the table is written [<name>] in report paths, whatever the
// rule set (no detectors, remove, key rules, shadow, json_in_strings,
// depth); the paths are exactly the wanted ones otherwise.
func TestReportHidesPersonalNames(t *testing.T) {
	names, cases := loadNameCases(t)
	for _, c := range cases {
		for _, n := range names {
			t.Run(c.Label+"/"+n.Label, func(t *testing.T) {
				src, body := expandName(c, n)
				p := mustCompile(t, src)
				out, rep, err := p.Apply([]byte(body), Input{Direction: Request})
				if err != nil || !json.Valid(out) {
					t.Fatalf("apply %s: %v (out %s)", body, err, out)
				}
				got := map[string][]string{}
				for _, f := range rep.Findings {
					got[f.Rule] = f.Paths
					for _, path := range f.Paths {
						for _, bad := range n.forbidden(t) {
							if strings.Contains(path, bad) {
								t.Errorf("rule %s: path %q spells %q", f.Rule, path, bad)
							}
						}
					}
				}
				if !reflect.DeepEqual(got, c.Paths) {
					t.Errorf("body %s\npaths %v\nwant  %v", body, got, c.Paths)
				}
			})
		}
	}
}

// Names no detector flags keep their spelling in paths.
func TestReportSpellsPlainNames(t *testing.T) {
	p := mustCompile(t, "rules: [{id: plan, select: {keys: [plan]}, action: redact}]")
	for _, c := range []struct{ name, path string }{
		{`user_1`, `$.m.user_1.plan`},
		{`order-42`, `$.m['order-42'].plan`},
		{`v1.2.3.4`, `$.m['v1.2.3.4'].plan`},
		{`created_at`, `$.m.created_at.plan`},
		{`2024`, `$.m['2024'].plan`},
		{`a@b`, `$.m['a@b'].plan`},
		{`x.y.z`, `$.m['x.y.z'].plan`},
		{`\u0063ity`, `$.m.city.plan`},
		{`customer_billing_address_line`, `$.m.customer_billing_address_line.plan`},
		{`12:30`, `$.m['12:30'].plan`},
	} {
		_, rep, err := p.Apply([]byte(`{"m":{"`+c.name+`":{"plan":1}}}`), Input{Direction: Request})
		if err != nil || len(rep.Findings) != 1 || !slices.Equal(rep.Findings[0].Paths, []string{c.path}) {
			t.Errorf("%s: %+v %v, want %s", c.name, rep.Findings, err, c.path)
		}
	}
}

// Names with unprintable characters are spelled with escapes, so a report
// path never reads as another name and never reorders the audit line.
func TestReportEscapesUnprintableNames(t *testing.T) {
	p := mustCompile(t, "rules: [{id: plan, select: {keys: [plan]}, action: redact}]")
	for _, c := range []struct{ name, path string }{
		{`Ssn\u200b`, `$.m['Ssn\u200b'].plan`},             // zero-width space
		{`ssn\u2060x`, `$.m['ssn\u2060x'].plan`},           // word joiner
		{`a\u202Eb`, `$.m['a\u202eb'].plan`},               // right-to-left override
		{`\u200Fname`, `$.m['\u200fname'].plan`},           // right-to-left mark
		{`so\u00adft`, `$.m['so\u00adft'].plan`},           // soft hyphen
		{`\ufeffbom`, `$.m['\ufeffbom'].plan`},             // BOM
		{`no\u00a0break`, `$.m['no\u00a0break'].plan`},     // no-break space
		{`tab\there`, `$.m['tab\u0009here'].plan`},         // control
		{`del\u007f`, `$.m['del\u007f'].plan`},             // DEL
		{`tag\udb40\udc41`, `$.m['tag\udb40\udc41'].plan`}, // tag character, beyond the BMP
		{`stra\u00dfe`, `$.m.straße.plan`},                 // printable non-ASCII stays shorthand
		{`caf\u0065\u0301`, "$.m.cafe\u0301.plan"},         // combining mark is printable
	} {
		_, rep, err := p.Apply([]byte(`{"m":{"`+c.name+`":{"plan":1}}}`), Input{Direction: Request})
		if err != nil || len(rep.Findings) != 1 || !slices.Equal(rep.Findings[0].Paths, []string{c.path}) {
			t.Errorf("%s: %+v %v, want %s", c.name, rep.Findings, err, c.path)
		}
	}
}

// A custom detector of the rule set hides the names it matches too.
func TestReportHidesNamesOfCustomDetectors(t *testing.T) {
	p := mustCompile(t, `
detectors: { employee_id: { regex: "EMP-[0-9]{6}" } }
rules:
  - {id: plan, select: {keys: [plan]}, action: redact}
  - {id: staff, select: {detect: [employee_id], within: [notes]}, action: redact}
`)
	_, rep, err := p.Apply([]byte(`{"EMP-123456":{"plan":1},"EMP-12":{"plan":2}}`), Input{Direction: Request})
	if err != nil || len(rep.Findings) != 1 || !slices.Equal(rep.Findings[0].Paths, []string{"$[<name>].plan", "$['EMP-12'].plan"}) {
		t.Errorf("%+v %v", rep.Findings, err)
	}
}

// FuzzReportNames: any member name a built-in detector flags is written
// [<name>] in report paths, any other is spelled; under a rule set without
// detectors, directly and inside a JSON string.
func FuzzReportNames(f *testing.F) {
	names, _ := loadNameCases(f)
	for _, n := range names {
		var s string
		if json.Unmarshal([]byte(`"`+n.JSON+`"`), &s) == nil {
			f.Add(s)
		}
	}
	for _, s := range []string{"user", "v1.2.3.4", "a b", "é", "", "'", "\x00", "a%40b.com"} {
		f.Add(s)
	}
	builtins, err := detect.NewSet(nameDetectorNames(), nil)
	if err != nil {
		f.Fatal(err)
	}
	p := mustCompile(f, "json_in_strings: true\nrules: [{id: plan, select: {keys: [plan]}, action: redact}]")
	f.Fuzz(func(t *testing.T, name string) {
		key, _ := json.Marshal(name)
		doc := `{"m":{` + string(key) + `:{"plan":1}}}`
		inner, _ := json.Marshal(doc)
		flagged := len(builtins.FindString([]byte(name), nil)) > 0
		for _, c := range []struct{ body, prefix string }{{doc, "$.m"}, {`{"s":` + string(inner) + `}`, "$.s<json>.m"}} {
			_, rep, err := p.Apply([]byte(c.body), Input{Direction: Request})
			if err != nil || len(rep.Findings) != 1 || len(rep.Findings[0].Paths) != 1 {
				t.Fatalf("%s: %+v %v", c.body, rep, err)
			}
			path := rep.Findings[0].Paths[0]
			if hidden := path == c.prefix+"[<name>].plan"; hidden != flagged {
				t.Fatalf("name %q (flagged %v): path %q", name, flagged, path)
			}
		}
	})
}

// BenchmarkReportNames: the cost of checking the names of reported paths,
// 16 KB of users in an array ($.users[3].email), in a map keyed by ids
// ($.users.u3.email) and in a map keyed by email addresses
// ($.users[<name>].email); one rule redacts every email.
func BenchmarkReportNames(b *testing.B) {
	p := mustCompile(b, "rules: [{id: e, select: {keys: [email]}, action: redact}]")
	for _, c := range []struct{ name, open, close, key string }{
		{"array", "[", "]", ""},
		{"map-ids", "{", "}", `"u%d":`},
		{"map-emails", "{", "}", `"user%d@example.com":`},
	} {
		var sb strings.Builder
		sb.WriteString(`{"users":` + c.open)
		for i := 0; sb.Len() < 16<<10; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			if c.key != "" {
				sb.WriteString(strings.Replace(c.key, "%d", strconv.Itoa(i), 1))
			}
			sb.WriteString(`{"id":` + strconv.Itoa(i) + `,"email":"x` + strconv.Itoa(i) + `@example.org","plan":"pro"}`)
		}
		sb.WriteString(c.close + "}")
		body := []byte(sb.String())
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

// TestShortWordsFindNothing backs shortWord: the built-in detectors find
// nothing in names of letters and '_' up to maxShortWord bytes, random and
// built to look like tokens, hex or MAC addresses.
func TestShortWordsFindNothing(t *testing.T) {
	set := builtinDetectors()
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ_"
	names := []string{"aabbccddeeff", "deadbeefcafe", "AKIAABCDEFGHIJK", "ghp_abcdefghijk", "npm_abcdefghijk",
		"hf_abcdefghijkl", "AIzaabcdefghijk", "sk_live_abcdefg", "xoxb_abcdefghij", "eyJhbGciOiJIUzI", "ABCDEFABCDEF"}
	for range 200000 {
		b := make([]byte, 1+rng.IntN(maxShortWord))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, n := range names {
		if !shortWord([]byte(n)) {
			t.Fatalf("%q is not a short word", n)
		}
		if spans := set.FindString([]byte(n), nil); len(spans) > 0 {
			t.Errorf("%q: built-ins found %v: shortWord must not skip it", n, spans)
		}
	}
	if shortWord([]byte("abcdefghijklmnop")) || shortWord([]byte("a1")) || shortWord([]byte("a-b")) || shortWord([]byte("é")) {
		t.Error("shortWord accepts a name it must not")
	}
}
