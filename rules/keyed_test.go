package rules

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/veilproxy/veil/rules/internal/luhn"
	"regexp"
	"strings"
	"testing"
)

// Test keys: 32 bytes each, given to Compile through Options.Env.
var (
	testKeyA = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	testKeyB = base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
	testEnv  = map[string]string{"KEY_A": testKeyA, "KEY_B": testKeyB}
)

// compileKeyed compiles src with the test keys in the environment.
func compileKeyed(t testing.TB, src string, env map[string]string) *Program {
	t.Helper()
	p, err := Compile([]byte(src), Options{Filename: "keyed.yaml", Env: envOf(env)})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func envOf(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// applyOK applies p to body in direction d and fails the test on an error
// or an output that is not valid JSON.
func applyOK(t testing.TB, p *Program, d Direction, body string) (string, Report) {
	t.Helper()
	out, rep, err := p.Apply([]byte(body), Input{Direction: d})
	if err != nil {
		t.Fatalf("apply %s: %v", body, err)
	}
	if !json.Valid(out) {
		t.Fatalf("output is not valid JSON: %s", out)
	}
	return string(out), rep
}

// field returns the string (or number spelling) of the first member name
// anywhere in the JSON document doc.
func fieldOf(t testing.TB, doc, name string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	var find func(any) (string, bool)
	find = func(v any) (string, bool) {
		switch v := v.(type) {
		case map[string]any:
			if x, ok := v[name]; ok {
				b, _ := json.Marshal(x)
				var s string
				if json.Unmarshal(b, &s) == nil {
					return s, true
				}
				return string(b), true
			}
			for _, x := range v {
				if s, ok := find(x); ok {
					return s, true
				}
			}
		case []any:
			for _, x := range v {
				if s, ok := find(x); ok {
					return s, true
				}
			}
		}
		return "", false
	}
	s, ok := find(v)
	if !ok {
		t.Fatalf("no member %q in %s", name, doc)
	}
	return s
}

const keysA = `
crypto_keys:
  a: { env: KEY_A }
  b: { env: KEY_B }
`

func TestCryptoKeyMistakes(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("only-sixteen-byt"))
	tests := []struct {
		name, src string
		env       map[string]string
		want      string
	}{
		{"unset", "crypto_keys:\n  k2: { env: VEIL_KEY_K2 }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k2}}}]", nil,
			`crypto_keys.k2: environment variable VEIL_KEY_K2 is not set`},
		{"short", "crypto_keys:\n  k2: { env: VEIL_KEY_K2 }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k2}}}]", map[string]string{"VEIL_KEY_K2": short},
			`crypto_keys.k2: environment variable VEIL_KEY_K2 holds 16 bytes, at least 32 are needed`},
		{"not base64", "crypto_keys:\n  k2: { env: VEIL_KEY_K2 }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k2}}}]", map[string]string{"VEIL_KEY_K2": "not base64 at all!"},
			`crypto_keys.k2: environment variable VEIL_KEY_K2 is not base64`},
		{"inline without opt-in", "crypto_keys:\n  k2: { inline: " + testKeyA + " }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k2}}}]", nil,
			`inline key material is for tests and examples only`},
		{"wrapped base64 is read", "crypto_keys:\n  k2: { env: VEIL_KEY_K2 }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k2, length: 4}}}]",
			map[string]string{"VEIL_KEY_K2": testKeyA[:20] + "\n" + testKeyA[20:] + "\n"},
			`hash.length: want 8 to 43`},
		{"unknown key", keysA + "rules: [{id: r, select: {keys: [a]}, action: {hash: {key: zz}}}]", testEnv,
			`hash.key: unknown key "zz" (crypto_keys has a or b)`},
		{"retired key makes no new tokens", "crypto_keys:\n  a: { env: KEY_A, retired: true }\nrules: [{id: r, select: {keys: [a]}, action: {encrypt: {key: a}}}]", testEnv,
			`encrypt.key: key "a" is retired`},
		{"bad key id", "crypto_keys:\n  A-1: { env: KEY_A }\nrules: [{id: r, select: {keys: [a]}, action: redact}]", testEnv,
			`key id "A-1" must be 1 to 16 lower-case letters or digits`},
		{"encrypt without prefix", keysA + "rules: [{id: r, select: {keys: [a]}, action: {encrypt: {key: a, prefix: \"\"}}}]", testEnv,
			`encrypt.prefix: "" must be up to 16`},
		{"reveal without encrypt", keysA + "rules: [{id: r, select: {keys: [a]}, action: reveal}]", testEnv,
			`reveal: the set has no encrypt rule`},
		{"reveal from a hash rule", keysA + "rules: [{id: h, select: {keys: [a]}, action: {hash: {key: a}}}, {id: r, select: {keys: [b]}, action: {reveal: {from: [h]}}}]", testEnv,
			`reveal.from: rule "h" does not encrypt (its action is hash)`},
		{"block status", "rules: [{id: r, select: {keys: [a]}, action: {block: {status: 200}}}]", nil,
			`block.status: want a client error status 400 to 499, got 200`},
		{"fpe keeps too much", keysA + "rules: [{id: r, select: {keys: [a]}, action: {fpe: {key: a, keep_first: 6, keep_last: 7}}}]", testEnv,
			`fpe: keep_first + keep_last is 13`},
		{"fpe on a pattern too short", keysA + "detectors: { zip: { regex: \"[0-9]{5}\" }, pin: { regex: \"P[0-9]{8}\" } }\nrules: [{id: r, select: {detect: [zip, pin]}, action: {fpe: {key: a, keep_last: 4}}}]", testEnv,
			`fpe: its detectors match at most 9 characters, leaving at most 5 to encipher`},
		{"fpe on an untrusted header", keysA + "rules: [{id: r, select: {keys: [card]}, when: {header: {x-role: billing}}, action: {fpe: {key: a, keep_last: 4}}}]", testEnv,
			`when.header: "x-role" is not listed under trust_headers; a rule that weakens protection (keep, mask, fpe, generalize, reveal)`},
		{"hash length", keysA + "rules: [{id: r, select: {keys: [a]}, action: {hash: {key: a, length: 4}}}]", testEnv,
			`hash.length: want 8 to 43 characters, got 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile([]byte(tt.src), Options{Filename: "k.yaml", Env: envOf(tt.env)})
			if err == nil {
				t.Fatal("compiled without error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error\n%s\nwant it to contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "unknown key") && !strings.Contains(tt.want, "unknown key") {
				t.Errorf("a key with a mistake is also reported unknown where it is used:\n%s", msg)
			}
			for _, v := range tt.env {
				if strings.Contains(msg, v) {
					t.Errorf("error spells key material %q:\n%s", v, msg)
				}
			}
			if strings.Contains(msg, testKeyA) {
				t.Errorf("error spells inline key material:\n%s", msg)
			}
		})
	}
}

// An inline key is accepted with insecure_inline, warned about, and never
// quoted in a diagnostic about its own line.
func TestInlineKey(t *testing.T) {
	src := "crypto_keys:\n  k1: { inline: " + testKeyA + ", insecure_inline: true, bogus: 1 }\nrules: [{id: r, select: {keys: [a]}, action: {hash: {key: k1}}}]"
	_, err := Compile([]byte(src), Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown field "bogus"`) {
		t.Fatalf("want the unknown field reported, got %v", err)
	}
	if strings.Contains(err.Error(), testKeyA) {
		t.Errorf("diagnostic quotes the inline key's line:\n%s", err)
	}
	p := compileKeyed(t, strings.Replace(src, ", bogus: 1", "", 1), nil)
	if w := p.Warnings(); len(w) != 1 || !strings.Contains(w[0], "crypto_keys.k1") || strings.Contains(w[0], testKeyA) {
		t.Errorf("warnings = %q, want one naming crypto_keys.k1 without its value", w)
	}
}

var hashToken = regexp.MustCompile(`^h_[A-Za-z0-9_-]{16}$`)

// The same value under the same key and context gets the same pseudonym
// across Programs and spellings; another key or context gets another.
func TestHashDeterministic(t *testing.T) {
	src := keysA + `
rules:
  - { id: users, select: { keys: [email] }, action: { hash: { key: a } } }
  - { id: shared, select: { keys: [owner] }, action: { hash: { key: a, context: users } } }
  - { id: other, select: { keys: [contact] }, action: { hash: { key: a } } }
  - { id: rekeyed, select: { keys: [mail_b] }, action: { hash: { key: b, context: users } } }
`
	p1, p2 := compileKeyed(t, src, testEnv), compileKeyed(t, src, testEnv)
	ref, _ := applyOK(t, p1, Request, `{"email":"ann@example.com"}`)
	tok := fieldOf(t, ref, "email")
	if !hashToken.MatchString(tok) {
		t.Fatalf("token %q does not have the documented shape", tok)
	}
	for _, body := range []string{
		`{"email":"ann@example.com"}`,
		`{"email":"ann\u0040example.com"}`,
		`{"EMAIL":"ann@example.com"}`,
		`{"e-mail":"\u0061nn@example.com"}`,
		`{"x":[{"email":"ann@example.com"}]}`,
	} {
		out, _ := applyOK(t, p2, Request, body)
		if !strings.Contains(out, `"`+tok+`"`) {
			t.Errorf("%s >> %s, want token %s", body, out, tok)
		}
	}
	out, _ := applyOK(t, p1, Request, `{"owner":"ann@example.com","contact":"ann@example.com","mail_b":"ann@example.com"}`)
	if got := fieldOf(t, out, "owner"); got != "h_"+tok[2:] {
		t.Errorf("rule with context users gives %q, want the users token %q (joinable)", got, tok)
	}
	if got := fieldOf(t, out, "contact"); got == tok {
		t.Errorf("another context gives the same token %q", got)
	}
	if got := fieldOf(t, out, "mail_b"); got == tok {
		t.Errorf("another key gives the same token %q", got)
	}
	if out, _ := applyOK(t, p1, Request, `{"email":"bob@example.com"}`); fieldOf(t, out, "email") == tok {
		t.Error("two values share a pseudonym")
	}
}

// Keyed actions work on whole values of every JSON type, inside containers,
// and on detector spans inside text.
func TestKeyedActionShapes(t *testing.T) {
	p := compileKeyed(t, keysA+`
rules:
  - { id: ids, select: { keys: [user] }, action: { hash: { key: a, prefix: "u_", length: 10 } } }
  - { id: mail, select: { detect: [email] }, action: { hash: { key: a, prefix: "m_" } } }
`, testEnv)
	out, rep := applyOK(t, p, Request, `{"user":{"id":42,"name":"Ann","ok":true,"tags":["x",null]},"note":"write to ann@example.com, or ann@example.com again"}`)
	var doc struct {
		User struct {
			ID   string
			Name string
			OK   bool
			Tags []any
		}
		Note string
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{doc.User.ID, doc.User.Name, doc.User.Tags[0].(string)} {
		if !regexp.MustCompile(`^u_[A-Za-z0-9_-]{10}$`).MatchString(s) {
			t.Errorf("leaf became %q, want a u_ token", s)
		}
	}
	if !doc.User.OK || doc.User.Tags[1] != nil {
		t.Errorf("true and null must stay: %s", out)
	}
	m := regexp.MustCompile(`m_[A-Za-z0-9_-]{16}`).FindAllString(doc.Note, -1)
	if len(m) != 2 || m[0] != m[1] || !strings.HasPrefix(doc.Note, "write to m_") || strings.Contains(doc.Note, "@") {
		t.Errorf("note = %q, want the same token twice in the sentence", doc.Note)
	}
	if rep.Total() != 3 {
		t.Errorf("report %+v, want 1 value + 2 spans", rep)
	}
}

const revealSet = keysA + `
rules:
  - id: contact
    direction: request
    select: { detect: [email, phone] }
    action: { encrypt: { key: a } }
  - id: restore
    direction: response
    select: { paths: ["$.choices[*].message.content", "$.choices[*].message.tool_calls[*].function.arguments"] }
    action: reveal
`

// Tokens made on the request reveal on the response, also when the model
// quotes them inside its own sentences and inside a tool call's JSON
// arguments; an altered token is left as it is and counted.
func TestEncryptRevealRoundTrip(t *testing.T) {
	p := compileKeyed(t, revealSet, testEnv)
	req, rep := applyOK(t, p, Request, `{"messages":[{"role":"user","content":"I am ann.lee@example.com, call +1 415 555 0100 \"now\""}]}`)
	if strings.Contains(req, "ann.lee") || strings.Contains(req, "555") || rep.Total() != 2 {
		t.Fatalf("request not encrypted: %s (%+v)", req, rep)
	}
	toks := regexp.MustCompile(`veil_a\.[A-Za-z0-9_-]+`).FindAllString(req, -1)
	if len(toks) != 2 {
		t.Fatalf("want 2 tokens in %s", req)
	}
	again, _ := applyOK(t, compileKeyed(t, revealSet, testEnv), Request, `{"messages":[{"role":"user","content":"ann.lee@example.com"}]}`)
	if !strings.Contains(again, toks[0]) {
		t.Errorf("the same email in a later turn got another token: %s", again)
	}
	args, _ := json.Marshal(`{"to":"` + toks[0] + `","body":"hi"}`)
	altered := toks[1][:len(toks[1])-3] + "AAA"
	if altered == toks[1] {
		altered = toks[1][:len(toks[1])-3] + "BBB"
	}
	resp := `{"choices":[{"message":{"content":"Sure, I will write to ` + toks[0] + `. Then (` + toks[1] + `), not ` + altered + `.","tool_calls":[{"function":{"name":"send","arguments":` + string(args) + `}}]}}],"echo":"` + toks[0] + `"}`
	out, rep := applyOK(t, p, Response, resp)
	content := fieldOf(t, out, "content")
	if want := `Sure, I will write to ann.lee@example.com. Then (+1 415 555 0100), not ` + altered + `.`; content != want {
		t.Errorf("content = %q\nwant      %q", content, want)
	}
	if got := fieldOf(t, out, "arguments"); got != `{"to":"ann.lee@example.com","body":"hi"}` {
		t.Errorf("arguments = %q", got)
	}
	if fieldOf(t, out, "echo") != toks[0] {
		t.Error("a path reveal does not select was revealed")
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Count != 4 || rep.Findings[0].Failed != 1 {
		t.Errorf("report %+v, want 4 tokens found, 1 failed", rep)
	}
	// a response without tokens is not rewritten at all
	plain := []byte(`{"choices":[{"message":{"content":"veil_ is a word, veil_b.x too"}}]}`)
	if out, _, err := p.Apply(plain, Input{Direction: Response}); err != nil || &out[0] != &plain[0] {
		t.Errorf("rewrote a body without tokens: %s, %v", out, err)
	}
}

// A token minted under another rule set's key stays as it is; a retired
// key still reveals the tokens it made.
func TestRevealKeys(t *testing.T) {
	old := compileKeyed(t, "crypto_keys:\n  a: { env: KEY_A }\n"+revealSet[len(keysA):], testEnv)
	req, _ := applyOK(t, old, Request, `{"m":"ann@example.com"}`)
	tok := fieldOf(t, req, "m")
	rotated := compileKeyed(t, `
crypto_keys:
  a: { env: KEY_A, retired: true }
  b: { env: KEY_B }
rules:
  - { id: contact, direction: request, select: { detect: [email] }, action: { encrypt: { key: b } } }
  - { id: restore, direction: response, select: { keys: [m] }, action: reveal }
`, testEnv)
	out, _ := applyOK(t, rotated, Response, `{"m":"`+tok+`"}`)
	if fieldOf(t, out, "m") != "ann@example.com" {
		t.Errorf("retired key did not reveal: %s", out)
	}
	if req2, _ := applyOK(t, rotated, Request, `{"m":"ann@example.com"}`); !strings.Contains(req2, "veil_b.") {
		t.Errorf("new tokens must use the new key: %s", req2)
	}
	foreign := compileKeyed(t, "crypto_keys:\n  a: { env: KEY_B }\n"+revealSet[len(keysA):], testEnv)
	out, rep := applyOK(t, foreign, Response, `{"choices":[{"message":{"content":"`+tok+`"}}]}`)
	if fieldOf(t, out, "content") != tok || rep.Findings[0].Failed != 1 {
		t.Errorf("foreign token changed or not counted: %s %+v", out, rep)
	}
}

func TestFPE(t *testing.T) {
	p := compileKeyed(t, keysA+`
rules:
  - { id: card, select: { keys: [card] }, action: { fpe: { key: a, keep_last: 4 } } }
  - { id: code, select: { keys: [code] }, action: { fpe: { key: a, alphabet: alnum } } }
`, testEnv)
	for _, in := range []string{"4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "378282246310005"} {
		out, rep := applyOK(t, p, Request, `{"card":"`+in+`"}`)
		got := fieldOf(t, out, "card")
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, got)
		if len(got) != len(in) || got[len(got)-4:] != in[len(in)-4:] || got == in || !luhn.Valid([]byte(digits)) {
			t.Errorf("%q >> %q, want same length and separators, last 4 kept, Luhn-valid", in, got)
		}
		for i := range in {
			if (in[i] >= '0' && in[i] <= '9') != (got[i] >= '0' && got[i] <= '9') {
				t.Errorf("%q >> %q: separator moved at %d", in, got, i)
			}
		}
		if back, err := p.Reveal("card", got); err != nil || back != in {
			t.Errorf("Reveal(card, %q) = %q, %v; want %q", got, back, err, in)
		}
		if rep.Findings[0].Failed != 0 {
			t.Errorf("report %+v", rep)
		}
	}
	// digits outside ASCII would stay in clear: such a value is redacted
	for _, in := range []string{"4111 1111 1111 １１１１", "٤١١١١١١١١١١١١١١١", "4111111111111\u0661\u0661\u0661"} {
		out, rep := applyOK(t, p, Request, `{"card":"`+in+`"}`)
		if fieldOf(t, out, "card") != "[REDACTED]" || rep.Findings[0].Failed != 1 {
			t.Errorf("%q >> %s %+v, want it redacted and counted", in, out, rep)
		}
	}
	if out, _ := applyOK(t, p, Request, `{"code":"Zoë12345"}`); fieldOf(t, out, "code") != "[REDACTED]" {
		t.Errorf("alnum fpe with a letter outside ASCII >> %s, want it redacted", out)
	}
	out, rep := applyOK(t, p, Request, `{"card":"12345","code":"Ab3Xy9"}`)
	if fieldOf(t, out, "card") != "[REDACTED]" || rep.Findings[0].Failed != 1 {
		t.Errorf("a value below the FF1 domain must be redacted and counted: %s %+v", out, rep)
	}
	if c := fieldOf(t, out, "code"); len(c) != 6 || c == "Ab3Xy9" {
		t.Errorf("alnum fpe gave %q", c)
	}
	out, _ = applyOK(t, p, Request, `{"card":4111111111111111}`)
	var doc map[string]json.RawMessage
	_ = json.Unmarshal([]byte(out), &doc)
	if s := string(doc["card"]); strings.HasSuffix(s, "1111") == false || s == "4111111111111111" {
		t.Errorf("number card >> %s", s)
	}
}

func TestGeneralizeAndSynthetic(t *testing.T) {
	p := compileKeyed(t, keysA+`
rules:
  - { id: dob, select: { keys: [dob] }, action: { generalize: { date: year } } }
  - { id: ip, select: { keys: [ip] }, action: { generalize: ip } }
  - { id: mail, select: { keys: [mail] }, action: { generalize: email } }
  - { id: age, select: { keys: [age] }, action: { generalize: { age: 10 } } }
  - { id: who, select: { keys: [name, email] }, action: { synthetic: { key: a } } }
`, testEnv)
	out, rep := applyOK(t, p, Request, `{"dob":"1990-05-17","ip":"203.0.113.57","mail":"ann@Example.com","age":37,"name":"Ann Lee","email":"ann@corp.test"}`)
	for name, want := range map[string]string{"dob": "1990", "ip": "203.0.113.0", "mail": "example.com", "age": "30-39"} {
		if got := fieldOf(t, out, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	name, email := fieldOf(t, out, "name"), fieldOf(t, out, "email")
	if name == "Ann Lee" || !strings.Contains(name, " ") {
		t.Errorf("synthetic name %q", name)
	}
	if !regexp.MustCompile(`@example\.(com|net|org)$`).MatchString(email) {
		t.Errorf("synthetic email %q, want a reserved domain", email)
	}
	again, _ := applyOK(t, compileKeyed(t, keysA+`
rules:
  - { id: who, select: { keys: [name, email] }, action: { synthetic: { key: a } } }
`, testEnv), Request, `{"name":"Ann Lee","email":"ann@corp.test"}`)
	if fieldOf(t, again, "name") != name || fieldOf(t, again, "email") != email {
		t.Errorf("synthetic stand-ins differ across Programs: %s vs %s", again, out)
	}
	out, rep = applyOK(t, p, Request, `{"dob":"someday","ip":"::zz"}`)
	if fieldOf(t, out, "dob") != "[REDACTED]" || fieldOf(t, out, "ip") != "[REDACTED]" || rep.Findings[0].Failed != 1 {
		t.Errorf("unreadable values must be redacted and counted: %s %+v", out, rep)
	}
}

func TestBlock(t *testing.T) {
	p := compileKeyed(t, `
rules:
  - { id: trial, mode: shadow, select: { keys: [pan] }, action: block }
  - { id: no-keys, direction: request, select: { detect: [aws_access_key_id] }, action: { block: { status: 403 } } }
`, nil)
	_, rep := applyOK(t, p, Request, `{"prompt":"my key is AKIAIOSFODNN7EXAMPLE ok"}`)
	b := rep.Blocked()
	if b == nil || b.Rule != "no-keys" || b.Count != 1 || len(b.Detectors) != 1 || b.Detectors[0] != "aws_access_key_id" {
		t.Fatalf("Blocked() = %+v", b)
	}
	if p.Rules()[1].BlockStatus != 403 || p.Rules()[0].BlockStatus != 400 {
		t.Errorf("block statuses %+v", p.Rules())
	}
	if _, rep := applyOK(t, p, Request, `{"pan":"4111111111111111"}`); rep.Blocked() != nil || len(rep.Findings) != 1 {
		t.Errorf("a shadow block must only report: %+v", rep)
	}
	if _, rep := applyOK(t, p, Request, `{"prompt":"nothing here"}`); rep.Blocked() != nil {
		t.Error("blocked a clean body")
	}
}

// Program.Pseudonym gives what Apply writes; Program.Reveal inverts encrypt
// tokens (by their key id) and fpe values (by rule).
func TestPseudonymAndReveal(t *testing.T) {
	p := compileKeyed(t, keysA+`
rules:
  - { id: h, select: { keys: [h] }, action: { hash: { key: a } } }
  - { id: e, select: { keys: [e] }, action: { encrypt: { key: a } } }
  - { id: f, select: { keys: [f] }, action: { fpe: { key: a, keep_last: 4 } } }
  - { id: s, select: { keys: [s] }, action: { synthetic: { key: a, kind: email } } }
  - { id: m, select: { keys: [m] }, action: mask }
`, testEnv)
	value := `Zoë "Q" O'Brien 4111111111111111`
	body, _ := json.Marshal(map[string]string{"h": value, "e": value, "f": "4111111111111111", "s": value})
	out, _ := applyOK(t, p, Request, string(body))
	for _, id := range []string{"h", "e", "s"} {
		got, err := p.Pseudonym(id, value)
		if err != nil || got != fieldOf(t, out, id) {
			t.Errorf("Pseudonym(%s) = %q, %v; Apply wrote %q", id, got, err, fieldOf(t, out, id))
		}
	}
	if got, err := p.Pseudonym("f", "4111111111111111"); err != nil || got != fieldOf(t, out, "f") {
		t.Errorf("Pseudonym(f) = %q, %v", got, err)
	}
	if back, err := p.Reveal("", fieldOf(t, out, "e")); err != nil || back != value {
		t.Errorf("Reveal(token) = %q, %v", back, err)
	}
	if back, err := p.Reveal("e", fieldOf(t, out, "e")); err != nil || back != value {
		t.Errorf("Reveal(e, token) = %q, %v", back, err)
	}
	for _, bad := range []struct{ rule, token string }{
		{"", "veil_a.AAAA"}, {"", "hello"}, {"", fieldOf(t, out, "e") + "x"}, {"h", "x"}, {"m", "x"}, {"nope", "x"},
	} {
		if got, err := p.Reveal(bad.rule, bad.token); err == nil {
			t.Errorf("Reveal(%q, %q) = %q, want an error", bad.rule, bad.token, got)
		}
	}
	if _, err := p.Pseudonym("m", "x"); err == nil {
		t.Error("Pseudonym of a mask rule must fail")
	}
	if _, err := p.Pseudonym("f", "123"); err == nil {
		t.Error("Pseudonym of a value too short for fpe must fail")
	}
}

// No key material appears in outputs, reports or warnings.
func TestKeyMaterialStaysInside(t *testing.T) {
	p := compileKeyed(t, revealSet, testEnv)
	out, rep := applyOK(t, p, Request, `{"messages":[{"content":"`+testKeyA+` ann@example.com"}]}`)
	b, _ := json.Marshal(rep)
	raw, _ := base64.StdEncoding.DecodeString(testKeyA)
	for _, s := range []string{string(b), strings.Join(p.Warnings(), "\n")} {
		if strings.Contains(s, testKeyA) || strings.Contains(s, string(raw)) {
			t.Errorf("key material leaked: %s", s)
		}
	}
	if strings.Contains(out, string(raw)) {
		t.Errorf("raw key in output: %s", out)
	}
}

// Stand-ins reach values inside JSON held in strings (json_in_strings), by
// key and by detector, and the nested document stays valid JSON.
func TestKeyedInsideJSONStrings(t *testing.T) {
	p := compileKeyed(t, keysA+`
json_in_strings: true
rules:
  - { id: h, select: { keys: [email] }, action: { hash: { key: a } } }
  - { id: f, select: { keys: [card] }, action: { fpe: { key: a, keep_last: 4 } } }
  - { id: e, select: { detect: [phone] }, action: { encrypt: { key: a } } }
`, testEnv)
	direct, _ := applyOK(t, p, Request, `{"email":"ann@example.com","card":"4111111111111111"}`)
	out, rep := applyOK(t, p, Request, `{"payload":"{\"user\":{\"email\":\"ann@example.com\",\"card\":\"4111111111111111\"},\"note\":\"call +1 415 555 0100\"}"}`)
	inner := fieldOf(t, out, "payload")
	if !json.Valid([]byte(inner)) {
		t.Fatalf("inner document broken: %s", inner)
	}
	if fieldOf(t, inner, "email") != fieldOf(t, direct, "email") || fieldOf(t, inner, "card") != fieldOf(t, direct, "card") {
		t.Errorf("nested stand-ins differ from direct ones: %s vs %s", inner, direct)
	}
	if note := fieldOf(t, inner, "note"); !strings.HasPrefix(note, "call veil_a.") {
		t.Errorf("note = %q", note)
	}
	if rep.Total() != 3 {
		t.Errorf("report %+v", rep)
	}
}

// A body made of fake tokens costs one decryption per token at most per
// Sealer; past the work budget it fails instead of holding the worker.
func TestRevealWorkBudget(t *testing.T) {
	fake := strings.Repeat("veil_a.AAAAAAAAAAAAAAAAAAAAAA ", 1<<20/30)
	body := []byte(`{"m":"` + fake + `"}`)
	one := compileKeyed(t, keysA+`
rules:
  - { id: e, select: { keys: [x] }, action: { encrypt: { key: a } } }
  - { id: r, select: { keys: [m] }, action: reveal }
`, testEnv)
	_, rep, err := one.Apply(body, Input{Direction: Response})
	if err != nil || rep.Findings[0].Failed != 1<<20/30 {
		t.Fatalf("one Sealer per token: %v, %+v", err, rep.Findings)
	}
	many := compileKeyed(t, keysA+`
rules:
  - { id: e1, select: { keys: [x] }, action: { encrypt: { key: a } } }
  - { id: e2, select: { keys: [y] }, action: { encrypt: { key: a } } }
  - { id: e3, select: { keys: [z] }, action: { encrypt: { key: a } } }
  - { id: r, select: { keys: [m] }, action: reveal }
`, testEnv)
	if _, _, err := many.Apply(body, Input{Direction: Response}); !errors.Is(err, ErrWorkBudget) {
		t.Fatalf("three Sealers per fake token: err = %v, want ErrWorkBudget", err)
	}
}

// No diagnostic quotes a line of crypto_keys, whatever the mistake and
// wherever it sits: key material may share the line.
func TestKeyMaterialNeverQuoted(t *testing.T) {
	const material = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw"
	for _, src := range []string{
		"version: 1\ncrypto_keys:\n  inline-key: { inline: \"" + material + "\", insecure_inline: true }\nrules: []\n",
		"version: 1\ncrypto_keys:\n  k: { inlne: \"" + material + "\" }\nrules: []\n",
		"version: 1\ncrypto_keys:\n  k: { bogus: 1, inline: \"" + material + "\" }\nrules: []\n",
		"version: 1\ncrypto_keys: { K: { inline: \"" + material + "\" } }\nrules: []\n",
		"version: 1\ncrypto_keys:\n  k:\n    inline: |\n      " + material + "\n    insecure: true\nrules: []\n",
	} {
		_, err := Compile([]byte(src), Options{})
		if err == nil {
			t.Fatalf("%q compiled", src)
		}
		if strings.Contains(err.Error(), material) {
			t.Errorf("key material quoted:\n%v", err)
		}
	}
}
