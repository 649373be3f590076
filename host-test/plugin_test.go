package hosttest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// example is one folder under examples/.
type example struct {
	name                  string
	rules, request, reply []byte
}

// examples reads every examples/*/ folder with JSON bodies; it fails when
// there is none.
func examples(t *testing.T) []example {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "examples", "*", "rules.yaml"))
	if len(dirs) == 0 {
		t.Fatal("no examples/*/rules.yaml")
	}
	var out []example
	for _, f := range dirs {
		dir := filepath.Dir(f)
		if _, err := os.Stat(filepath.Join(dir, "response.sse")); err == nil {
			continue // a streamed response: host-test/cmd/veil TestExamplesWithFlags
		}
		ex := example{name: filepath.Base(dir)}
		for p, name := range map[*[]byte]string{&ex.rules: "rules.yaml", &ex.request: "request.json", &ex.reply: "response.json"} {
			if *p, err = os.ReadFile(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, ex)
	}
	return out
}

func jsonExchange(req, resp []byte, chunk int) hosttest.Exchange {
	return hosttest.Exchange{
		Path:            "/",
		RequestHeaders:  hosttest.Headers{{"content-type", "application/json"}},
		RequestBody:     req,
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}},
		ResponseBody:    resp,
		ChunkSize:       chunk,
	}
}

// native applies a rule set with the rules engine directly.
func native(t *testing.T, src, body []byte, d rules.Direction) []byte {
	t.Helper()
	p, err := rules.Compile(src, rules.Options{Filename: "rules.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := p.Apply(body, rules.Input{Direction: d})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The real plugin, end to end, request and response, for every example: the
// bodies as forwarded equal the native engine's output, content-length is
// gone from both directions, nothing Envoy would refuse happened, and the
// plugin's veil.* metrics exist.
func TestPluginEndToEnd(t *testing.T) {
	for _, p := range []hosttest.Profile{hosttest.Envoy133, hosttest.Envoy139} {
		m := load(t, "veil", p)
		for _, ex := range examples(t) {
			vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: ex.rules})
			if err != nil {
				t.Fatalf("%s %s: %v", p, ex.name, err)
			}
			res := vm.Do(jsonExchange(ex.request, ex.reply, 0))
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || res.Reset != "" {
				t.Fatalf("%s %s: vm %v, errors %q, local reply %+v, reset %q", p, ex.name, res.VMError, res.Errors, res.LocalReply, res.Reset)
			}
			if want := native(t, ex.rules, ex.request, rules.Request); !bytes.Equal(res.Request.Body, want) {
				t.Errorf("%s %s: request\n%s\nwant\n%s", p, ex.name, res.Request.Body, want)
			}
			if want := native(t, ex.rules, ex.reply, rules.Response); !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%s %s: response\n%s\nwant\n%s", p, ex.name, res.Response.Body, want)
			}
			for _, msg := range []hosttest.Message{res.Request, res.Response} {
				if _, ok := msg.Headers.Get("content-length"); ok {
					t.Errorf("%s %s: content-length still set: %v", p, ex.name, msg.Headers)
				}
			}
		}
		found := false
		for name := range m.Metrics() {
			found = found || strings.HasPrefix(name, "wasmcustom.veil.")
		}
		if !found {
			t.Errorf("%s: no wasmcustom.veil.* metric: %v", p, m.Metrics())
		}
	}
}

// Chunk sizes 1, 7 and 64 KiB (with and without a final empty frame) give
// the same bytes as one chunk, on every example and on a 200 KiB body.
func TestPluginChunkSizes(t *testing.T) {
	m := load(t, "veil", hosttest.Envoy133)
	for _, ex := range examples(t) {
		vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: ex.rules})
		if err != nil {
			t.Fatal(err)
		}
		big := bigBody(ex.request, 200<<10)
		for _, body := range [][]byte{ex.request, big} {
			whole := vm.Do(jsonExchange(body, body, 0))
			if whole.VMError != nil || len(whole.Errors) > 0 {
				t.Fatalf("%s: %v %q", ex.name, whole.VMError, whole.Errors)
			}
			for _, chunk := range []int{1, 7, 64 << 10} {
				if chunk == 1 && len(body) > 64<<10 {
					continue // one callback per byte of 200 KiB adds seconds, not coverage
				}
				for _, final := range []bool{false, true} {
					ex2 := jsonExchange(body, body, chunk)
					ex2.FinalEmptyChunk = final
					res := vm.Do(ex2)
					if !bytes.Equal(res.Request.Body, whole.Request.Body) || !bytes.Equal(res.Response.Body, whole.Response.Body) || len(res.Errors) > 0 {
						t.Errorf("%s: %d-byte body, chunk %d, final empty %t: output differs from one chunk (errors %q)", ex.name, len(body), chunk, final, res.Errors)
					}
				}
			}
		}
	}
}

