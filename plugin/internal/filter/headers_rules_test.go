package filter

import (
	"reflect"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

const headerRuleSet = `
name: hdr
rules:
  - { id: user-email, select: { headers: [x-user-email] }, action: redact }
  - { id: drop, select: { headers: [x-debug] }, action: remove }
  - { id: spans, select: { headers: [referer, set-cookie], detect: [email] }, action: { redact: { with: "[email]" } } }
  - { id: no-keys, direction: request, select: { headers: ["*"], detect: [aws_access_key_id] }, action: block }
  - { id: body, select: { keys: [email] }, action: redact }
`

// valuesOf returns every value of name in headers.
func valuesOf(headers [][2]string, name string) []string {
	var vs []string
	for _, kv := range headers {
		if strings.EqualFold(kv[0], name) {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

// Header rules rewrite request headers without a body and response
// headers; a block answers from the headers callback; the audit line joins
// header and body findings. (A name sent twice is tested in host-test: the
// SDK's emulator appends a second value to the first.)
func TestHeaderRules(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, headerRuleSet)
		r := run(host, exchange{
			requestHeaders: [][2]string{{":method", "GET"}, {":path", "/api/me"}, {":authority", "example.com"},
				{"x-user-email", "ann@example.com"}, {"x-debug", "1"}, {"referer", "https://x/?e=ann%40example.com"}},
			responseHeaders: jsonResponse([2]string{"set-cookie", "e=ann@example.com"}),
			responseBody:    `{"email":"ann@example.com"}`,
		})
		for name, want := range map[string][]string{"x-user-email": {"[REDACTED]"}, "x-debug": nil, "referer": {"https://x/?e=[email]"}} {
			if got := valuesOf(r.requestHeaders, name); !reflect.DeepEqual(got, want) {
				t.Errorf("request %s: %q, want %q", name, got, want)
			}
		}
		if got := valuesOf(r.responseHeaders, "set-cookie"); !reflect.DeepEqual(got, []string{"e=[email]"}) {
			t.Errorf("response set-cookie: %q", got)
		}
		if r.responseBody != `{"email":"[REDACTED]"}` {
			t.Errorf("response body %s", r.responseBody)
		}
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		for _, want := range []string{`"direction":"request","rule":"user-email"`, `"direction":"response","rule":"spans","action":"redact","mode":"enforce","count":1,"paths":["headers['set-cookie']"]`,
			`"direction":"response","rule":"body"`} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit line %s lacks %s", audit, want)
			}
		}
		r = run(host, exchange{requestHeaders: [][2]string{{":method", "GET"}, {":path", "/"}, {"x-any", "AKIAIOSFODNN7EXAMPLE"}}})
		if r.localReply == nil || r.localReply.StatusCode != 400 || !strings.Contains(string(r.localReply.Data), `"rule":"no-keys"`) {
			t.Errorf("block: %+v", r.localReply)
		}
	})
}
