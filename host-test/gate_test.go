package hosttest_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// The gate (issue 10, sections 1 and 2) as .wasm through this host: which
// bodies are read whatever their label, record streams, encodings, path
// spellings and refused paths. Expected bodies come from the native engine.

const gateRuleSet = `
version: 1
name: gate
limits: { max_body_bytes: 4096 }
rules:
  - id: email
    select: { keys: [email] }
    action: redact
`

// labelled returns an exchange whose request and response carry body under
// the given content-type headers (none when labels is empty).
func labelled(labels []string, body []byte, chunk int) hosttest.Exchange {
	var h hosttest.Headers
	for _, l := range labels {
		h = append(h, [2]string{"content-type", l})
	}
	return hosttest.Exchange{Path: "/api/x", RequestHeaders: h, RequestBody: body,
		ResponseHeaders: h, ResponseBody: body, ChunkSize: chunk}
}

// nativeAs is what the engine makes of body under labels, natively.
func nativeAs(t *testing.T, src string, labels []string, body []byte, d rules.Direction) ([]byte, error) {
	t.Helper()
	p, err := rules.Compile([]byte(src), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := p.ApplyAs(p.BodyKind(labels), body, rules.Input{Direction: d}, p.Apply)
	return out, err
}

// Every label that is not labelled JSON, and no label at all, is sniffed:
// JSON is rewritten like labelled JSON (request and response, whole or in
// small chunks), text passes untouched.
func TestGateSniffedLabels(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet)})
	labelSets := [][]string{
		nil, {""}, {"text/plain"}, {"text/plain;charset=UTF-8"}, {"text/json"}, {"application/x-json"},
		{"application/octet-stream"}, {"application/x-www-form-urlencoded"}, {"json"}, {"application/jsonx"},
		{"text/plain, application/json"}, {"application/json", "application/json"}, {"text/html", "application/json"},
		{"application/json"}, {"application/problem+json"},
	}
	bodies := []string{
		`{"email":"a@example.com","n":1}`,
		" \r\n\t[{\"email\":\"a@example.com\"}]",
		"\xef\xbb\xbf{\"email\":\"a@example.com\"}",
		`{"x":{"EMAIL":"a@example.com"}}`,
	}
	for _, labels := range labelSets {
		for _, body := range bodies {
			for _, chunk := range []int{0, 1, 3} {
				want, err := nativeAs(t, gateRuleSet, labels, []byte(body), rules.Request)
				if strings.HasPrefix(body, "\xef") && slices.Equal(labels, []string{"application/json"}) ||
					strings.HasPrefix(body, "\xef") && slices.Equal(labels, []string{"application/problem+json"}) {
					if !errors.Is(err, rules.ErrInvalidJSON) {
						t.Fatalf("labelled JSON with a BOM: %v", err)
					}
					continue // strict: covered by TestGateAlmostJSON's labelled rows
				}
				if err != nil || bytes.Contains(want, []byte("a@example.com")) {
					t.Fatalf("native %q %q: %q %v", labels, body, want, err)
				}
				res := vm.Do(labelled(labels, []byte(body), chunk))
				if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
					t.Fatalf("%q %q chunk %d: vm %v, reply %+v, errors %q", labels, body, chunk, res.VMError, res.LocalReply, res.Errors)
				}
				if !bytes.Equal(res.Request.Body, want) || !bytes.Equal(res.Response.Body, want) {
					t.Errorf("%q %q chunk %d: request %q, response %q, want %q", labels, body, chunk, res.Request.Body, res.Response.Body, want)
				}
			}
		}
	}
	texts := []string{
		"email=a%40example.com&x=1", "<html><body>{\"email\":\"a@example.com\"}</body></html>", "[INFO] email a@example.com",
		"\x89PNG\r\n\x1a\n\x00\x00{\"email\":\"a@example.com\"}", `"a@example.com"`, "/* css */ body { color: red }",
		"--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@example.com\r\n--b--",
	}
	for _, labels := range labelSets[:13] {
		for _, text := range texts {
			for _, chunk := range []int{0, 2} {
				res := vm.Do(labelled(labels, []byte(text), chunk))
				if res.LocalReply != nil || !bytes.Equal(res.Request.Body, []byte(text)) || !bytes.Equal(res.Response.Body, []byte(text)) {
					t.Errorf("text %q under %q chunk %d: reply %+v, request %q", text, labels, chunk, res.LocalReply, res.Request.Body)
				}
			}
		}
	}
}

