package rules

import (
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
			w.findSpans(i, end, esc, ctx, depth)
		}
		return end
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(b, i)
		if !ok {
			return w.fail(end, "invalid number")
		}
		if ctx.numbers {
			if det, _, ok := w.p.det.MatchNumberIn(b[i:end], ctx.mask, 0); ok {
				w.number(i, end, det, ctx, depth)
			}
		}
		return end
	}
	return w.scan(i, depth, nil)
}

// memberName runs the detectors that apply inside the object reached in
// state q (some do, and the name is not too plain for them) over the name of
// its member at body[ks:ke] ("users": {"alice@example.com": …} keys a map by
// the value itself). When they find something the location stack holds a
// placeholder instead of the name, so that no report path below spells it,
// and, unless the member is being removed anyway (rewrite false), the name
// is rewritten like a string value.
func (w *walker) memberName(ks, ke int, esc bool, q int32, depth int, rewrite bool) {
	ctx := &w.a.ctxs[w.a.ctx[q]]
	if !rewrite {
		if len(w.find(w.text(ks, ke, esc), ctx.mask, nil, ks)) > 0 {
			w.loc[depth] = pathElem{detectedName, 0}
		}
		return
	}
	w.loc[depth] = pathElem{detectedName, 0} // the name's own findings are reported at the placeholder
	if !w.findSpans(ks, ke, esc, ctx, depth+1) {
		w.loc[depth] = pathElem{ks + 1, ke - 1}
	}
}

// find runs the detectors of m over text, the string at body[at:], charging
// their work to the body's meter; past the budget it records ErrWorkBudget
// (the body fails) and finds nothing more.
func (w *walker) find(text []byte, m detect.Mask, dst []detect.Span, at int) []detect.Span {
	base := len(dst)
	dst = w.p.det.FindStringMetered(text, m, &w.meter, dst)
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
// rewrites each span found; it reports whether there were any. Detectors see
// the unescaped text; a span maps back to whole escapes and characters of
// the raw string.
func (w *walker) findSpans(i, end int, esc bool, ctx *detCtx, depth int) bool {
	if w.scratch == nil {
		w.scratch = &spanScratch{}
	}
	sc := w.scratch
	raw := w.body[i+1 : end-1]
	text := raw
	if esc {
		text = sc.unescape(raw)
	}
	sc.spans = w.find(text, ctx.mask, sc.spans[:0], i)
	if len(w.carried) > 0 {
		sc.spans = w.withCarried(raw, ctx, sc.spans)
	}
	for _, sp := range sc.spans {
		r := int(ctx.rule[sp.Detector])
		ru := &w.p.rules[r]
		if ru.act.kind == actKeep {
			continue
		}
		w.record(r, sp.Detector, depth)
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

// number rewrites the number body[i:end], found whole by detector det.
func (w *walker) number(i, end, det int, ctx *detCtx, depth int) {
	r := int(ctx.rule[det])
	ru := &w.p.rules[r]
	if ru.act.kind == actKeep {
		return
	}
	w.record(r, det, depth)
	if !ru.shadow {
		w.rewrite(ru.act.rw, i, end)
		w.settle(r, depth)
	}
}

// record counts one value or span acted on by rule r (found by detector
// det, or wholeValue) at the current location.
func (w *walker) record(r, det, depth int) {
	w.t.add(len(w.p.rules), r, det, w.bufs, w.loc[:depth])
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
