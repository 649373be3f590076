package hosttest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// stream is one HTTP stream's host-side state.
type stream struct {
	vm  *VM
	id  uint32
	ex  *Exchange
	res *Result

	// phase is "request", "response" or "log".
	phase string
	// maps are the four HTTP header maps; access says what the running
	// callback may do with each (Envoy drops its pointer once a callback
	// lets the headers go).
	maps   [4]Headers
	access [4]access
	// body is the body buffer visible to the running body callback.
	body [2]*[]byte
	// bodyWritten records a proxy_set_buffer_bytes on each body.
	bodyWritten [2]bool
	// continued records a deferred proxy_continue_stream per direction.
	continued [2]bool
	// reply is a local reply requested during the running callback;
	// through is one from the request path still to be encoded through this
	// filter's response callbacks; replying is set while that happens.
	reply    *LocalReply
	through  *LocalReply
	replying bool
	closed   bool
	ended    bool
	// respHeadersSent: response headers went downstream, so a later local
	// reply or limit overflow can only reset the stream.
	respHeadersSent bool
	filterState     map[string][]byte
}

// dir describes one direction of the stream.
type dir struct {
	name                          string
	idx                           int
	hdr, trl                      mapType
	buf                           bufferType
	onHeaders, onBody, onTrailers string
}

var (
	requestDir = &dir{"request", 0, mapRequestHeaders, mapRequestTrailers, bufRequestBody,
		"proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers"}
	responseDir = &dir{"response", 1, mapResponseHeaders, mapResponseTrailers, bufResponseBody,
		"proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers"}
)

// Do runs one HTTP exchange through the VM with Envoy's callback order:
// on_context_create, request headers, body chunks and trailers, response
// headers, body chunks and trailers, then on_log, on_done, on_delete. A VM
// that failed earlier answers 503 without calling the guest.
func (vm *VM) Do(ex Exchange) *Result {
	res := &Result{}
	logStart := len(vm.logs)
	s := &stream{vm: vm, id: vm.newContextID(), ex: &ex, res: res, filterState: map[string][]byte{}}
	vm.streams[s.id] = s
	defer func() {
		delete(vm.streams, s.id)
		res.Logs = append([]LogEntry(nil), vm.logs[logStart:]...)
	}()
	if vm.failed != nil {
		res.VMError = vm.failed
		s.failClosed()
		return res
	}
	if _, _, err := s.call("proxy_on_context_create", "on_context_create", uint64(vm.rootID)); err != nil {
		return res
	}
	vm.hold = ex.SlowCalls
	req, ok := s.run(requestDir, ex.requestHeaders(), ex.RequestBody, ex.RequestTrailers, ex.ChunkSize)
	res.Request = req
	res.Request.BodyWritten = s.bodyWritten[bufRequestBody]
	if vm.hold {
		vm.hold = false
		vm.runPending()
	}
	if ok {
		s.checkContentLength("request", req)
		resp, ok := s.run(responseDir, ex.responseHeaders(), ex.ResponseBody, ex.ResponseTrailers, ex.ChunkSize)
		if ok {
			res.Response = resp
		}
	} else if rp := s.through; rp != nil {
		// From the request path the reply is encoded through the whole
		// filter chain, this filter's response callbacks included.
		s.through, s.replying, s.ended = nil, true, false
		resp, ok := s.run(responseDir, replyHeaders(rp), rp.Body, nil, 0)
		if ok {
			res.Response = resp
		}
	}
	res.Response.BodyWritten = s.bodyWritten[bufResponseBody]
	s.checkContentLength("response", res.Response)
	s.finish()
	return res
}