// A body that is not a JSON candidate is buffered only until its first
// bytes decide: later chunks flow through (continue) one by one.
func TestGateSniffStopsBuffering(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet)})
	for _, c := range []struct {
		body   string
		chunk  int
		paused int // request body calls answered with pause
	}{
		{"0123456789abcdefghij", 5, 0},         // decided on the first chunk
		{"ab" + strings.Repeat("x", 20), 2, 0}, // "a" cannot open a candidate in any encoding
		{"{" + strings.Repeat("x", 20), 2, 10}, // a candidate: buffered to the end (then not almost JSON: passed)
		{"\n" + strings.Repeat("x", 20), 1, 3}, // whitespace, then fewer than 4 bytes
		{"   /* c */ hello world!!", 4, 2},     // whitespace and a comment first
		{"// line\nplain text here", 3, 2},     // a line comment spans chunks
	} {
		res := vm.Do(hosttest.Exchange{Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "text/plain"}},
			RequestBody: []byte(c.body), ChunkSize: c.chunk})
		paused := 0
		for _, cb := range res.Callbacks {
			if strings.HasPrefix(cb, "on_request_body ") && strings.HasSuffix(cb, "-> pause") {
				paused++
			}
		}
		if paused != c.paused || string(res.Request.Body) != c.body || res.LocalReply != nil {
			t.Errorf("%q: %d pauses (want %d), body %q, reply %+v\n%s", c.body, paused, c.paused, res.Request.Body, res.LocalReply,
				strings.Join(res.Callbacks, "\n"))
		}
	}
	// text larger than max_body_bytes (4096) streams through, in one chunk or many
	for _, chunk := range []int{0, 1000} {
		big := "\x89PNG" + strings.Repeat("x", 10_000)
		res := vm.Do(hosttest.Exchange{Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "image/png"}},
			RequestBody: []byte(big), ResponseHeaders: hosttest.Headers{{"content-type", "text/html"}},
			ResponseBody: []byte("<p>" + big), ChunkSize: chunk})
		if res.LocalReply != nil || string(res.Request.Body) != big || string(res.Response.Body) != "<p>"+big {
			t.Errorf("large text, chunk %d: reply %+v", chunk, res.LocalReply)
		}
	}
	// a body that never decides within max_body_bytes is oversize
	res := vm.Do(hosttest.Exchange{Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "text/plain"}},
		RequestBody: []byte("/*" + strings.Repeat(" ", 5000) + "*/{\"email\":\"a@example.com\"}"), ChunkSize: 1024})
	if res.LocalReply == nil || res.LocalReply.Status != 413 {
		t.Errorf("undecided past the limit: reply %+v", res.LocalReply)
	}
}

// Almost JSON (what lenient parsers accept) is invalid_json under any label
// but never_sniff: 400 on the request, 502 on the response; on.invalid_json
// pass forwards it.
func TestGateAlmostJSON(t *testing.T) {
	wide := func(s string, le bool) string {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			if le {
				b = append(b, byte(u), byte(u>>8))
			} else {
				b = append(b, byte(u>>8), byte(u))
			}
		}
		return string(b)
	}
	almost := []string{
		`{"email":"a@example.com",}`, `{'email':'a@example.com'}`, `{email:"a@example.com"}`, `{"n":NaN,"email":"a@example.com"}`,
		"// c\n{\"email\":\"a@example.com\"}", `{"email":"a@example.com"} trailing`, `{"a":1}{"email":"a@example.com"}`,
		"\xff\xfe" + wide(`{"email":"a@example.com"}`, true), wide(`{"email":"a@example.com"}`, true),
		"\xfe\xff" + wide(`{"email":"a@example.com"}`, false), wide(`[{"email":"a@example.com"}]`, false),
		"\x00\x00\x00{\x00\x00\x00}", "{\x00\x00\x00}\x00\x00\x00",
	}
	for _, choice := range []string{"reject", "pass"} {
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet + "on: { invalid_json: " + choice + " }\n")})
		for _, labels := range [][]string{nil, {"text/plain"}, {"application/octet-stream"}, {"application/json"}, {"a", "b"}} {
			for _, body := range almost {
				for _, side := range []string{"request", "response"} {
					ex := labelled(labels, []byte(body), 0)
					if side == "response" {
						ex.RequestHeaders, ex.RequestBody = nil, nil
					} else {
						ex.ResponseBody = []byte(`{}`)
					}
					res := vm.Do(ex)
					status := 400
					if side == "response" {
						status = 502
					}
					switch {
					case choice == "reject" && (res.LocalReply == nil || res.LocalReply.Status != status):
						t.Errorf("%s %q %q: reply %+v, want %d", side, labels, body, res.LocalReply, status)
					case choice == "pass" && res.LocalReply != nil:
						t.Errorf("%s %q %q: pass answered %d", side, labels, body, res.LocalReply.Status)
					}
				}
			}
		}
	}
	// never_sniff opts a label out
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet + "match: { never_sniff: [text/plain, application/octet-*] }\n")})
	for _, labels := range [][]string{{"text/plain"}, {"Text/Plain; charset=utf-8"}, {"application/octet-stream"}} {
		for _, body := range append(almost, `{"email":"a@example.com"}`) {
			res := vm.Do(labelled(labels, []byte(body), 0))
			if res.LocalReply != nil || string(res.Request.Body) != body {
				t.Errorf("never_sniff %q %q: reply %+v, body %q", labels, body, res.LocalReply, res.Request.Body)
			}
			if _, ok := res.Request.Headers.Get("content-length"); !ok {
				t.Errorf("never_sniff %q: content-length dropped", labels)
			}
		}
	}
}

