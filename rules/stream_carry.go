package rules

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// The text carried across records (stream_text). A string a stream_text
// selector selects is one piece of a text that goes on in the next record
// with the same key (its concrete path and the values of the identifying
// members along it, idMembers). The detectors, and reveal, read the
// characters held from the previous piece followed by this piece (W); the
// trailing characters of W that could still begin a match (holdFrom) are
// held. A record holding such a tail is delayed until the next record of
// that key arrives: then it is rewritten without its tail, which moves to
// the front of the new record's piece. Records arriving in between queue
// behind it, in order. When the queue passes max_record_bytes, and at
// Close, the delayed records are rewritten with their tails in place (the
// texts ended). Records are never split and their number never changes.
//
// Carrying never finds less than reading the pieces alone: the spans the
// detectors find in a piece's W read as if the text ended there are kept
// with the record (those in its tail move with the tail), and the walk
// replaces them besides what it finds in the joined text (walk_carried.go):
// a value is replaced if it is found in the joined text or in the held
// text read alone.

// textCarry is a stream's carry state.
type textCarry struct {
	find    textFinder
	q       []queued // the records delayed or queued, in order, from head
	head    int
	arena   []byte // the bytes of the queued records, by offset
	heldRaw int    // the input bytes of the records queued
	tails   []tail
	reads   bool // some rule reads text (detectors or reveal): hold
	custom  bool // the set has custom detectors
	sc      spanScratch
	spans   []detect.Span
	bounds  []spanBounds
	rec     []byte // the record being processed, with its pieces' W
	fin     []byte // a delayed record as it is finally rewritten
	tmp     []byte
	pre     []detect.Span // scratch: the spans of the tail a piece takes
	kept    []detect.Span // scratch: the spans of a delayed record's texts
	fTexts  []heldText    // scratch: a delayed record's texts as rewritten
	carried []carriedText // scratch: what applyRecord hands Apply
	// meter counts the detectors' work on the carried texts over the
	// whole stream: carryBudgetPerByte steps per byte of the records that
	// carry texts, on top of the budget floor
	meter detect.Meter
	seen  []int // scratch: the tails a record resolved
}

// tail is the text held for one key: raw JSON string content, and where
// it sits in the record it delays.
type tail struct {
	key   []byte
	raw   []byte
	spans []detect.Span // found in the tail read alone, from its start
	owner int           // index in q
	text  int           // index in q[owner].texts
}

// queued is a record waiting in the carry's queue: ready with its output,
// or open (delayed by a tail) with its layout and its record with each
// piece's W.
type queued struct {
	ready  bool
	out    span // ready: the output
	raw    span // open: the unit
	rec    span // open: the record with its W
	recSeg dataSeg
	segs   []dataSeg
	texts  []heldText
	found  []detect.Span // the texts' spans, read alone (heldText.sp0…sp1)
	open   int           // the texts still waiting for their key's next record
	size   int           // the unit's input bytes
}

// span is a part of the carry's arena.
type span struct{ off, n int }

// heldText is a piece's W in a queued record: rec[start:start+n], of
// which the bytes from cut on are its tail (cut == n: nothing held);
// cutText is cut in W's unescaped text, and the record's found[sp0:sp1]
// are what the detectors find in W read alone (with the spans its held
// part brought), in W's unescaped text.
type heldText struct {
	start, n, cut int
	cutText       int
	sp0, sp1      int
	open          bool // waiting for the next record of its key
	moved         bool // the tail moved to that record
}

// carryBudgetPerByte is what the detectors may spend on the carried texts
// per byte of the records that carry them, over a whole stream (beyond
// the budget floor): four times a body's budget, as a held text is read
// again with each piece (at most maxHeldRun bytes of it, or maxHeldKey in
// a private key). A stream of tiny pieces of one long run without a
// break passes it and fails with ErrWorkBudget, so the work stays linear
// in the stream's length.
const carryBudgetPerByte = 4 * budgetPerByte

// newTextCarry returns the carry state of a stream of p.
func newTextCarry(p *Program) *textCarry {
	c := &textCarry{custom: p.det != nil && p.det.Customs() > 0}
	c.find.sels, c.find.depth = p.streamText, p.maxDepth
	c.reads = p.det != nil
	for i := range p.rules {
		c.reads = c.reads || p.rules[i].act.kind == actReveal
	}
	return c
}

// held returns the input bytes of the queued records.
func (c *textCarry) held() int { return c.heldRaw }

