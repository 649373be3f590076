package rules

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Apply rewrites body according to the rules that apply to in.Direction, in
// one pass over its bytes (two when enforcing and shadow rules mix, see
// walk_shadow.go). Bytes no rule changes are copied verbatim; when nothing
// changes, out is body itself and Apply allocates nothing.
//
// Apply validates the whole body: for invalid JSON it returns an error
// wrapping ErrInvalidJSON, for nesting deeper than Options.MaxDepth one
// wrapping ErrTooDeep (also inside a JSON document held in a string, with
// json_in_strings), and no output in both cases. An empty body is invalid.
func (p *Program) Apply(body []byte, in Input) (out []byte, rep Report, err error) {
	a, shadow := p.automatonFor(in.Direction), p.shadowFor(in.Direction)
	if a == nil {
		return nil, Report{}, fmt.Errorf("rules: unknown direction %d", in.Direction)
	}
	w := p.pool.get(p)
	var mins []Minimized
	if len(p.atoms) > 0 || len(p.minimize) > 0 {
		if a, shadow, body, mins, err = p.view(w, body, in); err != nil {
			p.pool.put(w)
			return nil, Report{}, err
		}
	}
	if !a.live && shadow.live { // only shadow rules: one pass
		a, shadow = shadow, nil
	}
	w.a, w.body, w.carried = a, body, in.carried
	w.meter.Limit = p.WorkBudget(len(body))
	w.pad.meter = &w.meter
	w.t.meter = &w.meter
	w.bufs = append(w.bufs, body)
	end := w.root()
	if end >= 0 && w.err == nil && shadow != nil && shadow.live {
		end = w.shadowPass(shadow)
	}
	if end < 0 || w.err != nil {
		// an error recorded anywhere fails the body, even when the walk
		// went on past the place that recorded it
		err = w.returnedErr()
		if err == nil {
			err = fmt.Errorf("%w: walk stopped without an error", ErrInvalidJSON)
		}
	} else {
		out = body
		if w.out != nil {
			out = append(w.out, body[w.from:]...)
		}
		rep = w.t.report(p)
		rep.Minimized = mins
	}
	p.pool.put(w)
	return out, rep, err
}

// walkerPool recycles walkers (and their location stacks) across calls.
type walkerPool struct{ sync.Pool }

func (wp *walkerPool) get(p *Program) *walker {
	if w, ok := wp.Get().(*walker); ok {
		return w
	}
	return &walker{p: p, loc: make([]pathElem, p.maxDepth), t: tally{names: p.names}}
}

func (wp *walkerPool) put(w *walker) {
	t := w.t
	t.reset()
	clear(w.bufs[:cap(w.bufs)]) // drop references to bodies
	clear(w.cond.elems[:cap(w.cond.elems)])
	*w = walker{p: w.p, loc: w.loc, t: t, bufs: w.bufs[:0], scratch: w.scratch, errv: walkError{in: w.errv.in[:0]}, vals: w.vals, key: w.key,
		cond: condScratch{slots: w.cond.slots, hslots: w.cond.hslots, elems: w.cond.elems[:0], caseBuf: w.cond.caseBuf},
		pad:  scratchpad{plain: w.pad.plain[:0], work: w.pad.work[:0]}}
	wp.Put(w)
}

// walker holds the state of one Apply.
type walker struct {
	p    *Program
	a    *automaton
	body []byte
	out  []byte // nil until the first change
	from int    // body[from:] is not yet copied to out
	loc  []pathElem
	t    tally
	err  error
	errv walkError // the storage of err when the walk itself failed (see setErr)
	// meter counts the content detectors' work on this body (WorkBudget)
	meter detect.Meter
	// bufs[0] is the body; bufs[n] the unescaped text of the JSON string
	// walked at json_in_strings nesting level n (see appendPath)
	bufs    [][]byte
	scratch *spanScratch  // buffers for detectors, allocated on first use
	carried []carriedText // spans to replace besides the detectors' (walk_carried.go)
	pad     scratchpad    // the rewriters' working memory and failure counts

	exBuf, normBuf [maxNameLen]byte
	// conditions: the atoms' values and the active-rules key (program_cond.go)
	vals []tri
	key  []byte
	cond condScratch
}

