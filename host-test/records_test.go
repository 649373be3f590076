package hosttest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// updateStreams rewrites the want files of host-test/testdata/streams from
// the native whole-body rewrite (rules.Program.ApplyAs).
var updateStreams = flag.Bool("update-streams", false, "rewrite host-test/testdata/streams/*.want from the native rewrite")

// streamCase is one record-stream body of host-test/testdata/streams.
type streamCase struct {
	file        string
	contentType string
	kind        rules.BodyKind
}

var streamCases = []streamCase{
	{"openai-chat.sse", "text/event-stream", rules.BodyEventStream},
	{"anthropic-messages.sse", "text/event-stream; charset=utf-8", rules.BodyEventStream},
	{"ollama-chat.ndjson", "application/x-ndjson", rules.BodyJSONLines},
}

// streamChunkSizes are the DATA frame sizes the goldens run at.
var streamChunkSizes = []int{1, 3, 17, 64 << 10}

// streamsData reads a file of host-test/testdata/streams.
func streamsData(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "streams", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compileStreams compiles a rule set natively, for the reference rewrite.
func compileStreams(t testing.TB, src []byte) *rules.Program {
	t.Helper()
	p, err := rules.Compile(src, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// streamExchange is a POST whose response is body, labelled contentType.
func streamExchange(contentType string, body []byte, chunk int) hosttest.Exchange {
	return hosttest.Exchange{
		Path:            "/v1/chat/completions",
		RequestHeaders:  hosttest.Headers{{"content-type", "application/json"}},
		RequestBody:     []byte(`{"stream":true}`),
		ResponseHeaders: hosttest.Headers{{"content-type", contentType}},
		ResponseBody:    body,
		ChunkSize:       chunk,
	}
}

// Record streams through the .wasm, response direction, at chunk sizes 1,
// 3, 17 and 64 KiB, with and without a final empty DATA frame, under the
// rule set of testdata/streams twice: as it is (the llm-prompts pack
// carries the texts of its stream paths across records, stream_text) and
// with `stream_text: []` (each record on its own). The client gets exactly
// the native whole-body rewrite (the golden .want file for the first), no
// planted value of leaks.txt at any chunk size, the framing of the input
// (every line but data lines, and the number of lines), whole records
// only, in order. Without carried text each record leaves as soon as its
// last byte arrived; with it, a record whose text ends in what could still
// begin a value waits for the next piece of that text (checkWholeRecords).
func TestRecordStreamGoldens(t *testing.T) {
	carried := streamsData(t, "rules.yaml")
	own := streamRules(t, "stream_text: []")
	leaks := strings.Split(strings.TrimSpace(string(streamsData(t, "leaks.txt"))), "\n")
	for _, set := range []struct {
		name  string
		src   []byte
		carry bool
	}{{"carried", carried, true}, {"per-record", own, false}} {
		p := compileStreams(t, set.src)
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: set.src})
		for _, c := range streamCases {
			body := streamsData(t, c.file)
			want, _, err := p.ApplyAs(c.kind, body, rules.Input{Direction: rules.Response}, p.Apply)
			if err != nil {
				t.Fatalf("%s: native: %v", c.file, err)
			}
			if set.carry {
				checkGolden(t, c.file+".want", want)
			}
			if bytes.Equal(want, body) {
				t.Fatalf("%s: the rules change nothing", c.file)
			}
			for _, chunk := range streamChunkSizes {
				for _, finalEmpty := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/chunk=%d/final-empty=%t", set.name, c.file, chunk, finalEmpty)
					ex := streamExchange(c.contentType, body, chunk)
					ex.FinalEmptyChunk = finalEmpty
					res := vm.Do(ex)
					if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || res.Reset != "" {
						t.Fatalf("%s: vm %v, errors %q, local reply %+v, reset %q", name, res.VMError, res.Errors, res.LocalReply, res.Reset)
					}
					got := res.Response.Body
					if !bytes.Equal(got, want) {
						t.Errorf("%s: the client got\n%s\nwant (native)\n%s", name, got, want)
						continue
					}
					checkLeaks(t, name, c.kind, got, leaks)
					if _, ok := res.Response.Headers.Get("content-length"); ok {
						t.Errorf("%s: content-length kept on a rewritten stream", name)
					}
					checkFraming(t, name, c.kind, body, got)
					checkWholeRecords(t, name, c.kind, want, res.Response.Frames)
					if !set.carry {
						checkForwardedAtOnce(t, name, p, c.kind, body, chunk, res.Response.Frames)
					}
				}
			}
		}
	}
}

