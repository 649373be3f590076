package hosttest_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// encodingRules redacts an email by key and an SSN by detector.
const encodingRules = `
version: 1
name: enc
rules:
  - { id: email, select: { keys: [email] }, action: redact }
  - { id: ssn, select: { detect: [us_ssn] }, action: redact }
`

// encodingPlanted are the values no forwarded body may hold, in any layer.
var encodingPlanted = []string{"alice@example.com", "123-45-6789"}

const encodingJSON = `{"user":{"email":"alice@example.com","note":"ssn 123-45-6789 on file"},"items":[1,2,3]}`

// Encoders from the standard library (not the plugin's).
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zl(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func rawFlate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// undo decodes b with standard-library readers, outermost form first
// ("gzip", "zlib" or "raw").
func undo(t *testing.T, b []byte, forms ...string) []byte {
	t.Helper()
	for _, f := range forms {
		for _, v := range encodingPlanted {
			if bytes.Contains(b, []byte(v)) {
				t.Fatalf("%q survives in a layer", v)
			}
		}
		var r io.Reader
		var err error
		switch f {
		case "gzip":
			r, err = gzip.NewReader(bytes.NewReader(b))
		case "zlib":
			r, err = zlib.NewReader(bytes.NewReader(b))
		case "raw":
			r = flate.NewReader(bytes.NewReader(b))
		}
		if err == nil {
			b, err = io.ReadAll(r)
		}
		if err != nil {
			t.Fatalf("reading the forwarded body as %s: %v", f, err)
		}
	}
	return b
}

// encodedExchange sends body with the headers both ways.
func encodedExchange(headers hosttest.Headers, body []byte, chunk int) hosttest.Exchange {
	return hosttest.Exchange{
		Path:            "/api/x",
		RequestHeaders:  headers,
		RequestBody:     body,
		ResponseHeaders: headers,
		ResponseBody:    body,
		ChunkSize:       chunk,
	}
}

// values returns every value of header name.
func values(h hosttest.Headers, name string) []string {
	var out []string
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			out = append(out, kv[1])
		}
	}
	return out
}

