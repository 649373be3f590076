package hosttest_test

import (
	"bytes"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// budgetRules has a custom detector that passes lint but reads a run of
// digits again after each four-digit match: a long run passes the work
// budget.
const budgetRules = "name: budget\n" +
	"detectors:\n  code: { regex: '[0-9]+-[0-9]+|[0-9]{4}' }\n" +
	"rules:\n  - { id: codes, select: { detect: [code] }, action: redact }\n"

// Through the .wasm, a body on which the detectors pass the work budget gets
// on.error's choice in both directions, wherever the slow text sits, is
// counted as work_budget and logged without any of the body; ordinary bodies
// of the same rule set are still rewritten.
func TestWorkBudgetWasm(t *testing.T) {
	digits := strings.Repeat("7", 200<<10)
	bodies := map[string]string{
		"value":       `{"a":"` + digits + `"}`,
		"escaped":     `{"a":"\u0037` + digits + `"}`,
		"member name": `{"` + digits + `":1}`,
		"nested":      `{"a":[{"b":"x"},{"c":"` + digits + `"}]}`,
	}
	for _, choice := range []string{"reject", "pass"} {
		mod := load(t, "veil", hosttest.Envoy133)
		vm, err := mod.Start(t.Context(), hosttest.Config{PluginConfig: []byte(budgetRules + "on: { error: " + choice + " }\n")})
		if err != nil {
			t.Fatal(err)
		}
		for name, body := range bodies {
			for _, response := range []bool{false, true} {
				ex := jsonExchange([]byte(body), []byte(`{"ok":1}`), 0)
				if response {
					ex = jsonExchange([]byte(`{"ok":1}`), []byte(body), 0)
				}
				res := vm.Do(ex)
				switch {
				case choice == "reject" && !response:
					if res.LocalReply == nil || res.LocalReply.Status != 500 || string(res.LocalReply.Body) != `{"error":"work_budget","rule_set":"budget"}` {
						t.Errorf("%s: reply %+v", name, res.LocalReply)
					}
				case choice == "reject":
					if res.LocalReply == nil || res.LocalReply.Status != 502 {
						t.Errorf("%s response: reply %+v", name, res.LocalReply)
					}
				case response && !bytes.Equal(res.Response.Body, []byte(body)), !response && !bytes.Equal(res.Request.Body, []byte(body)):
					t.Errorf("%s: pass changed the body", name)
				}
				direction := map[bool]string{false: "request", true: "response"}[response]
				want := `veil: rule set "budget": ` + direction + ` body: work_budget: ` + choice
				if len(res.Logs) != 1 || res.Logs[0].Message != want || strings.Contains(res.Logs[0].Message, "7777") {
					t.Errorf("%s: logs %+v, want one warning %q", name, res.Logs, want)
				}
			}
		}
		for _, d := range []string{"request", "response"} {
			metric := "wasmcustom.veil.failures.rule_set.budget.kind.work_budget.outcome." + choice + ".direction." + d
			if got := mod.Metrics()[metric].Value; got != int64(len(bodies)) {
				t.Errorf("%s = %d, want %d", metric, got, len(bodies))
			}
		}
		res := vm.Do(jsonExchange([]byte(`{"a":"code 1234-5678 here"}`), nil, 0))
		if res.LocalReply != nil || string(res.Request.Body) != `{"a":"code [REDACTED] here"}` {
			t.Errorf("ordinary body: %+v %s", res.LocalReply, res.Request.Body)
		}
		vm.Close(t.Context())
	}
}
