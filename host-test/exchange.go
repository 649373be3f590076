package hosttest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Exchange is one HTTP request and the upstream's response, as they reach
// the filter. Zero fields take defaults noted on each.
type Exchange struct {
	// Method defaults to POST when RequestBody is set, else GET.
	Method string
	// Path defaults to "/". The request goes to http://example.com over
	// HTTP/1.1 (:scheme, :authority, request.protocol).
	Path string
	// RequestHeaders follow the pseudo-headers. A content-length matching
	// RequestBody is added unless present.
	RequestHeaders Headers
	// RequestBody is nil for a request without body (headers end the stream).
	RequestBody []byte
	// RequestTrailers, when non-nil, end the request instead of the body.
	RequestTrailers Headers

	// Status is the upstream response status, default 200.
	Status int
	// ResponseHeaders, ResponseBody and ResponseTrailers mirror the request.
	ResponseHeaders  Headers
	ResponseBody     []byte
	ResponseTrailers Headers

	// ChunkSize splits each body into DATA frames of this size; 0 sends each
	// body as one frame.
	ChunkSize int
	// FinalEmptyChunk ends each body with a zero-size end_of_stream call, as
	// Envoy does for chunked HTTP/1.1 or an empty HTTP/2 END_STREAM frame.
	FinalEmptyChunk bool
	// SlowCalls holds http_call responses and queue notifications until the
	// whole request has arrived, like an auth service slower than the
	// client. A filter paused on headers then gets the accumulated request
	// body in one call after proxy_continue_stream, as in Envoy.
	SlowCalls bool
}

// Message is a request or response as it left the filter.
type Message struct {
	// Sent is false when the message never got past the filter.
	Sent bool `json:"-"`
	// Status is the response status (0 for requests).
	Status   int     `json:"status,omitempty"`
	Headers  Headers `json:"headers"`
	Body     []byte  `json:"-"`
	Trailers Headers `json:"trailers,omitempty"`
	// Frames are the pieces of Body as they left the filter: one per body
	// callback (empty when it paused, or when the filter held everything
	// the frame brought), then one for the trailers callback when trailers
	// ended the message. A streaming filter's output shows here record by
	// record; a buffering filter's is empty until end of stream. Nil for a
	// local reply.
	Frames [][]byte `json:"-"`
	// BodyWritten is true when the filter wrote the body
	// (proxy_set_buffer_bytes), even with the bytes it already had.
	BodyWritten bool `json:"-"`
}

// LocalReply is a response generated inside Envoy instead of by the
// upstream: by the plugin (proxy_send_local_response) or by the host (413
// and 500 on the buffer limit, 503 for a failed VM).
type LocalReply struct {
	Status     int     `json:"status"`
	Details    string  `json:"details"`
	Body       []byte  `json:"-"`
	Headers    Headers `json:"headers,omitempty"`
	GRPCStatus int32   `json:"grpc_status"`
	// From names the callback that sent it, or "host".
	From string `json:"from"`
}

// Result is what one exchange produced.
type Result struct {
	// Request is what the upstream received.
	Request Message
	// Response is what the client received.
	Response Message
	// LocalReply is the first local reply of the exchange, if any.
	LocalReply *LocalReply
	// Reset is non-empty when the stream was reset instead of answered.
	Reset string
	// Callbacks lists the guest callbacks in the order they ran, with their
	// arguments and the action returned, e.g.
	// "on_request_body size=7 eos=false -> pause".
	Callbacks []string
	// Logs holds what the VM logged during the exchange.
	Logs []LogEntry
	// Errors are behaviours Envoy would not forgive: header writes outside
	// their callback, a body changed while content-length still stands, a
	// stream paused and never resumed, a second local reply.
	Errors []string
	// VMError is the trap that failed the VM, if one did.
	VMError error
}

func (ex *Exchange) requestHeaders() Headers {
	method := ex.Method
	if method == "" {
		method = "GET"
		if ex.RequestBody != nil {
			method = "POST"
		}
	}
	h := Headers{
		{":method", method},
		{":path", or(ex.Path, "/")},
		{":authority", "example.com"},
		{":scheme", "http"},
	}
	return ex.withBodyHeaders(h, ex.RequestHeaders, ex.RequestBody)
}

func (ex *Exchange) responseHeaders() Headers {
	status := ex.Status
	if status == 0 {
		status = http.StatusOK
	}
	return ex.withBodyHeaders(Headers{{":status", strconv.Itoa(status)}}, ex.ResponseHeaders, ex.ResponseBody)
}

func (ex *Exchange) withBodyHeaders(h, extra Headers, body []byte) Headers {
	for _, kv := range extra {
		h = append(h, [2]string{strings.ToLower(kv[0]), kv[1]})
	}
	if _, ok := h.Get("content-length"); !ok && body != nil {
		h = append(h, [2]string{"content-length", strconv.Itoa(len(body))})
	}
	return h
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// checkContentLength reports a message whose content-length does not match
// the body that actually left the filter.
func (s *stream) checkContentLength(what string, m Message) {
	if m.Sent {
		s.checkLength(what, m.Headers, len(m.Body))
	}
}

// checkLength reports headers whose content-length is not size, the
// number of body bytes that left the filter.
func (s *stream) checkLength(what string, h Headers, size int) {
	v, ok := h.Get("content-length")
	if !ok {
		return
	}
	if n, err := strconv.Atoi(v); err != nil || n != size {
		s.errorf("%s body changed while content-length still stands: content-length %s, body %d bytes", what, v, size)
	}
}

func (s *stream) errorf(format string, args ...any) {
	s.res.Errors = append(s.res.Errors, fmt.Sprintf(format, args...))
}