// busy reports whether records are queued.
func (c *textCarry) busy() bool { return c.head < len(c.q) }

// bytesOf returns a part of the arena.
func (c *textCarry) bytesOf(sp span) []byte { return c.arena[sp.off : sp.off+sp.n] }

// store appends b to the arena.
func (c *textCarry) store(b []byte) span {
	sp := span{len(c.arena), len(b)}
	c.arena = append(c.arena, b...)
	return sp
}

// tailFor returns the index of the tail held for key, or -1.
func (c *textCarry) tailFor(key []byte) int {
	for i := range c.tails {
		if bytes.Equal(c.tails[i].key, key) {
			return i
		}
	}
	return -1
}

// carried processes a record with texts: rec is the record of u (which
// starts at data[start]), texts its pieces.
func (s *Stream) carried(data []byte, start int, u *unit, rec []byte, texts []textRef) error {
	c := s.carry
	end := start + len(u.raw)
	c.rec, c.seen = c.rec[:0], c.seen[:0]
	c.meter.Limit = max(c.meter.Limit, budgetFloor) + carryBudgetPerByte*len(rec)
	slot := c.slot()
	// the slot keeps them when the record is delayed
	held, found := slot.texts[:0], slot.found[:0]
	prev, holds := 0, false
	for j, t := range texts {
		c.rec = append(c.rec, rec[prev:t.start+1]...)
		w0 := len(c.rec)
		if duplicateKey(texts[:j], t.key) {
			// a duplicate member: only the first value of a key is carried
			c.rec = append(c.rec, rec[t.start+1:t.end-1]...)
			n := len(c.rec) - w0
			held = append(held, heldText{start: w0, n: n, cut: n, sp0: len(found), sp1: len(found)})
			prev = t.end - 1
			continue
		}
		c.pre = c.pre[:0]
		if k := c.tailFor(t.key); k >= 0 {
			tl := &c.tails[k]
			c.rec = append(c.rec, tl.raw...)
			c.pre = append(c.pre, tl.spans...)
			o := &c.q[tl.owner]
			o.texts[tl.text].open, o.texts[tl.text].moved = false, true
			o.open--
			c.seen = append(c.seen, tl.owner)
			c.dropTail(k)
		}
		c.rec = append(c.rec, rec[t.start+1:t.end-1]...)
		w := c.rec[w0:]
		cut, cutText, err := s.cutOf(w, t.hint, c.pre)
		if err != nil {
			return err
		}
		sp0 := len(found)
		found = append(append(found, c.pre...), c.spans...)
		held = append(held, heldText{start: w0, n: len(w), cut: cut, cutText: cutText, sp0: sp0, sp1: len(found), open: cut < len(w)})
		holds = holds || cut < len(w)
		prev = t.end - 1
	}
	c.rec = append(c.rec, rec[prev:]...)
	slot.texts, slot.found = held, found
	if !holds && !c.busy() {
		return s.applyNow(data, start, u, c.rec, s.carriedOf(c.rec, held, found))
	}
	s.cutOut(data, start, end)
	idx := len(c.q)
	c.q = c.q[:idx+1] // slot is c.q[idx]
	q := &c.q[idx]
	if !holds {
		out, err := s.applyRecord(c.rec, s.carriedOf(c.rec, held, found))
		if err != nil {
			return err
		}
		c.tmp = u.render(c.tmp[:0], out)
		q.ready, q.out, q.size = true, c.store(c.tmp), len(u.raw)
	} else {
		q.raw, q.rec, q.recSeg, q.size = c.store(u.raw), c.store(c.rec), u.rec, len(u.raw)
		q.segs = append(q.segs[:0], u.segs...)
		for k, h := range held {
			if h.open {
				q.open++
				w := c.rec[h.start : h.start+h.n]
				tl := c.newTail()
				tl.key, tl.raw = append(tl.key[:0], texts[k].key...), append(tl.raw[:0], w[h.cut:]...)
				tl.owner, tl.text = idx, k
				tl.spans = tl.spans[:0]
				for _, sp := range found[h.sp0:h.sp1] {
					if sp.Start >= h.cutText {
						tl.spans = append(tl.spans, detect.Span{Start: sp.Start - h.cutText, End: sp.End - h.cutText, Detector: sp.Detector, Evidence: sp.Evidence})
					}
				}
			}
		}
	}
	c.heldRaw += len(u.raw)
	for _, o := range c.seen {
		if !c.q[o].ready && c.q[o].open == 0 {
			if err := s.finalize(o); err != nil {
				return err
			}
		}
	}
	s.release()
	return nil
}

