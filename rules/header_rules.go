package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Header rules (`select: { headers: [...] }`) act on the values of request
// or response headers. They are compiled into a program of their own, whose
// selectors run over a JSON object synthesized from the selected headers:
// one member per header, named by its lower-case name, in the order of the
// header map, a header sent twice being two members. So every action,
// condition, detector and shadow rule works on headers exactly as on body
// values, and the body program (and Apply's hot path) is untouched.
//
// A rule without detect selects `$['name']` (or `$.*` for "*") and decides
// the whole value; a rule with detect scans inside the same members
// (select.within over them, so that header names themselves are never
// rewritten). A value holding a JSON object or array is walked as JSON
// (json_in_strings is on for headers whatever the set says). Both programs list every rule of the set, in file order (a
// rule selects nothing in the program that is not its own), so reports of
// the two merge in rule order and metrics know every rule.

// MaxHeaderValueBytes bounds a header value the rules rewrite: a value
// longer than this after rewriting (and longer than it was) fails with
// ErrHeaderValueTooLong, as upstream servers commonly refuse header lines
// past 8 KiB.
const MaxHeaderValueBytes = 8192

// ErrHeaderValueTooLong is returned (wrapped) by ApplyHeaders when a rule
// would make a header value longer than MaxHeaderValueBytes.
var ErrHeaderValueTooLong = errors.New("header value too long")

// HeaderEdit is the new state of one header name after ApplyHeaders: the
// header now has exactly Values, in order (none: it is removed). Every
// value of the name is listed, the unchanged ones too, so the embedding
// program can replace the name's values in one step.
type HeaderEdit struct {
	// Name is lower-case.
	Name   string
	Values []string
}

// headerProgram is the compiled header rules of a rule set.
type headerProgram struct {
	prog *Program // the header rules over the synthesized object
	// scratch recycles *headerScratch across calls
	scratch sync.Pool
	// by direction - 1: the names some header rule of the direction
	// selects (lower-case), and whether one selects "*"
	names [2][]string
	all   [2]bool
}

// headerSpec is the header rules of a rule set, split off by
// splitHeaderRules, with what they select per direction.
type headerSpec struct {
	spec  *setSpec
	names [2][]string
	all   [2]bool
}

// splitHeaderRules takes the header rules out of spec (they stay in its
// rule list, selecting nothing) and returns them as the spec of a program
// of their own (nil when there are none): a copy of spec whose body rules
// select nothing and whose header rules select the members of the
// synthesized object. Minimize lists apply to bodies only.
func splitHeaderRules(spec *setSpec) *headerSpec {
	var hs *headerSpec
	for i := range spec.rules {
		r := &spec.rules[i]
		if !r.headers.selects() {
			continue
		}
		if hs == nil {
			copied := *spec
			copied.rules = make([]ruleSpec, len(spec.rules))
			for j := range spec.rules {
				copied.rules[j] = spec.rules[j].selectingNothing()
			}
			copied.cond.minimize = nil
			copied.jsonInStrings = true // a header holding a JSON document is read as JSON
			hs = &headerSpec{spec: &copied}
		}
		for dir, on := range [2]bool{r.request, r.response} {
			if !on {
				continue
			}
			for _, name := range r.headers.names {
				if name == allHeaders {
					hs.all[dir] = true
				} else if !containsString(hs.names[dir], name) {
					hs.names[dir] = append(hs.names[dir], name)
				}
			}
		}
		hs.spec.rules[i] = r.overHeaders()
		*r = r.selectingNothing()
	}
	return hs
}

// selectingNothing returns the rule with its selectors and conditions
// dropped: its place in the other program's rule list.
func (r ruleSpec) selectingNothing() ruleSpec {
	r.sels, r.within, r.detect, r.cond, r.headers = nil, nil, nil, nil, headerSelect{}
	return r
}

// overHeaders returns a header rule as a rule over the synthesized object:
// each header name a member name ("*" any member), selected whole, or
// scanned by the rule's detectors when it has some.
func (r ruleSpec) overHeaders() ruleSpec {
	sels := make([]selSpec, len(r.headers.names))
	for i, name := range r.headers.names {
		st := step{kind: stepName, name: name} // a lower-case token is its own path form
		if name == allHeaders {
			st = step{kind: stepWild}
		}
		sels[i] = selSpec{steps: []step{st}, text: name, at: r.headers.at[i]}
	}
	r.headers = headerSelect{}
	if len(r.detect) > 0 {
		r.sels, r.within = nil, sels
	} else {
		r.sels = sels
	}
	return r
}

