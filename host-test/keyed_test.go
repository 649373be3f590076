package hosttest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// The keyed actions through the .wasm: keys from the VM environment,
// pseudonyms that hold across VM instances, block replies, the reveal
// round trip, and key material that never reaches a log, a metric, the
// audit line or a reply.

// testKey returns 32 key bytes derived from seed, with bytes that base64
// spells differently in its standard and URL alphabets ('+' '/' vs '-' '_').
func testKey(seed byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = seed*31 + byte(i)*97
	}
	k[0], k[1], k[2] = 0xfb, 0xff, 0xbf // "+/+" in std base64, "-_-" in url
	return k
}

var (
	keyK2 = testKey(2)
	keyK1 = testKey(1)
	// keyOther is a key of some other rule set: its tokens are not ours.
	keyOther = testKey(9)
)

// keyEnv is the VM environment that holds the keys of keyedRules.
func keyEnv(k2, k1 []byte) []string {
	return []string{
		"VEIL_KEY_K2=" + base64.StdEncoding.EncodeToString(k2),
		"VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(k1),
	}
}

// keyedRules uses every keyed action; k1 is retired.
const keyedRules = `
version: 1
name: keyed
json_in_strings: true
crypto_keys:
  k2: { env: VEIL_KEY_K2 }
  k1: { env: VEIL_KEY_K1, retired: true }
rules:
  - id: user-ref
    select: { keys: [user_id] }
    action: { hash: { key: k2, prefix: "usr_", length: 16, context: users } }
  - id: contact
    direction: request
    select: { detect: [email, phone], within: ["$.messages", "$.profile"] }
    action: { encrypt: { key: k2 } }
  - id: card
    select: { keys: [card_number] }
    action: { fpe: { key: k2, keep_last: 4 } }
  - id: dob
    select: { keys: [birth_date] }
    action: { generalize: { date: year } }
  - id: names
    select: { keys: [full_name] }
    action: { synthetic: { key: k2, kind: name } }
  - id: restore
    direction: response
    select: { paths: ["$.choices[*].message.content", "$.choices[*].message.tool_calls[*].function.arguments"] }
    action: reveal
`

// keyedRequest carries a value for every rule of keyedRules.
const keyedRequest = `{"user_id":"u-100482","full_name":"Ann Lee","birth_date":"1987-04-12",
"profile":{"note":"reach me at ann.lee@example.com or +1 415 555 2671","card_number":"4111 1111 1111 1111"},
"messages":[{"role":"user","content":"Mail ann.lee@example.com, not bo.park@example.net."}]}`

// keyedOriginals are the values of keyedRequest no output may carry.
var keyedOriginals = []string{"u-100482", "Ann Lee", "1987-04-12", "ann.lee@example.com", "bo.park@example.net", "415 555 2671", "4111 1111 1111 1111"}

// envLookup is rules.Options.Env over NAME=VALUE pairs.
func envLookup(env []string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for _, kv := range env {
			if n, v, _ := strings.Cut(kv, "="); n == name {
				return v, true
			}
		}
		return "", false
	}
}

