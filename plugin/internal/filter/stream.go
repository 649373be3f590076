package filter

import (
	"errors"
	"strconv"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// stream is the state of one HTTP exchange: one small struct, no buffers of
// its own (Envoy buffers the body; the plugin reads it once at end of stream).
type stream struct {
	types.DefaultHttpContext
	plugin    *pluginContext
	method    string
	path      string
	requestID string
	// attrs are what the rule set's conditions read about the request, for
	// both bodies; nil when the set has no conditions.
	attrs *rules.RequestAttributes
	// status is the response's :status (0 until the response headers came).
	status int
	// cacheControl holds the response's Cache-Control values while the
	// response headers are held for mark_responses.
	cacheControl []string
	// bodies is indexed by rules.Direction.
	bodies [3]bodyState
	// headerReports are what the header rules (headers_rules.go) and, on
	// the request side, the query rules (query.go) found, by
	// rules.Direction; they join the body reports for the audit line.
	headerReports [3]rules.Report
	// replied is set once this filter sent a local reply: Envoy passes that
	// reply back through our own response callbacks, which must leave it alone.
	replied bool
	// holdingResponseHeaders is set when report_header or mark_responses
	// asked to hold the response headers until the body is rewritten.
	holdingResponseHeaders bool
}

// bodyState is what the stream remembers about one direction's body.
type bodyState struct {
	buffering bool // in scope: buffer to end of stream, then apply the rules
	// kind is how the body is read, decided from its labels (rules.BodyKind).
	kind rules.BodyKind
	// sniffing is set for a BodySniff body until rules.Sniff has decided
	// from its first bytes whether it is a JSON candidate.
	sniffing bool
	report   rules.Report
	// encoding is the body's content codings (identity for most bodies):
	// an encoded body is decoded at end of stream (encoding.go).
	encoding rules.Encoding
	// contentType is the content-type of a BodyMultipart body (its boundary).
	contentType string
	// records is set while a record stream is rewritten as it arrives
	// (records.go): it is never buffered.
	records *records
}

// OnHttpRequestHeaders decides whether the request body is in scope. It
// always continues: Pause here would withhold the body callbacks. The whole
// header map is read in one host call: every value of a repeated header
// counts (Envoy's get_header_map_value returns only the first), and one call
// costs less inside the VM than one per header.
func (s *stream) OnHttpRequestHeaders(_ int, endOfStream bool) (action types.Action) {
	defer s.recoverPanic(rules.Request, &action)
	headers, err := proxywasm.GetHttpRequestHeaders()
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		return s.fail(rules.Request, rules.InternalError)
	}
	s.method = firstValue(headers, ":method")
	s.path = firstValue(headers, ":path")
	s.requestID = firstValue(headers, "x-request-id")
	if !rules.ValidPath(s.path) {
		return s.fail(rules.Request, rules.InvalidPath)
	}
	if p := s.plugin.program; p.Conditional() && p.InScope(s.method, s.path) {
		s.attrs = requestAttributes(p, headers)
	}
	if action, answered := s.applyHeaderRules(rules.Request, headers); answered {
		return action
	}
	if action := s.rewriteQuery(); action != types.ActionContinue {
		return action
	}
	if err := s.stripAcceptEncoding(headers); err != nil {
		return s.fail(rules.Request, rules.InternalError)
	}
	if !s.inScope(rules.Request, endOfStream) {
		return types.ActionContinue
	}
	return s.begin(rules.Request, headers)
}

// OnHttpResponseHeaders decides whether the response body is in scope.
func (s *stream) OnHttpResponseHeaders(_ int, endOfStream bool) (action types.Action) {
	if s.replied {
		return types.ActionContinue
	}
	defer s.recoverPanic(rules.Response, &action)
	if !s.inScope(rules.Response, endOfStream) && !s.plugin.program.HeaderRules(rules.Response) {
		return types.ActionContinue
	}
	headers, err := proxywasm.GetHttpResponseHeaders()
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		return s.fail(rules.Response, rules.InternalError)
	}
	s.status, _ = strconv.Atoi(firstValue(headers, ":status"))
	if action, answered := s.applyHeaderRules(rules.Response, headers); answered || !s.inScope(rules.Response, endOfStream) {
		return action
	}
	return s.begin(rules.Response, headers)
}

// inScope reports whether direction d may carry a body the rule set covers:
// a body follows the headers, the rules apply to d, and the request's
// method and path are in match.
func (s *stream) inScope(d rules.Direction, endOfStream bool) bool {
	p := s.plugin.program
	return !endOfStream && p.Applies(d) && p.InScope(s.method, s.path)
}

