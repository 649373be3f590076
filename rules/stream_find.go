package rules

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Finding the texts of a record that stream_text selects, and the key that
// ties each to the texts of the records before it.

// textRef is a string value of a record that a stream_text selector
// selects: the string token rec[start:end] (quotes included), and its key.
type textRef struct {
	start, end int
	esc        bool
	key        []byte
	hint       detect.Hint // what the member names above it say (walker.hint)
}

// idMembers are the members whose values tell apart the texts sent in
// parallel over one stream: OpenAI's choices and tool calls (index),
// Anthropic's content blocks (index), the Responses API's output items,
// content parts and reasoning summaries (output_index, content_index,
// summary_index, item_id), Gemini's candidates (index).
var idMembers = []string{"index", "output_index", "content_index", "summary_index", "item_id"}

// textFinder walks one record for the values of the stream_text selectors.
type textFinder struct {
	sels  []textSelector
	rec   []byte
	texts []textRef
	path  []byte // the concrete path of the current value
	depth int    // the nesting allowed (Program.maxDepth)
	fold  [maxNameLen]byte
	names []span // the raw member names (rec[off:off+n]) along the path
	name  []byte // scratch: an escaped member name, unescaped for its hint
}

// find returns the texts of rec (in order), none when rec is not valid JSON
// or nests too deep (Apply then says why). The texts' keys reuse the
// storage of f.texts.
func (f *textFinder) find(rec []byte) []textRef {
	f.rec, f.texts, f.path, f.names = rec, f.texts[:0], f.path[:0], f.names[:0]
	i := skipWS(rec, 0)
	if i >= len(rec) {
		return nil
	}
	all := uint64(1)<<len(f.sels) - 1
	end := f.value(i, all, 0)
	if end < 0 || skipWS(rec, end) != len(rec) {
		return nil
	}
	return f.texts
}

// value walks the value at rec[i], reached at depth by the selectors in
// mask (those whose first depth steps match its path); it returns the
// offset after it, or -1.
func (f *textFinder) value(i int, mask uint64, depth int) int {
	b := f.rec
	if i >= len(b) {
		return -1
	}
	deeper := uint64(0) // the selectors that go on below this value
	for k := range f.sels {
		if mask&(1<<k) == 0 {
			continue
		}
		if len(f.sels[k].steps) > depth {
			deeper |= 1 << k
		} else if b[i] == '"' {
			end, esc := scanString(b, i)
			if end < 0 {
				return -1
			}
			f.add(i, end, esc)
			return end
		}
	}
	switch c := b[i]; {
	case deeper == 0 || c != '{' && c != '[':
		return skipValue(b, i, f.depth-depth)
	case depth >= f.depth:
		return -1
	case c == '{':
		return f.object(i, deeper, depth)
	}
	return f.array(i, deeper, depth)
}

// add records the string rec[start:end] as a text at the current path.
func (f *textFinder) add(start, end int, esc bool) {
	n := len(f.texts)
	if n < cap(f.texts) {
		f.texts = f.texts[:n+1]
	} else {
		f.texts = append(f.texts, textRef{})
	}
	t := &f.texts[n]
	t.start, t.end, t.esc = start, end, esc
	t.key = append(t.key[:0], f.path...)
	t.hint = f.hint()
}

// hint returns what the member names above the current value say about it,
// as walker.hint reads the walk's location stack: the classes of the
// nearest of the last maxHintNames names that says more than
// detect.HintGeneric.
func (f *textFinder) hint() detect.Hint {
	for j := len(f.names) - 1; j >= 0 && j >= len(f.names)-maxHintNames; j-- {
		raw := f.rec[f.names[j].off : f.names[j].off+f.names[j].n]
		if bytes.IndexByte(raw, '\\') >= 0 {
			f.name = appendUnescaped(f.name[:0], raw)
			raw = f.name
		}
		if h := detect.KeyHint(raw); h != detect.HintGeneric {
			return h
		}
	}
	return 0
}