// run drives one direction. It returns the message as it left the filter
// and false when the stream ended on the way (local reply, reset, failure,
// stall).
func (s *stream) run(d *dir, headers Headers, body []byte, trailers Headers, chunk int) (Message, bool) {
	s.phase = d.name
	out := Message{}
	s.maps[d.hdr] = headers.clone()
	s.access[d.hdr] = accessWrite
	eos := len(body) == 0 && trailers == nil
	act, ok := s.action(d.onHeaders, fmt.Sprintf("n=%d eos=%t", len(headers), eos), d, uint64(len(headers)), b2u(eos))
	if !ok {
		return out, false
	}
	chunks := split(body, chunk, s.ex.FinalEmptyChunk && !s.replying && trailers == nil)
	held := act != 0 && s.vm.cfg.AllowOnHeadersStopIteration && !eos
	if act != 0 && !held {
		if !s.awaitContinue(d) {
			return out, false
		}
		// What arrived meanwhile reaches the filter in one call.
		chunks = split(body, 0, false)
	}
	release := func() {
		s.access[d.hdr] = accessNone
		out.Headers, out.Sent = s.maps[d.hdr].clone(), true
		if st, err := strconv.Atoi(first(out.Headers, ":status")); err == nil {
			out.Status = st
		}
		if d == responseDir {
			s.respHeadersSent = true
		}
	}
	if !held {
		release()
	}
	var buf, last []byte
	buffering := false
	for i, c := range chunks {
		last = c
		eos := i == len(chunks)-1 && trailers == nil
		if buffering {
			buf = append(buf, c...)
			if len(buf) > s.vm.cfg.BufferLimit {
				s.overflow(d)
				return out, false
			}
		} else {
			buf = c // split capped it: an append copies rather than writes into the caller's body
		}
		s.body[d.buf] = &buf
		if eos && s.maps[d.trl] == nil {
			s.access[d.trl] = accessWrite // trailers may be added in the last body callback
		}
		act, ok := s.action(d.onBody, fmt.Sprintf("size=%d eos=%t", len(buf), eos), d, uint64(len(buf)), b2u(eos))
		s.body[d.buf], s.access[d.trl] = nil, accessNone
		if !ok {
			return out, false
		}
		if act == 0 {
			if held {
				release()
				held = false
			}
			out.Body = emitBody(out.Body, buf, c)
			buf, buffering = nil, false
			continue
		}
		buffering = true
		if len(buf) > s.vm.cfg.BufferLimit {
			s.overflow(d)
			return out, false
		}
	}
	if trailers == nil {
		if buffering {
			s.stall("%s body paused at end of stream and never resumed", d.name)
			return out, false
		}
		out.Trailers = s.maps[d.trl].clone() // added in the last body callback, if at all
		return out, true
	}
	// Trailers end the message. A body still buffered stays readable and
	// writable in the trailers callback and leaves with the trailers.
	s.maps[d.trl] = trailers.clone()
	s.access[d.trl] = accessWrite
	if buffering {
		s.body[d.buf] = &buf
	}
	act, ok = s.action(d.onTrailers, fmt.Sprintf("n=%d", len(trailers)), d, uint64(len(trailers)))
	s.access[d.trl], s.body[d.buf] = accessNone, nil
	if !ok {
		return out, false
	}
	if act != 0 {
		s.stall("%s trailers paused and never resumed", d.name)
		return out, false
	}
	if held {
		release()
	}
	out.Body = emitBody(out.Body, buf, last)
	out.Trailers = s.maps[d.trl].clone()
	return out, true
}

// action runs a headers/body/trailers callback and maps the result like
// Envoy: Pause stops, unless proxy_continue_stream was called meanwhile; a
// local reply or close_stream ends the stream whatever was returned.
func (s *stream) action(fn, args string, d *dir, params ...uint64) (uint32, bool) {
	s.continued[d.idx] = false
	act, exported, err := s.call(fn, "", params...)
	if err != nil {
		return 0, false
	}
	if s.continued[d.idx] {
		act = 0
	}
	if exported {
		name := "continue"
		if act != 0 {
			name = "pause"
		}
		s.res.Callbacks = append(s.res.Callbacks, fmt.Sprintf("%s %s -> %s", strings.TrimPrefix(fn, "proxy_"), args, name))
	}
	switch {
	case s.ended:
		return 0, false
	case s.closed:
		s.resetStream("wasm_close_stream")
		return 0, false
	case s.reply != nil:
		rp := s.reply
		s.reply = nil
		rp.From = fn
		s.answer(rp)
		return 0, false
	}
	return act, true
}

