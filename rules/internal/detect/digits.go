package detect

import (
	"encoding/binary"
	"github.com/veilproxy/veil/rules/internal/luhn"
	"math/bits"
)

// Digit chains are what the number-shaped detectors (credit_card, us_ssn,
// phone, ipv4) look at: maximal runs of digit groups joined by short
// separators ("4111 1111 1111 1111", "(555) 123-4567", "10.0.0.1"). One pass
// over the text cuts it into chains; each detector then tries windows of
// consecutive groups. A chain glued to a word ("SKU-555-123-4567",
// "a716-446655440000", "v1.2.3.4", "2024-03-15T10:22") cannot start or end a
// window at the glued side, except for the values whose checksum or
// structure validates them (cards, dashed SSNs) when a letter touches the
// digits ("x4111111111111111y", "id123-45-6789").

// maxGroups bounds the groups of one chain; a longer run is cut into chains.
const maxGroups = 24

type group struct{ start, end int }

type chain struct {
	t      []byte
	g      [maxGroups]group
	n      int
	plus   bool // a '+' right before the first group or its '('
	begin  int  // first byte of the chain, including '+' and '('
	gluedL bool
	gluedR bool
	// letterL, letterR: the chain is glued on that side by a letter
	// touching its digits, outside a long hex word (see letterGlued)
	letterL bool
	letterR bool
	// word is the last word of letters and digits letterGlued measured,
	// hash whether it is a hex word of 32 or more characters; they outlive
	// read, for the next chain inside the same word
	word group
	hash bool
	// work counts the bytes read since the scanner last took it
	work int
}

// digitChains cuts the text into chains and runs the enabled chain
// detectors on each, and tries a date of birth at the first run of each
// chain and at each lone run (sc.dob). It also triggers the IBAN detector at digit runs
// preceded by two letters; chains inside IBAN-shaped text, valid or
// not, and chains that start like an IBAN ("DE89 …") are not searched for
// other numbers.
func (sc *scanner) digitChains() {
	t := sc.t
	iban := sc.on(kIBAN)
	quiet := 0 // end of the last IBAN-shaped text: no other number inside
	var c chain
	for i := 0; i < len(t); {
		from := i
		i = nextDigit(t, i)
		sc.meter.add(i - from + c.work)
		c.work = 0
		if i == len(t) {
			return
		}
		if sc.dob {
			sc.dateRun(i) // (reads a few bytes around the run; the chain is read all the same)
		}
		ibanLike := false
		if i >= 2 && (isAlpha(t[i-1]) || isAlpha(t[i-2])) { // (saves the call)
			cc := ibanStart(t, i)
			if cc >= 0 {
				end, shaped := ibanAt(t, cc)
				if end > 0 && iban {
					sc.emitEvidence(kIBAN, cc, end, EvChecksum|sc.hintEvidence(HintIBAN)|sc.ctxEvidence(cc, cxIBAN))
				}
				if cc == i-2 || isUpper(t[cc]) { // (not after "be 3056 …": a word, maybe)
					quiet = max(quiet, end, shaped)
				}
			}
			ibanLike = cc >= 0 && cc == i-2 && ibanLength(t[i-2], t[i-1]) > 0 && isDigit(at(t, i+1)) && !isDigit(at(t, i+2))
		}
		if j := skipLoneGroup(t, i); j > i {
			sc.meter.add(j - i)
			i = j
			continue
		}
		start := i
		i = c.read(t, i)
		sc.meter.add(i - start)
		if start >= quiet && !ibanLike && (c.n >= 4 || c.digits(0, c.n-1) >= 8) {
			sc.onChain(&c) // (the test repeats onChain's gates, saving the call)
		}
	}
}

// ibanStart returns where the country code of an IBAN whose check digits
// start at the digit t[i] may begin: two letters right before the digit
// ("DE89…") or before a separator ("DE 89…", "DE-89…"), starting a word
// not glued to another ("x-DE89…"); or -1.
func ibanStart(t []byte, i int) int {
	cc := i - 2
	if cc >= 1 && isIBANSepByte(t[i-1]) {
		cc--
	}
	if cc < 0 || !isAlpha(t[cc]) || !isAlpha(t[cc+1]) || glued(at(t, cc-1), at(t, cc-2)) {
		return -1 // (glued: "f5bef5e8-ad61-47ea-ad0d-f2f7d8f57dc0" is a UUID)
	}
	return cc
}

