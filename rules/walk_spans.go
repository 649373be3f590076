package rules

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Detector rules in the walk: a string or number that no whole-value rule
// decides is handed to the detectors of its state's context (detCtx); each
// span found is rewritten by the rule owning its detector.

// spanScratch holds the buffers one walker reuses for detection.
type spanScratch struct {
	spans  []detect.Span
	text   []byte   // unescaped text of a string with escapes
	st, en []int32  // by byte of text: the [start, end) of its escape or character in the raw string
	nested [][]byte // by json_in_strings level: the unescaped JSON text
	levels []uint64 // completeDocument's stack of open containers
	hints  hintCache
}

// leaf handles the string, number or literal at body[i], reached in state q
// and decided by no whole-value rule.
func (w *walker) leaf(i int, q int32, depth int) int {
	b := w.body
	ctx := &w.a.ctxs[w.a.ctx[q]]
	switch c := b[i]; {
	case c == '"':
		end, esc := scanString(b, i)
		if end < 0 {
			return w.fail(i, "invalid string")
		}
		if w.p.jsonInStrings {
			if e, ok := w.document(i, end, q, depth, nil); ok {
				return e
			}
		}
		if ctx.mask != 0 {
			w.findSpans(i, end, esc, ctx, depth, true)
		}
		return end
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(b, i)
		if !ok {
			return w.fail(end, "invalid number")
		}
		if ctx.numbers {
			var hint detect.Hint
			if mayBeLong(b[i:end]) {
				hint = w.hint(depth)
			}
			if det, ev, ok := w.p.det.MatchNumberIn(b[i:end], ctx.mask, hint); ok {
				w.number(i, end, det, ev, ctx, depth)
			}
		}
		return end
	}
	return w.scan(i, depth, nil)
}

// minHintDigits is the fewest digits a JSON number needs for its member
// names to matter: no detector takes a number of fewer under any name (a
// card has 12 or more, a phone under a phone key 7 or more).
const minHintDigits = 7

// mayBeLong reports whether the JSON number literal num may have a value of
// minHintDigits digits or more: it has an exponent, or that many bytes that
// are not a sign. Most numbers (counts, amounts, small ids) do not, and
// skip the reading of their member names.
func mayBeLong(num []byte) bool {
	if len(num) >= minHintDigits {
		return true
	}
	for _, c := range num {
		if c == 'e' || c == 'E' {
			return true
		}
	}
	return false
}

// memberName runs the detectors that apply inside the object reached in
// state q (some do, and the name is not too plain for them), but those of
// free text (freeTextDetectors: a member name is a word, not a sentence,
// and the names of every object pass here), over the name of
// its member at body[ks:ke] ("users": {"alice@example.com": …} keys a map by
// the value itself). When they find something the location stack holds a
// placeholder instead of the name, so that no report path below spells it,
// and, unless the member is being removed anyway (rewrite false), the name
// is rewritten like a string value.
func (w *walker) memberName(ks, ke int, esc bool, q int32, depth int, rewrite bool) {
	ctx := &w.a.ctxs[w.a.ctx[q]]
	if !rewrite {
		if len(w.find(w.text(ks, ke, esc), ctx.mask&w.p.nameMask, 0, nil, ks)) > 0 {
			w.loc[depth] = pathElem{detectedName, 0}
		}
		return
	}
	w.loc[depth] = pathElem{detectedName, 0} // the name's own findings are reported at the placeholder
	if !w.findSpans(ks, ke, esc, ctx, depth+1, false) {
		w.loc[depth] = pathElem{ks + 1, ke - 1}
	}
}

// find runs the detectors of m over text, the string at body[at:] under
// member names of the classes of hint, charging their work to the body's
// meter; past the budget it records ErrWorkBudget (the body fails) and finds
// nothing more.
func (w *walker) find(text []byte, m detect.Mask, hint detect.Hint, dst []detect.Span, at int) []detect.Span {
	base := len(dst)
	dst = w.p.det.FindStringAt(text, m, hint, &w.meter, dst)
	if w.meter.Exhausted() {
		if w.err == nil {
			w.setErr(ErrWorkBudget, "the content detectors passed "+strconv.Itoa(w.meter.Limit)+" steps", at)
		}
		return dst[:base]
	}
	return dst
}

// text returns the content of the string body[i:end], unescaped when esc
// (into the walker's scratch, valid until the next call).
func (w *walker) text(i, end int, esc bool) []byte {
	raw := w.body[i+1 : end-1]
	if !esc {
		return raw
	}
	if w.scratch == nil {
		w.scratch = &spanScratch{}
	}
	return w.scratch.unescape(raw)
}

// findSpans runs the detectors of ctx over the string body[i:end] and
// rewrites each span found that some rule of ctx takes (select.evidence);
// it reports whether the detectors found any. Detectors see the unescaped
// text, and for a value (not a member name) the hint of the member names it
// sits under; a span maps back to whole escapes and characters of the raw
// string.
func (w *walker) findSpans(i, end int, esc bool, ctx *detCtx, depth int, value bool) bool {
	if w.scratch == nil {
		w.scratch = &spanScratch{}
	}
	sc := w.scratch
	raw := w.body[i+1 : end-1]
	text := raw
	if esc {
		text = sc.unescape(raw)
	}
	mask, hint := ctx.mask, detect.Hint(0)
	switch {
	case !value:
		mask &= w.p.nameMask
	case !w.p.det.Plain(text, mask):
		hint = w.hint(depth)
	}
	sc.spans = w.find(text, mask, hint, sc.spans[:0], i)
	if len(w.carried) > 0 {
		sc.spans = w.withCarried(raw, ctx, sc.spans)
	}
	for _, sp := range sc.spans {
		r := ctx.ruleFor(sp.Detector, sp.Evidence)
		if r == noRule {
			continue // no rule takes the span on this evidence
		}
		ru := &w.p.rules[r]
		if ru.act.kind == actKeep {
			continue
		}
		w.record(r, sp.Detector, sp.Evidence, depth)
		if ru.shadow {
			continue
		}
		s, e := sp.Start, sp.End
		if esc {
			s, e = int(sc.st[s]), int(sc.en[e-1])
		}
		w.cut(i+1+s, i+1+e)
		w.out = ru.act.rw.text(w.out, raw[s:e], &w.pad)
		w.settle(r, depth)
	}
	return len(sc.spans) > 0
}