// compileHeaderRules builds the program of the header rules.
func (p *Program) compileHeaderRules(d *decoder, hs *headerSpec, opts Options) error {
	prog, err := build(d, hs.spec, opts)
	if err != nil {
		return err
	}
	p.headers = &headerProgram{prog: prog, names: hs.names, all: hs.all}
	return nil
}

// containsString reports whether list holds s.
func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// HeaderRules reports whether some rule selects headers of direction d
// (on some exchange, whatever its conditions); when false, ApplyHeaders
// has nothing to do and the embedding program may skip it.
func (p *Program) HeaderRules(d Direction) bool {
	return p.headers != nil && p.headers.prog.Applies(d)
}

// selected reports whether the rules of direction dir (0 or 1) select a
// header of this lower-case name.
func (h *headerProgram) selected(dir int, name string) bool {
	if !writableHeader(name) {
		return false
	}
	return h.all[dir] || containsString(h.names[dir], name)
}

// selectedName returns the lower-case name of a header named raw, and
// whether the rules of direction dir (0 or 1) select it. Envoy gives
// lower-case names: one that is a listed name is taken at once, and one
// that lower-casing could not turn into a listed name (ASCII, of no listed
// name's length) is passed over without lower-casing it.
func (h *headerProgram) selectedName(dir int, raw string) (string, bool) {
	names := h.names[dir]
	for _, name := range names {
		if name == raw {
			return name, writableHeader(name)
		}
	}
	if !h.all[dir] && !slices.ContainsFunc(names, func(name string) bool { return len(name) == len(raw) }) && isASCII(raw) {
		return "", false
	}
	name := strings.ToLower(raw)
	return name, h.selected(dir, name)
}

// isASCII reports whether s is all ASCII (lower-casing it keeps its length).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ApplyHeaders applies the header rules of in.Direction to a header map
// (names as Envoy gives them, lower-case; a header sent twice appears
// twice; pseudo-headers may be included and are never touched). It returns
// the names whose values changed, with all their new values, and the
// report, whose paths read headers['name'] (or headers.name). The report
// is like Apply's: merge it into the direction's body report with
// MergeReports; a block rule's finding is in Report.Blocked.
//
// A rewritten value is always a valid header value: characters Envoy or
// HTTP refuse in a value (NUL, CR, LF and the other controls but tab) that
// an action put there read as a space. A value longer than
// MaxHeaderValueBytes after rewriting (and longer than before) fails the
// headers with ErrHeaderValueTooLong; past the content detectors' work
// budget they fail with ErrWorkBudget.
func (p *Program) ApplyHeaders(headers [][2]string, in Input) ([]HeaderEdit, Report, error) {
	if !p.HeaderRules(in.Direction) {
		return nil, Report{}, nil
	}
	h := p.headers
	dir := int(in.Direction) - 1
	sc, _ := h.scratch.Get().(*headerScratch)
	if sc == nil {
		sc = &headerScratch{}
	}
	defer h.scratch.Put(sc)
	members := sc.members[:0]
	doc := append(sc.doc[:0], '{')
	defer func() { sc.doc, sc.members = doc[:0], members[:0] }()
	for i, kv := range headers {
		name, ok := h.selectedName(dir, kv[0])
		if !ok {
			continue
		}
		if len(members) > 0 {
			doc = append(doc, ',')
		}
		m := headerMember{index: i, name: name, start: len(doc)}
		doc = AppendQuoted(doc, name)
		m.colon = len(doc)
		doc = append(doc, ':', '"')
		doc = appendHeaderValue(doc, kv[1])
		doc = append(doc, '"')
		m.end = len(doc)
		members = append(members, m)
	}
	if len(members) == 0 {
		return nil, Report{}, nil
	}
	doc = append(doc, '}')
	out, rep, err := h.prog.Apply(doc, in)
	if err != nil {
		return nil, Report{}, err
	}
	rep = headerReport(rep)
	if sameSlice(out, doc) {
		return nil, rep, nil
	}
	edits, err := headerEdits(out, doc, headers, members, sc)
	if err != nil {
		return nil, Report{}, err
	}
	return edits, rep, nil
}

// headerScratch is the memory ApplyHeaders reuses across calls: in wasm
// every allocation of a call brings the next garbage collection nearer,
// so the per-exchange work keeps to what it returns.
type headerScratch struct {
	doc     []byte
	members []headerMember
	values  []string // the new value of each member (headerEdits)
	removed []bool   // whether each member was removed (headerEdits)
	decoded []byte   // a rewritten value being decoded (headerValueAt)
}

