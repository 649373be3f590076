package filter

import (
	"errors"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// Record streams (server-sent events, NDJSON, json-seq) are never buffered
// whole: each body callback hands its chunk to a rules.Stream, replaces
// the chunk with what the stream releases (the records completed so far,
// rewritten) and continues, so each record leaves as soon as its last byte
// arrived. The stream holds at most one unfinished record (bounded by
// limits.max_record_bytes) and the text it carries across records; end of
// stream releases the rest. docs/operating.md, "Streaming bodies", says
// what leaves when.

// records is the state of one body streamed record by record.
type records struct {
	stream *rules.Stream
	// read counts the bytes handed to the stream (bytes_inspected).
	read int
	// changed is set once a released piece differed from its chunk.
	changed bool
	// scratch joins the last Write's output to Close's at end of stream.
	scratch []byte
	// keepRaw is set when the rule set passes some failure a stream can
	// meet (on.oversize, on.invalid_json or on.error: pass): raw then keeps
	// the bytes the stream holds as they came, to forward them unread
	// should the stream fail.
	keepRaw bool
	raw     []byte
	// writing is set while Write runs, so that a panic there (recovered as
	// on.error) knows the current chunk is still unread.
	writing bool
}

// streamsRecords reports whether a body of kind with these headers is
// streamed record by record: a record-stream kind in identity encoding
// (an encoded stream is decoded whole, on the buffered path).
func streamsRecords(kind rules.BodyKind, enc rules.Encoding) bool {
	switch kind {
	case rules.BodyEventStream, rules.BodyJSONLines, rules.BodyJSONSeq:
		return enc.Identity()
	}
	return false
}

// beginRecords starts streaming direction d's body (its content-length is
// already gone). The response headers cannot wait for the body's report:
// with mark_responses every streamed response in scope is marked no-store
// here, whatever it turns out to hold; report_header travels as a trailer
// (endRecords).
func (s *stream) beginRecords(d rules.Direction, kind rules.BodyKind, headers [][2]string) types.Action {
	p := s.plugin.program
	in := rules.Input{Direction: d, Request: s.attrs, Status: s.status}
	r := &records{
		stream:  p.NewStream(kind, in, rules.ApplyFunc(s.plugin.apply)),
		keepRaw: p.OnFailure(rules.Oversize) == rules.Pass || p.OnFailure(rules.InvalidJSON) == rules.Pass || p.OnFailure(rules.InternalError) == rules.Pass,
	}
	s.bodies[d] = bodyState{kind: kind, records: r}
	if d == rules.Response && p.MarkResponses() {
		if cc := appendHeaderValues(nil, headers, "cache-control"); !noStore(cc) {
			if err := proxywasm.ReplaceHttpResponseHeader("cache-control", markedCacheControl(cc)); err != nil {
				return s.fail(d, rules.InternalError)
			}
		}
	}
	return types.ActionContinue
}

// onRecords runs the chunk of one body callback through the stream and
// forwards what it releases in place of the chunk; end of stream releases
// everything still held.
func (s *stream) onRecords(d rules.Direction, bodySize int, endOfStream bool) types.Action {
	r := s.bodies[d].records
	h := hostCalls[d]
	chunk, err := h.getBody(0, bodySize) // the chunk alone: this filter never pauses a stream
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		return s.failRecords(d, rules.InternalError, r.raw, false)
	}
	r.read += len(chunk)
	r.writing = true
	out, err := r.stream.Write(chunk)
	r.writing = false
	if err != nil {
		return s.failRecords(d, failureOf(err), r.raw, false)
	}
	r.keep(chunk)
	if endOfStream {
		if out, err = r.close(out); err != nil {
			return s.failRecords(d, failureOf(err), append(r.scratch, r.raw...), true)
		}
	}
	if action, blocked := s.blockRecords(d); blocked {
		return action
	}
	if !sameBytes(out, chunk) {
		r.changed = r.changed || string(out) != string(chunk)
		if err := h.replaceBody(out); err != nil {
			return s.failRecords(d, rules.InternalError, nil, false)
		}
	}
	if endOfStream {
		return s.endRecords(d, false)
	}
	return types.ActionContinue
}

// keep updates raw after a Write of chunk: raw becomes the last Held()
// bytes of the body so far, what the stream has not released.
func (r *records) keep(chunk []byte) {
	if !r.keepRaw {
		return
	}
	r.raw = append(r.raw, chunk...)
	if held := r.stream.Held(); held < len(r.raw) {
		r.raw = r.raw[:copy(r.raw, r.raw[len(r.raw)-held:])]
	}
}

// close ends the stream after the last Write, whose output out (valid
// only until the stream runs again) comes first.
func (r *records) close(out []byte) ([]byte, error) {
	if r.stream.Held() == 0 {
		return out, nil
	}
	r.scratch = append(r.scratch[:0], out...)
	rest, err := r.stream.Close()
	r.scratch = append(r.scratch, rest...)
	return r.scratch, err
}

