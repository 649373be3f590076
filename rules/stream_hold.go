package rules

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// How much of a streamed text (stream_text) is held back: the trailing
// characters that could still begin, or be inside, a match that the next
// piece completes. Each rule below covers detectors of one shape; the
// text held starts at the earliest place any of them names, and never in a
// span a detector finds in the text now.

const (
	// maxHeldRun bounds the run of characters without a break held for
	// email, URLs, tokens, keys, IP and MAC addresses and reveal's tokens
	// (a longer run is held by its last maxHeldRun bytes).
	maxHeldRun = 1024
	// maxHeldKey bounds the held PEM block of a private key, from its
	// "-----BEGIN".
	maxHeldKey = 4096
	// maxHeldDigits bounds the held run of digits and separators (cards,
	// phone numbers, SSNs, IPv4 with spaces or percent escapes around).
	maxHeldDigits = 128
	// maxHeldIBAN bounds the held start of an IBAN (34 characters and their
	// separators).
	maxHeldIBAN = 64
	// maxHeldPassword bounds the held password assignment: the word, its
	// separator and a value of up to 256 bytes.
	maxHeldPassword = 300
	// maxHeldCustom is what is held for a custom detector: its last
	// characters. A custom match longer than this, split across records, is
	// judged in pieces.
	maxHeldCustom = 256
)

// holdFrom returns where the held part of text starts (len(text): nothing
// held). spans are the detectors' findings in text; custom tells that the
// set has custom detectors.
func holdFrom(text []byte, spans []spanBounds, custom bool) int {
	c := len(text)
	c = min(c, runStart(text))
	c = min(c, digitRunStart(text))
	c = min(c, ibanStart(text))
	c = min(c, passwordStart(text))
	c = min(c, privateKeyStart(text))
	if custom {
		c = min(c, max(0, len(text)-maxHeldCustom))
	}
	// never cut through a span found now: it is held whole
	for moved := true; moved; {
		moved = false
		for _, sp := range spans {
			if sp.start < c && sp.end > c {
				c, moved = sp.start, true
			}
		}
	}
	for c > 0 && c < len(text) && !utf8.RuneStart(text[c]) {
		c--
	}
	return c
}

// spanBounds is a detector's span in a text, from the start of the
// context that made it (contextStart).
type spanBounds struct{ start, end int }

// contextStart returns where the context a detector needs to find the
// span at text[start:] begins: the password word before a
// password_assignment value, the scheme before a URL's authority; the
// span's start for the others. A tail is never cut between a value and
// its context, which the next record would not see.
func contextStart(text []byte, start int, detector string) int {
	switch detector {
	case "password_assignment":
		from := max(0, start-maxHeldPassword)
		for s := start - 1; s >= from; s-- {
			if hasFoldPrefix(text[s:], "pass") || hasFoldPrefix(text[s:], "pwd") {
				return s
			}
		}
	case "url_credentials", "slack_webhook":
		return runStart(text[:start])
	}
	return start
}

// isRunBreak reports whether b ends a run that an email address, URL,
// token or key could continue across: ASCII whitespace and the quotes
// and brackets that no such value holds.
func isRunBreak(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '\f', '\v', '"', '\'', '`', '<', '>', '{', '}', '|':
		return true
	}
	return false
}

// runStart returns the start of the trailing run without a break.
func runStart(text []byte) int {
	i := len(text)
	for i > 0 && !isRunBreak(text[i-1]) && len(text)-i < maxHeldRun {
		i--
	}
	return i
}

// digitRunStart returns the start of the trailing run of characters a
// card, phone number or SSN may hold (anything but letters, a letter of a
// percent escape excepted) when it holds a digit, else len(text).
func digitRunStart(text []byte) int {
	i, digit := len(text), false
	for i > 0 && len(text)-i < maxHeldDigits {
		r, n := utf8.DecodeLastRune(text[:i])
		if unicode.IsLetter(r) && !percentHex(text, i-n) {
			break
		}
		digit = digit || unicode.IsDigit(r)
		i -= n
	}
	if !digit {
		return len(text)
	}
	return i
}

