package rules

import (
	"slices"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// maxReportPaths bounds the paths stored per rule in a Report; Count stays exact.
const maxReportPaths = 64

// Report says what Apply found: per rule, how many values it changed (or, in
// shadow mode, would have changed) and where. It never holds values.
type Report struct {
	// Findings lists the rules with Count > 0, in rule order.
	Findings []Finding
	// Minimized lists the minimize lists that removed anything, in file
	// order. Findings are about the minimized body.
	Minimized []Minimized `json:",omitempty"`
}

// Finding is what one rule did to one body.
type Finding struct {
	// Rule is the rule's id.
	Rule string
	// Action is the rule's action as RuleInfo.Action names it, never "keep"
	// (keep changes nothing).
	Action string
	// Shadow reports that nothing was changed: the rule (or set) runs in shadow mode.
	Shadow bool
	// Count is the exact number of values the rule acted on; for a detector
	// rule, of spans (a string holding two emails counts two).
	Count int
	// Paths are the concrete JSON paths (like $.users[3].email) of the first
	// values or spans acted on, at most 64; a span repeats the path of its
	// string. Inside a string walked as JSON (json_in_strings) the path goes
	// on after "<json>": $.event.payload<json>.user.email.
	Paths []string
	// Detectors, when the rule found anything with a detector, names for each
	// entry of Paths the detector that found it ("" for a value the rule's
	// paths or keys selected).
	Detectors []string `json:",omitempty"`
	// Evidence, beside Detectors, names for each entry of Paths what
	// supported the detector's finding there: the kinds of evidence
	// joined by "+" ("checksum", "format+key", "context"; see
	// select.evidence in rules/SYNTAX.md), "" for a value the rule's
	// paths or keys selected.
	Evidence []string `json:",omitempty"`
	// Failed counts values and tokens the action could not carry out, which
	// are also in Count: a value too short for fpe (replaced as redact
	// would), a value generalize cannot read (replaced as redact would), a
	// token reveal found but could not open (altered, or minted under
	// another key; left as it is).
	Failed int `json:",omitempty"`
}

// Blocked returns the first enforcing finding of a rule whose action is
// block, nil when there is none: the exchange must then be refused
// (RuleInfo.BlockStatus).
func (r Report) Blocked() *Finding {
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Action == "block" && !f.Shadow {
			return f
		}
	}
	return nil
}

// Total returns the number of values acted on by all rules.
func (r Report) Total() int {
	n := 0
	for _, f := range r.Findings {
		n += f.Count
	}
	return n
}

// pathElem is one step of the walk's current location: a member, whose
// name is buf[start:end] (validated, still escaped) in the buffer being
// walked, or, with a negative start, one of the sentinels below. It holds no
// pointers, so keeping the stack current costs no write barriers.
type pathElem struct {
	start, end int
}

// The sentinels of pathElem.start (a member name starts at 0 or later).
const (
	// arrayElement: the array element at index end.
	arrayElement = -1
	// jsonMarker: a json_in_strings level, a string walked as JSON whose
	// text is walker.bufs[end]; rendered "<json>".
	jsonMarker = -2
	// detectedName: a member whose name a detector found something in, not
	// to be spelled in paths; rendered "[<name>]".
	detectedName = -3
)

// wholeValue is the detector of a finding that is a whole value matched by
// a selector, not a span found by a detector.
const wholeValue = -1

// appendPath appends to t.buf the normalized RFC 9535 path of the location:
// $.name for shorthand-safe names, $['name'] otherwise, [n] for elements,
// and [<name>] for a member name that looks like personal data (see
// nameCheck), whatever the rules say about it. bufs[0] is the body, bufs[n]
// the text of json_in_strings level n.
func (t *tally) appendPath(bufs [][]byte, loc []pathElem) {
	dst := append(t.buf, '$')
	name := t.name[:0]
	body := bufs[0]
	for _, e := range loc {
		if e.start == jsonMarker {
			dst = append(dst, "<json>"...)
			body = bufs[e.end]
			continue
		}
		if e.start == detectedName {
			dst = append(dst, "[<name>]"...)
			continue
		}
		if e.start == arrayElement {
			dst = append(dst, '[')
			dst = strconv.AppendInt(dst, int64(e.end), 10)
			dst = append(dst, ']')
			continue
		}
		raw := body[e.start:e.end]
		plain := plainShorthand(raw)
		text := raw // the name as detectors read it
		if !plain {
			name = appendUnescaped(name[:0], raw)
			text = name
		}
		if t.names.personal(text, &t.spans, t.meter) {
			dst = append(dst, "[<name>]"...)
			continue
		}
		if plain { // common case: copy as is
			dst = append(dst, '.')
			dst = append(dst, raw...)
			continue
		}
		if isShorthand(name) {
			dst = append(dst, '.')
			dst = append(dst, name...)
			continue
		}
		dst = append(dst, '[', '\'')
		for _, r := range string(name) {
			switch {
			case r == '\'' || r == '\\':
				dst = append(dst, '\\', byte(r))
			case unprintable(r):
				dst = appendRuneEscape(dst, r)
			default:
				dst = utf8.AppendRune(dst, r)
			}
		}
		dst = append(dst, '\'', ']')
	}
	t.buf, t.name = dst, name
}

