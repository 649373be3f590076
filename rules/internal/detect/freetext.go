package detect

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// freeText finds people's names (person_name) and street addresses
// (street_address) in free text. One pass looks for the bytes that can
// start either: an upper-case ASCII letter or a non-ASCII byte at the start
// of a word (a name), a digit (a house number, a PO box). Text of lower-case
// ASCII letters, spaces and punctuation costs one read of its words.
// Each candidate is read forward once: the scan resumes after it.
func (sc *scanner) freeText() {
	t := sc.t
	names, addrs := sc.on(kPersonName), sc.on(kStreetAddress)
	sc.meter.add(len(t))
	if addrs && sc.f.n[clDigit] == 0 {
		addrs = false // every street address form has a number
	}
	if !names && !addrs {
		return
	}
	lx := words()
	key := sc.hint&HintName != 0
	nameLo := 0 // names read back no further than this (the start of the last group)
	addrLo := 0 // streets read back no further than this (the end of the last digit run)
	// pending is a capitalized word at the start of a sentence, not read
	// yet: it is a name only with the capitalized word after it ("Anna
	// Schmidt", "Dr. Weber"), which the scan then meets within a few bytes.
	// Most capitals of prose are such words, followed by lower-case ones.
	pending := -1
	for i := 0; i < len(t); {
		if names && addrs {
			// nextCapOrDigit inline, for the usual case: a call per stop
			// would cost more than the test.
			for i+16 <= len(t) {
				w := t[i : i+16 : i+16]
				x0, x1 := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
				m0, m1 := capsDigits(x0), capsDigits(x1)
				if m0 != 0 {
					i += bits.TrailingZeros64(m0) >> 3
					goto found
				}
				if m1 != 0 {
					i += 8 + bits.TrailingZeros64(m1)>>3
					goto found
				}
				i += 16
			}
		}
		i = nextCapOrDigit(t, i, names, addrs)
	found:
		if pending >= 0 && i-pending > 24 {
			pending = -1
		}
		if i >= len(t) {
			return
		}
		if b := t[i-min(i, 1)]; i > 0 && (isAlnum(b) || b >= utf8.RuneSelf && wordByteBefore(t, i)) {
			// Inside a word, a token or a key ("iPhone", "x4B", "ghp_…"):
			// neither starts there; skip the run of letters and digits.
			for i++; i < len(t) && (t[i] >= utf8.RuneSelf || isAlnum(t[i])); i++ {
			}
			if i > addrLo && isDigit(t[i-1]) {
				addrLo = i
			}
			continue
		}
		if isDigit(t[i]) {
			end := sc.address(lx, i, addrLo)
			for end < len(t) && isDigit(t[end]) {
				end++
			}
			i, addrLo = end, end
			continue
		}
		size, upper := 1, true // an upper-case ASCII letter, or:
		if t[i] >= utf8.RuneSelf {
			size, upper = letterAt(t, i)
		}
		if size == 0 {
			i++
			continue
		}
		if !upper || !names {
			i = wordEnd(t, i)
			continue
		}
		if t[i] == 'I' && !isAlpha(at(t, i+1)) && (at(t, i+1) != '.' || at(t, i+2) != ' ') {
			// The pronoun ("I", "I'm", "I've"): no name, and the cue
			// "I'm" is read back from the word after it.
			i++
			continue
		}
		if pending >= 0 {
			start := pending
			pending = -1
			if groupGoesOn(t, start, i) {
				if end := sc.nameGroup(lx, start, nameLo); end > i {
					i, nameLo = end, start
					continue
				}
			}
		}
		if !key && sentenceStart(t, i) {
			pending = i
			i += size
			continue
		}
		i, nameLo = sc.nameGroup(lx, i, nameLo), i
	}
}

// groupGoesOn reports whether the group of capitalized words at t[i] (see
// nameGroup) may reach the stop at t[stop]: the word runs on to it
// ("Jean-Luc", "O'Brien"), or a word may follow it in its group: after a
// space (and a dot, of a title or an initial), a letter that is not a
// lower-case ASCII one, or a particle's. A pending word that fails it is a
// group of one word at the start of a sentence, which is never a name (no
// cue reaches back over the end of a sentence), so nameGroup is spared.
func groupGoesOn(t []byte, i, stop int) bool {
	e := wordEnd(t, i)
	if e > stop {
		return true
	}
	if at(t, e) == '.' {
		e++
	}
	if at(t, e) != ' ' {
		return false
	}
	b := at(t, e+1)
	return !isLower(b) || particleStart(b)
}

// capOrDigit flags (in bit 7 of its byte) each byte of x that is (when
// caps) an upper-case ASCII letter or a non-ASCII byte, or (when digits) an
// ASCII digit.
func capOrDigit(x uint64, caps, digits bool) uint64 {
	low := x &^ highs
	var m uint64
	if caps {
		m = x | (low+ones*(0x80-'A'))&^(low+ones*(0x80-'Z'-1))
	}
	if digits {
		m |= (low + ones*(0x80-'0')) &^ (low + ones*(0x80-'9'-1))
	}
	return m & highs
}