// OnHttpRequestBody buffers the request body and rewrites it at end of stream.
func (s *stream) OnHttpRequestBody(bodySize int, endOfStream bool) (action types.Action) {
	defer s.recoverPanic(rules.Request, &action)
	return s.onBody(rules.Request, bodySize, endOfStream)
}

// OnHttpResponseBody buffers the response body and rewrites it at end of stream.
func (s *stream) OnHttpResponseBody(bodySize int, endOfStream bool) (action types.Action) {
	if s.replied {
		return types.ActionContinue
	}
	defer s.recoverPanic(rules.Response, &action)
	return s.onBody(rules.Response, bodySize, endOfStream)
}

// OnHttpRequestTrailers ends a buffered request body that had no end_of_stream
// flag (HTTP/2 trailers).
func (s *stream) OnHttpRequestTrailers(int) (action types.Action) {
	defer s.recoverPanic(rules.Request, &action)
	return s.onTrailers(rules.Request)
}

// OnHttpResponseTrailers ends a buffered response body that had no end_of_stream flag.
func (s *stream) OnHttpResponseTrailers(int) (action types.Action) {
	if s.replied {
		return types.ActionContinue
	}
	defer s.recoverPanic(rules.Response, &action)
	return s.onTrailers(rules.Response)
}

// OnHttpStreamDone writes the audit line of a stream that found anything.
func (s *stream) OnHttpStreamDone() {
	defer func() { _ = recover() }() // nothing left to protect but the worker
	p := s.plugin
	s.joinHeaderReports()
	if line, ok := appendAuditLine(p.auditBuf[:0], p.program.Name(), s.requestID, &s.bodies); ok {
		proxywasm.LogInfo(string(line))
		p.auditBuf = line
	}
}

// begin runs in a headers callback of a direction in scope: it gates the
// body on its labels and its content codings (every value of each, from
// the whole header map; beginEncoding) and, for a body that may be
// rewritten, drops content-length (the only moment headers can still
// change).
func (s *stream) begin(d rules.Direction, headers [][2]string) types.Action {
	p := s.plugin.program
	h := hostCalls[d]
	var values [2]string // room for the usual one value, without allocating
	kind := p.BodyKind(appendHeaderValues(values[:0], headers, "content-type"))
	if kind == rules.BodySkip {
		return types.ActionContinue
	}
	enc, readable, err := s.beginEncoding(d, appendHeaderValues(values[:0], headers, "content-encoding"))
	if !readable {
		return s.fail(d, rules.Encoded)
	}
	if err != nil {
		return s.fail(d, rules.InternalError)
	}
	if err := h.removeHeader("content-length"); err != nil {
		return s.fail(d, rules.InternalError)
	}
	if streamsRecords(kind, enc) {
		return s.beginRecords(d, kind, headers)
	}
	s.bodies[d] = bodyState{buffering: true, kind: kind, sniffing: kind == rules.BodySniff, encoding: enc}
	if kind == rules.BodyMultipart {
		s.bodies[d].contentType = firstValue(headers, "content-type")
	}
	if d == rules.Response && (p.ReportHeader() != "" || p.MarkResponses()) {
		// Needs allow_on_headers_stop_iteration (Envoy ≥ 1.35): the body
		// callbacks still come while the headers wait for the report.
		s.holdingResponseHeaders = true
		if p.MarkResponses() {
			s.cacheControl = appendHeaderValues(nil, headers, "cache-control")
		}
		return types.ActionPause
	}
	return types.ActionContinue
}

// onBody buffers until end of stream, then applies the rules once. A
// sniffed body is buffered only until its first bytes decide (sniff).
func (s *stream) onBody(d rules.Direction, bodySize int, endOfStream bool) types.Action {
	st := &s.bodies[d]
	if st.records != nil {
		return s.onRecords(d, bodySize, endOfStream)
	}
	if !st.buffering {
		return types.ActionContinue
	}
	if st.sniffing {
		if action, decided := s.sniff(d, bodySize, endOfStream); decided {
			return action
		}
	}
	if bodySize > s.plugin.program.MaxBodyBytes() {
		return s.fail(d, rules.Oversize)
	}
	if !endOfStream {
		return types.ActionPause
	}
	return s.finish(d, bodySize)
}

// sniffRead is how much of a sniffed body is read first: enough to decide
// almost always, without copying a large first chunk out of Envoy.
const sniffRead = 512