// checkLeaks fails the test for each planted value that appears in out,
// or in one of the texts its records carry in pieces (joinedTexts).
func checkLeaks(t *testing.T, name string, kind rules.BodyKind, out []byte, leaks []string) {
	t.Helper()
	texts := joinedTexts(t, kind, out)
	for _, leak := range leaks {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("%s: %q survives", name, leak)
		}
		for key, text := range texts {
			if strings.Contains(text, leak) {
				t.Errorf("%s: %q survives split across records of text %s: %q", name, leak, key, text)
			}
		}
	}
}

// joinedTexts returns the texts an LLM stream sends in pieces, one piece
// per record, joined in order, by where they are: OpenAI's
// choices[i].delta.content and tool-call arguments, Anthropic's
// delta.text and delta.partial_json of block i, Ollama's message.content.
// A client reads these joined, so a value split across records is a leak.
func joinedTexts(t *testing.T, kind rules.BodyKind, body []byte) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, rec := range recordsOf(kind, body) {
		var r struct {
			Choices []struct {
				Index int
				Delta struct {
					Content   string
					ToolCalls []struct {
						Index    int
						Function struct{ Arguments string }
					} `json:"tool_calls"`
				}
			}
			Index int
			Delta struct {
				Text        string
				PartialJSON string `json:"partial_json"`
			}
			Message struct{ Content string }
		}
		if json.Unmarshal(rec, &r) != nil {
			continue
		}
		for _, c := range r.Choices {
			texts[fmt.Sprintf("choices[%d].delta.content", c.Index)] += c.Delta.Content
			for _, tc := range c.Delta.ToolCalls {
				texts[fmt.Sprintf("choices[%d].tool_calls[%d].arguments", c.Index, tc.Index)] += tc.Function.Arguments
			}
		}
		texts[fmt.Sprintf("block %d delta.text", r.Index)] += r.Delta.Text
		texts[fmt.Sprintf("block %d delta.partial_json", r.Index)] += r.Delta.PartialJSON
		texts["message.content"] += r.Message.Content
	}
	return texts
}

// recordsOf splits a record stream into its records: the data of each
// event (its data fields joined with a line feed), or each line.
func recordsOf(kind rules.BodyKind, body []byte) [][]byte {
	if kind != rules.BodyEventStream {
		return bytes.Split(body, []byte("\n"))
	}
	var out [][]byte
	for ev := range bytes.SplitSeq(body, []byte("\n\n")) {
		var data [][]byte
		for line := range bytes.SplitSeq(ev, []byte("\n")) {
			if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				data = append(data, bytes.TrimPrefix(v, []byte(" ")))
			}
		}
		out = append(out, bytes.Join(data, []byte("\n")))
	}
	return out
}

