package hosttest_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

func behave(t *testing.T, cfg string) *hosttest.VM {
	t.Helper()
	return start(t, "behave", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(cfg)})
}

// body_size is the chunk while the filter continues, and the whole
// accumulated body once it paused.
func TestBodySizeFollowsBuffering(t *testing.T) {
	body := []byte(`{"a":"hello"}`) // 13 bytes
	for _, tc := range []struct {
		cfg  string
		want []string
	}{
		{`{}`, []string{"size=5 eos=false", "size=5 eos=false", "size=3 eos=true"}},
		{`{"upper":true}`, []string{"size=5 eos=false", "size=10 eos=false", "size=13 eos=true"}},
	} {
		res := behave(t, tc.cfg).Do(hosttest.Exchange{RequestBody: body, ChunkSize: 5})
		var got []string
		for _, c := range res.Callbacks {
			if rest, ok := strings.CutPrefix(c, "on_request_body "); ok {
				got = append(got, strings.Split(rest, " -> ")[0])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: request body calls %q, want %q", tc.cfg, got, tc.want)
		}
		if want := body; tc.cfg != `{}` {
			want = bytes.ToUpper(body)
			if !bytes.Equal(res.Request.Body, want) {
				t.Errorf("%s: forwarded %q, want %q", tc.cfg, res.Request.Body, want)
			}
		}
	}
}

// The host calls Envoy's callbacks in Envoy's order: log before done
// before delete, a final zero-size call when asked for (not when trailers
// end the message).
func TestCallbackOrder(t *testing.T) {
	res := behave(t, `{}`).Do(hosttest.Exchange{
		RequestBody: []byte("{}"), ResponseBody: []byte("[]"), FinalEmptyChunk: true,
		RequestTrailers: nil, ResponseTrailers: hosttest.Headers{{"grpc-status", "0"}},
	})
	want := []string{
		"on_context_create",
		"on_request_headers n=5 eos=false -> continue",
		"on_request_body size=2 eos=false -> continue",
		"on_request_body size=0 eos=true -> continue",
		"on_response_headers n=2 eos=false -> continue",
		"on_response_body size=2 eos=false -> continue",
		"on_response_trailers n=1 -> continue",
		"on_log", "on_done", "on_delete",
	}
	if !slices.Equal(res.Callbacks, want) {
		t.Errorf("callbacks:\n%s\nwant:\n%s", strings.Join(res.Callbacks, "\n"), strings.Join(want, "\n"))
	}
	if got := res.Response.Trailers; len(got) != 1 || got[0] != [2]string{"grpc-status", "0"} {
		t.Errorf("response trailers %v", got)
	}
}

// Writing request headers from the body callback is answered BAD_ARGUMENT
// and recorded as an error of the exchange; the upstream never sees it.
func TestLateHeaderWrite(t *testing.T) {
	res := behave(t, `{"late_write":true}`).Do(hosttest.Exchange{RequestBody: []byte(`{}`)})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], `late header write: proxy_add_header_map_value(request_headers, "x-late") during proxy_on_request_body: BAD_ARGUMENT`) {
		t.Errorf("errors: %q", res.Errors)
	}
	if !hasLog(res.Logs, "late header write: error status returned by host: bad argument") {
		t.Errorf("the SDK should see BAD_ARGUMENT; logs: %v", res.Logs)
	}
	if _, ok := res.Request.Headers.Get("x-late"); ok {
		t.Error("late header reached the upstream")
	}
}

