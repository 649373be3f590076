package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veilproxy/veil/host-test/testmodule"
)

// testServe runs veil serve in process with c (plugin, admin and listen
// filled in) until the test ends, and returns the proxy's and the admin's
// base URLs and the access log.
func testServe(t testing.TB, c serveConfig) (proxyURL, adminURL string, logs *syncBuffer) {
	t.Helper()
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	c.plugin, c.listen, c.admin = pluginPath, "127.0.0.1:0", "127.0.0.1:0"
	if c.workers == 0 {
		c.workers = 2
	}
	if c.examples == "" {
		root, err := testmodule.RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		c.examples = filepath.Join(root, "examples")
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	ready := make(chan [2]string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, &c, logs, func(p, a string) { ready <- [2]string{p, a} }) }()
	select {
	case addrs := <-ready:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return "http://" + addrs[0], "http://" + addrs[1], logs
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	return
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func exampleRules(t testing.TB, name string) string {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "examples", name, "rules.yaml")
}

func get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// Through --demo, every example without a caller or keys answers
// /examples/NAME with exactly its want-response file, streamed examples
// included; the access log has one line per request with the audit
// summary and no value.
func TestServeDemoExamples(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		name := filepath.Base(dir)
		rules, _ := os.ReadFile(filepath.Join(dir, "rules.yaml"))
		// A caller (path, headers, properties) is not what the demo's GET
		// sends; the stream example's flags only label its response.
		flags, _ := os.ReadFile(filepath.Join(dir, "flags"))
		if bytes.Contains(flags, []byte("--path")) || bytes.Contains(flags, []byte("--property")) || bytes.Contains(flags, []byte("-H=")) ||
			bytes.Contains(rules, []byte("crypto_keys")) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			proxy, _, logs := testServe(t, serveConfig{rulesFile: filepath.Join(dir, "rules.yaml"), demo: true})
			_, wantFile := responseFile(dir)
			want, _ := os.ReadFile(filepath.Join(dir, wantFile))
			resp, got := get(t, proxy+"/examples/"+name)
			if resp.StatusCode != 200 || !bytes.Equal(got, want) {
				t.Errorf("GET /examples/%s: %d\n%s\nwant\n%s", name, resp.StatusCode, got, want)
			}
			line := logs.String()
			if !strings.Contains(line, "GET /examples/"+name+" 200 ") || !strings.Contains(line, ` audit={"request_id":"`) {
				t.Errorf("access log lacks the request or its audit: %s", line)
			}
		})
	}
}

// plantedRequest is a customer-api request whose personal data is unique
// to i, so that a leak names the request it came from.
func plantedRequest(i int) (body []byte, planted []string) {
	email, ssn, card := fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("900-%02d-%04d", i%100, i%10000), fmt.Sprintf("4111 1111 %04d 1111", i%10000)
	note := fmt.Sprintf("private note %d", i)
	body = fmt.Appendf(nil, `{"customer":{"name":"N","Email":%q,"ssn":%q,"phone":"+1 415 555 %04d"},"payment":{"card_number":%q},"internal_notes":%q}`,
		email, ssn, i%10000, card, note)
	return body, []string{email, ssn, card, note, fmt.Sprintf("555 %04d", i%10000)}
}