// Values split across records ("ali" | "ce@exam" | "ple.com"), in OpenAI
// chat deltas and tool-call arguments, Anthropic text and input_json
// deltas (with pings between), Ollama NDJSON: with the llm-prompts pack's
// stream_text, at every chunk size, none survives in the client's bytes
// nor in the texts joined from the records, the output is the native
// rewrite, and records leave whole. With `stream_text: []` the same
// values do survive joined: the check sees them.
func TestRecordStreamSplitValues(t *testing.T) {
	leaks := strings.Split(strings.TrimSpace(string(streamsData(t, "leaks-split.txt"))), "\n")
	cases := []streamCase{
		{"openai-split.sse", "text/event-stream", rules.BodyEventStream},
		{"anthropic-split.sse", "text/event-stream", rules.BodyEventStream},
		{"ollama-split.ndjson", "application/x-ndjson", rules.BodyJSONLines},
	}
	src := streamsData(t, "rules.yaml")
	p := compileStreams(t, src)
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: src})
	off := compileStreams(t, streamRules(t, "stream_text: []"))
	for _, c := range cases {
		body := streamsData(t, c.file)
		want, _, err := p.ApplyAs(c.kind, body, rules.Input{Direction: rules.Response}, p.Apply)
		if err != nil {
			t.Fatal(err)
		}
		plain, _, _ := off.ApplyAs(c.kind, body, rules.Input{Direction: rules.Response}, off.Apply)
		found := 0
		for _, text := range joinedTexts(t, c.kind, plain) {
			for _, leak := range leaks {
				if strings.Contains(text, leak) {
					found++
				}
			}
		}
		if found == 0 {
			t.Errorf("%s: without stream_text no split value survives: the case splits nothing", c.file)
		}
		for _, chunk := range streamChunkSizes {
			name := fmt.Sprintf("%s/chunk=%d", c.file, chunk)
			res := vm.Do(streamExchange(c.contentType, body, chunk))
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || res.Reset != "" {
				t.Fatalf("%s: vm %v, errors %q, local reply %+v, reset %q", name, res.VMError, res.Errors, res.LocalReply, res.Reset)
			}
			if !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%s: the client got\n%s\nwant (native)\n%s", name, res.Response.Body, want)
			}
			checkLeaks(t, name, c.kind, res.Response.Body, leaks)
			checkFraming(t, name, c.kind, body, res.Response.Body)
			checkWholeRecords(t, name, c.kind, want, res.Response.Frames)
		}
	}
}

// checkGolden compares got with testdata/streams/name, or rewrites it
// under -update-streams.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "streams", name)
	if *updateStreams {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if golden := streamsData(t, name); !bytes.Equal(golden, got) {
		t.Errorf("the native rewrite differs from %s (go test ./host-test -run TestRecordStreamGoldens -update-streams):\n%s", file, got)
	}
}

// checkWholeRecords checks that the client receives whole records, in
// order: after each body callback what left so far is a prefix of the
// final output that ends where a record (or the body) ends.
func checkWholeRecords(t *testing.T, name string, kind rules.BodyKind, final []byte, frames [][]byte) {
	t.Helper()
	var sent []byte
	for i, f := range frames {
		sent = append(sent, f...)
		if !bytes.HasPrefix(final, sent) || len(sent) < len(final) && completeRecords(kind, sent) != len(sent) {
			t.Errorf("%s: after body callback %d the client has a piece of a record or bytes out of order:\n%q", name, i+1, sent)
			return
		}
	}
}

// checkFraming compares everything but the records: the same number of
// lines, and for an event stream every line that is not a data field
// (event:, id:, retry:, comments, blank lines) byte for byte.
func checkFraming(t *testing.T, name string, kind rules.BodyKind, in, out []byte) {
	t.Helper()
	inLines, outLines := bytes.Split(in, []byte("\n")), bytes.Split(out, []byte("\n"))
	if len(inLines) != len(outLines) {
		t.Errorf("%s: %d lines in, %d out", name, len(inLines), len(outLines))
		return
	}
	if kind != rules.BodyEventStream {
		return
	}
	for i := range inLines {
		if !bytes.HasPrefix(inLines[i], []byte("data:")) && !bytes.Equal(inLines[i], outLines[i]) {
			t.Errorf("%s: line %d: framing %q became %q", name, i+1, inLines[i], outLines[i])
		}
	}
}

// checkForwardedAtOnce checks frame by frame that every record complete in
// the input so far has left the filter, rewritten: after each body
// callback the output so far starts with the native rewrite of the input's
// complete records so far, and is a prefix of the whole output.
func checkForwardedAtOnce(t *testing.T, name string, p *rules.Program, kind rules.BodyKind, body []byte, chunk int, frames [][]byte) {
	t.Helper()
	final, _, _ := p.ApplyAs(kind, body, rules.Input{Direction: rules.Response}, p.Apply)
	var sent []byte
	read := 0
	for i, f := range frames {
		sent = append(sent, f...)
		read = min(read+chunk, len(body))
		if i == len(frames)-1 {
			read = len(body)
		}
		complete := completeRecords(kind, body[:read])
		prefix, _, err := p.ApplyAs(kind, body[:complete], rules.Input{Direction: rules.Response}, p.Apply)
		if err != nil {
			t.Fatalf("%s: native prefix: %v", name, err)
		}
		if !bytes.HasPrefix(sent, prefix) || !bytes.HasPrefix(final, sent) {
			t.Errorf("%s: after body callback %d (%d of %d bytes in) the client has %d bytes; the %d bytes of complete records should have left:\n got %q\nwant %q",
				name, i+1, read, len(body), len(sent), complete, sent, prefix)
			return
		}
	}
}