// onChain runs the chain detectors that can match in c: a value takes
// digits from the chain only, so a chain with too few digits in all is
// skipped (cards have 12 or more, SSNs 9, phones 8).
func (sc *scanner) onChain(c *chain) {
	if sc.on(kIPv4) && c.n >= 4 {
		sc.ipv4s(c)
	}
	nd := c.digits(0, c.n-1)
	if nd >= 12 && sc.on(kCard) {
		sc.cards(c)
	}
	if nd >= 9 && sc.on(kSSN) {
		sc.ssns(c)
	}
	if nd >= 8 && sc.on(kPhone) {
		sc.phones(c)
	}
}

// skipLoneGroup returns the end of the digit run at t[i] when it is a whole
// chain of fewer than eight digits (no separator and digit follow it), which
// no chain detector can take; otherwise it returns i. Most digits in text are
// such ("3 times", "10 dollars"): skipping them here saves the chain setup.
func skipLoneGroup(t []byte, i int) int {
	j := i
	for j < len(t) && isDigit(t[j]) {
		j++
	}
	if j-i >= 8 {
		return i
	}
	k := j
	for k < len(t) && k-j < 3 && isSepByte(t[k]) {
		k++
	}
	if k-j == 3 {
		k = spaceEnd(t, j, k)
	}
	if k > j && k < len(t) && isDigit(t[k]) {
		return i // more groups may follow (read decides)
	}
	return j
}

// read fills c with the chain whose first digit is t[i] and returns the
// index just past its last digit.
func (c *chain) read(t []byte, i int) int {
	c.t, c.n, c.plus, c.begin = t, 0, false, i // c.g[c.n:] is never read
	if at(t, i-1) == '(' {
		c.begin--
	}
	if at(t, c.begin-1) == '+' {
		c.plus = true
		c.begin--
	}
	end := i
	for {
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		c.g[c.n] = group{i, j}
		c.n++
		end = j
		k := j
		for k < len(t) && k-j < 3 && isSepByte(t[k]) {
			k++
		}
		if k-j == 3 {
			k = spaceEnd(t, j, k)
		}
		if k == j || k >= len(t) || !isDigit(t[k]) || !validSep(t[j:k]) || c.n == maxGroups {
			break
		}
		i = k
	}
	c.gluedL = glued(at(t, c.begin-1), at(t, c.begin-2))
	// "…2671x123": an extension does not glue a number to a word
	c.gluedR = glued(at(t, end), at(t, end+1)) && !(at(t, end) == 'x' && isDigit(at(t, end+1)))
	c.letterL, c.letterR = false, false
	if c.gluedL && c.begin == c.g[0].start && isAlpha(at(t, c.begin-1)) ||
		c.gluedR && isAlpha(at(t, end)) {
		c.letterL, c.letterR = c.letterGlued(end)
	}
	return end
}

// letterGlued reports, for each side of the chain ending at end, whether a
// letter touches its digits there, unless the chain is one group inside a
// hex word of 32 or more characters (a hash or key, whose digit runs are
// not values).
func (c *chain) letterGlued(end int) (left, right bool) {
	t := c.t
	left = c.begin == c.g[0].start && isAlpha(at(t, c.begin-1))
	right = isAlpha(at(t, end))
	if c.n == 1 {
		if c.begin < c.word.start || end > c.word.end {
			// Measure the word once for all the chains inside it: a long
			// word of letters and digits ("x4111…x4111…") holds many.
			s, e := c.begin, end
			for s > 0 && isAlnum(t[s-1]) {
				s--
			}
			for e < len(t) && isAlnum(t[e]) {
				e++
			}
			c.word, c.hash = group{s, e}, e-s >= 32 && allHex(t[s:e])
			c.work += 2 * (e - s)
		}
		if c.hash {
			return false, false
		}
	}
	return left, right
}

func allHex(s []byte) bool {
	for _, b := range s {
		if !isHex(b) {
			return false
		}
	}
	return true
}

