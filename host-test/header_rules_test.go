package hosttest_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Header rules through the .wasm: applied in the headers callbacks, with
// or without a body, whether the body is read or not; what they found
// joins the audit line and the metrics; block answers at once.

const headerRules = `
version: 1
name: hdr
match: { paths: ["/api/**"], never_sniff: ["image/*"] }
trust_headers: [x-role]
report_header: x-veil
mark_responses: true
rules:
  - { id: user-email, select: { headers: [x-user-email] }, action: redact }
  - { id: gone, select: { headers: [x-debug-user] }, action: remove }
  - id: pii
    select: { headers: [referer, cookie, x-note, set-cookie, location], detect: [email, phone, credit_card] }
    action: { redact: { with: "[pii]" } }
  - id: admins-keep
    direction: response
    select: { headers: [x-owner] }
    when: { header: { x-role: admin } }
    action: keep
  - { id: owner, direction: response, select: { headers: [x-owner] }, action: { mask: { keep_last: 4 } } }
  - { id: no-keys, select: { headers: ["*"], detect: [aws_access_key_id] }, action: { block: { status: 403 } } }
  - { id: watch, mode: shadow, select: { headers: [x-trace] }, action: remove }
  - { id: body-email, select: { keys: [email] }, action: redact }
`

// headerValues returns every value of name in h.
func headerValues(h hosttest.Headers, name string) []string {
	var vs []string
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

// noBadHeaders fails for a header value the filter left invalid.
func noBadHeaders(t *testing.T, h hosttest.Headers) {
	t.Helper()
	for _, kv := range h {
		if strings.ContainsAny(kv[1], "\r\n\x00") {
			t.Errorf("invalid header value %s: %q", kv[0], kv[1])
		}
	}
}

// Each exchange shape: the headers are rewritten whether or not a body
// follows and whether or not it is read.
func TestHeaderRulesShapes(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(headerRules)})
	reqHeaders := hosttest.Headers{{"x-user-email", "ann@example.com"}, {"x-debug-user", "ann"}, {"x-trace", "t1"},
		{"referer", "https://shop.example/?email=ann%40example.com"}, {"accept", "*/*"}}
	for _, c := range []struct {
		what string
		ex   hosttest.Exchange
		body string // the request body upstream, when checked
	}{
		{"GET without body", hosttest.Exchange{Method: "GET", Path: "/api/x", RequestHeaders: reqHeaders}, ""},
		{"JSON body", hosttest.Exchange{Path: "/api/x", RequestHeaders: append(hosttest.Headers{{"content-type", "application/json"}}, reqHeaders...),
			RequestBody: []byte(`{"email":"ann@example.com"}`)}, `{"email":"[REDACTED]"}`},
		{"body never read", hosttest.Exchange{Path: "/api/x", RequestHeaders: append(hosttest.Headers{{"content-type", "image/png"}}, reqHeaders...),
			RequestBody: []byte("\x89PNG ann@example.com")}, "\x89PNG ann@example.com"},
		{"encoded body rejected after the headers", hosttest.Exchange{Path: "/api/x", RequestHeaders: append(hosttest.Headers{{"content-type", "application/json"}, {"content-encoding", "br"}}, reqHeaders...),
			RequestBody: []byte(`xx`)}, ""},
		{"chunked body", hosttest.Exchange{Path: "/api/x", RequestHeaders: append(hosttest.Headers{{"content-type", "application/json"}}, reqHeaders...),
			RequestBody: []byte(`{"email":"ann@example.com","n":[1,2,3]}`), ChunkSize: 5, FinalEmptyChunk: true}, `{"email":"[REDACTED]","n":[1,2,3]}`},
	} {
		t.Run(c.what, func(t *testing.T) {
			res := vm.Do(c.ex)
			if len(res.Errors) > 0 || res.VMError != nil {
				t.Fatalf("host errors %q, vm %v", res.Errors, res.VMError)
			}
			if c.what == "encoded body rejected after the headers" {
				if res.LocalReply == nil || res.LocalReply.Status != 415 {
					t.Fatalf("local reply %+v, want 415", res.LocalReply)
				}
				return
			}
			h := res.Request.Headers
			noBadHeaders(t, h)
			for name, want := range map[string][]string{
				"x-user-email": {"[REDACTED]"}, "x-debug-user": nil, "x-trace": {"t1"},
				"referer": {"https://shop.example/?email=[pii]"}, "accept": {"*/*"},
			} {
				if got := headerValues(h, name); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			if c.body != "" && string(res.Request.Body) != c.body {
				t.Errorf("body %q, want %q", res.Request.Body, c.body)
			}
			audit := auditLine(t, res.Logs)
			for _, want := range []string{`"rule":"user-email","action":"redact","mode":"enforce","count":1,"paths":["headers['x-user-email']"]`,
				`"rule":"watch","action":"remove","mode":"shadow","count":1,"paths":["headers['x-trace']"]`,
				`"rule":"pii","action":"redact","mode":"enforce","count":1,"paths":["headers.referer"],"detectors":["email"]`} {
				if !strings.Contains(audit, want) {
					t.Errorf("audit line %s lacks %s", audit, want)
				}
			}
		})
	}
	out := vm.Do(hosttest.Exchange{Method: "GET", Path: "/elsewhere", RequestHeaders: reqHeaders})
	if got := headerValues(out.Request.Headers, "x-user-email"); !reflect.DeepEqual(got, []string{"ann@example.com"}) {
		t.Errorf("a path out of match.paths was rewritten: %q", got)
	}
}