// POST /echo/ goes through the request rules to the demo upstream and its
// echo back through the response rules; the query string never reaches the
// access log, nor does any value.
func TestServeEcho(t *testing.T) {
	proxy, admin, logs := testServe(t, serveConfig{rulesFile: exampleRules(t, "customer-api"), demo: true})
	body, planted := plantedRequest(7)
	resp, err := http.Post(proxy+"/echo/signup?email=user7@example.com", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "application/json" {
		t.Errorf("status %d content-type %q", resp.StatusCode, resp.Header.Get("content-type"))
	}
	for _, v := range planted {
		if bytes.Contains(got, []byte(v)) {
			t.Errorf("echo leaked %q: %s", v, got)
		}
		if strings.Contains(logs.String(), v) {
			t.Errorf("access log holds %q: %s", v, logs.String())
		}
	}
	if !bytes.Contains(got, []byte(`"Email":"[REDACTED]"`)) || !bytes.Contains(got, []byte(`"ssn":"[SSN]"`)) {
		t.Errorf("echo not redacted: %s", got)
	}
	if !strings.Contains(logs.String(), "POST /echo/signup?… 200 ") {
		t.Errorf("access log: %s", logs.String())
	}
	_, stats := get(t, admin+"/stats")
	if !bytes.Contains(stats, []byte("wasmcustom.veil.bodies_changed.rule_set.customer-api.direction.request: 1\n")) {
		t.Errorf("/stats:\n%s", stats)
	}
	_, prom := get(t, admin+"/stats/prometheus")
	for _, want := range []string{
		"# TYPE veil_values counter\n",
		`veil_values{rule_set="customer-api",rule="contact-email",action="redact",mode="enforce",direction="request"} 1` + "\n",
	} {
		if !bytes.Contains(prom, []byte(want)) {
			t.Errorf("/stats/prometheus lacks %q:\n%s", want, prom)
		}
	}
	if bytes.Contains(prom, []byte("wasmcustom")) {
		t.Errorf("/stats/prometheus keeps the wasmcustom prefix")
	}
}

// A record stream flows through unbuffered: the first event reaches the
// client, rewritten, while the upstream still holds the rest of the stream
// back (it waits for the client to have it). The event ends a sentence:
// text that could continue into the next delta is held by the filter
// (stream_text), which is the plugin's choice, not the proxy's.
func TestServeStreamsEvents(t *testing.T) {
	first := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/event-stream")
		io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":"mail ann.lee@example.com now. "}}]}`+"\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-first:
		case <-r.Context().Done():
			return
		case <-time.After(time.Minute): // a proxy that buffers: fail rather than hang
			return
		}
		io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":"call 415 555 0100"}}]}`+"\n\n"+"data: [DONE]\n\n")
	}))
	defer upstream.Close()
	proxy, _, _ := testServe(t, serveConfig{rulesFile: exampleRules(t, "llm-stream"), upstream: upstream.URL})
	resp, err := http.Post(proxy+"/v1/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	event, err := rd.ReadString('\n')
	if err != nil {
		t.Fatalf("first event: %v", err)
	}
	close(first)
	if strings.Contains(event, "ann.lee@example.com") || !strings.Contains(event, "[email]") {
		t.Errorf("first event %q", event)
	}
	rest, _ := io.ReadAll(rd)
	if !bytes.Contains(rest, []byte("[DONE]")) || bytes.Contains(rest, []byte("415 555 0100")) {
		t.Errorf("rest of the stream: %q", rest)
	}
}

