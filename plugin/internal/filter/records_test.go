package filter

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// streamRules carries the text of OpenAI deltas across events, so that an
// address sent in pieces is still found.
const streamRules = `
version: 1
name: stream
stream_text: ["$.choices[*].delta.content"]
rules:
  - id: email
    select: { detect: [email], within: ["$.choices"] }
    action: { redact: { with: "[email]" } }
  - id: key
    select: { keys: [email] }
    action: redact
`

// delta is one OpenAI chat completion chunk event carrying text.
func delta(text string) string {
	return `data: {"choices":[{"index":0,"delta":{"content":"` + text + `"}}]}` + "\n\n"
}

// sendChunks delivers body in chunks of n bytes through call (a proxytest
// body call) and returns what left the filter after each call; every call
// must continue.
func sendChunks(t *testing.T, body []byte, n int, call func(chunk []byte, eos bool) types.Action, current func() []byte) [][]byte {
	t.Helper()
	var frames [][]byte
	for i := 0; i < len(body); i += n {
		end := min(i+n, len(body))
		if action := call(body[i:end], end == len(body)); action != types.ActionContinue {
			t.Fatalf("body call %d paused a record stream", len(frames)+1)
		}
		frames = append(frames, bytes.Clone(current()))
	}
	return frames
}

// Record streams through the SDK's proxytest, natively and as the .wasm,
// request and response: each body call continues, what leaves is the
// native whole-body rewrite (a value split across events included), and
// each event leaves whole, in the call that completes it or (its carried
// text could still go on) with the next event of that text.
func TestRecordStreams(t *testing.T) {
	p, err := rules.Compile([]byte(streamRules), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sse := []byte(delta("Hi ") + delta("ali") + delta("ce@exam") + delta("ple.com!") + ": ping\n\n" + delta(" bye") + "data: [DONE]\n\n")
	ndjson := []byte(`{"email":"a@example.com"}` + "\n" + `not json` + "\n" + `{"id":2,"email":"b@example.com"}`)
	wantSSE, _, _ := p.ApplyAs(rules.BodyEventStream, sse, rules.Input{Direction: rules.Response}, p.Apply)
	wantNDJSON, _, _ := p.ApplyAs(rules.BodyJSONLines, ndjson, rules.Input{Direction: rules.Request}, p.Apply)
	if bytes.Contains(wantSSE, []byte("ple.com")) || bytes.Contains(wantNDJSON, []byte("@example")) {
		t.Fatalf("native rewrite missed a value:\n%s\n%s", wantSSE, wantNDJSON)
	}
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		for _, n := range []int{1, 7, 64, 1 << 16} {
			t.Run(fmt.Sprintf("chunk=%d", n), func(t *testing.T) { testRecordStream(t, vm, n, sse, ndjson, wantSSE, wantNDJSON) })
		}
	})
}

// testRecordStream is one exchange of TestRecordStreams in chunks of n
// bytes (a proxytest host per subtest: it holds a global lock until the
// test ends).
func testRecordStream(t *testing.T, vm types.VMContext, n int, sse, ndjson, wantSSE, wantNDJSON []byte) {
	host := startPlugin(t, vm, streamRules)
	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, [][2]string{{":method", "POST"}, {":path", "/v1/chat"}, {":authority", "x"},
		{"content-type", "application/x-ndjson"}, {"content-length", "99"}}, false)
	if hasHeader(host.GetCurrentRequestHeaders(id), "content-length") {
		t.Error("content-length kept on a streamed request")
	}
	req := sendChunks(t, ndjson, n, func(c []byte, eos bool) types.Action { return host.CallOnRequestBody(id, c, eos) },
		func() []byte { return host.GetCurrentRequestBody(id) })
	host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/event-stream"}}, false)
	resp := sendChunks(t, sse, n, func(c []byte, eos bool) types.Action { return host.CallOnResponseBody(id, c, eos) },
		func() []byte { return host.GetCurrentResponseBody(id) })
	host.CompleteHttpContext(id)
	if got := bytes.Join(req, nil); !bytes.Equal(got, wantNDJSON) {
		t.Errorf("chunk %d: upstream got\n%s\nwant\n%s", n, got, wantNDJSON)
	}
	if got := bytes.Join(resp, nil); !bytes.Equal(got, wantSSE) {
		t.Errorf("chunk %d: client got\n%s\nwant\n%s", n, got, wantSSE)
	}
	var sent []byte
	for i, f := range resp {
		if sent = append(sent, f...); len(sent) > 0 && !bytes.HasSuffix(sent, []byte("\n\n")) {
			t.Errorf("chunk %d: after call %d the client has part of an event: %q", n, i+1, sent)
			break
		}
	}
	assertAudit(t, host, `"rule":"email"`)
	if n == 1<<16 {
		return
	}
	// "Hi " leaves in the call completing its event ("Hi " cannot
	// begin an address), before the rest of the stream arrived.
	first := bytes.Index(sse, []byte("\n\n")) + 2
	if got := bytes.Join(resp[:(first+n-1)/n], nil); !bytes.Equal(got, []byte(delta("Hi "))) {
		t.Errorf("chunk %d: after the first event arrived the client has %q", n, got)
	}
}

// assertAudit checks that the last audit line holds want.
func assertAudit(t *testing.T, host proxytest.HostEmulator, want string) {
	t.Helper()
	var audit string
	for _, l := range host.GetInfoLogs() {
		if strings.HasPrefix(l, AuditPrefix) {
			audit = l
		}
	}
	if !strings.Contains(audit, want) {
		t.Errorf("audit line %q lacks %s", audit, want)
	}
}
