package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/veilproxy/veil/examples"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// playgroundModule is the test module loaded once for the playground tests.
var playgroundModule = sync.OnceValues(func() (*hosttest.Module, error) {
	wasm, err := os.ReadFile(pluginPath)
	if err != nil {
		return nil, err
	}
	return hosttest.Load(context.Background(), wasm, hosttest.Options{CacheDir: cacheDir()})
})

// newPlaygroundTestServer serves the playground on loopback with the test module.
func newPlaygroundTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	mod, err := playgroundModule()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newPlaygroundHandler(newPlaygroundRunner(mod), false))
	t.Cleanup(srv.Close)
	return srv
}

// postRun sends one exchange to /api/run and decodes the answer.
func postRun(t *testing.T, srv *httptest.Server, in playgroundRequest) (int, playgroundResult, string) {
	t.Helper()
	b, _ := json.Marshal(in)
	resp, err := http.Post(srv.URL+"/api/run", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var res playgroundResult
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
	}
	return resp.StatusCode, res, string(raw)
}

// marked renders a body view as text with each changed span in «» and each
// ghost in ⟨⟩.
func marked(v *bodyView) string {
	if v == nil {
		return "<no view>"
	}
	var b strings.Builder
	for _, s := range v.Segments {
		switch {
		case s.Removed:
			b.WriteString("⟨" + s.Text + "⟩")
		case s.Change > 0:
			b.WriteString("«" + s.Text + "»")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

const pgRulesHead = "version: 1\nname: pg\nrules:\n"

func TestPlaygroundRun(t *testing.T) {
	srv := newPlaygroundTestServer(t)
	for _, tc := range []struct {
		name string
		in   playgroundRequest
		// want* are checked when set
		wantRan       bool
		wantReq       string // marked request view
		wantResp      string
		wantChanges   []string // dir path kind rule[/detector] of each change
		wantDiagLines []int
		wantReply     int
		wantMetric    string // a metric name part that moved
		wantAudit     string // "dir rule mode count" of a finding
		wantInputErr  string
		wantHeader    string // "name kind" of a response header change
	}{{
		name: "redact a key",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: mail\n    select: { keys: [email] }\n    action: redact\n",
			Request: playgroundInput{Body: `{"user":{"email":"ann@example.com","n":1}}`},
		},
		wantRan:     true,
		wantReq:     "{\n  \"user\": {\n    \"email\": \"«[REDACTED]»\",\n    \"n\": 1\n  }\n}",
		wantChanges: []string{"request $.user.email changed mail"},
		wantMetric:  "rule.mail.action.redact.direction.request",
		wantAudit:   "request mail enforce 1",
	}, {
		name: "remove and mask keep their place",
		in: playgroundRequest{
			Rules: pgRulesHead + "  - id: drop\n    select: { keys: [notes] }\n    action: remove\n" +
				"  - id: card\n    select: { keys: [pan] }\n    action: { mask: { keep_last: 4 } }\n",
			Response: playgroundInput{Body: `{"a":[{"notes":"x","pan":"4111111111111111"}],"b":true}`},
		},
		wantRan:     true,
		wantResp:    "{\n  \"a\": [\n    {\n      ⟨removed: \"notes\"⟩\n      \"pan\": \"«************»1111\"\n    }\n  ],\n  \"b\": true\n}",
		wantChanges: []string{"response $.a[0].notes removed drop", "response $.a[0].pan changed card"},
	}, {
		name: "a detector in free text",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: mails\n    select: { detect: [email] }\n    action: redact\n",
			Request: playgroundInput{Body: `{"msg":"write to ann@example.com today"}`},
		},
		wantRan:     true,
		wantReq:     "{\n  \"msg\": \"write to «[REDACTED]» today\"\n}",
		wantChanges: []string{"request $.msg changed mails/email"},
	}, {
		name: "a text body line by line",
		in: playgroundRequest{
			Rules:    pgRulesHead + "  - id: mails\n    select: { keys: [email] }\n    action: redact\n",
			Response: playgroundInput{Headers: "content-type: application/x-ndjson", Body: "{\"email\":\"a@b.example\"}\n{\"id\":2}\n"},
		},
		wantRan:     true,
		wantResp:    "{\"email\":\"«[REDACTED]»\"}\n{\"id\":2}\n",
		wantChanges: []string{"response line 1 changed mails"},
	}, {
		name: "shadow changes nothing and is audited",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: mail\n    mode: shadow\n    select: { keys: [email] }\n    action: redact\n",
			Request: playgroundInput{Body: `{"email":"ann@example.com"}`},
		},
		wantRan:   true,
		wantReq:   "{\n  \"email\": \"ann@example.com\"\n}",
		wantAudit: "request mail shadow 1",
	}, {
		name: "a block rule answers with a local reply",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: no-pw\n    direction: request\n    select: { keys: [password] }\n    action: { block: { status: 403 } }\n",
			Request: playgroundInput{Body: `{"password":"hunter2"}`},
		},
		wantRan:   true,
		wantReply: 403,
	}, {
		name: "a condition on a property",
		in: playgroundRequest{
			Rules:      pgRulesHead + "  - id: mail\n    when: { principal: [\"spiffe://cluster.local/ns/billing/sa/*\"] }\n    select: { keys: [email] }\n    action: redact\n",
			Request:    playgroundInput{Body: `{"email":"ann@example.com"}`},
			Properties: "connection.mtls=true\nconnection.uri_san_peer_certificate=spiffe://cluster.local/ns/billing/sa/invoices",
		},
		wantRan:     true,
		wantChanges: []string{"request $.email changed mail"},
	}, {
		name: "report_header adds a header",
		in: playgroundRequest{
			Rules:    "version: 1\nname: pg\nreport_header: x-veil\nrules:\n  - id: mail\n    select: { keys: [email] }\n    action: redact\n",
			Response: playgroundInput{Headers: "x-keep: 1", Body: `{"email":"ann@example.com"}`},
		},
		wantRan:     true,
		wantChanges: []string{"response $.email changed mail"},
		wantHeader:  "x-veil added",
	}, {
		name: "a broken rule is placed at its line",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: mail\n    select: { keys: [email] }\n    action: redactt\n",
			Request: playgroundInput{Body: `{"email":"ann@example.com"}`},
		},
		wantDiagLines: []int{6},
	}, {
		name: "an unreadable header",
		in: playgroundRequest{
			Rules:   pgRulesHead + "  - id: mail\n    select: { keys: [email] }\n    action: redact\n",
			Request: playgroundInput{Headers: "no colon here", Body: `{}`},
		},
		wantInputErr: "request headers: line 1: want 'name: value'",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			code, res, raw := postRun(t, srv, tc.in)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, raw)
			}
			if res.Ran != tc.wantRan {
				t.Fatalf("ran = %v, want %v: %s", res.Ran, tc.wantRan, raw)
			}
			if tc.wantReq != "" {
				if got := marked(res.Request.View); got != tc.wantReq {
					t.Errorf("request view:\n%s\nwant\n%s", got, tc.wantReq)
				}
			}
			if tc.wantResp != "" {
				if got := marked(res.Response.View); got != tc.wantResp {
					t.Errorf("response view:\n%s\nwant\n%s", got, tc.wantResp)
				}
			}
			if tc.wantChanges != nil {
				var got []string
				for _, o := range []struct {
					dir string
					out *playgroundOutput
				}{{"request", res.Request}, {"response", res.Response}} {
					if o.out == nil || o.out.View == nil {
						continue
					}
					for _, c := range o.out.View.Changes {
						s := o.dir + " " + c.Path + " " + c.Kind
						for _, b := range c.By {
							s += " " + b.Rule
							if b.Detector != "" {
								s += "/" + b.Detector
							}
						}
						got = append(got, s)
					}
				}
				if !slices.Equal(got, tc.wantChanges) {
					t.Errorf("changes %q, want %q", got, tc.wantChanges)
				}
			}
			var lines []int
			for _, d := range res.Diagnostics {
				if d.Severity == "error" {
					lines = append(lines, d.Line)
				}
			}
			if !slices.Equal(lines, tc.wantDiagLines) {
				t.Errorf("error diagnostics at lines %v, want %v: %+v", lines, tc.wantDiagLines, res.Diagnostics)
			}
			if tc.wantReply != 0 {
				if res.LocalReply == nil || res.LocalReply.Status != tc.wantReply {
					t.Errorf("local reply %+v, want status %d", res.LocalReply, tc.wantReply)
				}
				if res.Request == nil || !res.Request.Rejected || res.Response != nil {
					t.Errorf("request %+v, response %+v: want the request rejected, no response", res.Request, res.Response)
				}
			}
			if tc.wantMetric != "" && !slices.ContainsFunc(res.Metrics, func(m playgroundMetric) bool {
				return strings.Contains(m.Name, tc.wantMetric) && m.Delta == 1
			}) {
				t.Errorf("no metric %q moved by 1: %+v", tc.wantMetric, res.Metrics)
			}
			if tc.wantAudit != "" {
				var got []string
				if res.Audit != nil {
					for _, f := range res.Audit.Findings {
						got = append(got, strings.Join([]string{f.Direction, f.Rule, f.Mode, itoa(f.Count)}, " "))
					}
				}
				if !slices.Contains(got, tc.wantAudit) {
					t.Errorf("audit findings %q, want %q among them", got, tc.wantAudit)
				}
			}
			if tc.wantHeader != "" {
				var got []string
				for _, c := range res.Response.HeaderChanges {
					got = append(got, c.Name+" "+c.Kind)
				}
				if !slices.Equal(got, []string{tc.wantHeader}) {
					t.Errorf("response header changes %q, want [%s]", got, tc.wantHeader)
				}
			}
			if tc.wantInputErr != "" && !slices.Contains(res.InputErrors, tc.wantInputErr) {
				t.Errorf("input errors %q, want %q", res.InputErrors, tc.wantInputErr)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Every bundled example loads from the menu and runs, each change tied to
// the rule that made it.
func TestPlaygroundExamples(t *testing.T) {
	srv := newPlaygroundTestServer(t)
	resp, err := http.Get(srv.URL + "/api/examples")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []playgroundExample
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	dirs, _ := fs.Glob(examples.FS, "*/rules.yaml")
	if len(list) != len(dirs) || len(list) == 0 {
		t.Fatalf("%d examples listed, %d embedded", len(list), len(dirs))
	}
	for _, ex := range list {
		_, res, raw := postRun(t, srv, playgroundRequest{Rules: ex.Rules, Request: ex.Request, Response: ex.Response, Properties: ex.Properties, Chunk: ex.Chunk})
		if !res.Ran || res.StartError != "" || len(res.Errors) > 0 {
			t.Errorf("%s: did not run cleanly: %.400s", ex.Name, raw)
			continue
		}
		n := 0
		for _, o := range []*playgroundOutput{res.Request, res.Response} {
			if o == nil || o.View == nil {
				continue
			}
			for _, c := range o.View.Changes {
				n++
				if len(c.By) == 0 {
					t.Errorf("%s: change at %s tied to no finding", ex.Name, c.Path)
				}
			}
		}
		if n == 0 && res.LocalReply == nil {
			t.Errorf("%s: nothing changed", ex.Name)
		}
	}
}

func TestPlaygroundLimits(t *testing.T) {
	srv := newPlaygroundTestServer(t)
	small := pgRulesHead + "  - id: mail\n    select: { keys: [email] }\n    action: redact\n"
	for _, tc := range []struct {
		name string
		in   playgroundRequest
		want string
	}{
		{"rules", playgroundRequest{Rules: small + "#" + strings.Repeat("x", maxPlaygroundRules)}, "the rule set is too large"},
		{"request body", playgroundRequest{Rules: small, Request: playgroundInput{Body: strings.Repeat(" ", maxPlaygroundBody+1)}}, "the request body is too large"},
		{"response body", playgroundRequest{Rules: small, Response: playgroundInput{Body: strings.Repeat(" ", maxPlaygroundBody+1)}}, "the response body is too large"},
		{"properties", playgroundRequest{Rules: small, Properties: strings.Repeat("a", maxPlaygroundAttrs+1)}, "the property list is too large"},
		{"whole request", playgroundRequest{Rules: small, Request: playgroundInput{Body: strings.Repeat("\x01", maxPlaygroundRequest/6+1)}}, "input too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, raw := postRun(t, srv, tc.in)
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(raw, tc.want) {
				t.Errorf("status %d %.200s, want 413 with %q", code, raw, tc.want)
			}
		})
	}
	// only JSON is read: a form post from another page cannot reach the API
	resp, err := http.Post(srv.URL+"/api/run", "text/plain", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain post: status %d, want 415", resp.StatusCode)
	}
}