// completeRecords returns the length of the complete records at the start
// of b: up to the last blank line of an event stream, the last line feed
// of NDJSON.
func completeRecords(kind rules.BodyKind, b []byte) int {
	if kind == rules.BodyEventStream {
		if i := bytes.LastIndex(b, []byte("\n\n")); i >= 0 {
			return i + 2
		}
		return 0
	}
	return bytes.LastIndexByte(b, '\n') + 1
}

// A streamed body is rewritten as it arrives whatever the direction: an
// NDJSON request (a batch upload) reaches the upstream as the native
// rewrite, frame by frame, and counts in the metrics and the audit line as
// a buffered body does.
func TestRecordStreamRequest(t *testing.T) {
	src := streamsData(t, "rules.yaml")
	body := streamsData(t, "ollama-chat.ndjson")
	src = append(src, []byte("  - id: email-key\n    select: { keys: [email] }\n    action: redact\n")...)
	p := compileStreams(t, src)
	want, report, err := p.ApplyAs(rules.BodyJSONLines, body, rules.Input{Direction: rules.Request}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	m := load(t, "veil", hosttest.Envoy133)
	vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: src})
	if err != nil {
		t.Fatal(err)
	}
	res := vm.Do(hosttest.Exchange{
		RequestHeaders: hosttest.Headers{{"content-type", "application/x-ndjson"}, {"x-request-id", "r-1"}},
		RequestBody:    body, ChunkSize: 7,
	})
	if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || !bytes.Equal(res.Request.Body, want) {
		t.Fatalf("vm %v, errors %q, reply %+v, upstream got\n%s\nwant\n%s", res.VMError, res.Errors, res.LocalReply, res.Request.Body, want)
	}
	checkWholeRecords(t, "request", rules.BodyJSONLines, want, res.Request.Frames)
	metrics := m.Metrics()
	for name, want := range map[string]int64{
		"wasmcustom.veil.bodies_inspected.rule_set.streams.direction.request":                                 1,
		"wasmcustom.veil.bytes_inspected.rule_set.streams.direction.request":                                  int64(len(body)),
		"wasmcustom.veil.bodies_changed.rule_set.streams.direction.request":                                   1,
		"wasmcustom.veil.values.rule_set.streams.rule.email-key.action.redact.direction.request.mode.enforce": int64(findingCount(report, "email-key")),
	} {
		if got := metrics[name].Value; got != want || want == 0 {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	audit := auditFindings(t, res.Logs)
	if f := audit["request/email-key"]; f.Count != findingCount(report, "email-key") {
		t.Errorf("audit findings %+v, want email-key ×%d", audit, findingCount(report, "email-key"))
	}
}

// findingCount returns the count of rule id in report.
func findingCount(report rules.Report, id string) int {
	for _, f := range report.Findings {
		if f.Rule == id {
			return f.Count
		}
	}
	return 0
}

// streamRules is the rule set of testdata/streams with more top-level
// settings (limits, on, report_header…) inserted after its name.
func streamRules(t testing.TB, settings string) []byte {
	t.Helper()
	src := string(streamsData(t, "rules.yaml"))
	return []byte(strings.Replace(src, "name: streams\n", "name: streams\n"+settings+"\n", 1))
}

// doStream runs one response stream of kind contentType through a fresh VM
// of rule set src.
func doStream(t *testing.T, src []byte, ex hosttest.Exchange) (*hosttest.Result, *hosttest.Module) {
	t.Helper()
	m := load(t, "veil", hosttest.Envoy133)
	vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: src})
	if err != nil {
		t.Fatal(err)
	}
	res := vm.Do(ex)
	if res.VMError != nil {
		t.Fatalf("vm failed: %v", res.VMError)
	}
	return res, m
}

