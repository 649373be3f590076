package rules

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// headerSet is a rule set with header rules of every kind, used by the
// tests below; keyed actions use testKeyA.
var headerSet = `
crypto_keys:
  k1: { inline: "` + testKeyA + `", insecure_inline: true }
rules:
  - { id: h-redact, select: { headers: [x-redact] }, action: redact }
  - { id: h-with, select: { headers: [x-with] }, action: { redact: { with: "gone" } } }
  - { id: h-null, select: { headers: [x-null] }, action: { redact: { with: null } } }
  - { id: h-mask, select: { headers: [x-mask] }, action: { mask: { keep_last: 4 } } }
  - { id: h-hash, select: { headers: [x-hash] }, action: { hash: { key: k1 } } }
  - { id: h-encrypt, select: { headers: [x-encrypt] }, action: { encrypt: { key: k1 } } }
  - { id: h-fpe, select: { headers: [x-fpe] }, action: { fpe: { key: k1, keep_last: 4 } } }
  - { id: h-generalize, select: { headers: [x-birth] }, action: { generalize: date } }
  - { id: h-synthetic, select: { headers: [x-name] }, action: { synthetic: { key: k1, kind: name } } }
  - { id: h-keep, select: { headers: [x-keep] }, action: keep }
  - { id: h-remove, select: { headers: [X-Remove] }, action: remove }
  - { id: h-block, select: { headers: [x-secret], detect: [aws_access_key_id] }, action: block }
  - { id: h-reveal, direction: response, select: { headers: [x-token] }, action: reveal }
  - id: h-detect-spans
    select: { headers: [referer, cookie, x-keep, x-note, x-forwarded-user, x-email-list], detect: [email, phone, credit_card] }
    action: { redact: { with: "[pii]" } }
`

// applyHeaderEdits returns headers with edits applied as the plugin applies
// them: every value of an edited name removed, then its new values added.
func applyHeaderEdits(headers [][2]string, edits []HeaderEdit) [][2]string {
	out := append([][2]string(nil), headers...)
	for _, e := range edits {
		kept := out[:0]
		for _, kv := range out {
			if !strings.EqualFold(kv[0], e.Name) {
				kept = append(kept, kv)
			}
		}
		out = kept
		for _, v := range e.Values {
			out = append(out, [2]string{e.Name, v})
		}
	}
	return out
}

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

// checkHeaderValues fails for a value that is not a valid header value.
func checkHeaderValues(t testing.TB, edits []HeaderEdit) {
	t.Helper()
	for _, e := range edits {
		for _, v := range e.Values {
			if strings.ContainsAny(v, "\r\n\x00") || len(v) > MaxHeaderValueBytes {
				t.Fatalf("invalid header value for %s: %q", e.Name, v)
			}
		}
	}
}

