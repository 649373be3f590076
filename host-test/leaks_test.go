package hosttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// Issue 10, section 7, through the .wasm: what the plugin logs and counts
// never spells a member name that looks like personal data, shadow rules
// never decide, masks never leave a value readable. Each exchange is also
// run natively: the .wasm must agree with package rules.

// auditFindings returns the findings of the audit lines in logs, by
// direction and rule.
func auditFindings(t *testing.T, logs []hosttest.LogEntry) map[string]rules.Finding {
	t.Helper()
	out := map[string]rules.Finding{}
	for _, l := range logs {
		line, ok := strings.CutPrefix(l.Message, "veil audit ")
		if !ok {
			continue
		}
		var a struct {
			Findings []struct {
				Direction, Rule, Action, Mode string
				Count                         int
				Paths, Detectors, Evidence    []string
			}
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		for _, f := range a.Findings {
			out[f.Direction+"/"+f.Rule] = rules.Finding{Rule: f.Rule, Action: f.Action, Shadow: f.Mode == "shadow",
				Count: f.Count, Paths: f.Paths, Detectors: f.Detectors, Evidence: f.Evidence}
		}
	}
	return out
}

// nativeFindings applies src to body in both directions and returns the
// outputs and the findings keyed like auditFindings.
func nativeFindings(t *testing.T, src, body string) (req, resp string, findings map[string]rules.Finding) {
	t.Helper()
	p, err := rules.Compile([]byte(src), rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	findings = map[string]rules.Finding{}
	var outs [2]string
	for i, d := range []rules.Direction{rules.Request, rules.Response} {
		out, rep, err := p.Apply([]byte(body), rules.Input{Direction: d})
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = string(out)
		for _, f := range rep.Findings {
			findings[d.String()+"/"+f.Rule] = f
		}
	}
	return outs[0], outs[1], findings
}

// checkAgainstNative runs body both ways through vm and checks the bodies
// and the audit findings against package rules; it returns the logs.
func checkAgainstNative(t *testing.T, vm *hosttest.VM, src, body string) []hosttest.LogEntry {
	t.Helper()
	res := vm.Do(jsonExchange([]byte(body), []byte(body), 0))
	if res.VMError != nil || res.LocalReply != nil || len(res.Errors) > 0 {
		t.Fatalf("exchange: vm %v, reply %+v, errors %v", res.VMError, res.LocalReply, res.Errors)
	}
	req, resp, want := nativeFindings(t, src, body)
	if string(res.Request.Body) != req || string(res.Response.Body) != resp {
		t.Errorf(".wasm %s / %s, native %s / %s", res.Request.Body, res.Response.Body, req, resp)
	}
	if got := auditFindings(t, res.Logs); !reflect.DeepEqual(got, want) {
		t.Errorf("audit %+v\nnative %+v", got, want)
	}
	return res.Logs
}

// nameTable is rules/testdata/names/cases.json (see rules/report_names_test.go).
type nameTable struct {
	Names []struct {
		Label, JSON string
		Fragments   []string
	}
	Cases []struct {
		Label, Rules, Body string
		Paths              map[string][]string
	}
}

// Member names that are emails, phones, cards, SSNs, IBANs, IPs, MACs, JWTs
// and keys, in escaped spellings, under every rule set of the table: the
// audit line shows [<name>] (and equals the native report), and no log line
// or metric name holds the name or a piece of it.
func TestPluginHidesPersonalNames(t *testing.T) {
	src, err := os.ReadFile("../rules/testdata/names/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab nameTable
	if err := json.Unmarshal(src, &tab); err != nil {
		t.Fatal(err)
	}
	mod := load(t, "veil", hosttest.Envoy133)
	var forbidden []string
	for _, c := range tab.Cases {
		for _, n := range tab.Names {
			t.Run(c.Label+"/"+n.Label, func(t *testing.T) {
				lit := `"` + n.JSON + `"`
				ruleSet := strings.ReplaceAll(c.Rules, "NAME", lit)
				body := strings.ReplaceAll(c.Body, "NAME", lit)
				if i := strings.Index(body, "INNER:"); i >= 0 {
					q, _ := json.Marshal(body[i+len("INNER:") : len(body)-1])
					body = body[:i] + string(q) + "}"
				}
				var plain string
				if err := json.Unmarshal([]byte(lit), &plain); err != nil {
					t.Fatal(err)
				}
				bad := append([]string{plain, n.JSON}, n.Fragments...)
				forbidden = append(forbidden, bad...)
				vm, err := mod.Start(context.Background(), hosttest.Config{PluginConfig: []byte(ruleSet)})
				if err != nil {
					t.Fatal(err)
				}
				defer vm.Close(context.Background())
				logs := checkAgainstNative(t, vm, ruleSet, body)
				audits := 0
				for _, l := range logs {
					audits += strings.Count(l.Message, "[<name>]")
					for _, b := range bad {
						if strings.Contains(l.Message, b) {
							t.Errorf("log line spells %q: %s", b, l.Message)
						}
					}
				}
				if audits == 0 {
					t.Errorf("no [<name>] in the logs: %v", logs)
				}
			})
		}
	}
	for name := range mod.Metrics() {
		for _, b := range forbidden {
			if strings.Contains(name, b) {
				t.Errorf("metric %q spells %q", name, b)
			}
		}
	}
}

// A shadow rule listed first never decides: the .wasm rewrites like the
// enforcing rules alone, and its audit line reports the shadow rule as
// package rules does (TestShadowNeverDecides has the full table).
func TestPluginShadowNeverDecides(t *testing.T) {
	for _, c := range []struct{ name, rules, body, want string }{
		{"keys", "rules:\n  - {id: s, mode: shadow, select: {keys: [email]}, action: redact}\n  - {id: e, select: {keys: [email]}, action: {mask: {keep_last: 4}}}\n",
			`{"email":"ann@example.com"}`, `{"email":"***@******e.com"}`},
		{"shadow keep, then redact", "rules:\n  - {id: s, mode: shadow, select: {paths: [\"$.support\"]}, action: keep}\n  - {id: e, select: {keys: [email]}, action: redact}\n",
			`{"support":{"email":"help@example.com"}}`, `{"support":{"email":"[REDACTED]"}}`},
		{"detectors", "rules:\n  - {id: s, mode: shadow, select: {detect: [email]}, action: {redact: {with: \"[x]\"}}}\n  - {id: e, select: {detect: [email]}, action: {redact: {with: \"[email]\"}}}\n",
			`{"n":"to ann@example.com","users":{"bob@example.org":1}}`, `{"n":"to [email]","users":{"[email]":1}}`},
		{"nested", "rules:\n  - {id: s, mode: shadow, select: {paths: [\"$.user\"]}, action: redact}\n  - {id: e, select: {keys: [ssn]}, action: remove}\n",
			`{"user":{"ssn":"123-45-6789","n":1}}`, `{"user":{"n":1}}`},
		{"set-level shadow", "mode: shadow\nrules:\n  - {id: s, select: {paths: [\"$.support\"]}, action: keep}\n  - {id: e, select: {keys: [email]}, action: redact}\n",
			`{"support":{"email":"help@example.com"},"email":"a@example.com"}`, `{"support":{"email":"help@example.com"},"email":"a@example.com"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := c.rules
			vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src)})
			defer vm.Close(context.Background())
			logs := checkAgainstNative(t, vm, src, c.body)
			req, _, _ := nativeFindings(t, src, c.body)
			if req != c.want {
				t.Errorf("native %s, want %s", req, c.want)
			}
			found := auditFindings(t, logs)
			if f, ok := found["request/s"]; !strings.Contains(src, "action: keep") && (!ok || !f.Shadow) {
				t.Errorf("the shadow rule is not reported as shadow: %+v", found)
			}
		})
	}
}

// A rule set keeping more than 12 characters does not start; short values
// are masked at least by half.
func TestPluginMaskLimits(t *testing.T) {
	_, err := load(t, "veil", hosttest.Envoy133).Start(context.Background(), hosttest.Config{PluginConfig: []byte(
		"rules:\n  - id: wide\n    select: { keys: [pan] }\n    action: { mask: { keep_first: 6, keep_last: 7 } }\n")})
	var se *hosttest.StartError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `plugin-config:4:21: rule "wide": mask: keep_first + keep_last is 13, at most 12 may stay readable`) {
		t.Errorf("start: %v", err)
	}
	const src = "rules:\n  - {id: m, select: {keys: [v]}, action: {mask: {keep_last: 4}}}\n  - {id: pci, select: {keys: [pan]}, action: {mask: {keep_first: 6, keep_last: 4}}}\n" +
		"  - {id: d, select: {detect: [email]}, action: {mask: {keep_last: 4}}}\n"
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(src)})
	defer vm.Close(context.Background())
	for _, c := range []struct{ in, want string }{
		{`{"v":"a"}`, `{"v":"*"}`},
		{`{"v":"ab"}`, `{"v":"*b"}`},
		{`{"v":"a@b.io"}`, `{"v":"*@*.io"}`},
		{`{"v":1234}`, `{"v":"**34"}`},
		{`{"v":"Zoë"}`, `{"v":"**ë"}`},
		{`{"v":"abcdefghijklmnopqrst"}`, `{"v":"****************qrst"}`},
		{`{"pan":"4111-1111-1111-1111"}`, `{"pan":"4111-11**-****-**11"}`},
		{`{"note":"mail a@b.io now"}`, `{"note":"mail *@*.io now"}`},
	} {
		res := vm.Do(jsonExchange([]byte(c.in), nil, 0))
		if string(res.Request.Body) != c.want {
			t.Errorf("%s: .wasm %s, want %s", c.in, res.Request.Body, c.want)
		}
		if req, _, _ := nativeFindings(t, src, c.in); req != c.want {
			t.Errorf("%s: native %s, want %s", c.in, req, c.want)
		}
	}
	// every length from 1 to 20, as package rules masks it
	const alnum = "a1b2c3d4e5f6g7h8i9j0"
	for n := 1; n <= 20; n++ {
		body := `{"v":"` + alnum[:n] + `","pan":` + strings.Repeat("4", n) + `,"note":"to ` + alnum[:n] + `@x.io"}`
		checkAgainstNative(t, vm, src, body)
	}
}
