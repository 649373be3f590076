package hosttest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Record streams (issue 15) as .wasm through this host: the SSE, NDJSON
// and json-seq spellings and the LLM token streams of rules/testdata/streams,
// whole and in chunks, give what the native engine gives, and no value
// planted across records survives.

const streamsEngineSet = `
version: 1
name: streams
include: [llm-prompts]
rules:
  - { id: email, select: { keys: [email] }, action: redact }
`

func TestStreamsEngineSpellings(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamsEngineSet)})
	in := `{"email":"a@x.com","messages":[{"content":"mail b@y.org"}]}`
	cases := []struct{ label, body string }{
		{"text/event-stream", "data: " + in + "\n\n"},
		{"text/event-stream", "data: " + in + "\r\n\r\n"},
		{"text/event-stream", "data: " + in + "\r\r"},
		{"text/event-stream", "\ufeffdata:" + in + "\n\n: ping\n\ndata: [DONE]\n\n"},
		{"text/event-stream", "event: x\nid: 1\ndata: {\"email\":\ndata: \"a@x.com\"}\n\n"},
		{"text/event-stream", "data\ndata:  " + in + "\n\nretry: 5\n\ndata: " + in},
		{"text/event-stream; charset=utf-8", "data: " + in + "\n\n"},
		{"application/x-ndjson", in + "\n\n" + in + "\r\nnot json\n" + in},
		{"application/x-ndjson", "{\n  \"email\": \"a@x.com\"\n}\n" + in},
		{"application/json-seq", "\x1e" + in + "\n\x1e" + in + "\n"},
		{"application/json-seq", in + "\x1e" + in},
	}
	for _, c := range cases {
		want, err := nativeAs(t, streamsEngineSet, []string{c.label}, []byte(c.body), rules.Request)
		if err != nil || bytes.Contains(want, []byte("a@x.com")) || bytes.Contains(want, []byte("b@y.org")) {
			t.Fatalf("native %q: %q %v", c.body, want, err)
		}
		for _, chunk := range []int{0, 1, 3, 17, 64} {
			res := vm.Do(labelled([]string{c.label}, []byte(c.body), chunk))
			if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
				t.Fatalf("%q chunk %d: vm %v, reply %+v, errors %q", c.body, chunk, res.VMError, res.LocalReply, res.Errors)
			}
			if !bytes.Equal(res.Request.Body, want) || !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%q chunk %d: request %q, response %q, want %q", c.body, chunk, res.Request.Body, res.Response.Body, want)
			}
		}
	}
}

func TestStreamsEngineLLMStreams(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamsEngineSet)})
	files, err := filepath.Glob("../rules/testdata/streams/*.sse")
	if err != nil || len(files) < 4 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	planted := []string{"alice@example.com", "4111 1111 1111 1111", "+1 415 555 2671", "dana.smith@example.co.uk", "erin@example.com",
		"frank@example.io", "grace@example.com", "heidi@example.de", "GB82 WEST 1234 5698 7654", "carol@example.net"}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := nativeAs(t, streamsEngineSet, []string{"text/event-stream"}, body, rules.Response)
		if err != nil {
			t.Fatal(err)
		}
		for _, chunk := range []int{0, 1, 3, 17, 64, 1024} {
			res := vm.Do(labelled([]string{"text/event-stream"}, body, chunk))
			if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
				t.Fatalf("%s chunk %d: vm %v, reply %+v, errors %q", f, chunk, res.VMError, res.LocalReply, res.Errors)
			}
			if !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%s chunk %d: response differs from the native output", f, chunk)
			}
			for _, v := range planted {
				if bytes.Contains(res.Response.Body, []byte(v)) {
					t.Errorf("%s chunk %d: %q survives", f, chunk, v)
				}
			}
		}
	}
}
