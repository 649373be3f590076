package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// lintWarnings lints src and returns its warnings as "line:col code".
func lintWarnings(t *testing.T, src string) []string {
	t.Helper()
	_, ws, err := Lint([]byte(src), Options{Filename: "rules.yaml"})
	if err != nil {
		t.Fatalf("does not compile: %v", err)
	}
	var out []string
	for _, w := range ws {
		if w.Severity != SeverityWarning || w.Code == "" {
			t.Errorf("not a warning with a code: %+v", w)
		}
		out = append(out, fmt.Sprintf("%d:%d %s", w.Line, w.Col, w.Code))
	}
	return out
}

// TestLintWarnings checks each warning where it is due and where it is not
// (rules/SYNTAX.md, "Lint warnings"). Each rule sits on its own line, the
// first on line 2.
func TestLintWarnings(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		// key-looks-like-path
		{"dotted key", `rules:
  - { id: a, select: { keys: [customer.email, email] }, action: redact }`, []string{"2:31 key-looks-like-path"}},
		{"path as key", `rules:
  - { id: a, select: { keys: ["$.user.ssn", "a/b", "[0]"] }, action: redact }`,
			[]string{"2:31 key-looks-like-path", "2:45 key-looks-like-path", "2:52 key-looks-like-path"}},
		{"within key like a path", `rules:
  - { id: a, select: { detect: [email], within: [messages.content, "$.messages", content] }, action: redact }`,
			[]string{"2:50 key-looks-like-path"}},
		{"plain keys", `rules:
  - { id: a, select: { keys: [email, e_mail, "first name", card-number] }, action: redact }`, nil},

		// unreachable-rule, duplicate-rule
		{"keep after redact", `rules:
  - { id: a, select: { paths: ["$.support.email"] }, action: redact }
  - { id: b, select: { paths: ["$.support.email"] }, action: keep }`, []string{"3:22 unreachable-rule"}},
		{"keep before redact", `rules:
  - { id: a, select: { paths: ["$.support.email"] }, action: keep }
  - { id: b, select: { keys: [email] }, action: redact }`, nil},
		{"exact duplicate", `rules:
  - { id: a, select: { keys: [email] }, action: redact }
  - { id: b, select: { keys: [email] }, action: redact }`, []string{"3:22 duplicate-rule"}},
		{"keep decides everything inside", `rules:
  - { id: a, select: { paths: ["$.profile"] }, action: keep }
  - { id: b, select: { paths: ["$.profile.phone", "$.profile.contacts[*].phone"] }, action: redact }`, []string{"3:22 unreachable-rule"}},
		{"one path of two", `rules:
  - { id: a, select: { paths: ["$.profile"] }, action: keep }
  - { id: b, select: { paths: ["$.other", "$.profile.phone"] }, action: redact }`, []string{"3:43 unreachable-rule"}},
		{"one key of two", `rules:
  - { id: a, select: { keys: [email] }, action: redact }
  - { id: b, select: { keys: [phone, E-Mail] }, action: remove }`, []string{"3:38 unreachable-rule"}},
		{"keys cover a path", `rules:
  - { id: a, select: { keys: [email] }, action: redact }
  - { id: b, select: { paths: ["$.a[0].email.x"] }, action: remove }`, []string{"3:22 unreachable-rule"}},
		{"descent covers a path", `rules:
  - { id: a, select: { paths: ["$..ssn"] }, action: redact }
  - { id: b, select: { paths: ["$.a.ssn", "$..ssn"] }, action: remove }`, []string{"3:22 unreachable-rule"}},
		{"wildcard covers", `rules:
  - { id: a, select: { paths: ["$.*"] }, action: redact }
  - { id: b, select: { paths: ["$.a[0]"] }, action: remove }`, []string{"3:22 unreachable-rule"}},
		{"root covers", `rules:
  - { id: a, select: { paths: ["$"] }, action: redact }
  - { id: b, select: { keys: [x] }, action: remove }`, []string{"3:22 unreachable-rule"}},
		{"narrower first", `rules:
  - { id: a, select: { paths: ["$.a.b"] }, action: redact }
  - { id: b, select: { paths: ["$.a", "$.a.c", "$..b"] }, action: remove }`, nil},
		{"wildcard does not cover a descent", `rules:
  - { id: a, select: { paths: ["$.*.b"] }, action: redact }
  - { id: b, select: { paths: ["$..b"] }, action: remove }`, nil},
		{"detector owned first", `rules:
  - { id: a, select: { detect: [email] }, action: keep }
  - { id: b, select: { detect: [email, phone] }, action: redact }`, []string{"3:33 unreachable-rule"}},
		{"detector within a decided value", `rules:
  - { id: a, select: { paths: ["$.messages"] }, action: keep }
  - { id: b, select: { detect: [email], within: ["$.messages[*].content"] }, action: redact }`, []string{"3:22 unreachable-rule"}},
		{"detector with evidence first", `rules:
  - { id: a, select: { detect: [phone], evidence: [key] }, action: redact }
  - { id: b, select: { detect: [phone] }, action: { redact: { with: x } } }`, nil},
		{"detector with within first", `rules:
  - { id: a, select: { detect: [phone], within: [notes] }, action: redact }
  - { id: b, select: { detect: [phone] }, action: { redact: { with: x } } }`, nil},
		{"detector with evidence after", `rules:
  - { id: a, select: { detect: [phone] }, action: redact }
  - { id: b, select: { detect: [phone], evidence: [key] }, action: keep }`, []string{"3:22 unreachable-rule"}},
		{"case-sensitive differs", `rules:
  - { id: a, select: { paths: ["$.Token"] }, action: redact }
  - { id: b, case_sensitive: true, select: { paths: ["$.Token"] }, action: keep }`, nil},
		{"header rules", `rules:
  - { id: a, select: { headers: ["*"] }, action: keep }
  - { id: b, select: { headers: [x-user] }, action: redact }
  - { id: c, select: { keys: [x-user] }, action: redact }`, []string{"3:22 unreachable-rule"}},

		// conditions and layers
		{"same conditions", `rules:
  - { id: a, select: { keys: [card] }, when: { method: GET }, action: redact }
  - { id: b, select: { keys: [card] }, when: { method: [GET] }, action: redact }`, []string{"3:22 duplicate-rule"}},
		{"earlier rule conditional", `rules:
  - { id: a, select: { keys: [card] }, when: { method: GET }, action: keep }
  - { id: b, select: { keys: [card] }, action: redact }`, nil},
		{"later rule conditional", `rules:
  - { id: a, select: { keys: [card] }, action: redact }
  - { id: b, select: { keys: [card] }, when: { method: GET }, action: keep }`, []string{"3:22 unreachable-rule"}},
		{"other conditions", `rules:
  - { id: a, select: { keys: [card] }, when: { method: GET }, action: redact }
  - { id: b, select: { keys: [card] }, when: { method: POST }, action: remove }
  - { id: c, select: { keys: [card] }, unless: { method: GET }, action: remove }`, nil},
		{"directions", `rules:
  - { id: a, select: { keys: [card] }, direction: request, action: redact }
  - { id: b, select: { keys: [card] }, action: remove }
  - { id: c, select: { keys: [card] }, direction: response, action: keep }`, []string{"4:22 unreachable-rule"}},
		{"shadow and enforce", `rules:
  - { id: a, select: { keys: [card] }, mode: shadow, action: remove }
  - { id: b, select: { keys: [card] }, action: redact }
  - { id: c, select: { keys: [card] }, mode: shadow, action: keep }`, []string{"4:22 unreachable-rule"}},

		// pack-rule-overridden
		{"pack detector taken over", `include: [pii-basic]
rules:
  - { id: a, select: { detect: [email] }, action: { mask: { keep_last: 4 } } }`, []string{"3:33 pack-rule-overridden"}},
		{"pack key taken over", `include: [pci]
rules:
  - { id: a, select: { keys: [pan, notes] }, action: redact }`, []string{"3:31 pack-rule-overridden"}},
		{"pack exception carved with keep", `include: [pii-basic]
rules:
  - { id: a, select: { detect: [email], within: ["$.support"] }, action: keep }
  - { id: b, select: { paths: ["$.support.phone"] }, action: keep }`, nil},
		{"pack rule replaced by id", `include: [pii-basic]
rules:
  - { id: pii-basic-email, select: { detect: [email] }, action: { mask: { keep_last: 4 } } }`, nil},
		{"same action as the pack", `include: [pii-basic]
rules:
  - { id: a, select: { detect: [phone], within: [notes] }, action: { redact: { with: "[phone]" } } }
  - { id: b, select: { keys: [phone] }, action: { redact: { with: "[phone]" } } }`, nil},
		{"packs overlapping each other", `include: [pii-basic, pci, secrets, llm-prompts, pii-text]`, nil},

		// did-you-mean
		{"pack key misspelt", `rules:
  - { id: a, select: { keys: [pasword, passwords, pwd, phones, emial] }, action: redact }`, []string{"2:31 did-you-mean"}},
		{"case-sensitive keys are not compared", `rules:
  - { id: a, case_sensitive: true, select: { keys: [pasword] }, action: redact }`, nil},
		{"header near a trusted one", `trust_headers: [x-verified-role]
rules:
  - { id: a, select: { keys: [x] }, when: { header: { x-verified-rol: admin } }, action: redact }
  - { id: b, select: { keys: [y] }, when: { header: { x-verified-role: admin, x-tenant: acme } }, action: redact }`,
			[]string{"3:55 did-you-mean"}},
		{"pack-like id", `include: [pii-basic]
rules:
  - { id: pii-basic-emails, select: { keys: [x] }, action: redact }
  - { id: pii-basic-phone, select: { keys: [y] }, action: redact }
  - { id: secrets-mine, select: { keys: [z] }, action: redact }`, []string{"3:11 did-you-mean"}},

		// mask-readable
		{"mask characters", `rules:
  - { id: a, select: { keys: [a] }, action: { mask: { char: "0" } } }
  - { id: b, select: { keys: [b] }, action: { mask: { char: "a" } } }
  - { id: c, select: { keys: [c] }, action: { mask: { char: "X" } } }
  - { id: d, select: { keys: [d] }, action: { mask: { char: "•" } } }`, []string{"2:61 mask-readable", "3:61 mask-readable"}},
		{"card", `rules:
  - { id: a, select: { keys: [card_number] }, action: { mask: { keep_last: 5 } } }
  - { id: b, select: { paths: ["$.pan"] }, action: { mask: { keep_first: 6, keep_last: 4 } } }
  - { id: c, select: { detect: [credit_card] }, action: { mask: { keep_first: 7 } } }`, []string{"2:76 mask-readable", "4:79 mask-readable"}},
		{"ssn", `rules:
  - { id: a, select: { detect: [us_ssn] }, action: { mask: { keep_first: 1 } } }
  - { id: b, select: { keys: [ssn] }, action: { mask: { keep_last: 4 } } }`, []string{"2:74 mask-readable"}},
		{"email", `rules:
  - { id: a, select: { keys: [email] }, action: { mask: { keep_first: 3, keep_last: 2 } } }
  - { id: b, select: { keys: [mail] }, action: { mask: { keep_last: 4 } } }`, []string{"2:71 mask-readable"}},
		{"generic", `rules:
  - { id: a, select: { keys: [notes] }, action: { mask: { keep_first: 4, keep_last: 4 } } }
  - { id: b, select: { keys: [notes2] }, action: { mask: { keep_first: 3, keep_last: 3 } } }`, []string{"2:85 mask-readable"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lintWarnings(t, c.src)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestLintGolden lints testdata/lint/<case>/rules.yaml and compares every
// warning, as the CLI prints it, with want.txt.
func TestLintGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/lint/*")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			name, src := readRules(t, dir)
			_, ws, err := Lint(src, Options{Filename: name})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, w := range ws {
				b.WriteString(w.String())
				b.WriteString("\n")
			}
			golden(t, filepath.Join(dir, "want.txt"), []byte(b.String()))
		})
	}
}

// TestLintBundled lints the examples and the packs: they carry no warning.
func TestLintBundled(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/rules.yaml")
	packFiles, _ := filepath.Glob("packs/*.yaml")
	if len(files) == 0 || len(packFiles) == 0 {
		t.Fatal("no examples or packs")
	}
	for _, f := range append(files, packFiles...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, ws, err := Lint(src, Options{Filename: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			t.Errorf("%s", w)
		}
	}
	for _, p := range []string{"pii-basic", "pii-text", "pci", "secrets", "llm-prompts"} {
		if got := lintWarnings(t, "include: ["+p+"]\n"); got != nil {
			t.Errorf("include %s: %q", p, got)
		}
	}
}

// TestLintLinear lints 1,000 and 4,000 generated rules and compares the
// work done (selector and rule comparisons): four times the rules cost
// about four times the work (4.9 measured: short candidate lists at the
// start), where comparing every pair would cost sixteen.
func TestLintLinear(t *testing.T) {
	work := func(n int) int {
		_, l, err := lint(generatedRules(n), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.list) == 0 {
			t.Fatal("the generated rules should draw warnings")
		}
		return l.work
	}
	small, large := work(1000), work(4000)
	if large > 6*small {
		t.Errorf("work for 1,000 rules %d, for 4,000 rules %d: more than linear", small, large)
	}
}

// generatedRules returns a rule set of n rules mixing paths, keys,
// descents, detectors, conditions and duplicates, many sharing a name.
func generatedRules(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	for i := range n {
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "  - { id: r%d, select: { paths: [\"$.a%d.b\", \"$.shared.x%d\"] }, action: redact }\n", i, i, i)
		case 1:
			fmt.Fprintf(&b, "  - { id: r%d, select: { keys: [email, k%d] }, when: { method: M%d }, action: redact }\n", i, i, i)
		case 2:
			fmt.Fprintf(&b, "  - { id: r%d, select: { paths: [\"$..d%d\", \"$.a%d.b.c\"] }, action: keep }\n", i, i, i-2)
		case 3:
			fmt.Fprintf(&b, "  - { id: r%d, select: { detect: [email] }, when: { method: M%d }, action: redact }\n", i, i)
		case 4:
			fmt.Fprintf(&b, "  - { id: r%d, select: { paths: [\"$.*.k%d\"] }, direction: response, action: remove }\n", i, i)
		case 5:
			fmt.Fprintf(&b, "  - { id: r%d, select: { keys: [k%d] }, action: { mask: { keep_last: 4 } } }\n", i, i-4)
		case 6:
			fmt.Fprintf(&b, "  - { id: r%d, select: { headers: [x-h%d] }, action: redact }\n", i, i)
		case 7:
			fmt.Fprintf(&b, "  - { id: r%d, select: { paths: [\"$.shared.y%d\", \"$[%d]\"] }, action: redact }\n", i, i, i)
		}
	}
	return []byte(b.String())
}

// BenchmarkLint1000Rules lints 1,000 generated rules (compile included).
func BenchmarkLint1000Rules(b *testing.B) {
	src := generatedRules(1000)
	for b.Loop() {
		if _, _, err := Lint(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLint checks that Lint never panics, that it warns only about rule
// sets that compile, and that each warning is well formed.
func FuzzLint(f *testing.F) {
	// small seeds: a set that includes packs costs the instrumented
	// fuzzer seconds per run (TestLintGolden covers them)
	for _, file := range []string{"customer-api", "signup-minimization", "views-support"} {
		if src, err := os.ReadFile("../examples/" + file + "/rules.yaml"); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("rules:\n  - { id: a, select: { keys: [a.b] }, action: keep }\n  - { id: b, select: { paths: [\"$..a.b\"] }, action: redact }\n"))
	f.Add([]byte("trust_headers: [x-role]\nrules:\n  - { id: a, select: { headers: [x-a] }, when: { header: { x-rol: a } }, action: redact }\n  - { id: b, select: { detect: [email], within: [\"$.a\"] }, action: { mask: { keep_last: 9, char: \"0\" } } }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		prog, ws, err := Lint(src, Options{})
		if err != nil {
			if prog != nil || ws != nil {
				t.Fatal("a rule set that does not compile got a program or warnings")
			}
			return
		}
		if _, cerr := Compile(src, Options{}); cerr != nil {
			t.Fatalf("Lint compiled what Compile refuses: %v", cerr)
		}
		for _, w := range ws {
			if w.Severity != SeverityWarning || w.Code == "" || w.Line < 1 || w.Col < 1 {
				t.Fatalf("malformed warning %+v", w)
			}
		}
	})
}
