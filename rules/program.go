package rules

import "github.com/veilproxy/veil/rules/internal/detect"

// Program is a compiled rule set. It is immutable and safe for concurrent use;
// compile it once per configuration and share it across streams.
type Program struct {
	name         string
	shadow       bool
	rules        []rule
	maxDepth     int
	maxBodyBytes int
	onFailure    [numFailureKinds]FailureAction
	reportHeader string
	scope        scope
	auto         [2]*automaton // the enforcing rules' (walk_shadow.go), indexed by Direction-1
	shadowAuto   [2]*automaton // the shadow rules', indexed by Direction-1
	names        *nameCheck    // finds member names that look like personal data (report.go)
	pool         walkerPool
	// content detectors (nil when no rule uses one)
	det      *detect.Set
	detNames []string // det.Names(), for reports
	// nameMask: the detectors of det that read member names (all but
	// freeTextDetectors)
	nameMask      detect.Mask
	jsonInStrings bool
	warnings      []string      // for the plugin's start-up log (Warnings)
	tokens        *revealAction // opens the tokens of every encrypt rule (Reveal); nil without one
	// conditions (cond.go, program_cond.go) and minimization (minimize.go)
	atoms       []atom         // the distinct conditions of rules and minimize lists
	claimPaths  [][]string     // the distinct claim paths of the atoms, by slot
	claimSlots  int            // len(claimPaths)
	headerSlots int            // the distinct header names of the atoms
	index       *condIndex     // evaluates the atoms (cond_index.go)
	consent     *consentSource // where consent purposes are read; nil without
	jwtKey      string         // jwt.provider_metadata_key
	trusted     []string       // trust_headers, lower-case, sorted
	marks       bool           // mark_responses
	conds       *condSet       // nil when no rule has conditions
	minimize    []allowList    // the minimize lists, in file order

	// record streams: limits.max_record_bytes, 0 when unset (stream.go),
	// and the compiled stream_text selectors (stream_text.go)
	maxRecordBytes int
	streamText     []textSelector
	headers        *headerProgram // the header rules (header_rules.go); nil without
	enc            encodingSpec   // encodings and decoded-size limits (encoding_schema.go)
}

// RuleInfo describes one compiled rule, for defining metrics up front.
type RuleInfo struct {
	// ID is the rule's unique id.
	ID string
	// Action is "redact", "mask", "remove", "keep", "hash", "encrypt",
	// "fpe", "generalize", "synthetic", "block" or "reveal".
	Action string
	// BlockStatus is the status of the local reply a request-side block
	// answers with (400 unless the rule names one); 0 for other actions. A
	// response-side block always answers 502.
	BlockStatus int
	// Shadow reports whether the rule only finds and reports (rule-level or set-level shadow mode).
	Shadow bool
	// Request and Response report the directions the rule applies to.
	Request, Response bool
}

// FailureKind names a body the filter cannot rewrite, or a request it refuses.
type FailureKind uint8

// The failure kinds a rule set chooses an action for under `on:`.
const (
	InvalidJSON   FailureKind = iota // the body is not valid JSON (or is nested too deep)
	Oversize                         // the body exceeds limits.max_body_bytes, or decodes past limits.max_decoded_bytes
	Encoded                          // the body has a content-encoding the filter cannot read (Program.Encoding, Codec.Decode)
	InternalError                    // any internal failure, including a recovered panic
	InvalidPath                      // the request path holds NUL or control characters (ValidPath)
	numFailureKinds
	// WorkBudget: the content detectors ran past the body's work budget
	// (ErrWorkBudget). It has no `on:` key of its own: the action is
	// on.error's, as for any other limit of the filter that is not the
	// body's fault alone; it is counted and logged under its own name.
	WorkBudget = numFailureKinds
)

var failureKindNames = [numFailureKinds]string{"invalid_json", "oversize", "encoded", "error", "invalid_path"}

// String returns the kind's name as written under `on:`: "invalid_json",
// "oversize", "encoded", "error" or "invalid_path"; "work_budget" for
// WorkBudget.
func (k FailureKind) String() string {
	if k < numFailureKinds {
		return failureKindNames[k]
	}
	if k == WorkBudget {
		return "work_budget"
	}
	return "unknown"
}

