package rules

import (
	"bytes"
	"errors"
	"fmt"
)

// Stream rewrites one record-stream body (BodyJSONLines, BodyJSONSeq or
// BodyEventStream) incrementally: each record is rewritten with apply as
// soon as its last byte arrives, and the bytes around records (separators,
// blank lines, SSE field names and comments) pass byte for byte. It holds
// at most one incomplete record (limits.max_record_bytes) and, with
// stream_text, the records delayed by a text carried across records (at
// most max_record_bytes more). A Stream is not safe for concurrent use.
//
// The framing of each kind:
//   - BodyJSONLines: a record is a line, its '\n' included; a line opening an
//     object or array that lenient parsers read on across the following lines
//     (a pretty-printed document) is one record, held until it completes.
//   - BodyJSONSeq: a record is what follows an RS (0x1E) up to the next RS
//     (RFC 7464), so a record is released when the next one starts.
//   - BodyEventStream: an event (WHATWG server-sent events) ends at a blank
//     line; the values of its data fields joined with "\n" are its record.
//
// A record that is not valid JSON passes unchanged.
type Stream struct {
	p     *Program
	kind  BodyKind
	in    Input
	apply ApplyFunc
	max   int // limits.max_record_bytes

	pend    []byte // the bytes of the incomplete unit, from its first byte
	scanned int    // the bytes of the incomplete unit already scanned
	out     []byte // what Write and Close return, reused
	// emission within one call: out holds the output when changed is set,
	// else the output is data[:from] itself
	changed bool
	from    int
	touched bool // some output of the stream differed from its input
	report  Report
	err     error // the first error; the stream refuses to go on after it

	// BodyJSONLines: the unit is a line that opens a value across lines,
	// last checked when it had acrossAt bytes; its bytes before acrossSeen
	// were searched for a closing line (closerLine)
	across               bool
	acrossAt, acrossSeen int
	// BodyEventStream
	started bool      // the leading byte-order mark was dealt with
	skipLF  bool      // the last line ended in a CR that was the last byte read
	segs    []dataSeg // the data fields of the current event
	payload []byte    // the joined data of an event with several data fields

	carry *textCarry // the texts carried across records (stream_text); nil without
}

// dataSeg is the value of one data field of an event, [start, end) from the
// unit's start; bare marks a field written without a colon ("data").
type dataSeg struct {
	start, end int
	bare       bool
}

// unit is one framing unit of a stream: raw is its bytes (an SSE event, an
// NDJSON line, a json-seq record with the RS that ends it) and segs the
// parts of raw that form its record, joined with "\n".
type unit struct {
	raw []byte
	// the record: raw[rec.start:rec.end], or for an event its data fields
	rec  dataSeg
	segs []dataSeg
}

// MaxRecordBytes returns limits.max_record_bytes: the largest record (and
// the most data held besides it by records delayed for stream_text) a
// Stream accepts; limits.max_body_bytes when unset.
func (p *Program) MaxRecordBytes() int {
	if p.maxRecordBytes > 0 {
		return p.maxRecordBytes
	}
	return p.maxBodyBytes
}

// NewStream starts rewriting one record-stream body of kind BodyEventStream,
// BodyJSONLines or BodyJSONSeq; apply is normally p.Apply (an embedding
// program may wrap it). Any other kind is read as BodyJSONLines.
func (p *Program) NewStream(kind BodyKind, in Input, apply ApplyFunc) *Stream {
	s := &Stream{}
	s.init(p, kind, in, apply)
	return s
}

// init sets up s for a new stream.
func (s *Stream) init(p *Program, kind BodyKind, in Input, apply ApplyFunc) {
	if kind != BodyEventStream && kind != BodyJSONSeq {
		kind = BodyJSONLines
	}
	*s = Stream{p: p, kind: kind, in: in, apply: apply, max: p.MaxRecordBytes()}
	if len(p.streamText) > 0 {
		s.carry = newTextCarry(p)
	}
}

