package rules

import (
	"unicode"
	"unicode/utf8"
)

// actionKind is what a rule does to the values it decides.
type actionKind uint8

const (
	actRedact     actionKind = iota // replace the value (whole, for objects and arrays)
	actMask                         // replace characters, keeping length and separators
	actRemove                       // drop the member or array element
	actKeep                         // leave the value and everything in it as is
	actHash                         // keyed irreversible pseudonym (action_keyed.go)
	actEncrypt                      // deterministic token key holders can reveal
	actFPE                          // format-preserving encryption of digits or letters
	actGeneralize                   // a coarser value (a date to its year)
	actSynthetic                    // a realistic stand-in of the same kind
	actBlock                        // refuse the exchange (Report.Blocked); the value is redacted too
	actReveal                       // put back the originals of encrypt tokens
)

var actionNames = [...]string{"redact", "mask", "remove", "keep", "hash", "encrypt", "fpe", "generalize", "synthetic", "block", "reveal"}

// String returns the action's name as written in rule sets.
func (k actionKind) String() string { return actionNames[k] }

// action is a compiled `action:`. rw is nil for remove and keep, which the
// walk carries out itself (they change structure, not text).
type action struct {
	kind actionKind
	rw   rewriter
	// blockStatus is the request-side status of a block rule's local reply
	blockStatus int
}

// leafwise reports whether the action rewrites each string and number
// inside an object or array it decides (mask and the stand-in actions),
// rather than replacing the container whole (redact, block).
func (a *action) leafwise() bool {
	return a.kind != actRedact && a.kind != actBlock && a.rw != nil
}

// rewriter produces replacement text. Actions are values behind this one
// interface so that later selectors (content detectors matching a span inside
// a string) reuse them unchanged.
type rewriter interface {
	// value appends the replacement for raw, one complete scalar JSON value, to dst.
	value(dst, raw []byte, x *scratchpad) []byte
	// text appends the replacement for raw, a span of escaped JSON string
	// content (no quotes), to dst, escaped for use inside a string.
	text(dst, raw []byte, x *scratchpad) []byte
}

// conditional is a rewriter that changes only the values it touches
// (reveal, which changes only strings holding a token); the walk leaves the
// others as they are, so that a body without one is not rewritten.
type conditional interface {
	touches(raw []byte) bool
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

func (r *redact) value(dst, _ []byte, _ *scratchpad) []byte { return append(dst, r.with...) }

func (r *redact) text(dst, _ []byte, _ *scratchpad) []byte { return append(dst, r.span...) }

// mask replaces letters and digits by char, except
// the first `first` and the last `last` of them; other characters stay.
// At least half of a value's letters and digits are always masked (see
// keeps). The mask character itself counts as a masked letter, so that
// masking a masked value again changes nothing.
type mask struct {
	first, last int
	char        []byte // the mask character, escaped
	r           rune   // the mask character
}

// newMask returns a mask keeping first and last letters and digits,
// replacing the others by c.
func newMask(first, last int, c rune) *mask {
	return &mask{first: first, last: last, char: appendEscaped(nil, string(c)), r: c}
}

// counts reports whether r is one of the letters and digits mask counts:
// maskable, or the mask character (a letter masked before).
func (m *mask) counts(r rune) bool { return r == m.r || isMaskable(r) }

// maxMaskKeep bounds keep_first + keep_last in a rule set: PCI DSS's
// first 6 and last 4 fit, more would leave too much of a value readable.
const maxMaskKeep = 12

// keeps returns how many of the total letters and digits of one value stay
// readable at the start and at the end: first and last, shrunk (last first)
// until at least half of them, rounded up, are masked: a short value never
// shows more than half of its letters and digits ("a@b.io" under
// keep_last: 4 becomes "*@*.io").
func (m *mask) keeps(total int) (first, last int) {
	first, last = m.first, m.last
	if limit := total / 2; first+last > limit {
		first = min(first, limit)
		last = limit - first
	}
	return first, last
}

// value masks a string or a number (which becomes a string); true, false and
// null are returned unchanged.
func (m *mask) value(dst, raw []byte, _ *scratchpad) []byte {
	switch c := raw[0]; {
	case c == '"':
		dst = append(dst, '"')
		dst = m.text(dst, raw[1:len(raw)-1], nil)
		return append(dst, '"')
	case c == '-' || c >= '0' && c <= '9':
		// a number masks like the string of its spelling, so that
		// masking the result again changes nothing
		dst = append(dst, '"')
		dst = m.text(dst, raw, nil)
		return append(dst, '"')
	}
	return append(dst, raw...)
}

// text masks escaped string content. Characters that stay are copied in their
// original spelling (escapes included), so the result is valid wherever raw was.
func (m *mask) text(dst, raw []byte, _ *scratchpad) []byte {
	if dst, ok := m.asciiText(dst, raw); ok {
		return dst
	}
	total := 0
	for i := 0; i < len(raw); {
		r, n := nextRune(raw, i)
		if m.counts(r) {
			total++
		}
		i += n
	}
	first, last := m.keeps(total)
	k := 0
	for i := 0; i < len(raw); {
		r, n := nextRune(raw, i)
		if m.counts(r) {
			if k >= first && k < total-last {
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
		if asciiMaskable[c] || rune(c) == m.r {
			total++
		}
	}
	first, last := m.keeps(total)
	k := 0
	for _, c := range raw {
		if asciiMaskable[c] || rune(c) == m.r {
			if k >= first && k < total-last {
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
