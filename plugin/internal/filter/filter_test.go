package filter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// Every test here runs twice: natively through the SDK's proxytest, and as
// the built build/veil.wasm through proxytest.NewWasmVMContext (an
// independent wazero host). proxytest holds a global lock: no t.Parallel.

// wasmPath is the module `make build` produces.
var wasmPath = filepath.Join("..", "..", "..", "build", "veil.wasm")

// runner makes a fresh VM context for one test.
type runner struct {
	name string
	vm   func(t *testing.T) types.VMContext
}

var runners = []runner{
	{"native", func(*testing.T) types.VMContext { return &VM{} }},
	{"wasm", func(t *testing.T) types.VMContext {
		wasm, err := os.ReadFile(wasmPath)
		if err != nil {
			t.Fatalf("%v: run `make build` first (make test does)", err)
		}
		vm, err := proxytest.NewWasmVMContext(wasm)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { vm.Close() })
		return vm
	}},
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

func TestExampleCustomerAPI(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "examples", "customer-api")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, read("rules.yaml"))
		r := run(host, exchange{
			requestHeaders: jsonRequest(""), requestBody: read("request.json"),
			responseHeaders: jsonResponse(), responseBody: read("response.json"),
		})
		if r.localReply != nil {
			t.Fatalf("unexpected local reply %d %s", r.localReply.StatusCode, r.localReply.Data)
		}
		if got, want := r.requestBody, read("want-request.json"); got != want {
			t.Errorf("request body:\n got %s\nwant %s", got, want)
		}
		if got, want := r.responseBody, read("want-response.json"); got != want {
			t.Errorf("response body:\n got %s\nwant %s", got, want)
		}
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

func TestUnchangedBodyIsNotReplaced(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		body := `{ "name" : "A",   "n": 1.50e2 }`
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: body})
		if r.requestBody != body {
			t.Errorf("body changed: %q", r.requestBody)
		}
		if n, _ := host.GetCounterMetric("veil.bodies_changed.rule_set.test.direction.request"); n != 0 {
			t.Errorf("bodies_changed = %d, want 0", n)
		}
	})
}

func TestOutOfScopeContentTypeIsUntouched(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
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
