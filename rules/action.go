package rules

import (
	"unicode"
	"unicode/utf8"
)

// actionKind is what a rule does to the values it decides.
type actionKind uint8

const (
	actRedact actionKind = iota // replace the value (whole, for objects and arrays)
	actMask                     // replace characters, keeping length and separators
	actRemove                   // drop the member or array element
	actKeep                     // leave the value and everything in it as is
)

var actionNames = [...]string{"redact", "mask", "remove", "keep"}

// String returns the action's name as written in rule sets.
func (k actionKind) String() string { return actionNames[k] }

// action is a compiled `action:`. rw is nil for remove and keep, which the
// walk carries out itself (they change structure, not text).
type action struct {
	kind actionKind
	rw   rewriter
}

// rewriter produces replacement text. Actions are values behind this one
// interface so that later selectors (content detectors matching a span inside
// a string) reuse them unchanged.
type rewriter interface {
	// value appends the replacement for raw, one complete scalar JSON value, to dst.
	value(dst, raw []byte) []byte
	// text appends the replacement for raw, a span of escaped JSON string
	// content (no quotes), to dst, escaped for use inside a string.
	text(dst, raw []byte) []byte
}

// redact replaces a value by a fixed JSON value ("[REDACTED]" by default).
type redact struct {
	with []byte // the replacement JSON value
	span []byte // the replacement inside a string: the text of a string `with`, else its JSON text, escaped
}

func newRedact(with []byte) *redact {
	r := &redact{with: with}
	if len(with) > 0 && with[0] == '"' {
		r.span = with[1 : len(with)-1]
	} else {
		r.span = appendEscaped(nil, string(with))
	}
	return r
}

func (r *redact) value(dst, _ []byte) []byte { return append(dst, r.with...) }

func (r *redact) text(dst, _ []byte) []byte { return append(dst, r.span...) }

// mask replaces letters and digits by char, except
// the first `first` and the last `last` of them; other characters stay.
type mask struct {
	first, last int
	char        []byte // the mask character, escaped
}

// value masks a string or a number (which becomes a string); true, false and
// null are returned unchanged.
func (m *mask) value(dst, raw []byte) []byte {
	switch c := raw[0]; {
	case c == '"':
		dst = append(dst, '"')
		dst = m.text(dst, raw[1:len(raw)-1])
		return append(dst, '"')
	case c == '-' || c >= '0' && c <= '9':
		// a number masks like the string of its spelling, so that
		// masking the result again changes nothing
		dst = append(dst, '"')
		dst = m.text(dst, raw)
		return append(dst, '"')
	}
	return append(dst, raw...)
}

// text masks escaped string content. Characters that stay are copied in their
// original spelling (escapes included), so the result is valid wherever raw was.
func (m *mask) text(dst, raw []byte) []byte {
	if dst, ok := m.asciiText(dst, raw); ok {
		return dst
	}
	total := 0
	for i := 0; i < len(raw); {
		r, n := nextRune(raw, i)
		if isMaskable(r) {
			total++
		}
		i += n
	}
	k := 0
	for i := 0; i < len(raw); {
		r, n := nextRune(raw, i)
		if isMaskable(r) {
			if k >= m.first && k < total-m.last {
				dst = append(dst, m.char...)
			} else {
				dst = append(dst, raw[i:i+n]...)
			}
			k++
		} else {
			dst = append(dst, raw[i:i+n]...)
		}
		i += n
	}
	return dst
}

// asciiText is text for the common case of plain ASCII content without
// escapes; ok is false (and dst untouched) otherwise.
func (m *mask) asciiText(dst, raw []byte) ([]byte, bool) {
	total := 0
	for _, c := range raw {
		if c >= utf8.RuneSelf || c == '\\' {
			return dst, false
		}
		if asciiMaskable[c] {
			total++
		}
	}
	k := 0
	for _, c := range raw {
		if asciiMaskable[c] {
			if k >= m.first && k < total-m.last {
				if len(m.char) == 1 {
					c = m.char[0]
				} else {
					dst = append(dst, m.char...)
					k++
					continue
				}
			}
			k++
		}
		dst = append(dst, c)
	}
	return dst, true
}

var asciiMaskable = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isMaskable(rune(c))
	}
	return
}()

// isMaskable reports whether mask replaces r: letters and digits; everything
// else is a separator and stays.
func isMaskable(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
