package hosttest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// Who sees what, through the .wasm: identity comes from the properties
// Envoy serves (the peer certificate's URI SAN, the jwt_authn payload in
// the dynamic metadata, encoded as Envoy encodes them) and from headers the
// rule set trusts; each case runs on the request and the response side.

const viewRules = `
version: 1
name: views
jwt: { provider_metadata_key: payload }
trust_headers: [x-verified-role]
rules:
  - id: card-for-billing
    select: { keys: [card_number] }
    when: { principal: ["spiffe://cluster.local/ns/billing/sa/*"] }
    action: keep
  - id: card-for-support
    select: { keys: [card_number] }
    when: { claim: { roles: support } }
    action: { mask: { keep_last: 4 } }
  - id: card-for-auditor
    select: { keys: [card_number] }
    when: { header: { x-verified-role: auditor } }
    action: { mask: { keep_last: 2 } }
  - id: card-default
    select: { keys: [card_number] }
    action: redact
  - id: tracking
    select: { keys: [device_id] }
    when: { consent: { gpc: true } }
    action: remove
`

// viewRulesUntrusted is viewRules without trust_headers (and so without
// the rule that needs it).
var viewRulesUntrusted = strings.Replace(strings.Replace(viewRules, "trust_headers: [x-verified-role]\n", "", 1),
	`  - id: card-for-auditor
    select: { keys: [card_number] }
    when: { header: { x-verified-role: auditor } }
    action: { mask: { keep_last: 2 } }
`, "", 1)

const viewBody = `{"card_number":"4111111111111111","device_id":"d-77"}`

// Identities as Envoy serves them.
var (
	billingPeer = hosttest.Property{Path: []string{"connection", "uri_san_peer_certificate"},
		Value: "spiffe://cluster.local/ns/billing/sa/api"}
	webPeer = hosttest.Property{Path: []string{"connection", "uri_san_peer_certificate"},
		Value: "spiffe://cluster.local/ns/web/sa/api"}
	mtls = hosttest.Property{Path: []string{"connection", "mtls"}, Value: true}
)

// jwtPayload is the jwt_authn payload property under key.
func jwtPayload(key string, claims any) hosttest.Property {
	return hosttest.Property{Path: []string{"metadata", "filter_metadata", "envoy.filters.http.jwt_authn", key}, Value: claims}
}