// compileKeyed compiles a rule set natively with the keys of env.
func compileKeyed(t *testing.T, src string, env []string) *rules.Program {
	t.Helper()
	p, err := rules.Compile([]byte(src), rules.Options{Filename: "rules.yaml", Env: envLookup(env)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// applyNative applies p to body in direction d.
func applyNative(t *testing.T, p *rules.Program, body string, d rules.Direction) string {
	t.Helper()
	out, _, err := p.Apply([]byte(body), rules.Input{Direction: d})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The same request through separate VM instances (two of one module, one
// of a module loaded for the other Envoy profile) gives the same
// pseudonyms, equal to the native engine's; nothing of the originals
// survives.
func TestKeyedSameAcrossVMs(t *testing.T) {
	env := keyEnv(keyK2, keyK1)
	want := applyNative(t, compileKeyed(t, keyedRules, env), keyedRequest, rules.Request)
	if want == keyedRequest {
		t.Fatal("the native engine changed nothing")
	}
	var outs []string
	for _, p := range []hosttest.Profile{hosttest.Envoy133, hosttest.Envoy133, hosttest.Envoy139} {
		vm := start(t, "veil", p, hosttest.Config{PluginConfig: []byte(keyedRules), Env: env})
		res := vm.Do(jsonExchange([]byte(keyedRequest), []byte(`{}`), 0))
		if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
			t.Fatalf("%s: vm %v, errors %q, local reply %+v", p, res.VMError, res.Errors, res.LocalReply)
		}
		outs = append(outs, string(res.Request.Body))
	}
	for i, out := range outs {
		if out != want {
			t.Errorf("VM %d: request\n%s\nnative\n%s", i, out, want)
		}
		for _, v := range keyedOriginals {
			if strings.Contains(out, v) {
				t.Errorf("VM %d: %q survived: %s", i, v, out)
			}
		}
	}
	// Another key gives other pseudonyms.
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(keyedRules), Env: keyEnv(keyOther, keyK1)})
	if other := vm.Do(jsonExchange([]byte(keyedRequest), nil, 0)); string(other.Request.Body) == want {
		t.Error("a different key gave the same pseudonyms")
	}
}

// A key is accepted in each base64 spelling (standard or URL alphabet,
// padded or not, with surrounding whitespace) and gives the same
// pseudonyms whichever is used.
func TestKeyedKeySpellings(t *testing.T) {
	m := load(t, "veil", hosttest.Envoy133)
	var first string
	std := base64.StdEncoding.EncodeToString(keyK2)
	spellings := []string{std + "\n", " \t" + std + "\r\n"} // as a secret file or a template may leave it
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		spellings = append(spellings, enc.EncodeToString(keyK2))
	}
	for _, k2 := range spellings {
		env := []string{"VEIL_KEY_K2=" + k2, "VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(keyK1)}
		vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(keyedRules), Env: env})
		if err != nil {
			t.Fatalf("key spelled %q: %v", k2, err)
		}
		out := string(vm.Do(jsonExchange([]byte(keyedRequest), nil, 0)).Request.Body)
		if first == "" {
			first = out
			if want := applyNative(t, compileKeyed(t, keyedRules, keyEnv(keyK2, keyK1)), keyedRequest, rules.Request); out != want {
				t.Fatalf("output %s, native %s", out, want)
			}
		} else if out != first {
			t.Errorf("key spelled %q: output differs:\n%s\nwant\n%s", k2, out, first)
		}
	}
}