// A local reply sent from the request path is encoded through the filter's
// own response callbacks (Envoy runs the whole encoder chain); from
// on_response_headers it goes straight to the client; after response
// headers went downstream it can only reset the stream.
func TestLocalReply(t *testing.T) {
	t.Run("request path re-enters the response callbacks", func(t *testing.T) {
		res := behave(t, `{"local_reply":"request_body","tag":"seen"}`).Do(hosttest.Exchange{RequestBody: []byte(`{}`), ResponseBody: []byte(`{}`)})
		if res.LocalReply == nil || res.LocalReply.From != "proxy_on_request_body" {
			t.Fatalf("local reply %+v", res.LocalReply)
		}
		want := []string{
			"on_context_create",
			"on_request_headers n=5 eos=false -> continue",
			"on_request_body size=2 eos=true -> pause",
			"on_response_headers n=4 eos=false -> continue",
			"on_response_body size=16 eos=true -> continue",
			"on_log", "on_done", "on_delete",
		}
		if !slices.Equal(res.Callbacks, want) {
			t.Errorf("callbacks:\n%s", strings.Join(res.Callbacks, "\n"))
		}
		if res.Response.Status != 403 || string(res.Response.Body) != "denied by behave" || first(res.Response.Headers, "x-behave") != "seen" {
			t.Errorf("client got %d %v %q", res.Response.Status, res.Response.Headers, res.Response.Body)
		}
		if len(res.Errors) != 0 {
			t.Errorf("errors: %q", res.Errors)
		}
	})
	t.Run("response headers answer directly", func(t *testing.T) {
		res := behave(t, `{"local_reply":"response_headers","tag":"seen"}`).Do(hosttest.Exchange{ResponseBody: []byte(`{}`)})
		n := 0
		for _, c := range res.Callbacks {
			if strings.HasPrefix(c, "on_response") {
				n++
			}
		}
		if n != 1 || res.Response.Status != 403 || first(res.Response.Headers, "x-behave") != "" {
			t.Errorf("callbacks %v, response %d %v", res.Callbacks, res.Response.Status, res.Response.Headers)
		}
	})
	t.Run("response body resets", func(t *testing.T) {
		res := behave(t, `{"local_reply":"response_body"}`).Do(hosttest.Exchange{ResponseBody: []byte(`{}`)})
		if res.Reset == "" || len(res.Errors) != 1 {
			t.Errorf("reset %q errors %q", res.Reset, res.Errors)
		}
	})
}

// A paused body outgrowing the buffer limit gets Envoy's 413, encoded
// through the filter's response callbacks; on the response side, with
// headers already downstream, Envoy can only reset the stream (its 500
// needs the headers still held).
func TestBufferLimit(t *testing.T) {
	body := bytes.Repeat([]byte("a"), 4096)
	cfg := hosttest.Config{PluginConfig: []byte(`{"upper":true}`), BufferLimit: 1024}
	res := start(t, "behave", hosttest.Envoy133, cfg).Do(hosttest.Exchange{RequestBody: body, ChunkSize: 512})
	if res.LocalReply == nil || res.LocalReply.From != "host" || res.Response.Status != 413 || res.LocalReply.Details != "request_payload_too_large" {
		t.Fatalf("local reply %+v, response %d", res.LocalReply, res.Response.Status)
	}
	if !slices.ContainsFunc(res.Callbacks, func(c string) bool { return strings.HasPrefix(c, "on_response_headers") }) {
		t.Errorf("413 did not pass the response callbacks: %v", res.Callbacks)
	}
	res = start(t, "behave", hosttest.Envoy133, cfg).Do(hosttest.Exchange{ResponseBody: body, ChunkSize: 512})
	if res.Reset != "response_payload_too_large" || len(res.Errors) != 0 || res.LocalReply == nil || res.LocalReply.Status != 500 {
		t.Errorf("response overflow: reset %q, local reply %+v", res.Reset, res.LocalReply)
	}
}

// Pause from on_request_headers withholds body callbacks until
// proxy_continue_stream; never resumed, the stream stalls.
func TestPauseOnHeaders(t *testing.T) {
	res := behave(t, `{"pause_headers":true}`).Do(hosttest.Exchange{RequestBody: []byte(`{}`)})
	if res.Reset != "stalled" || len(res.Errors) != 1 || slices.ContainsFunc(res.Callbacks, func(c string) bool { return strings.HasPrefix(c, "on_request_body") }) {
		t.Errorf("reset %q, errors %q, callbacks %v", res.Reset, res.Errors, res.Callbacks)
	}

	calls := 0
	vm := start(t, "behave", hosttest.Envoy133, hosttest.Config{
		PluginConfig: []byte(`{"pause_headers":true,"resume_via_call":true}`),
		HTTPCall: func(req hosttest.HTTPCallRequest) (*hosttest.HTTPCallResponse, bool) {
			calls++
			return &hosttest.HTTPCallResponse{Headers: hosttest.Headers{{":status", "200"}}}, req.Cluster == "auth"
		},
	})
	res = vm.Do(hosttest.Exchange{RequestBody: []byte(`{}`)})
	if calls != 1 || res.Reset != "" || !res.Request.Sent || string(res.Request.Body) != "{}" {
		t.Fatalf("calls %d, reset %q, errors %q, request %+v", calls, res.Reset, res.Errors, res.Request)
	}
	resumed := slices.IndexFunc(res.Logs, func(l hosttest.LogEntry) bool { return strings.Contains(l.Message, "resuming") })
	body := slices.IndexFunc(res.Logs, func(l hosttest.LogEntry) bool { return strings.Contains(l.Message, "on_request_body") })
	if resumed < 0 || body < resumed {
		t.Errorf("body callback before continue_stream: %v", res.Logs)
	}

	// With a slow auth call the whole body arrives while paused: one body
	// call after continue_stream, never a call per chunk.
	res = vm.Do(hosttest.Exchange{RequestBody: []byte(`{"a":1}`), ChunkSize: 1, SlowCalls: true})
	var bodyCalls []string
	for _, c := range res.Callbacks {
		if strings.HasPrefix(c, "on_request_body") {
			bodyCalls = append(bodyCalls, c)
		}
	}
	if !slices.Equal(bodyCalls, []string{"on_request_body size=7 eos=true -> continue"}) || string(res.Request.Body) != `{"a":1}` {
		t.Errorf("slow call: body calls %q, forwarded %q, errors %q", bodyCalls, res.Request.Body, res.Errors)
	}

	// Without a handler http_call fails (unknown cluster) and nothing resumes.
	res = behave(t, `{"pause_headers":true,"resume_via_call":true}`).Do(hosttest.Exchange{})
	if !hasLog(res.Logs, "dispatch: error status returned by host: bad argument") || res.Reset != "stalled" {
		t.Errorf("logs %v, reset %q", res.Logs, res.Reset)
	}
}

