package rules

import (
	"fmt"
	"unicode/utf8"
)

// JSON inside strings (`json_in_strings: true`): a string value whose text is
// a complete JSON document is walked as JSON from the string's own automaton
// state, so paths, keys and detectors reach inside it, and is re-encoded as a
// string when something in it changed. On the location stack the string's
// text is one level, a marker naming the buffer the following names point
// into (rendered as "<json>" in paths).
//
// A document is an object, an array, or a JSON string whose own text starts
// like a document (double encoding), after any whitespace and byte order
// marks, each character spelled literally or escaped ("\u007b", "\u0020",
// "\ufeff"), and followed by nothing but whitespace. Text that only starts
// like a document stays text; a complete document that breaks a limit of the
// walk (depth) fails the body, since walking it as text would let the values
// past the limit through unread.

// document walks the string body[i:end] as JSON in state q when its text is
// a complete document or, with rw set (mask on the string or a container
// around it), rewrites every string and number inside it with rw, so that
// the document stays one. ok is false when the text is not a document (then
// the string is plain text); end is walkFailed with w.err set when the
// document breaks a limit.
func (w *walker) document(i, end int, q int32, depth int, rw rewriter) (int, bool) {
	raw := w.body[i+1 : end-1]
	if !likelyDocument(raw) {
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
	k := skipDocSpace(inner)
	if inner[k] == '"' {
		// a JSON-encoded string counts only when it holds a document in turn
		if e, _ := scanString(inner, k); e < 0 || skipWS(inner, e) != len(inner) || !startsDocument(inner[k+1:e-1]) {
			return 0, false
		}
	}
	body, out, from := w.body, w.out, w.from
	if depth >= len(w.loc) {
		if !completeDocument(inner[k:], &sc.levels) {
			return 0, false
		}
		return w.tooDeep(i), true
	}
	// A failure inside is a limit when the text is a complete document (the
	// scanners reject nothing else in one), else the text is plain text.
	// The error names the string, as its offsets are inside the text.
	fail := func() (int, bool) {
		w.body, w.out, w.from = body, out, from
		w.bufs = w.bufs[:lvl]
		if !completeDocument(inner[k:], &sc.levels) {
			w.err = nil
			return 0, false
		}
		switch {
		case w.err == &w.errv:
			w.errv.in = append(w.errv.in, i)
		case w.err != nil:
			w.err = fmt.Errorf("%w (in the JSON document held in the string at offset %d)", w.err, i)
		}
		return walkFailed, true
	}
	w.body, w.out, w.from = inner, nil, 0
	w.bufs = append(w.bufs, inner) // before scan, which with rw walks documents inside
	w.loc[depth] = pathElem{jsonMarker, lvl}
	// validate first, so that a string which merely starts like JSON leaves
	// no findings behind (with rw, scan validates and rewrites at once)
	if e := w.scan(k, depth+1, rw); e < 0 || skipWS(inner, e) != len(inner) {
		return fail()
	}
	if rw == nil && w.visit(k, q, depth+1) < 0 {
		return fail() // a limit in a document held in a string in this one
	}
	changed := w.out
	if changed != nil {
		changed = append(changed, inner[w.from:]...)
	}
	w.body, w.out, w.from = body, out, from
	w.bufs = w.bufs[:lvl]
	if changed != nil {
		w.cut(i, end)
		w.out = append(w.out, '"')
		w.out = appendEscapedBytes(w.out, changed)
		w.out = append(w.out, '"')
	}
	return end, true
}

// docStart returns the offset in the string content raw (escaped) of its
// first character other than whitespace and byte order marks when that is
// '{', '[' or '"', spelled literally or escaped, and notDocument otherwise.
func docStart(raw []byte) int {
	for i := 0; i < len(raw); {
		switch raw[i] {
		case '{', '[':
			return i
		case ' ':
			i++
			continue
		case '\\', bom[0]: // an escape or a byte order mark: decode below
		default:
			return notDocument // most strings: text from the first byte
		}
		r, n := nextRune(raw, i)
		switch r {
		case ' ', '\t', '\n', '\r', '\uFEFF':
			i += n
		case '{', '[', '"':
			return i
		default:
			return notDocument
		}
	}
	return notDocument
}

// notDocument is docStart's result for a string that does not start like a
// document.
const notDocument = -1

// startsDocument reports whether the string content raw (escaped) starts
// like a document.
func startsDocument(raw []byte) bool { return docStart(raw) != notDocument }

// likelyDocument reports whether the string content raw (escaped) starts
// like a document and, when that start is a quotation mark, whether the JSON
// string it opens ends at raw's end (whitespace aside). It tells a string
// encoded twice from text that opens with a quotation ("\"Hi,\" he said")
// without decoding the text.
func likelyDocument(raw []byte) bool {
	i := docStart(raw)
	if i < 0 {
		return false
	}
	r, n := nextRune(raw, i)
	if r != '"' {
		return true
	}
	for i += n; i < len(raw); {
		r, n = nextRune(raw, i)
		i += n
		switch r {
		case '\\': // the escaped character cannot end the string
			if i < len(raw) {
				_, n = nextRune(raw, i)
				i += n
			}
		case '"':
			for i < len(raw) {
				r, n = nextRune(raw, i)
				if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
					return false
				}
				i += n
			}
			return true
		}
	}
	return false
}