// A missing, short or malformed key refuses the start; the critical log
// names the key id and the variable, never the value.
func TestKeyedBadKeyRefusesStart(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(keyK2[:16])
	for _, tc := range []struct {
		name  string
		env   []string
		value string // what must not appear
	}{
		{"missing", []string{"VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(keyK1)}, ""},
		{"short", []string{"VEIL_KEY_K2=" + short, "VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(keyK1)}, short},
		{"not base64", []string{"VEIL_KEY_K2=not*base64*key*material*at*all*but*long*enough", "VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(keyK1)}, "not*base64*key"},
		{"empty", []string{"VEIL_KEY_K2=", "VEIL_KEY_K1=" + base64.StdEncoding.EncodeToString(keyK1)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "veil", hosttest.Envoy133).Start(t.Context(), hosttest.Config{PluginConfig: []byte(keyedRules), Env: tc.env})
			var se *hosttest.StartError
			if !errors.As(err, &se) || se.Stage != "proxy_on_configure" {
				t.Fatalf("want a refused configuration, got %v", err)
			}
			var critical string
			for _, l := range se.Logs {
				if l.Level == hosttest.LogCritical {
					critical += l.Message + "\n"
				}
			}
			if !strings.Contains(critical, "crypto_keys.k2: environment variable VEIL_KEY_K2") {
				t.Errorf("critical log does not name the key id and variable: %q", critical)
			}
			all := logText(se.Logs)
			if tc.value != "" && strings.Contains(all, tc.value) {
				t.Errorf("logs spell the key value: %q", all)
			}
			assertNoKeyMaterial(t, all, keyK1)
		})
	}
}

// logText joins log messages, one per line.
func logText(logs []hosttest.LogEntry) string {
	var b strings.Builder
	for _, l := range logs {
		b.WriteString(l.Message)
		b.WriteByte('\n')
	}
	return b.String()
}

// keySpellings returns the ways key material could be written: base64 in
// both alphabets (and a 12-character run of each, as a log could cut it),
// hex, and the raw bytes.
func keySpellings(key []byte) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding} {
		s := enc.EncodeToString(key)
		out = append(out, s, s[4:16])
	}
	return append(out, hex.EncodeToString(key), strings.ToUpper(hex.EncodeToString(key)), string(key))
}

// assertNoKeyMaterial fails when text holds key in any spelling.
func assertNoKeyMaterial(t *testing.T, text string, key []byte) {
	t.Helper()
	for _, s := range keySpellings(key) {
		if strings.Contains(text, s) {
			t.Errorf("key material %q found in %q", s, text)
		}
	}
}

// Key material never reaches the VM's logs, the metric names, the audit
// line, a local reply or a forwarded body, whatever the exchange: a
// rewritten one, a blocked one, an invalid body, a reveal of altered tokens.
func TestKeyedKeyMaterialNeverLeaks(t *testing.T) {
	src := keyedRules + `
  - id: no-secrets
    direction: request
    select: { detect: [aws_access_key_id] }
    action: block
`
	m := load(t, "veil", hosttest.Envoy133)
	vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(src), Env: keyEnv(keyK2, keyK1)})
	if err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	for _, x := range []hosttest.Exchange{
		jsonExchange([]byte(keyedRequest), []byte(`{"choices":[{"message":{"content":"see veil_k2.AAAAAAAAAAAAAAAAAAAAAAAAAAAA and veil_k1.x"}}]}`), 0),
		jsonExchange([]byte(`{"messages":[{"content":"key AKIAIOSFODNN7EXAMPLE"}]}`), nil, 0),
		jsonExchange([]byte(`{"user_id":`), nil, 0),
	} {
		x.RequestHeaders = append(x.RequestHeaders, [2]string{"x-request-id", "r-1"})
		res := vm.Do(x)
		if res.VMError != nil {
			t.Fatal(res.VMError)
		}
		fmt.Fprintf(&seen, "%s\n%s\n%v\n%v\n", res.Request.Body, res.Response.Body, res.Response.Headers, res.Logs)
		if res.LocalReply != nil {
			fmt.Fprintf(&seen, "%d %s %s\n", res.LocalReply.Status, res.LocalReply.Details, res.LocalReply.Body)
		}
	}
	seen.WriteString(logText(vm.Logs()))
	for name, v := range m.Metrics() {
		fmt.Fprintf(&seen, "%s %d\n", name, v.Value)
	}
	if !strings.Contains(seen.String(), "veil audit ") {
		t.Fatalf("no audit line to check: %s", seen.String())
	}
	assertNoKeyMaterial(t, seen.String(), keyK2)
	assertNoKeyMaterial(t, seen.String(), keyK1)
}

// A key given inline logs a warning at start that names the key id and
// never the key.
func TestKeyedInlineKeyWarning(t *testing.T) {
	inline := base64.StdEncoding.EncodeToString(keyOther)
	src := `
version: 1
name: inline
crypto_keys:
  demo: { inline: "` + inline + `", insecure_inline: true }
rules:
  - id: ref
    select: { keys: [user_id] }
    action: { hash: { key: demo } }
`
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src)})
	var warned bool
	for _, l := range vm.Logs() {
		warned = warned || l.Level == hosttest.LogWarn && strings.Contains(l.Message, "demo") && strings.Contains(l.Message, "inline")
	}
	if !warned {
		t.Errorf("no start-up warning about the inline key: %v", vm.Logs())
	}
	assertNoKeyMaterial(t, logText(vm.Logs()), keyOther)
	res := vm.Do(jsonExchange([]byte(`{"user_id":"u-1"}`), nil, 0))
	if !strings.HasPrefix(string(res.Request.Body), `{"user_id":"h_`) {
		t.Errorf("hash with default prefix: %s", res.Request.Body)
	}
}