// percentHex reports whether the byte at text[i] is a hex digit of a
// percent escape ("%2B").
func percentHex(text []byte, i int) bool {
	return isHex(text[i]) && (i >= 1 && text[i-1] == '%' || i >= 2 && text[i-2] == '%' && isHex(text[i-1]))
}

// ibanStart returns the start of a trailing IBAN in the making: two
// letters at a word start (after a percent escape too, which the detectors
// decode: "%00DE89…"), two digits (as far as the text goes), then
// letters, digits and IBAN separators to the end; else len(text).
func ibanStart(text []byte) int {
	for s := max(0, len(text)-maxHeldIBAN); s < len(text); s++ {
		if s > 0 && isAlnumByte(text[s-1]) && !percentHex(text, s-1) || !isLetterByte(text[s]) {
			continue
		}
		ok := true
		for k := s + 1; k < len(text) && ok; k++ {
			c := text[k]
			switch {
			case k == s+1:
				ok = isLetterByte(c)
			case k <= s+3:
				ok = c >= '0' && c <= '9'
			default:
				ok = isAlnumByte(c) || c == ' ' || c == '-' || c == '.' || c == '+'
			}
		}
		if ok {
			return s
		}
	}
	return len(text)
}

func isLetterByte(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnumByte(c byte) bool  { return isLetterByte(c) || c >= '0' && c <= '9' }

// passwordStart returns the start of the earliest password word ("pass…",
// "pwd", any case) in the last maxHeldPassword bytes whose assignment the
// text has not finished: the word, an optional quote and spaces, then the
// end of the text, or ':' or '=' and a value that reaches it.
func passwordStart(text []byte) int {
	from := max(0, len(text)-maxHeldPassword)
	for s := from; s < len(text); s++ {
		var n int
		switch {
		case hasFoldPrefix(text[s:], "pass"):
			n = 4
		case hasFoldPrefix(text[s:], "pwd"):
			n = 3
		default:
			continue
		}
		i := s + n
		for i < len(text) && isLetterByte(text[i]) {
			i++ // password, passwd, passphrase
		}
		if assignmentOpen(text, i) {
			return s
		}
	}
	return len(text)
}

// assignmentOpen reports whether the text from i, after a password word,
// is an assignment still open at the end of the text.
func assignmentOpen(text []byte, i int) bool {
	if i < len(text) && isPasswordQuote(text[i]) {
		i++
	}
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	if i == len(text) {
		return true
	}
	if text[i] != ':' && text[i] != '=' {
		return false
	}
	for i < len(text) && (text[i] == ':' || text[i] == '=' || text[i] == '>') {
		i++
	}
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	if i == len(text) {
		return true
	}
	if q := text[i]; isPasswordQuote(q) {
		return bytes.IndexByte(text[i+1:], q) < 0
	}
	for ; i < len(text); i++ {
		if c := text[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' || bytes.IndexByte([]byte("\"'`,;&()[]{}<>\\"), c) >= 0 {
			return false
		}
	}
	return true
}

// isPasswordQuote reports whether b quotes a password value.
func isPasswordQuote(b byte) bool { return b == '"' || b == '\'' || b == '`' }

// hasFoldPrefix reports whether b starts with the lower-case ASCII word w,
// in any case.
func hasFoldPrefix(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if b[k]|0x20 != w[k] {
			return false
		}
	}
	return true
}

// privateKeyStart returns the start of the last "-----BEGIN" in the text
// (within maxHeldKey bytes) whose block has not ended, else len(text).
func privateKeyStart(text []byte) int {
	from := max(0, len(text)-maxHeldKey)
	s := bytes.LastIndex(text[from:], []byte("-----BEGIN"))
	if s < 0 {
		return len(text)
	}
	s += from
	if e := bytes.Index(text[s:], []byte("-----END")); e >= 0 && bytes.Contains(text[s+e+8:], []byte("-----")) {
		return len(text)
	}
	return s
}