// Record streams are rewritten record by record (request and response,
// whole or chunked); records that are not JSON pass unchanged.
func TestGateRecordStreams(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet)})
	lines := "{\"email\":\"a@example.com\"}\n{\"x\":1}\r\n\nnot json\n[{\"email\":\"b@example.com\"}]\n{\"email\":\"c@example.com\""
	seq := "\x1e{\"email\":\"a@example.com\"}\n\x1e{\"x\":1}\n\x1etext\n\x1e[{\"email\":\"b@example.com\"}]\n"
	for _, c := range []struct {
		label, body string
	}{
		{"application/x-ndjson", lines}, {"application/jsonl", lines}, {"application/x-ndjson; charset=utf-8", lines},
		{"Application/NDJSON", lines}, {"application/json-seq", seq},
		{"application/x-ndjson", "{\n  \"user\": {\n    \"email\": \"a@example.com\"\n  }\n}\n"},
		{"application/jsonl", "{\"x\":1}\n[\n {\"email\":\"a@example.com\"}\n]\n"},
	} {
		labels := []string{c.label}
		want, err := nativeAs(t, gateRuleSet, labels, []byte(c.body), rules.Request)
		if err != nil || bytes.Contains(want, []byte("a@example.com")) || !bytes.Contains(want, []byte("not json")) && c.body == lines {
			t.Fatalf("native %s: %q %v", c.label, want, err)
		}
		for _, chunk := range []int{0, 7} {
			res := vm.Do(labelled(labels, []byte(c.body), chunk))
			if res.LocalReply != nil || !bytes.Equal(res.Request.Body, want) || !bytes.Equal(res.Response.Body, want) {
				t.Errorf("%s chunk %d: reply %+v\nrequest  %q\nresponse %q\nwant     %q", c.label, chunk, res.LocalReply, res.Request.Body, res.Response.Body, want)
			}
		}
	}
}

// Two content-encoding headers or a list are encoded unless every coding is
// identity; this also proves the plugin reads every value of a repeated
// header (Envoy's get_header_map_value returns only the first).
func TestGateContentEncodings(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet)})
	body := []byte(`{"email":"a@example.com"}`)
	for _, c := range []struct {
		encodings []string
		encoded   bool
	}{
		{nil, false}, {[]string{"identity"}, false}, {[]string{"identity, identity"}, false}, {[]string{"identity", "Identity"}, false},
		{[]string{"gzip"}, true}, {[]string{"identity, gzip"}, true}, {[]string{"identity", "gzip"}, true},
		{[]string{"identity", "identity", "br"}, true}, {[]string{"x-gzip"}, true},
	} {
		for _, labels := range [][]string{{"application/json"}, {"text/plain"}, nil} {
			ex := labelled(labels, body, 0)
			for _, e := range c.encodings {
				ex.RequestHeaders = append(ex.RequestHeaders, [2]string{"content-encoding", e})
			}
			res := vm.Do(ex)
			if c.encoded {
				if res.LocalReply == nil || res.LocalReply.Status != 415 {
					t.Errorf("%q %q: reply %+v, want 415", c.encodings, labels, res.LocalReply)
				}
			} else if res.LocalReply != nil || string(res.Request.Body) != `{"email":"[REDACTED]"}` {
				t.Errorf("%q %q: reply %+v, body %q", c.encodings, labels, res.LocalReply, res.Request.Body)
			}
		}
	}
}