// Trailers end a streamed body without end_of_stream (HTTP/2), and the
// trailers callback cannot write the body. A stream that ends on a record
// boundary loses nothing: its trailers go on, report_header joins them. A
// stream whose last record is unfinished when the trailers come gets
// on.error: reject resets the stream (the response headers went out),
// pass ends it without the held bytes, with a warning naming their size
// and the failure counted; never a silent loss.
func TestRecordStreamTrailers(t *testing.T) {
	sse, ndjson := streamsData(t, "openai-chat.sse"), streamsData(t, "ollama-chat.ndjson")
	wantSSE := streamsData(t, "openai-chat.sse.want")
	trailers := hosttest.Headers{{"x-upstream", "done"}}
	lastLine := len(ndjson) - bytes.LastIndexByte(ndjson, '\n') - 1 // unfinished: no line feed

	t.Run("record boundary", func(t *testing.T) {
		ex := streamExchange("text/event-stream", sse, 17)
		ex.ResponseTrailers = trailers
		src := streamRules(t, "report_header: x-veil-report\nstream_text: []")
		p := compileStreams(t, src)
		want, _, _ := p.ApplyAs(rules.BodyEventStream, sse, rules.Input{Direction: rules.Response}, p.Apply)
		res, _ := doStream(t, src, ex)
		if res.Reset != "" || len(res.Errors) > 0 || !bytes.Equal(res.Response.Body, want) {
			t.Fatalf("reset %q, errors %q, body\n%s", res.Reset, res.Errors, res.Response.Body)
		}
		if first(res.Response.Trailers, "x-upstream") != "done" || !strings.Contains(first(res.Response.Trailers, "x-veil-report"), "email-anywhere=") {
			t.Errorf("trailers %v", res.Response.Trailers)
		}
	})
	t.Run("text carried, reject", func(t *testing.T) {
		// The last delta ends in "example.com", which could go on: its
		// record waits for the next piece, and the trailers come first.
		ex := streamExchange("text/event-stream", sse, 17)
		ex.ResponseTrailers = trailers
		res, _ := doStream(t, streamRules(t, "on: { error: reject }"), ex)
		if res.Reset != "local_reply_after_response_headers" || !hasLog(res.Logs, "trailers came while") {
			t.Fatalf("reset %q, logs %v", res.Reset, res.Logs)
		}
		if !bytes.HasPrefix(wantSSE, res.Response.Body) {
			t.Errorf("before the reset the client got what is not the rewrite's start:\n%s", res.Response.Body)
		}
	})
	t.Run("unfinished record, reject", func(t *testing.T) {
		ex := streamExchange("application/x-ndjson", ndjson, 64)
		ex.ResponseTrailers = trailers
		res, m := doStream(t, streamRules(t, "on: { error: reject }\nstream_text: []"), ex)
		if res.Reset != "local_reply_after_response_headers" || res.LocalReply == nil || res.LocalReply.Status != 502 {
			t.Fatalf("reset %q, local reply %+v", res.Reset, res.LocalReply)
		}
		if !hasLog(res.Logs, fmt.Sprintf("trailers came while %d bytes of a record stream were held", lastLine)) {
			t.Errorf("logs %v", res.Logs)
		}
		if got := m.Metrics()["wasmcustom.veil.failures.rule_set.streams.kind.error.outcome.reject.direction.response"].Value; got != 1 {
			t.Errorf("failures counted %d, want 1", got)
		}
	})
	t.Run("unfinished record, pass", func(t *testing.T) {
		ex := streamExchange("application/x-ndjson", ndjson, 64)
		ex.ResponseTrailers = trailers
		src := streamRules(t, "on: { error: pass }\nstream_text: []")
		p := compileStreams(t, src)
		wantNDJSON, _, _ := p.ApplyAs(rules.BodyJSONLines, ndjson, rules.Input{Direction: rules.Response}, p.Apply)
		res, m := doStream(t, src, ex)
		cut := bytes.LastIndexByte(wantNDJSON, '\n') + 1
		if res.Reset != "" || !bytes.Equal(res.Response.Body, wantNDJSON[:cut]) || first(res.Response.Trailers, "x-upstream") != "done" {
			t.Fatalf("reset %q, errors %q, body\n%s", res.Reset, res.Errors, res.Response.Body)
		}
		if !hasLog(res.Logs, fmt.Sprintf("trailers came while %d bytes of a record stream were held", lastLine)) {
			t.Errorf("logs %v", res.Logs)
		}
		if got := m.Metrics()["wasmcustom.veil.failures.rule_set.streams.kind.error.outcome.pass.direction.response"].Value; got != 1 {
			t.Errorf("failures counted %d, want 1", got)
		}
	})
	t.Run("report_header without trailers", func(t *testing.T) {
		for _, finalEmpty := range []bool{false, true} {
			ex := streamExchange("text/event-stream", sse, 64)
			ex.FinalEmptyChunk = finalEmpty
			res, _ := doStream(t, streamRules(t, "report_header: x-veil-report"), ex)
			if len(res.Errors) > 0 || !bytes.Equal(res.Response.Body, wantSSE) {
				t.Fatalf("errors %q, body\n%s", res.Errors, res.Response.Body)
			}
			if _, ok := res.Response.Headers.Get("x-veil-report"); ok {
				t.Errorf("report_header set as a header on a streamed response: %v", res.Response.Headers)
			}
			if got := first(res.Response.Trailers, "x-veil-report"); !strings.Contains(got, "email-anywhere=5") || !strings.Contains(got, "llm-prompts-phone=1") {
				t.Errorf("final-empty=%t: trailers %v", finalEmpty, res.Response.Trailers)
			}
		}
	})
}

