package rules

import (
	"strconv"
	"strings"
)

// Conditions (`when:` and `unless:` on rules and minimize lists) are
// compiled into atoms: one test of one request attribute (a method list, a
// path glob list, one header, one claim…). Identical atoms are shared, so
// each is evaluated once per Apply (evalAtoms), and each conditional rule
// reads the values of its atoms (ruleCond.active).

// tri is the value of an atom for one exchange.
type tri uint8

const (
	// triNo: the condition does not hold.
	triNo tri = iota
	// triYes: the condition holds.
	triYes
	// triMaybe: the request reads two ways, one that satisfies the condition
	// and one that does not (a path whose canonical spellings disagree, a
	// header sent twice with different values). A rule reads it as whatever
	// protects more (see ruleCond.active).
	triMaybe
	// triUnknown: an identity atom whose identity is absent or unreadable
	// (no peer SAN, no or invalid claims, a trusted header absent or sent
	// twice). A rule with such an atom does not match, under when and
	// unless alike: identity fails closed.
	triUnknown
)

// condKind is the kind of an atom, as written under when/unless.
type condKind uint8

const (
	condMethod condKind = iota
	condPath
	condHost
	condHeader
	condPrincipal
	condClaim
	condGPC
	condPurposes
	condStatus
)

// atom is one compiled condition.
type atom struct {
	kind condKind
	// identity: principal, claim, or a header listed under trust_headers;
	// absent or unreadable identity makes the atom triUnknown
	identity bool
	list     []string   // method (upper-case), host globs (lower-case), principal globs, purposes (lower-case)
	paths    []pathGlob // path globs
	name     string     // header: lower-case name
	hslot    int        // header: the index of its name among the set's distinct header names
	claim    []string   // claim: the dotted path, split
	slot     int        // claim: the index of its path among the set's distinct claim paths
	vm       valueMatch // header and claim
	gpc      bool       // consent.gpc: the signal wanted
	status   [][2]int   // status: inclusive ranges
}

// pathGlob is a compiled path glob: its segments (split at "/"), and a
// faster test when it has no "*" (exact) or none but a final "/**"
// (prefix): both compare the path case-insensitively as matchSegments
// does.
type pathGlob struct {
	segs   []string
	kind   uint8  // globGeneral, globExact or globPrefix
	prefix string // exact: the whole glob; prefix: the glob without "/**"
}

const (
	globGeneral = iota
	globExact
	globPrefix
)

// newPathGlob compiles the segments of a path glob.
func newPathGlob(segs []string) pathGlob {
	g := pathGlob{segs: segs}
	last := len(segs) - 1
	lit := func(ss []string) bool {
		for _, s := range ss {
			if strings.Contains(s, "*") {
				return false
			}
		}
		return true
	}
	switch {
	case lit(segs):
		g.kind, g.prefix = globExact, strings.Join(segs, "/")
	case segs[last] == "**" && lit(segs[:last]):
		g.kind, g.prefix = globPrefix, strings.Join(segs[:last], "/")
	}
	return g
}

// match reports whether the canonical path read matches the glob.
func (g *pathGlob) match(read string) bool {
	switch g.kind {
	case globExact:
		return equalFoldASCII(read, g.prefix)
	case globPrefix:
		n := len(g.prefix)
		return len(read) >= n && equalFoldASCII(read[:n], g.prefix) && (len(read) == n || read[n] == '/')
	}
	return matchSegments(g.segs, read)
}

// equalFoldASCII reports whether a and b are equal with ASCII letters
// compared case-insensitively, as matchSegments compares.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if !eqByte(a[i], b[i], true) {
			return false
		}
	}
	return true
}

// valueMatch tests the value of a header or claim: exactly one of equals
// (any of), globs (any of; "*" matches any run of characters) and present
// is set.
type valueMatch struct {
	equals  []string
	globs   []string
	present int8 // 1: present: true, -1: present: false, 0: not a presence test
}

