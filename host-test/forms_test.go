package hosttest_test

import (
	"net/url"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Forms, query strings and multipart parts through the .wasm: each
// attacker spelling of a form pair comes out as the rules engine rewrites
// it natively, and the planted value never reaches the upstream.

const formsRules = `
version: 1
name: forms
limits: { max_body_bytes: 4096 }
match: { forms: true, query: true }
rules:
  - { id: email-key, select: { keys: [email] }, action: redact }
  - { id: card-path, select: { paths: ["$.user.card"] }, action: { mask: { keep_last: 4 } } }
  - { id: notes, select: { keys: [notes] }, action: remove }
  - { id: mail, select: { detect: [email] }, action: { redact: { with: "[email]" } } }
`

// formSpellings each carry the planted address (or a card under
// $.user.card) in a different spelling of a form.
var formSpellings = []string{
	"email=zq7%40example.com&x=1",
	"x=1&email=zq7@example.com",
	"e%6Dail=zq7%40example.com",
	"EMAIL=zq7%40example.com",
	"e-mail=zq7%40example.com",
	"user[email]=zq7%40example.com",
	"user%5Bemail%5D=zq7%40example.com",
	"user[][email]=zq7%40example.com&user[][email]=zq7%40example.com",
	"user.email=zq7%40example.com",
	"email=a&email=zq7%40example.com",
	"note=mail+zq7%40example.com+now",
	"note=mail%20zq7%2540example.com",
	"q=a%2Bb=c&note=zq7%40example.com",
	"note==zq7%40example.com",
	"zq7%40example.com",
	"zq7%40example.com=1",
	"notes=zq7%40example.com&a=1",
	"x=%zz&note=zq7%40example.com%",
	"email=&n=zq7%40example.com",
	"email&n=zq7%40example.com&&",
	"n=zq7%40example.com;email=x",
	"a[b][c][]=zq7%40example.com",
	"zq7@example.com[x]=1",
	"user%2Eemail=zq7%40example.com",
	"user[card]=4111111111111111&n=1",
	"user.card=4111+1111+1111+1111",
}

// plantedGone reports whether form (decoded once, as an upstream reads it,
// and decoded again) no longer holds the planted values.
func plantedGone(form string) bool {
	once, err := url.QueryUnescape(strings.ReplaceAll(form, "%zz", ""))
	if err != nil {
		once = form
	}
	twice, _ := url.QueryUnescape(once)
	for _, s := range []string{once, twice, form} {
		if strings.Contains(s, "zq7@example.com") || strings.Contains(strings.ReplaceAll(s, " ", ""), "4111111111111111") {
			return false
		}
	}
	return true
}

func formsProgram(t *testing.T) *rules.Program {
	t.Helper()
	p, err := rules.Compile([]byte(formsRules), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFormsBodyWasm(t *testing.T) {
	p := formsProgram(t)
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(formsRules)})
	for _, chunk := range []int{0, 7} {
		for _, form := range formSpellings {
			want, _, err := p.ApplyAs(rules.BodyForm, []byte(form), rules.Input{Direction: rules.Request}, p.Apply)
			if err != nil {
				t.Fatal(err)
			}
			res := vm.Do(hosttest.Exchange{
				Path:           "/submit",
				RequestHeaders: hosttest.Headers{{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}},
				RequestBody:    []byte(form),
				ChunkSize:      chunk,
			})
			if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
				t.Fatalf("%s: vm %v, reply %+v, errors %v", form, res.VMError, res.LocalReply, res.Errors)
			}
			if got := string(res.Request.Body); got != string(want) {
				t.Errorf("%s (chunk %d): wasm %s, native %s", form, chunk, got, want)
			}
			if !plantedGone(string(res.Request.Body)) {
				t.Errorf("%s: planted value reached the upstream: %s", form, res.Request.Body)
			}
		}
	}
}

func TestFormsQueryWasm(t *testing.T) {
	p := formsProgram(t)
	mod := load(t, "veil", hosttest.Envoy133)
	vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(formsRules)})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close(t.Context())
	for _, form := range formSpellings {
		path := "/api/e%6Dail@x/search?" + form
		want, _, err := p.ApplyQuery(path, rules.Input{Direction: rules.Request})
		if err != nil {
			t.Fatal(err)
		}
		res := vm.Do(hosttest.Exchange{Path: path})
		if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
			t.Fatalf("%s: vm %v, reply %+v, errors %v", path, res.VMError, res.LocalReply, res.Errors)
		}
		got, _ := res.Request.Headers.Get(":path")
		if got != want {
			t.Errorf("%s: wasm %s, native %s", path, got, want)
		}
		if head, query, _ := strings.Cut(got, "?"); head != "/api/e%6Dail@x/search" || !plantedGone(query) {
			t.Errorf("%s: upstream got %s", path, got)
		}
	}
	// The query's findings join the request body's in one audit line.
	res := vm.Do(hosttest.Exchange{
		Path:           "/a?email=x",
		RequestHeaders: hosttest.Headers{{"content-type", "application/json"}},
		RequestBody:    []byte(`{"email":"y"}`),
	})
	var audit string
	for _, l := range res.Logs {
		if strings.Contains(l.Message, "veil audit ") {
			audit = l.Message
		}
	}
	if !strings.Contains(audit, `"rule":"email-key","action":"redact","mode":"enforce","count":2,"paths":["$.email","$.email"]`) {
		t.Errorf("audit line: %s", audit)
	}
	if n := mod.Metrics()["wasmcustom.veil.values.rule_set.forms.rule.email-key.action.redact.direction.request.mode.enforce"].Value; n < 2 {
		t.Errorf("values counted: %d", n)
	}
}