// Write takes the next chunk of the body and returns the bytes to forward
// now: every record the chunk completed, rewritten, minus what is held (an
// incomplete record, records delayed by stream_text). The result aliases
// chunk (a prefix of it) when that part passes unchanged, or else is an
// internal buffer valid until the next call. Errors wrap ErrRecordTooLarge
// (a record, or the incomplete data held, beyond limits.max_record_bytes),
// ErrTooDeep, ErrWorkBudget (also from stream_text's detectors) or any
// other error of apply but ErrInvalidJSON (such a record passes unchanged);
// after an error the stream is spent and every call returns it.
func (s *Stream) Write(chunk []byte) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.out = s.out[:0]
	data := chunk
	direct := len(s.pend) == 0
	if !direct {
		s.pend = append(s.pend, chunk...)
		data = s.pend
	}
	n, err := s.feed(data, false)
	if err != nil {
		return nil, s.fail(err)
	}
	res := s.result(data, n, direct)
	rest := data[n:]
	if direct {
		s.pend = append(s.pend[:0], rest...)
	} else {
		s.pend = s.pend[:copy(s.pend, rest)]
	}
	if len(s.pend) > s.max {
		return nil, s.fail(fmt.Errorf("%w: a record passes %d bytes", ErrRecordTooLarge, s.max))
	}
	return res, nil
}

// Close ends the stream (end of stream, or trailers) and returns everything
// still held, rewritten where it is JSON: an incomplete last record is
// rewritten as it is, and the records delayed by stream_text are released
// with their texts whole (the texts ended). The result is an internal
// buffer, valid until the next call; every call after Close fails.
func (s *Stream) Close() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.out = s.out[:0]
	res, err := s.finish(s.pend, false)
	if err != nil {
		return nil, s.fail(err)
	}
	s.pend = s.pend[:0]
	s.err = errStreamClosed
	return res, nil
}

// errStreamClosed is what a Stream answers after Close.
var errStreamClosed = errors.New("rules: stream closed")

// finish reads data, the last bytes of the body, to its end and releases
// what the carry holds; it returns the output (see result).
func (s *Stream) finish(data []byte, direct bool) ([]byte, error) {
	n, err := s.feed(data, true)
	if err != nil {
		return nil, err
	}
	if s.carry != nil && s.carry.busy() {
		s.cutOut(data, n, n)
		if err := s.flush(); err != nil {
			return nil, err
		}
	}
	return s.result(data, n, direct), nil
}

// Report returns the findings of the records rewritten so far, merged as
// for one body (counts add up, paths are those inside each record).
func (s *Stream) Report() Report { return s.report }

// Held returns how many bytes the stream holds now: the incomplete record
// and the records delayed by stream_text.
func (s *Stream) Held() int {
	n := len(s.pend)
	if s.carry != nil {
		n += s.carry.held()
	}
	return n
}

// fail records err as the stream's error and returns it.
func (s *Stream) fail(err error) error {
	s.err = err
	return err
}

// result returns the output of one call that consumed data[:n]: data[:n]
// itself when nothing changed (copied when data is the stream's own
// buffer, which the caller reuses), else out.
func (s *Stream) result(data []byte, n int, direct bool) []byte {
	if s.changed {
		s.out = append(s.out, data[s.from:n]...)
	} else if !direct {
		s.out = append(s.out, data[:n]...)
	} else {
		s.changed, s.from = false, 0
		return data[:n]
	}
	s.changed, s.from = false, 0
	return s.out
}

// replace emits the unit u, data[start:end], with its record replaced by
// rec (behind the records the carry holds, if any).
func (s *Stream) replace(data []byte, start, end int, u *unit, rec []byte) {
	if s.carry != nil && s.carry.busy() {
		s.carry.tmp = u.render(s.carry.tmp[:0], rec)
		s.enqueue(data, start, end, s.carry.tmp)
		s.release()
		return
	}
	s.cutOut(data, start, end)
	s.out = u.render(s.out, rec)
}

// pass emits the unit data[start:end] unchanged: nothing to do unless the
// carry holds records, which it must then follow.
func (s *Stream) pass(data []byte, start, end int) {
	if s.carry != nil && s.carry.busy() {
		s.enqueue(data, start, end, data[start:end])
		s.release()
	}
}

