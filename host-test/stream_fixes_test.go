package hosttest_test

import (
	"bytes"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Record streams as .wasm: a record cut off mid-way passes unchanged (it
// once panicked), and a value found in a piece's text read alone is
// replaced whatever the next piece continues it with (it once leaked).
func TestStreamFixesWasm(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(streamsEngineSet)})
	cases := []struct {
		label, body string
		leak        string // must not survive ("" for none)
	}{
		{"application/x-ndjson", `{"choices":[{"index":0,"delta":`, ""},
		{"application/x-ndjson", `{"choices":[{"index":0,"delta":` + "\n", ""},
		{"text/event-stream", `data: {"choices":[{"index":0,"delta":`, ""},
		{"text/event-stream", `data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}` + "\n\n" + `data: {"choices":[{"index":0,"delta":` + "\n\n", ""},
		{"application/x-ndjson", `{"message":{"content":". Card 4012 8888 8888 1881."}}` + "\n" + `{"message":{"content":"last"}}` + "\n", "4012 8888 8888 1881"},
		{"application/x-ndjson", `{"message":{"content":"mail alice@example.com"}}` + "\n" + `{"message":{"content":"7"}}` + "\n", "alice@example.com"},
		{"text/event-stream", `data: {"choices":[{"index":0,"delta":{"content":"call +1 415 555 2671"}}]}` + "\n\n" + `data: {"choices":[{"index":0,"delta":{"content":"abc"}}]}` + "\n\n", "+1 415 555 2671"},
		{"text/event-stream", `data: {"choices":[{"index":0,"delta":{"content":"ssn 123-45-6789"}}]}` + "\n\n" + `data: {"choices":[{"index":0,"delta":{"content":"x"}}]}` + "\n\n", "123-45-6789"},
	}
	for _, c := range cases {
		want, err := nativeAs(t, streamsEngineSet, []string{c.label}, []byte(c.body), rules.Response)
		if err != nil || c.leak != "" && bytes.Contains(want, []byte(c.leak)) || c.leak == "" && string(want) != c.body {
			t.Fatalf("native %q: %q %v", c.body, want, err)
		}
		for _, chunk := range []int{0, 1, 3, 17} {
			res := vm.Do(labelled([]string{c.label}, []byte(c.body), chunk))
			if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
				t.Fatalf("%q chunk %d: vm %v, reply %+v, errors %q", c.body, chunk, res.VMError, res.LocalReply, res.Errors)
			}
			if !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%q chunk %d: response %q, want %q", c.body, chunk, res.Response.Body, want)
			}
		}
	}
}