func TestPlaygroundListen(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--listen", "127.0.0.1:0"}, true},
		{[]string{"--listen", "127.0.0.2:9"}, true},
		{[]string{"--listen", "[::1]:0"}, true},
		{[]string{"--listen", "localhost:0"}, true},
		{[]string{"--listen", "0.0.0.0:8088"}, false},
		{[]string{"--listen", ":8088"}, false},
		{[]string{"--listen", "192.0.2.1:8088"}, false},
		{[]string{"--listen", "example.com:8088"}, false},
		{[]string{"--listen", "0.0.0.0:8088", "--allow-remote"}, true},
	} {
		var out, errw bytes.Buffer
		_, err := parsePlayground(tc.args, &out, &errw)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.args, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("%q: %v does not name --allow-remote", tc.args, err)
		}
	}
	// the command line refuses it with a usage error before loading anything
	if _, stderr, code := cli(t, "playground", "--listen", "0.0.0.0:8088"); code != 2 || !strings.Contains(stderr, "not a loopback address") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}

	srv := newPlaygroundTestServer(t)
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"", "", http.StatusOK},
		{"localhost:8088", "", http.StatusOK},
		{"attacker.example", "", http.StatusMisdirectedRequest}, // DNS rebinding
		{"", "http://attacker.example", http.StatusForbidden},
		{"", "null", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/examples", nil)
		if tc.host != "" {
			req.Host = tc.host
		}
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("host %q origin %q: status %d, want %d", tc.host, tc.origin, resp.StatusCode, tc.want)
		}
	}
}

