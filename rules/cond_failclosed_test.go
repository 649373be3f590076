package rules

import (
	"fmt"
	"strings"
	"testing"
)

// viewsRules is the example: billing keeps the card, support sees
// the last four, everyone else gets it redacted.
const viewsRules = `jwt: { provider_metadata_key: payload }
trust_headers: [x-verified-role]
rules:
  - id: card-for-billing
    select: { keys: [card_number] }
    when: { principal: ["spiffe://cluster.local/ns/billing/sa/*"] }
    action: keep
  - id: card-for-support
    select: { keys: [card_number] }
    when: { claim: { "roles": "support" } }
    action: { mask: { keep_last: 4 } }
  - id: card-for-ops
    select: { keys: [card_number] }
    unless: { header: { x-verified-role: intern } }
    action: { mask: { keep_last: 2 } }
  - id: card-default
    select: { keys: [card_number] }
    action: redact
  - id: tracking
    select: { keys: [device_id, ad_id] }
    when: { consent: { gpc: true } }
    action: remove
`

const viewsBody = `{"card_number":"4111-1111-1111-1234","device_id":"d-1","ad_id":"a-1"}`

// TestUnauthenticatedNeverKeeps: without a verified identity (no SAN, no
// or unreadable claims, a trusted header absent or sent twice, identity
// spelled in untrusted headers) the card is redacted, on both sides.
func TestUnauthenticatedNeverKeeps(t *testing.T) {
	p := mustCompile(t, viewsRules)
	forged := hdrs("x-forwarded-client-cert", "URI=spiffe://cluster.local/ns/billing/sa/api",
		"x-roles", "support", "authorization", "Bearer eyJ.eyJyb2xlcyI6InN1cHBvcnQifQ.x", "x-verified-role", "admin", "x-verified-role", "admin")
	for name, r := range map[string]*RequestAttributes{
		"nil":               nil,
		"empty":             {},
		"forged headers":    {Method: "GET", Path: "/api/cards", Headers: forged},
		"empty SAN list":    {PeerURISANs: []string{}},
		"empty claims":      {JWTClaims: []byte{}},
		"invalid claims":    {JWTClaims: []byte(`{"roles":"support"`)},
		"claims not object": {JWTClaims: []byte(`"support"`)},
		"duplicate role":    {JWTClaims: []byte(`{"roles":"support","roles":"support"}`)},
		"claims in header":  {Headers: hdrs("x-jwt-payload", `{"roles":"support"}`)},
	} {
		for _, d := range []Direction{Request, Response} {
			out, _, err := p.Apply([]byte(viewsBody), Input{Direction: d, Request: r, Status: 200})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), `"card_number":"[REDACTED]"`) {
				t.Errorf("%s on %v: %s", name, d, out)
			}
		}
	}
}

// TestViews: each verified identity gets its view.
func TestViews(t *testing.T) {
	p := mustCompile(t, viewsRules)
	for _, c := range []struct {
		name string
		r    *RequestAttributes
		want string
	}{
		{"billing", &RequestAttributes{PeerURISANs: []string{"spiffe://cluster.local/ns/billing/sa/api"}},
			`{"card_number":"4111-1111-1111-1234","device_id":"d-1","ad_id":"a-1"}`},
		{"support", &RequestAttributes{JWTClaims: []byte(`{"roles":["agent","support"]}`)},
			`{"card_number":"****-****-****-1234","device_id":"d-1","ad_id":"a-1"}`},
		{"ops", &RequestAttributes{Headers: hdrs("x-verified-role", "ops")},
			`{"card_number":"****-****-****-**34","device_id":"d-1","ad_id":"a-1"}`},
		{"intern", &RequestAttributes{Headers: hdrs("x-verified-role", "intern")},
			`{"card_number":"[REDACTED]","device_id":"d-1","ad_id":"a-1"}`},
		{"gpc", &RequestAttributes{Headers: hdrs("sec-gpc", "1")},
			`{"card_number":"[REDACTED]"}`},
		{"billing peer with gpc", &RequestAttributes{PeerURISANs: []string{"spiffe://cluster.local/ns/billing/sa/api"}, Headers: hdrs("sec-gpc", "1")},
			`{"card_number":"4111-1111-1111-1234"}`},
	} {
		for _, d := range []Direction{Request, Response} {
			out, _, err := p.Apply([]byte(viewsBody), Input{Direction: d, Request: c.r})
			if err != nil || string(out) != c.want {
				t.Errorf("%s on %v: got %s (%v), want %s", c.name, d, out, err, c.want)
			}
		}
	}
}

