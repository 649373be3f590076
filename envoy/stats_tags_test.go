package envoy

import (
	"regexp"
	"testing"
)

// The stats_tags of envoy.yaml turn every label of the plugin's counters
// into a Prometheus label, for each counter family (docs/operating.md,
// "Metrics"): Envoy takes the second capture group as the tag's value.
// Go's RE2 reads these patterns as Envoy's ECMAScript engine does (plain
// groups, non-capturing groups, lazy quantifiers).
func TestStatsTags(t *testing.T) {
	tags := dig(t, load(t, "envoy.yaml"), "stats_config", "stats_tags").([]any)
	extractors := map[string]*regexp.Regexp{}
	for _, tag := range tags {
		m := tag.(map[string]any)
		extractors[m["tag_name"].(string)] = regexp.MustCompile(m["regex"].(string))
	}
	for name, want := range map[string]map[string]string{
		"wasmcustom.veil.values.rule_set.s.rule.card.action.fpe.direction.request.mode.enforce": {
			"rule_set": "s", "rule": "card", "action": "fpe", "direction": "request", "mode": "enforce"},
		"wasmcustom.veil.values_failed.rule_set.s.rule.restore.action.reveal.direction.response.mode.shadow": {
			"rule_set": "s", "rule": "restore", "action": "reveal", "direction": "response", "mode": "shadow"},
		"wasmcustom.veil.bodies_blocked.rule_set.s.rule.no-secrets.direction.request": {
			"rule_set": "s", "rule": "no-secrets", "direction": "request"},
		"wasmcustom.veil.failures.rule_set.s.kind.invalid_json.outcome.reject.direction.response": {
			"rule_set": "s", "kind": "invalid_json", "outcome": "reject", "direction": "response"},
		"wasmcustom.veil.bodies_inspected.rule_set.s.direction.request": {"rule_set": "s", "direction": "request"},
		"wasmcustom.veil.values_minimized.rule_set.s.allow_list.public-profile.direction.response": {
			"rule_set": "s", "allow_list": "public-profile", "direction": "response"},
	} {
		for tag, re := range extractors {
			m := re.FindStringSubmatch(name)
			got := ""
			if len(m) == 3 {
				got = m[2]
			}
			if got != want[tag] {
				t.Errorf("%s: tag %s = %q, want %q", name, tag, got, want[tag])
			}
		}
	}
}
