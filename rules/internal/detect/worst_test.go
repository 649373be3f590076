package detect_test

import (
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

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
	}
}
