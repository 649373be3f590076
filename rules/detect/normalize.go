package detect

import (
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
	clUpperA // 'A': AKIA…, ASIA…, AIza…
	clUpperJ // 'J': eyJ…
	clLowerX // 'x': xox…
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
	for b := 0x80; b < 0x100; b++ {
		c[b] = clNonASCII
	}
	return c
}()

// features counts the bytes of each class in a text: the one pass every text
// costs, from which each detector family decides whether to look closer.
type features struct {
	n [numClasses]int
}

// classLanes maps a byte to a one in the 8-bit lane of its class: classes
// 1..8 in the first word, 9.. in the second. Summing lanes in registers
// (flushed before a lane can overflow) keeps the loop free of memory
// dependencies, which matters most in Wasm.
var classLanes = func() (l [256][2]uint64) {
	for b, c := range byteClass {
		if c == clOther {
			continue
		}
		l[b][(c-1)/8] = 1 << (8 * ((c - 1) % 8))
	}
	return l
}()

func scanFeatures(t []byte) (f features) {
	for len(t) > 0 {
		chunk := t[:min(len(t), 255)]
		t = t[len(chunk):]
		var lo, hi uint64
		for _, b := range chunk {
			l := &classLanes[b]
			lo += l[0]
			hi += l[1]
		}
		for c := 1; c < numClasses; c++ {
			w := lo
			if c > 8 {
				w = hi
			}
			f.n[c] += int(w >> (8 * ((c - 1) % 8)) & 0xff)
		}
	}
	return f
}

// view is the normalized text detectors see when the original has non-ASCII
// bytes, with, for each normalized byte, the original bytes it came from.
type view struct {
	norm       []byte
	start, end []int32 // original [start, end) of each normalized byte
}

// build fills v with the normalized form of orig:
//   - Unicode decimal digits (category Nd) become ASCII digits;
//   - full-width ASCII forms (U+FF01..U+FF5E) become their ASCII twins;
//   - no-break and figure spaces become ' ', Unicode hyphens and minus '-';
//   - zero-width characters (U+200B..U+200D, U+2060, U+FEFF) and soft hyphens
//     (U+00AD) are dropped;
//   - any other byte (including invalid UTF-8) is kept as is.
func (v *view) build(orig []byte) {
	v.norm, v.start, v.end = v.norm[:0], v.start[:0], v.end[:0]
	for i := 0; i < len(orig); {
		b := orig[i]
		if b < utf8.RuneSelf {
			v.add(b, i, i+1)
			i++
			continue
		}
		r, size := utf8.DecodeRune(orig[i:])
		if a, ok := foldRune(r); ok {
			if a != 0 {
				v.add(a, i, i+size)
			}
		} else {
			for j := i; j < i+size; j++ {
				v.add(orig[j], i, i+size)
			}
		}
		i += size
	}
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

// foldRune returns the ASCII byte a non-ASCII rune reads as (0 for a rune
// that is ignored), or false when the rune is kept as is.
func foldRune(r rune) (byte, bool) {
	switch {
	case r == 0x00AD, r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF:
		return 0, true
	case r == 0x00A0, r == 0x2007, r == 0x202F:
		return ' ', true
	case r >= 0x2010 && r <= 0x2013, r == 0x2212:
		return '-', true
	case r >= 0xFF01 && r <= 0xFF5E:
		return byte(r - 0xFF01 + '!'), true
	}
	if d, ok := digitValue(r); ok {
		return '0' + d, true
	}
	return 0, false
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

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isLower(b byte) bool { return b >= 'a' && b <= 'z' }
func isAlpha(b byte) bool { return isUpper(b) || isLower(b) }
func isAlnum(b byte) bool { return isDigit(b) || isAlpha(b) }
func isHex(b byte) bool {
	return isDigit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

// at returns t[i], or 0 outside t.
func at(t []byte, i int) byte {
	if i < 0 || i >= len(t) {
		return 0
	}
	return t[i]
}