// capsDigits is capOrDigit(x, true, true), without the tests.
func capsDigits(x uint64) uint64 {
	low := x &^ highs
	return (x | (low+ones*(0x80-'A'))&^(low+ones*(0x80-'Z'-1)) | (low+ones*(0x80-'0'))&^(low+ones*(0x80-'9'-1))) & highs
}

// nextCapOrDigit returns the offset of the first byte of t at or after i
// that is (when caps) an upper-case ASCII letter or a non-ASCII byte, or
// (when digits) an ASCII digit, or len(t). It tests eight bytes at a time,
// the last few of t padded with zeros (which are neither).
func nextCapOrDigit(t []byte, i int, caps, digits bool) int {
	if caps && digits { // the usual case, in a loop of its own
		// Sixteen bytes a step: the constants are loaded once for both
		// words.
		for ; i+16 <= len(t); i += 16 {
			w := t[i : i+16 : i+16]
			x0, x1 := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
			m0, m1 := capsDigits(x0), capsDigits(x1)
			if m0|m1 != 0 {
				if m0 != 0 {
					return i + bits.TrailingZeros64(m0)>>3
				}
				return i + 8 + bits.TrailingZeros64(m1)>>3
			}
		}
		for ; i+8 <= len(t); i += 8 {
			if m := capsDigits(binary.LittleEndian.Uint64(t[i:])); m != 0 {
				return i + bits.TrailingZeros64(m)>>3
			}
		}
	} else {
		for ; i+8 <= len(t); i += 8 {
			if m := capOrDigit(binary.LittleEndian.Uint64(t[i:]), caps, digits); m != 0 {
				return i + bits.TrailingZeros64(m)>>3
			}
		}
	}
	if i < len(t) {
		var x uint64
		for k := len(t) - 1; k >= i; k-- {
			x = x<<8 | uint64(t[k])
		}
		if m := capOrDigit(x, caps, digits); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	return len(t)
}

// sentenceStart reports whether t[i] starts the text or follows the end
// of a sentence and a space.
func sentenceStart(t []byte, i int) bool {
	if i == 0 {
		return true
	}
	if i < 2 || t[i-1] != ' ' {
		return false
	}
	b := t[i-2]
	return b == '.' || b == '!' || b == '?'
}

// letterAt returns the length of the letter at t[i] (0 when none starts
// there) and whether it is upper-case (or title-case).
func letterAt(t []byte, i int) (size int, upper bool) {
	if i >= len(t) {
		return 0, false
	}
	b := t[i]
	if b < utf8.RuneSelf {
		if isUpper(b) {
			return 1, true
		}
		if isLower(b) {
			return 1, false
		}
		return 0, false
	}
	r, n := utf8.DecodeRune(t[i:])
	if r == utf8.RuneError || !unicode.IsLetter(r) {
		return 0, false
	}
	return n, unicode.IsUpper(r) || unicode.IsTitle(r)
}

// wordEnd returns the end of the word of letters that starts at t[i]: an
// apostrophe (ASCII or typographic) or a hyphen between two letters belongs
// to it (O'Brien, Jean-Luc, m'appelle).
func wordEnd(t []byte, i int) int {
	for i < len(t) {
		if isAlpha(t[i]) {
			i++
			continue
		}
		if n, _ := letterAt(t, i); n > 0 {
			i += n
			continue
		}
		j := 0
		switch {
		case t[i] == '\'' || t[i] == '-':
			j = 1
		case t[i] == 0xE2 && i+2 < len(t) && t[i+1] == 0x80 && t[i+2] == 0x99: // ’
			j = 3
		}
		if j > 0 {
			if n, _ := letterAt(t, i+j); n > 0 {
				i += j
				continue
			}
		}
		break
	}
	return i
}

// wordByteBefore reports whether the character before t[i] is a letter or
// a digit (t[i] then does not start a word).
func wordByteBefore(t []byte, i int) bool {
	if i == 0 {
		return false
	}
	if b := t[i-1]; b < utf8.RuneSelf {
		return isAlnum(b)
	}
	r, _ := utf8.DecodeLastRune(t[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordStart returns the start of the word of letters that ends at t[end]
// (exclusive), reading back no further than lo (then it returns end).
func wordStart(t []byte, end, lo int) int {
	i := end
	for i > lo {
		if b := t[i-1]; b < utf8.RuneSelf {
			if isAlpha(b) || (b == '\'' || b == '-') && i-1 > lo && isAlpha(t[i-2]) && i < end {
				i--
				continue
			}
			break
		}
		r, n := utf8.DecodeLastRune(t[lo:i])
		if r == '’' && i < end {
			i -= n
			continue
		}
		if r == utf8.RuneError || !unicode.IsLetter(r) {
			break
		}
		i -= n
	}
	return i
}