// testValue reports whether one value v satisfies the match.
func testValue[T string | []byte](m *valueMatch, v T) bool {
	switch {
	case m.present != 0:
		return m.present > 0
	case m.globs != nil:
		for _, g := range m.globs {
			if globAny(g, v, false) {
				return true
			}
		}
		return false
	}
	for _, e := range m.equals {
		if string(v) == e {
			return true
		}
	}
	return false
}

// ruleCond is the condition of a rule or minimize list: every atom of when
// must hold, and not every atom of unless may hold.
type ruleCond struct {
	when, unless []int32 // atom indexes
	// weakens: the rule's action lowers protection (keep, mask, generalize,
	// reveal): a triMaybe atom is read so that it does not match
	weakens bool
}

// key spells the condition: rules with equal keys are active together.
func (c *ruleCond) key() string {
	b := []byte{'w'}
	for _, a := range c.when {
		b = strconv.AppendInt(append(b, ' '), int64(a), 10)
	}
	b = append(b, 'u')
	for _, a := range c.unless {
		b = strconv.AppendInt(append(b, ' '), int64(a), 10)
	}
	return string(strconv.AppendBool(b, c.weakens))
}

// active reports whether the rule applies, given the atoms' values. A
// triUnknown atom (identity absent) anywhere makes it inactive. A triMaybe
// atom counts as the reading that protects more: against the match for a
// rule that weakens protection, for it otherwise.
func (c *ruleCond) active(vals []tri) bool {
	if len(c.when) == 1 && len(c.unless) == 0 { // the common case
		v := vals[c.when[0]]
		return v == triYes || v == triMaybe && !c.weakens
	}
	for _, a := range c.unless {
		if vals[a] == triUnknown {
			return false
		}
	}
	for _, a := range c.when {
		switch vals[a] {
		case triYes:
		case triMaybe:
			if c.weakens {
				return false
			}
		default:
			return false
		}
	}
	if len(c.unless) == 0 {
		return true
	}
	for _, a := range c.unless {
		switch vals[a] {
		case triNo:
			return true
		case triMaybe:
			if !c.weakens {
				return true
			}
		}
	}
	return false
}

// condEnv is what the atoms read of one exchange, with the lookups several
// atoms share done once.
type condEnv struct {
	in     Input
	req    *RequestAttributes
	claims claimsState
	// by claim path slot (atom.slot), its lookup, done on first use
	slots      []claimSlot
	claimPaths [][]string // by slot, its path
	// by header name slot (atom.hslot), its lookup, done on first use
	hslots []headerSlot
	elems  *[]claimElem // the values of claims, for claimSlot.elems
	// the method upper-cased and the host lower-cased (in caseBuf), once
	// methodDone and hostDone
	methodUp, host       []byte
	methodDone, hostDone bool
	caseBuf              []byte           // condScratch.caseBuf
	buf                  [maxNameLen]byte // scratch: an unescaped claim name or value
	// the canonical readings of the request path (pathReadings), computed
	// on first use
	pathDone  bool
	pathSure  bool
	pathReads [4]string
	pathN     int
}

// claimSlot is the lookup of one claim path: done, and its result; the
// values it holds (itself, or an array's elements) are elems[first:end]
// of the condEnv.
type claimSlot struct {
	done, found, ok bool
	first, end      int
	// at is 1 + the offset of the value of the path's top-level member
	// (0: none), dup that the member is repeated (set by scanClaims)
	at  int
	dup bool
}

// claimElem is one value of a claim: a string's text (unescaped), or a
// number's, true's, false's or null's spelling.
type claimElem struct{ text []byte }

// headerSlot is the lookup of one header name: how many times it was
// sent, and where first.
type headerSlot struct {
	done     bool
	n, first int
}

// claimsState is whether the claims were checked, and whether they are valid JSON.
type claimsState uint8

const (
	claimsUnchecked claimsState = iota
	claimsValid
	claimsInvalid
)