// A body that changes size while content-length still stands is an error
// of the exchange; removing content-length in the headers callback is fine.
func TestContentLengthMismatch(t *testing.T) {
	ex := hosttest.Exchange{RequestBody: []byte(`{}`), ResponseBody: []byte(`[]`)}
	res := behave(t, `{"suffix":"!","keep_content_length":true}`).Do(ex)
	if len(res.Errors) != 2 || !strings.Contains(res.Errors[0], "request body changed while content-length still stands: content-length 2, body 3 bytes") {
		t.Errorf("errors %q", res.Errors)
	}
	res = behave(t, `{"suffix":"!"}`).Do(ex)
	if len(res.Errors) != 0 || string(res.Request.Body) != "{}!" || string(res.Response.Body) != "[]!" {
		t.Errorf("errors %q, bodies %q %q", res.Errors, res.Request.Body, res.Response.Body)
	}
}

// Incrementing a counter by 0 is BAD_ARGUMENT in Envoy; the SDK panics on
// it, which fails the VM. On envoy-1.33 the runtime cannot even print the
// panic (printing sleeps, and poll_oneoff is ENOSYS): only the stack shows.
func TestCounterIncrementZero(t *testing.T) {
	for p, want := range map[hosttest.Profile]string{
		hosttest.Envoy133: "MetricCounter.Increment",
		hosttest.Envoy139: "bad argument",
	} {
		vm := start(t, "behave", p, hosttest.Config{PluginConfig: []byte(`{"increment_zero":true}`)})
		res := vm.Do(hosttest.Exchange{})
		if res.VMError == nil || !hasLog(res.Logs, want) {
			t.Errorf("%s: vm error %v, logs lack %q", p, res.VMError, want)
		}
	}
}