// RejectStatus is the status of the local reply that rejects a body of
// direction d failing with kind k: on the request side 400 for a body or
// path that does not parse, 413 oversize, 415 an encoding not read, 500
// otherwise; 502 for every response (the upstream answered, but not with a
// body the filter may let through).
func (k FailureKind) RejectStatus(d Direction) int {
	if d == Response {
		return 502
	}
	switch k {
	case InvalidJSON, InvalidPath:
		return 400
	case Oversize:
		return 413
	case Encoded:
		return 415
	}
	return 500
}

// FailureAction is what the filter does with a body it cannot rewrite.
type FailureAction uint8

// The two failure actions.
const (
	Reject FailureAction = iota // answer with a local reply (the default)
	Pass                        // forward the body unchanged
)

// String returns "reject" or "pass".
func (a FailureAction) String() string {
	if a == Pass {
		return "pass"
	}
	return "reject"
}

// Name returns the rule set's `name:`, "veil" when unset.
func (p *Program) Name() string { return p.name }

// Shadow reports whether the whole set runs in shadow mode (`mode: shadow`).
func (p *Program) Shadow() bool { return p.shadow }

// Rules describes the rules in file order.
func (p *Program) Rules() []RuleInfo {
	out := make([]RuleInfo, len(p.rules))
	for i := range p.rules {
		r := &p.rules[i]
		out[i] = RuleInfo{ID: r.id, Action: r.act.kind.String(), BlockStatus: r.act.blockStatus, Shadow: r.shadow, Request: r.request, Response: r.response}
	}
	return out
}

// Applies reports whether any rule or minimize list applies to direction
// d (on some exchange, whatever their conditions); the plugin does not
// buffer a body nothing can change.
func (p *Program) Applies(d Direction) bool {
	a, s := p.automatonFor(d), p.shadowFor(d)
	if a == nil {
		return false
	}
	for i := range p.minimize {
		if l := &p.minimize[i]; d == Request && l.request || d == Response && l.response {
			return true
		}
	}
	return a.live || s.live
}

// MaxBodyBytes returns limits.max_body_bytes (DefaultMaxBodyBytes when unset).
func (p *Program) MaxBodyBytes() int { return p.maxBodyBytes }

// OnFailure returns the action chosen under `on:` for kind k (Reject by
// default); WorkBudget follows on.error.
func (p *Program) OnFailure(k FailureKind) FailureAction {
	if k == WorkBudget {
		k = InternalError
	}
	if k < numFailureKinds {
		return p.onFailure[k]
	}
	return Reject
}

// The content detectors' work budget per body (see detect.Meter for the
// unit, a "step": about one byte read by a built-in detector; a thread a
// custom detector's VM advances over a byte counts 8). Ordinary text
// costs the built-ins about 40 steps per byte, the slowest text built for
// them about 110; a custom detector about 10 to 80 on ordinary text, and up
// to 8 per state on text built for it.
const (
	budgetPerByte       = 256     // steps per byte of body for the built-ins
	budgetPerByteCustom = 64      // more steps per byte of body for each custom detector
	budgetFloor         = 4 << 20 // steps any body may take, however small
)

// WorkBudget returns the steps the content detectors may take on a body of
// n bytes before it fails with ErrWorkBudget: 256 per byte, plus 64 per
// byte for each custom detector of the set, and at least 4 Mi. A body
// costing more is text built to be slow (or a custom pattern that reads the
// same text again for each match, as "[0-9]+-[0-9]+|[0-9]{4}" does on a run
// of digits): it gets the rule set's on.error choice rather than holding the
// worker.
func (p *Program) WorkBudget(n int) int {
	perByte := budgetPerByte
	if p.det != nil {
		perByte += budgetPerByteCustom * p.det.Customs()
	}
	return max(budgetFloor, n*perByte)
}

// ReportHeader returns the lower-cased `report_header:` name, "" when unset.
func (p *Program) ReportHeader() string { return p.reportHeader }

// automatonFor returns the automaton of the enforcing rules of direction d,
// nil for an unknown direction.
func (p *Program) automatonFor(d Direction) *automaton {
	if d == Request || d == Response {
		return p.auto[d-1]
	}
	return nil
}

// shadowFor returns the automaton of the shadow rules of direction d, nil
// for an unknown direction.
func (p *Program) shadowFor(d Direction) *automaton {
	if d == Request || d == Response {
		return p.shadowAuto[d-1]
	}
	return nil
}