// root walks the top-level value and checks nothing follows it.
func (w *walker) root() int {
	i := skipWS(w.body, 0)
	if i >= len(w.body) {
		return w.fail(i, "empty body")
	}
	end := w.visit(i, w.a.start, 0)
	if end < 0 {
		return end
	}
	if end = skipWS(w.body, end); end != len(w.body) {
		return w.fail(end, "unexpected data after the top-level value")
	}
	return end
}

// walkFailed is the end offset a step of the walk returns when it failed;
// w.err says why.
const walkFailed = -1

// fail records an invalid-JSON error at off (unless one is recorded) and
// returns walkFailed.
func (w *walker) fail(off int, msg string) int {
	if w.err == nil {
		w.setErr(ErrInvalidJSON, msg, off)
	}
	return walkFailed
}

// tooDeep records that the value at off nests deeper than the limit and
// returns walkFailed.
func (w *walker) tooDeep(off int) int {
	w.setErr(ErrTooDeep, "", off)
	return walkFailed
}

// outSlack is the room the output gets beyond the body's length when it is
// first allocated, for replacements longer than what they replace.
const outSlack = 64

// cut copies the unchanged bytes before start to the output and drops
// body[start:end]; the caller appends any replacement.
func (w *walker) cut(start, end int) {
	if w.out == nil {
		w.out = make([]byte, 0, len(w.body)+outSlack)
	}
	w.out = append(w.out, w.body[w.from:start]...)
	w.from = end
}

// visit handles the value at body[i], reached in state q with depth labels
// on the location stack.
func (w *walker) visit(i int, q int32, depth int) int {
	if r := w.a.decide[q]; r != noRule {
		return w.decided(i, int(r), depth)
	}
	if w.a.dead[q] {
		return w.scan(i, depth, nil)
	}
	switch w.body[i] {
	case '{':
		return w.object(i, q, depth)
	case '[':
		return w.array(i, q, depth)
	}
	return w.leaf(i, q, depth)
}

// decided applies rule r to the value at body[i]. Removal is done by the
// enclosing container (see drops); here a remove rule is in shadow mode.
func (w *walker) decided(i, r, depth int) int {
	ru := &w.p.rules[r]
	c := w.body[i]
	reveal := ru.act.kind == actReveal
	switch {
	case ru.act.kind == actKeep:
		return w.scan(i, depth, nil)
	case reveal && ru.shadow:
		// count the tokens it would open, change nothing
		end := w.scan(i, depth, nil)
		if end >= 0 {
			w.pad.work = ru.act.rw.text(w.pad.work[:0], w.body[i:end], &w.pad)
			w.checkBudget(i)
			w.settle(r, depth)
		}
		return end
	case ru.act.leafwise() && (c == '{' || c == '[' || c == '"' && w.p.jsonInStrings):
		// mask and the stand-ins reach every string and number inside,
		// also inside a document held in a string (json_in_strings)
		if !reveal {
			w.record(r, wholeValue, 0, depth)
		}
		if ru.shadow {
			return w.scan(i, depth, nil)
		}
		end := w.scan(i, depth, ru.act.rw)
		w.settle(r, depth)
		return end
	}
	end := w.scan(i, depth, nil)
	if end < 0 || ru.act.leafwise() && (c == 't' || c == 'f' || c == 'n') {
		return end // nothing to mask in true, false, null
	}
	if !reveal {
		w.record(r, wholeValue, 0, depth)
	}
	if !ru.shadow && ru.act.rw != nil {
		w.rewrite(ru.act.rw, i, end)
		w.settle(r, depth)
	}
	return end
}

// rewrite replaces the scalar body[i:end] by rw's replacement; a
// conditional rewriter leaves the values it does not touch as they are.
func (w *walker) rewrite(rw rewriter, i, end int) {
	if c, ok := rw.(conditional); ok && !c.touches(w.body[i:end]) {
		return
	}
	w.cut(i, end)
	w.out = rw.value(w.out, w.body[i:end], &w.pad)
	w.checkBudget(i)
}

