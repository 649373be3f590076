package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDiagnosticCaret(t *testing.T) {
	d := Diagnostic{File: "f", Line: 2, Col: 4, Rule: "r", Message: "bad", SourceLine: "\té x"}
	want := "f:2:4: rule \"r\": bad\n\té x\n\t  ^"
	if got := d.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d = Diagnostic{File: "f", Line: 1, Col: 9, Message: "past the end", SourceLine: "ab"}
	if got, want := d.String(), "f:1:9: past the end\nab\n        ^"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCompileErrorsSortedAndTyped(t *testing.T) {
	_, err := Compile([]byte("rules:\n  - {id: b, select: {}, action: x}\n  - {id: a, select: {keys: [k]}, action: y}\n"), Options{})
	var ce *CompileError
	if !errors.As(err, &ce) || len(ce.Diagnostics) != 3 {
		t.Fatalf("got %v", err)
	}
	for i, d := range ce.Diagnostics {
		if d.File != "rules" {
			t.Errorf("default file name: %q", d.File)
		}
		if i > 0 && (d.Line < ce.Diagnostics[i-1].Line || d.Line == ce.Diagnostics[i-1].Line && d.Col < ce.Diagnostics[i-1].Col) {
			t.Errorf("not sorted: %v", ce.Diagnostics)
		}
	}
	for _, src := range []string{"", "# only a comment\n", "[1, 2]", "rules: 3", "rules: []", "a: [", "\t- x"} {
		if _, err := Compile([]byte(src), Options{}); !errors.As(err, &ce) {
			t.Errorf("%q: got %v, want a *CompileError", src, err)
		}
	}
}

// TestCompileStepDiagnosticsPointAtCause: mistakes found after decoding (the
// automaton, the detector set) carry the rule and the position of what caused
// them, never 1:1.
func TestCompileStepDiagnosticsPointAtCause(t *testing.T) {
	// nine paths of three descents need 3^9 states (see
	// testdata/compile/automaton-too-complex)
	var b strings.Builder
	for i := range 9 {
		fmt.Fprintf(&b, "        - \"$..a%d..b%d..c%d\"\n", i, i, i)
	}
	descents := b.String()
	for _, c := range []struct{ name, src, want string }{
		{"paths", "rules:\n  - id: r\n    select:\n      paths:\n" + descents + "    action: redact\n",
			`r.yaml:5:11: rule "r": selector "$..a0..b0..c0": the rule set's selectors need more than 16384 automaton states`},
		{"within", "rules:\n  - id: w\n    select:\n      detect: [email]\n      within:\n" + descents + "    action: redact\n",
			`r.yaml:6:11: rule "w": within "$..a0..b0..c0": the rule set's selectors need more than 16384 automaton states`},
		{"shadow layer", "rules:\n  - id: keep\n    select: { keys: [x] }\n    action: keep\n  - id: s\n    mode: shadow\n    direction: [response]\n    select:\n      paths:\n" + descents + "    action: redact\n",
			`r.yaml:10:11: rule "s": selector "$..a0..b0..c0"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile([]byte(c.src), Options{Filename: "r.yaml"})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v\nwant prefix %s", err, c.want)
			}
		})
	}
}

// TestPackRulesPointAtInclude: a rule of an included pack has its compile
// diagnostics at the include entry naming the pack, in the user's file.
func TestPackRulesPointAtInclude(t *testing.T) {
	src := []byte("rules:\n  - {id: mine, select: {paths: [\"$.a\"]}, action: redact}\ninclude:\n  - secrets\n")
	d, spec := decode("r.yaml", src, nil)
	if err := d.err(); err != nil {
		t.Fatal(err)
	}
	if len(spec.rules) < 2 {
		t.Fatalf("%d rules, want the pack's too", len(spec.rules))
	}
	if r := spec.rules[0]; r.pack != "" || r.at != (srcPos{2, 24}) || r.sels[0].at != (srcPos{2, 33}) {
		t.Errorf("own rule: pack %q at %v, selector at %v", r.pack, r.at, r.sels[0].at)
	}
	for _, r := range spec.rules[1:] {
		if r.pack != "secrets" || r.at != (srcPos{4, 5}) {
			t.Errorf("rule %s: pack %q at %v, want secrets at 4:5", r.id, r.pack, r.at)
		}
		for _, s := range append(r.sels, r.within...) {
			if s.at != r.at {
				t.Errorf("rule %s: selector %q at %v, want %v", r.id, s.text, s.at, r.at)
			}
		}
	}
}