// applyNow rewrites a record with texts that neither waits nor holds
// anything, the queue being empty: mod is its record with each piece's W
// (a piece's W holds the tail of its previous piece), carried the spans
// of its texts read alone.
func (s *Stream) applyNow(data []byte, start int, u *unit, mod []byte, carried []carriedText) error {
	out, err := s.applyRecord(mod, carried)
	if err != nil {
		return err
	}
	if !sameSlice(out, mod) {
		s.replace(data, start, start+len(u.raw), u, out)
	}
	return nil
}

// applyRecord applies the rules to a record of the carry, valid JSON by
// construction: an ErrInvalidJSON there is an error like any other. The
// spans of carried are replaced besides what the detectors find.
func (s *Stream) applyRecord(rec []byte, carried []carriedText) ([]byte, error) {
	in := s.in
	in.carried = carried
	out, rep, err := s.apply(rec, in)
	if errors.Is(err, ErrInvalidJSON) {
		return nil, fmt.Errorf("rules: stream_text: a record with its carried text: %v", err)
	}
	if err != nil {
		return nil, err
	}
	s.report = s.p.mergeReport(s.report, rep)
	return out, nil
}

// cutOf returns where the tail of w, a piece's W (raw string content),
// starts, in w and in its unescaped text (len(w) and the text's length
// when nothing is held); c.spans are then the detectors' findings in the
// text. pre are the spans the held part of w brought (in the text), held
// whole like the spans found now; hint is what the member names above the
// text say about it (textRef.hint).
func (s *Stream) cutOf(w []byte, hint detect.Hint, pre []detect.Span) (int, int, error) {
	c := s.carry
	c.spans = c.spans[:0]
	if !c.reads || len(w) == 0 {
		return len(w), len(w), nil
	}
	text, esc := w, bytes.IndexByte(w, '\\') >= 0
	if esc {
		text = c.sc.unescape(w)
	}
	c.bounds = c.bounds[:0]
	if s.p.det != nil {
		c.spans = s.p.det.FindStringAt(text, ^detect.Mask(0), hint, &c.meter, c.spans)
		if c.meter.Exhausted() {
			return 0, 0, fmt.Errorf("%w: the content detectors passed %s steps on a streamed text", ErrWorkBudget, strconv.Itoa(c.meter.Limit))
		}
	}
	for _, sps := range [2][]detect.Span{pre, c.spans} {
		for _, sp := range sps {
			c.bounds = append(c.bounds, spanBounds{contextStart(text, sp.Start, s.p.detNames[sp.Detector]), sp.End})
		}
	}
	cut := holdFrom(text, c.bounds, c.custom)
	switch {
	case cut >= len(text):
		return len(w), len(text), nil
	case esc:
		return int(c.sc.st[cut]), cut, nil // the start of the escape or character
	}
	return cut, cut, nil
}

// carriedOf returns what Apply replaces in rec besides the detectors'
// findings: for each of held whose spans (in found) are not empty, its
// string's raw content in rec and those spans.
func (s *Stream) carriedOf(rec []byte, held []heldText, found []detect.Span) []carriedText {
	c := s.carry
	c.carried = c.carried[:0]
	for _, h := range held {
		if h.sp1 > h.sp0 {
			c.carried = append(c.carried, carriedText{raw: rec[h.start : h.start+h.n], spans: found[h.sp0:h.sp1]})
		}
	}
	return c.carried
}

// finalize rewrites the delayed record q[i], whose texts are all settled:
// each moved tail is cut off, the others stay.
func (s *Stream) finalize(i int) error {
	c := s.carry
	q := &c.q[i]
	rec := c.bytesOf(q.rec)
	c.fin, c.kept = c.fin[:0], c.kept[:0]
	c.fTexts = c.fTexts[:0]
	prev := 0
	for _, h := range q.texts {
		keep, spans := h.n, q.found[h.sp0:h.sp1]
		at := len(c.fin) + h.start - prev
		k0 := len(c.kept)
		for _, sp := range spans {
			if !h.moved || sp.End <= h.cutText { // the tail's moved with it
				c.kept = append(c.kept, sp)
			}
		}
		if h.moved {
			keep = h.cut
		}
		c.fin = append(c.fin, rec[prev:h.start+keep]...)
		c.fTexts = append(c.fTexts, heldText{start: at, n: keep, sp0: k0, sp1: len(c.kept)})
		prev = h.start + h.n
	}
	c.fin = append(c.fin, rec[prev:]...)
	out, err := s.applyRecord(c.fin, s.carriedOf(c.fin, c.fTexts, c.kept))
	if err != nil {
		return err
	}
	u := unit{raw: c.bytesOf(q.raw), rec: q.recSeg, segs: q.segs}
	c.tmp = u.render(c.tmp[:0], out)
	q = &c.q[i]
	q.out, q.ready = c.store(c.tmp), true
	return nil
}

