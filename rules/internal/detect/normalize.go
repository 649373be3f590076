package detect

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Byte classes counted by the prefilter pass.
const (
	clOther = iota
	clDigit
	clAt
	clColon
	clDot
	clDash
	clUnderscore
	clUpperA  // 'A': AKIA…, ASIA…, AIza…
	clUpperJ  // 'J': eyJ…
	clLowerX  // 'x': xox…
	clPercent // '%': a percent escape, maybe
	clNonASCII
	numClasses
)

var byteClass = func() (c [256]uint8) {
	for b := '0'; b <= '9'; b++ {
		c[b] = clDigit
	}
	c['@'] = clAt
	c[':'] = clColon
	c['.'] = clDot
	c['-'] = clDash
	c['_'] = clUnderscore
	c['A'] = clUpperA
	c['J'] = clUpperJ
	c['x'] = clLowerX
	c['%'] = clPercent
	for b := 0x80; b < 0x100; b++ {
		c[b] = clNonASCII
	}
	return c
}()

// features counts the bytes of each class in a text: the one pass every text
// costs, from which each detector family decides whether to look closer.
// The count of clOther is meaningless (only some of those bytes are counted).
type features struct {
	n [numClasses]int
}

// scanFeatures counts the byte classes of t. It looks up only the bytes that
// may belong to a class other than clOther, which in prose are a small
// minority, and finds them 32 bytes per loop iteration: Go on Wasm pays
// dearly for every iteration and call, so the common run of letters and
// spaces costs little.
func scanFeatures(t []byte) (f features) {
	i := 0
	for ; i+32 <= len(t); i += 32 {
		w := t[i : i+32 : i+32]
		x0 := binary.LittleEndian.Uint64(w[0:])
		x1 := binary.LittleEndian.Uint64(w[8:])
		x2 := binary.LittleEndian.Uint64(w[16:])
		x3 := binary.LittleEndian.Uint64(w[24:])
		m0, m1, m2, m3 := interesting(x0), interesting(x1), interesting(x2), interesting(x3)
		if m0|m1|m2|m3 == 0 {
			continue
		}
		f.add(x0, m0)
		f.add(x1, m1)
		f.add(x2, m2)
		f.add(x3, m3)
	}
	for ; i+8 <= len(t); i += 8 {
		x := binary.LittleEndian.Uint64(t[i:])
		f.add(x, interesting(x))
	}
	for _, b := range t[i:] {
		f.n[byteClass[b]]++
	}
	return f
}

// interesting flags (in bit 7 of its byte) every byte of x that is
// non-ASCII, in '%'..':' (which includes "&'()*+,/", clOther bytes looked up
// for nothing), '@', 'A', 'J', '_' or 'x'. Each byte is tested on its own,
// without carries between bytes, so no byte of a class is missed. (It must
// stay small enough to be inlined: a call per word costs more on Wasm than
// the test.)
func interesting(x uint64) uint64 {
	low := x &^ highs // every byte below 0x80: adding up to 0x80 cannot carry
	inRange := (low+ones*(0x80-'%'))&^(low+ones*(0x80-':'-1)) |
		(low+ones*(0x80-'@'))&^(low+ones*(0x80-'A'-1))
	return (x | inRange | ^(notByte(low, 'J') & notByte(low, '_') & notByte(low, 'x'))) & highs
}

// notByte clears bit 7 of each byte of low (whose bytes are all below 0x80)
// that equals c, and sets it in the others.
func notByte(low uint64, c byte) uint64 { return (low ^ ones*uint64(c)) + ones*0x7f }

// add counts the classes of the bytes of x flagged in m.
func (f *features) add(x, m uint64) {
	for ; m != 0; m &= m - 1 {
		f.n[byteClass[byte(x>>(bits.TrailingZeros64(m)&^7))]]++
	}
}