// TestEncodedBodiesThroughWasm: every coding and spelling of
// content-encoding the filter reads, under each label, at several chunk
// sizes, both directions: the planted values are gone from every layer,
// the forwarded body is encoded again in the form it came in (its
// content-encoding kept, content-length dropped) and decodes to what the
// identity path forwards.
func TestEncodedBodiesThroughWasm(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(encodingRules)})
	body := []byte(encodingJSON)
	ndjson := []byte(encodingJSON + "\nnot json\n" + encodingJSON + "\n")
	labels := []struct {
		name    string
		headers hosttest.Headers
		body    []byte
	}{
		{"json", hosttest.Headers{{"content-type", "application/json"}}, body},
		{"text/plain (sniffed)", hosttest.Headers{{"content-type", "text/plain"}}, body},
		{"no label (sniffed)", nil, body},
		{"ndjson", hosttest.Headers{{"content-type", "application/x-ndjson"}}, ndjson},
	}
	codings := []struct {
		name    string
		headers hosttest.Headers
		encode  func([]byte) []byte
		forms   []string
	}{
		{"gzip", hosttest.Headers{{"content-encoding", "gzip"}}, gz, []string{"gzip"}},
		{"x-gzip", hosttest.Headers{{"content-encoding", "x-gzip"}}, gz, []string{"gzip"}},
		{"GZIP", hosttest.Headers{{"Content-Encoding", "GZIP"}}, gz, []string{"gzip"}},
		{"spaces", hosttest.Headers{{"content-encoding", "  gzip "}}, gz, []string{"gzip"}},
		{"identity, gzip", hosttest.Headers{{"content-encoding", "identity, gzip"}}, gz, []string{"gzip"}},
		{"identity header and gzip header", hosttest.Headers{{"content-encoding", "identity"}, {"content-encoding", "gzip"}}, gz, []string{"gzip"}},
		{"multi-member gzip", hosttest.Headers{{"content-encoding", "gzip"}}, func(b []byte) []byte {
			return append(gz(b[:len(b)/3]), gz(b[len(b)/3:])...)
		}, []string{"gzip"}},
		{"deflate (zlib)", hosttest.Headers{{"content-encoding", "deflate"}}, zl, []string{"zlib"}},
		{"deflate (raw)", hosttest.Headers{{"content-encoding", "deflate"}}, rawFlate, []string{"raw"}},
		{"gzip, gzip", hosttest.Headers{{"content-encoding", "gzip, gzip"}}, func(b []byte) []byte { return gz(gz(b)) }, []string{"gzip", "gzip"}},
		{"two gzip headers", hosttest.Headers{{"content-encoding", "gzip"}, {"content-encoding", "gzip"}}, func(b []byte) []byte { return gz(gz(b)) }, []string{"gzip", "gzip"}},
		{"deflate then x-gzip", hosttest.Headers{{"content-encoding", "deflate, x-gzip"}}, func(b []byte) []byte { return gz(rawFlate(b)) }, []string{"gzip", "raw"}},
	}
	for _, l := range labels {
		identity := vm.Do(encodedExchange(l.headers, l.body, 0))
		if identity.LocalReply != nil || bytes.Equal(identity.Request.Body, l.body) {
			t.Fatalf("%s: identity path did not rewrite: %+v", l.name, identity.LocalReply)
		}
		for _, c := range codings {
			for _, chunk := range []int{0, 7, 1000} {
				t.Run(fmt.Sprintf("%s/%s/chunk=%d", l.name, c.name, chunk), func(t *testing.T) {
					headers := append(slices.Clone(l.headers), c.headers...)
					res := vm.Do(encodedExchange(headers, c.encode(l.body), chunk))
					if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
						t.Fatalf("vm %v, reply %+v, errors %q", res.VMError, res.LocalReply, res.Errors)
					}
					for _, m := range []struct {
						name string
						got  hosttest.Message
						want []byte
					}{{"request", res.Request, identity.Request.Body}, {"response", res.Response, identity.Response.Body}} {
						if got := undo(t, m.got.Body, c.forms...); !bytes.Equal(got, m.want) {
							t.Errorf("%s: decodes to %s\nwant %s", m.name, got, m.want)
						}
						if !slices.Equal(values(m.got.Headers, "content-encoding"), values(headers, "content-encoding")) {
							t.Errorf("%s: content-encoding %q, want it kept", m.name, values(m.got.Headers, "content-encoding"))
						}
						if len(values(m.got.Headers, "content-length")) != 0 {
							t.Errorf("%s: content-length kept", m.name)
						}
					}
				})
			}
		}
	}
}

// TestEncodedRecodeIdentity: with recode: identity a decodable body is
// forwarded decoded and its content-encoding is gone, whether it changed,
// did not, or is not JSON at all; an unreadable coding keeps its header.
func TestEncodedRecodeIdentity(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(encodingRules + "encodings: { recode: identity }\n")})
	identity := vm.Do(encodedExchange(hosttest.Headers{{"content-type", "application/json"}}, []byte(encodingJSON), 0))
	for _, c := range []struct {
		name    string
		headers hosttest.Headers
		body    []byte
		want    []byte // forwarded both ways
	}{
		{"gzip", hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}}, gz([]byte(encodingJSON)), identity.Request.Body},
		{"deflate raw, sniffed", hosttest.Headers{{"content-encoding", "deflate"}}, rawFlate([]byte(encodingJSON)), identity.Request.Body},
		{"gzip, gzip", hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}, {"content-encoding", "GZIP"}}, gz(gz([]byte(encodingJSON))), identity.Request.Body},
		{"unchanged", hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}}, gz([]byte(`{"a":1}`)), []byte(`{"a":1}`)},
		{"text", hosttest.Headers{{"content-type", "text/plain"}, {"content-encoding", "gzip"}}, gz([]byte("hello alice")), []byte("hello alice")},
	} {
		for _, chunk := range []int{0, 3} {
			res := vm.Do(encodedExchange(c.headers, c.body, chunk))
			if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
				t.Fatalf("%s: vm %v, reply %+v, errors %q", c.name, res.VMError, res.LocalReply, res.Errors)
			}
			for _, m := range []hosttest.Message{res.Request, res.Response} {
				if !bytes.Equal(m.Body, c.want) || len(values(m.Headers, "content-encoding")) != 0 {
					t.Errorf("%s chunk %d: forwarded %q with content-encoding %q, want %q without", c.name, chunk, m.Body, values(m.Headers, "content-encoding"), c.want)
				}
			}
		}
	}
	res := vm.Do(encodedExchange(hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "br"}}, []byte("xx"), 0))
	if res.LocalReply == nil || res.LocalReply.Status != 415 {
		t.Errorf("br under recode identity: %+v", res.LocalReply)
	}
}

