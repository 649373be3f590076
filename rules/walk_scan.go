package rules

import (
	"encoding/binary"
	"math/bits"
)

// Byte-level JSON scanning (RFC 8259). The scanners validate as they go and
// never allocate; they return the offset just past what they scanned, or
// badInput (or ok=false) for invalid input.

// badInput is a scanner's result for invalid input, in place of an offset.
const badInput = -1

// strPlain marks bytes that may appear unescaped in a string and need no attention.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return
}()

// skipWS returns the offset of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString scans the string starting at b[i] == '"'. It returns the offset
// after the closing quote (or badInput) and whether the string holds escapes.
func scanString(b []byte, i int) (end int, esc bool) {
	i++
	for {
		// eight bytes at a time while none needs attention
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			if m := hasLess(x, 0x20) | hasZero(x^0x2222222222222222) | hasZero(x^0x5C5C5C5C5C5C5C5C); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) {
			return badInput, esc
		}
		switch b[i] {
		case '"':
			return i + 1, esc
		case '\\':
			esc = true
			if i+1 >= len(b) {
				return badInput, esc
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return badInput, esc
				}
				i += 6
			default:
				return badInput, esc
			}
		default: // a control character
			return badInput, esc
		}
	}
}

// hasZero flags (in bit 7 of the byte) the first zero byte of x; flags above
// the first one may be wrong.
func hasZero(x uint64) uint64 { return (x - 0x0101010101010101) & ^x & 0x8080808080808080 }

// hasLess flags the first byte of x below n (n <= 128), like hasZero.
func hasLess(x uint64, n byte) uint64 {
	return (x - 0x0101010101010101*uint64(n)) & ^x & 0x8080808080808080
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// scanNumber scans the number starting at b[i].
func scanNumber(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// scanLiteral scans true, false or null at b[i].
func scanLiteral(b []byte, i int) (end int, ok bool) {
	var lit string
	switch b[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	default:
		return i, false
	}
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}