func TestViews(t *testing.T) {
	const (
		clear    = `{"card_number":"4111111111111111","device_id":"d-77"}`
		redacted = `{"card_number":"[REDACTED]","device_id":"d-77"}`
		last4    = `{"card_number":"************1111","device_id":"d-77"}`
		last2    = `{"card_number":"**************11","device_id":"d-77"}`
	)
	support := map[string]any{"sub": "u1", "roles": []any{"support"}, "exp": float64(1733000000)}
	for _, tc := range []struct {
		name    string
		rules   string
		props   []hosttest.Property
		headers hosttest.Headers
		want    string
	}{
		{"no mTLS, no JWT", viewRules, nil, nil, redacted},
		{"billing peer", viewRules, []hosttest.Property{mtls, billingPeer}, nil, clear},
		{"other peer", viewRules, []hosttest.Property{mtls, webPeer}, nil, redacted},
		{"billing SAN one level deeper", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "spiffe://cluster.local/ns/billing/sa/api/x"}}, nil, redacted},
		{"billing SAN in another trust domain", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "spiffe://evil.example/ns/billing/sa/api"}}, nil, redacted},
		{"mtls without a SAN", viewRules, []hosttest.Property{mtls}, nil, redacted},
		{"billing SAN, scheme upper-case", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "SPIFFE://cluster.local/ns/billing/sa/api"}}, nil, redacted},
		{"billing SAN, namespace upper-case", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "spiffe://cluster.local/ns/Billing/sa/api"}}, nil, redacted},
		{"billing SAN with a leading space", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: " spiffe://cluster.local/ns/billing/sa/api"}}, nil, redacted},
		{"billing SAN with a trailing newline", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "spiffe://cluster.local/ns/billing/sa/api\n"}}, nil, redacted},
		{"billing SAN percent-encoded", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: "spiffe://cluster.local/ns/%62illing/sa/api"}}, nil, redacted},
		{"billing SAN as a one-element list", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: []any{"spiffe://cluster.local/ns/billing/sa/api"}}}, nil, clear},
		{"billing SAN in a header only", viewRules, nil, hosttest.Headers{{"x-forwarded-client-cert",
			"URI=spiffe://cluster.local/ns/billing/sa/api"}}, redacted},
		{"SAN property unreadable (binary)", viewRules, []hosttest.Property{{Path: billingPeer.Path,
			Value: []byte("spiffe://cluster.local/ns/billing/sa/api\x00")}}, nil, redacted},
		{"support JWT, roles list", viewRules, []hosttest.Property{jwtPayload("payload", support)}, nil, last4},
		{"support JWT, roles string", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": "support"})}, nil, last4},
		{"support JWT, roles among others", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": []any{"sales", "support"}})}, nil, last4},
		{"role spelled Support", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": []any{"Support"}})}, nil, redacted},
		{"role with a space", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": []any{" support"}})}, nil, redacted},
		{"roles as one comma-joined string", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": "sales,support"})}, nil, redacted},
		{"roles as an object", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": map[string]any{"support": true}})}, nil, redacted},
		{"role nested one level deeper", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": []any{[]any{"support"}}})}, nil, redacted},
		{"role under another claim", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"groups": []any{"support"}})}, nil, redacted},
		{"role claim upper-case", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"Roles": []any{"support"}})}, nil, redacted},
		{"JWT without the role", viewRules, []hosttest.Property{jwtPayload("payload", map[string]any{"roles": []any{"billing", "sales"}})}, nil, redacted},
		{"support JWT under another key", viewRules, []hosttest.Property{jwtPayload("other", support)}, nil, redacted},
		{"JWT payload unreadable", viewRules, []hosttest.Property{jwtPayload("payload", "roles=support")}, nil, redacted},
		{"billing peer and support JWT: first rule decides", viewRules, []hosttest.Property{billingPeer, jwtPayload("payload", support)}, nil, clear},
		{"forged identity headers", viewRules, nil, hosttest.Headers{
			{"x-forwarded-client-cert", "By=spiffe://x;URI=spiffe://cluster.local/ns/billing/sa/api"},
			{"x-jwt-payload", `{"roles":["support"]}`},
			{"authorization", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJzdXBwb3J0Il19."},
			{"x-roles", "support"}}, redacted},
		{"trusted role header", viewRules, nil, hosttest.Headers{{"x-verified-role", "auditor"}}, last2},
		{"trusted role header sent twice", viewRules, nil, hosttest.Headers{{"x-verified-role", "auditor"}, {"x-verified-role", "auditor"}}, redacted},
		{"trusted role header, other value", viewRules, nil, hosttest.Headers{{"x-verified-role", "Auditor"}}, redacted},
		{"role header without trust_headers", viewRulesUntrusted, nil, hosttest.Headers{{"x-verified-role", "auditor"}}, redacted},
		{"GPC on", viewRules, nil, hosttest.Headers{{"sec-gpc", "1"}}, `{"card_number":"[REDACTED]"}`},
		{"GPC on, billing peer", viewRules, []hosttest.Property{billingPeer}, hosttest.Headers{{"sec-gpc", "1"}}, `{"card_number":"4111111111111111"}`},
		{"GPC 0", viewRules, nil, hosttest.Headers{{"sec-gpc", "0"}}, redacted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(tc.rules), Properties: tc.props})
			ex := jsonExchange([]byte(viewBody), []byte(viewBody), 0)
			ex.Path = "/api/cards"
			ex.RequestHeaders = append(ex.RequestHeaders, tc.headers...)
			res := vm.Do(ex)
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
				t.Fatalf("vm %v, errors %v, reply %+v", res.VMError, res.Errors, res.LocalReply)
			}
			if got := string(res.Request.Body); got != tc.want {
				t.Errorf("request body %s, want %s", got, tc.want)
			}
			if got := string(res.Response.Body); got != tc.want {
				t.Errorf("response body %s, want %s", got, tc.want)
			}
		})
	}
}