// blockRules refuses secrets on requests (403) and card numbers on
// responses, and has a default-status block and a shadow block.
const blockRules = `
version: 1
name: guard
rules:
  - id: no-secrets
    direction: request
    select: { detect: [aws_access_key_id, private_key] }
    action: { block: { status: 403 } }
  - id: no-ssn-key
    direction: request
    select: { keys: [ssn] }
    action: block
  - id: no-cards-out
    direction: response
    select: { detect: [credit_card] }
    action: block
  - id: watch-email
    mode: shadow
    select: { detect: [email] }
    action: block
`

// A block rule that finds anything refuses the exchange: request side with
// the rule's status (400 by default) before the upstream sees the body,
// response side with 502; the reply names the rule set, the rule, the
// count and the detector kinds, never a value; the warning, the metrics
// and the audit line count it. A shadow block only reports.
func TestKeyedBlock(t *testing.T) {
	const awsKey = "AKIAIOSFODNN7EXAMPLE"
	const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----"
	pemJSON, _ := json.Marshal(pem)
	for _, tc := range []struct {
		name        string
		req, resp   string
		status      int
		from        string
		rule        string
		count       int
		detectors   map[string]int
		secret      string // must appear nowhere in the reply, logs or metrics
		upstreamGot bool   // the request body reached the upstream
	}{
		{"secret in request", `{"messages":[{"content":"use ` + awsKey + ` and ` + awsKey + `"},{"content":` + string(pemJSON) + `}]}`, `{}`,
			403, "proxy_on_request_body", "no-secrets", 3, map[string]int{"aws_access_key_id": 2, "private_key": 1}, awsKey, false},
		{"key selection, default status", `{"person":{"ssn":"123-45-6789"}}`, `{}`,
			400, "proxy_on_request_body", "no-ssn-key", 1, nil, "123-45-6789", false},
		{"card in response", `{"q":"balance"}`, `{"cards":["4111 1111 1111 1111"],"note":"card 5555555555554444"}`,
			502, "proxy_on_response_body", "no-cards-out", 2, map[string]int{"credit_card": 2}, "4111", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := load(t, "veil", hosttest.Envoy133)
			// A response-side reply needs the response headers held
			// (report_header); TestKeyedBlockResponseReset covers the rest.
			cfg := hosttest.Config{PluginConfig: []byte(blockRules + "report_header: x-veil\n"), AllowOnHeadersStopIteration: true}
			vm, err := m.Start(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			res := vm.Do(jsonExchange([]byte(tc.req), []byte(tc.resp), 0))
			lr := res.LocalReply
			if lr == nil || lr.Status != tc.status || lr.From != tc.from {
				t.Fatalf("local reply %+v, want %d from %s", lr, tc.status, tc.from)
			}
			if res.Response.Status != tc.status || !bytes.Equal(res.Response.Body, lr.Body) || len(res.Errors) > 0 {
				t.Errorf("client got %d %s; errors %q", res.Response.Status, res.Response.Body, res.Errors)
			}
			if ct, _ := res.Response.Headers.Get("content-type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
			if got := res.Request.Body != nil; got != tc.upstreamGot {
				t.Errorf("upstream got the request body: %t, want %t", got, tc.upstreamGot)
			}
			var body struct {
				Error     string         `json:"error"`
				RuleSet   string         `json:"rule_set"`
				Rule      string         `json:"rule"`
				Count     int            `json:"count"`
				Detectors map[string]int `json:"detectors"`
			}
			dec := json.NewDecoder(bytes.NewReader(lr.Body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				t.Fatalf("reply body %s: %v", lr.Body, err)
			}
			if body.Error != "blocked" || body.RuleSet != "guard" || body.Rule != tc.rule || body.Count != tc.count || fmt.Sprint(body.Detectors) != fmt.Sprint(tc.detectors) {
				t.Errorf("reply body %s", lr.Body)
			}
			var seen strings.Builder
			fmt.Fprintf(&seen, "%s\n%s%s", lr.Body, logText(vm.Logs()), logText(res.Logs))
			for name := range m.Metrics() {
				seen.WriteString(name + "\n")
			}
			if strings.Contains(seen.String(), tc.secret) || strings.Contains(seen.String(), "example.com") {
				t.Errorf("a value reached the reply, logs or metrics: %s", seen.String())
			}
			d := "request"
			if tc.status == 502 {
				d = "response"
			}
			if !strings.Contains(seen.String(), `blocked by rule "`+tc.rule+`"`) {
				t.Errorf("no warning naming the rule: %s", seen.String())
			}
			metrics := m.Metrics()
			if got := metrics["wasmcustom.veil.bodies_blocked.rule_set.guard.rule."+tc.rule+".direction."+d].Value; got != 1 {
				t.Errorf("bodies_blocked = %d, want 1: %v", got, metrics)
			}
			if got := metrics["wasmcustom.veil.values.rule_set.guard.rule."+tc.rule+".action.block.direction."+d+".mode.enforce"].Value; got != int64(tc.count) {
				t.Errorf("values = %d, want %d", got, tc.count)
			}
			audit := auditLine(t, res.Logs)
			if !strings.Contains(audit, `"rule":"`+tc.rule+`","action":"block","mode":"enforce","count":`+fmt.Sprint(tc.count)) {
				t.Errorf("audit line lacks the block finding: %s", audit)
			}
		})
	}
	// A shadow block reports and lets the exchange through unchanged.
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(blockRules)})
	body := []byte(`{"note":"mail ann@example.com"}`)
	res := vm.Do(jsonExchange(body, body, 0))
	if res.LocalReply != nil || !bytes.Equal(res.Request.Body, body) || !bytes.Equal(res.Response.Body, body) {
		t.Errorf("shadow block: local reply %+v, bodies %s %s", res.LocalReply, res.Request.Body, res.Response.Body)
	}
	if audit := auditLine(t, res.Logs); !strings.Contains(audit, `"rule":"watch-email","action":"block","mode":"shadow"`) {
		t.Errorf("shadow block not reported: %s", audit)
	}
}

