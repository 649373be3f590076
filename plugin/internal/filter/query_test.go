package filter

import (
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// With match.query, the query string of :path is rewritten in the request
// headers callback, with or without a body; its findings count in the
// metrics and join the request body's in one audit line. Natively and as
// .wasm (forEachRunner).
func TestQueryRewrite(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules+"match: { query: true, forms: true }\n")
		get := [][2]string{{":method", "GET"}, {":path", "/api/e%6Dail/x?user[email]=a%40b.com&n=1"}, {":authority", "example.com"}, {"x-request-id", "req-q"}}
		r := run(host, exchange{requestHeaders: get})
		if path := headerValue(r.requestHeaders, ":path"); path != "/api/e%6Dail/x?user[email]=%5BREDACTED%5D&n=1" {
			t.Errorf(":path = %q", path)
		}
		post := jsonRequest("")
		for i := range post {
			if post[i][0] == ":path" {
				post[i][1] = "/api/customers?EMAIL=a%40b.com"
			}
		}
		r = run(host, exchange{requestHeaders: post, requestBody: `{"email":"c@example.com"}`})
		if path := headerValue(r.requestHeaders, ":path"); path != "/api/customers?EMAIL=%5BREDACTED%5D" {
			t.Errorf(":path = %q", path)
		}
		assertJSON(t, "request", r.requestBody, `{"email":"[REDACTED]"}`)
		if n, err := host.GetCounterMetric("veil.values.rule_set.test.rule.email.action.redact.direction.request.mode.enforce"); err != nil || n != 3 {
			t.Errorf("request values counter = %d, %v; want 3", n, err)
		}
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) && strings.Contains(l, `"request_id":"req-1"`) {
				audit = l
			}
		}
		if !strings.Contains(audit, `"count":2,"paths":["$.EMAIL","$.email"]`) {
			t.Errorf("audit line: %q", audit)
		}
		form := [][2]string{{":method", "POST"}, {":path", "/f"}, {":authority", "example.com"}, {"content-type", "application/x-www-form-urlencoded"}}
		r = run(host, exchange{requestHeaders: form, requestBody: "e-mail=a%40b.com&x=1"})
		if r.requestBody != "e-mail=%5BREDACTED%5D&x=1" {
			t.Errorf("form body: %q", r.requestBody)
		}
	})
}

// headerValue returns the first value of a header ("" for none).
func headerValue(headers [][2]string, name string) string {
	for _, kv := range headers {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}