// awaitContinue handles Pause from a headers callback, which Envoy turns
// into StopAllIterationAndWatermark: no body callback until
// proxy_continue_stream, typically from an http_call response. Deliveries
// held for Exchange.SlowCalls happen now, the message having arrived.
func (s *stream) awaitContinue(d *dir) bool {
	vm := s.vm
	if vm.hold {
		vm.hold = false
		vm.runPending()
	}
	switch {
	case vm.failed != nil:
		s.res.VMError = vm.failed
		s.failClosed()
		return false
	case s.reply != nil:
		rp := s.reply
		s.reply, rp.From = nil, "proxy_on_http_call_response"
		s.answer(rp)
		return false
	case s.closed:
		s.resetStream("wasm_close_stream")
		return false
	case !s.continued[d.idx]:
		s.stall("%s headers paused (Pause from %s) and never resumed with proxy_continue_stream", d.name, d.onHeaders)
		return false
	}
	s.continued[d.idx] = false
	return true
}

// call runs a stream callback with the stream as effective context. trace,
// when set, is recorded in Result.Callbacks. A trap fails the VM and the
// stream closed.
func (s *stream) call(fn, trace string, params ...uint64) (uint32, bool, error) {
	vm := s.vm
	vm.effective = s.id
	r, exported, err := vm.call(fn, append([]uint64{uint64(s.id)}, params...)...)
	vm.effective = vm.rootID
	if exported && trace != "" {
		s.res.Callbacks = append(s.res.Callbacks, trace)
	}
	if err != nil {
		s.res.VMError = err
		s.failClosed()
	}
	return r, exported, err
}

// finish runs on_log, on_done and on_delete (Envoy logs before done), with
// request headers, response headers and response trailers readable.
func (s *stream) finish() {
	if s.vm.failed != nil {
		return
	}
	s.phase = "log"
	s.access = [4]access{mapRequestHeaders: accessRead, mapResponseHeaders: accessRead, mapResponseTrailers: accessRead}
	for _, fn := range []string{"proxy_on_log", "proxy_on_done", "proxy_on_delete"} {
		if _, _, err := s.call(fn, strings.TrimPrefix(fn, "proxy_")); err != nil {
			return
		}
	}
}

func split(body []byte, chunk int, finalEmpty bool) [][]byte {
	if len(body) == 0 {
		return nil
	}
	if chunk <= 0 {
		chunk = len(body)
	}
	var out [][]byte
	for len(body) > 0 {
		n := min(chunk, len(body))
		out = append(out, body[:n:n])
		body = body[n:]
	}
	if finalEmpty {
		out = append(out, []byte{})
	}
	return out
}

