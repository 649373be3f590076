package filter

import (
	"bytes"

	"github.com/veilproxy/veil/rules"
)

// applyFunc has the signature of (*rules.Program).Apply.
type applyFunc func(body []byte, in rules.Input) ([]byte, rules.Report, error)

// FaultMarker in a body makes a fault-injecting build panic inside Apply, so
// tests can prove that a panic in a rule action is recovered and handled by
// the rule set's on.error choice. Release builds never look for it.
const FaultMarker = "__veil_fault_panic__"

// injectPanics wraps apply so that it panics on a body holding FaultMarker.
// It is used by the fault-injection build (-tags veilfaults) and by tests.
func injectPanics(apply applyFunc) applyFunc {
	return func(body []byte, in rules.Input) ([]byte, rules.Report, error) {
		if bytes.Contains(body, []byte(FaultMarker)) {
			panic("veil: injected fault")
		}
		return apply(body, in)
	}
}