// The page and its assets carry a strict CSP and load nothing from outside.
func TestPlaygroundPageIsSelfContained(t *testing.T) {
	srv := newPlaygroundTestServer(t)
	for _, p := range []string{"/", "/app.js", "/style.css", "/api/examples"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", p, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != playgroundCSP {
			t.Errorf("%s: CSP %q", p, got)
		}
		if !strings.HasPrefix(playgroundCSP, "default-src 'self';") || strings.Contains(playgroundCSP, "unsafe") {
			t.Errorf("CSP is not strict: %q", playgroundCSP)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", p, resp.Header)
		}
		if p != "/api/examples" {
			if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`).Find(body); m != nil {
				t.Errorf("%s references %q: the page loads nothing from outside", p, m)
			}
		}
	}
	// every embedded asset is served, none is left out of the checks above
	err := fs.WalkDir(playgroundAssets, "playground", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.TrimPrefix(p, "playground/") {
		case "index.html", "app.js", "style.css":
			return nil
		}
		t.Errorf("asset %s is not checked", p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/nothing-here: status %d", resp.StatusCode)
	}
}

// Nothing typed reaches the server's log: not a body value, not the rule
// set, not an attribute, whether the exchange runs, fails or is refused.
func TestPlaygroundLogsNoInput(t *testing.T) {
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runPlayground(ctx, &playgroundConfig{listen: "127.0.0.1:0", plugin: pluginPath, profile: hosttest.Envoy133}, &logs, func(a string) { addr <- a })
	}()
	var url string
	select {
	case url = <-addr:
	case err := <-done:
		t.Fatal(err)
	}
	const secret = "canary-4f9c2e@example.com"
	post := func(ct, body string) {
		resp, err := http.Post("http://"+url+"/api/run", ct, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, in := range []playgroundRequest{
		{Rules: pgRulesHead + "  - id: mail\n    select: { keys: [email] }\n    action: redact\n",
			Request:  playgroundInput{Path: "/" + secret, Headers: "x-who: " + secret, Body: `{"email":"` + secret + `"}`},
			Response: playgroundInput{Body: `{"note":"` + secret + `"}`}, Properties: "connection.x=" + secret},
		{Rules: pgRulesHead + "  - id: " + secret + "\n    select: { keys: [email] }\n    action: redactt\n", Request: playgroundInput{Body: secret}},
		{Rules: "version: 1\nname: pg\nrules: [{id: a, select: {keys: [a]}, action: {redact: {with: " + secret + "}}}]\n", Request: playgroundInput{Body: "{not json " + secret}},
		{Rules: "version: 1\nrules: []\n", Request: playgroundInput{Body: strings.Repeat(secret, maxPlaygroundBody/len(secret)+1)}},
	} {
		b, _ := json.Marshal(in)
		post("application/json", string(b))
	}
	post("application/json", `{"rules": "`+secret)
	post("text/plain", secret)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "canary") {
		t.Errorf("the log holds input:\n%s", logs.String())
	}
}

func TestPlaygroundExampleFlags(t *testing.T) {
	for _, tc := range []struct {
		flags, err string
		want       playgroundExample
	}{
		{flags: "# who\n--path=/a\n-H=x-a: 1\n-H=x-b: 2\n--property=connection.mtls=true\n--response-header=content-type: text/event-stream\n--chunk=64\n--status=201\n--method=PUT\n",
			want: playgroundExample{Request: playgroundInput{Method: "PUT", Path: "/a", Headers: "x-a: 1\nx-b: 2"},
				Response: playgroundInput{Status: 201, Headers: "content-type: text/event-stream"}, Properties: "connection.mtls=true", Chunk: 64}},
		{flags: "--env=A=b\n", err: "--env: the playground has no such attribute"},
		{flags: "--chunk=x\n", err: "--chunk: want a number"},
		{flags: "--path\n", err: `line "--path": want --name=value`},
	} {
		var got playgroundExample
		err := got.applyFlags(tc.flags)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %q", tc.flags, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %+v, %v; want %+v", tc.flags, got, err, tc.want)
		}
	}
}

// BenchmarkPlaygroundRun is one re-run as the page asks for it on an edit:
// lint, a fresh VM started with the rule set, the exchange, the views.
//
//	go test ./host-test/cmd/veil -run '^$' -bench PlaygroundRun -benchtime 50x
func BenchmarkPlaygroundRun(b *testing.B) {
	mod, err := playgroundModule()
	if err != nil {
		b.Fatal(err)
	}
	list, err := playgroundExamples(examples.FS)
	if err != nil {
		b.Fatal(err)
	}
	r := newPlaygroundRunner(mod)
	for _, ex := range list {
		if ex.Name != "customer-api" && ex.Name != "llm-chat" {
			continue
		}
		in := playgroundRequest{Rules: ex.Rules, Request: ex.Request, Response: ex.Response, Properties: ex.Properties, Chunk: ex.Chunk}
		b.Run(ex.Name, func(b *testing.B) {
			for b.Loop() {
				if res := r.run(context.Background(), &in); !res.Ran {
					b.Fatal("did not run")
				}
			}
		})
	}
}