// nameCheck finds member names that look like personal data, so that no
// report path, audit line or log spells them: a name in which a built-in
// detector but those of free text (freeTextDetectors), or a custom detector
// of the rule set, finds something. It runs
// whether or not the rules use detectors, and only on the names of paths
// about to be reported (at most 64 per rule and body), so it costs nothing
// on a body without findings.
type nameCheck struct {
	builtins *detect.Set // every built-in detector, shared by all programs
	custom   *detect.Set // the rule set's custom detectors, nil when none
}

// freeTextDetectors are the built-in detectors that read words of free
// text (names, street addresses, dates of birth). nameCheck leaves them out:
// member names are words ("Jordan", "street", "born"), and a report would
// hide half of them.
var freeTextDetectors = []string{"person_name", "street_address", "date_of_birth"}

// nameDetectorNames returns the built-in detectors nameCheck runs: all but
// freeTextDetectors.
func nameDetectorNames() []string {
	return slices.DeleteFunc(detect.Builtins(), func(n string) bool { return slices.Contains(freeTextDetectors, n) })
}

// builtinDetectors is the set of the built-in detectors nameCheck runs
// (nameDetectorNames), compiled once per process.
var builtinDetectors = sync.OnceValue(func() *detect.Set {
	set, err := detect.NewSet(nameDetectorNames(), nil)
	if err != nil {
		panic("rules: compiling the built-in detectors: " + err.Error())
	}
	return set
})

// newNameCheck returns the nameCheck of a rule set with the given custom
// detectors: the built-in ones, plus those. The two are separate sets, so
// that the built-ins and the custom detectors need not fit one Mask.
func newNameCheck(custom map[string]detect.Custom) (*nameCheck, error) {
	c := &nameCheck{builtins: builtinDetectors()}
	if len(custom) > 0 {
		set, err := detect.NewSet(nil, custom)
		if err != nil {
			return nil, err
		}
		c.custom = set
	}
	return c, nil
}

// personal reports whether a detector finds something in the unescaped
// member name text; spans is scratch space. The work is charged to meter
// (when not nil): once it is exhausted every name counts as personal, so
// that a name too costly to check is hidden rather than written.
func (c *nameCheck) personal(text []byte, spans *[]detect.Span, meter *detect.Meter) bool {
	*spans = (*spans)[:0]
	if !shortWord(text) {
		*spans = c.builtins.FindStringMetered(text, allDetectors, meter, *spans)
	}
	if len(*spans) == 0 && c.custom != nil {
		*spans = c.custom.FindStringMetered(text, allDetectors, meter, *spans)
	}
	return len(*spans) > 0 || meter.Exhausted()
}

// allDetectors enables every detector of a set.
const allDetectors = ^detect.Mask(0)

// maxShortWord bounds shortWord: every built-in detector needs a digit, a
// separator or '@' (email, phone, card, IBAN, SSN, IP, MAC, JWT, PEM, URLs,
// passwords) or, for tokens that may be letters and '_' only (AWS, GitHub,
// npm, Hugging Face, Google keys), at least 16 characters.
const maxShortWord = 15