// A rule that weakens protection on a header the set does not trust is
// refused: the plugin does not start.
func TestViewsUntrustedHeaderRefused(t *testing.T) {
	src := strings.Replace(viewRules, "trust_headers: [x-verified-role]\n", "", 1)
	_, err := load(t, "veil", hosttest.Envoy133).Start(context.Background(), hosttest.Config{PluginConfig: []byte(src)})
	if err == nil || !strings.Contains(err.Error(), "trust_headers") {
		t.Fatalf("start: %v, want a refusal naming trust_headers", err)
	}
}

// An unauthenticated caller never gets a keep: every rule that keeps the
// card depends on an identity (under when: and unless:), and no way of
// presenting identity that Envoy did not verify, nor an unreadable one,
// gets the card through in clear on either side.
func TestViewsUnauthenticatedNeverKeeps(t *testing.T) {
	const src = `
version: 1
name: keeps
jwt: { provider_metadata_key: payload }
trust_headers: [x-verified-role]
rules:
  - id: keep-peer
    select: { keys: [card_number] }
    when: { principal: ["*"] }
    action: keep
  - id: keep-claim
    select: { keys: [card_number] }
    when: { claim: { sub: { present: true } } }
    action: keep
  - id: keep-no-claim
    select: { keys: [card_number] }
    when: { claim: { roles: { present: false } } }
    action: keep
  - id: keep-unless-peer
    select: { keys: [card_number] }
    unless: { principal: ["spiffe://evil/*"] }
    action: keep
  - id: keep-unless-claim
    select: { keys: [card_number] }
    unless: { claim: { roles: blocked } }
    action: keep
  - id: keep-header
    select: { keys: [card_number] }
    when: { header: { x-verified-role: { present: true } } }
    action: keep
  - id: keep-unless-header
    select: { keys: [card_number] }
    unless: { header: { x-verified-role: blocked } }
    action: keep
  - id: card-default
    select: { keys: [card_number] }
    action: redact
`
	san := billingPeer.Path
	for _, tc := range []struct {
		name    string
		props   []hosttest.Property
		headers hosttest.Headers
	}{
		{"nothing", nil, nil},
		{"mtls flag only", []hosttest.Property{mtls}, nil},
		{"empty SAN", []hosttest.Property{{Path: san, Value: ""}}, nil},
		{"SAN with a control character", []hosttest.Property{{Path: san, Value: "spiffe://a/\x01b"}}, nil},
		{"SAN not UTF-8", []hosttest.Property{{Path: san, Value: []byte("spiffe://a/\xff")}}, nil},
		{"SAN as a number", []hosttest.Property{{Path: san, Value: int64(7)}}, nil},
		{"payload under another key", []hosttest.Property{jwtPayload("jwt", map[string]any{"sub": "u"})}, nil},
		{"payload not a map", []hosttest.Property{jwtPayload("payload", "sub=u")}, nil},
		{"payload a number", []hosttest.Property{jwtPayload("payload", float64(3))}, nil},
		{"payload a bool", []hosttest.Property{jwtPayload("payload", true)}, nil},
		{"payload truncated pairs", []hosttest.Property{jwtPayload("payload", []byte{1, 0, 0, 0, 3, 0, 0, 0})}, nil},
		{"payload with a null claim (Envoy cannot serialize it)", []hosttest.Property{jwtPayload("payload", map[string]any{"sub": "u", "x": nil})}, nil},
		{"payload with a binary claim", []hosttest.Property{jwtPayload("payload", map[string]any{"sub": "a\x00b\x00c"})}, nil},
		{"namespace but no payload", []hosttest.Property{{Path: []string{"metadata", "filter_metadata", "envoy.filters.http.jwt_authn"},
			Value: map[string]any{}}}, nil},
		{"forged identity headers", nil, hosttest.Headers{
			{"x-forwarded-client-cert", "URI=spiffe://cluster.local/ns/billing/sa/api"},
			{"x-jwt-payload", `{"sub":"u"}`}, {"x-forwarded-user", "u"},
			{"authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0."}}},
		{"trusted header sent twice", nil, hosttest.Headers{{"x-verified-role", "a"}, {"x-verified-role", "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src), Properties: tc.props})
			ex := jsonExchange([]byte(viewBody), []byte(viewBody), 0)
			ex.RequestHeaders = append(ex.RequestHeaders, tc.headers...)
			res := vm.Do(ex)
			for side, body := range map[string][]byte{"request": res.Request.Body, "response": res.Response.Body} {
				if want := `{"card_number":"[REDACTED]","device_id":"d-77"}`; string(body) != want {
					t.Errorf("%s body %s, want %s", side, body, want)
				}
			}
		})
	}
	// The same rule set does keep for a verified identity: the cases above
	// fail for lack of identity, not because keep never applies.
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src), Properties: []hosttest.Property{billingPeer}})
	if res := vm.Do(jsonExchange([]byte(viewBody), []byte(viewBody), 0)); string(res.Request.Body) != viewBody {
		t.Errorf("verified peer: request body %s, want it kept", res.Request.Body)
	}
}