// number rewrites the number body[i:end], found whole by detector det on
// evidence ev.
func (w *walker) number(i, end, det int, ev detect.Evidence, ctx *detCtx, depth int) {
	r := ctx.ruleFor(det, ev)
	if r == noRule {
		return
	}
	ru := &w.p.rules[r]
	if ru.act.kind == actKeep {
		return
	}
	w.record(r, det, ev, depth)
	if !ru.shadow {
		w.rewrite(ru.act.rw, i, end)
		w.settle(r, depth)
	}
}

// record counts one value or span acted on by rule r (found by detector
// det on evidence ev, or wholeValue) at the current location.
func (w *walker) record(r, det int, ev detect.Evidence, depth int) {
	w.t.add(len(w.p.rules), r, det, ev, w.bufs, w.loc[:depth])
}

// maxHintNames and maxHintSteps bound what hint reads of the location
// stack: at most 3 member names, and 16 entries in all (array elements
// and json_in_strings markers included).
const (
	maxHintNames = 3
	maxHintSteps = 16
)

// hint returns what the member names the value at the current location
// sits under say about it (hintOf over w.loc[:depth]). The walk asks only
// for a value it hands to the detectors.
func (w *walker) hint(depth int) detect.Hint {
	if w.scratch == nil {
		w.scratch = &spanScratch{}
	}
	return hintOf(w.bufs, w.loc[:depth], &w.scratch.hints)
}

// hintOf returns the classes (detect.KeyHint) of the nearest member name on
// the location stack loc that says more than detect.HintGeneric ("value",
// "number"), looking past array elements ({"phones": [4155552671]}) and the
// strings walked as JSON (json_in_strings), and past generic names to their
// parent ({"phone": {"number": 4155552671}}). A name of no class ends the
// search (no hint), as does a member name a detector found something in.
// Names are read unescaped ("\u0070hone" is phone). bufs are the walk's
// buffers (walker.bufs), the last one being the one the top of the stack
// points into.
func hintOf(bufs [][]byte, loc []pathElem, c *hintCache) detect.Hint {
	lvl := len(bufs) - 1
	names := 0
	for j := len(loc) - 1; j >= 0 && j >= len(loc)-maxHintSteps && names < maxHintNames; j-- {
		e := loc[j]
		switch e.start {
		case arrayElement:
			continue
		case jsonMarker:
			lvl = e.end - 1
			continue
		case detectedName:
			return 0
		}
		names++
		if h := c.keyHint(bufs[lvl][e.start:e.end]); h != detect.HintGeneric {
			return h
		}
	}
	return 0
}

// hintCache remembers the hints of member names read before, by raw
// spelling, in a small table indexed by a hash of the name: the values of
// an array of like objects ("content" in each message, "id", "user_id",
// "ts" in each event) cost a comparison each. It holds the scratch for
// unescaping a name.
type hintCache struct {
	keys [hintCacheSize][maxCachedHintName]byte
	lens [hintCacheSize]uint8 // 0: empty (an empty name is not cached)
	vals [hintCacheSize]detect.Hint
	name []byte
}

// hintCacheSize is the number of names hintCache holds (a power of two);
// maxCachedHintName bounds their (raw) length.
const (
	hintCacheSize     = 16
	maxCachedHintName = 24
)

// keyHint returns detect.KeyHint of the member name raw (validated string
// content, unescaped first when it holds escapes).
func (c *hintCache) keyHint(raw []byte) detect.Hint {
	n := len(raw)
	slot := -1
	if n > 0 && n <= maxCachedHintName {
		slot = (n*31 + int(raw[0]) + 7*int(raw[n-1])) & (hintCacheSize - 1)
		if int(c.lens[slot]) == n && string(c.keys[slot][:n]) == string(raw) {
			return c.vals[slot]
		}
	}
	name := raw
	if bytes.IndexByte(raw, '\\') >= 0 {
		c.name = appendUnescaped(c.name[:0], raw)
		name = c.name
	}
	h := detect.KeyHint(name)
	if slot >= 0 {
		copy(c.keys[slot][:], raw)
		c.lens[slot], c.vals[slot] = uint8(n), h
	}
	return h
}

// unescape decodes validated string content raw into sc.text, recording for
// each decoded byte the raw bytes (a whole escape or character) it came from.
func (sc *spanScratch) unescape(raw []byte) []byte {
	sc.text, sc.st, sc.en = sc.text[:0], sc.st[:0], sc.en[:0]
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' {
			// A run of plain ASCII decodes to itself, one byte per byte.
			i = detect.AppendASCII(&sc.text, &sc.st, &sc.en, raw, i, '\\')
			continue
		}
		r, n := nextRune(raw, i)
		before := len(sc.text)
		if n == 1 && r == utf8.RuneError {
			sc.text = append(sc.text, raw[i])
		} else {
			sc.text = utf8.AppendRune(sc.text, r)
		}
		for range len(sc.text) - before {
			sc.st = append(sc.st, int32(i))
			sc.en = append(sc.en, int32(i+n))
		}
		i += n
	}
	return sc.text
}