// Response headers: rewritten with and without a body, conditions read the
// request, the report header and the audit line count header and body
// findings together.
func TestHeaderRulesResponse(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy139, hosttest.Config{PluginConfig: []byte(headerRules), AllowOnHeadersStopIteration: true})
	resp := hosttest.Headers{{"x-owner", "owner 4111111111111111"}, {"set-cookie", "e=ann@example.com; Path=/"}, {"set-cookie", "sid=1"},
		{"location", "/next?tel=%2B1%20415%20555%202671"}}
	for _, c := range []struct {
		what, role string
		body       []byte
		owner      string
		report     string
	}{
		{"no body", "", nil, "***** ************1111", "pii=2, owner=1"},
		{"admin, no body", "admin", nil, "owner 4111111111111111", "pii=2"},
		{"with a JSON body", "", []byte(`{"email":"ann@example.com"}`), "***** ************1111", "pii=2, owner=1, body-email=1"},
	} {
		t.Run(c.what, func(t *testing.T) {
			ex := hosttest.Exchange{Method: "GET", Path: "/api/me", RequestHeaders: hosttest.Headers{{"x-role", c.role}}, ResponseHeaders: resp}
			if c.body != nil {
				ex.ResponseHeaders = append(hosttest.Headers{{"content-type", "application/json"}}, resp...)
				ex.ResponseBody = c.body
			}
			res := vm.Do(ex)
			if len(res.Errors) > 0 || res.VMError != nil || res.LocalReply != nil {
				t.Fatalf("host errors %q, vm %v, reply %+v", res.Errors, res.VMError, res.LocalReply)
			}
			h := res.Response.Headers
			noBadHeaders(t, h)
			if got := headerValues(h, "x-owner"); len(got) != 1 || got[0] != c.owner {
				t.Errorf("x-owner %q, want %q", got, c.owner)
			}
			if got := headerValues(h, "set-cookie"); !reflect.DeepEqual(got, []string{"e=[pii]; Path=/", "sid=1"}) {
				t.Errorf("set-cookie %q", got)
			}
			if got := headerValues(h, "location"); !reflect.DeepEqual(got, []string{"/next?tel=[pii]"}) {
				t.Errorf("location %q", got)
			}
			if got := headerValues(h, "x-veil"); !reflect.DeepEqual(got, []string{c.report}) {
				t.Errorf("x-veil %q, want %q", got, c.report)
			}
			if got := headerValues(h, "cache-control"); !reflect.DeepEqual(got, []string{"no-store"}) {
				t.Errorf("cache-control %q: mark_responses did not mark", got)
			}
		})
	}
}

