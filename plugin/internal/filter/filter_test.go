package filter

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// Every test here runs twice: natively through the SDK's proxytest, and as
// the plugin built from the tree's source (testmodule.Plugin) through
// proxytest.NewWasmVMContext (an independent wazero host). proxytest holds a
// global lock: no t.Parallel.

// runner makes a fresh VM context for one test.
type runner struct {
	name string
	vm   func(t *testing.T) types.VMContext
}

var runners = []runner{
	{"native", func(*testing.T) types.VMContext { return &VM{} }},
	{"wasm", sharedWasmVM},
}

// wasmVM is built and compiled once per test binary: a fresh plugin context
// per test is enough isolation, and compiling the module costs seconds.
var wasmVM struct {
	once sync.Once
	vm   proxytest.WasmVMContext
	err  error
}

func sharedWasmVM(t *testing.T) types.VMContext {
	wasmVM.once.Do(func() {
		var path string
		var wasm []byte
		if path, wasmVM.err = testmodule.Plugin(t.TempDir()); wasmVM.err == nil {
			wasm, wasmVM.err = os.ReadFile(path)
		}
		if wasmVM.err == nil {
			wasmVM.vm, wasmVM.err = proxytest.NewWasmVMContext(wasm)
		}
	})
	if wasmVM.err != nil {
		t.Fatal(wasmVM.err)
	}
	return wasmVM.vm
}

// forEachRunner runs fn once per runner as a subtest.
func forEachRunner(t *testing.T, fn func(t *testing.T, vm types.VMContext)) {
	for _, r := range runners {
		t.Run(r.name, func(t *testing.T) { fn(t, r.vm(t)) })
	}
}

// startPlugin starts a plugin with the given rule set and fails the test if it does not start.
func startPlugin(t *testing.T, vm types.VMContext, ruleSet string) proxytest.HostEmulator {
	t.Helper()
	host, status := newHost(t, vm, ruleSet)
	if status != types.OnPluginStartStatusOK {
		t.Fatalf("plugin did not start: %v", host.GetCriticalLogs())
	}
	return host
}

func newHost(t *testing.T, vm types.VMContext, ruleSet string) (proxytest.HostEmulator, types.OnPluginStartStatus) {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(ruleSet))
	host, reset := proxytest.NewHostEmulator(opt)
	t.Cleanup(reset)
	if host.StartVM() != types.OnVMStartStatusOK {
		t.Fatal("vm did not start")
	}
	return host, host.StartPlugin()
}

// exchange is one HTTP exchange driven through the emulator.
type exchange struct {
	requestHeaders  [][2]string
	requestBody     string // empty: headers end the request
	responseHeaders [][2]string
	responseBody    string
}

// result is what the upstream and the client saw.
type result struct {
	requestHeaders  [][2]string
	requestBody     string
	responseHeaders [][2]string
	responseBody    string
	localReply      *proxytest.LocalHttpResponse
}

func jsonRequest(body string, extra ...[2]string) [][2]string {
	h := [][2]string{{":method", "POST"}, {":path", "/api/customers"}, {":authority", "example.com"},
		{"content-type", "application/json"}, {"content-length", "1"}, {"x-request-id", "req-1"}}
	return append(h, extra...)
}

func jsonResponse(extra ...[2]string) [][2]string {
	h := [][2]string{{":status", "200"}, {"content-type", "application/json; charset=utf-8"}, {"content-length", "1"}}
	return append(h, extra...)
}

func run(host proxytest.HostEmulator, x exchange) result {
	id := host.InitializeHttpContext()
	var r result
	host.CallOnRequestHeaders(id, x.requestHeaders, x.requestBody == "")
	if x.requestBody != "" {
		host.CallOnRequestBody(id, []byte(x.requestBody), true)
	}
	r.requestHeaders = host.GetCurrentRequestHeaders(id)
	r.requestBody = string(host.GetCurrentRequestBody(id))
	if r.localReply = host.GetSentLocalResponse(id); r.localReply != nil {
		host.CompleteHttpContext(id)
		return r
	}
	if x.responseHeaders != nil {
		host.CallOnResponseHeaders(id, x.responseHeaders, x.responseBody == "")
		if x.responseBody != "" {
			host.CallOnResponseBody(id, []byte(x.responseBody), true)
		}
		r.responseHeaders = host.GetCurrentResponseHeaders(id)
		r.responseBody = string(host.GetCurrentResponseBody(id))
		r.localReply = host.GetSentLocalResponse(id)
	}
	host.CompleteHttpContext(id)
	return r
}