// shortWord reports whether name is ASCII letters and '_' only, at most
// maxShortWord bytes: no built-in detector finds anything in it, so the
// common member names (email, created_at, userName) skip the detectors.
// TestShortWordsFindNothing holds the built-ins to it.
func shortWord(name []byte) bool {
	if len(name) > maxShortWord {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

// plainShorthand reports whether raw is an ASCII shorthand-safe name without escapes.
func plainShorthand(raw []byte) bool {
	if len(raw) == 0 || !isNameFirst(raw[0]) {
		return false
	}
	for _, c := range raw {
		if c >= utf8.RuneSelf || !isNameChar(c) {
			return false
		}
	}
	return true
}

// isShorthand reports whether name can be written as .name: shorthand
// characters only, none of them unprintable.
func isShorthand(name []byte) bool {
	if len(name) == 0 || !isNameFirst(name[0]) || !utf8.Valid(name) {
		return false
	}
	for i, r := range string(name) {
		if r < utf8.RuneSelf && !isNameChar(name[i]) || unprintable(r) {
			return false
		}
	}
	return true
}

// unprintable reports whether a rune of a member name is written as an
// escape in report paths: control and format characters (zero-width
// characters, bidirectional controls such as U+202E, soft hyphens, BOMs),
// spaces other than the ASCII space, and invalid bytes. Printed raw, they
// would make a path read as another (`Ssn` followed by U+200B reads as
// `ssn`) or reorder the audit line around them.
func unprintable(r rune) bool {
	return r == utf8.RuneError || !unicode.IsPrint(r)
}

// appendRuneEscape appends r as RFC 9535 \uXXXX escapes (a surrogate pair
// beyond the Basic Multilingual Plane).
func appendRuneEscape(dst []byte, r rune) []byte {
	if hi, lo := utf16.EncodeRune(r); hi != utf8.RuneError {
		return appendU4(appendU4(dst, hi), lo)
	}
	return appendU4(dst, r)
}

// appendU4 appends the escape \uXXXX of a UTF-16 code unit.
func appendU4(dst []byte, u rune) []byte {
	return append(dst, '\\', 'u', hexDigits[u>>12&0xF], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
}

// tally accumulates findings during one walk. Paths are written one after
// the other into buf and become strings in one allocation at the end; the
// slices are recycled with the walker, so a walk without findings allocates
// nothing.
type tally struct {
	counts []int     // per rule, nil until the first finding
	failed []int     // per rule, nil until the first failure (Finding.Failed)
	ends   []pathEnd // where each stored path ends in buf
	buf    []byte
	names  *nameCheck    // the program's, for appendPath
	name   []byte        // scratch: an unescaped member name
	spans  []detect.Span // scratch for names
	meter  *detect.Meter // the body's work budget (nil: none)
}

// pathEnd locates one stored path: it belongs to rule, ends at buf[end] and
// was found by detector det (wholeValue for a whole-value match) on
// evidence ev.
type pathEnd struct {
	rule, end, det int
	ev             detect.Evidence
}

// add records one value or span acted on by rule r (found by detector det
// on evidence ev, or wholeValue) at location loc.
func (t *tally) add(nrules, r, det int, ev detect.Evidence, bufs [][]byte, loc []pathElem) {
	if t.counts == nil {
		t.counts = make([]int, nrules)
	}
	t.counts[r]++
	if t.counts[r] <= maxReportPaths {
		t.appendPath(bufs, loc)
		t.ends = append(t.ends, pathEnd{r, len(t.buf), det, ev})
	}
}

// fail counts n values or tokens rule r could not act on (Finding.Failed).
func (t *tally) fail(nrules, r, n int) {
	if t.failed == nil {
		t.failed = make([]int, nrules)
	}
	t.failed[r] += n
}

// report builds the Report for program p.
func (t *tally) report(p *Program) Report {
	if t.counts == nil {
		return Report{}
	}
	all := string(t.buf)
	paths := make([]string, len(t.ends))
	first := make([]int, len(t.counts)+1) // rule r's paths go to paths[first[r]:first[r+1]]
	for r, n := range t.counts {
		first[r+1] = first[r] + min(n, maxReportPaths)
	}
	next := append([]int(nil), first...)
	var dets, evs []string // parallel to paths, when some detector found something
	start := 0
	for _, e := range t.ends {
		if e.det != wholeValue && dets == nil {
			dets, evs = make([]string, len(paths)), make([]string, len(paths))
		}
		if e.det != wholeValue {
			dets[next[e.rule]] = p.detNames[e.det]
			evs[next[e.rule]] = evidenceName(e.ev)
		}
		paths[next[e.rule]] = all[start:e.end]
		next[e.rule]++
		start = e.end
	}
	found := 0
	for _, n := range t.counts {
		if n > 0 {
			found++
		}
	}
	rep := Report{Findings: make([]Finding, 0, found)}
	for i, n := range t.counts {
		if n == 0 {
			continue
		}
		r := &p.rules[i]
		f := Finding{
			Rule: r.id, Action: r.act.kind.String(), Shadow: r.shadow, Count: n,
			Paths: paths[first[i]:first[i+1]:first[i+1]],
		}
		if t.failed != nil {
			f.Failed = t.failed[i]
		}
		if dets != nil && slices.ContainsFunc(dets[first[i]:first[i+1]], func(s string) bool { return s != "" }) {
			f.Detectors = dets[first[i]:first[i+1]:first[i+1]]
			f.Evidence = evs[first[i]:first[i+1]:first[i+1]]
		}
		rep.Findings = append(rep.Findings, f)
	}
	return rep
}

// evidenceNames are the names of every combination of the kinds of
// evidence (Evidence.String), so that a report names a span's evidence
// without building the string.
var evidenceNames = func() []string {
	names := make([]string, 1<<len(detect.EvidenceNames()))
	for i := range names {
		names[i] = detect.Evidence(i).String()
	}
	return names
}()

// evidenceName returns ev.String() without allocating.
func evidenceName(ev detect.Evidence) string {
	if int(ev) < len(evidenceNames) {
		return evidenceNames[ev]
	}
	return ev.String()
}

// reset empties the tally, keeping its buffers.
func (t *tally) reset() {
	*t = tally{ends: t.ends[:0], buf: t.buf[:0], names: t.names, name: t.name[:0], spans: t.spans[:0], meter: t.meter}
}
