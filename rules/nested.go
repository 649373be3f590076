package rules

import (
	"errors"
	"unicode/utf8"
)

// JSON inside strings (`json_in_strings: true`): a string value holding a
// JSON object or array is walked as JSON from the string's own automaton
// state, so paths, keys and detectors reach inside it, and is re-encoded as a
// string when something in it changed. On the location stack the string's
// text is one level, a marker naming the buffer the following names point
// into (rendered as "<json>" in paths).

// jsonMarker is pathElem.start of a json_in_strings level marker; its end is
// the level's index in walker.bufs.
const jsonMarker = -2

// nested walks the string body[i:end] as JSON when its text is an object or
// an array. ok is false when it is not (then the string is plain text); end
// is -1 with w.err set when the JSON inside is nested too deep.
func (w *walker) nested(i, end int, q int32, depth int) (int, bool) {
	raw := w.body[i+1 : end-1]
	if !startsContainer(raw) {
		return 0, false
	}
	if w.scratch == nil {
		w.scratch = &spanScratch{}
	}
	sc := w.scratch
	lvl := len(w.bufs)
	for len(sc.nested) < lvl {
		sc.nested = append(sc.nested, nil)
	}
	inner := appendUnescaped(sc.nested[lvl-1][:0], raw)
	sc.nested[lvl-1] = inner
	body, out, from := w.body, w.out, w.from
	w.body, w.out, w.from = inner, nil, 0
	restore := func() {
		w.body, w.out, w.from = body, out, from
		w.bufs = w.bufs[:lvl]
	}
	// validate first, so that a string which merely starts like JSON leaves
	// no findings behind
	k := skipWS(inner, 0)
	if depth >= len(w.loc) {
		restore()
		return w.tooDeep(i), true
	}
	if e := w.scan(k, depth+1, nil); e < 0 || skipWS(inner, e) != len(inner) {
		restore()
		if errors.Is(w.err, ErrTooDeep) {
			return -1, true
		}
		w.err = nil
		return 0, false
	}
	w.bufs = append(w.bufs, inner)
	w.loc[depth] = pathElem{jsonMarker, lvl}
	w.visit(k, q, depth+1)
	changed := w.out
	if changed != nil {
		changed = append(changed, inner[w.from:]...)
	}
	restore()
	if changed != nil {
		w.cut(i, end)
		w.out = append(w.out, '"')
		w.out = appendEscapedBytes(w.out, changed)
		w.out = append(w.out, '"')
	}
	return end, true
}

// startsContainer reports whether the string content raw, after leading
// whitespace (literal or escaped), starts with '{' or '['.
func startsContainer(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ':
		case '\\':
			if i+1 >= len(raw) || raw[i+1] != 'n' && raw[i+1] != 'r' && raw[i+1] != 't' {
				return false
			}
			i++
		case '{', '[':
			return true
		default:
			return false
		}
	}
	return false
}

// appendEscapedBytes is appendEscaped for a byte slice.
func appendEscapedBytes(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			j := i + 1
			for j < len(b) && b[j] >= 0x20 && b[j] < utf8.RuneSelf && b[j] != '"' && b[j] != '\\' {
				j++
			}
			dst = append(dst, b[i:j]...)
			i = j
			continue
		}
		_, n := utf8.DecodeRune(b[i:])
		dst = appendEscaped(dst, string(b[i:i+n]))
		i += n
	}
	return dst
}
