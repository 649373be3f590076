package rules

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// condTop is the top of every rule set of the condition tests: a JWT key,
// a trusted header and a consent cookie.
const condTop = `jwt: { provider_metadata_key: payload }
trust_headers: [X-Role]
consent: { cookie: cmp }
`

// condVerdict runs cond (a YAML flow mapping) under when and unless, on a
// redact rule (strengthening) and on a keep rule (weakening), and returns
// the atom value they imply: "Y", "N", "M" (maybe) or "U" (unknown), or a
// description of an inconsistency. keepToo is false for conditions a keep
// rule may not carry (untrusted headers): then only the redact rule under
// when runs, and "Y" stands for Y or M, "N" for N or U.
func condVerdict(t *testing.T, cond string, in Input, keepToo bool) string {
	t.Helper()
	active := func(action, field string) bool {
		src := condTop + "rules:\n"
		if action == "keep" {
			src += fmt.Sprintf("  - {id: k, select: {keys: [v]}, %s: %s, action: keep}\n  - {id: r, select: {keys: [v]}, action: redact}\n", field, cond)
		} else {
			src += fmt.Sprintf("  - {id: r, select: {keys: [v]}, %s: %s, action: redact}\n", field, cond)
		}
		p := mustCompile(t, src)
		out, _, err := p.Apply([]byte(`{"v":"x"}`), in)
		if err != nil {
			t.Fatal(err)
		}
		redacted := strings.Contains(string(out), "REDACTED")
		if action == "keep" {
			return !redacted
		}
		return redacted
	}
	rw := active("redact", "when")
	if !keepToo {
		if rw {
			return "Y"
		}
		return "N"
	}
	got := [4]bool{rw, active("redact", "unless"), active("keep", "when"), active("keep", "unless")}
	for v, want := range map[string][4]bool{
		"Y": {true, false, true, false},
		"N": {false, true, false, true},
		"M": {true, true, false, false},
		"U": {false, false, false, false},
	} {
		if got == want {
			return v
		}
	}
	return fmt.Sprintf("inconsistent %v", got)
}

// hdrs builds a header list from name, value pairs.
func hdrs(kv ...string) [][2]string {
	var h [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, [2]string{kv[i], kv[i+1]})
	}
	return h
}

type condCase struct {
	name string
	cond string
	in   Input
	want string
}

func runCondCases(t *testing.T, cases []condCase, keepToo bool) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range []Direction{Request, Response} {
				in := c.in
				if in.Direction == 0 {
					in.Direction = d
				} else if in.Direction != d {
					continue
				}
				if got := condVerdict(t, c.cond, in, keepToo); got != c.want {
					t.Errorf("%s on %v: got %s, want %s", c.cond, d, got, c.want)
				}
			}
		})
	}
}

func TestConditionMethod(t *testing.T) {
	m := func(s string) Input { return Input{Request: &RequestAttributes{Method: s}} }
	runCondCases(t, []condCase{
		{"upper", `{method: [GET, POST]}`, m("GET"), "Y"},
		{"lower", `{method: [GET, POST]}`, m("post"), "Y"},
		{"mixed config", `{method: get}`, m("GeT"), "Y"},
		{"other", `{method: [GET]}`, m("DELETE"), "N"},
		{"empty", `{method: [GET]}`, m(""), "N"},
		{"no request", `{method: [GET]}`, Input{}, "N"},
	}, true)
}

func TestConditionPath(t *testing.T) {
	p := func(s string) Input { return Input{Request: &RequestAttributes{Path: s}} }
	runCondCases(t, []condCase{
		{"plain", `{path: "/api/public/**"}`, p("/api/public/users/7"), "Y"},
		{"root of glob", `{path: "/api/public/**"}`, p("/api/public"), "Y"},
		{"query cut", `{path: "/api/public/**"}`, p("/api/public/x?a=/b"), "Y"},
		{"case", `{path: "/api/public/**"}`, p("/API/Public/x"), "Y"},
		{"encoded", `{path: "/api/public/**"}`, p("/api/%70ublic/x"), "Y"},
		{"double encoded", `{path: "/api/public/**"}`, p("/api/%2570ublic/x"), "Y"},
		{"dot segments", `{path: "/api/public/**"}`, p("/x/../api/./public/y"), "Y"},
		{"backslash", `{path: "/api/public/**"}`, p(`\api\public\y`), "Y"},
		{"absolute form", `{path: "/api/public/**"}`, p("https://h/api/public/y"), "Y"},
		{"other", `{path: "/api/public/**"}`, p("/api/private/y"), "N"},
		{"escape out", `{path: "/api/public/**"}`, p("/api/public/../private"), "N"},
		{"prefix only", `{path: "/api/public/**"}`, p("/api/publicity"), "N"},
		{"params strict vs literal", `{path: "/files/*.json"}`, p("/files/a.json;v=2"), "M"},
		{"network path", `{path: "/api/**"}`, p("//evil/api/x"), "M"},
		{"overlong utf-8", `{path: "/api/**"}`, p("/api%c0%afx"), "M"},
		{"list any", `{path: ["/a/**", "/b/*"]}`, p("/b/1"), "Y"},
		{"empty", `{path: "/**"}`, p(""), "N"},
	}, true)
}

