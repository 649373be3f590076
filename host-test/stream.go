package hosttest

import (
	"fmt"
	"net/http"
	"slices"
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

	// phase is streamRequest, streamResponse or streamLog.
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
	// live: driven step by step (VM.Open) rather than by Do.
	live bool
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
	requestDir = &dir{streamRequest, 0, mapRequestHeaders, mapRequestTrailers, bufRequestBody,
		"proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers"}
	responseDir = &dir{streamResponse, 1, mapResponseHeaders, mapResponseTrailers, bufResponseBody,
		"proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers"}
)

// The phases of a stream: which message the callbacks are about.
const (
	streamRequest  = "request"
	streamResponse = "response"
	streamLog      = "log"
)

// filterAction is what a headers, body or trailers callback returns
// (proxy-wasm's Action). Anything but actionContinue stops iteration
// (ENVOY.md §5.2).
type filterAction uint32

// actionContinue lets the message go on.
const actionContinue filterAction = 0

// Reasons a stream is reset, as Result.Reset reports them.
const (
	// resetCloseStream: the filter called proxy_close_stream (ENVOY.md §5.4).
	resetCloseStream = "wasm_close_stream"
	// resetStalled: paused and never resumed; Envoy would wait for a timeout.
	resetStalled = "stalled"
	// resetReplyReentry: a local reply sent while the filter was encoding its
	// own (§8).
	resetReplyReentry = "local_reply_reentry"
	// resetReplyAfterHeaders: a local reply sent after the response headers
	// went downstream (§8).
	resetReplyAfterHeaders = "local_reply_after_response_headers"
)

// wasmFailStream is the response code details of the fail-closed 503 and the
// reset that replaces it once response headers went out (ENVOY.md §13).
const wasmFailStream = "wasm_fail_stream"

// fromHost is LocalReply.From for a reply the host sent: the buffer limit's
// 413/500 and the fail-closed 503.
const fromHost = "host"

// gRPC statuses of local replies: grpcStatusNone (what the SDKs pass) sets
// none; grpcUnavailable is the fail-closed reply's (ENVOY.md §8, §13).
const (
	grpcStatusNone  int32 = -1
	grpcUnavailable int32 = 14
)

// proxy_stream_type_t, the argument of proxy_continue_stream and
// proxy_close_stream. The HTTP types double as the index of a direction
// (dir.idx).
const (
	streamTypeHTTPRequest uint32 = iota
	streamTypeHTTPResponse
	streamTypeDownstream
	streamTypeUpstream
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
		// The exchange's logs move into its Result, so a VM that serves
		// many exchanges keeps only what it logged outside them.
		res.Logs = slices.Clone(vm.logs[logStart:])
		clear(vm.logs[logStart:])
		vm.logs = vm.logs[:logStart]
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
		s.checkContentLength(streamRequest, req)
		resp, ok := s.run(responseDir, ex.responseHeaders(), ex.ResponseBody, ex.ResponseTrailers, ex.ChunkSize)
		if ok {
			res.Response = resp
		}
	} else {
		s.encodeReply()
	}
	res.Response.BodyWritten = s.bodyWritten[bufResponseBody]
	s.checkContentLength(streamResponse, res.Response)
	s.finish()
	return res
}

// encodeReply runs a local reply sent from the request path through this
// filter's response callbacks, as Envoy encodes it through the whole filter
// chain; the response it produces is what the client gets.
func (s *stream) encodeReply() {
	rp := s.through
	if rp == nil {
		return
	}
	s.through, s.replying, s.ended = nil, true, false
	if resp, ok := s.run(responseDir, replyHeaders(rp), rp.Body, nil, 0); ok {
		s.res.Response = resp
	}
}

// run drives one direction through the filter in Envoy's order (ENVOY.md
// §5.1): the headers callback, one body callback per DATA frame, then the
// trailers callback when trailers end the message. It returns the message as
// it left the filter and false when the stream ended on the way (local reply,
// reset, failure, stall).
func (s *stream) run(d *dir, headers Headers, body []byte, trailers Headers, chunk int) (Message, bool) {
	s.phase = d.name
	f := &flow{d: d}
	frames := split(body, chunk, s.ex.FinalEmptyChunk && !s.replying && trailers == nil)
	resumed, ok := s.onHeaders(f, headers, len(body) == 0 && trailers == nil)
	if !ok {
		return f.out, false
	}
	if resumed {
		// What arrived while the headers were paused reaches the filter in one call.
		frames = split(body, 0, false)
	}
	for i, frame := range frames {
		eos := i == len(frames)-1 && trailers == nil
		if !s.onBody(f, frame, eos) {
			return f.out, false
		}
	}
	if trailers == nil {
		return f.out, s.endWithoutTrailers(f)
	}
	return f.out, s.onTrailers(f, trailers)
}

