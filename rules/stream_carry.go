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
	meter   detect.Meter
	seen    []int // scratch: the tails a record resolved
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
	held := make([]heldText, 0, len(texts)) // kept by the queue when the record is delayed
	prev, holds := 0, false
	for _, t := range texts {
		c.rec = append(c.rec, rec[prev:t.start+1]...)
		w0 := len(c.rec)
		if k := c.tailFor(t.key); k >= 0 {
			tl := &c.tails[k]
			c.rec = append(c.rec, tl.raw...)
			o := &c.q[tl.owner]
			o.texts[tl.text].open, o.texts[tl.text].moved = false, true
			o.open--
			c.seen = append(c.seen, tl.owner)
			c.tails = append(c.tails[:k], c.tails[k+1:]...)
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
		return s.applyNow(data, start, u, c.rec, rec)
	}
	s.cutOut(data, start, end)
	if !holds {
		out, err := s.applyRecord(c.rec)
		if err != nil {
			return err
		}
		c.tmp = u.render(c.tmp[:0], out)
		c.q = append(c.q, queued{ready: true, out: c.store(c.tmp), size: len(u.raw)})
	} else {
		idx := len(c.q)
		c.q = append(c.q, queued{raw: c.store(u.raw), rec: c.store(c.rec), recSeg: u.rec,
			segs: append([]dataSeg(nil), u.segs...), texts: held, size: len(u.raw)})
		q := &c.q[idx]
		for k, h := range held {
			if h.open {
				q.open++
				w := c.rec[h.start : h.start+h.n]
				c.tails = append(c.tails, tail{key: append([]byte(nil), texts[k].key...), raw: append([]byte(nil), w[h.cut:]...), owner: idx, text: k})
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
	if c.heldRaw > s.max {
		return s.flush()
	}
	return nil
}

// applyNow rewrites a record with texts that neither waits nor holds
// anything, the queue being empty: mod is rec with its pieces' W, which
// are the pieces themselves.
func (s *Stream) applyNow(data []byte, start int, u *unit, mod, rec []byte) error {
	out, err := s.applyRecord(mod)
	if err != nil {
		return err
	}
	if !sameSlice(out, mod) {
		s.replace(data, start, start+len(u.raw), u, out)
	}
	_ = rec
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
		c.meter = detect.Meter{Limit: s.p.WorkBudget(len(text))}
		c.spans = s.p.det.FindStringMetered(text, ^detect.Mask(0), &c.meter, c.spans[:0])
		if c.meter.Exhausted() {
			return 0, fmt.Errorf("%w: the content detectors passed %s steps on a streamed text", ErrWorkBudget, strconv.Itoa(c.meter.Limit))
		}
		for _, sp := range c.spans {
			c.bounds = append(c.bounds, spanBounds{sp.Start, sp.End})
		}
	}
	cut := holdFrom(text, c.bounds, c.custom)
	if esc && cut < len(text) {
		return int(c.sc.st[cut]), nil
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

// release emits the ready records at the head of the queue.
func (s *Stream) release() {
	c := s.carry
	for c.head < len(c.q) && c.q[c.head].ready {
		q := &c.q[c.head]
		s.out = append(s.out, c.bytesOf(q.out)...)
		c.heldRaw -= q.size
		*q = queued{}
		c.head++
	}
	if c.head == len(c.q) {
		c.q, c.head, c.arena, c.heldRaw = c.q[:0], 0, c.arena[:0], 0
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