// sniff reads the body buffered so far (bodySize bytes: the whole body
// once a previous call paused) and lets rules.Sniff decide: not a candidate
// stops buffering and lets the body through, whatever its size; a UTF-16/32
// candidate is invalid_json; a UTF-8 candidate is buffered to the end like
// labelled JSON. Until it can decide, the body stays buffered (decided
// false), bounded by max_body_bytes.
func (s *stream) sniff(d rules.Direction, bodySize int, endOfStream bool) (action types.Action, decided bool) {
	if !s.bodies[d].encoding.Identity() {
		return s.sniffEncoded(d, bodySize, endOfStream)
	}
	get := hostCalls[d].getBody
	prefix, err := get(0, min(bodySize, sniffRead))
	verdict := rules.Sniff(prefix, endOfStream && bodySize <= sniffRead)
	if err == nil && verdict == rules.SniffMore && bodySize > sniffRead {
		prefix, err = get(0, bodySize)
		verdict = rules.Sniff(prefix, endOfStream)
	}
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		return s.fail(d, rules.InternalError), true
	}
	switch verdict {
	case rules.SniffText:
		s.bodies[d].buffering = false
		return types.ActionContinue, true
	case rules.SniffWide:
		return s.fail(d, rules.InvalidJSON), true
	case rules.SniffJSON:
		s.bodies[d].sniffing = false
	}
	return 0, false
}

// onTrailers treats trailers as the end of a body still being buffered.
func (s *stream) onTrailers(d rules.Direction) types.Action {
	if s.bodies[d].records != nil {
		return s.onRecordTrailers(d)
	}
	if !s.bodies[d].buffering {
		return types.ActionContinue
	}
	return s.finish(d, s.plugin.program.MaxBodyBytes()+1)
}

// finish reads the buffered body (at most readSize bytes), applies the rules
// and replaces the body only when something changed.
func (s *stream) finish(d rules.Direction, readSize int) types.Action {
	s.bodies[d].buffering = false
	h := hostCalls[d]
	body, err := h.getBody(0, readSize)
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) { // an empty body reads as "not found"
		return s.fail(d, rules.InternalError)
	}
	p := s.plugin.program
	if len(body) > p.MaxBodyBytes() {
		return s.fail(d, rules.Oversize)
	}
	if len(body) == 0 {
		return types.ActionContinue
	}
	var form rules.Encoding // the codings to write a changed body in
	if !s.bodies[d].encoding.Identity() {
		if body, form, err = s.decodeBody(d, body); err != nil {
			return s.failDecode(d, err)
		}
	}
	in := rules.Input{Direction: d, Request: s.attrs, Status: s.status, ContentType: s.bodies[d].contentType}
	out, report, err := p.ApplyAs(s.bodies[d].kind, body, in, rules.ApplyFunc(s.plugin.apply))
	switch {
	case errors.Is(err, rules.ErrNotJSON):
		return types.ActionContinue // not JSON, and nothing claimed it was
	case errors.Is(err, rules.ErrInvalidJSON), errors.Is(err, rules.ErrTooDeep):
		return s.fail(d, rules.InvalidJSON)
	case errors.Is(err, rules.ErrWorkBudget):
		return s.fail(d, rules.WorkBudget)
	case errors.Is(err, rules.ErrEncodedPart):
		return s.fail(d, rules.Encoded)
	case err != nil:
		return s.fail(d, rules.InternalError)
	}
	s.bodies[d].report = report
	if f := report.Blocked(); f != nil {
		s.plugin.metrics.recordBody(d, len(body), false, report)
		return s.block(d, "body", f)
	}
	if d == rules.Response && s.holdingResponseHeaders {
		shown := p.MergeReports(s.headerReports[d], report) // what the headers and the body changed
		if summary := reportSummary(shown); summary != "" {
			if err := proxywasm.ReplaceHttpResponseHeader(p.ReportHeader(), summary); err != nil {
				return s.fail(d, rules.InternalError)
			}
		}
		if p.MarkResponses() && foundPersonalData(shown) && !noStore(s.cacheControl) {
			if err := proxywasm.ReplaceHttpResponseHeader("cache-control", markedCacheControl(s.cacheControl)); err != nil {
				return s.fail(d, rules.InternalError)
			}
		}
	}
	changed := !sameBytes(out, body)
	s.plugin.metrics.recordBody(d, len(body), changed, report)
	if changed {
		if out, err = s.encodeBody(form, out); err != nil {
			return s.fail(d, rules.InternalError)
		}
		if err := h.replaceBody(out); err != nil {
			return s.fail(d, rules.InternalError)
		}
	}
	return types.ActionContinue
}

