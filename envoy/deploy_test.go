// Package envoy holds Veil's deployment files; its tests prove each one
// valid against its own API types and carrying a rule set the plugin
// accepts, in the encoding the plugin receives.
package envoy

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// load reads a YAML file into generic maps.
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
