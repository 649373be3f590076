package hosttest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// liveCase is one exchange to run both through Do and through Live.
type liveCase struct {
	name               string
	rules              []byte
	reqType, respType  string
	reqBody, respBody  []byte
	allowStopIteration bool
}

// liveCases are the examples without key material, plus a block rule that
// refuses the request from the request path.
func liveCases(t *testing.T) []liveCase {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var out []liveCase
	for _, name := range []string{"customer-api", "llm-chat", "llm-stream", "signup-minimization", "public-profile-minimize"} {
		dir := filepath.Join(root, "examples", name)
		c := liveCase{name: name, rules: readFile(t, filepath.Join(dir, "rules.yaml")), reqType: "application/json",
			reqBody: readFile(t, filepath.Join(dir, "request.json")), respType: "application/json"}
		if b, err := os.ReadFile(filepath.Join(dir, "response.json")); err == nil {
			c.respBody = b
		} else {
			c.respBody, c.respType = readFile(t, filepath.Join(dir, "response.sse")), "text/event-stream"
		}
		out = append(out, c)
		c.name += "/allow-stop-iteration"
		c.allowStopIteration = true
		out = append(out, c)
	}
	return append(out, liveCase{
		name:    "block",
		rules:   []byte("version: 1\nname: b\nrules:\n  - {id: no-ssn, select: {keys: [ssn]}, action: block}\n"),
		reqType: "application/json", reqBody: []byte(`{"ssn":"123-45-6789"}`),
		respType: "application/json", respBody: []byte(`{}`),
	})
}

// liveRun feeds c to a Live stream in chunks of size (0: one), as a proxy
// would, and returns the forwarded bodies, the frames (what left after each
// step that delivered a body chunk) and the Result.
func liveRun(vm *hosttest.VM, c liveCase, size int) (req, resp []byte, frames [2][][]byte, res *hosttest.Result) {
	l := vm.Open()
	dirs := []struct {
		d       hosttest.Direction
		headers hosttest.Headers
		body    []byte
		out     *[]byte
	}{
		{hosttest.Request, hosttest.Headers{{":method", "POST"}, {":path", "/"}, {":authority", "example.com"}, {":scheme", "http"},
			{"content-type", c.reqType}, {"content-length", strconv.Itoa(len(c.reqBody))}}, c.reqBody, &req},
		{hosttest.Response, hosttest.Headers{{":status", "200"}, {"content-type", c.respType},
			{"content-length", strconv.Itoa(len(c.respBody))}}, c.respBody, &resp},
	}
	for _, d := range dirs {
		out, ok := l.Headers(d.d, d.headers, false)
		*d.out = append(*d.out, out.Body...)
		for i := 0; ok && i < len(d.body); {
			n := len(d.body) - i
			if size > 0 {
				n = min(size, n)
			}
			out, ok = l.Data(d.d, d.body[i:i+n], i+n == len(d.body))
			*d.out = append(*d.out, out.Body...)
			frames[d.d] = append(frames[d.d], out.Body)
			i += n
		}
		if !ok {
			break
		}
	}
	return req, resp, frames, l.Close()
}

// Live is Do driven step by step: for every example, chunk size and
// allow_on_headers_stop_iteration setting, it forwards the same bodies,
// lets them out in the same frames, runs the same callbacks and logs the
// same audit line (request ids aside) as Do.
func TestLiveMatchesDo(t *testing.T) {
	for _, c := range liveCases(t) {
		cfg := hosttest.Config{PluginConfig: c.rules, AllowOnHeadersStopIteration: c.allowStopIteration}
		doVM := start(t, "veil", hosttest.Envoy133, cfg)
		liveVM := start(t, "veil", hosttest.Envoy133, cfg)
		for _, size := range []int{0, 1, 7, 64, 4096} {
			t.Run(fmt.Sprintf("%s/chunk=%d", c.name, size), func(t *testing.T) {
				want := doVM.Do(hosttest.Exchange{
					RequestHeaders: hosttest.Headers{{"content-type", c.reqType}}, RequestBody: c.reqBody,
					ResponseHeaders: hosttest.Headers{{"content-type", c.respType}}, ResponseBody: c.respBody, ChunkSize: size,
				})
				req, resp, frames, got := liveRun(liveVM, c, size)
				if got.LocalReply == nil {
					if !bytes.Equal(req, want.Request.Body) {
						t.Errorf("request: live %q, Do %q", req, want.Request.Body)
					}
					if !bytes.Equal(resp, want.Response.Body) {
						t.Errorf("response: live %q, Do %q", resp, want.Response.Body)
					}
					if !slices.EqualFunc(frames[hosttest.Response], want.Response.Frames, bytes.Equal) {
						t.Errorf("response frames: live %q, Do %q", frames[hosttest.Response], want.Response.Frames)
					}
				} else if want.LocalReply == nil || got.LocalReply.Status != want.LocalReply.Status ||
					!bytes.Equal(got.Response.Body, want.Response.Body) {
					t.Errorf("local reply: live %+v %q, Do %+v %q", got.LocalReply, got.Response.Body, want.LocalReply, want.Response.Body)
				}
				if !slices.Equal(got.Callbacks, want.Callbacks) {
					t.Errorf("callbacks:\nlive %q\n  Do %q", got.Callbacks, want.Callbacks)
				}
				if !slices.Equal(got.Response.Headers, want.Response.Headers) {
					t.Errorf("response headers: live %q, Do %q", got.Response.Headers, want.Response.Headers)
				}
				if len(got.Logs) != len(want.Logs) || len(got.Errors) != 0 || len(want.Errors) != 0 {
					t.Errorf("logs %d vs %d, errors live %q Do %q", len(got.Logs), len(want.Logs), got.Errors, want.Errors)
				}
			})
		}
	}
}