// flow is what the steps of run share while one message crosses the filter.
type flow struct {
	d *dir
	// out is the message as it has left the filter so far.
	out Message
	// held: the headers callback paused under allow_on_headers_stop_iteration,
	// so the headers wait for the first callback that continues (§5.3).
	held bool
	// buf is the body the running body callback sees: the current frame, or
	// every frame since the filter paused (§6.1).
	buf []byte
	// buffering: the last body callback paused, so the next frame joins buf.
	buffering bool
	// last is the last frame delivered, for emitBody to tell the host's
	// buffer from the caller's memory.
	last []byte
}

// onHeaders runs the headers callback (ENVOY.md §5.2, §5.3); eos says
// whether the headers end the message. Continue lets the headers go and the
// body follow frame by frame. Pause holds only the headers under
// allow_on_headers_stop_iteration (when a body or trailers follow); otherwise
// it stops everything until proxy_continue_stream, after which what arrived
// meanwhile reaches the filter in one call: resumed reports that case.
func (s *stream) onHeaders(f *flow, headers Headers, eos bool) (resumed, ok bool) {
	d := f.d
	s.maps[d.hdr] = headers.clone()
	s.access[d.hdr] = accessWrite
	act, ok := s.action(d.onHeaders, fmt.Sprintf("n=%d eos=%t", len(headers), eos), d, uint64(len(headers)), b2u(eos))
	if !ok {
		return false, false
	}
	switch {
	case act == actionContinue:
		s.releaseHeaders(f)
	case s.vm.cfg.AllowOnHeadersStopIteration && !eos:
		f.held = true
	default:
		if !s.awaitContinue(d) {
			return false, false
		}
		s.releaseHeaders(f)
		return true, true
	}
	return false, true
}

// releaseHeaders sends the headers on. Envoy then drops its pointer to the
// map, so later writes fail (ENVOY.md §7.1); once response headers went
// downstream a local reply can only reset the stream (§8).
func (s *stream) releaseHeaders(f *flow) {
	d := f.d
	s.access[d.hdr] = accessNone
	f.out.Headers, f.out.Sent = s.maps[d.hdr].clone(), true
	if st, err := strconv.Atoi(first(f.out.Headers, ":status")); err == nil {
		f.out.Status = st
	}
	if d == responseDir {
		s.respHeadersSent = true
	}
	f.held = false
}

// onBody delivers one DATA frame to the body callback (ENVOY.md §6.1). After
// a Pause the frame joins the buffered body and the callback sees all of it,
// within the buffer limit (§9); Continue lets what the callback saw go, held
// headers first (§5.3). In the last frame of a message without trailers the
// callback may add trailers (§7.1).
func (s *stream) onBody(f *flow, frame []byte, eos bool) bool {
	d := f.d
	f.last = frame
	if f.buffering {
		f.buf = append(f.buf, frame...)
		if s.overLimit(f) {
			return false
		}
	} else {
		f.buf = frame // split capped it: an append copies rather than writes into the caller's body
	}
	s.body[d.buf] = &f.buf
	if eos && s.maps[d.trl] == nil {
		s.access[d.trl] = accessWrite // trailers may be added in the last body callback
	}
	act, ok := s.action(d.onBody, fmt.Sprintf("size=%d eos=%t", len(f.buf), eos), d, uint64(len(f.buf)), b2u(eos))
	s.body[d.buf], s.access[d.trl] = nil, accessNone
	if !ok {
		return false
	}
	if act == actionContinue {
		if f.held {
			s.releaseHeaders(f)
		}
		f.emit(f.buf, frame)
		f.buf, f.buffering = nil, false
		return true
	}
	f.emit(nil, nil)
	f.buffering = true
	return !s.overLimit(f)
}

// overLimit answers a buffered body grown past the buffer limit as Envoy
// does (413, 500 or a reset, ENVOY.md §9) and reports whether it did.
func (s *stream) overLimit(f *flow) bool {
	if len(f.buf) <= s.vm.cfg.BufferLimit {
		return false
	}
	s.overflow(f.d)
	return true
}

// endWithoutTrailers ends a message whose last body frame closed it. A body
// still paused at end of stream never leaves: Envoy would wait for its
// timeout, host-test resets the stream as stalled (ENVOY.md §5.4). Trailers
// the last body callback added leave with the message (§7.1).
func (s *stream) endWithoutTrailers(f *flow) bool {
	if f.buffering {
		s.stall("%s body paused at end of stream and never resumed", f.d.name)
		return false
	}
	f.out.Trailers = s.maps[f.d.trl].clone()
	return true
}

