package filter

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// inlineKey is the test key of keyedRules, given inline.
var inlineKey = base64.StdEncoding.EncodeToString([]byte("filter-test-key-32-bytes-long!!!"))

// keyedRules has an inline key, an fpe rule that fails on short values, a
// request-side block with its own status and a response-side block.
var keyedRules = `
version: 1
name: keyed
crypto_keys:
  demo: { inline: "` + inlineKey + `", insecure_inline: true }
rules:
  - id: card
    select: { keys: [card_number] }
    action: { fpe: { key: demo, keep_last: 4 } }
  - id: ref
    select: { keys: [user_id] }
    action: { hash: { key: demo } }
  - id: no-secrets
    direction: request
    select: { detect: [aws_access_key_id] }
    action: { block: { status: 403 } }
  - id: no-ssn-out
    direction: response
    select: { keys: [ssn] }
    action: block
`

// An inline key logs one warning at start naming its id, never the key.
func TestInlineKeyWarning(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, keyedRules)
		warns := host.GetWarnLogs()
		if len(warns) != 1 || !strings.Contains(warns[0], "demo") || !strings.Contains(warns[0], `rule set "keyed"`) {
			t.Errorf("want one warning about key demo, got %q", warns)
		}
		all := strings.Join(append(append(warns, host.GetInfoLogs()...), host.GetCriticalLogs()...), "\n")
		if strings.Contains(all, inlineKey) || strings.Contains(all, inlineKey[:12]) {
			t.Errorf("logs spell the key: %q", all)
		}
	})
}

// A block rule answers with a local reply: the rule's status on requests,
// 502 on responses (host-test's TestKeyedBlock checks that the upstream
// never gets a blocked request body); the body names the
// rule set, the rule and what was found, never a value; one warning, the
// bodies_blocked counter and the audit line count it.
func TestBlockReplies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		x       exchange
		status  uint32
		reply   string
		d, rule string
		value   string
	}{
		{"request", exchange{requestHeaders: jsonRequest(""), requestBody: `{"note":"key AKIAIOSFODNN7EXAMPLE, again AKIAIOSFODNN7EXAMPLE"}`},
			403, `{"error":"blocked","rule_set":"keyed","rule":"no-secrets","count":2,"detectors":{"aws_access_key_id":2}}`,
			"request", "no-secrets", "AKIAIOSFODNN7EXAMPLE"},
		{"response", exchange{requestHeaders: jsonRequest(""), requestBody: `{}`, responseHeaders: jsonResponse(), responseBody: `{"ssn":"123-45-6789"}`},
			502, `{"error":"blocked","rule_set":"keyed","rule":"no-ssn-out","count":1}`,
			"response", "no-ssn-out", "123-45-6789"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachRunner(t, func(t *testing.T, vm types.VMContext) {
				host := startPlugin(t, vm, keyedRules)
				r := run(host, tc.x)
				if r.localReply == nil || r.localReply.StatusCode != tc.status {
					t.Fatalf("want a %d local reply, got %+v", tc.status, r.localReply)
				}
				if got := string(r.localReply.Data); got != tc.reply {
					t.Errorf("reply body %s, want %s", got, tc.reply)
				}
				name := "veil.bodies_blocked.rule_set.keyed.rule." + tc.rule + ".direction." + tc.d
				if n, err := host.GetCounterMetric(name); err != nil || n != 1 {
					t.Errorf("%s = %d, %v; want 1", name, n, err)
				}
				warns := host.GetWarnLogs()
				if len(warns) != 2 || !strings.Contains(warns[1], tc.d+` body: blocked by rule "`+tc.rule+`"`) {
					t.Errorf("want the key warning and one naming the rule, got %q", warns)
				}
				logs := strings.Join(append(warns, host.GetInfoLogs()...), "\n")
				if !strings.Contains(logs, `"rule":"`+tc.rule+`","action":"block","mode":"enforce"`) {
					t.Errorf("audit line lacks the block: %q", logs)
				}
				if strings.Contains(logs+string(r.localReply.Data), tc.value) {
					t.Errorf("a value reached the logs or the reply: %q", logs)
				}
			})
		})
	}
}

// A value fpe cannot encipher (too short) is replaced as redact would and
// counted: "failed" in the audit line, veil.values_failed.
func TestFailedValuesCounted(t *testing.T) {
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, keyedRules)
		r := run(host, exchange{requestHeaders: jsonRequest(""), requestBody: `{"cards":[{"card_number":"4111 1111 1111 1111"},{"card_number":"12"}]}`})
		if strings.Contains(r.requestBody, `"12"`) || strings.Contains(r.requestBody, "4111 1111 1111 1111") {
			t.Errorf("request body %s", r.requestBody)
		}
		name := "veil.values_failed.rule_set.keyed.rule.card.action.fpe.direction.request.mode.enforce"
		if n, err := host.GetCounterMetric(name); err != nil || n != 1 {
			t.Errorf("%s = %d, %v; want 1", name, n, err)
		}
		var audit string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, AuditPrefix) {
				audit = l
			}
		}
		if !strings.Contains(audit, `"rule":"card","action":"fpe","mode":"enforce","count":2,"failed":1,`) {
			t.Errorf("audit line %q", audit)
		}
	})
}
