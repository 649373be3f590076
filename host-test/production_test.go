package hosttest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// The plugin in production conditions (panics handled by on.error, metrics
// under Envoy's names, a memory soak, every failure mode, scope, shadow
// mode), as .wasm through this host.

const productionRules = `
version: 1
name: prod
limits: { max_body_bytes: 65536 }
rules:
  - id: email
    select: { keys: [email] }
    action: redact
  - id: card
    select: { keys: [card_number] }
    action: { mask: { keep_last: 4 } }
`

// faultMarker is plugin/internal/filter.FaultMarker (host-test cannot import
// the plugin; it only talks to it through the .wasm).
const faultMarker = "__veil_fault_panic__"

// A panic inside a rule action is recovered and handled by on.error; the VM
// stays healthy for the next request.
func TestPluginPanicIsRecovered(t *testing.T) {
	for _, c := range []struct {
		onError    string
		wantStatus int // 0: the body passes unchanged
	}{{"reject", 500}, {"pass", 0}} {
		t.Run(c.onError, func(t *testing.T) {
			vm := start(t, "veil-faults", hosttest.Envoy133, hosttest.Config{
				PluginConfig: []byte(productionRules + "on: { error: " + c.onError + " }\n")})
			body := []byte(`{"note":"` + faultMarker + `","email":"a@example.com"}`)
			res := vm.Do(jsonExchange(body, []byte(`{}`), 0))
			if res.VMError != nil {
				t.Fatalf("the panic failed the VM: %v", res.VMError)
			}
			if c.wantStatus != 0 {
				if res.LocalReply == nil || res.LocalReply.Status != c.wantStatus {
					t.Fatalf("want local reply %d, got %+v", c.wantStatus, res.LocalReply)
				}
				if want := `{"error":"error","rule_set":"prod"}`; string(res.LocalReply.Body) != want {
					t.Errorf("reply body %s, want %s", res.LocalReply.Body, want)
				}
			} else if !bytes.Equal(res.Request.Body, body) {
				t.Errorf("on.error pass changed the body: %s", res.Request.Body)
			}
			next := vm.Do(jsonExchange([]byte(`{"email":"b@example.com"}`), []byte(`{}`), 0))
			if next.VMError != nil || string(next.Request.Body) != `{"email":"[REDACTED]"}` {
				t.Errorf("next exchange: vm %v, body %s", next.VMError, next.Request.Body)
			}
		})
	}
}

// Metrics are read back from the host under Envoy's names.
func TestPluginMetrics(t *testing.T) {
	mod := load(t, "veil", hosttest.Envoy133)
	vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(productionRules)})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close(t.Context())
	vm.Do(jsonExchange([]byte(`[{"email":"a@b.c"},{"email":"d@e.f"}]`), []byte(`{"card_number":"4111111111111111"}`), 0))
	vm.Do(jsonExchange([]byte(`{"email":`), nil, 0))
	want := map[string]int64{
		"wasmcustom.veil.values.rule_set.prod.rule.email.action.redact.direction.request.mode.enforce": 2,
		"wasmcustom.veil.values.rule_set.prod.rule.card.action.mask.direction.response.mode.enforce":   1,
		"wasmcustom.veil.bodies_changed.rule_set.prod.direction.request":                               1,
		"wasmcustom.veil.bodies_inspected.rule_set.prod.direction.request":                             1,
		"wasmcustom.veil.failures.rule_set.prod.kind.invalid_json.outcome.reject.direction.request":    1,
	}
	got := mod.Metrics()
	for name, v := range want {
		if got[name].Value != v {
			t.Errorf("%s = %d, want %d", name, got[name].Value, v)
		}
	}
}

// One VM instance serves 15,000 exchanges of mixed bodies (matches, no
// matches, invalid JSON, oversize, empty, out of scope); after warm-up its
// linear memory grows by at most 5 %. TestLongPluginSoak runs 100,000.
func TestPluginSoak(t *testing.T) { soak(t, 15_000, 3_000) }