func hasHeader(headers [][2]string, name string) bool {
	for _, h := range headers {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// assertJSON compares two JSON documents by value.
func assertJSON(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

const emailRules = `
version: 1
name: test
rules:
  - id: email
    select: { keys: [email] }
    action: redact
`

// TestExamples runs every examples/<name>/ folder as a golden test:
// request.json and response.json through rules.yaml must give
// want-request.json and want-response.json byte for byte. A folder with a
// flags file (an identity, a request path) is golden-tested with those
// flags through the .wasm instead (host-test/cmd/veil TestExamplesWithFlags).
func TestExamples(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "..", "examples", "*", "rules.yaml"))
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	for _, rulesFile := range dirs {
		dir := filepath.Dir(rulesFile)
		if _, err := os.Stat(filepath.Join(dir, "flags")); err == nil {
			continue
		}
		read := func(t *testing.T, name string) string {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			forEachRunner(t, func(t *testing.T, vm types.VMContext) {
				host := startPlugin(t, vm, read(t, "rules.yaml"))
				r := run(host, exchange{
					requestHeaders: jsonRequest(""), requestBody: read(t, "request.json"),
					responseHeaders: jsonResponse(), responseBody: read(t, "response.json"),
				})
				if r.localReply != nil {
					t.Fatalf("unexpected local reply %d %s", r.localReply.StatusCode, r.localReply.Data)
				}
				if got, want := r.requestBody, read(t, "want-request.json"); got != want {
					t.Errorf("request body:\n got %s\nwant %s", got, want)
				}
				if got, want := r.responseBody, read(t, "want-response.json"); got != want {
					t.Errorf("response body:\n got %s\nwant %s", got, want)
				}
			})
		})
	}
}

func TestContentLengthRemovedInScope(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		r := run(host, exchange{
			requestHeaders: jsonRequest(""), requestBody: `{"email":"a@b.c"}`,
			responseHeaders: jsonResponse(), responseBody: `{"id":1}`,
		})
		if hasHeader(r.requestHeaders, "content-length") || hasHeader(r.responseHeaders, "content-length") {
			t.Error("content-length must be removed from both in-scope directions")
		}
	})
}

func TestRedactsBothDirections(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		r := run(host, exchange{
			requestHeaders: jsonRequest(""), requestBody: `{"user":{"email":"a@example.com","name":"A"}}`,
			responseHeaders: jsonResponse(), responseBody: `[{"EMAIL":"b@example.com"},{"id":2}]`,
		})
		assertJSON(t, "request", r.requestBody, `{"user":{"email":"[REDACTED]","name":"A"}}`)
		assertJSON(t, "response", r.responseBody, `[{"EMAIL":"[REDACTED]"},{"id":2}]`)
		if n, err := host.GetCounterMetric("veil.values.rule_set.test.rule.email.action.redact.direction.request.mode.enforce"); err != nil || n != 1 {
			t.Errorf("request values counter = %d, %v; want 1", n, err)
		}
		if n, err := host.GetCounterMetric("veil.bodies_changed.rule_set.test.direction.response"); err != nil || n != 1 {
			t.Errorf("response bodies_changed = %d, %v; want 1", n, err)
		}
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		if !strings.Contains(audit, `"request_id":"req-1"`) || !strings.Contains(audit, `$.user.email`) {
			t.Errorf("audit line missing or incomplete: %q", audit)
		}
		if strings.Contains(audit, "example.com") {
			t.Errorf("audit line leaks a value: %q", audit)
		}
	})
}