// TestEncodedUnchangedIsNotRewritten: an encoded body with nothing to
// rewrite, or not JSON, is forwarded as it came: not decoded-and-encoded
// again, not even written.
func TestEncodedUnchangedIsNotRewritten(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(encodingRules)})
	for _, c := range []struct {
		name    string
		headers hosttest.Headers
		body    []byte
	}{
		{"clean JSON", hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}}, gz([]byte(`{"a":"b"}`))},
		{"clean JSON deflate", hosttest.Headers{{"content-encoding", "deflate"}}, zl([]byte(`[1,2]`))},
		{"text", hosttest.Headers{{"content-type", "text/html"}, {"content-encoding", "gzip"}}, gz([]byte("<html>alice@example.com</html>"))},
		{"large text", hosttest.Headers{{"content-encoding", "gzip"}}, gz(bytes.Repeat([]byte("log line alice@example.com\n"), 100000))},
	} {
		res := vm.Do(encodedExchange(c.headers, c.body, 4096))
		if res.LocalReply != nil || len(res.Errors) > 0 {
			t.Fatalf("%s: reply %+v, errors %q", c.name, res.LocalReply, res.Errors)
		}
		for _, m := range []hosttest.Message{res.Request, res.Response} {
			if m.BodyWritten || !bytes.Equal(m.Body, c.body) {
				t.Errorf("%s: body written %v, equal %v", c.name, m.BodyWritten, bytes.Equal(m.Body, c.body))
			}
		}
	}
}