// SWAR constants: a one, and the top bit, in each byte of a word.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// view is the normalized text detectors see when the original has non-ASCII
// bytes or percent escapes, with, for each normalized byte, the original
// bytes it came from.
type view struct {
	norm       []byte
	start, end []int32 // original [start, end) of each normalized byte
	// gluing: an invisible character of the original sits between two
	// bytes of words (see inWord); dropping it glues them, so the text
	// deserves a second reading with a space in its place
	gluing bool
}

// build fills v with the normalized form of orig:
//   - Unicode decimal digits (category Nd) become ASCII digits;
//   - full-width ASCII forms (U+FF01..U+FF5E) become their ASCII twins;
//   - Unicode spaces (no-break, figure, thin, ideographic, line separator, …)
//     become ' ', Unicode hyphens, dashes and minus '-';
//   - invisible characters (zero-width, soft hyphen, word joiner, BOM,
//     direction marks, variation selectors, tags: see invisibleRune) become
//     invisible, which is 0 (dropped: "4111\u200b1111" reads "41111111")
//     or a byte to read in their place (' ': "4111…1111\u200bthanks"
//     reads as a number then a word); gluing tells whether that matters;
//   - a percent escape of an ASCII byte ("%40", "%2B", "%20": a URL's query
//     in the text), or such an escape encoded again ("%2540", "%252540"),
//     becomes that byte; the escapes of a rune's UTF-8 bytes read as the
//     rune ("%EF%BC%94" as '4', "%E2%80%8B" as invisible, "%C2%A0" as ' ');
//   - any other byte (including invalid UTF-8) is kept as is.
func (v *view) build(orig []byte, invisible byte) {
	v.norm, v.start, v.end, v.gluing = v.norm[:0], v.start[:0], v.end[:0], false
	afterWord := false // invisible characters follow a byte of a word
	for i := 0; i < len(orig); {
		b, n, inv := percentEscape(orig, i)
		if n == 0 && orig[i] < utf8.RuneSelf {
			// A run of ASCII is kept as is, each byte its own original.
			v.gluing = v.gluing || afterWord && inWord(orig[i])
			afterWord = false
			i = AppendASCII(&v.norm, &v.start, &v.end, orig, i, '%')
			continue
		}
		kept := false // a non-ASCII rune kept as is
		if n == 0 {
			r, size := utf8.DecodeRune(orig[i:])
			var folds bool
			b, folds = foldRune(r)
			inv, kept, n = folds && b == 0, !folds, size
		}
		switch {
		case inv:
			afterWord = afterWord || len(v.norm) > 0 && inWord(v.norm[len(v.norm)-1])
			if invisible != 0 {
				v.add(invisible, i, i+n)
			}
		case kept:
			afterWord = false
			for j := i; j < i+n; j++ {
				v.add(orig[j], i, i+n)
			}
		default:
			v.gluing = v.gluing || afterWord && inWord(b)
			afterWord = false
			v.add(b, i, i+n)
		}
		i += n
	}
}

// AppendASCII appends to *text the run of ASCII bytes of src that starts at
// src[i] (taken whatever it is) and ends before the next non-ASCII byte or
// stop, each byte its own original: for each, its offsets in src, [k, k+1),
// go to *start and *end. It returns the end of the run. The run is copied in
// bulk, as per-byte appends are slow on Wasm. The view (stop '%') and the
// unescaping of JSON strings in package rules (stop '\\') use it.
func AppendASCII(text *[]byte, start, end *[]int32, src []byte, i int, stop byte) int {
	j := i + 1
	for j < len(src) && src[j] < utf8.RuneSelf && src[j] != stop {
		j++
	}
	*text = append(*text, src[i:j]...)
	n := len(*start)
	*start = slices.Grow(*start, j-i)[:n+j-i]
	*end = slices.Grow(*end, j-i)[:n+j-i]
	st, en := (*start)[n:], (*end)[n:]
	en = en[:len(st)]
	for k := range st {
		st[k] = int32(i + k)
		en[k] = int32(i + k + 1)
	}
	return j
}