const minimizeRules = `
version: 1
name: views-min
minimize:
  - id: public-profile
    when: { path: "/api/public/**" }
    allow: ["$.id", "$.display_name", "$.items[*].sku"]
rules:
  - id: email
    select: { keys: [email] }
    action: redact
`

// Minimization through the .wasm: the body, the per-list counter, and the
// removed paths in the audit line; a path outside the list's condition is
// left whole.
func TestViewsMinimize(t *testing.T) {
	mod := load(t, "veil", hosttest.Envoy133)
	vm, err := mod.Start(context.Background(), hosttest.Config{PluginConfig: []byte(minimizeRules)})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":1,"email":"a@x.io","display_name":"Al","items":[{"sku":"7","cost":3},5],"meta":{"v":1}}`
	ex := jsonExchange([]byte(`{"email":"b@x.io"}`), []byte(body), 0)
	ex.Path = "/api/public/users/1"
	ex.RequestHeaders = append(ex.RequestHeaders, hosttest.Headers{{"x-request-id", "m1"}}...)
	res := vm.Do(ex)
	if want := `{"id":1,"display_name":"Al","items":[{"sku":"7"}]}`; string(res.Response.Body) != want {
		t.Errorf("response body %s, want %s", res.Response.Body, want)
	}
	if want := `{"email":"[REDACTED]"}`; string(res.Request.Body) != want {
		t.Errorf("request body %s, want %s (minimize is response-only by default)", res.Request.Body, want)
	}
	metric := "wasmcustom.veil.values_minimized.rule_set.views-min.allow_list.public-profile.direction.response"
	if got := mod.Metrics()[metric].Value; got != 4 {
		t.Errorf("%s = %d, want 4 (email, cost, the element 5, meta)", metric, got)
	}
	if _, ok := mod.Metrics()["wasmcustom.veil.values_minimized.rule_set.views-min.allow_list.public-profile.direction.request"]; ok {
		t.Error("a request counter is defined for a response-only list")
	}
	var audit struct {
		Minimized []struct {
			Direction string
			AllowList string `json:"allow_list"`
			Count     int
			Paths     []string
		}
	}
	found := false
	for _, l := range res.Logs {
		if line, ok := strings.CutPrefix(l.Message, "veil audit "); ok {
			found = true
			if err := json.Unmarshal([]byte(line), &audit); err != nil {
				t.Fatalf("audit line %s: %v", line, err)
			}
			if strings.Contains(line, "a@x.io") || strings.Contains(line, `"cost":3`) {
				t.Errorf("audit line carries a value: %s", line)
			}
		}
	}
	if !found || len(audit.Minimized) != 1 || audit.Minimized[0].AllowList != "public-profile" || audit.Minimized[0].Count != 4 ||
		strings.Join(audit.Minimized[0].Paths, " ") != "$.email $.items[0].cost $.items[1] $.meta" {
		t.Errorf("audit minimized %+v (found %v)", audit.Minimized, found)
	}

	ex.Path = "/api/private/users/1"
	res = vm.Do(ex)
	if want := `{"id":1,"email":"[REDACTED]","display_name":"Al","items":[{"sku":"7","cost":3},5],"meta":{"v":1}}`; string(res.Response.Body) != want {
		t.Errorf("outside the list's path: response body %s, want %s", res.Response.Body, want)
	}
	if got := mod.Metrics()[metric].Value; got != 4 {
		t.Errorf("outside the list's path: %s = %d, want still 4", metric, got)
	}
}