// Spellings of an in-scope path stay in scope, as .wasm: the body is
// rewritten for each.
func TestGatePathSpellings(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet + "match: { paths: [\"/api/users/*\"] }\n")})
	body := []byte(`{"email":"a@example.com"}`)
	in := map[string][]string{
		"path parameters": {"/api;v=1/users/7", "/api/users;jsessionid=X/7", "/.;/api/users/7", "/x/..;/api/users/7", "/api%3Bv=1/users/7"},
		"double encoding": {"/%2561pi/users/7", "/%25%36%31pi/users/7", "/%252e/api/users/7", "/%25252561pi/users/7"},
		"absolute form":   {"http://example.com/api/users/7", "HTTPS://example.com:8443/api/users/7?q=1", "//host/api/users/7"},
		"full-width":      {"/api／users／7", "/ａｐｉ/users/7", "/api＼users/7", "/api%EF%BC%8Fusers/7", "/x/．．/api/users/7"},
		"unsure":          {"/%c0%af/other", "/other/%ff"},
	}
	for class, paths := range in {
		for _, path := range paths {
			res := vm.Do(hosttest.Exchange{Path: path, RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body})
			if res.LocalReply != nil || string(res.Request.Body) != `{"email":"[REDACTED]"}` {
				t.Errorf("%s: %q: reply %+v, body %q", class, path, res.LocalReply, res.Request.Body)
			}
		}
	}
	res := vm.Do(hosttest.Exchange{Path: "/api/orders/7", RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body})
	if !bytes.Equal(res.Request.Body, body) {
		t.Errorf("out of scope path rewritten: %q", res.Request.Body)
	}
}

// A path with NUL or control characters after decoding is refused for
// every request, in scope or not, with or without a body: invalid_path,
// 400 by default, counted; on.invalid_path pass forwards it.
func TestGateInvalidPath(t *testing.T) {
	paths := []string{"/api/users/7%00", "/api/users/%2500", "/other%0d%0aX-Injected:%201", "/other\x01", "/a%7f",
		"/a%C2%85", "/%25252500", "http://h/a%00"}
	for _, choice := range []string{"reject", "pass"} {
		mod := load(t, "veil", hosttest.Envoy133)
		vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(gateRuleSet +
			"match: { paths: [\"/api/users/*\"] }\non: { invalid_path: " + choice + " }\n")})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			for _, body := range [][]byte{nil, []byte(`{"x":1}`)} {
				res := vm.Do(hosttest.Exchange{Path: path, RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body})
				if choice == "reject" {
					if res.LocalReply == nil || res.LocalReply.Status != 400 || string(res.LocalReply.Body) != `{"error":"invalid_path","rule_set":"gate"}` {
						t.Errorf("%q: reply %+v", path, res.LocalReply)
					}
				} else if res.LocalReply != nil || !res.Request.Sent {
					t.Errorf("%q pass: reply %+v", path, res.LocalReply)
				}
				want := `veil: rule set "gate": request path: invalid_path: ` + choice
				if len(res.Logs) != 1 || res.Logs[0].Message != want {
					t.Errorf("%q: logs %+v, want one warning %q", path, res.Logs, want)
				}
			}
		}
		name := "wasmcustom.veil.failures.rule_set.gate.kind.invalid_path.outcome." + choice + ".direction.request"
		if got := mod.Metrics()[name].Value; got != int64(2*len(paths)) {
			t.Errorf("%s = %d, want %d", name, got, 2*len(paths))
		}
		for _, path := range []string{"/api/users/7", "/a?q=%00", "/%25", "/a%20b"} {
			if res := vm.Do(hosttest.Exchange{Path: path}); res.LocalReply != nil {
				t.Errorf("valid %q refused: %+v", path, res.LocalReply)
			}
		}
		vm.Close(t.Context())
	}
}

// BenchmarkGateUploadWasm: a 64 KiB upload in 16 KiB chunks through the
// .wasm, sniffed (decided on the first chunk, then streamed) against the
// same label under never_sniff (not read at all): what sniffing costs a
// body that is not JSON.
func BenchmarkGateUploadWasm(b *testing.B) {
	body := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("binary-ish payload "), 3450)...)
	for _, c := range []struct{ name, extra string }{{"sniffed", ""}, {"never_sniff", "match: { never_sniff: [image/png] }\n"}} {
		b.Run(c.name, func(b *testing.B) {
			vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(gateRuleSet + c.extra)})
			ex := hosttest.Exchange{Path: "/upload", RequestHeaders: hosttest.Headers{{"content-type", "image/png"}}, RequestBody: body, ChunkSize: 16 << 10}
			if res := vm.Do(ex); res.LocalReply != nil || !bytes.Equal(res.Request.Body, body) {
				b.Fatalf("upload changed: %+v", res.LocalReply)
			}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				vm.Do(ex)
			}
		})
	}
}