// checkBudget fails the body with ErrWorkBudget when a rewriter (reveal)
// ran past the work budget at body[i].
func (w *walker) checkBudget(i int) {
	if w.pad.overBudget && w.err == nil {
		w.setErr(ErrWorkBudget, "reveal passed "+strconv.Itoa(w.meter.Limit)+" steps opening tokens", i)
	}
}

// settle books what the rewriters of rule r counted in w.pad since the
// last call: the tokens reveal found (each one a finding at the current
// location) and the values or tokens they could not act on.
func (w *walker) settle(r, depth int) {
	for ; w.pad.found > 0; w.pad.found-- {
		w.record(r, wholeValue, 0, depth)
	}
	if w.pad.failed > 0 {
		w.t.fail(len(w.p.rules), r, w.pad.failed)
		w.pad.failed = 0
	}
}

// noComma is the offset of the comma before the first member or element of
// a container, which has none.
const noComma = -1

// remove drops the value at body[i], with its member name at start (or the
// element starting there) and the comma before it at sep (noComma for the
// first).
func (w *walker) remove(i, r, depth, start, sep int) int {
	end := w.scan(i, depth, nil)
	if end < 0 {
		return end
	}
	w.record(r, wholeValue, 0, depth)
	if sep != noComma {
		start = sep
	}
	w.cut(start, end)
	return end
}

// drops returns the rule that removes the values reached in state q, or
// noRule (also for a remove rule in shadow mode, which decided handles).
func (w *walker) drops(q int32) int {
	r := w.a.decide[q]
	if r != noRule && w.p.rules[r].act.kind == actRemove && !w.p.rules[r].shadow {
		return int(r)
	}
	return noRule
}

// keepComma drops the comma at sep when every member or element before it was
// removed, and counts one more kept.
func (w *walker) keepComma(sep int, kept *int) {
	if sep != noComma && *kept == 0 {
		w.cut(sep, sep+1)
	}
	*kept++
}

// containerSyntax is what follows each member of an object or element of an
// array (a comma or the closer), and how a mistake there is reported.
type containerSyntax struct {
	closer         byte
	unclosed, want string
}

var (
	objectSyntax = containerSyntax{'}', "unclosed object", `want "," or "}"`}
	arraySyntax  = containerSyntax{']', "unclosed array", `want "," or "]"`}
)

// closer reads the end of a container of the given syntax at body[i], where
// a member or element was not followed by a comma: it returns the offset
// past the closer, or walkFailed. The walk's loops read a comma themselves
// (the common case, kept free of calls) and leave the rest to closer:
//
//	if i = skipWS(b, end); i >= len(b) || b[i] != ',' {
//		return w.closer(i, &objectSyntax)
//	}
func (w *walker) closer(i int, syntax *containerSyntax) int {
	if i < len(w.body) && w.body[i] == syntax.closer {
		return i + 1
	}
	return w.badCloser(i, syntax)
}

// badCloser reports what is wrong at body[i], where a container of the
// given syntax wants a comma or its closer.
func (w *walker) badCloser(i int, syntax *containerSyntax) int {
	if i >= len(w.body) {
		return w.fail(i, syntax.unclosed)
	}
	return w.fail(i, syntax.want)
}

