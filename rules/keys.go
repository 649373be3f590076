package rules

import (
	"unicode"
	"unicode/utf8"
)

// Key-name selectors (`keys:`) compare names case- and separator-insensitively:
// "_", "-", "." and spaces are dropped and every letter is replaced by the
// smallest member of its Unicode case-folding orbit, so email, E-Mail, e_mail
// and "EMAIL" (with the Kelvin sign or a long s as well) are one name.

// isKeySeparator reports whether r is dropped when normalizing a key name.
func isKeySeparator(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }

// foldRune returns the canonical case of r: the smallest rune of its fold orbit.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}

// asciiFold maps an ASCII byte to its normalized form, 0 for separators.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		if !isKeySeparator(rune(c)) {
			t[c] = byte(foldRune(rune(c)))
		}
	}
	return
}()

// normalizeKey returns the normalized form of a configured key name.
func normalizeKey(s string) string {
	var b []byte
	for _, r := range s {
		if !isKeySeparator(r) {
			b = utf8.AppendRune(b, foldRune(r))
		}
	}
	return string(b)
}

// normalizeRaw writes the normalized form of validated JSON string content raw
// into buf and returns the used part, or ok=false when it does not fit (then it
// cannot equal any configured name, which all fit).
func normalizeRaw(buf []byte, raw []byte) (norm []byte, ok bool) {
	n := 0
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' { // fast path: plain ASCII
			i++
			if f := asciiFold[c]; f != 0 {
				if n >= len(buf) {
					return nil, false
				}
				buf[n] = f
				n++
			}
			continue
		}
		r, size := nextRune(raw, i)
		i += size
		if isKeySeparator(r) {
			continue
		}
		r = foldRune(r)
		if r < utf8.RuneSelf {
			if n >= len(buf) {
				return nil, false
			}
			buf[n] = byte(r)
			n++
			continue
		}
		if n+utf8.RuneLen(r) > len(buf) {
			return nil, false
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	return buf[:n], true
}

// unescapeRaw writes the decoded text of validated string content raw into buf,
// or returns ok=false when it does not fit.
func unescapeRaw(buf []byte, raw []byte) (text []byte, ok bool) {
	n := 0
	for i := 0; i < len(raw); {
		r, size := nextRune(raw, i)
		if size == 1 && r == utf8.RuneError { // invalid UTF-8 byte: keep it
			if n >= len(buf) {
				return nil, false
			}
			buf[n] = raw[i]
			n++
		} else {
			if n+utf8.RuneLen(r) > len(buf) {
				return nil, false
			}
			n += utf8.EncodeRune(buf[n:], r)
		}
		i += size
	}
	return buf[:n], true
}