// A block rule answers from the request path with the plugin's local
// reply. As in Envoy, the request headers went upstream when the filter let
// them go, but the body never does: the upstream request is reset.
func TestServeLocalReply(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err == nil {
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}
	}))
	defer upstream.Close()
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(rules, []byte("version: 1\nname: b\nrules:\n  - {id: no-ssn, select: {keys: [ssn]}, action: {block: {status: 403}}}\n"), 0o644)
	proxy, _, logs := testServe(t, serveConfig{rulesFile: rules, upstream: upstream.URL})
	for _, tc := range []struct {
		body   string
		status int
	}{{`{"ssn":"123-45-6789"}`, 403}, {`{"ok":1}`, 200}, {`{"a":[{"ssn":"987-65-4321"}]}`, 403}} {
		resp, err := http.Post(proxy+"/x", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || bytes.Contains(got, []byte("-6")) {
			t.Errorf("%s: status %d body %q, want %d", tc.body, resp.StatusCode, got, tc.status)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || bodies[0] != `{"ok":1}` {
		t.Errorf("upstream received bodies %q, want only the allowed one", bodies)
	}
	if !strings.Contains(logs.String(), "POST /x 403 ") || !strings.Contains(logs.String(), "local_reply=") {
		t.Errorf("access log: %s", logs.String())
	}
}

// --allow-on-headers-stop-iteration reaches the VMs: with it, a rule set's
// report_header is set on the response once its body was inspected;
// without it, Envoy (and serve) send the headers first.
func TestServeAllowOnHeadersStopIteration(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(rules, []byte("version: 1\nname: r\nreport_header: x-veil\nrules:\n  - {id: mail, select: {keys: [email]}, action: redact}\n"), 0o644)
	for _, allow := range []bool{false, true} {
		c, err := parseServe([]string{"--rules", rules, "--demo", fmt.Sprintf("--allow-on-headers-stop-iteration=%t", allow)}, io.Discard, io.Discard)
		if err != nil || c.filter.allowHeadersStop != allow {
			t.Fatalf("parse: %v %+v", err, c)
		}
		proxy, _, _ := testServe(t, *c)
		resp, err := http.Post(proxy+"/echo/", "application/json", strings.NewReader(`{"email":"a@b.example"}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("x-veil") != ""; got != allow {
			t.Errorf("allow=%t: x-veil %q", allow, resp.Header.Get("x-veil"))
		}
	}
}

// Command-line mistakes are usage errors.
func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--rules", "r.yaml"},
		{"serve", "--rules", "r.yaml", "--demo", "--upstream", "http://x"},
		{"serve", "--rules", "r.yaml", "--upstream", "ftp://x"},
		{"serve", "--rules", "r.yaml", "--demo", "--workers", "0"},
		{"serve", "--rules", "r.yaml", "--demo", "--env", "not-a-name"},
	} {
		if _, stderr, code := cli(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

// Shutdown is graceful: an exchange under way when serve is told to stop
// (SIGINT, SIGTERM: its context ends) completes, and serve returns after it.
func TestServeGracefulShutdown(t *testing.T) {
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	arrived, release := make(chan struct{}), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Header().Set("content-type", "application/json")
		io.WriteString(w, `{"email":"late@example.com"}`)
	}))
	defer upstream.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, done := make(chan string, 1), make(chan error, 1)
	c := &serveConfig{plugin: pluginPath, rulesFile: exampleRules(t, "customer-api"), upstream: upstream.URL,
		listen: "127.0.0.1:0", workers: 1}
	go func() { done <- serve(ctx, c, io.Discard, func(p, _ string) { ready <- p }) }()
	var proxy string
	select {
	case proxy = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	type reply struct {
		status int
		body   []byte
		err    error
	}
	got := make(chan reply, 1)
	go func() {
		resp, err := http.Get("http://" + proxy + "/slow")
		if err != nil {
			got <- reply{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- reply{resp.StatusCode, b, err}
	}()
	<-arrived
	cancel() // as SIGTERM does
	// The listener closes first: wait until new connections are refused,
	// then let the upstream answer the exchange still under way.
	for i := 0; ; i++ {
		conn, err := net.Dial("tcp", proxy)
		if err != nil {
			break
		}
		conn.Close()
		if i == 1000 {
			t.Fatal("serve still accepts connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != 200 || !bytes.Equal(r.body, []byte(`{"email":"[REDACTED]"}`)) {
		t.Errorf("exchange under way at shutdown: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// An upstream that breaks off mid-body resets the client's stream: the
// truncated body never reaches the filter as a whole one, nor the client.
func TestServeUpstreamResetMidBody(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n" + `{"email":"cut@exa`)
		buf.Flush()
		conn.Close()
	}))
	defer upstream.Close()
	proxy, _, logs := testServe(t, serveConfig{rulesFile: exampleRules(t, "customer-api"), upstream: upstream.URL})
	resp, err := http.Get(proxy + "/cut")
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil || bytes.Contains(body, []byte("cut@exa")) {
		t.Errorf("client got %q, %v; want a reset", body, err)
	}
	if !strings.Contains(logs.String(), "GET /cut 0 ") || !strings.Contains(logs.String(), "reset=upstream_reset_after_response_started") {
		t.Errorf("access log: %s", logs.String())
	}
}

// trickle is a request body of unknown length (sent chunked) that arrives
// a few bytes at a time.
type trickle struct {
	b []byte
	n int
}

func (r *trickle) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// A chunked request body arriving in pieces of every size is inspected
// whole, like one sent with content-length: no planted value reaches the
// upstream (the echo) or the client.
func TestServeChunkedRequest(t *testing.T) {
	proxy, _, _ := testServe(t, serveConfig{rulesFile: exampleRules(t, "customer-api"), demo: true})
	for _, size := range []int{1, 3, 7, 64, 1 << 20} {
		body, planted := plantedRequest(size)
		resp, err := http.Post(proxy+"/echo/chunked", "application/json", &trickle{body, size})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(got, []byte(`"ssn":"[SSN]"`)) {
			t.Errorf("pieces of %d: %d %s", size, resp.StatusCode, got)
		}
		for _, v := range planted {
			if bytes.Contains(got, []byte(v)) {
				t.Errorf("pieces of %d: %q leaked: %s", size, v, got)
			}
		}
	}
}