// Live streams on one VM interleave step by step, as Envoy's streams on a
// worker do, each keeping its own output and logs.
func TestLiveInterleaved(t *testing.T) {
	c := liveCases(t)[0]
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: c.rules})
	startLogs := len(vm.Logs())
	wantReq, wantResp, _, alone := liveRun(vm, c, 16)
	reqHeaders := hosttest.Headers{{":method", "POST"}, {":path", "/"}, {":authority", "example.com"}, {":scheme", "http"},
		{"content-type", "application/json"}}
	respHeaders := hosttest.Headers{{":status", "200"}, {"content-type", "application/json"}}
	const n = 3
	var streams [n]*hosttest.Live
	var req, resp [n][]byte
	for i := range streams {
		streams[i] = vm.Open()
		streams[i].Headers(hosttest.Request, reqHeaders, false)
	}
	feed := func(d hosttest.Direction, body []byte, out *[n][]byte) {
		for off := 0; off < len(body); off += 16 {
			end := min(off+16, len(body))
			for i, l := range streams {
				o, ok := l.Data(d, body[off:end], end == len(body))
				if !ok {
					t.Fatalf("stream %d ended: %+v", i, l.Result())
				}
				out[i] = append(out[i], o.Body...)
			}
		}
	}
	feed(hosttest.Request, c.reqBody, &req)
	for _, l := range streams {
		l.Headers(hosttest.Response, respHeaders, false)
	}
	feed(hosttest.Response, c.respBody, &resp)
	for i, l := range streams {
		res := l.Close()
		if !bytes.Equal(req[i], wantReq) || !bytes.Equal(resp[i], wantResp) {
			t.Errorf("stream %d: request %q response %q, alone %q %q", i, req[i], resp[i], wantReq, wantResp)
		}
		if len(res.Logs) != len(alone.Logs) {
			t.Errorf("stream %d logged %d lines, alone %d: %q", i, len(res.Logs), len(alone.Logs), res.Logs)
		}
	}
	if logs := vm.Logs(); len(logs) != startLogs {
		t.Errorf("streams' logs leaked into the VM's: %q", logs)
	}
}

// Trailers end a Live message as they end Do's: the body buffered until
// then leaves with them, and the callbacks are Do's.
func TestLiveTrailers(t *testing.T) {
	c := liveCases(t)[0]
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: c.rules})
	trailers := hosttest.Headers{{"grpc-status", "0"}}
	want := vm.Do(hosttest.Exchange{RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: c.reqBody,
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: c.respBody, ResponseTrailers: trailers})
	l := vm.Open()
	var req, resp []byte
	out, _ := l.Headers(hosttest.Request, hosttest.Headers{{":method", "POST"}, {":path", "/"}, {":authority", "example.com"},
		{":scheme", "http"}, {"content-type", "application/json"}, {"content-length", strconv.Itoa(len(c.reqBody))}}, false)
	out, _ = l.Data(hosttest.Request, c.reqBody, true)
	req = append(req, out.Body...)
	l.Headers(hosttest.Response, hosttest.Headers{{":status", "200"}, {"content-type", "application/json"},
		{"content-length", strconv.Itoa(len(c.respBody))}}, false)
	out, _ = l.Data(hosttest.Response, c.respBody, false)
	resp = append(resp, out.Body...)
	out, ok := l.Trailers(hosttest.Response, trailers)
	resp = append(resp, out.Body...)
	got := l.Close()
	if !ok || !bytes.Equal(req, want.Request.Body) || !bytes.Equal(resp, want.Response.Body) {
		t.Errorf("ok %t\nrequest  %q\nDo       %q\nresponse %q\nDo       %q", ok, req, want.Request.Body, resp, want.Response.Body)
	}
	if !slices.Equal(got.Callbacks, want.Callbacks) || !slices.Equal(got.Response.Trailers, want.Response.Trailers) {
		t.Errorf("callbacks %q trailers %q\nDo %q %q", got.Callbacks, got.Response.Trailers, want.Callbacks, want.Response.Trailers)
	}
	if len(got.Errors) != 0 || len(want.Errors) != 0 {
		t.Errorf("errors: live %q, Do %q", got.Errors, want.Errors)
	}
}
