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

func TestIstioWasmPlugin(t *testing.T) {
	doc := load(t, "istio-wasmplugin.yaml")
	if k := dig(t, doc, "kind"); k != "WasmPlugin" {
		t.Fatalf("kind = %v", k)
	}
	if f := dig(t, doc, "spec", "failStrategy"); f != "FAIL_CLOSE" {
		t.Errorf("failStrategy = %v, want FAIL_CLOSE", f)
	}
	compile(t, "istio-wasmplugin.yaml", asJSON(t, dig(t, doc, "spec", "pluginConfig")))
}

func TestEnvoyGatewayPolicy(t *testing.T) {
	doc := load(t, "envoy-gateway.yaml")
	if k := dig(t, doc, "kind"); k != "EnvoyExtensionPolicy" {
		t.Fatalf("kind = %v", k)
	}
	w := dig(t, doc, "spec", "wasm", 0)
	if f := dig(t, w, "failOpen"); f != false {
		t.Errorf("failOpen = %v, want false", f)
	}
	compile(t, "envoy-gateway.yaml", asJSON(t, dig(t, w, "config")))
}