// A body the rules leave as it is is not replaced: same bytes, no
// bodies_changed count and, natively, no replace call at all (host-test's
// TestPluginWritesBodyOnlyWhenChanged watches the .wasm's buffer writes).
func TestUnchangedBodyIsNotReplaced(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		replaced := countBodyReplacements(t)
		host := startPlugin(t, vm, emailRules)
		body := `{ "name" : "A",   "n": 1.50e2 }`
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: body})
		if r.requestBody != body {
			t.Errorf("body changed: %q", r.requestBody)
		}
		if n, _ := host.GetCounterMetric("veil.bodies_changed.rule_set.test.direction.request"); n != 0 {
			t.Errorf("bodies_changed = %d, want 0", n)
		}
		if replaced[rules.Request] != 0 {
			t.Errorf("unchanged body replaced %d times", replaced[rules.Request])
		}
		run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"email":"a@b.c"}`})
		if _, native := vm.(*VM); native && replaced[rules.Request] != 1 {
			t.Errorf("changed body replaced %d times, want 1", replaced[rules.Request])
		}
	})
}

// countBodyReplacements counts the plugin's body replacements per direction
// until the test ends. Only native runs go through this package's hostCalls;
// the .wasm has its own.
func countBodyReplacements(t *testing.T) *[len(hostCalls)]int {
	var n [len(hostCalls)]int
	saved := hostCalls
	t.Cleanup(func() { hostCalls = saved })
	for d, calls := range saved {
		if calls.replaceBody != nil {
			hostCalls[d].replaceBody = func(body []byte) error {
				n[d]++
				return calls.replaceBody(body)
			}
		}
	}
	return &n
}

// A label listed in match.never_sniff is never read (nor is its
// content-length dropped).
func TestOutOfScopeContentTypeIsUntouched(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules+"match: { never_sniff: [text/plain] }\n")
		body := `{"email":"a@example.com"}`
		headers := [][2]string{{":method", "POST"}, {":path", "/x"}, {"content-type", "text/plain"}, {"content-length", "25"}}
		r := run(host, exchange{requestHeaders: headers, requestBody: body})
		if r.requestBody != body {
			t.Errorf("text/plain body changed: %q", r.requestBody)
		}
		if !hasHeader(r.requestHeaders, "content-length") {
			t.Error("content-length of an out-of-scope body must stay")
		}
	})
}

func TestInvalidJSONIsRejected(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"email": "a@example.com"`})
		if r.localReply == nil || r.localReply.StatusCode != 400 {
			t.Fatalf("want a 400 local reply, got %+v", r.localReply)
		}
		assertJSON(t, "reply", string(r.localReply.Data), `{"error":"invalid_json","rule_set":"test"}`)
		for _, l := range host.GetWarnLogs() {
			if strings.Contains(l, "a@example.com") {
				t.Errorf("warning leaks the body: %q", l)
			}
		}
	})
}

func TestBadRuleSetRefusesToStart(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host, status := newHost(t, vm, "version: 1\nrules:\n  - id: x\n    select: { paths: [\"$.a[\"] }\n    action: redact\n")
		if status != types.OnPluginStartStatusFailed {
			t.Fatalf("start status = %v, want failed", status)
		}
		logs := strings.Join(host.GetCriticalLogs(), "\n")
		if !strings.Contains(logs, ConfigName+":4:") || !strings.Contains(logs, `rule "x"`) {
			t.Errorf("critical log does not name the line and rule: %q", logs)
		}
	})
}

func TestParseConfigRejectsEmpty(t *testing.T) {
	if _, err := ParseConfig(nil); err == nil {
		t.Fatal("empty configuration accepted")
	}
}

// ruleSetWith returns the email rule set with extra top-level fields.
func ruleSetWith(extra string) string { return emailRules + extra }