// mark_responses cannot wait for a streamed response's findings: its
// headers leave before the first record. Every streamed response in scope
// is marked no-store up front (its own directives kept), found or not.
func TestRecordStreamMarkResponses(t *testing.T) {
	src := streamRules(t, "mark_responses: true")
	for _, tc := range []struct {
		body, cacheControl, want string
	}{
		{`{"a":1}` + "\n", "", "no-store"},
		{`{"email":"a@example.com"}` + "\n", "max-age=60", "max-age=60, no-store"},
		{`{"a":1}` + "\n", "private, no-store", "private, no-store"},
	} {
		ex := streamExchange("application/x-ndjson", []byte(tc.body), 0)
		if tc.cacheControl != "" {
			ex.ResponseHeaders = append(ex.ResponseHeaders, [2]string{"cache-control", tc.cacheControl})
		}
		res, _ := doStream(t, src, ex)
		if len(res.Errors) > 0 || res.Reset != "" || first(res.Response.Headers, "cache-control") != tc.want {
			t.Errorf("%s: errors %q, reset %q, headers %v, want cache-control %q", tc.body, res.Errors, res.Reset, res.Response.Headers, tc.want)
		}
		if !strings.Contains(res.Callbacks[3], "on_response_headers") || !strings.HasSuffix(res.Callbacks[3], "-> continue") {
			t.Errorf("response headers held: %v", res.Callbacks)
		}
	}
}