// TestEncodedFailures: what the filter cannot read gets on.encoded, a body
// decoding past the limits on.oversize, each with both choices and both
// directions: reject answers 415/413 on the request side and 502 on the
// response side (a reset once the response headers went downstream, as for
// any response body), pass forwards the bytes as they came, header kept;
// linear memory stays within a few MiB whatever the bomb.
func TestEncodedFailures(t *testing.T) {
	json := []byte(encodingJSON)
	good := gz(json)
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[(i+len(b))%len(b)] ^= 0x55
		return b
	}
	bomb := gz(make([]byte, 50<<20))                                              // 50 MB of zeros
	jsonBomb := gz(append([]byte("["), bytes.Repeat([]byte("0,"), 10<<20)...))    // 20 MB of JSON, cut
	stackedBomb := gz(gz(make([]byte, 20<<20)))                                   // a bomb in a bomb
	spaceBomb := gz(append(bytes.Repeat([]byte(" "), 8<<20), `{"email":"x"}`...)) // undecided by sniffing
	cases := []struct {
		name     string
		extra    string
		encoding []string
		body     []byte
		kind     string
		status   int
		notJSON  bool // its decoded start is no JSON candidate: sniffed, it streams through unread
	}{
		{"br", "", []string{"br"}, []byte("\x1b\x10\x00"), "encoded", 415, false},
		{"zstd", "", []string{"zstd"}, []byte("\x28\xb5\x2f\xfd"), "encoded", 415, false},
		{"compress", "", []string{"compress"}, []byte("\x1f\x9d"), "encoded", 415, false},
		{"unknown", "", []string{"snappy"}, good, "encoded", 415, false},
		{"gzip then br", "", []string{"gzip, br"}, good, "encoded", 415, false},
		{"gzip header then br header", "", []string{"gzip", "br"}, good, "encoded", 415, false},
		{"four stacked", "", []string{"gzip, gzip, gzip, gzip"}, gz(gz(gz(good))), "encoded", 415, false},
		{"decode: []", "encodings: { decode: [] }\n", []string{"gzip"}, good, "encoded", 415, false},
		{"deflate not in decode", "encodings: { decode: [gzip, x-gzip] }\n", []string{"deflate"}, zl(json), "encoded", 415, false},
		{"not gzip at all", "", []string{"gzip"}, json, "encoded", 415, false},
		{"truncated", "", []string{"gzip"}, good[:len(good)/2], "encoded", 415, false},
		{"no trailer", "", []string{"gzip"}, good[:len(good)-8], "encoded", 415, false},
		{"bad CRC", "", []string{"gzip"}, flip(good, -6), "encoded", 415, false},
		{"trailing garbage", "", []string{"gzip"}, append(bytes.Clone(good), "garbage"...), "encoded", 415, false},
		{"zlib bad checksum", "", []string{"deflate"}, flip(zl(json), -1), "encoded", 415, false},
		{"one layer for two", "", []string{"gzip, gzip"}, good, "encoded", 415, false},
		{"zip bomb", "", []string{"gzip"}, bomb, "oversize", 413, true},
		{"JSON bomb", "", []string{"gzip"}, jsonBomb, "oversize", 413, false},
		{"stacked bomb", "", []string{"gzip", "gzip"}, stackedBomb, "oversize", 413, true},
		{"whitespace bomb", "", []string{"gzip"}, spaceBomb, "oversize", 413, false},
		{"over max_decoded_bytes", "limits: { max_decoded_bytes: 64 }\n", []string{"gzip"}, good, "oversize", 413, false},
		{"over the ratio", "limits: { max_decoded_ratio: 2 }\n", []string{"gzip"}, gz(bytes.Repeat(json, 10)), "oversize", 413, false},
	}
	for _, c := range cases {
		for _, choice := range []string{"reject", "pass"} {
			t.Run(c.name+"/"+choice, func(t *testing.T) {
				vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(encodingRules + c.extra + "on: { " + c.kind + ": " + choice + " }\n")})
				for _, label := range []string{"application/json", "text/plain"} { // strict, and sniffed on its decoded start
					headers := hosttest.Headers{{"content-type", label}}
					for _, e := range c.encoding {
						headers = append(headers, [2]string{"content-encoding", e})
					}
					for _, d := range []string{"request", "response"} {
						ex := hosttest.Exchange{Path: "/x", ChunkSize: 16 << 10}
						if d == "request" {
							ex.RequestHeaders, ex.RequestBody = headers, c.body
						} else {
							ex.Method, ex.ResponseHeaders, ex.ResponseBody = "GET", headers, c.body
						}
						before := vm.MemorySize()
						res := vm.Do(ex)
						// a response-side reject from the body callback, the headers
						// gone downstream, resets the stream (as for any response body)
						mayReset := d == "response" && choice == "reject"
						if res.VMError != nil || (len(res.Errors) > 0 || res.Reset != "") && !mayReset {
							t.Fatalf("%s: vm %v, errors %q, reset %q", d, res.VMError, res.Errors, res.Reset)
						}
						if grown := int(vm.MemorySize()) - int(before); grown > 8<<20 {
							t.Errorf("%s: linear memory grew %d bytes", d, grown)
						}
						status, got := c.status, res.Request
						if d == "response" {
							status, got = 502, res.Response
						}
						if choice == "reject" && !(c.notJSON && label == "text/plain") {
							if res.LocalReply == nil || res.LocalReply.Status != status || !bytes.Contains(res.LocalReply.Body, []byte(`"error":"`+c.kind+`"`)) {
								t.Errorf("%s %s: want a %d %s reply, got %+v", label, d, status, c.kind, res.LocalReply)
							}
							continue
						}
						if res.LocalReply != nil || !bytes.Equal(got.Body, c.body) || !slices.Equal(values(got.Headers, "content-encoding"), c.encoding) {
							t.Errorf("%s %s: pass forwarded %d bytes (want %d unchanged), content-encoding %q, reply %+v", label, d, len(got.Body), len(c.body), values(got.Headers, "content-encoding"), res.LocalReply)
						}
					}
				}
			})
		}
	}
}

