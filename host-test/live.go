package hosttest

// Live is one HTTP stream fed to a VM piece by piece, as a proxy receives
// it from the network: the callbacks Do runs, in the same order and under
// the same Envoy rules (it is Do's stream logic, driven one step at a
// time), but each step returns what left the filter, so a proxy forwards
// headers and body bytes as they go. Several Live streams may be open on
// one VM and interleave between steps, as Envoy's streams do on a worker;
// the VM is still not safe for concurrent use: serialize the steps of all
// streams of a VM.
//
// Each direction is Headers, then Data for every chunk (the last with eos,
// or an empty chunk with eos), or Trailers to end it; the response
// direction starts once the request ended. A step that returns false ended
// the stream (local reply, reset, VM failure): Result then says how, and
// Result().Response is what the client gets. Close always ends a stream,
// complete or not, with on_log, on_done and on_delete.
type Live struct {
	s     *stream
	flows [2]*flow
	// headersOut records which directions' headers a step returned.
	headersOut [2]bool
	// sent counts the body bytes of each direction that left the filter.
	sent   [2]int
	ended  bool
	closed bool
}

// Direction names the message a Live step is about.
type Direction int

// The directions of a Live stream.
const (
	Request Direction = iota
	Response
)

// Out is what one Live step let out of the filter.
type Out struct {
	// Headers are the message's headers (pseudo-headers first) when they
	// left in this step, else nil.
	Headers Headers
	// Body holds the body bytes that left in this step; the caller owns it.
	Body []byte
}

// Open starts a stream on the VM (proxy_on_context_create). A VM that
// failed earlier gives a stream already ended with the fail-closed 503.
func (vm *VM) Open() *Live {
	s := &stream{vm: vm, id: vm.newContextID(), ex: &Exchange{}, res: &Result{}, filterState: map[string][]byte{}, live: true}
	vm.streams[s.id] = s
	l := &Live{s: s, flows: [2]*flow{{d: requestDir}, {d: responseDir}}}
	if vm.failed != nil {
		s.res.VMError = vm.failed
		s.failClosed()
		l.ended = true
		return l
	}
	if _, _, err := s.call("proxy_on_context_create", "on_context_create", uint64(vm.rootID)); err != nil {
		l.ended = true
	}
	return l
}

// Headers runs the headers callback of direction d; eos says the message
// has no body and no trailers.
func (l *Live) Headers(d Direction, h Headers, eos bool) (Out, bool) {
	if l.ended {
		return Out{}, false
	}
	f := l.flows[d]
	l.s.phase = f.d.name
	_, ok := l.s.onHeaders(f, h, eos)
	return l.step(f, ok, eos)
}

// Data delivers one DATA frame of direction d to the body callback; eos
// marks the last (it may be empty, as Envoy's final zero-size call). The
// chunk is copied: the caller may reuse it.
func (l *Live) Data(d Direction, chunk []byte, eos bool) (Out, bool) {
	if l.ended {
		return Out{}, false
	}
	frame := append([]byte{}, chunk...)
	ok := l.s.onBody(l.flows[d], frame[:len(frame):len(frame)], eos)
	return l.step(l.flows[d], ok, eos)
}

// Trailers runs the trailers callback of direction d, which ends the
// message; the trailers as they left are in Result.
func (l *Live) Trailers(d Direction, h Headers) (Out, bool) {
	if l.ended {
		return Out{}, false
	}
	f := l.flows[d]
	ok := l.s.onTrailers(f, h)
	if ok {
		l.s.checkLength(f.d.name, f.out.Headers, l.sent[f.d.idx]+len(f.out.Body))
	}
	return l.step(f, ok, false)
}

// step collects what left the filter during one step, ends the message at
// end of stream as Do does, and on a stream that ended on the request path
// encodes the local reply through the response callbacks.
func (l *Live) step(f *flow, ok, eos bool) (Out, bool) {
	i := f.d.idx
	if ok && eos {
		ok = l.s.endWithoutTrailers(f)
	}
	var out Out
	if f.out.Sent && !l.headersOut[i] {
		out.Headers, l.headersOut[i] = f.out.Headers, true
	}
	out.Body = f.out.Body
	l.sent[i] += len(out.Body)
	f.out.Body, f.out.Frames = nil, nil
	if ok && eos {
		l.s.checkLength(f.d.name, f.out.Headers, l.sent[i])
	}
	if !ok {
		l.ended = true
		if f.d == requestDir {
			l.s.encodeReply()
		}
	}
	return out, ok
}

// Result is how the stream went so far. Request and Response carry
// headers and trailers but no Body (the steps returned it); after a step
// returned false, Response is the complete answer the client gets when
// Sent (a local reply, with its body), and Reset or VMError say otherwise.
func (l *Live) Result() *Result {
	res := l.s.res
	if res.Reset == "" && res.LocalReply == nil && res.VMError == nil {
		res.Response = l.flows[responseDir.idx].out
	}
	res.Request = l.flows[requestDir.idx].out
	res.Request.BodyWritten = l.s.bodyWritten[bufRequestBody]
	res.Response.BodyWritten = l.s.bodyWritten[bufResponseBody]
	return res
}

// Close ends the stream (on_log, on_done, on_delete) and returns its
// Result, Logs included. Calling it again returns the same Result.
func (l *Live) Close() *Result {
	if !l.closed {
		l.closed, l.ended = true, true
		l.s.finish()
		delete(l.s.vm.streams, l.s.id)
	}
	return l.Result()
}