// object walks the object at rec[i]; the texts found inside it get the
// values of its identifying members (idMembers) added to their keys.
func (f *textFinder) object(i int, mask uint64, depth int) int {
	b := f.rec
	first := len(f.texts)
	pathLen := len(f.path)
	var ids [8]int // start offsets of identifying members' values (name at ids[k]-…)
	nids := 0
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		ks := i
		ke, esc := scanString(b, i)
		if ke < 0 {
			return -1
		}
		name, over := f.foldName(b[i+1:ke-1], esc)
		if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
			return -1
		}
		if i = skipWS(b, i+1); i >= len(b) {
			return -1 // the record ends after a member's colon
		}
		next := uint64(0)
		for k := range f.sels {
			if mask&(1<<k) != 0 && f.sels[k].steps[depth].matchesName(name, over) {
				next |= 1 << k
			}
		}
		isID := !over && nids < len(ids) && b[i] != '{' && b[i] != '[' && contains(idMembers, string(name))
		var end int
		if next != 0 {
			f.path = append(append(append(f.path[:pathLen], '.'), name...), 0)
			f.names = append(f.names, span{ks + 1, ke - 1 - (ks + 1)})
			end = f.value(i, next, depth+1)
			f.path = f.path[:pathLen]
			f.names = f.names[:len(f.names)-1]
		} else {
			end = skipValue(b, i, f.depth-depth-1)
		}
		if end < 0 {
			return -1
		}
		if isID {
			ids[nids] = i
			nids++
		}
		if i = skipWS(b, end); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i >= len(b) || b[i] != '}' {
			return -1
		}
		f.idsTo(first, ids[:nids])
		return i + 1
	}
}

// foldName returns the path form of the member name raw (string content),
// in f.fold, and whether it did not fit.
func (f *textFinder) foldName(raw []byte, esc bool) ([]byte, bool) {
	if !esc && len(raw) <= len(f.fold) {
		n := 0
		for _, c := range raw {
			if c >= utf8.RuneSelf {
				n = -1
				break
			}
			if m := asciiForms[1][c]; m != 0 {
				f.fold[n] = m
				n++
			}
		}
		if n >= 0 {
			return f.fold[:n], false
		}
	}
	buf := formBuf{b: f.fold[:0]}
	fd := folder{foldCase: true, path: &buf}
	fd.raw(raw, esc)
	return buf.b, buf.over
}

// idsTo adds the identifying members whose values start at ids to the keys
// of the texts from first on.
func (f *textFinder) idsTo(first int, ids []int) {
	for _, v := range ids {
		end := skipValue(f.rec, v, 0)
		for k := first; k < len(f.texts); k++ {
			t := &f.texts[k]
			t.key = append(append(append(t.key, '{'), f.rec[v:end]...), '}')
		}
	}
}

// array walks the array at rec[i].
func (f *textFinder) array(i int, mask uint64, depth int) int {
	b := f.rec
	pathLen := len(f.path)
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		next := uint64(0)
		for k := range f.sels {
			if mask&(1<<k) != 0 && f.sels[k].steps[depth].matchesIndex(n) {
				next |= 1 << k
			}
		}
		var end int
		if next != 0 {
			f.path = strconv.AppendInt(append(f.path[:pathLen], '['), int64(n), 10)
			end = f.value(i, next, depth+1)
			f.path = f.path[:pathLen]
		} else {
			end = skipValue(b, i, f.depth-depth-1)
		}
		if end < 0 {
			return -1
		}
		if i = skipWS(b, end); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i >= len(b) || b[i] != ']' {
			return -1
		}
		return i + 1
	}
}

// matchesName reports whether the step selects a member of this folded
// name (over: the name did not fit, so it equals no configured name).
func (st *step) matchesName(name []byte, over bool) bool {
	return st.kind == stepWild || st.kind == stepName && !over && st.name == string(name)
}

// matchesIndex reports whether the step selects the element at index n.
func (st *step) matchesIndex(n int) bool {
	return st.kind == stepWild || st.kind == stepIndex && st.index == n
}