func TestFailureModes(t *testing.T) {
	big := `{"email":"` + strings.Repeat("x", 2048) + `"}`
	cases := []struct {
		name       string
		extra      string // rule-set fields
		headers    [][2]string
		body       string
		wantStatus uint32 // 0: passed through
		kind       string
	}{
		{"invalid json rejected", "", jsonRequest(""), `{"email":`, 400, "invalid_json"},
		{"invalid json passed", "on: { invalid_json: pass }\n", jsonRequest(""), `{"email":`, 0, "invalid_json"},
		{"too deep rejected", "", jsonRequest(""), strings.Repeat("[", 200) + strings.Repeat("]", 200), 400, "invalid_json"},
		{"oversize rejected", "limits: { max_body_bytes: 1024 }\n", jsonRequest(""), big, 413, "oversize"},
		{"oversize passed", "limits: { max_body_bytes: 1024 }\non: { oversize: pass }\n", jsonRequest(""), big, 0, "oversize"},
		{"encoded rejected", "", jsonRequest("", [2]string{"content-encoding", "gzip"}), `{"email":"a@b.c"}`, 415, "encoded"},
		{"encoded passed", "on: { encoded: pass }\n", jsonRequest("", [2]string{"content-encoding", "gzip"}), `{"email":"a@b.c"}`, 0, "encoded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachRunner(t, func(t *testing.T, vm types.VMContext) {
				host := startPlugin(t, vm, ruleSetWith(c.extra))
				r := run(host, exchange{requestHeaders: c.headers, requestBody: c.body})
				outcome := "pass"
				if c.wantStatus != 0 {
					outcome = "reject"
					if r.localReply == nil || r.localReply.StatusCode != c.wantStatus {
						t.Fatalf("want a %d local reply, got %+v", c.wantStatus, r.localReply)
					}
					assertJSON(t, "reply", string(r.localReply.Data), `{"error":"`+c.kind+`","rule_set":"test"}`)
				} else {
					if r.localReply != nil {
						t.Fatalf("unexpected local reply %d %s", r.localReply.StatusCode, r.localReply.Data)
					}
					if r.requestBody != c.body {
						t.Errorf("passed body changed: %q", r.requestBody)
					}
				}
				name := "veil.failures.rule_set.test.kind." + c.kind + ".outcome." + outcome + ".direction.request"
				if n, err := host.GetCounterMetric(name); err != nil || n != 1 {
					t.Errorf("%s = %d, %v; want 1", name, n, err)
				}
				warns := host.GetWarnLogs()
				if len(warns) != 1 || !strings.Contains(warns[0], c.kind) {
					t.Errorf("want one warning naming %s, got %q", c.kind, warns)
				}
			})
		})
	}
}