// TestStripAcceptEncoding: strip_accept_encoding removes every
// accept-encoding value of in-scope requests when rules apply to
// responses, and nothing else.
func TestStripAcceptEncoding(t *testing.T) {
	const scoped = "match: { paths: [\"/api/**\"] }\n"
	for _, c := range []struct {
		name  string
		rules string
		path  string
		strip bool
	}{
		{"on", encodingRules + scoped + "encodings: { strip_accept_encoding: true }\n", "/api/x", true},
		{"on, request-only rules", "rules: [{ id: e, select: { keys: [email] }, direction: request, action: redact }]\n" + scoped + "encodings: { strip_accept_encoding: true }\n", "/api/x", false},
		{"on, out of scope", encodingRules + scoped + "encodings: { strip_accept_encoding: true }\n", "/other", false},
		{"off (default)", encodingRules + scoped, "/api/x", false},
	} {
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(c.rules)})
		for _, req := range []hosttest.Headers{
			{{"accept-encoding", "gzip, deflate, br"}},
			{{"Accept-Encoding", "br"}, {"accept-encoding", "gzip;q=0.5"}},
		} {
			for _, withBody := range []bool{false, true} {
				ex := hosttest.Exchange{Method: "GET", Path: c.path, RequestHeaders: req,
					ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: []byte(encodingJSON)}
				if withBody {
					ex.Method, ex.RequestBody = "POST", []byte(`{"a":1}`)
				}
				res := vm.Do(ex)
				if res.LocalReply != nil || len(res.Errors) > 0 {
					t.Fatalf("%s: reply %+v, errors %q", c.name, res.LocalReply, res.Errors)
				}
				if got := len(values(res.Request.Headers, "accept-encoding")); (got == 0) != c.strip {
					t.Errorf("%s: upstream got %q (strip %v)", c.name, values(res.Request.Headers, "accept-encoding"), c.strip)
				}
			}
		}
	}
}

// TestEncodedMemoryFlat: the codec's readers, compressor and buffers are
// reused from one body to the next: linear memory stays flat over many
// gzip exchanges of several sizes once warmed up.
func TestEncodedMemoryFlat(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(encodingRules)})
	var bodies [][]byte
	for _, n := range []int{1, 50, 1000} {
		bodies = append(bodies, gz([]byte("["+strings.Repeat(encodingJSON+",", n)+"{}]")))
	}
	const warmUp, exchanges = 30, 300
	var afterWarmUp uint32
	for i := range exchanges {
		res := vm.Do(encodedExchange(hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}}, bodies[i%len(bodies)], 8192))
		if res.VMError != nil || res.LocalReply != nil {
			t.Fatalf("exchange %d: %v %+v", i, res.VMError, res.LocalReply)
		}
		if i == warmUp {
			afterWarmUp = vm.MemorySize()
		}
	}
	growth := float64(vm.MemorySize())/float64(afterWarmUp) - 1
	t.Logf("linear memory: %d bytes after %d exchanges, %d after %d", afterWarmUp, warmUp, vm.MemorySize(), exchanges)
	if growth > 0.05 {
		t.Errorf("linear memory grew %.1f%% after warm-up (limit 5%%)", 100*growth)
	}
}

// TestEncodedReportHeader: a compressed response held for report_header
// and mark_responses gets its report and no-store, compressed again or,
// under recode: identity, decoded without its content-encoding.
func TestEncodedReportHeader(t *testing.T) {
	for _, recode := range []string{"same", "identity"} {
		vm := start(t, "veil", hosttest.Envoy139, hosttest.Config{PluginConfig: []byte(encodingRules +
			"report_header: x-veil\nmark_responses: true\nencodings: { recode: " + recode + " }\n"), AllowOnHeadersStopIteration: true})
		res := vm.Do(hosttest.Exchange{Method: "GET", Path: "/x", ChunkSize: 5,
			ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "gzip"}},
			ResponseBody:    gz([]byte(encodingJSON))})
		if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
			t.Fatalf("%s: vm %v, reply %+v, errors %q", recode, res.VMError, res.LocalReply, res.Errors)
		}
		h := res.Response.Headers
		if v, _ := h.Get("x-veil"); v != "email=1, ssn=1" {
			t.Errorf("%s: x-veil %q", recode, v)
		}
		if v, _ := h.Get("cache-control"); v != "no-store" {
			t.Errorf("%s: cache-control %q", recode, v)
		}
		body := res.Response.Body
		if recode == "same" {
			body = undo(t, body, "gzip")
		} else if _, ok := h.Get("content-encoding"); ok {
			t.Errorf("identity: content-encoding kept")
		}
		if want := `{"user":{"email":"[REDACTED]","note":"ssn [REDACTED] on file"},"items":[1,2,3]}`; string(body) != want {
			t.Errorf("%s: body %s", recode, body)
		}
	}
}