// inWord reports whether b is an ASCII letter or digit, one of "-_./\\"
// that glue a word to what follows (see glued), or one of "+()" that start
// or end a phone number.
func inWord(b byte) bool { return ctype[b]&(ctAlnum|ctGlue) != 0 || b == '+' || b == '(' || b == ')' }

// percentEscape decodes the percent escapes at t[i]: the escape of an
// ASCII byte ("%40"), or the escapes of the UTF-8 bytes of a rune that
// foldRune reads as ASCII or as invisible ("%EF%BC%94" is a full-width '4',
// "%E2%80%8B" a zero-width space), also when their '%' is itself escaped,
// once or more ("%2540" is "%40" encoded again: '@'). It returns the byte
// (0 when invisible), the length of the escapes, 0 when t[i] starts none,
// and whether the rune is invisible. Escapes of other bytes are left as is.
func percentEscape(t []byte, i int) (b byte, n int, invisible bool) {
	b, n = escapedByte(t, i)
	if n == 0 || b < utf8.RuneSelf {
		return b, n, false
	}
	var buf [utf8.UTFMax]byte
	k, p := 0, i
	for k < len(buf) && p < len(t) {
		c, m := escapedByte(t, p)
		if m == 0 {
			break
		}
		buf[k] = c
		k++
		p += m
		if utf8.FullRune(buf[:k]) {
			break
		}
	}
	if r, size := utf8.DecodeRune(buf[:k]); size == k && r != utf8.RuneError {
		if a, ok := foldRune(r); ok {
			return a, p - i, a == 0
		}
	}
	return 0, 0, false
}

// escapedByte decodes the percent escape at t[i], also when its '%' is
// escaped again ("%2541", "%252541"), into its byte and length, or returns
// length 0.
func escapedByte(t []byte, i int) (byte, int) {
	if t[i] != '%' || !hexPair(t, i+1) {
		return 0, 0
	}
	j := i + 1 // the hex pair to decode: past every "25" that another pair follows
	for t[j] == '2' && t[j+1] == '5' && hexPair(t, j+2) {
		j += 2
	}
	return unhex(t[j])<<4 | unhex(t[j+1]), j + 2 - i
}

// hexPair reports whether t[j:j+2] are hex digits.
func hexPair(t []byte, j int) bool { return j+1 < len(t) && isHex(t[j]) && isHex(t[j+1]) }

func unhex(b byte) byte {
	switch {
	case b <= '9':
		return b - '0'
	case b <= 'F':
		return b - 'A' + 10
	}
	return b - 'a' + 10
}