// TestLongPluginSoak is the soak of 100,000 exchanges (about a minute; make
// test-long runs it, make test skips it).
func TestLongPluginSoak(t *testing.T) { soak(t, 100_000, 5_000) }

// soak drives exchanges through one VM and fails when its linear memory
// grows by more than 5 % between the end of warm-up and the end.
func soak(t *testing.T, exchanges, warmUp int) {
	if testing.Short() {
		t.Skip("soak test: run without -short")
	}
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(productionRules)})
	var doc strings.Builder
	doc.WriteString(`{"users":[`)
	for i := range 40 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"id":%d,"email":"u%d@example.com","card_number":"4111 1111 1111 %04d","bio":"%s"}`, i, i, i, strings.Repeat("lorem ipsum ", 8))
	}
	doc.WriteString(`]}`)
	matching := []byte(doc.String())
	clean := bytes.ReplaceAll(bytes.ReplaceAll(matching, []byte("email"), []byte("handle")), []byte("card_number"), []byte("ref"))
	bodies := []hosttest.Exchange{
		jsonExchange(matching, matching, 0),
		jsonExchange(clean, clean, 0),
		jsonExchange([]byte(`{"email": "a@b.c"`), nil, 0),       // invalid JSON: 400
		jsonExchange(bytes.Repeat([]byte(" "), 70_000), nil, 0), // oversize: 413
		jsonExchange(matching, matching, 1024),                  // chunked
		{Method: "GET", Path: "/", ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: []byte(`{}`)},
		{Path: "/", RequestHeaders: hosttest.Headers{{"content-type", "text/plain"}}, RequestBody: matching},
	}
	var afterWarmUp uint32
	for i := range exchanges {
		res := vm.Do(bodies[i%len(bodies)])
		if res.VMError != nil {
			t.Fatalf("exchange %d: %v", i, res.VMError)
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

// Every on: kind with both choices, as .wasm through this host: reject
// answers with the documented status and body, pass forwards the body
// unchanged; both log one warning naming the kind and never the body.
func TestPluginFailureModes(t *testing.T) {
	big := []byte(`{"email":"` + strings.Repeat("x", 70_000) + `"}`)
	gzipped := func(ex hosttest.Exchange) hosttest.Exchange {
		ex.RequestHeaders = append(ex.RequestHeaders, [2]string{"content-encoding", "gzip"})
		return ex
	}
	cases := []struct {
		kind   string
		ex     hosttest.Exchange
		status int
	}{
		{"invalid_json", jsonExchange([]byte(`{"email":"a@b.c"`), nil, 0), 400},
		{"invalid_json", jsonExchange([]byte(strings.Repeat("[", 300)+strings.Repeat("]", 300)), nil, 0), 400},
		{"oversize", jsonExchange(big, nil, 0), 413},
		{"oversize", jsonExchange(big, nil, 4096), 413},
		{"encoded", gzipped(jsonExchange([]byte(`{"email":"a@b.c"}`), nil, 0)), 415},
	}
	for _, c := range cases {
		for _, choice := range []string{"reject", "pass"} {
			t.Run(c.kind+"/"+choice, func(t *testing.T) {
				vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{
					PluginConfig: []byte(productionRules + "on: { " + c.kind + ": " + choice + " }\n")})
				res := vm.Do(c.ex)
				if res.VMError != nil {
					t.Fatal(res.VMError)
				}
				if choice == "reject" {
					if res.LocalReply == nil || res.LocalReply.Status != c.status {
						t.Fatalf("want local reply %d, got %+v", c.status, res.LocalReply)
					}
					if want := `{"error":"` + c.kind + `","rule_set":"prod"}`; string(res.LocalReply.Body) != want {
						t.Errorf("reply body %s, want %s", res.LocalReply.Body, want)
					}
				} else {
					if res.LocalReply != nil {
						t.Fatalf("pass answered %d", res.LocalReply.Status)
					}
					if !bytes.Equal(res.Request.Body, c.ex.RequestBody) {
						t.Error("pass changed the body")
					}
				}
				var warnings []string
				for _, l := range res.Logs {
					if l.Level == hosttest.LogWarn {
						warnings = append(warnings, l.Message)
					}
					if strings.Contains(l.Message, "a@b.c") || strings.Contains(l.Message, "xxxx") {
						t.Errorf("a log line leaks the body: %q", l.Message)
					}
				}
				if len(warnings) != 1 || !strings.Contains(warnings[0], c.kind) {
					t.Errorf("want one warning naming %s, got %q", c.kind, warnings)
				}
			})
		}
	}
}

// Exchanges outside the rule set's scope are forwarded untouched, with their
// content-length; empty bodies are neither rejected nor counted.
func TestPluginScope(t *testing.T) {
	mod := load(t, "veil", hosttest.Envoy133)
	vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(productionRules +
		"match: { paths: [\"/api/**\"], methods: [POST, PUT], never_sniff: [text/plain] }\n")})
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close(t.Context())
	body := []byte(`{"email":"a@b.c"}`)
	for name, ex := range map[string]hosttest.Exchange{
		"text/plain": {Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "text/plain"}}, RequestBody: body},
		"path":       {Path: "/health", RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body},
		"method":     {Method: "PATCH", Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body},
	} {
		res := vm.Do(ex)
		if !bytes.Equal(res.Request.Body, body) || len(res.Errors) > 0 {
			t.Errorf("%s: out-of-scope body %s, errors %q", name, res.Request.Body, res.Errors)
		}
		if _, ok := res.Request.Headers.Get("content-length"); !ok {
			t.Errorf("%s: content-length of an out-of-scope body was removed", name)
		}
	}
	empty := hosttest.Exchange{Path: "/api/x", RequestHeaders: hosttest.Headers{{"content-type", "application/json"}},
		RequestBody: []byte{}, FinalEmptyChunk: true}
	if res := vm.Do(empty); res.LocalReply != nil || len(res.Errors) > 0 {
		t.Errorf("empty body: reply %+v, errors %q", res.LocalReply, res.Errors)
	}
	if n := mod.Metrics()["wasmcustom.veil.bodies_inspected.rule_set.prod.direction.request"].Value; n != 0 {
		t.Errorf("bodies_inspected = %d, want 0", n)
	}
}

// Shadow mode finds and reports exactly what enforce does (same audit
// findings, same counts under a mode tag) and changes nothing.
func TestPluginShadowReportsLikeEnforce(t *testing.T) {
	body := []byte(`{"users":[{"email":"a@b.c","card_number":"4111111111111111"},{"EMAIL":"d@e.f"}]}`)
	audit := map[string]string{}
	for _, mode := range []string{"enforce", "shadow"} {
		mod := load(t, "veil", hosttest.Envoy133)
		vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(productionRules + "mode: " + mode + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		ex := jsonExchange(body, nil, 0)
		ex.RequestHeaders = append(ex.RequestHeaders, [2]string{"x-request-id", "r-1"})
		res := vm.Do(ex)
		if changed := !bytes.Equal(res.Request.Body, body); changed != (mode == "enforce") {
			t.Errorf("%s: body changed = %v", mode, changed)
		}
		for _, l := range res.Logs {
			if strings.HasPrefix(l.Message, "veil audit ") {
				audit[mode] = strings.ReplaceAll(l.Message, `"mode":"`+mode+`"`, `"mode":"?"`)
			}
		}
		name := "wasmcustom.veil.values.rule_set.prod.rule.email.action.redact.direction.request.mode." + mode
		if n := mod.Metrics()[name].Value; n != 2 {
			t.Errorf("%s = %d, want 2", name, n)
		}
		vm.Close(t.Context())
	}
	if audit["enforce"] == "" || audit["enforce"] != audit["shadow"] {
		t.Errorf("audit lines differ:\nenforce %s\nshadow  %s", audit["enforce"], audit["shadow"])
	}
}