// onRecordTrailers ends a streamed body with trailers (HTTP/2). A body
// callback may not know it is the last one, and the trailers callback
// cannot write the body (ENVOY.md c.6): bytes still held now, an
// unfinished last record or text carried for a detector, cannot be
// forwarded. That is an on.error failure: reject resets the stream
// (response) or answers with a local reply (request); pass lets the
// message end without them, counted and logged with their size.
func (s *stream) onRecordTrailers(d rules.Direction) types.Action {
	r := s.bodies[d].records
	held := r.stream.Held()
	out, err := r.stream.Close()
	if err == nil {
		if action, blocked := s.blockRecords(d); blocked {
			return action
		}
	}
	if err != nil || len(out) > 0 {
		proxywasm.LogWarnf("veil: rule set %q: %s body: trailers came while %d bytes of a record stream were held: they cannot be forwarded",
			s.plugin.program.Name(), d, held)
		return s.failRecords(d, rules.InternalError, nil, false)
	}
	return s.endRecords(d, true)
}

// endRecords accounts for a streamed body that ended: metrics, the audit
// line's report, and report_header as a response trailer (added in the
// last body callback, or set in the trailers callback).
func (s *stream) endRecords(d rules.Direction, inTrailers bool) types.Action {
	r := s.bodies[d].records
	s.bodies[d].records = nil
	report := r.stream.Report()
	s.bodies[d].report = report
	s.plugin.metrics.recordBody(d, r.read, r.changed, report)
	name := s.plugin.program.ReportHeader()
	if d != rules.Response || name == "" {
		return types.ActionContinue
	}
	summary := reportSummary(report)
	if summary == "" {
		return types.ActionContinue
	}
	add := proxywasm.AddHttpResponseTrailer
	if inTrailers {
		add = proxywasm.ReplaceHttpResponseTrailer
	}
	if err := add(name, summary); err != nil {
		proxywasm.LogWarnf("veil: rule set %q: response body: adding the %s trailer: %v", s.plugin.program.Name(), name, err)
	}
	return types.ActionContinue
}

// blockRecords refuses the exchange when a block rule found something in
// the records released so far; nothing of the current chunk leaves.
// Records released by earlier callbacks are gone already: on the response
// side the reply resets the stream (its headers went out), on the request
// side the client gets the rule's status and the upstream request is reset.
func (s *stream) blockRecords(d rules.Direction) (types.Action, bool) {
	if len(s.plugin.blockStatuses) == 0 {
		return 0, false
	}
	r := s.bodies[d].records
	report := r.stream.Report()
	f := report.Blocked()
	if f == nil {
		return 0, false
	}
	s.bodies[d].records = nil
	s.bodies[d].report = report
	s.plugin.metrics.recordBody(d, r.read, r.changed, report)
	return s.block(d, "body", f), true
}

// failRecords gives a stream that failed mid-way the rule set's on.* choice
// for kind. pass forwards what the stream held, as it came (records.raw),
// and the rest of the body unread: held goes before the current chunk,
// still unread in the buffer, or with replace (the chunk was read) in its
// place. reject answers with a local reply, which on the response side
// (its headers went out with the first records) resets the stream. What
// earlier records found still counts in the metrics and the audit line.
func (s *stream) failRecords(d rules.Direction, kind rules.FailureKind, held []byte, replace bool) types.Action {
	r := s.bodies[d].records
	s.bodies[d].records = nil
	report := r.stream.Report()
	s.bodies[d].report = report
	s.plugin.metrics.recordBody(d, r.read, r.changed, report)
	if len(held) > 0 && s.plugin.program.OnFailure(kind) == rules.Pass {
		write := hostCalls[d].prependBody
		if replace {
			write = hostCalls[d].replaceBody
		}
		if err := write(held); err != nil {
			return s.fail(d, rules.InternalError)
		}
	}
	return s.fail(d, kind)
}

// recoverRecords ends, after a recovered panic, a stream being rewritten
// in direction d: on.error, with the bytes held forwarded under pass when
// the panic left the current chunk unread (it came from Write).
func (s *stream) recoverRecords(d rules.Direction) types.Action {
	r := s.bodies[d].records
	var held []byte
	if r.writing {
		held = r.raw
	}
	return s.failRecords(d, rules.InternalError, held, false)
}

// failureOf maps an error of a rules.Stream to its failure kind.
func failureOf(err error) rules.FailureKind {
	switch {
	case errors.Is(err, rules.ErrRecordTooLarge):
		return rules.Oversize
	case errors.Is(err, rules.ErrWorkBudget):
		return rules.WorkBudget
	case errors.Is(err, rules.ErrTooDeep), errors.Is(err, rules.ErrInvalidJSON):
		return rules.InvalidJSON
	}
	return rules.InternalError
}