// condScratch is the memory evalAtoms reuses across calls.
type condScratch struct {
	slots   []claimSlot
	hslots  []headerSlot
	elems   []claimElem
	caseBuf []byte // the method upper-cased and the host lower-cased
}

// evalAtoms sets vals[i] to the value of atoms[i] for the exchange in,
// through the index (cond_index.go); sc is memory reused across calls.
func (p *Program) evalAtoms(in Input, vals []tri, sc *condScratch) {
	clear(sc.slots)
	clear(sc.hslots)
	sc.elems = sc.elems[:0]
	if sc.caseBuf == nil {
		sc.caseBuf = make([]byte, maxMethodLen+maxHostLen+maxIndexedPath)
	}
	env := condEnv{in: in, req: in.Request, slots: sc.slots, claimPaths: p.claimPaths, hslots: sc.hslots, elems: &sc.elems, caseBuf: sc.caseBuf}
	p.index.eval(&env, p.atoms, p.consent, vals)
}

// eval returns the value of atom a.
func (e *condEnv) eval(a *atom, consent *consentSource) tri {
	r := e.req
	switch a.kind {
	case condStatus:
		if e.in.Direction != Response {
			return triNo
		}
		for _, s := range a.status {
			if e.in.Status >= s[0] && e.in.Status <= s[1] {
				return triYes
			}
		}
		return triNo
	case condPrincipal:
		if r == nil || len(r.PeerURISANs) == 0 {
			return triUnknown
		}
		for _, san := range r.PeerURISANs {
			for _, g := range a.list {
				if matchGlob(g, san, false) {
					return triYes
				}
			}
		}
		return triNo
	case condClaim:
		return e.claim(a)
	}
	if r == nil {
		if a.identity {
			return triUnknown
		}
		if a.kind == condHeader && a.vm.present < 0 {
			return triYes
		}
		return triNo
	}
	switch a.kind {
	case condMethod:
		m := e.method()
		for _, x := range a.list {
			if string(m) == x {
				return triYes
			}
		}
		return triNo
	case condHost:
		h := e.hostLower()
		for _, g := range a.list {
			if len(h) > 0 && globLower(g, h) {
				return triYes
			}
		}
		return triNo
	case condPath:
		return e.path(a)
	case condHeader:
		return headerAtom(a, r.Headers, e.header(a))
	case condGPC:
		return yesIf(gpcOn(r.Headers) == a.gpc)
	case condPurposes:
		return yesIf(consent != nil && consent.granted(r.Headers, a.list))
	}
	return triNo
}

// yesIf returns triYes when ok, triNo otherwise.
func yesIf(ok bool) tri {
	if ok {
		return triYes
	}
	return triNo
}