func TestConditionHost(t *testing.T) {
	h := func(s string) Input { return Input{Request: &RequestAttributes{Host: s}} }
	runCondCases(t, []condCase{
		{"exact", `{host: api.example.com}`, h("api.example.com"), "Y"},
		{"case", `{host: API.example.com}`, h("Api.Example.COM"), "Y"},
		{"port", `{host: api.example.com}`, h("api.example.com:8443"), "Y"},
		{"trailing dot", `{host: api.example.com}`, h("api.example.com."), "Y"},
		{"glob", `{host: "*.example.com"}`, h("a.b.example.com:80"), "Y"},
		{"glob apex", `{host: "*.example.com"}`, h("example.com"), "N"},
		{"suffix trick", `{host: "*.example.com"}`, h("example.com.evil.io"), "N"},
		{"ipv6", `{host: "[::1]"}`, h("[::1]:8080"), "Y"},
		{"other", `{host: api.example.com}`, h("api.example.org"), "N"},
		{"empty", `{host: api.example.com}`, h(""), "N"},
	}, true)
}

func TestConditionHeader(t *testing.T) {
	h := func(kv ...string) Input { return Input{Request: &RequestAttributes{Headers: hdrs(kv...)}} }
	// untrusted headers: only a strengthening rule under when
	runCondCases(t, []condCase{
		{"equals", `{header: {x-tenant: acme}}`, h("x-tenant", "acme"), "Y"},
		{"name case", `{header: {X-Tenant: acme}}`, h("x-tenant", "acme"), "Y"},
		{"given name case", `{header: {x-tenant: acme}}`, h("X-TENANT", "acme"), "Y"},
		{"value case", `{header: {x-tenant: acme}}`, h("x-tenant", "ACME"), "N"},
		{"value spaces", `{header: {x-tenant: acme}}`, h("x-tenant", " acme "), "Y"},
		{"equals list", `{header: {x-tenant: [a, acme]}}`, h("x-tenant", "acme"), "Y"},
		{"glob", `{header: {x-tenant: {glob: "ac*"}}}`, h("x-tenant", "acme/eu"), "Y"},
		{"glob miss", `{header: {x-tenant: {glob: "ac*"}}}`, h("x-tenant", "bcme"), "N"},
		{"present", `{header: {x-debug: {present: true}}}`, h("x-debug", ""), "Y"},
		{"present absent", `{header: {x-debug: {present: true}}}`, h("x-other", "1"), "N"},
		{"absent", `{header: {x-debug: {present: false}}}`, h(), "Y"},
		{"absent no request", `{header: {x-debug: {present: false}}}`, Input{}, "Y"},
		{"duplicate agree", `{header: {x-tenant: acme}}`, h("x-tenant", "acme", "x-tenant", "acme"), "Y"},
		{"duplicate disagree", `{header: {x-tenant: acme}}`, h("x-tenant", "acme", "x-tenant", "other"), "Y"}, // maybe: read as the match
		{"number", `{header: {x-level: 3}}`, h("x-level", "3"), "Y"},
	}, false)
	// a trusted header is identity: absent or sent twice is unknown
	runCondCases(t, []condCase{
		{"trusted", `{header: {x-role: admin}}`, h("x-role", "admin"), "Y"},
		{"trusted name case", `{header: {x-role: admin}}`, h("X-Role", "admin"), "Y"},
		{"trusted other", `{header: {x-role: admin}}`, h("x-role", "user"), "N"},
		{"trusted absent", `{header: {x-role: admin}}`, h(), "U"},
		{"trusted no request", `{header: {x-role: admin}}`, Input{}, "U"},
		{"trusted twice", `{header: {x-role: admin}}`, h("x-role", "admin", "x-role", "admin"), "U"},
		{"trusted twice case", `{header: {x-role: admin}}`, h("x-role", "admin", "X-ROLE", "user"), "U"},
		{"trusted present", `{header: {x-role: {present: true}}}`, h("x-role", ""), "Y"},
	}, true)
}