// cutOut brings the output up to data[start], the start of a unit whose
// output is written otherwise, and skips the unit (it ends at end).
func (s *Stream) cutOut(data []byte, start, end int) {
	if !s.changed {
		s.changed = true
		if cap(s.out) == 0 {
			s.out = make([]byte, 0, len(data)+outSlack)
		}
		s.out = append(s.out, data[:start]...)
	} else {
		s.out = append(s.out, data[s.from:start]...)
	}
	s.from = end
	s.touched = true
}

// orPass emits the unit data[start:end] unchanged when err is
// ErrInvalidJSON (an invalid record passes), and returns err otherwise.
func (s *Stream) orPass(err error, data []byte, start, end int) error {
	if errors.Is(err, ErrInvalidJSON) {
		s.pass(data, start, end)
		return nil
	}
	return err
}

// feed reads the units that start at data[0] and emits each complete one;
// with final, data is the last of the body and its rest is a unit too. It
// returns the bytes consumed.
func (s *Stream) feed(data []byte, final bool) (int, error) {
	start := 0
	for start < len(data) {
		var end int
		var err error
		switch s.kind {
		case BodyEventStream:
			end, err = s.event(data, start, final)
		case BodyJSONSeq:
			end, err = s.seqRecord(data, start, final)
		default:
			end, err = s.line(data, start, final)
		}
		if err != nil || end < 0 {
			return start, err
		}
		start = end
		s.scanned = 0
		if s.carry != nil && s.carry.heldRaw > s.max {
			// the records queued behind a delayed one pass the bound:
			// the texts end here
			if err := s.flush(); err != nil {
				return start, err
			}
		}
	}
	return start, nil
}

// needMore is the end a unit reader returns when its unit is incomplete.
const needMore = -1

// line reads the NDJSON unit at data[start:].
func (s *Stream) line(data []byte, start int, final bool) (int, error) {
	if s.across {
		return s.acrossLines(data, start, final)
	}
	end := len(data)
	if i := bytes.IndexByte(data[start+s.scanned:], '\n'); i >= 0 {
		end = start + s.scanned + i + 1
	} else if !final {
		s.scanned = len(data) - start
		return needMore, nil
	}
	u := unit{raw: data[start:end], rec: dataSeg{0, end - start, false}}
	err := s.record(data, start, &u)
	if !errors.Is(err, ErrInvalidJSON) {
		return end, err
	}
	// a line that opens a value lenient parsers read across lines
	i := skipWS(data[:end], start)
	if i >= end || data[i] != '{' && data[i] != '[' {
		s.pass(data, start, end)
		return end, nil
	}
	s.across, s.acrossAt, s.acrossSeen = true, 0, 0
	if e, err := s.acrossLines(data, start, final); e != needMore || err != nil {
		return e, err
	}
	return needMore, nil
}

// acrossLines reads the unit at data[start:], a line that was not valid
// JSON but opens an object or array, as lenient parsers read it: across
// lines. The check is repeated when a line starting with a closer arrives
// (the end of a pretty-printed document) or the held bytes double (or pass
// the record bound), so a long value costs linear time.
func (s *Stream) acrossLines(data []byte, start int, final bool) (int, error) {
	avail := len(data) - start
	if !final && avail < 2*s.acrossAt && avail <= s.max && !closerLine(data[start+s.acrossSeen:]) {
		s.acrossSeen = max(avail-1, 0)
		return needMore, nil
	}
	s.acrossAt, s.acrossSeen = avail, max(avail-1, 0)
	lineEnd := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		lineEnd = start + i + 1
	}
	l := lenient{b: data[start:]}
	valueEnd, ok := l.value(skipWS(data[:lineEnd], start)-start, 0)
	switch {
	case l.tooDeep:
		s.across = false
		return 0, fmt.Errorf("%w: a record opens a value nested deeper than %d levels", ErrTooDeep, DefaultMaxDepth)
	case !ok && !final && l.incomplete(valueEnd):
		return needMore, nil
	}
	s.across = false
	if !ok || start+valueEnd <= lineEnd {
		s.pass(data, start, lineEnd) // an invalid line: passes unchanged
		return lineEnd, nil
	}
	end := start + valueEnd
	u := unit{raw: data[start:end], rec: dataSeg{0, end - start, false}}
	if err := s.record(data, start, &u); err != nil {
		return 0, err // almost JSON across lines is invalid_json
	}
	return end, nil
}