// A response-side block whose response headers already went downstream
// (no report_header) cannot answer 502: Envoy resets the stream, and the
// body never reaches the client either way.
func TestKeyedBlockResponseReset(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(blockRules)})
	res := vm.Do(jsonExchange([]byte(`{"q":1}`), []byte(`{"card":"4111 1111 1111 1111"}`), 0))
	if res.Reset == "" || bytes.Contains(res.Response.Body, []byte("4111")) {
		t.Errorf("reset %q, client got %q", res.Reset, res.Response.Body)
	}
	if res.LocalReply == nil || res.LocalReply.Status != 502 {
		t.Errorf("local reply %+v, want the plugin's 502", res.LocalReply)
	}
}

// auditLine returns the last audit line of logs (without its prefix) and
// checks that it is valid JSON.
func auditLine(t *testing.T, logs []hosttest.LogEntry) string {
	t.Helper()
	var line string
	for _, l := range logs {
		if s, ok := strings.CutPrefix(l.Message, "veil audit "); ok {
			line = s
		}
	}
	if !json.Valid([]byte(line)) {
		t.Fatalf("audit line missing or not JSON: %q", line)
	}
	return line
}

// tokenRE finds encrypt tokens of key ids k1 and k2 in text.
var tokenRE = regexp.MustCompile(`veil_k[12]\.[A-Za-z0-9_-]+`)