// bom is U+FEFF in UTF-8.
const bom = "\uFEFF"

// skipDocSpace returns the offset of the first byte of unescaped text b that
// is neither JSON whitespace nor part of a byte order mark.
func skipDocSpace(b []byte) int {
	i := skipWS(b, 0)
	for len(b)-i >= len(bom) && string(b[i:i+len(bom)]) == bom {
		i = skipWS(b, i+len(bom))
	}
	return i
}

// completeDocument reports whether b is one JSON value followed by nothing
// but whitespace, at any depth: it tells a document that breaks the walk's
// depth limit from text that only starts like one. levels is a reusable
// stack, one bit per open container (set for an object).
func completeDocument(b []byte, levels *[]uint64) bool {
	stack := (*levels)[:0]
	defer func() { *levels = stack[:0] }()
	open := 0 // containers open
	i := skipWS(b, 0)
	for {
		// a value at b[i]
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if open/64 == len(stack) {
				stack = append(stack, 0)
			}
			if c == '{' {
				stack[open/64] |= 1 << (open % 64)
			} else {
				stack[open/64] &^= 1 << (open % 64)
			}
			open++
			if i = skipWS(b, i+1); i < len(b) && (b[i] == '}' && c == '{' || b[i] == ']' && c == '[') {
				open--
				i++
				break
			}
			if c == '{' {
				if i = memberValue(b, i); i < 0 {
					return false
				}
			}
			continue
		case c == '"':
			if i, _ = scanString(b, i); i < 0 {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			var ok bool
			if i, ok = scanNumber(b, i); !ok {
				return false
			}
		default:
			var ok bool
			if i, ok = scanLiteral(b, i); !ok {
				return false
			}
		}
		// after a value: close containers until a comma or the end
		for {
			i = skipWS(b, i)
			if open == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			obj := stack[(open-1)/64]&(1<<((open-1)%64)) != 0
			if b[i] == ',' {
				i = skipWS(b, i+1)
				if obj {
					if i = memberValue(b, i); i < 0 {
						return false
					}
				}
				break
			}
			if obj && b[i] != '}' || !obj && b[i] != ']' {
				return false
			}
			open--
			i++
		}
	}
}

// memberValue scans the member name and colon at b[i] and returns the offset
// of the value after them, or badInput.
func memberValue(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return badInput
	}
	if i, _ = scanString(b, i); i < 0 {
		return badInput
	}
	if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
		return badInput
	}
	return skipWS(b, i+1)
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