// needsView reports whether build would change t: t holds a percent escape
// of an ASCII byte, or a non-ASCII rune that reads as ASCII or is ignored.
// Text whose only non-ASCII runes are kept as is (accented letters, '€')
// needs no view.
func needsView(t []byte) bool {
	for i := 0; i < len(t); {
		if i+8 <= len(t) {
			x := binary.LittleEndian.Uint64(t[i:])
			if m := (x | ^notByte(x&^highs, '%')) & highs; m == 0 {
				i += 8
				continue
			} else {
				i += bits.TrailingZeros64(m) >> 3
			}
		}
		if _, n, _ := percentEscape(t, i); n > 0 {
			return true
		}
		if t[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(t[i:])
		if _, ok := foldRune(r); ok {
			return true
		}
		i += size
	}
	return false
}

func (v *view) add(b byte, start, end int) {
	v.norm = append(v.norm, b)
	v.start = append(v.start, int32(start))
	v.end = append(v.end, int32(end))
}

// remap turns spans over v.norm into spans over the original text.
func (v *view) remap(spans []Span) {
	for i := range spans {
		sp := &spans[i]
		sp.Start, sp.End = int(v.start[sp.Start]), int(v.end[sp.End-1])
	}
}

// foldRune returns the ASCII byte a non-ASCII rune reads as (0 for an
// invisible rune), or false when the rune is kept as is.
func foldRune(r rune) (byte, bool) {
	switch {
	case invisibleRune(r):
		return 0, true
	case r == 0x0085, r == 0x00A0, r == 0x1680, r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029,
		r == 0x202F, r == 0x205F, r == 0x3000:
		return ' ', true
	case r >= 0x2010 && r <= 0x2015, r == 0x2043, r == 0x2212, r == 0xFE58, r == 0xFE63:
		return '-', true
	case r == 0x2044, r == 0x2215:
		return '/', true
	case r == 0xFE6B:
		return '@', true
	case r >= 0xFF01 && r <= 0xFF5E:
		return byte(r - 0xFF01 + '!'), true
	}
	if d, ok := digitValue(r); ok {
		return '0' + d, true
	}
	return 0, false
}

// invisibleRune reports whether r is drawn as nothing between two
// characters: soft hyphen, combining grapheme joiner, Arabic letter mark,
// Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors
// and vowel separator, zero-width space, non-joiner and joiner, direction
// marks, embeddings, overrides and isolates, word joiner and invisible
// operators, deprecated format characters, variation selectors, BOM
// (zero-width no-break space), shorthand format controls and tags: an
// attacker's way to break a value apart without a visible trace.
func invisibleRune(r rune) bool {
	switch {
	case r < 0x00AD:
		return false
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5,
		r >= 0x180B && r <= 0x180F, r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x206F, r == 0x3164,
		r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF, r == 0xFFA0, r >= 0x1BCA0 && r <= 0x1BCA3,
		r >= 0xE0000 && r <= 0xE0FFF:
		return true
	}
	return false
}

// digitValue returns the value of a Unicode decimal digit. Unicode encodes
// each decimal digit set as ten contiguous code points from zero to nine, so
// within a range of unicode.Nd the value is the offset from its start mod 10.
func digitValue(r rune) (byte, bool) {
	if r < utf8.RuneSelf || !unicode.IsDigit(r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// Character types of bytes (ctype), tested with one table load in the
// detectors' byte loops.
const (
	ctDigit     = 1 << iota // '0'..'9'
	ctUpper                 // 'A'..'Z'
	ctLower                 // 'a'..'z'
	ctHexLetter             // 'a'..'f', 'A'..'F'
	ctGlue                  // "-_./\\": glues a digit chain to a word beyond it
	ctSep                   // " \t\n\r-./()_+": joins two digit groups of a chain
	ctAlnum     = ctDigit | ctUpper | ctLower
)

var ctype = func() (c [256]uint8) {
	for b := range c {
		switch {
		case b >= '0' && b <= '9':
			c[b] = ctDigit
		case b >= 'A' && b <= 'Z':
			c[b] = ctUpper
		case b >= 'a' && b <= 'z':
			c[b] = ctLower
		}
		if b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			c[b] |= ctHexLetter
		}
	}
	for _, b := range []byte("-_./\\") {
		c[b] = ctGlue
	}
	for _, b := range []byte(" \t\n\r-./()_+") {
		c[b] |= ctSep
	}
	return c
}()

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isLower(b byte) bool { return b >= 'a' && b <= 'z' }
func isAlpha(b byte) bool { return ctype[b]&(ctUpper|ctLower) != 0 }
func isAlnum(b byte) bool { return ctype[b]&ctAlnum != 0 }
func isHex(b byte) bool   { return ctype[b]&(ctDigit|ctHexLetter) != 0 }

// toUpper maps 'a'..'z' to 'A'..'Z' and leaves other bytes alone.
func toUpper(b byte) byte {
	if isLower(b) {
		return b - 'a' + 'A'
	}
	return b
}

// at returns t[i], or 0 outside t.
func at(t []byte, i int) byte {
	if i < 0 || i >= len(t) {
		return 0
	}
	return t[i]
}
