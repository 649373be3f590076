package main

import (
	"regexp"
	"strings"
	"testing"
)

// Envoy's tag extraction on Veil's metric names: the stats_tags of
// docs/operating.md give these families and labels.
func TestStatsTagged(t *testing.T) {
	for _, tc := range []struct{ name, family, labels string }{
		{"wasmcustom.veil.values.rule_set.shop.rule.email.action.redact.direction.request.mode.enforce", "veil_values",
			`{rule_set="shop",rule="email",action="redact",mode="enforce",direction="request"}`},
		{"wasmcustom.veil.bodies_inspected.rule_set.shop.direction.response", "veil_bodies_inspected", `{rule_set="shop",direction="response"}`},
		{"wasmcustom.veil.failures.rule_set.s.kind.oversize.outcome.pass.direction.request", "veil_failures",
			`{rule_set="s",kind="oversize",outcome="pass",direction="request"}`},
		{"wasmcustom.veil.values_minimized.rule_set.s.allow_list.public.direction.response", "veil_values_minimized",
			`{rule_set="s",allow_list="public",direction="response"}`},
		{"wasmcustom.other-plugin.count", "other_plugin_count", ""},
	} {
		base, labels := tagged(tc.name)
		if got := promName(base); got != tc.family || labelText(labels, "") != tc.labels {
			t.Errorf("%s: %s%s, want %s%s", tc.name, got, labelText(labels, ""), tc.family, tc.labels)
		}
	}
}

var promNameRE = regexp.MustCompile(`^[a-zA-Z0-9_]*$`)

// Any stat name gives a Prometheus name of [a-zA-Z0-9_] and labels whose
// values are pieces of the name.
func FuzzStatsTagged(f *testing.F) {
	f.Add("wasmcustom.veil.values.rule_set.shop.rule.email.action.redact.direction.request.mode.enforce")
	f.Add("wasmcustom.veil.failures.rule_set..kind.x.outcome.pass.direction.")
	f.Fuzz(func(t *testing.T, name string) {
		base, labels := tagged(name)
		if p := promName(base); !promNameRE.MatchString(p) {
			t.Errorf("%q: prometheus name %q", name, p)
		}
		for _, l := range labels {
			if !strings.Contains(name, l[1]) {
				t.Errorf("%q: label %q not from the name", name, l)
			}
		}
	})
}
