package rules

import (
	"unicode/utf16"
	"unicode/utf8"
)

// nextRune decodes the character at raw[i], where raw is the validated content
// of a JSON string (between the quotes). It returns the character and the
// number of bytes its spelling takes. A lone surrogate or an invalid UTF-8
// byte decodes as utf8.RuneError.
func nextRune(raw []byte, i int) (rune, int) {
	c := raw[i]
	if c < utf8.RuneSelf && c != '\\' {
		return rune(c), 1
	}
	if c != '\\' {
		return utf8.DecodeRune(raw[i:])
	}
	switch raw[i+1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(raw[i+2 : i+6])
		if !utf16.IsSurrogate(r) {
			return r, 6
		}
		if r < 0xDC00 && i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
			if lo := hex4(raw[i+8 : i+12]); lo >= 0xDC00 && lo <= 0xDFFF {
				return utf16.DecodeRune(r, lo), 12
			}
		}
		return utf8.RuneError, 6
	}
	return rune(raw[i+1]), 2 // \" \\ \/
}

// hex4 decodes four validated hex digits.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// appendUnescaped appends the decoded text of validated string content raw.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		r, n := nextRune(raw, i)
		if n == 1 && r == utf8.RuneError {
			dst = append(dst, raw[i])
		} else {
			dst = utf8.AppendRune(dst, r)
		}
		i += n
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendQuoted appends s as a JSON string literal. Invalid UTF-8 becomes
// U+FFFD, so the result is always valid JSON. It escapes only what JSON
// requires (and U+2028/U+2029), so paths such as $.users[<name>] stay
// readable in logs.
func AppendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped appends s escaped for use inside a JSON string literal.
func appendEscaped(dst []byte, s string) []byte {
	for _, r := range s { // range yields U+FFFD for invalid bytes
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			dst = append(dst, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}