// nextDigit returns the index of the first digit of t at or after i, or
// len(t). It tests eight bytes at a time.
func nextDigit(t []byte, i int) int {
	for ; i+8 <= len(t); i += 8 {
		x := binary.LittleEndian.Uint64(t[i:])
		// A byte is in '0'..'9' (0x30..0x39) when it is below 0x80, at least
		// 0x30 and below 0x3a: per-byte tests without carries between bytes.
		low := x &^ highs
		geq := (low + ones*(0x80-0x30)) & highs // low byte >= 0x30
		lt := ^(low + ones*(0x80-0x3a)) & highs // low byte < 0x3a
		if m := geq & lt &^ x; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(t) && !isDigit(t[i]) {
		i++
	}
	return i
}

// spaceEnd extends the separator run t[j:k] of three bytes over whitespace
// up to t[j+8]: two groups are joined by up to three separator bytes, or up
// to eight of whitespace ("4111    1111    …").
func spaceEnd(t []byte, j, k int) int {
	for w := j; w < len(t) && w-j < 8 && isSpace(t[w]); w++ {
		k = max(k, w+1)
	}
	return k
}

// isSpace reports whether b is whitespace: space, tab or line break.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// isSepByte reports whether b may join two digit groups of a chain: a space,
// tab or line break, '-', '.', '/', '_', '+' (a space in a form-encoded
// query) or a parenthesis. Up to three join two groups, or up to eight
// whitespace bytes.
func isSepByte(b byte) bool { return ctype[b]&ctSep != 0 }

// isBreak reports whether b separates words: whitespace, or '+' (a space in
// a form-encoded query).
func isBreak(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '+':
		return true
	}
	return false
}

// validSep accepts any one separator byte, or a run (see spaceEnd) without
// '.', with at most one of each of "()-/_+" (whitespace may repeat: "  ",
// " - ", "\r\n").
func validSep(s []byte) bool {
	if len(s) == 1 {
		return true
	}
	for k, b := range s {
		if b == '.' {
			return false
		}
		if isSpace(b) {
			continue
		}
		for _, p := range s[:k] {
			if p == b {
				return false
			}
		}
	}
	return true
}

// glued reports whether a chain edge touches a word: next is the byte beside
// the edge, far the one beyond it.
func glued(next, far byte) bool {
	return isAlnum(next) || ctype[next]&ctGlue != 0 && isAlnum(far)
}

// sep returns the bytes between group k-1 and group k.
func (c *chain) sep(k int) []byte { return c.t[c.g[k-1].end:c.g[k].start] }

func (c *chain) len(k int) int { return c.g[k].end - c.g[k].start }

// digits counts the digits of groups i..j.
func (c *chain) digits(i, j int) int {
	n := 0
	for k := i; k <= j; k++ {
		n += c.len(k)
	}
	return n
}

// paren reports whether group k is written "(…)".
func (c *chain) paren(k int) bool {
	return at(c.t, c.g[k].start-1) == '(' && at(c.t, c.g[k].end) == ')'
}

// canStart reports whether a value may start at group k: the chain start
// when it is not glued to a word, or a group after a break (see isBreak).
func (c *chain) canStart(k int) bool {
	if k == 0 {
		return !c.gluedL
	}
	return hasBreak(c.sep(k))
}

// canEnd reports whether a value may end at group k.
func (c *chain) canEnd(k int) bool {
	if k == c.n-1 {
		return !c.gluedR
	}
	return hasBreak(c.sep(k + 1))
}

// canStartGlued is canStart for values validated by a checksum or a
// structure, which may also start where a letter touches the chain.
func (c *chain) canStartGlued(k int) bool {
	return c.canStart(k) || k == 0 && c.letterL
}

// canEndGlued is canEnd for values validated by a checksum or a structure.
func (c *chain) canEndGlued(k int) bool {
	return c.canEnd(k) || k == c.n-1 && c.letterR
}

func hasBreak(s []byte) bool {
	for _, b := range s {
		if isBreak(b) {
			return true
		}
	}
	return false
}

// collect appends the digits of groups i..j to buf.
func (c *chain) collect(buf []byte, i, j int) []byte {
	for k := i; k <= j; k++ {
		buf = append(buf, c.t[c.g[k].start:c.g[k].end]...)
	}
	return buf
}

func sepIs(s []byte, b byte) bool { return len(s) == 1 && s[0] == b }

// luhnDigits validates a custom match: its digits (at least two) pass Luhn.
func luhnDigits(m []byte) bool {
	var buf [64]byte
	d := buf[:0]
	for _, b := range m {
		if isDigit(b) {
			d = append(d, b)
		}
	}
	return len(d) >= 2 && luhn.Valid(d)
}

// atoi parses a short digit string.
func atoi(d []byte) int {
	n := 0
	for _, b := range d {
		n = n*10 + int(b-'0')
	}
	return n
}
