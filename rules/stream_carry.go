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
	owner int // index in q
	text  int // index in q[owner].texts
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
	open   int // the texts still waiting for their key's next record
	size   int // the unit's input bytes
}

// span is a part of the carry's arena.
type span struct{ off, n int }

// heldText is a piece's W in a queued record: rec[start:start+n], of
// which the bytes from cut on are its tail (cut == n: nothing held).
type heldText struct {
	start, n, cut int
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
	held := slot.texts[:0] // the slot keeps it when the record is delayed
	prev, holds := 0, false
	for j, t := range texts {
		c.rec = append(c.rec, rec[prev:t.start+1]...)
		w0 := len(c.rec)
		if duplicateKey(texts[:j], t.key) {
			// a duplicate member: only the first value of a key is carried
			c.rec = append(c.rec, rec[t.start+1:t.end-1]...)
			held = append(held, heldText{start: w0, n: len(c.rec) - w0, cut: len(c.rec) - w0})
			prev = t.end - 1
			continue
		}
		if k := c.tailFor(t.key); k >= 0 {
			tl := &c.tails[k]
			c.rec = append(c.rec, tl.raw...)
			o := &c.q[tl.owner]
			o.texts[tl.text].open, o.texts[tl.text].moved = false, true
			o.open--
			c.seen = append(c.seen, tl.owner)
			c.dropTail(k)
		}
		c.rec = append(c.rec, rec[t.start+1:t.end-1]...)
		w := c.rec[w0:]
		cut, err := s.cutOf(w)
		if err != nil {
			return err
		}
		held = append(held, heldText{start: w0, n: len(w), cut: cut, open: cut < len(w)})
		holds = holds || cut < len(w)
		prev = t.end - 1
	}
	c.rec = append(c.rec, rec[prev:]...)
	if !holds && !c.busy() {
		return s.applyNow(data, start, u, c.rec)
	}
	s.cutOut(data, start, end)
	idx := len(c.q)
	c.q = c.q[:idx+1] // slot is c.q[idx]
	q := &c.q[idx]
	q.texts = held
	if !holds {
		out, err := s.applyRecord(c.rec)
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
// anything, the queue being empty: mod is its record with each piece's W,
// which is the piece itself, so mod equals the record.
func (s *Stream) applyNow(data []byte, start int, u *unit, mod []byte) error {
	out, err := s.applyRecord(mod)
	if err != nil {
		return err
	}
	if !sameSlice(out, mod) {
		s.replace(data, start, start+len(u.raw), u, out)
	}
	return nil
}

// applyRecord applies the rules to a record of the carry, valid JSON by
// construction: an ErrInvalidJSON there is an error like any other.
func (s *Stream) applyRecord(rec []byte) ([]byte, error) {
	out, rep, err := s.apply(rec, s.in)
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
// starts: len(w) when nothing is held.
func (s *Stream) cutOf(w []byte) (int, error) {
	c := s.carry
	if !c.reads || len(w) == 0 {
		return len(w), nil
	}
	text, esc := w, bytes.IndexByte(w, '\\') >= 0
	if esc {
		text = c.sc.unescape(w)
	}
	c.bounds = c.bounds[:0]
	if s.p.det != nil {
		c.spans = s.p.det.FindStringMetered(text, ^detect.Mask(0), &c.meter, c.spans[:0])
		if c.meter.Exhausted() {
			return 0, fmt.Errorf("%w: the content detectors passed %s steps on a streamed text", ErrWorkBudget, strconv.Itoa(c.meter.Limit))
		}
		for _, sp := range c.spans {
			c.bounds = append(c.bounds, spanBounds{contextStart(text, sp.Start, s.p.detNames[sp.Detector]), sp.End})
		}
	}
	cut := holdFrom(text, c.bounds, c.custom)
	switch {
	case cut >= len(text):
		return len(w), nil
	case esc:
		return int(c.sc.st[cut]), nil // the start of the escape or character
	}
	return cut, nil
}

// finalize rewrites the delayed record q[i], whose texts are all settled:
// each moved tail is cut off, the others stay.
func (s *Stream) finalize(i int) error {
	c := s.carry
	q := &c.q[i]
	rec := c.bytesOf(q.rec)
	c.fin = c.fin[:0]
	prev := 0
	for _, h := range q.texts {
		keep := h.n
		if h.moved {
			keep = h.cut
		}
		c.fin = append(c.fin, rec[prev:h.start+keep]...)
		prev = h.start + h.n
	}
	c.fin = append(c.fin, rec[prev:]...)
	out, err := s.applyRecord(c.fin)
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
	*q = queued{segs: q.segs[:0], texts: q.texts[:0]}
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
// the records the carry delays.
func (s *Stream) enqueue(data []byte, start, end int, out []byte) {
	c := s.carry
	s.cutOut(data, start, end)
	c.q = append(c.q, queued{ready: true, out: c.store(out), size: end - start})
	c.heldRaw += end - start
}