func TestFormsLabelsWasm(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(formsRules)})
	form := []byte("email=zq7%40example.com")
	for _, c := range []struct {
		label  string
		status int    // local reply, 0 for none
		body   string // what the upstream gets, "" for the form unchanged
	}{
		{"text/plain", 0, ""}, // sniffed: not JSON, passes as text (an upstream does not parse it as a form either)
		{"application/json", 400, ""},
		{"APPLICATION/X-WWW-FORM-URLENCODED", 0, "email=%5BREDACTED%5D"},
	} {
		res := vm.Do(hosttest.Exchange{Path: "/", RequestHeaders: hosttest.Headers{{"content-type", c.label}}, RequestBody: form})
		switch {
		case c.status != 0:
			if res.LocalReply == nil || res.LocalReply.Status != c.status {
				t.Errorf("%s: reply %+v, want %d", c.label, res.LocalReply, c.status)
			}
		case c.body == "" && string(res.Request.Body) != string(form), c.body != "" && string(res.Request.Body) != c.body:
			t.Errorf("%s: upstream got %s", c.label, res.Request.Body)
		}
	}
	long := []byte("a=" + strings.Repeat("x", 5000) + "&email=zq7%40example.com")
	res := vm.Do(hosttest.Exchange{Path: "/", RequestHeaders: hosttest.Headers{{"content-type", "application/x-www-form-urlencoded"}}, RequestBody: long, ChunkSize: 1024})
	if res.LocalReply == nil || res.LocalReply.Status != 413 {
		t.Errorf("form over max_body_bytes: reply %+v, want 413", res.LocalReply)
	}
}

func TestFormsMultipartWasm(t *testing.T) {
	p := formsProgram(t)
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(formsRules)})
	part := func(nl string, headers ...string) string {
		return strings.Join(append(headers, ""), nl)
	}
	cases := []struct {
		name, ct, body string
		status         int // 0: rewritten like the native engine
	}{
		{"json part CRLF", "multipart/form-data; boundary=b1", "--b1\r\n" + part("\r\n", "Content-Type: application/json", "") + `{"email":"zq7@example.com"}` + "\r\n--b1--\r\n", 0},
		{"json part LF", "multipart/form-data; boundary=b1", "--b1\n" + part("\n", "Content-Type: application/json", "") + `{"email":"zq7@example.com"}` + "\n--b1--", 0},
		{"quoted boundary", `multipart/mixed; boundary="a b:c"`, "--a b:c\r\n" + part("\r\n", "Content-Type: application/json", "") + `{"email":"zq7@example.com"}` + "\r\n--a b:c--", 0},
		{"json part labelled text/plain", "multipart/form-data; boundary=b1", "--b1\r\n" + part("\r\n", "Content-Type: text/plain", "") + `{"x":"zq7@example.com"}` + "\r\n--b1--", 0},
		{"json part with BOM", "multipart/form-data; boundary=b1", "--b1\r\n" + part("\r\n", "") + "\ufeff" + `{"email":"zq7@example.com"}` + "\r\n--b1--", 0},
		{"text field", "multipart/form-data; boundary=b1", "--b1\r\n" + part("\r\n", `Content-Disposition: form-data; name="user[email]"`, "") + "zq7@example.com\r\n--b1--", 0},
		{"no close delimiter", "multipart/form-data; boundary=b1", "--b1\r\n\r\n" + `{"email":"zq7@example.com"}`, 400},
		{"no boundary", "multipart/form-data", "--b1\r\n\r\n" + `{"email":"zq7@example.com"}` + "\r\n--b1--", 400},
		{"boundary inside a part", "multipart/form-data; boundary=b1", "--b1\r\n\r\nx--b1\r\n" + `{"email":"zq7@example.com"}` + "\r\n--b1--", 400},
		{"base64 part", "multipart/form-data; boundary=b1", "--b1\r\nContent-Transfer-Encoding: base64\r\n\r\neyJlbWFpbCI6InpxN0BleGFtcGxlLmNvbSJ9\r\n--b1--", 415},
	}
	for _, c := range cases {
		res := vm.Do(hosttest.Exchange{Path: "/", RequestHeaders: hosttest.Headers{{"content-type", c.ct}}, RequestBody: []byte(c.body), ChunkSize: 5})
		if c.status != 0 {
			if res.LocalReply == nil || res.LocalReply.Status != c.status {
				t.Errorf("%s: reply %+v, want %d", c.name, res.LocalReply, c.status)
			}
			continue
		}
		want, _, err := p.ApplyAs(rules.BodyMultipart, []byte(c.body), rules.Input{Direction: rules.Request, ContentType: c.ct}, p.Apply)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.LocalReply != nil || string(res.Request.Body) != string(want) {
			t.Errorf("%s: reply %+v, wasm %q, native %q", c.name, res.LocalReply, res.Request.Body, want)
		}
		if strings.Contains(string(res.Request.Body), "zq7@example.com") {
			t.Errorf("%s: planted value reached the upstream: %q", c.name, res.Request.Body)
		}
	}
}