// slot returns the queue slot past the end, its storage kept from an
// earlier record (the caller extends c.q over it when it queues).
func (c *textCarry) slot() *queued {
	n := len(c.q)
	if n == cap(c.q) {
		c.q = append(c.q, queued{})[:n]
	}
	q := &c.q[:n+1][n]
	*q = queued{segs: q.segs[:0], texts: q.texts[:0], found: q.found[:0]}
	return q
}

// newTail returns a new tail slot, its storage kept from an earlier tail.
func (c *textCarry) newTail() *tail {
	n := len(c.tails)
	if n < cap(c.tails) {
		c.tails = c.tails[:n+1]
	} else {
		c.tails = append(c.tails, tail{})
	}
	return &c.tails[n]
}

// dropTail removes tail k, keeping its storage past the end.
func (c *textCarry) dropTail(k int) {
	last := len(c.tails) - 1
	c.tails[k], c.tails[last] = c.tails[last], c.tails[k]
	c.tails = c.tails[:last]
}

// duplicateKey reports whether one of texts has key.
func duplicateKey(texts []textRef, key []byte) bool {
	for _, t := range texts {
		if bytes.Equal(t.key, key) {
			return true
		}
	}
	return false
}

// release emits the ready records at the head of the queue, and moves the
// records still queued to the front of the queue and of the arena, so that
// a stream that always delays a record keeps one record's memory.
func (s *Stream) release() {
	c := s.carry
	for c.head < len(c.q) && c.q[c.head].ready {
		q := &c.q[c.head]
		s.out = append(s.out, c.bytesOf(q.out)...)
		c.heldRaw -= q.size
		c.head++
	}
	if c.head == 0 {
		return
	}
	live := c.q[c.head:]
	low := len(c.arena)
	for i := range live {
		for _, sp := range live[i].spans() {
			if sp.n > 0 {
				low = min(low, sp.off)
			}
		}
	}
	c.arena = c.arena[:copy(c.arena, c.arena[low:])]
	for i := range live {
		live[i].raw.shift(low)
		live[i].rec.shift(low)
		live[i].out.shift(low)
	}
	for i := range c.tails {
		c.tails[i].owner -= c.head
	}
	for i := range live { // swap, so that each slot keeps storage of its own
		c.q[i], c.q[c.head+i] = c.q[c.head+i], c.q[i]
	}
	c.q = c.q[:len(live)]
	c.head = 0
}

// spans returns the parts of the arena q uses.
func (q *queued) spans() [3]span { return [3]span{q.raw, q.rec, q.out} }

// shift moves sp down by n bytes (a span of nothing is reset).
func (sp *span) shift(n int) {
	if sp.n > 0 {
		sp.off -= n
	} else {
		sp.off = 0
	}
}

// flush ends every text carried: the delayed records are rewritten with
// their tails in place and everything queued is emitted (queue past
// max_record_bytes, Close).
func (s *Stream) flush() error {
	c := s.carry
	if c == nil {
		return nil
	}
	c.tails = c.tails[:0]
	for i := c.head; i < len(c.q); i++ {
		if !c.q[i].ready {
			for k := range c.q[i].texts {
				c.q[i].texts[k].open = false
			}
			c.q[i].open = 0
			if err := s.finalize(i); err != nil {
				return err
			}
		}
	}
	s.release()
	return nil
}

// enqueue queues the unit data[start:end], whose output is out, behind
// the records the carry delays (in a slot that keeps its storage).
func (s *Stream) enqueue(data []byte, start, end int, out []byte) {
	c := s.carry
	s.cutOut(data, start, end)
	q := c.slot()
	c.q = c.q[:len(c.q)+1]
	q.ready, q.out, q.size = true, c.store(out), end-start
	c.heldRaw += end - start
}