// A stream that fails mid-way: records before the failure have left, and
// cannot be called back. on.* reject answers with a local reply: on the
// response side, whose headers went out, Envoy resets the stream; on the
// request side the client gets the reply and the upstream request is cut.
// pass forwards what the stream held and the rest of the body unread.
// Failures: a record beyond limits.max_record_bytes (oversize), one nested
// too deep (invalid_json), a block rule's finding.
func TestRecordStreamFailures(t *testing.T) {
	sse := streamsData(t, "openai-chat.sse")
	events := bytes.SplitAfter(sse, []byte("\n\n"))
	big := []byte(`data: {"choices":[{"delta":{"content":"` + strings.Repeat("x", 600) + ` zed@example.com"}}]}` + "\n\n")
	deep := []byte("data: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n\n")
	before := bytes.Join(events[:4], nil)
	src := streamRules(t, "limits: { max_record_bytes: 400 }\nstream_text: []")
	p := compileStreams(t, src)
	rewrite := func(b []byte) []byte {
		out, _, err := p.ApplyAs(rules.BodyEventStream, b, rules.Input{Direction: rules.Response}, p.Apply)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	after := bytes.Join(events[4:], nil)
	for _, tc := range []struct {
		name, settings string
		bad            []byte
		kind, outcome  string
	}{
		{"oversize reject", "on: { oversize: reject }", big, "oversize", "reject"},
		{"oversize pass", "on: { oversize: pass }", big, "oversize", "pass"},
		{"too deep reject", "on: { invalid_json: reject }", deep, "invalid_json", "reject"},
		{"too deep pass", "on: { invalid_json: pass }", deep, "invalid_json", "pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := append(append(append([]byte(nil), before...), tc.bad...), after...)
			res, m := doStream(t, append(src[:len(src):len(src)], "\n"+tc.settings+"\n"...), streamExchange("text/event-stream", body, 64))
			metric := "wasmcustom.veil.failures.rule_set.streams.kind." + tc.kind + ".outcome." + tc.outcome + ".direction.response"
			if got := m.Metrics()[metric].Value; got != 1 {
				t.Errorf("%s = %d, want 1", metric, got)
			}
			if tc.outcome == "reject" {
				if res.Reset != "local_reply_after_response_headers" || res.LocalReply == nil || res.LocalReply.Status != 502 {
					t.Fatalf("reset %q, local reply %+v", res.Reset, res.LocalReply)
				}
				return
			}
			want := append(rewrite(before), append(tc.bad, after...)...)
			if res.Reset != "" || len(res.Errors) > 0 || !bytes.Equal(res.Response.Body, want) {
				t.Fatalf("reset %q, errors %q, client got\n%s\nwant\n%s", res.Reset, res.Errors, res.Response.Body, want)
			}
		})
	}
	t.Run("panic", func(t *testing.T) {
		// The fault-injecting build panics inside Apply on a record holding
		// the marker: recovered as on.error.
		bad := []byte(`data: {"choices":[{"delta":{"content":"__veil_fault_panic__ zed@example.com"}}]}` + "\n\n")
		body := append(append(append([]byte(nil), before...), bad...), after...)
		for _, outcome := range []string{"reject", "pass"} {
			m := load(t, "veil-faults", hosttest.Envoy133)
			vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: append(src[:len(src):len(src)], "\non: { error: "+outcome+" }\n"...)})
			if err != nil {
				t.Fatal(err)
			}
			res := vm.Do(streamExchange("text/event-stream", body, 64))
			if got := m.Metrics()["wasmcustom.veil.failures.rule_set.streams.kind.error.outcome."+outcome+".direction.response"].Value; got != 1 || res.VMError != nil {
				t.Errorf("%s: failures counted %d, vm %v", outcome, got, res.VMError)
			}
			if outcome == "reject" {
				if res.Reset != "local_reply_after_response_headers" {
					t.Errorf("reject: reset %q", res.Reset)
				}
				continue
			}
			if want := append(rewrite(before), append(bad, after...)...); res.Reset != "" || !bytes.Equal(res.Response.Body, want) {
				t.Errorf("pass: reset %q, client got\n%s\nwant\n%s", res.Reset, res.Response.Body, want)
			}
		}
	})
	t.Run("oversize request reject", func(t *testing.T) {
		body := append(append([]byte(`{"a":1}`+"\n"), bytes.Repeat([]byte("x"), 500)...), '\n')
		res, _ := doStream(t, streamRules(t, "limits: { max_record_bytes: 400 }"), hosttest.Exchange{
			RequestHeaders: hosttest.Headers{{"content-type", "application/x-ndjson"}}, RequestBody: body, ChunkSize: 100})
		if res.LocalReply == nil || res.Response.Status != 413 || !bytes.Contains(res.Response.Body, []byte(`"error":"oversize"`)) {
			t.Fatalf("local reply %+v, client got %d %s", res.LocalReply, res.Response.Status, res.Response.Body)
		}
	})
	t.Run("block", func(t *testing.T) {
		block := "  - id: no-cards\n    select: { detect: [credit_card] }\n    action: block\n"
		src := append(streamRules(t, ""), block...)
		res, m := doStream(t, src, streamExchange("text/event-stream", sse, 64))
		if res.Reset != "local_reply_after_response_headers" || bytes.Contains(res.Response.Body, []byte("4111")) {
			t.Fatalf("response: reset %q, client got %s", res.Reset, res.Response.Body)
		}
		if got := m.Metrics()["wasmcustom.veil.bodies_blocked.rule_set.streams.rule.no-cards.direction.response"].Value; got != 1 {
			t.Errorf("bodies_blocked = %d", got)
		}
		ndjson := streamsData(t, "ollama-chat.ndjson")
		res, _ = doStream(t, src, hosttest.Exchange{
			RequestHeaders: hosttest.Headers{{"content-type", "application/x-ndjson"}}, RequestBody: ndjson, ChunkSize: 50})
		if res.LocalReply == nil || res.Response.Status != 400 || !bytes.Contains(res.Response.Body, []byte(`"rule":"no-cards"`)) ||
			bytes.Contains(res.Request.Body, []byte("4012")) {
			t.Fatalf("request: local reply %+v, client got %d %s, upstream got %s", res.LocalReply, res.Response.Status, res.Response.Body, res.Request.Body)
		}
	})
}