// mark_responses: a response with findings (or minimized) gets
// Cache-Control: no-store, joined to its own directives, unless it already
// has no-store; a response with nothing found is left alone.
func TestViewsMarkResponses(t *testing.T) {
	src := viewRules + "mark_responses: true\n"
	for _, tc := range []struct {
		name     string
		props    []hosttest.Property
		cache    string // the upstream's Cache-Control, "" for none
		response string
		want     string // the Cache-Control the client gets, "" for none
	}{
		{"finding, no header", nil, "", viewBody, "no-store"},
		{"finding, cacheable", nil, "public, max-age=600", viewBody, "public, max-age=600, no-store"},
		{"finding, already no-store", nil, "private, no-store", viewBody, "private, no-store"},
		{"nothing found", nil, "public, max-age=600", `{"sku":"7"}`, "public, max-age=600"},
		{"kept for billing (keep reports nothing)", []hosttest.Property{billingPeer}, "", `{"card_number":"4111111111111111"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src), Properties: tc.props,
				AllowOnHeadersStopIteration: true})
			ex := jsonExchange(nil, []byte(tc.response), 0)
			if tc.cache != "" {
				ex.ResponseHeaders = append(ex.ResponseHeaders, [2]string{"cache-control", tc.cache})
			}
			res := vm.Do(ex)
			if res.VMError != nil || len(res.Errors) > 0 {
				t.Fatalf("vm %v, errors %v", res.VMError, res.Errors)
			}
			got, _ := res.Response.Headers.Get("cache-control")
			if got != tc.want {
				t.Errorf("cache-control %q, want %q", got, tc.want)
			}
		})
	}
}

// Response-side conditions see the response status and the request's
// attributes, also for a request without a body (GET), whose own body
// callbacks never run.
func TestViewsStatusAndRequestOnResponse(t *testing.T) {
	const src = `
version: 1
name: views-status
rules:
  - id: debug-on-errors
    select: { keys: [trace] }
    when: { status: [5xx], method: [GET] }
    action: remove
  - id: internal-path
    select: { keys: [owner] }
    when: { path: ["/internal/**"] }
    action: redact
`
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src)})
	body := `{"trace":"t-1","owner":"ann"}`
	for _, tc := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/api/x", 500, `{"owner":"ann"}`},
		{"GET", "/api/x", 503, `{"owner":"ann"}`},
		{"GET", "/api/x", 200, body},
		{"GET", "/api/x", 404, body},
		{"POST", "/api/x", 500, body},
		{"GET", "/internal/a", 200, `{"trace":"t-1","owner":"[REDACTED]"}`},
		{"GET", "/internal/a", 502, `{"owner":"[REDACTED]"}`},
	} {
		ex := jsonExchange(nil, []byte(body), 0)
		ex.Method, ex.Path, ex.Status = tc.method, tc.path, tc.status
		if tc.method == "POST" {
			ex.RequestBody = []byte(`{}`)
		}
		res := vm.Do(ex)
		if got := string(res.Response.Body); got != tc.want || res.VMError != nil || len(res.Errors) > 0 {
			t.Errorf("%s %s → %d: response %s, want %s (vm %v, errors %v)", tc.method, tc.path, tc.status, got, tc.want, res.VMError, res.Errors)
		}
	}
}