// fail applies the rule set's choice for a body it cannot rewrite: pass
// forwards it unchanged, reject answers with a local reply. Either way one
// warning names the kind, never the body.
func (s *stream) fail(d rules.Direction, kind rules.FailureKind) types.Action {
	p := s.plugin.program
	s.bodies[d].buffering = false
	outcome := p.OnFailure(kind)
	s.plugin.metrics.recordFailure(d, kind)
	subject := d.String() + " body"
	if kind == rules.InvalidPath {
		subject = "request path"
	}
	proxywasm.LogWarnf("veil: rule set %q: %s: %s: %s", p.Name(), subject, kind, outcome)
	if outcome == rules.Pass {
		return types.ActionContinue
	}
	reply := s.plugin.rejections[kind]
	status := reply.requestStatus
	if d == rules.Response {
		status = responseRejectStatus
	}
	return s.reply(status, reply.body)
}

// block refuses the exchange because block rule finding f found something
// in direction d's part ("body", "headers", "query"): a local reply with the rule's status on the request side
// (RuleInfo.BlockStatus), 502 on the response side, whose body names the
// rule set, the rule and the detector kinds and counts, never a value; one
// warning names the rule.
func (s *stream) block(d rules.Direction, part string, f *rules.Finding) types.Action {
	p := s.plugin
	p.metrics.recordBlocked(d, f.Rule)
	proxywasm.LogWarnf("veil: rule set %q: %s %s: blocked by rule %q", p.program.Name(), d, part, f.Rule)
	status := uint32(responseRejectStatus)
	if d == rules.Request {
		status = p.blockStatus(f.Rule)
	}
	return s.reply(status, appendBlockReply(nil, p.program.Name(), f))
}

// reply answers the exchange with a local JSON reply; the stream's own
// response callbacks then leave that reply alone.
func (s *stream) reply(status uint32, body []byte) types.Action {
	s.replied = true
	if err := proxywasm.SendHttpResponse(status, jsonHeaders, body, -1); err != nil {
		proxywasm.LogErrorf("veil: sending local reply: %v", err)
	}
	return types.ActionPause
}

// recoverPanic turns a panic in per-stream code into the rule set's on.error choice.
func (s *stream) recoverPanic(d rules.Direction, action *types.Action) {
	if r := recover(); r != nil {
		if s.bodies[d].records != nil {
			*action = s.recoverRecords(d)
			return
		}
		*action = s.fail(d, rules.InternalError)
	}
}

// reportSummary lists what the rules changed as "rule=count" pairs, for the
// report_header; shadow findings changed nothing and are left out.
func reportSummary(report rules.Report) string {
	var b strings.Builder
	for _, f := range report.Findings {
		if f.Shadow {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Rule)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(f.Count))
	}
	return b.String()
}

// foundPersonalData reports whether a body's report shows personal data
// for mark_responses: an enforcing finding or a minimization. A keep rule
// reports nothing, so a value kept whole does not mark its response.
func foundPersonalData(report rules.Report) bool {
	for _, f := range report.Findings {
		if !f.Shadow {
			return true
		}
	}
	return len(report.Minimized) > 0
}

// noStore reports whether Cache-Control values already carry no-store (the
// strictest directive), so mark_responses leaves them alone.
func noStore(values []string) bool {
	for _, v := range values {
		for _, directive := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(directive, "=")
			if strings.EqualFold(strings.TrimSpace(name), "no-store") {
				return true
			}
		}
	}
	return false
}

// markedCacheControl returns the Cache-Control value mark_responses sets:
// the response's own directives, joined, followed by no-store.
func markedCacheControl(values []string) string {
	var kept []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(append(kept, "no-store"), ", ")
}

// firstValue returns the first value of the header name ("" for none).
func firstValue(headers [][2]string, name string) string {
	for _, kv := range headers {
		if strings.EqualFold(kv[0], name) {
			return kv[1]
		}
	}
	return ""
}

// appendHeaderValues appends every value of the header name, in order.
func appendHeaderValues(values []string, headers [][2]string, name string) []string {
	for _, kv := range headers {
		if strings.EqualFold(kv[0], name) {
			values = append(values, kv[1])
		}
	}
	return values
}

// sameBytes reports whether out is body itself (Apply returns the input slice
// when nothing changed).
func sameBytes(out, body []byte) bool {
	return len(out) == len(body) && (len(out) == 0 || &out[0] == &body[0])
}
