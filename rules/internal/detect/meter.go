package detect

// Meter counts the work of the detectors over one body and holds its
// budget. A unit of work ("step") is one byte a detector reads (each
// pass over the text counts its bytes, each value a detector reads around
// a trigger counts the bytes it reads); a thread a custom detector's VM
// advances over one byte counts 8, as it costs about that many. FindStringMetered adds to Used; once Used exceeds
// Limit (when Limit > 0) the scan stops early and Exhausted reports it: the
// caller treats the body as one it cannot inspect.
type Meter struct {
	Used  int // steps so far
	Limit int // budget; 0 means none
}

// add charges n steps (m may be nil).
func (m *Meter) add(n int) {
	if m != nil {
		m.Used += n
	}
}

// exhausted reports whether m has a budget and has run past it.
func (m *Meter) exhausted() bool { return m != nil && m.Limit > 0 && m.Used > m.Limit }

// Exhausted reports whether the work counted exceeds the budget (m may be
// nil: no budget).
func (m *Meter) Exhausted() bool { return m.exhausted() }