// An encoded record stream is not streamed: it is read whole (or refused
// under on.encoded) like any other encoded body, so nothing of it leaves
// before its end.
func TestRecordStreamEncodedNotStreamed(t *testing.T) {
	ex := streamExchange("text/event-stream", streamsData(t, "openai-chat.sse"), 64)
	ex.ResponseHeaders = append(ex.ResponseHeaders, [2]string{"content-encoding", "gzip"})
	res, _ := doStream(t, streamsData(t, "rules.yaml"), ex)
	for i, f := range res.Response.Frames {
		if len(f) > 0 && i < len(res.Response.Frames)-1 {
			t.Fatalf("frame %d of an encoded stream left before its end: %q", i+1, f)
		}
	}
}

// FuzzRecordStreamWasm sends a record stream of any bytes through the
// .wasm in frames of any size: the VM never fails, nothing Envoy would
// refuse happens, and the client gets the native whole-body rewrite, or,
// when the native rewrite fails, the rule set's reject (a reset, the
// response headers having gone out).
//
//	go test ./host-test -run '^$' -fuzz '^FuzzRecordStreamWasm$' -fuzztime 30s
func FuzzRecordStreamWasm(f *testing.F) {
	for _, c := range append(streamCases, streamCase{"openai-split.sse", "", rules.BodyEventStream}, streamCase{"ollama-split.ndjson", "", rules.BodyJSONLines}) {
		body := streamsData(f, c.file)
		f.Add(body, uint16(17), c.kind == rules.BodyEventStream)
		f.Add(body, uint16(0), c.kind == rules.BodyEventStream)
	}
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"ali\"}}]}\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"ce@example.com\"}}]}\r\r"), uint16(5), true)
	src := streamRules(f, "limits: { max_record_bytes: 4096 }")
	p := compileStreams(f, src)
	vm := start(f, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: src})
	f.Fuzz(func(t *testing.T, body []byte, chunk uint16, sse bool) {
		if len(body) == 0 {
			return
		}
		kind, contentType := rules.BodyJSONLines, "application/x-ndjson"
		if sse {
			kind, contentType = rules.BodyEventStream, "text/event-stream"
		}
		want, _, err := p.ApplyAs(kind, body, rules.Input{Direction: rules.Response}, p.Apply)
		res := vm.Do(streamExchange(contentType, body, int(chunk%512)+1))
		switch {
		case res.VMError != nil:
			t.Fatalf("vm failed: %v", res.VMError)
		case err != nil:
			if res.Reset == "" {
				t.Fatalf("native %v, but the stream was not reset: client got %q", err, res.Response.Body)
			}
		case len(res.Errors) > 0 || res.Reset != "":
			t.Fatalf("errors %q, reset %q", res.Errors, res.Reset)
		case !bytes.Equal(res.Response.Body, want):
			t.Fatalf("client got\n%q\nwant (native)\n%q", res.Response.Body, want)
		}
	})
}