// Every action, on a whole header value.
func TestHeaderRulesActions(t *testing.T) {
	p := compileKeyed(t, headerSet, nil)
	for _, c := range []struct {
		name, value string
		check       func(got []string) bool
		rule        string // the finding expected, "" for none
	}{
		{"x-redact", "ann@example.com", eq("[REDACTED]"), "h-redact"},
		{"x-with", "ann@example.com", eq("gone"), "h-with"},
		{"x-null", "ann@example.com", eq("null"), "h-null"},
		{"x-mask", "4111-1111-1111-1234", eq("****-****-****-1234"), "h-mask"},
		{"x-hash", "ann@example.com", prefixed("h_", 18), "h-hash"},
		{"x-encrypt", "ann@example.com", prefixed("veil_k1.", 20), "h-encrypt"},
		{"x-fpe", "4111-1111-1111-1111", func(g []string) bool {
			return len(g) == 1 && len(g[0]) == 19 && strings.HasSuffix(g[0], "1111") && g[0] != "4111-1111-1111-1111"
		}, "h-fpe"},
		{"x-birth", "1990-05-17", eq("1990"), "h-generalize"},
		{"x-name", "Ann Lee", func(g []string) bool { return len(g) == 1 && g[0] != "Ann Lee" && g[0] != "" }, "h-synthetic"},
		{"x-keep", "ann@example.com", eq("ann@example.com"), ""},
		{"x-remove", "ann@example.com", func(g []string) bool { return len(g) == 0 }, "h-remove"},
		{"X-Remove", "ann@example.com", func(g []string) bool { return len(g) == 0 }, "h-remove"},
		{"x-other", "ann@example.com", eq("ann@example.com"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := [][2]string{{":path", "/"}, {c.name, c.value}, {"accept", "*/*"}}
			edits, rep, err := p.ApplyHeaders(in, Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			checkHeaderValues(t, edits)
			got := valuesOf(applyHeaderEdits(in, edits), c.name)
			if !c.check(got) {
				t.Errorf("%s: %q >> %q", c.name, c.value, got)
			}
			if c.rule == "" && len(rep.Findings) > 0 || c.rule != "" && (len(rep.Findings) != 1 || rep.Findings[0].Rule != c.rule) {
				t.Errorf("report %+v, want rule %q", rep.Findings, c.rule)
			}
			if c.rule != "" && !strings.HasPrefix(rep.Findings[0].Paths[0], "headers") {
				t.Errorf("path %q", rep.Findings[0].Paths[0])
			}
		})
	}
}

func eq(want string) func([]string) bool {
	return func(g []string) bool { return len(g) == 1 && g[0] == want }
}

func prefixed(prefix string, minLen int) func([]string) bool {
	return func(g []string) bool { return len(g) == 1 && strings.HasPrefix(g[0], prefix) && len(g[0]) >= minLen }
}

// block refuses on a finding; reveal puts back an encrypt token.
func TestHeaderRulesBlockAndReveal(t *testing.T) {
	p := compileKeyed(t, headerSet, nil)
	_, rep, err := p.ApplyHeaders([][2]string{{"x-secret", "key AKIAIOSFODNN7EXAMPLE here"}}, Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Blocked(); f == nil || f.Rule != "h-block" || f.Count != 1 {
		t.Fatalf("blocked: %+v", rep.Findings)
	}
	edits, _, err := p.ApplyHeaders([][2]string{{"x-encrypt", "ann@example.com"}}, Input{Direction: Request})
	if err != nil || len(edits) != 1 {
		t.Fatal(edits, err)
	}
	token := edits[0].Values[0]
	edits, rep, err = p.ApplyHeaders([][2]string{{"x-token", "hi " + token}}, Input{Direction: Response})
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 1 || edits[0].Values[0] != "hi ann@example.com" || rep.Findings[0].Rule != "h-reveal" {
		t.Errorf("reveal: %q %+v", edits, rep.Findings)
	}
}

// The spellings that carry the same value in a header: each is found by
// the detectors and never survives.
func TestHeaderRulesSpellings(t *testing.T) {
	p := compileKeyed(t, headerSet, nil)
	for _, c := range []struct {
		what   string
		in     [][2]string
		secret []string // must not survive
		want   []string // the values of the first header afterwards, when given
	}{
		{"plain", [][2]string{{"x-note", "mail alice@example.com now"}}, []string{"alice@example.com"}, []string{"mail [pii] now"}},
		{"percent in a URL", [][2]string{{"referer", "https://x/?email=alice%40example.com&n=1"}}, []string{"alice"}, []string{"https://x/?email=[pii]&n=1"}},
		{"percent twice", [][2]string{{"referer", "https://x/?email=alice%2540example.com"}}, []string{"alice"}, []string{"https://x/?email=[pii]"}},
		{"percent upper and lower", [][2]string{{"referer", "https://x/?e=ALICE%40Example.COM&f=bob%40x.io"}}, []string{"ALICE", "bob"}, nil},
		{"percent full-width at", [][2]string{{"referer", "https://x/?e=alice%EF%BC%A0example.com"}}, []string{"alice"}, nil},
		{"plus for spaces", [][2]string{{"referer", "https://x/?q=call+alice%40example.com+today"}}, []string{"alice%40example"}, nil},
		{"phone with plus", [][2]string{{"referer", "https://x/?tel=+1+415+555+2671"}}, []string{"555+2671"}, nil},
		{"phone percent", [][2]string{{"referer", "https://x/?tel=%2B1%20415%20555%202671"}}, []string{"2671"}, nil},
		{"quoted string", [][2]string{{"x-note", `"alice@example.com"`}}, []string{"alice"}, []string{`"[pii]"`}},
		{"quoted-pair", [][2]string{{"x-note", `user="alice\@example.com"; v=1`}}, []string{"alice"}, []string{`user="[pii]"; v=1`}},
		{"quoted-pairs everywhere", [][2]string{{"x-note", `"\a\l\i\c\e\@\e\x\a\m\p\l\e\.\c\o\m"`}}, []string{`\a\l\i\c\e`}, nil},
		{"comma-joined", [][2]string{{"x-email-list", "alice@example.com, bob@example.org,carol@example.net"}}, []string{"alice", "bob", "carol"}, []string{"[pii], [pii],[pii]"}},
		{"sent twice", [][2]string{{"x-note", "alice@example.com"}, {"x-note", "bob@example.org"}}, []string{"alice", "bob"}, []string{"[pii]", "[pii]"}},
		{"mixed-case name", [][2]string{{"X-Note", "alice@example.com"}}, []string{"alice"}, []string{"[pii]"}},
		{"whitespace around", [][2]string{{"x-note", "  \talice@example.com \t"}}, []string{"alice"}, []string{"  \t[pii] \t"}},
		{"cookie", [][2]string{{"cookie", "a=1; email=alice@example.com; b=2"}}, []string{"alice"}, []string{"a=1; email=[pii]; b=2"}},
		{"cookie percent", [][2]string{{"cookie", "email=alice%40example.com"}}, []string{"alice"}, nil},
		{"card with separators", [][2]string{{"x-note", "card 4111 1111 1111 1111"}}, []string{"4111 1111 1111 1111"}, nil},
		{"json in a header", [][2]string{{"x-forwarded-user", `{"email":"alice\u0040example.com"}`}}, []string{"alice"}, []string{`{"email":"[pii]"}`}},
		{"escaped json in a header", [][2]string{{"x-note", `{"user":{"mail":"alice\u0040example.com","n":1}}`}}, []string{"alice"}, nil},
		{"obs-text around", [][2]string{{"x-note", "caf\xe9 alice@example.com \xff"}}, []string{"alice"}, []string{"caf\xe9 [pii] \xff"}},
		{"unicode around", [][2]string{{"x-note", "ünïcode alice@example.com ✓"}}, []string{"alice"}, []string{"ünïcode [pii] ✓"}},
	} {
		t.Run(c.what, func(t *testing.T) {
			edits, rep, err := p.ApplyHeaders(c.in, Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			checkHeaderValues(t, edits)
			out := applyHeaderEdits(c.in, edits)
			for _, kv := range out {
				for _, s := range c.secret {
					if strings.Contains(kv[1], s) {
						t.Errorf("%q survives in %s: %q", s, kv[0], kv[1])
					}
				}
			}
			if c.want != nil {
				if got := valuesOf(out, c.in[0][0]); !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %q, want %q", got, c.want)
				}
			}
			if rep.Total() == 0 {
				t.Error("nothing reported")
			}
		})
	}
}

// Values no rule changes are not edited, however they are spelled.
func TestHeaderRulesLeaveOthersAlone(t *testing.T) {
	p := compileKeyed(t, headerSet, nil)
	in := [][2]string{
		{":authority", "alice@example.com"}, {"content-type", "application/json"}, {"host", "alice@example.com"},
		{"x-note", `"quoted \"pair\" \\ \n \u0041" C:\path\x`}, {"x-note", "caf\xe9 \x01 tab\there"}, {"referer", "https://x/?q=%41%2540"},
		{"x-other", "alice@example.com"},
	}
	edits, rep, err := p.ApplyHeaders(in, Input{Direction: Request})
	if err != nil || len(edits) != 0 || len(rep.Findings) != 0 {
		t.Fatalf("edits %q, report %+v, err %v", edits, rep.Findings, err)
	}
	if p.HeaderRules(Request) != true || p.Applies(Request) {
		t.Error("a set of header rules only: HeaderRules true, Applies (bodies) false")
	}
}

// What an action writes is made a valid header value.
func TestHeaderRulesValidOutput(t *testing.T) {
	src := `
rules:
  - { id: nl, select: { headers: [x-a] }, action: { redact: { with: "line\r\nX-Injected: 1\u0000" } } }
  - { id: span, select: { headers: [x-b], detect: [email] }, action: { redact: { with: "a\nb" } } }
  - { id: mask, select: { headers: [x-c] }, action: { mask: { char: "\n" } } }
`
	p, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := [][2]string{{"x-a", "v"}, {"x-b", "to alice@example.com"}, {"x-c", "abc"}}
	edits, _, err := p.ApplyHeaders(in, Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	checkHeaderValues(t, edits)
	spans := p
	want := []HeaderEdit{{"x-a", []string{"line  X-Injected: 1 "}}, {"x-b", []string{"to a b"}}, {"x-c", []string{"   "}}}
	if !reflect.DeepEqual(edits, want) {
		t.Errorf("got %q, want %q", edits, want)
	}
	long := `rules: [{ id: r, select: { headers: [x-a] }, action: { redact: { with: "` + strings.Repeat("x", 4000) + `" } } }]`
	if p, err = Compile([]byte(long), Options{}); err != nil {
		t.Fatal(err)
	}
	in = [][2]string{{"x-a", `{"a":"b","c":"d"}`}}
	if _, _, err = p.ApplyHeaders(in, Input{Direction: Request}); err != nil {
		t.Fatalf("a short replacement: %v", err)
	}
	in = [][2]string{{"x-b", strings.Repeat("[", 200) + strings.Repeat("]", 200)}}
	if _, _, err = spans.ApplyHeaders(in, Input{Direction: Request}); !errors.Is(err, ErrTooDeep) {
		t.Errorf("a JSON document nested too deep: %v", err)
	}
	src = `
crypto_keys: { k1: { inline: "` + testKeyA + `", insecure_inline: true } }
rules: [{ id: r, select: { headers: [x-a], detect: [email] }, action: { encrypt: { key: k1 } } }]`
	p = compileKeyed(t, src, nil)
	in = [][2]string{{"x-a", strings.Repeat("a@example.com ", 500)}}
	if _, _, err = p.ApplyHeaders(in, Input{Direction: Request}); !errors.Is(err, ErrHeaderValueTooLong) {
		t.Errorf("a value grown past the limit: %v", err)
	}
}

// Conditions, shadow rules and directions apply to header rules as to body rules.
func TestHeaderRulesConditionsShadowDirections(t *testing.T) {
	src := `
trust_headers: [x-role]
rules:
  - id: admins-see
    select: { headers: [x-user-email] }
    when: { header: { x-role: admin } }
    action: keep
  - id: gets-only
    select: { headers: [x-user-email] }
    when: { method: [GET] }
    action: { redact: { with: "[get]" } }
  - id: default
    select: { headers: [x-user-email] }
    unless: { status: 4xx }
    action: redact
  - id: try
    mode: shadow
    select: { headers: [x-user-email, x-trace] }
    action: remove
  - id: resp-only
    direction: response
    select: { headers: [set-cookie], detect: [email] }
    action: redact
`
	p, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := [][2]string{{"x-user-email", "ann@example.com"}, {"x-trace", "ann@example.com"}, {"set-cookie", "e=ann@example.com"}}
	req := func(method, role string) *RequestAttributes {
		r := &RequestAttributes{Method: method, Path: "/"}
		if role != "" {
			r.Headers = [][2]string{{"x-role", role}}
		}
		return r
	}
	for _, c := range []struct {
		what   string
		in     Input
		want   string // x-user-email afterwards
		cookie string // set-cookie afterwards
		rules  []string
	}{
		{"admin keeps", Input{Direction: Request, Request: req("POST", "admin")}, "ann@example.com", "e=ann@example.com", []string{"try"}},
		{"GET", Input{Direction: Request, Request: req("GET", "")}, "[get]", "e=ann@example.com", []string{"gets-only", "try"}},
		{"POST", Input{Direction: Request, Request: req("POST", "user")}, "[REDACTED]", "e=ann@example.com", []string{"default", "try"}},
		{"nothing known", Input{Direction: Request}, "[REDACTED]", "e=ann@example.com", []string{"default", "try"}},
		{"response 404", Input{Direction: Response, Request: req("POST", ""), Status: 404}, "ann@example.com", "e=[REDACTED]", []string{"try", "resp-only"}},
		{"response 200", Input{Direction: Response, Request: req("POST", ""), Status: 200}, "[REDACTED]", "e=[REDACTED]", []string{"default", "try", "resp-only"}},
	} {
		t.Run(c.what, func(t *testing.T) {
			edits, rep, err := p.ApplyHeaders(h, c.in)
			if err != nil {
				t.Fatal(err)
			}
			out := applyHeaderEdits(h, edits)
			if got := valuesOf(out, "x-user-email"); len(got) != 1 || got[0] != c.want {
				t.Errorf("x-user-email: %q, want %q", got, c.want)
			}
			if got := valuesOf(out, "set-cookie"); len(got) != 1 || got[0] != c.cookie {
				t.Errorf("set-cookie: %q, want %q", got, c.cookie)
			}
			if got := valuesOf(out, "x-trace"); len(got) != 1 {
				t.Errorf("the shadow rule removed x-trace")
			}
			var ids []string
			for _, f := range rep.Findings {
				ids = append(ids, f.Rule)
				if f.Rule == "try" && (!f.Shadow || f.Count != 2) {
					t.Errorf("shadow finding %+v", f)
				}
			}
			if !reflect.DeepEqual(ids, c.rules) {
				t.Errorf("findings %q, want %q", ids, c.rules)
			}
		})
	}
}

// "*" selects every header but the pseudo-headers and framing headers;
// header rules and body rules live side by side.
func TestHeaderRulesEveryHeaderAndBodies(t *testing.T) {
	src := `
rules:
  - { id: keep-auth, select: { headers: [authorization] }, action: keep }
  - { id: any, select: { headers: ["*"], detect: [email] }, action: { redact: { with: "[email]" } } }
  - { id: body, select: { keys: [email] }, action: redact }
`
	p, err := Compile([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := [][2]string{{":path", "/?e=a@example.com"}, {"content-type", "text/a@example.com"}, {"authorization", "a@example.com"},
		{"x-a", "a@example.com"}, {"4111111111111111", "a@example.com"}}
	edits, rep, err := p.ApplyHeaders(in, Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	want := []HeaderEdit{{"x-a", []string{"[email]"}}, {"4111111111111111", []string{"[email]"}}}
	if !reflect.DeepEqual(edits, want) {
		t.Errorf("edits %q, want %q", edits, want)
	}
	if paths := rep.Findings[0].Paths; !reflect.DeepEqual(paths, []string{"headers['x-a']", "headers[<name>]"}) {
		t.Errorf("paths %q (a name that looks like personal data is never spelled)", paths)
	}
	out, brep, err := p.Apply([]byte(`{"email":"a@example.com","x-a":"a@example.com"}`), Input{Direction: Request})
	if err != nil || string(out) != `{"email":"[REDACTED]","x-a":"a@example.com"}` {
		t.Errorf("body: %s %v", out, err)
	}
	merged := p.MergeReports(rep, brep)
	var ids []string
	for _, f := range merged.Findings {
		ids = append(ids, f.Rule)
	}
	if !reflect.DeepEqual(ids, []string{"any", "body"}) || rep.Findings[0].Count != 2 || len(rep.Findings) != 1 {
		t.Errorf("merged %q; the header report changed: %+v", ids, rep.Findings)
	}
}

// MergeReports adds up counts and leaves both reports as they were.
func TestMergeReports(t *testing.T) {
	p, err := Compile([]byte(`rules: [{id: a, select: {keys: [a]}, action: redact}, {id: b, select: {headers: [x-b]}, action: redact}]`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := Report{Findings: []Finding{{Rule: "b", Action: "redact", Count: 1, Paths: []string{"headers['x-b']"}}}}
	y := Report{Findings: []Finding{{Rule: "a", Action: "redact", Count: 2, Paths: []string{"$.a", "$.a"}}, {Rule: "b", Action: "redact", Count: 1, Paths: []string{"headers['x-b']"}}}}
	m := p.MergeReports(x, y)
	if len(m.Findings) != 2 || m.Findings[0].Rule != "a" || m.Findings[1].Count != 2 || len(m.Findings[1].Paths) != 2 {
		t.Errorf("merged %+v", m.Findings)
	}
	if x.Findings[0].Count != 1 || len(x.Findings[0].Paths) != 1 || y.Findings[1].Count != 1 {
		t.Errorf("inputs changed: %+v %+v", x, y)
	}
}

// BenchmarkApplyHeaders: 20 request headers, with no header rule and with
// two (a whole value and detectors over two headers), natively. Compare
// the two in the same run:
//
//	go test ./rules -run '^$' -bench 'BenchmarkApplyHeaders' -count 3
func BenchmarkApplyHeaders(b *testing.B) {
	headers := [][2]string{{":method", "POST"}, {":path", "/api/orders"}, {"content-type", "application/json"},
		{"x-user-email", "ann@example.com"}, {"referer", "https://shop.example/checkout?email=ann%40example.com&step=2"},
		{"cookie", "session=8f3a9c; theme=dark; consent=analytics"}}
	for i := len(headers); i < 20; i++ {
		headers = append(headers, [2]string{"x-header-" + strings.Repeat("a", i), "value of an ordinary header"})
	}
	for _, c := range []struct{ name, src string }{
		{"none", `rules: [{ id: body, select: { keys: [email] }, action: redact }]`},
		{"two-rules", `rules:
  - { id: body, select: { keys: [email] }, action: redact }
  - { id: user-email, select: { headers: [x-user-email] }, action: redact }
  - { id: referer, select: { headers: [referer, cookie], detect: [email, phone] }, action: { redact: { with: "[pii]" } } }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, err := Compile([]byte(c.src), Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.ApplyHeaders(headers, Input{Direction: Request}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A header is selected by its lower-cased name however the map spells it:
// upper case, mixed case, a non-ASCII letter that lower-cases to ASCII
// (U+212A KELVIN SIGN to k), by a listed name and by "*"; names close to
// a listed one (same length, one letter off; a prefix) are not.
func TestHeaderRulesNameSpellings(t *testing.T) {
	for _, c := range []struct {
		set, name string
		selected  bool
	}{
		{`[x-kind]`, "x-kind", true},
		{`[x-kind]`, "X-Kind", true},
		{`[x-kind]`, "X-KIND", true},
		{`[x-kind]`, "x-\u212aind", true},
		{`[x-kind]`, "x-kine", false},
		{`[x-kind]`, "x-kin", false},
		{`[x-kind]`, "x-kinds", false},
		{`[x-kind]`, "x-k\u0131nd", false}, // dotless i lower-cases to itself
		{`["*"]`, "X-\u212aind", true},
		{`["*"]`, "Content-Type", false},
		{`["*"]`, ":Path", false},
	} {
		p := mustCompile(t, `rules: [{ id: h, select: { headers: `+c.set+` }, action: redact }]`)
		in := [][2]string{{":path", "/"}, {c.name, "secret"}, {"content-type", "text/plain"}}
		edits, rep, err := p.ApplyHeaders(in, Input{Direction: Request})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(edits) == 1 && len(rep.Findings) == 1; got != c.selected {
			t.Errorf("%s selecting %q: edits %q, findings %+v; want selected %v", c.set, c.name, edits, rep.Findings, c.selected)
		}
	}
}