// TestConditionsCacheBounded: more distinct sets of active rules than the
// cache holds still get the right automata.
func TestConditionsCacheBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	const n = 10 // 2^10 sets of active rules > maxCachedViews
	for i := range n {
		b.WriteString("  - {id: r" + string(rune('a'+i)) + ", select: {keys: [k" + string(rune('a'+i)) + "]}, when: {header: {x-" + string(rune('a'+i)) + ": {present: true}}}, action: redact}\n")
	}
	p := mustCompile(t, b.String())
	for set := range 1 << n {
		var h [][2]string
		body, want := "{", "{"
		for i := range n {
			k := string(rune('a' + i))
			if i > 0 {
				body, want = body+",", want+","
			}
			body += `"k` + k + `":1`
			if set&(1<<i) != 0 {
				h = append(h, [2]string{"x-" + k, "1"})
				want += `"k` + k + `":"[REDACTED]"`
			} else {
				want += `"k` + k + `":1`
			}
		}
		out, _, err := p.Apply([]byte(body+"}"), Input{Direction: Request, Request: &RequestAttributes{Headers: h}})
		if err != nil || string(out) != want+"}" {
			t.Fatalf("set %b: got %s (%v), want %s}", set, out, err, want)
		}
	}
	if n := len(*p.conds.cache.Load()); n > maxCachedViews {
		t.Errorf("cache holds %d views", n)
	}
}

// TestConditionsConcurrent: several goroutines applying with different
// sets of active rules share one Program (run with -race).
func TestConditionsConcurrent(t *testing.T) {
	p := mustCompile(t, viewsRules)
	ins := []*RequestAttributes{
		nil,
		{PeerURISANs: []string{"spiffe://cluster.local/ns/billing/sa/api"}},
		{JWTClaims: []byte(`{"roles":["support"]}`)},
		{Headers: hdrs("x-verified-role", "ops", "sec-gpc", "1")},
	}
	want := make([]string, len(ins))
	for i, r := range ins {
		out, _, _ := mustCompile(t, viewsRules).Apply([]byte(viewsBody), Input{Direction: Response, Request: r})
		want[i] = string(out)
	}
	done := make(chan string, 4)
	for g := range 4 {
		go func() {
			for n := range 200 {
				i := (g + n) % len(ins)
				out, _, err := p.Apply([]byte(viewsBody), Input{Direction: Response, Request: ins[i]})
				if err != nil || string(out) != want[i] {
					done <- fmt.Sprintf("goroutine %d: got %s (%v), want %s", g, out, err, want[i])
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestConditionsNoMatchAllocs: with conditions, a body no rule changes is
// still processed without allocating (once its view is cached).
func TestConditionsNoMatchAllocs(t *testing.T) {
	p := mustCompile(t, viewsRules)
	body := []byte(`{"other":"x","list":[1,2,{"k":"v"}]}`)
	for _, r := range []*RequestAttributes{
		nil,
		{Method: "GET", Path: "/api/x", Host: "h", PeerURISANs: []string{"spiffe://cluster.local/ns/billing/sa/api"}},
		{JWTClaims: []byte(`{"roles":["support"]}`), Headers: hdrs("x-verified-role", "ops", "sec-gpc", "1")},
	} {
		in := Input{Direction: Response, Request: r, Status: 200}
		if _, _, err := p.Apply(body, in); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { p.Apply(body, in) }); n != 0 {
			t.Errorf("%+v: %v allocations", r, n)
		}
	}
}