// headerMember is one member of the synthesized object: the header it
// carries (headers[index], whose lower-case name is name) and where it is
// written in the object: the quoted name at doc[start:colon], the ':'
// and the value up to doc[end].
type headerMember struct {
	index             int
	name              string
	start, colon, end int
}

// headerReport spells the paths of a header program's report from the
// header map rather than from the synthesized object: $['x-user-email']
// is reported as headers['x-user-email'], $.referer as headers.referer.
func headerReport(rep Report) Report {
	for i := range rep.Findings {
		paths := rep.Findings[i].Paths
		for j, path := range paths {
			paths[j] = "headers" + strings.TrimPrefix(path, "$")
		}
	}
	return rep
}

// headerEdits reads the rewritten object out back into header values: the
// members of out are those of the synthesized object doc, in order, less
// the removed ones (header names are never rewritten: detectors scan
// values only).
func headerEdits(out, doc []byte, headers [][2]string, members []headerMember, sc *headerScratch) ([]HeaderEdit, error) {
	values := slices.Grow(sc.values[:0], len(members))[:len(members)]
	removed := slices.Grow(sc.removed[:0], len(members))[:len(members)]
	clear(removed)
	defer func() { clear(values); sc.values, sc.removed = values[:0], removed[:0] }() // drop references to values
	changed := false
	i := skipWS(out, 0)
	if i >= len(out) || out[i] != '{' {
		return nil, errors.New("rules: rewritten headers: not an object")
	}
	i = skipWS(out, i+1)
	for k, m := range members {
		orig := headers[m.index][1]
		values[k] = orig
		if hasPrefixAt(out, i, doc[m.start:m.end]) { // unchanged: no need to decode it
			i = nextMember(out, i+m.end-m.start)
			continue
		}
		if !hasPrefixAt(out, i, doc[m.start:m.colon]) {
			removed[k], changed = true, true
			continue
		}
		i = skipWS(out, i+m.colon-m.start)
		if i >= len(out) || out[i] != ':' {
			return nil, errors.New("rules: rewritten headers: want ':'")
		}
		end, value, err := headerValueAt(out, skipWS(out, i+1), orig, sc)
		if err != nil {
			return nil, err
		}
		i = nextMember(out, end)
		if value == orig {
			continue
		}
		value = validHeaderValue(value)
		if len(value) > MaxHeaderValueBytes && len(value) > len(orig) {
			return nil, fmt.Errorf("%w: header %q would be %d bytes", ErrHeaderValueTooLong, m.name, len(value))
		}
		values[k], changed = value, true
	}
	if i >= len(out) || out[i] != '}' {
		return nil, errors.New("rules: rewritten headers: members left over")
	}
	if !changed {
		return nil, nil
	}
	return groupEdits(headers, members, values, removed), nil
}

// nextMember skips the separator after a member value ending at out[i].
func nextMember(out []byte, i int) int {
	i = skipWS(out, i)
	if i < len(out) && out[i] == ',' {
		i = skipWS(out, i+1)
	}
	return i
}

// groupEdits turns the new values of the members into one edit per name
// of which some value changed or was removed, in the order of the names'
// first appearance. Two allocations in all: the edits, and one array that
// the edits' Values are capped slices of.
func groupEdits(headers [][2]string, members []headerMember, values []string, removed []bool) []HeaderEdit {
	var edits []HeaderEdit
	var all []string // every edit's values, one after the other
	for k, m := range members {
		if slices.ContainsFunc(members[:k], func(e headerMember) bool { return e.name == m.name }) {
			continue // the name's edit is made at its first value
		}
		touched := false
		for j := k; j < len(members); j++ {
			if members[j].name == m.name {
				touched = touched || removed[j] || values[j] != headers[members[j].index][1]
			}
		}
		if !touched {
			continue
		}
		if edits == nil {
			edits, all = make([]HeaderEdit, 0, len(members)-k), make([]string, 0, len(members)-k)
		}
		from := len(all)
		for j := k; j < len(members); j++ {
			if members[j].name == m.name && !removed[j] {
				all = append(all, values[j])
			}
		}
		edit := HeaderEdit{Name: m.name}
		if len(all) > from {
			edit.Values = all[from:len(all):len(all)]
		}
		edits = append(edits, edit)
	}
	return edits
}

// hasPrefixAt reports whether b[i:] starts with prefix.
func hasPrefixAt(b []byte, i int, prefix []byte) bool {
	return len(b)-i >= len(prefix) && string(b[i:i+len(prefix)]) == string(prefix)
}