// block answers at once: the request's rule status, 502 for a response.
func TestHeaderRulesBlock(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(headerRules)})
	res := vm.Do(hosttest.Exchange{Method: "GET", Path: "/api/x", RequestHeaders: hosttest.Headers{{"x-api", "AKIAIOSFODNN7EXAMPLE"}}})
	if res.LocalReply == nil || res.LocalReply.Status != 403 || res.Request.Sent {
		t.Fatalf("request block: reply %+v, sent %v", res.LocalReply, res.Request.Sent)
	}
	if want := `{"error":"blocked","rule_set":"hdr","rule":"no-keys","count":1,"detectors":{"aws_access_key_id":1}}`; string(res.LocalReply.Body) != want {
		t.Errorf("reply %s, want %s", res.LocalReply.Body, want)
	}
	res = vm.Do(hosttest.Exchange{Method: "GET", Path: "/api/x", ResponseHeaders: hosttest.Headers{{"x-api", "AKIAIOSFODNN7EXAMPLE"}}})
	if res.LocalReply == nil || res.LocalReply.Status != 502 {
		t.Fatalf("response block: reply %+v", res.LocalReply)
	}
	if strings.Contains(fmt.Sprint(res.Response.Headers), "AKIA") {
		t.Errorf("the key reached the client: %q", res.Response.Headers)
	}
	m := load(t, "veil", hosttest.Envoy133)
	vm2, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(headerRules)})
	if err != nil {
		t.Fatal(err)
	}
	vm2.Do(hosttest.Exchange{Method: "GET", Path: "/api/x", RequestHeaders: hosttest.Headers{{"x-api", "AKIAIOSFODNN7EXAMPLE"}}})
	vm2.Do(hosttest.Exchange{Method: "GET", Path: "/api/x", RequestHeaders: hosttest.Headers{{"x-user-email", "a@b.co"}, {"cookie", "a=b@c.io; x=d@e.io"}}})
	got := m.Metrics()
	for name, v := range map[string]int64{
		"wasmcustom.veil.bodies_blocked.rule_set.hdr.rule.no-keys.direction.request":                       1,
		"wasmcustom.veil.values.rule_set.hdr.rule.no-keys.action.block.direction.request.mode.enforce":     1,
		"wasmcustom.veil.values.rule_set.hdr.rule.user-email.action.redact.direction.request.mode.enforce": 1,
		"wasmcustom.veil.values.rule_set.hdr.rule.pii.action.redact.direction.request.mode.enforce":        2,
		"wasmcustom.veil.bodies_inspected.rule_set.hdr.direction.request":                                  0,
	} {
		if got[name].Value != v {
			t.Errorf("%s = %d, want %d", name, got[name].Value, v)
		}
	}
}

// The spellings that carry a value in a header, through the .wasm: each
// ends as rules.ApplyHeaders says natively, and the value never survives.
func TestHeaderRulesSpellingsWasm(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(headerRules)})
	p, err := rules.Compile([]byte(headerRules), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		h      hosttest.Headers
		secret []string
	}{
		{"percent", hosttest.Headers{{"referer", "https://x/?e=alice%40example.com&n=1"}}, []string{"alice"}},
		{"percent twice", hosttest.Headers{{"referer", "https://x/?e=alice%2540example.com"}}, []string{"alice"}},
		{"percent, mixed case", hosttest.Headers{{"Referer", "https://x/?e=Alice%40EXAMPLE.com"}}, []string{"Alice"}},
		{"plus", hosttest.Headers{{"referer", "https://x/?q=mail+alice%40example.com+now&tel=+1+415+555+2671"}}, []string{"alice", "2671"}},
		{"quoted", hosttest.Headers{{"x-note", `v="alice@example.com"`}}, []string{"alice"}},
		{"quoted-pair", hosttest.Headers{{"x-note", `v="alice\@example\.com"`}}, []string{"alice"}},
		{"comma-joined", hosttest.Headers{{"x-note", "alice@example.com, bob@example.org"}}, []string{"alice", "bob"}},
		{"twice", hosttest.Headers{{"x-note", "alice@example.com"}, {"X-Note", "bob@example.org"}}, []string{"alice", "bob"}},
		{"whitespace", hosttest.Headers{{"x-note", " \t alice@example.com \t "}}, []string{"alice"}},
		{"cookie", hosttest.Headers{{"cookie", "a=1; email=alice@example.com; card=4111-1111-1111-1111"}}, []string{"alice", "4111-1111"}},
		{"json", hosttest.Headers{{"x-note", `{"u":{"mail":"alice\u0040example.com"}}`}}, []string{"alice"}},
		{"whole value", hosttest.Headers{{"x-user-email", `"Alice" <alice@example.com>, bob@example.org`}}, []string{"alice", "bob"}},
	} {
		t.Run(c.what, func(t *testing.T) {
			res := vm.Do(hosttest.Exchange{Method: "GET", Path: "/api/x", RequestHeaders: c.h})
			got := res.Request.Headers
			noBadHeaders(t, got)
			for _, kv := range got {
				for _, s := range c.secret {
					if strings.Contains(strings.ToLower(kv[1]), strings.ToLower(s)) {
						t.Errorf("%q survives: %s: %q", s, kv[0], kv[1])
					}
				}
			}
			in := [][2]string{{":method", "GET"}}
			for _, kv := range c.h {
				in = append(in, [2]string{strings.ToLower(kv[0]), kv[1]})
			}
			edits, _, err := p.ApplyHeaders(in, rules.Input{Direction: rules.Request})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range edits {
				if w := headerValues(got, e.Name); !reflect.DeepEqual(w, e.Values) && !(len(w) == 0 && len(e.Values) == 0) {
					t.Errorf("%s: wasm %q, native %q", e.Name, w, e.Values)
				}
			}
		})
	}
}