// Properties carry Envoy's encodings.
func TestProperties(t *testing.T) {
	props := [][]string{
		{"request", "path"}, {"request", "method"}, {"connection", "mtls"},
		{"connection", "uri_san_peer_certificate"}, {"source", "address"},
		{"metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload", "sub"},
		{"metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload", "exp"},
		{"xds", "cluster_name"}, {"cluster_name"}, {"plugin_name"}, {"source", "principal"}, {"plugin_root_id"},
	}
	b := new(strings.Builder)
	fmt.Fprintf(b, `{"properties":[`)
	for i, p := range props {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(b, `["%s"]`, strings.Join(p, `","`))
	}
	b.WriteString("]}")
	vm := start(t, "behave", hosttest.Envoy133, hosttest.Config{
		PluginConfig: []byte(b.String()),
		Properties: []hosttest.Property{
			{Path: []string{"connection", "mtls"}, Value: true},
			{Path: hosttest.ParseProperty("connection.uri_san_peer_certificate"), Value: "spiffe://cluster.local/ns/a/sa/b"},
			{Path: hosttest.ParseProperty("source.address"), Value: "10.0.0.1:5000"},
			{Path: hosttest.ParseProperty("metadata/filter_metadata/envoy.filters.http.jwt_authn"),
				Value: map[string]any{"payload": map[string]any{"sub": "alice", "exp": 1.5}}},
			{Path: hosttest.ParseProperty("xds.cluster_name"), Value: "backend"},
		},
	})
	res := vm.Do(hosttest.Exchange{Path: "/x?y=1"})
	want := map[string]string{
		"request.path":                        fmt.Sprintf("%x err=<nil>", "/x?y=1"),
		"request.method":                      fmt.Sprintf("%x err=<nil>", "GET"),
		"connection.mtls":                     "01 err=<nil>",
		"connection.uri_san_peer_certificate": fmt.Sprintf("%x err=<nil>", "spiffe://cluster.local/ns/a/sa/b"),
		"source.address":                      fmt.Sprintf("%x err=<nil>", "10.0.0.1:5000"),
		"metadata.filter_metadata.envoy.filters.http.jwt_authn.payload.sub": fmt.Sprintf("%x err=<nil>", "alice"),
		"metadata.filter_metadata.envoy.filters.http.jwt_authn.payload.exp": "000000000000f83f err=<nil>",
		"xds.cluster_name": fmt.Sprintf("%x err=<nil>", "backend"),
		"cluster_name":     " err=error status returned by host: not found",
		"plugin_name":      fmt.Sprintf("%x err=<nil>", "veil"),
		"source.principal": " err=error status returned by host: not found",
	}
	for name, v := range want {
		if !hasLog(res.Logs, "property "+name+" = "+v) {
			t.Errorf("property %s: want %q; logs %v", name, v, res.Logs)
		}
	}
}

func first(h hosttest.Headers, name string) string {
	v, _ := h.Get(name)
	return v
}

// proxy_set_buffer_bytes follows Envoy's Buffer::copyFrom rules: start 0
// drains length bytes then prepends, start at or past the end appends, a
// start inside the body is BAD_ARGUMENT.
func TestSetBufferBytes(t *testing.T) {
	res := behave(t, `{"set_buffer":[
		{"start":0,"length":0,"data":"<"},
		{"start":4294967295,"length":0,"data":">"},
		{"start":0,"length":2,"data":"["},
		{"start":2,"length":1,"data":"x"},
		{"start":7,"length":0,"data":"]"}
	]}`).Do(hosttest.Exchange{RequestBody: []byte("body")})
	for _, want := range []string{
		`set_buffer_bytes(0, 0, "<") = 0`, `set_buffer_bytes(4294967295, 0, ">") = 0`,
		`set_buffer_bytes(0, 2, "[") = 0`, `set_buffer_bytes(2, 1, "x") = 2`, `set_buffer_bytes(7, 0, "]") = 0`,
	} {
		if !hasLog(res.Logs, want) {
			t.Errorf("logs lack %s: %v", want, res.Logs)
		}
	}
	if got := string(res.Request.Body); got != "[ody>]" {
		t.Errorf("forwarded %q, want %q", got, "[ody>]")
	}
}

// With allow_on_headers_stop_iteration (Envoy ≥ 1.35) Pause on headers
// holds them while body callbacks run, so the filter can set content-length
// in the last body callback; without it the same filter stalls.
func TestAllowOnHeadersStopIteration(t *testing.T) {
	ex := hosttest.Exchange{RequestBody: []byte(`{"a":1}`), ResponseBody: []byte(`[]`), ChunkSize: 3}
	cfg := hosttest.Config{PluginConfig: []byte(`{"hold_headers":true,"suffix":"!"}`), AllowOnHeadersStopIteration: true}
	res := start(t, "behave", hosttest.Envoy133, cfg).Do(ex)
	if len(res.Errors) > 0 || res.Reset != "" {
		t.Fatalf("errors %q, reset %q", res.Errors, res.Reset)
	}
	if string(res.Request.Body) != `{"a":1}!` || first(res.Request.Headers, "content-length") != "8" ||
		string(res.Response.Body) != `[]!` || first(res.Response.Headers, "content-length") != "3" {
		t.Errorf("request %q %v, response %q %v", res.Request.Body, res.Request.Headers, res.Response.Body, res.Response.Headers)
	}
	cfg.AllowOnHeadersStopIteration = false
	if res := start(t, "behave", hosttest.Envoy133, cfg).Do(ex); res.Reset != "stalled" {
		t.Errorf("without the option: reset %q, errors %q", res.Reset, res.Errors)
	}
}