// emitBody adds what a body callback let through to the message. A buffer
// the host made (the guest's replacement, or chunks gathered while
// buffering) becomes the message body as is; the caller's own chunk is
// copied, so that a Result never shares memory with its Exchange.
func emitBody(body, buf, chunk []byte) []byte {
	if body == nil && len(buf) > 0 && (len(chunk) == 0 || &buf[0] != &chunk[0]) {
		return buf
	}
	return append(body, buf...)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func first(h Headers, name string) string {
	v, _ := h.Get(name)
	return v
}

// answer delivers a local reply the way Envoy does from where it was sent.
func (s *stream) answer(rp *LocalReply) {
	if s.res.LocalReply == nil {
		s.res.LocalReply = rp
	}
	s.ended = true
	switch {
	case s.replying:
		s.errorf("local reply %d sent from %s while the filter was encoding a local reply: Envoy resets the stream", rp.Status, rp.From)
		s.resetStream("local_reply_reentry")
	case s.phase == "request":
		s.through = rp
	case s.respHeadersSent && rp.From == "host":
		s.resetStream(rp.Details)
	case s.respHeadersSent:
		s.errorf("local reply %d sent from %s after response headers went downstream: Envoy resets the stream", rp.Status, rp.From)
		s.resetStream("local_reply_after_response_headers")
	default:
		s.res.Response = Message{Sent: true, Status: rp.Status, Headers: replyHeaders(rp), Body: rp.Body}
	}
}

// replyHeaders are the headers Envoy's sendLocalReply produces: :status,
// the filter's extra headers, then for a body content-length and, unless
// the filter set one, content-type text/plain.
func replyHeaders(rp *LocalReply) Headers {
	h := Headers{{":status", strconv.Itoa(rp.Status)}}
	for _, kv := range rp.Headers {
		h = append(h, [2]string{strings.ToLower(kv[0]), kv[1]})
	}
	if len(rp.Body) > 0 {
		h = append(h, [2]string{"content-length", strconv.Itoa(len(rp.Body))})
		if _, ok := h.Get("content-type"); !ok {
			h = append(h, [2]string{"content-type", "text/plain"})
		}
	}
	return h
}

// overflow is a paused body outgrowing the buffer limit: 413 for requests
// (encoded through this filter like any local reply from the request path),
// 500 for responses whose headers are still held, else a reset.
func (s *stream) overflow(d *dir) {
	if d == requestDir {
		s.answer(&LocalReply{Status: 413, Details: "request_payload_too_large", Body: []byte("Payload Too Large"), GRPCStatus: -1, From: "host"})
		return
	}
	s.answer(&LocalReply{Status: 500, Details: "response_payload_too_large", Body: []byte("Internal Server Error"), GRPCStatus: -1, From: "host"})
}

func (s *stream) stall(format string, args ...any) {
	s.errorf(format, args...)
	s.resetStream("stalled")
}

func (s *stream) resetStream(reason string) {
	s.ended = true
	if s.res.Reset == "" {
		s.res.Reset = reason
	}
	s.res.Response = Message{}
}

// failClosed answers like Envoy's default fail policy after a VM failure:
// 503 "wasm_fail_stream", or a reset once response headers went out.
func (s *stream) failClosed() {
	s.ended = true
	if s.respHeadersSent {
		s.resetStream("wasm_fail_stream")
		return
	}
	rp := &LocalReply{Status: 503, Details: "wasm_fail_stream", GRPCStatus: 14, From: "host"}
	if s.res.LocalReply == nil {
		s.res.LocalReply = rp
	}
	s.res.Response = Message{Sent: true, Status: 503, Headers: replyHeaders(rp)}
}

// proxySendLocalResponse(status, details, details_len, body, body_len,
// headers, headers_len, grpc_status): acted on after the callback returns,
// which is then treated as Stop whatever it returned.
func (vm *VM) proxySendLocalResponse(mod api.Module, s []uint64) {
	details, ok1 := readString(mod, arg(s, 1), arg(s, 2))
	body, ok2 := read(mod, arg(s, 3), arg(s, 4))
	hdrs, ok3 := read(mod, arg(s, 5), arg(s, 6))
	if !ok1 || !ok2 || !ok3 {
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.streams[vm.effective]
	if st == nil {
		ret(s, statusNotFound)
		return
	}
	if st.reply == nil {
		st.reply = &LocalReply{
			Status:     int(arg(s, 0)),
			Details:    strings.Join(strings.Fields(details), "_"),
			Body:       body,
			Headers:    decodePairs(hdrs),
			GRPCStatus: int32(arg(s, 7)),
		}
	}
	ret(s, statusOK)
}

// proxyContinueStream(type): deferred until the callback returns.
func (vm *VM) proxyContinueStream(_ api.Module, s []uint64) {
	vm.streamOp(s, func(st *stream, t uint32) { st.continued[t] = true })
}

// proxyCloseStream(type): a deferred reset ("wasm_close_stream").
func (vm *VM) proxyCloseStream(_ api.Module, s []uint64) {
	vm.streamOp(s, func(st *stream, _ uint32) { st.closed = true })
}

// streamOp answers proxy_continue_stream and proxy_close_stream with
// Envoy's statuses per stream type: for an HTTP request (0) or response (1)
// op marks the current stream (NOT_FOUND outside one), DOWNSTREAM (2) is OK,
// UPSTREAM (3) UNIMPLEMENTED, anything else BAD_ARGUMENT (ENVOY.md §5.4).
func (vm *VM) streamOp(s []uint64, op func(st *stream, t uint32)) {
	switch t := arg(s, 0); t {
	case 0, 1:
		st := vm.streams[vm.effective]
		if st == nil {
			ret(s, statusNotFound)
			return
		}
		op(st, t)
		ret(s, statusOK)
	case 2:
		ret(s, statusOK)
	case 3:
		ret(s, statusUnimplemented)
	default:
		ret(s, statusBadArgument)
	}
}