func TestConditionPrincipal(t *testing.T) {
	s := func(sans ...string) Input { return Input{Request: &RequestAttributes{PeerURISANs: sans}} }
	const billing = `{principal: ["spiffe://cluster.local/ns/billing/sa/*"]}`
	runCondCases(t, []condCase{
		{"match", billing, s("spiffe://cluster.local/ns/billing/sa/api"), "Y"},
		{"second SAN", billing, s("https://x.io", "spiffe://cluster.local/ns/billing/sa/api"), "Y"},
		{"other ns", billing, s("spiffe://cluster.local/ns/support/sa/api"), "N"},
		{"star stays in segment", billing, s("spiffe://cluster.local/ns/billing/sa/api/extra"), "N"},
		{"case", billing, s("spiffe://cluster.local/ns/BILLING/sa/api"), "N"},
		{"prefix", billing, s("spiffe://cluster.local/ns/billing/sa/"), "Y"},
		{"no SAN", billing, s(), "U"},
		{"no request", billing, Input{}, "U"},
		{"list", `{principal: [spiffe://a/x, spiffe://b/*]}`, s("spiffe://b/y"), "Y"},
	}, true)
}

func TestConditionClaim(t *testing.T) {
	c := func(js string) Input { return Input{Request: &RequestAttributes{JWTClaims: []byte(js)}} }
	runCondCases(t, []condCase{
		{"string", `{claim: {roles: support}}`, c(`{"roles":"support"}`), "Y"},
		{"array", `{claim: {roles: support}}`, c(`{"roles":["agent","support"]}`), "Y"},
		{"array miss", `{claim: {roles: support}}`, c(`{"roles":["agent"]}`), "N"},
		{"array of objects", `{claim: {roles: support}}`, c(`{"roles":[{"support":1}]}`), "N"},
		{"escaped", `{claim: {roles: support}}`, c(`{"roles":"\u0073upport"}`), "Y"},
		{"escaped name", `{claim: {roles: support}}`, c(`{"r\u006fles":"support"}`), "Y"},
		{"case", `{claim: {roles: support}}`, c(`{"roles":"Support"}`), "N"},
		{"name case", `{claim: {roles: support}}`, c(`{"Roles":"support"}`), "N"},
		{"nested", `{claim: {realm_access.roles: admin}}`, c(`{"realm_access":{"roles":["admin"]}}`), "Y"},
		{"nested missing", `{claim: {realm_access.roles: admin}}`, c(`{"realm_access":"admin"}`), "N"},
		{"absent claim", `{claim: {roles: support}}`, c(`{"sub":"u1"}`), "N"},
		{"absent present false", `{claim: {roles: {present: false}}}`, c(`{"sub":"u1"}`), "Y"},
		{"present", `{claim: {roles: {present: true}}}`, c(`{"roles":[]}`), "Y"},
		{"glob", `{claim: {email: {glob: "*@example.com"}}}`, c(`{"email":"a@example.com"}`), "Y"},
		{"bool", `{claim: {email_verified: true}}`, c(`{"email_verified":true}`), "Y"},
		{"number", `{claim: {level: 3}}`, c(`{"level":3}`), "Y"},
		{"string is not number", `{claim: {level: 3}}`, c(`{"level":"3 "}`), "N"},
		{"duplicate member", `{claim: {roles: support}}`, c(`{"roles":"support","roles":"x"}`), "U"},
		{"duplicate nested", `{claim: {a.b: x}}`, c(`{"a":{"b":"x","b":"x"}}`), "U"},
		{"duplicate elsewhere", `{claim: {roles: support}}`, c(`{"x":1,"x":2,"roles":"support"}`), "Y"},
		{"duplicate parent", `{claim: {a.b: x}}`, c(`{"a":{"b":"x"},"a":{"b":"x"}}`), "U"},
		{"invalid nested", `{claim: {roles: support}}`, c(`{"roles":"support","x":[1,}`), "U"},
		{"deep", `{claim: {roles: support}}`, c(`{"roles":"support","x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`), "U"},
		{"invalid json", `{claim: {roles: support}}`, c(`{"roles":"support"`), "U"},
		{"not an object", `{claim: {roles: support}}`, c(`["support"]`), "U"},
		{"trailing data", `{claim: {roles: support}}`, c(`{"roles":"support"} x`), "U"},
		{"empty", `{claim: {roles: support}}`, c(``), "U"},
		{"no request", `{claim: {roles: support}}`, Input{}, "U"},
		{"namespaced", `{claim: {"$['https://app.example.com/roles']": admin}}`, c(`{"https://app.example.com/roles":["admin"]}`), "Y"},
		{"namespaced nested", `{claim: {"$.ext['a.b'].c": x}}`, c(`{"ext":{"a.b":{"c":"x"}}}`), "Y"},
		{"dotted is nested", `{claim: {"a.b": x}}`, c(`{"a.b":"x"}`), "N"},
		{"two claims", `{claim: {roles: support, tenant: acme}}`, c(`{"roles":["support"],"tenant":"acme"}`), "Y"},
		{"two claims one", `{claim: {roles: support, tenant: acme}}`, c(`{"roles":["support"],"tenant":"other"}`), "N"},
	}, true)
}

