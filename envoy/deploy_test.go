// Package envoy holds Veil's deployment files; this test proves each one
// carries a rule set the plugin accepts, in the encoding the plugin receives.
package envoy

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/veilproxy/veil/rules"
	"go.yaml.in/yaml/v3"
)

func load(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// dig walks maps by key and lists by index.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a map", s)
			}
			v = m[s]
		case int:
			l, ok := v.([]any)
			if !ok || s >= len(l) {
				t.Fatalf("at [%d]: not a list of that length", s)
			}
			v = l[s]
		}
	}
	return v
}

func compile(t *testing.T, name string, config []byte) {
	t.Helper()
	if _, err := rules.Compile(config, rules.Options{Filename: name}); err != nil {
		t.Fatalf("%s: rule set refused:\n%v", name, err)
	}
}

// asJSON re-encodes a YAML subtree the way Istio and Envoy Gateway deliver it.
func asJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEnvoyBootstrap(t *testing.T) {
	doc := load(t, "envoy.yaml")
	hcm := dig(t, doc, "static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config")
	filters := dig(t, hcm, "http_filters").([]any)
	if n := dig(t, filters[len(filters)-1], "name"); n != "envoy.filters.http.router" {
		t.Fatalf("the router must be the last HTTP filter, got %v", n)
	}
	wasm := dig(t, filters[0], "typed_config", "config")
	if p := dig(t, wasm, "failure_policy"); p != "FAIL_CLOSED" {
		t.Errorf("failure_policy = %v, want FAIL_CLOSED", p)
	}
	cfg := dig(t, wasm, "configuration")
	if typ := dig(t, cfg, "@type"); typ != "type.googleapis.com/google.protobuf.StringValue" {
		t.Fatalf("configuration must be a StringValue to reach the plugin as text, got %v", typ)
	}
	compile(t, "envoy.yaml", []byte(dig(t, cfg, "value").(string)))
	limit := dig(t, doc, "static_resources", "listeners", 0, "per_connection_buffer_limit_bytes").(int)
	if limit < rules.DefaultMaxBodyBytes {
		t.Errorf("listener buffer limit %d is below Veil's default body limit %d", limit, rules.DefaultMaxBodyBytes)
	}
}