// hostName returns the host of an :authority without port and trailing
// dot, "" when empty.
func hostName(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && isDigits(h[i+1:]) {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// isDigits reports whether s is ASCII digits only (true for "").
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// path evaluates a path atom over every reading of the request path:
// triYes when all match, triNo when none does, triMaybe when they disagree
// or the path cannot be canonicalized with confidence.
func (e *condEnv) path(a *atom) tri {
	if e.req.Path == "" {
		return triNo
	}
	e.readPath()
	yes, no := 0, 0
	for _, read := range e.pathReads[:e.pathN] {
		hit := false
		for i := range a.paths {
			if a.paths[i].match(read) {
				hit = true
				break
			}
		}
		if hit {
			yes++
		} else {
			no++
		}
	}
	switch {
	case !e.pathSure || yes > 0 && no > 0:
		return triMaybe
	case yes > 0:
		return triYes
	}
	return triNo
}

// readPath computes the canonical readings of the request path
// (pathReads[:pathN]), once.
func (e *condEnv) readPath() {
	if e.pathDone {
		return
	}
	e.pathDone = true
	e.pathSure = true
	add := func(path string) {
		strict, literal, sure := canonicalPaths(path)
		e.pathSure = e.pathSure && sure
		e.pathReads[e.pathN] = strict
		e.pathN++
		if literal != strict {
			e.pathReads[e.pathN] = literal
			e.pathN++
		}
	}
	add(e.req.Path)
	if rest, ok := networkPath(e.req.Path); ok {
		add(rest)
	}
}

// headerAtom evaluates a header atom. A trusted header (identity) must be
// sent exactly once, else triUnknown. Another header is absent or tested
// on each value sent: triYes when all pass, triNo when none, triMaybe when
// they disagree.
func headerAtom(a *atom, headers [][2]string, hs *headerSlot) tri {
	n, yes := hs.n, 0
	for i := hs.first; n > 0 && i < len(headers); i++ {
		if h := headers[i]; len(h[0]) == len(a.name) && (h[0] == a.name || strings.EqualFold(h[0], a.name)) && testValue(&a.vm, strings.TrimSpace(h[1])) {
			yes++
		}
		if n == 1 {
			break // the only one
		}
	}
	switch {
	case a.identity && n != 1:
		return triUnknown
	case n == 0:
		return yesIf(a.vm.present < 0)
	case yes == n:
		return triYes
	case yes == 0:
		return triNo
	}
	return triMaybe
}

// gpcOn reports whether the request carries the Global Privacy Control
// signal: a Sec-GPC header whose value is "1" (any one of them, when sent
// twice: the reading that honours the signal).
func gpcOn(headers [][2]string) bool {
	for _, h := range headers {
		if strings.EqualFold(h[0], "sec-gpc") && strings.TrimSpace(h[1]) == "1" {
			return true
		}
	}
	return false
}

// globLower matches the lower-cased host s against the lower-case
// pattern pat like globAny, comparing a pattern without "*" directly.
func globLower(pat string, s []byte) bool {
	if strings.IndexByte(pat, '*') < 0 {
		return pat == string(s)
	}
	return globAny(pat, s, false)
}

// globAny matches s against pat, where "*" matches any run of bytes
// ("/" included); fold compares ASCII letters case-insensitively.
func globAny[T string | []byte](pat string, s T, fold bool) bool {
	return glob(pat, s, fold, false)
}

// header returns the lookup of a's header name, done on first use.
func (e *condEnv) header(a *atom) *headerSlot {
	hs := &e.hslots[a.hslot]
	if !hs.done {
		hs.done = true
		for i, h := range e.req.Headers {
			if len(h[0]) == len(a.name) && (h[0] == a.name || strings.EqualFold(h[0], a.name)) {
				if hs.n == 0 {
					hs.first = i
				}
				hs.n++
			}
		}
	}
	return hs
}

// maxMethodLen and maxHostLen bound the method and host condEnv
// upper-cases or lower-cases; a longer one matches nothing.
// maxIndexedPath bounds the canonical path the index looks up (a longer
// one is compared glob by glob).
const (
	maxMethodLen   = 32
	maxHostLen     = 255
	maxIndexedPath = 2048
)

// method returns the request method, upper-cased (ASCII), empty when
// absent or longer than maxMethodLen.
func (e *condEnv) method() []byte {
	if !e.methodDone {
		e.methodDone = true
		if m := e.req.Method; len(m) <= maxMethodLen {
			e.methodUp = asciiCase(e.caseBuf[:0:maxMethodLen], m, 'a', 'z')
		}
	}
	return e.methodUp
}

// hostLower returns the request host (hostName), lower-cased (ASCII),
// empty when absent or longer than maxHostLen.
func (e *condEnv) hostLower() []byte {
	if !e.hostDone {
		e.hostDone = true
		if h := hostName(e.req.Host); len(h) <= maxHostLen {
			e.host = asciiCase(e.caseBuf[maxMethodLen:maxMethodLen], h, 'A', 'Z')
		}
	}
	return e.host
}

// asciiCase appends s to dst with the ASCII letters from lo to hi
// switched to the other case.
func asciiCase(dst []byte, s string, lo, hi byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= lo && c <= hi {
			c ^= 0x20
		}
		dst = append(dst, c)
	}
	return dst
}