// closerLine reports whether b holds a line that starts with '}' or ']'
// (after the line feed b may start with): the end of a pretty-printed
// document, worth checking for at once.
func closerLine(b []byte) bool {
	for i := bytes.IndexByte(b, '\n'); i >= 0 && i+1 < len(b); {
		if b[i+1] == '}' || b[i+1] == ']' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\n')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// incomplete reports whether a lenient read that failed at i may succeed
// with more bytes: every byte from i on could still grow into a valid
// token (a literal, a number, a comment opener, a multi-byte space).
func (l *lenient) incomplete(i int) bool {
	for ; i < len(l.b); i++ {
		c := l.b[i]
		if !identStart(c) && (c < '0' || c > '9') && c != '.' && c != '+' && c != '-' && c != '/' && c != '*' {
			return false
		}
	}
	return true
}

// seqRecord reads the json-seq unit at data[start:]: up to and including
// the next RS.
func (s *Stream) seqRecord(data []byte, start int, final bool) (int, error) {
	end, recEnd := len(data), len(data)
	if i := bytes.IndexByte(data[start+s.scanned:], 0x1e); i >= 0 {
		recEnd = start + s.scanned + i
		end = recEnd + 1
	} else if !final {
		s.scanned = len(data) - start
		return needMore, nil
	}
	u := unit{raw: data[start:end], rec: dataSeg{0, recEnd - start, false}}
	return end, s.orPass(s.record(data, start, &u), data, start, end)
}

// utf8BOMBytes is the UTF-8 byte-order mark an event stream may start with.
var utf8BOMBytes = []byte(utf8BOM)

// event reads the server-sent event at data[start:]: lines up to a blank
// line (or the end of the body, with final). Lines end in CRLF, LF or a
// lone CR; a CR that is the last byte read may be followed by its LF in
// the next chunk.
func (s *Stream) event(data []byte, start int, final bool) (int, error) {
	i := start + s.scanned
	if s.scanned == 0 {
		s.segs = s.segs[:0]
	}
	if !s.started {
		rest := data[start:]
		if len(rest) < len(utf8BOM) && bytes.HasPrefix(utf8BOMBytes, rest) && !final {
			return needMore, nil
		}
		s.started = true
		if bytes.HasPrefix(rest, utf8BOMBytes) {
			i += len(utf8BOM)
		}
	}
	if s.skipLF && i < len(data) {
		if data[i] == '\n' {
			i++ // the LF of a CRLF split after the CR
		}
		s.skipLF = false
	}
	for {
		if i >= len(data) {
			if !final || i == start {
				s.scanned = i - start
				return needMore, nil
			}
			break // the body ends inside the event: it ends here
		}
		j := i + indexLineEnd(data[i:])
		if j < i {
			if !final {
				s.scanned = i - start
				return needMore, nil
			}
			s.field(data, start, i, len(data))
			i = len(data)
			break
		}
		next := j + 1
		if data[j] == '\r' {
			switch {
			case next < len(data) && data[next] == '\n':
				next++
			case next == len(data) && !final:
				s.skipLF = true
			}
		}
		if j == i { // a blank line ends the event
			i = next
			break
		}
		s.field(data, start, i, j)
		i = next
	}
	if i-start > s.max {
		return 0, fmt.Errorf("%w: an event passes %d bytes", ErrRecordTooLarge, s.max)
	}
	if len(s.segs) == 0 {
		s.pass(data, start, i)
		return i, nil
	}
	u := unit{raw: data[start:i], segs: s.segs}
	return i, s.orPass(s.record(data, start, &u), data, start, i)
}

// indexLineEnd returns the index of the first CR or LF in b, or -1.
func indexLineEnd(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// field reads the line data[i:j] of the event starting at data[start] and
// records it when it is a data field: "data", then a colon and one
// optional space before the value, or nothing (an empty value).
func (s *Stream) field(data []byte, start, i, j int) {
	line := data[i:j]
	if len(line) < 4 || string(line[:4]) != "data" {
		return
	}
	switch {
	case len(line) == 4:
		s.segs = append(s.segs, dataSeg{j - start, j - start, true})
	case line[4] == ':':
		v := i + 5
		if v < j && data[v] == ' ' {
			v++
		}
		s.segs = append(s.segs, dataSeg{v - start, j - start, false})
	}
}

// record rewrites the record of unit u, which starts at data[start], and
// emits the unit, rewritten when the record changed. It returns apply's
// error; for ErrInvalidJSON it emits nothing (the caller decides).
func (s *Stream) record(data []byte, start int, u *unit) error {
	rec := u.record(&s.payload)
	end := start + len(u.raw)
	if !mayBeJSON(rec) {
		s.pass(data, start, end)
		return nil
	}
	if len(u.raw) > s.max {
		return fmt.Errorf("%w: a record of %d bytes passes %d", ErrRecordTooLarge, len(u.raw), s.max)
	}
	if !plausibleJSON(rec) {
		return errNotJSONValue
	}
	if s.carry != nil {
		if texts := s.carry.find.find(rec); len(texts) > 0 {
			return s.carried(data, start, u, rec, texts)
		}
	}
	out, rep, err := s.apply(rec, s.in)
	if err != nil {
		return err
	}
	s.report = s.p.mergeReport(s.report, rep)
	if sameSlice(out, rec) {
		s.pass(data, start, end)
	} else {
		s.replace(data, start, end, u, out)
	}
	return nil
}

// mayBeJSON reports whether rec holds something but whitespace.
func mayBeJSON(rec []byte) bool { return len(bytes.TrimSpace(rec)) > 0 }

// errNotJSONValue is record's answer, without calling apply, for a record
// whose first bytes no JSON value starts with ("[DONE]", text): an invalid
// record, at no cost per record.
var errNotJSONValue = fmt.Errorf("%w: not a JSON value", ErrInvalidJSON)

// plausibleJSON reports whether the first bytes of rec (not blank) may
// start a JSON value: a scalar's first byte, or a container's and the
// first byte inside it (or nothing more yet).
func plausibleJSON(rec []byte) bool {
	i := skipWS(rec, 0)
	c := rec[i]
	switch c {
	case '"', '-', 't', 'f', 'n':
		return true
	case '{', '[':
		j := skipWS(rec, i+1)
		if j == len(rec) {
			return true
		}
		d := rec[j]
		if c == '{' {
			return d == '"' || d == '}'
		}
		return d == ']' || d == '{' || d == '[' || d == '"' || d == '-' || d == 't' || d == 'f' || d == 'n' || d >= '0' && d <= '9'
	}
	return c >= '0' && c <= '9'
}

// record returns the record of u: its one segment, or its segments joined
// with "\n" in *buf.
func (u *unit) record(buf *[]byte) []byte {
	if u.segs == nil {
		return u.raw[u.rec.start:u.rec.end]
	}
	if len(u.segs) == 1 {
		return u.raw[u.segs[0].start:u.segs[0].end]
	}
	b := (*buf)[:0]
	for k, sg := range u.segs {
		if k > 0 {
			b = append(b, '\n')
		}
		b = append(b, u.raw[sg.start:sg.end]...)
	}
	*buf = b
	return b
}

// render appends u with its record replaced by rec. For an event, rec is
// split at its line feeds back into the data fields, in order (a rewrite
// adds no line break, so there are as many pieces as fields unless a
// removal took some; the fields left get empty values, which add only
// whitespace to the record). Any CR, and line feeds beyond the fields,
// become spaces (only JSON whitespace can hold them).
func (u *unit) render(dst, rec []byte) []byte {
	if u.segs == nil {
		sg := u.rec
		dst = append(dst, u.raw[:sg.start]...)
		dst = append(dst, rec...)
		return append(dst, u.raw[sg.end:]...)
	}
	from := 0
	for k, sg := range u.segs {
		piece := rec
		if k < len(u.segs)-1 {
			if i := bytes.IndexByte(rec, '\n'); i >= 0 {
				piece, rec = rec[:i], rec[i+1:]
			} else {
				rec = nil
			}
		} else {
			rec = nil
		}
		dst = append(dst, u.raw[from:sg.start]...)
		if sg.bare && len(piece) > 0 {
			dst = append(dst, ':')
		}
		for _, c := range piece {
			if c == '\n' || c == '\r' {
				c = ' '
			}
			dst = append(dst, c)
		}
		from = sg.end
	}
	return append(dst, u.raw[from:]...)
}