func TestResponseRejectIs502(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{}`,
			responseHeaders: jsonResponse(), responseBody: `{"email": nope}`})
		if r.localReply == nil || r.localReply.StatusCode != 502 {
			t.Fatalf("want a 502 local reply, got %+v", r.localReply)
		}
	})
}

func TestLocalReplyIsNotProcessedAgain(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, jsonRequest(""), false)
		host.CallOnRequestBody(id, []byte(`not json`), true)
		if host.GetSentLocalResponse(id) == nil {
			t.Fatal("no local reply")
		}
		// Envoy passes the reply through this filter's own response callbacks.
		reply := `{"email":"must stay, this is our own reply"}`
		host.CallOnResponseHeaders(id, jsonResponse(), false)
		host.CallOnResponseBody(id, []byte(reply), true)
		if got := string(host.GetCurrentResponseBody(id)); got != reply {
			t.Errorf("own local reply was processed again: %q", got)
		}
		if len(host.GetWarnLogs()) != 1 {
			t.Errorf("want exactly one warning, got %q", host.GetWarnLogs())
		}
		host.CompleteHttpContext(id)
	})
}

func TestTrailersEndTheBody(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, jsonRequest(""), false)
		if a := host.CallOnRequestBody(id, []byte(`{"email":"a@example.com"}`), false); a != types.ActionPause {
			t.Fatalf("body without end of stream: action %v, want pause", a)
		}
		host.CallOnRequestTrailers(id, [][2]string{{"grpc-status", "0"}})
		assertJSON(t, "request", string(host.GetCurrentRequestBody(id)), `{"email":"[REDACTED]"}`)
		host.CompleteHttpContext(id)
	})
}

func TestEmptyBodies(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, jsonRequest(""), false)
		host.CallOnRequestBody(id, nil, true) // a final zero-size call
		if r := host.GetSentLocalResponse(id); r != nil {
			t.Fatalf("empty body rejected: %d %s", r.StatusCode, r.Data)
		}
		host.CallOnResponseHeaders(id, jsonResponse(), true) // headers end the response
		host.CompleteHttpContext(id)
		if n, _ := host.GetCounterMetric("veil.bodies_inspected.rule_set.test.direction.request"); n != 0 {
			t.Errorf("empty body counted as inspected: %d", n)
		}
	})
}

func TestOutOfScopePathAndMethod(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, ruleSetWith("match: { paths: [\"/api/**\"], methods: [POST] }\n"))
		body := `{"email":"a@example.com"}`
		for _, h := range [][][2]string{
			{{":method", "POST"}, {":path", "/health?email=x"}, {"content-type", "application/json"}},
			{{":method", "PUT"}, {":path", "/api/users/1"}, {"content-type", "application/json"}},
		} {
			if r := run(host, exchange{requestHeaders: h, requestBody: body}); r.requestBody != body {
				t.Errorf("%v: out-of-scope body changed: %q", h, r.requestBody)
			}
		}
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: body})
		assertJSON(t, "in scope", r.requestBody, `{"email":"[REDACTED]"}`)
	})
}

func TestShadowReportsLikeEnforce(t *testing.T) {
	body := `{"users":[{"email":"a@example.com"},{"Email":"b@example.com"}]}`
	audits := map[string]string{}
	for _, mode := range []string{"enforce", "shadow"} {
		forEachRunner(t, func(t *testing.T, vm types.VMContext) {
			host := startPlugin(t, vm, ruleSetWith("mode: "+mode+"\n"))
			r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: body})
			if mode == "shadow" && r.requestBody != body {
				t.Errorf("shadow mode changed the body: %q", r.requestBody)
			}
			if mode == "enforce" && r.requestBody == body {
				t.Error("enforce mode left the body unchanged")
			}
			name := "veil.values.rule_set.test.rule.email.action.redact.direction.request.mode." + mode
			if n, err := host.GetCounterMetric(name); err != nil || n != 2 {
				t.Errorf("%s = %d, %v; want 2", name, n, err)
			}
			for _, l := range host.GetInfoLogs() {
				if strings.HasPrefix(l, AuditPrefix) {
					audits[mode] = strings.Replace(l, `"mode":"`+mode+`"`, `"mode":"?"`, 1)
				}
			}
		})
	}
	if audits["enforce"] == "" || audits["enforce"] != audits["shadow"] {
		t.Errorf("shadow and enforce reports differ:\n%s\n%s", audits["enforce"], audits["shadow"])
	}
}

// faultVM builds plugin contexts whose Apply panics on FaultMarker, as the
// veilfaults build does (host-test runs that build as .wasm).
type faultVM struct{ VM }

func (faultVM) NewPluginContext(uint32) types.PluginContext {
	return &pluginContext{inject: injectPanics}
}

func TestPanicIsRecoveredAsOnError(t *testing.T) {
	for _, c := range []struct {
		extra      string
		wantStatus uint32
	}{{"", 500}, {"on: { error: pass }\n", 0}} {
		t.Run(fmt.Sprint(c.wantStatus), func(t *testing.T) { testPanicRecovered(t, c.extra, c.wantStatus) })
	}
}

func testPanicRecovered(t *testing.T, extra string, wantStatus uint32) {
	host := startPlugin(t, &faultVM{}, ruleSetWith(extra))
	body := `{"k":"` + FaultMarker + `"}`
	r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: body})
	switch {
	case wantStatus == 0 && (r.localReply != nil || r.requestBody != body):
		t.Errorf("on.error pass: got reply %+v body %q", r.localReply, r.requestBody)
	case wantStatus != 0 && (r.localReply == nil || r.localReply.StatusCode != wantStatus):
		t.Errorf("on.error reject: got reply %+v", r.localReply)
	}
	// The VM stays healthy for the next request.
	r = run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"email":"a@b.c"}`})
	assertJSON(t, "next request", r.requestBody, `{"email":"[REDACTED]"}`)
}

func TestReportHeader(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, ruleSetWith("report_header: x-veil\n"))
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, jsonRequest(""), true)
		if a := host.CallOnResponseHeaders(id, jsonResponse(), false); a != types.ActionPause {
			t.Fatalf("response headers: action %v, want pause (held for the report)", a)
		}
		host.CallOnResponseBody(id, []byte(`[{"email":"a@b.c"},{"email":"d@e.f"}]`), true)
		var got string
		for _, h := range host.GetCurrentResponseHeaders(id) {
			if h[0] == "x-veil" {
				got = h[1]
			}
		}
		if got != "email=2" {
			t.Errorf("x-veil = %q, want %q", got, "email=2")
		}
		host.CompleteHttpContext(id)
	})
}

