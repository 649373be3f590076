package rules

import (
	"bytes"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Spans a stream's carry found before Apply (stream_text): a text carried
// across records is read joined with the next piece, and also, as if it
// ended there, alone; a value found either way is replaced. The carry
// hands Apply, through Input, the strings of the record it found spans in
// when reading them alone; the walk replaces those spans too, merged with
// the ones it finds itself. A string is told by its raw content, which
// survives the views Apply may take of the record (minimize); another
// string of the record with the same content gets the same spans, which
// reading it alone finds too.

// carriedText is a string of a record and the spans the carry found in it
// (in its unescaped text, as the detectors report them).
type carriedText struct {
	raw   []byte // the string's raw content, without its quotes
	spans []detect.Span
}

// withCarried adds to spans, the detectors' findings in the string whose
// raw content is raw, the carried spans of that string that ctx's
// detectors may find, and merges the overlapping ones: a merged span
// covers them all and is rewritten by the rule of its first span that
// does not keep (on the span's evidence). It returns spans in order of start, without overlaps.
func (w *walker) withCarried(raw []byte, ctx *detCtx, spans []detect.Span) []detect.Span {
	added := false
	for _, ct := range w.carried {
		if !bytes.Equal(ct.raw, raw) {
			continue
		}
		for _, sp := range ct.spans {
			if ctx.mask&(detect.Mask(1)<<sp.Detector) != 0 {
				spans = append(spans, sp)
				added = true
			}
		}
	}
	if !added {
		return spans
	}
	// insertion sort by start, longest first: a handful of spans
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spanBefore(spans[j], spans[j-1]); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	n := 0
	for i := 0; i < len(spans); {
		m := spans[i]
		lead := w.acts(ctx, m)
		for i++; i < len(spans) && spans[i].Start < m.End; i++ {
			m.End = max(m.End, spans[i].End)
			if !lead && w.acts(ctx, spans[i]) {
				m.Detector, m.Evidence, lead = spans[i].Detector, spans[i].Evidence, true
			}
		}
		spans[n] = m
		n++
	}
	return spans[:n]
}

// acts reports whether a rule of ctx takes span sp (on its evidence) and
// does not keep it.
func (w *walker) acts(ctx *detCtx, sp detect.Span) bool {
	r := ctx.ruleFor(sp.Detector, sp.Evidence)
	return r != noRule && w.p.rules[r].act.kind != actKeep
}

// spanBefore orders spans by start, the longer first.
func spanBefore(a, b detect.Span) bool {
	return a.Start < b.Start || a.Start == b.Start && a.End > b.End
}
