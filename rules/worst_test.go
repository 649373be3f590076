package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestCustomPatternCost: `detectors:` refuses patterns whose counted
// repetitions make the VM read too many states per byte, at the regex's
// position, with the rewrite to use; patterns within the limits compile.
func TestCustomPatternCost(t *testing.T) {
	src := func(re string) string {
		return "detectors:\n  x: { regex: '" + re + "' }\nrules:\n  - { id: r, select: { detect: [x] }, action: redact }\n"
	}
	for _, re := range []string{
		`EMP-[0-9]{6}`,                     // 10 states
		`ACC[0-9]{10}`,                     // anchored
		`[0-9]{3}-[0-9]{2}-[0-9]{4}`,       // 11, no anchor needed
		`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`, // unbounded runs cost one state each
		`[a-z]+@`,
		`(?i)ticket-[0-9]+`,
		`\b[A-Z]{3}[0-9]{8}\b`,
		`[0-9]{16}`,
		`EMP-[A-Z0-9]{1,100}`, // 104 states behind "EMP-"
		`[A-Z]{2}[0-9]{2}[A-Z0-9]{11,28}`,
	} {
		if _, err := Compile([]byte(src(re)), Options{Filename: "r.yaml"}); err != nil {
			t.Errorf("%s: refused: %v", re, err)
		}
	}
	for _, c := range []struct{ re, states string }{
		{`[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}`, "318 states"},
		{`[a-z]{1,1000}@`, "1001 states"},
		{`[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}`, "34 states"},
		{`(?i)emp-[0-9]{1,40}`, "44 states"}, // a folded prefix is no anchor
		{`EMP-[0-9]{1,200}`, "204 states"},   // past the anchored limit
		{`ab[0-9]{40}`, "42 states"},         // two bytes are no anchor
		{`(x[0-9]{9}){4}`, "40 states"},      // repetitions multiply
	} {
		_, err := Compile([]byte(src(c.re)), Options{Filename: "r.yaml"})
		var ce *CompileError
		if !errors.As(err, &ce) || len(ce.Diagnostics) != 1 {
			t.Errorf("%s: got %v, want one diagnostic", c.re, err)
			continue
		}
		d := ce.Diagnostics[0]
		if d.Line != 2 || d.Col != 15 || !strings.Contains(d.Message, c.states) ||
			!strings.Contains(d.Message, "detectors.x.regex: ") || !strings.Contains(d.Message, `write + or *`) {
			t.Errorf("%s: got %s", c.re, d)
		}
	}
}