func TestConditionConsent(t *testing.T) {
	h := func(kv ...string) Input { return Input{Request: &RequestAttributes{Headers: hdrs(kv...)}} }
	runCondCases(t, []condCase{
		{"gpc 1", `{consent: {gpc: true}}`, h("sec-gpc", "1"), "Y"},
		{"gpc name case", `{consent: {gpc: true}}`, h("Sec-GPC", "1"), "Y"},
		{"gpc spaces", `{consent: {gpc: true}}`, h("sec-gpc", " 1 "), "Y"},
		{"gpc 0", `{consent: {gpc: true}}`, h("sec-gpc", "0"), "N"},
		{"gpc absent", `{consent: {gpc: true}}`, h(), "N"},
		{"gpc no request", `{consent: {gpc: true}}`, Input{}, "N"},
		{"gpc duplicate", `{consent: {gpc: true}}`, h("sec-gpc", "0", "sec-gpc", "1"), "Y"},
		{"gpc false absent", `{consent: {gpc: false}}`, h(), "Y"},
		{"gpc false on", `{consent: {gpc: false}}`, h("sec-gpc", "1"), "N"},
		{"purpose", `{consent: {purposes: [analytics]}}`, h("cookie", "a=1; cmp=analytics,ads"), "Y"},
		{"purpose case", `{consent: {purposes: [Analytics]}}`, h("cookie", "cmp=ANALYTICS"), "Y"},
		{"purpose encoded", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=ads%2Canalytics"), "Y"},
		{"purpose pipe", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=ads|analytics"), "Y"},
		{"purpose value", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=analytics:1,ads:0"), "Y"},
		{"purpose denied", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=analytics:0,ads:1"), "N"},
		{"purpose quoted", `{consent: {purposes: [analytics]}}`, h("cookie", `cmp="analytics"`), "Y"},
		{"purpose missing", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=ads"), "N"},
		{"purpose prefix", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=analyticsx"), "N"},
		{"purpose all", `{consent: {purposes: [analytics, ads]}}`, h("cookie", "cmp=analytics"), "N"},
		{"cookie name case", `{consent: {purposes: [analytics]}}`, h("cookie", "CMP=analytics"), "N"},
		{"cookie twice", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=analytics", "cookie", "cmp=ads"), "N"},
		{"cookie twice one header", `{consent: {purposes: [analytics]}}`, h("cookie", "cmp=analytics; cmp=analytics"), "N"},
		{"no cookie", `{consent: {purposes: [analytics]}}`, h(), "N"},
	}, true)
}

func TestConditionStatus(t *testing.T) {
	s := func(code int) Input { return Input{Direction: Response, Status: code} }
	runCondCases(t, []condCase{
		{"class", `{status: 4xx}`, s(404), "Y"},
		{"class upper", `{status: 4XX}`, s(499), "Y"},
		{"class miss", `{status: 4xx}`, s(500), "N"},
		{"code", `{status: 200}`, s(200), "Y"},
		{"code string", `{status: "201"}`, s(201), "Y"},
		{"list", `{status: [200, 5xx]}`, s(503), "Y"},
		{"unknown", `{status: 2xx}`, s(0), "N"},
		{"request side", `{status: 2xx}`, Input{Direction: Request, Status: 200}, "N"},
	}, true)
}

// TestConditionsAllMustHold: the kinds of one when must all hold; unless
// turns the rule off only when all of its kinds hold.
func TestConditionsAllMustHold(t *testing.T) {
	in := func(method, path string) Input {
		return Input{Request: &RequestAttributes{Method: method, Path: path}}
	}
	runCondCases(t, []condCase{
		{"both", `{method: GET, path: "/a/**"}`, in("GET", "/a/1"), "Y"},
		{"method only", `{method: GET, path: "/a/**"}`, in("GET", "/b/1"), "N"},
		{"path only", `{method: GET, path: "/a/**"}`, in("POST", "/a/1"), "N"},
	}, true)
}

// TestConditionsResponseSeesRequest: a response body is decided by the
// request's attributes (and its own status).
func TestConditionsResponseSeesRequest(t *testing.T) {
	p := mustCompile(t, `rules:
  - {id: r, select: {keys: [v]}, when: {method: GET, status: 2xx}, action: redact}
`)
	r := &RequestAttributes{Method: "GET"}
	out, _, err := p.Apply([]byte(`{"v":"x"}`), Input{Direction: Response, Request: r, Status: 200})
	if err != nil || string(out) != `{"v":"[REDACTED]"}` {
		t.Fatalf("got %s, %v", out, err)
	}
	out, _, _ = p.Apply([]byte(`{"v":"x"}`), Input{Direction: Response, Request: r, Status: 404})
	if string(out) != `{"v":"x"}` {
		t.Fatalf("404: got %s", out)
	}
}

// syntaxBlock returns the first yaml block after heading in SYNTAX.md.
func syntaxBlock(t *testing.T, heading string) string {
	t.Helper()
	doc, err := os.ReadFile("SYNTAX.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.Index(s, heading)
	if i < 0 {
		t.Fatalf("no %q in SYNTAX.md", heading)
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n") + len("```yaml\n")
	return s[start : start+strings.Index(s[start:], "```")]
}

// TestSyntaxViewsExample: the example of SYNTAX.md's when/unless section
// does what the text says.
func TestSyntaxViewsExample(t *testing.T) {
	p := mustCompile(t, syntaxBlock(t, "### `when` and `unless`"))
	body := []byte(`{"card_number":"4111-1111-1111-1234","device_id":"d","trace_id":"t"}`)
	for _, c := range []struct {
		name string
		in   Input
		want string
	}{
		{"anonymous", Input{Direction: Response, Status: 200},
			`{"card_number":"[REDACTED]","device_id":"d","trace_id":"[REDACTED]"}`},
		{"billing GET", Input{Direction: Response, Status: 200, Request: &RequestAttributes{Method: "GET", PeerURISANs: []string{"spiffe://cluster.local/ns/billing/sa/x"}}},
			`{"card_number":"4111-1111-1111-1234","device_id":"d","trace_id":"t"}`},
		{"support GET 500", Input{Direction: Response, Status: 500, Request: &RequestAttributes{Method: "GET", JWTClaims: []byte(`{"roles":["support"]}`)}},
			`{"card_number":"****-****-****-1234","device_id":"d","trace_id":"[REDACTED]"}`},
		{"gpc", Input{Direction: Request, Request: &RequestAttributes{Method: "POST", Headers: hdrs("sec-gpc", "1")}},
			`{"card_number":"[REDACTED]","trace_id":"[REDACTED]"}`},
	} {
		out, _, err := p.Apply(body, c.in)
		if err != nil || string(out) != c.want {
			t.Errorf("%s: got %s (%v), want %s", c.name, out, err, c.want)
		}
	}
	mustCompile(t, syntaxBlock(t, "### `minimize`"))
}

// TestConsentHeader: purposes read from a header instead of a cookie.
func TestConsentHeader(t *testing.T) {
	p := mustCompile(t, `consent: { header: X-Consent }
trust_headers: [X-Role, x-b]
rules:
  - {id: r, select: {keys: [v]}, unless: {consent: {purposes: [analytics]}}, action: remove}
`)
	for _, c := range []struct {
		h    [][2]string
		want string
	}{
		{hdrs("x-consent", "analytics,ads"), `{"v":1}`},
		{hdrs("X-Consent", "ads+analytics=yes"), `{"v":1}`},
		{hdrs("x-consent", "analytics=no"), `{}`},
		{hdrs("x-consent", "analytics", "x-consent", "analytics"), `{}`},
		{hdrs("cookie", "x-consent=analytics"), `{}`},
		{nil, `{}`},
	} {
		out, _, err := p.Apply([]byte(`{"v":1}`), Input{Direction: Request, Request: &RequestAttributes{Headers: c.h}})
		if err != nil || string(out) != c.want {
			t.Errorf("%v: got %s (%v), want %s", c.h, out, err, c.want)
		}
	}
	if got := p.TrustHeaders(); strings.Join(got, ",") != "x-b,x-role" {
		t.Errorf("TrustHeaders %v", got)
	}
}