// The LLM round trip through the .wasm: the request's emails and phone
// become tokens (the same ones every turn); a provider response quoting them
// in prose, in markdown, glued to punctuation, in URLs and HTML, between
// non-ASCII characters, on line breaks and in tool-call arguments (JSON in
// a string) comes back with the originals, revealed by another VM instance
// (no state in the filter); altered tokens, tokens of another key and tokens
// glued to a base64url character (`…-related`) stay as they are and are
// counted as failed; a token of the retired key k1 still
// reveals.
func TestKeyedRevealRoundTrip(t *testing.T) {
	env := keyEnv(keyK2, keyK1)
	native := compileKeyed(t, keyedRules, env)
	m := load(t, "veil", hosttest.Envoy133)
	sender, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(keyedRules), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	request := `{"messages":[{"role":"user","content":"I am ann.lee@example.com, call +1 415 555 2671."},` +
		`{"role":"assistant","content":"Noted, ann.lee@example.com."},{"role":"user","content":"Mail bo.park@example.net too."}]}`
	sent := sender.Do(jsonExchange([]byte(request), nil, 0))
	if sent.VMError != nil || len(sent.Errors) > 0 {
		t.Fatalf("request: %v %q", sent.VMError, sent.Errors)
	}
	upstream := string(sent.Request.Body)
	if upstream != applyNative(t, native, request, rules.Request) {
		t.Errorf("wasm request differs from native:\n%s", upstream)
	}
	tokens := map[string]string{}
	for _, v := range []string{"ann.lee@example.com", "+1 415 555 2671", "bo.park@example.net"} {
		tok, err := native.Pseudonym("contact", v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(upstream, tok) || strings.Contains(upstream, v) {
			t.Fatalf("upstream body does not carry the token %s of %q in place of it: %s", tok, v, upstream)
		}
		tokens[v] = tok
	}
	if got := len(tokenRE.FindAllString(upstream, -1)); got != 4 || strings.Count(upstream, tokens["ann.lee@example.com"]) != 2 {
		t.Errorf("want 4 tokens, the same one for both turns of ann.lee@example.com: %s", upstream)
	}
	ann, phone, bo := tokens["ann.lee@example.com"], tokens["+1 415 555 2671"], tokens["bo.park@example.net"]

	// A token of the retired key k1: made by a rule set where k1 is current.
	oldRules := strings.Replace(strings.Replace(keyedRules, "k2: { env: VEIL_KEY_K2 }", "k2: { env: VEIL_KEY_K2, retired: true }", 1),
		"k1: { env: VEIL_KEY_K1, retired: true }", "k1: { env: VEIL_KEY_K1 }", 1)
	oldRules = strings.ReplaceAll(oldRules, "key: k2", "key: k1")
	oldToken, err := compileKeyed(t, oldRules, env).Pseudonym("contact", "old@example.org")
	if err != nil || !strings.HasPrefix(oldToken, "veil_k1.") {
		t.Fatalf("k1 token %q: %v", oldToken, err)
	}
	// A token of another rule set's key, under the same key id.
	foreign, err := compileKeyed(t, keyedRules, keyEnv(keyOther, keyK1)).Pseudonym("contact", "ann.lee@example.com")
	if err != nil || foreign == ann {
		t.Fatalf("foreign token %q: %v", foreign, err)
	}
	altered := ann[:len(ann)-3] + flip(ann[len(ann)-3]) + ann[len(ann)-2:]
	truncated := bo[:len(bo)-4]

	cases := []struct {
		name, content, want string
		failed              int
	}{
		{"prose", "Sure, I wrote to " + ann + ".", "Sure, I wrote to ann.lee@example.com.", 0},
		{"start and end", ann, "ann.lee@example.com", 0},
		{"quotes and brackets", `"` + ann + `" (` + phone + `) [` + bo + `]`, `"ann.lee@example.com" (+1 415 555 2671) [bo.park@example.net]`, 0},
		{"markdown", "**" + ann + "**, `" + phone + "`, <" + bo + ">", "**ann.lee@example.com**, `+1 415 555 2671`, <bo.park@example.net>", 0},
		{"line breaks", "To:\n" + ann + "\nCc:\t" + bo, "To:\nann.lee@example.com\nCc:\tbo.park@example.net", 0},
		{"twice", ann + " and again " + ann, "ann.lee@example.com and again ann.lee@example.com", 0},
		{"glued punctuation", ann + "'s inbox;" + phone + "," + bo + "!", "ann.lee@example.com's inbox;+1 415 555 2671,bo.park@example.net!", 0},
		{"url", "https://crm.example/find?u=" + ann + "&p=" + phone, "https://crm.example/find?u=ann.lee@example.com&p=+1 415 555 2671", 0},
		{"html", "<a href=\"mailto:" + ann + "\">" + ann + "</a>", "<a href=\"mailto:ann.lee@example.com\">ann.lee@example.com</a>", 0},
		{"non-ASCII around", "«" + ann + "» — " + phone + "。", "«ann.lee@example.com» — +1 415 555 2671。", 0},
		{"glued base64url characters", ann + "-related", ann + "-related", 1},
		{"retired key", "old: " + oldToken, "old: old@example.org", 0},
		{"altered", "to " + altered, "to " + altered, 1},
		{"truncated", "to " + truncated + " ok", "to " + truncated + " ok", 1},
		{"another key", "to " + foreign, "to " + foreign, 1},
		{"mixed", altered + " / " + phone, altered + " / +1 415 555 2671", 1},
	}
	receiver, err := m.Start(t.Context(), hosttest.Config{PluginConfig: []byte(keyedRules), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	var wantFailed int64 // the failed tokens the audit lines counted
	// Does this build read tokens written with escapes? Either way is safe.
	probe := receiver.Do(jsonExchange([]byte(`{}`), []byte(`{"choices":[{"message":{"content":"`+strings.ReplaceAll(ann, "_", `\u005f`)+`"}}]}`), 0))
	escapedReveals := bytes.Contains(probe.Response.Body, []byte("ann.lee@example.com"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			content, _ := json.Marshal(tc.content)
			args, _ := json.Marshal(`{"to":` + string(content) + `}`)
			// The same content with every '_' and '.' written as \u escapes,
			// as no usual JSON writer does: the filter reads tokens in the
			// raw text (rules/SYNTAX.md, "reveal"), so there a token is
			// revealed whole or left exactly as it is, never garbled.
			escaped := strings.NewReplacer("_", `\u005f`, ".", `\u002e`).Replace(string(content))
			resp := `{"choices":[{"message":{"content":` + string(content) + `,"tool_calls":[{"function":{"name":"send","arguments":` + string(args) +
				`}}]}},{"message":{"content":` + escaped + `}}]}`
			res := receiver.Do(jsonExchange([]byte(`{}`), []byte(resp), 0))
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
				t.Fatalf("vm %v, errors %q, reply %+v", res.VMError, res.Errors, res.LocalReply)
			}
			if want := applyNative(t, native, resp, rules.Response); string(res.Response.Body) != want {
				t.Errorf("wasm response differs from native:\n%s\n%s", res.Response.Body, want)
			}
			var got struct {
				Choices []struct {
					Message struct {
						Content   string
						ToolCalls []struct{ Function struct{ Arguments string } } `json:"tool_calls"`
					}
				}
			}
			if err := json.Unmarshal(res.Response.Body, &got); err != nil || len(got.Choices) != 2 {
				t.Fatalf("response %s: %v", res.Response.Body, err)
			}
			var args2 struct{ To string }
			json.Unmarshal([]byte(got.Choices[0].Message.ToolCalls[0].Function.Arguments), &args2)
			for what, s := range map[string]string{"content": got.Choices[0].Message.Content, "arguments": args2.To} {
				if s != tc.want {
					t.Errorf("%s: got %q, want %q", what, s, tc.want)
				}
			}
			places, escapedWant := 2, tc.content // content and arguments; escaped text left as is
			if escapedReveals {
				places, escapedWant = 3, tc.want
			}
			if s := got.Choices[1].Message.Content; s != escapedWant {
				t.Errorf("escaped content: got %q, want %q", s, escapedWant)
			}
			if tc.failed > 0 {
				audit := auditLine(t, res.Logs)
				failed := tc.failed * places
				if !strings.Contains(audit, `"rule":"restore","action":"reveal"`) || !strings.Contains(audit, fmt.Sprintf(`"failed":%d,`, failed)) {
					t.Errorf("audit line does not count %d failed tokens: %s", failed, audit)
				}
				wantFailed += int64(failed)
			}
		})
	}
	if got := m.Metrics()["wasmcustom.veil.values_failed.rule_set.keyed.rule.restore.action.reveal.direction.response.mode.enforce"].Value; got != wantFailed || got == 0 {
		t.Errorf("values_failed for reveal = %d, want %d", got, wantFailed)
	}
}

// flip returns another base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// One VM serves 4,000 keyed exchanges (every keyed action on the request,
// reveal of good and altered tokens on the response, blocked requests);
// after warm-up its linear memory grows by at most 5 %. Each value differs,
// so no result can be cached.
func TestKeyedSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: run without -short")
	}
	env := keyEnv(keyK2, keyK1)
	src := keyedRules + `
  - id: no-secrets
    direction: request
    select: { detect: [aws_access_key_id] }
    action: block
`
	native := compileKeyed(t, src, env)
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src), Env: env})
	const exchanges, warmUp = 4_000, 1_000
	var afterWarmUp uint32
	for i := range exchanges {
		email := fmt.Sprintf("user%d@example.com", i)
		tok, err := native.Pseudonym("contact", email)
		if err != nil {
			t.Fatal(err)
		}
		req := fmt.Sprintf(`{"user_id":"u-%d","full_name":"Person %d","birth_date":"19%02d-04-12","profile":{"card_number":"4111 1111 %04d 1111"},`+
			`"messages":[{"role":"user","content":"mail %s or call +1 415 555 %04d"}]}`, i, i, i%100, i%10000, email, i%10000)
		resp := fmt.Sprintf(`{"choices":[{"message":{"content":"Wrote to %s, not %sx."}}]}`, tok, tok)
		if i%10 == 0 {
			req = `{"messages":[{"content":"AKIAIOSFODNN7EXAMPLE"}]}`
		}
		res := vm.Do(jsonExchange([]byte(req), []byte(resp), 0))
		if res.VMError != nil {
			t.Fatalf("exchange %d: %v", i, res.VMError)
		}
		if i%10 != 0 && !bytes.Contains(res.Response.Body, []byte("Wrote to "+email+",")) {
			t.Fatalf("exchange %d: response %s", i, res.Response.Body)
		}
		if i == warmUp {
			afterWarmUp = vm.MemorySize()
		}
	}
	final := vm.MemorySize()
	growth := float64(final)/float64(afterWarmUp) - 1
	t.Logf("linear memory: %d bytes after %d exchanges, %d after %d (growth %.1f%%)", afterWarmUp, warmUp, final, exchanges, 100*growth)
	if growth > 0.05 {
		t.Errorf("linear memory grew %.1f%% after warm-up (limit 5%%)", 100*growth)
	}
}