// bigBody repeats a JSON document in an array up to about size bytes.
func bigBody(doc []byte, size int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for b.Len() < size {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(bytes.TrimSpace(doc))
	}
	b.WriteByte(']')
	return b.Bytes()
}

// Envoy's buffer limit: a paused request body that outgrows it is answered
// 413 by the host, and the plugin passes that reply through untouched.
func TestPluginBufferLimit(t *testing.T) {
	ex := examples(t)[0]
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: ex.rules, BufferLimit: 1024})
	res := vm.Do(jsonExchange(bigBody(ex.request, 4096), nil, 512))
	if res.LocalReply == nil || res.LocalReply.From != "host" || res.Response.Status != 413 {
		t.Fatalf("local reply %+v, response %d", res.LocalReply, res.Response.Status)
	}
	if !bytes.Equal(res.Response.Body, res.LocalReply.Body) || len(res.Errors) > 0 || res.Request.Body != nil {
		t.Errorf("client got %q (want %q), errors %q, upstream got %q", res.Response.Body, res.LocalReply.Body, res.Errors, res.Request.Body)
	}
}

// The plugin's own local reply (invalid JSON is rejected by default) comes
// back through its response callbacks, which must leave it alone.
func TestPluginLocalReplyReentry(t *testing.T) {
	ex := examples(t)[0]
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: ex.rules})
	res := vm.Do(jsonExchange([]byte(`{"email": `), ex.reply, 0))
	lr := res.LocalReply
	if lr == nil || lr.From != "proxy_on_request_body" || lr.Status != 400 {
		t.Fatalf("local reply %+v", lr)
	}
	if !slices.ContainsFunc(res.Callbacks, func(c string) bool { return strings.HasPrefix(c, "on_response_headers") }) {
		t.Errorf("reply did not pass the response callbacks: %v", res.Callbacks)
	}
	if res.Response.Status != 400 || !bytes.Equal(res.Response.Body, lr.Body) || len(res.Errors) > 0 {
		t.Errorf("client got %d %q, want 400 %q; errors %q", res.Response.Status, res.Response.Body, lr.Body, res.Errors)
	}
}

// A request ended by trailers (HTTP/2, gRPC-web…): the plugin rewrites the
// body it buffered when the trailers arrive, as Envoy lets it.
func TestPluginTrailers(t *testing.T) {
	for _, ex := range examples(t) {
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: ex.rules})
		x := jsonExchange(ex.request, ex.reply, 7)
		x.RequestTrailers = hosttest.Headers{{"x-checksum", "0"}}
		x.ResponseTrailers = hosttest.Headers{{"grpc-status", "0"}}
		res := vm.Do(x)
		if len(res.Errors) > 0 || res.VMError != nil || res.LocalReply != nil {
			t.Fatalf("%s: errors %q, vm %v, local reply %+v", ex.name, res.Errors, res.VMError, res.LocalReply)
		}
		if want := native(t, ex.rules, ex.request, rules.Request); !bytes.Equal(res.Request.Body, want) {
			t.Errorf("%s: request\n%s\nwant\n%s", ex.name, res.Request.Body, want)
		}
		if want := native(t, ex.rules, ex.reply, rules.Response); !bytes.Equal(res.Response.Body, want) {
			t.Errorf("%s: response\n%s\nwant\n%s", ex.name, res.Response.Body, want)
		}
		if len(res.Request.Trailers) != 1 || len(res.Response.Trailers) != 1 {
			t.Errorf("%s: trailers %v %v", ex.name, res.Request.Trailers, res.Response.Trailers)
		}
	}
}
