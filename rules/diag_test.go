package rules

import (
	"errors"
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