// object walks the object at body[i] in state q.
func (w *walker) object(i int, q int32, depth int) int {
	if depth >= len(w.loc) {
		return w.tooDeep(i)
	}
	b := w.body
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	sep, kept := noComma, 0
	nameDetectors := w.a.ctxs[w.a.ctx[q]].mask & w.p.nameMask // the detectors that apply to member names here
	for {
		if i >= len(b) || b[i] != '"' {
			return w.fail(i, "want a member name")
		}
		ks := i
		ke, esc := scanString(b, i)
		if ke < 0 {
			return w.fail(i, "invalid string")
		}
		if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
			return w.fail(i, "want \":\" after a member name")
		}
		if i = skipWS(b, i+1); i >= len(b) {
			return w.fail(i, "want a value")
		}
		key := b[ks+1 : ke-1]
		next := w.a.member(q, key, esc, &w.exBuf, &w.normBuf)
		w.loc[depth] = pathElem{ks + 1, ke - 1}
		var end int
		scanName := nameDetectors != 0 && (esc || !w.p.det.Plain(key, nameDetectors))
		if r := w.drops(next); r != noRule {
			if scanName {
				w.memberName(ks, ke, esc, q, depth, false)
			}
			end = w.remove(i, r, depth+1, ks, sep)
		} else {
			w.keepComma(sep, &kept)
			if scanName {
				w.memberName(ks, ke, esc, q, depth, true)
			}
			end = w.visit(i, next, depth+1)
		}
		if end < 0 {
			return end
		}
		if i = skipWS(b, end); i >= len(b) || b[i] != ',' {
			return w.closer(i, &objectSyntax)
		}
		sep, i = i, skipWS(b, i+1)
	}
}

// array walks the array at body[i] in state q.
func (w *walker) array(i int, q int32, depth int) int {
	if depth >= len(w.loc) {
		return w.tooDeep(i)
	}
	b := w.body
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	sep, kept := noComma, 0
	for n := 0; ; n++ {
		if i >= len(b) {
			return w.fail(i, "want a value")
		}
		next := w.a.element(q, n)
		w.loc[depth] = pathElem{arrayElement, n}
		var end int
		if r := w.drops(next); r != noRule {
			end = w.remove(i, r, depth+1, i, sep)
		} else {
			w.keepComma(sep, &kept)
			end = w.visit(i, next, depth+1)
		}
		if end < 0 {
			return end
		}
		if i = skipWS(b, end); i >= len(b) || b[i] != ',' {
			return w.closer(i, &arraySyntax)
		}
		sep, i = i, skipWS(b, i+1)
	}
}

// scan validates the value at body[i] without matching. With rw set it
// rewrites every string and number inside (mask on an object or array).
func (w *walker) scan(i, depth int, rw rewriter) int {
	b := w.body
	switch c := b[i]; {
	case c == '"':
		end, _ := scanString(b, i)
		if end < 0 {
			return w.fail(i, "invalid string")
		}
		if rw != nil && w.p.jsonInStrings {
			if e, ok := w.document(i, end, 0, depth, rw); ok {
				return e
			}
		}
		if rw != nil {
			w.rewrite(rw, i, end)
		}
		return end
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(b, i)
		if !ok {
			return w.fail(end, "invalid number")
		}
		if rw != nil {
			w.rewrite(rw, i, end)
		}
		return end
	case c == '{' || c == '[':
		return w.scanContainer(i, depth, rw)
	}
	end, ok := scanLiteral(b, i)
	if !ok {
		return w.fail(i, "invalid value")
	}
	return end
}

// scanContainer validates (and with rw rewrites) the object or array at body[i].
func (w *walker) scanContainer(i, depth int, rw rewriter) int {
	if depth >= len(w.loc) {
		return w.tooDeep(i)
	}
	b := w.body
	obj := b[i] == '{'
	syntax := &arraySyntax
	if obj {
		syntax = &objectSyntax
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == syntax.closer {
		return i + 1
	}
	for {
		if obj {
			if i >= len(b) || b[i] != '"' {
				return w.fail(i, "want a member name")
			}
			ke, _ := scanString(b, i)
			if ke < 0 {
				return w.fail(i, "invalid string")
			}
			if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
				return w.fail(i, "want \":\" after a member name")
			}
			i = skipWS(b, i+1)
		}
		if i >= len(b) {
			return w.fail(i, "want a value")
		}
		end := w.scan(i, depth+1, rw)
		if end < 0 {
			return end
		}
		if i = skipWS(b, end); i >= len(b) || b[i] != ',' {
			return w.closer(i, syntax)
		}
		i = skipWS(b, i+1)
	}
}
