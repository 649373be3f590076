package detect_test

import (
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// TestWorstCaseSteps bounds the work of the built-in detectors on every body
// of worstBodies: at most 5 times the steps (detect.Meter) they take on
// ordinary chat text of the same size. Steps count bytes read, not time, so
// the bound holds on any machine; BenchmarkWorstCase shows the times agree.
func TestWorstCaseSteps(t *testing.T) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	base := stepsPerByte(set, ordinaryBody(t))
	t.Logf("ordinary: %.2f steps/byte", base)
	for _, w := range worstBodies() {
		s := stepsPerByte(set, w.body)
		t.Logf("%-20s %-28s %6.2f steps/byte %5.2fx", w.detector, w.name, s, s/base)
		if s > 5*base {
			t.Errorf("%s/%s: %.1f steps per byte, more than 5 × ordinary text's %.1f", w.detector, w.name, s, base)
		}
	}
}

// TestWorstCaseCustomSteps bounds the custom detectors the same way: for each
// pattern `detectors:` accepts at its limits, every body costs at most its
// states' worth of VM threads per byte more than the built-ins alone
// (detect.MaxAnchoredStates bounds what a pattern may add).
func TestWorstCaseCustomSteps(t *testing.T) {
	for _, c := range []struct{ name, regex string }{
		{"no-anchor-32-states", `[a-z]{1,30}@[a-z]`},
		{"anchored-128-states", `EMP-[A-Z0-9-]{1,124}`},
		{"unbounded-runs", `[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+`},
		{"digits", `[0-9]{3}-[0-9]{2}-[0-9]{4}`},
	} {
		cost, err := detect.CostOf(c.regex)
		if err != nil || !cost.Bounded() {
			t.Fatalf("%s: %v %+v: not accepted", c.name, err, cost)
		}
		set, err := detect.NewSet(detect.Builtins(), map[string]detect.Custom{"x": {Regex: c.regex}})
		if err != nil {
			t.Fatal(err)
		}
		builtins, _ := detect.NewSet(detect.Builtins(), nil)
		bound := 8 * float64(cost.States+2) // a VM step is charged 8
		bodies := append(worstBodies(), worstBody{"x", "prefix", repeat("EMP-", "")}, worstBody{"x", "at-letters", repeat("abcdefghij@", "")})
		for _, w := range bodies {
			body := w.body[:64<<10] // steps per byte do not depend on the size
			extra := stepsPerByte(set, body) - stepsPerByte(builtins, body)
			if extra > bound+1 {
				t.Errorf("%s on %s: %.1f steps per byte more than the built-ins, want at most %.0f", c.name, w.name, extra, bound)
			}
		}
	}
}