// A client that omits content-type must not bypass the filter: a body that
// parses as JSON is rewritten; one that does not is forwarded as is.
func TestUntypedBodies(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		headers := [][2]string{{":method", "POST"}, {":path", "/api"}, {"content-length", "9"}}
		r := run(host, exchange{requestHeaders: headers, requestBody: `{"email":"a@b.c"}`})
		assertJSON(t, "untyped JSON", r.requestBody, `{"email":"[REDACTED]"}`)
		form := "email=a%40b.c&name=x"
		r = run(host, exchange{requestHeaders: headers, requestBody: form})
		if r.localReply != nil || r.requestBody != form {
			t.Errorf("untyped non-JSON body: reply %+v, body %q", r.localReply, r.requestBody)
		}
	})
}

// TestAuditNamesDetectors: the audit line names, per path, the detector
// that found the span and its evidence, never the value.
func TestAuditNamesDetectors(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, "version: 1\nname: test\nrules:\n  - id: mails\n    select: { detect: [email] }\n    action: redact\n")
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"note":"write to ann@example.com today"}`})
		assertJSON(t, "request", r.requestBody, `{"note":"write to [REDACTED] today"}`)
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		if !strings.Contains(audit, `"paths":["$.note"],"detectors":["email"],"evidence":["format"]`) || strings.Contains(audit, "ann@") {
			t.Errorf("audit line: %q", audit)
		}
	})
}

// TestAuditNeverSpellsAFlaggedName: a map keyed by an address is rewritten,
// and neither the address nor a path spelling it reaches the audit line.
func TestAuditNeverSpellsAFlaggedName(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		src := "version: 1\nname: test\nrules:\n  - id: mails\n    select: { detect: [email] }\n    action: { redact: { with: \"[email]\" } }\n" +
			"  - id: plans\n    select: { keys: [plan] }\n    action: redact\n"
		host := startPlugin(t, vm, src)
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"users":{"ann@example.com":{"plan":"pro"}}}`})
		assertJSON(t, "request", r.requestBody, `{"users":{"[email]":{"plan":"[REDACTED]"}}}`)
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		if !strings.Contains(audit, `"paths":["$.users[<name>]"]`) || !strings.Contains(audit, `"paths":["$.users[<name>].plan"]`) || strings.Contains(audit, "ann@") {
			t.Errorf("audit line: %q", audit)
		}
	})
}

// TestAuditHidesPersonalNamesWithoutDetectors: a rule set without detectors
// (a key rule below the name, a remove rule on it, a shadow rule) still
// writes a member name that looks like personal data as [<name>].
func TestAuditHidesPersonalNamesWithoutDetectors(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		src := "version: 1\nname: test\nrules:\n  - id: plans\n    select: { keys: [plan] }\n    action: redact\n" +
			"  - id: drop\n    select: { paths: [\"$.gone.*\"] }\n    action: remove\n" +
			"  - id: peek\n    mode: shadow\n    select: { keys: [tier] }\n    action: redact\n"
		host := startPlugin(t, vm, src)
		r := run(host, exchange{requestHeaders: jsonRequest(""),
			requestBody: `{"users":{"ann\u0040example.com":{"plan":"pro","tier":1}},"gone":{"4111 1111 1111 1111":1}}`})
		assertJSON(t, "request", r.requestBody, `{"users":{"ann\u0040example.com":{"plan":"[REDACTED]","tier":1}},"gone":{}}`)
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		for _, want := range []string{`"paths":["$.users[<name>].plan"]`, `"paths":["$.gone[<name>]"]`, `"paths":["$.users[<name>].tier"]`} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit line lacks %s: %q", want, audit)
			}
		}
		for _, bad := range []string{"ann", "example", "4111"} {
			if strings.Contains(audit, bad) {
				t.Errorf("audit line spells %q: %q", bad, audit)
			}
		}
	})
}