// onTrailers runs the trailers callback, which ends the message (ENVOY.md
// §5.1). A body still buffered stays readable and writable there and leaves
// with the trailers (§6.1, §7.1); a Pause from trailers is never resumed
// (stall, §5.4).
func (s *stream) onTrailers(f *flow, trailers Headers) bool {
	d := f.d
	s.maps[d.trl] = trailers.clone()
	s.access[d.trl] = accessWrite
	if f.buffering {
		s.body[d.buf] = &f.buf
	}
	act, ok := s.action(d.onTrailers, fmt.Sprintf("n=%d", len(trailers)), d, uint64(len(trailers)))
	s.access[d.trl], s.body[d.buf] = accessNone, nil
	if !ok {
		return false
	}
	if act != actionContinue {
		s.stall("%s trailers paused and never resumed", d.name)
		return false
	}
	if f.held {
		s.releaseHeaders(f)
	}
	f.emit(f.buf, f.last)
	f.out.Trailers = s.maps[d.trl].clone()
	return true
}

// action runs a headers/body/trailers callback and maps the result like
// Envoy: Pause stops, unless proxy_continue_stream was called meanwhile; a
// local reply or close_stream ends the stream whatever was returned.
func (s *stream) action(fn, args string, d *dir, params ...uint64) (filterAction, bool) {
	s.continued[d.idx] = false
	r, exported, err := s.call(fn, "", params...)
	if err != nil {
		return actionContinue, false
	}
	act := filterAction(r)
	if s.continued[d.idx] {
		act = actionContinue
	}
	if exported {
		name := "continue"
		if act != actionContinue {
			name = "pause"
		}
		s.res.Callbacks = append(s.res.Callbacks, fmt.Sprintf("%s %s -> %s", strings.TrimPrefix(fn, "proxy_"), args, name))
	}
	switch {
	case s.ended:
		return actionContinue, false
	case s.closed:
		s.resetStream(resetCloseStream)
		return actionContinue, false
	case s.reply != nil:
		rp := s.reply
		s.reply = nil
		rp.From = fn
		s.answer(rp)
		return actionContinue, false
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
		s.resetStream(resetCloseStream)
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
	s.phase = streamLog
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

// emit adds what a callback let through (buf, nil for nothing) to the
// message, as one more frame.
func (f *flow) emit(buf, chunk []byte) {
	from := len(f.out.Body)
	f.out.Body = emitBody(f.out.Body, buf, chunk)
	end := len(f.out.Body)
	f.out.Frames = append(f.out.Frames, f.out.Body[from:end:end])
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
		s.resetStream(resetReplyReentry)
	case s.phase == streamRequest:
		s.through = rp
	case s.respHeadersSent && rp.From == fromHost:
		s.resetStream(rp.Details)
	case s.respHeadersSent:
		s.errorf("local reply %d sent from %s after response headers went downstream: Envoy resets the stream", rp.Status, rp.From)
		s.resetStream(resetReplyAfterHeaders)
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
		s.answer(&LocalReply{Status: http.StatusRequestEntityTooLarge, Details: "request_payload_too_large",
			Body: []byte("Payload Too Large"), GRPCStatus: grpcStatusNone, From: fromHost})
		return
	}
	s.answer(&LocalReply{Status: http.StatusInternalServerError, Details: "response_payload_too_large",
		Body: []byte("Internal Server Error"), GRPCStatus: grpcStatusNone, From: fromHost})
}

func (s *stream) stall(format string, args ...any) {
	s.errorf(format, args...)
	s.resetStream(resetStalled)
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
		s.resetStream(wasmFailStream)
		return
	}
	rp := &LocalReply{Status: http.StatusServiceUnavailable, Details: wasmFailStream, GRPCStatus: grpcUnavailable, From: fromHost}
	if s.res.LocalReply == nil {
		s.res.LocalReply = rp
	}
	s.res.Response = Message{Sent: true, Status: rp.Status, Headers: replyHeaders(rp)}
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
	case streamTypeHTTPRequest, streamTypeHTTPResponse:
		st := vm.streams[vm.effective]
		if st == nil {
			ret(s, statusNotFound)
			return
		}
		op(st, t)
		ret(s, statusOK)
	case streamTypeDownstream:
		ret(s, statusOK)
	case streamTypeUpstream:
		ret(s, statusUnimplemented)
	default:
		ret(s, statusBadArgument)
	}
}