// headerValueAt reads the member value at out[i]: a string is decoded
// (appendHeaderValue's inverse); any other JSON value (a redact.with that
// is not a string) is its JSON text. It returns the offset after it, and
// orig itself (no copy) when the value reads as orig.
func headerValueAt(out []byte, i int, orig string, sc *headerScratch) (end int, value string, err error) {
	if i < len(out) && out[i] == '"' {
		end, _ = scanString(out, i)
		if end < 0 {
			return 0, "", errors.New("rules: rewritten headers: invalid string")
		}
		sc.decoded = decodeHeaderValue(sc.decoded[:0], out[i+1:end-1])
		if string(sc.decoded) == orig {
			return end, orig, nil
		}
		return end, string(sc.decoded), nil
	}
	l := lenient{b: out}
	end, ok := l.value(i, 0)
	if !ok {
		return 0, "", errors.New("rules: rewritten headers: invalid value")
	}
	return end, string(out[i:end]), nil
}

// A header value is carried in the synthesized object as a JSON string
// whose text is what upstream parsers read. Inside a quoted string
// ("…", RFC 9110), a quoted-pair \c stands for c: it is written as the
// JSON escape \u00XX, so that the detectors read c ("alice\@example.com"
// is an email) while the bytes of the escape, copied unchanged, turn back
// into the quoted-pair. The characters of JSON's own escapes (" \ / b f n
// r t u) are left as written after a backslash, so a JSON document held in
// a header stays one (json_in_strings). The writers of the walk never
// produce \u00XX above U+001F, so the encoding reads back without
// ambiguity. Bytes that are not UTF-8 (obs-text) are carried as they are.

// appendHeaderValue appends the value v as JSON string content.
func appendHeaderValue(dst []byte, v string) []byte {
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if plainHeaderByte(c) { // a run of bytes written as they are, at once
			j := i + 1
			for j < len(v) && plainHeaderByte(v[j]) {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j - 1
			continue
		}
		switch {
		case c == '\\' && quoted && i+1 < len(v) && quotedPairMarked(v[i+1]):
			i++
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[v[i]>>4], hexDigits[v[i]&0xF])
		case c == '\\' && quoted && i+1 < len(v):
			// a quoted-pair JSON reads the same way: both bytes as written
			i++
			dst = append(dst, '\\', '\\')
			dst = appendHeaderByte(dst, v[i])
		case c == '"':
			quoted = !quoted
			dst = append(dst, '\\', '"')
		default:
			dst = appendHeaderByte(dst, c)
		}
	}
	return dst
}

// plainHeaderByte reports whether appendHeaderValue writes c as it is,
// whether or not it is inside a quoted string.
func plainHeaderByte(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' }

// appendHeaderByte appends one byte of a header value as JSON string content.
func appendHeaderByte(dst []byte, c byte) []byte {
	switch {
	case c == '"' || c == '\\':
		return append(dst, '\\', c)
	case c == '\t':
		return append(dst, '\\', 't')
	case c < 0x20:
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
	}
	return append(dst, c)
}

// quotedPairMarked reports whether a quoted-pair \c is carried as \u00XX:
// c is printable ASCII and not a character of a JSON escape.
func quotedPairMarked(c byte) bool {
	return c >= 0x20 && c < 0x7f && !strings.ContainsRune(`"\/bfnrtu`, rune(c))
}

// decodeHeaderValue appends the header value that the JSON string content
// raw (from the rewritten object) carries: appendHeaderValue's inverse.
func decodeHeaderValue(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		if c := raw[i]; c != '\\' && c < utf8.RuneSelf { // a plain run reads as itself
			j := i + 1
			for j < len(raw) && raw[j] != '\\' && raw[j] < utf8.RuneSelf {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
			continue
		}
		if raw[i] == '\\' && raw[i+1] == 'u' {
			if r := hex4(raw[i+2 : i+6]); r >= 0x20 && r < 0x7f {
				dst = append(dst, '\\', byte(r))
				i += 6
				continue
			}
		}
		r, n := nextRune(raw, i)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, raw[i]) // obs-text, carried as is
		} else {
			dst = utf8.AppendRune(dst, r)
		}
		i += n
	}
	return dst
}

// validHeaderValue returns v with each character a header value may not
// hold (controls other than tab, DEL) replaced by a space: an action may
// put them there (a redact.with or mask.char holding a line break, reveal
// restoring a value that had one), and a CR or LF would split the header.
func validHeaderValue(v string) string {
	ok := true
	for i := 0; i < len(v) && ok; i++ {
		ok = !invalidHeaderByte(v[i])
	}
	if ok {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if invalidHeaderByte(c) {
			b[i] = ' '
		}
	}
	return string(b)
}

// invalidHeaderByte reports whether c may not appear in a header value.
func invalidHeaderByte(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }
