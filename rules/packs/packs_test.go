package packs

import (
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
	"go.yaml.in/yaml/v3"
)

// packFile is the part of the rule-set schema the packs use.
type packFile struct {
	Version       int      `yaml:"version"`
	JSONInStrings bool     `yaml:"json_in_strings"`
	StreamText    []string `yaml:"stream_text"`
	Rules         []struct {
		ID     string `yaml:"id"`
		Select struct {
			Detect   []string `yaml:"detect"`
			Within   []string `yaml:"within"`
			Evidence []string `yaml:"evidence"`
			Keys     []string `yaml:"keys"`
			Paths    []string `yaml:"paths"`
		} `yaml:"select"`
		Action yaml.Node `yaml:"action"`
	} `yaml:"rules"`
}

func TestPacks(t *testing.T) {
	if got, want := Names(), []string{"llm-prompts", "pci", "pii-basic", "pii-text", "secrets"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	ids := map[string]string{}
	for _, name := range Names() {
		src, ok := Get(name)
		if !ok {
			t.Fatalf("Get(%q) missing", name)
		}
		var p packFile
		dec := yaml.NewDecoder(strings.NewReader(string(src)))
		dec.KnownFields(true)
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Version != 1 || len(p.Rules) == 0 {
			t.Errorf("%s: version %d, %d rules", name, p.Version, len(p.Rules))
		}
		for _, r := range p.Rules {
			if !strings.HasPrefix(r.ID, name+"-") {
				t.Errorf("%s: rule id %q does not start with the pack name", name, r.ID)
			}
			if other, dup := ids[r.ID]; dup {
				t.Errorf("%s: rule id %q also in %s", name, r.ID, other)
			}
			ids[r.ID] = name
			if len(r.Select.Detect)+len(r.Select.Keys)+len(r.Select.Paths) == 0 {
				t.Errorf("%s: rule %q selects nothing", name, r.ID)
			}
			if _, err := detect.NewSet(r.Select.Detect, nil); err != nil {
				t.Errorf("%s: rule %q: %v", name, r.ID, err)
			}
			for _, e := range r.Select.Evidence {
				if _, ok := detect.ParseEvidence(e); !ok {
					t.Errorf("%s: rule %q: unknown evidence %q", name, r.ID, e)
				}
			}
			for _, w := range r.Select.Within {
				if !strings.HasPrefix(w, "$") {
					t.Errorf("%s: rule %q: within %q is not a path", name, r.ID, w)
				}
			}
			if r.Action.Kind == 0 {
				t.Errorf("%s: rule %q has no action", name, r.ID)
			}
		}
	}
	for _, bad := range []string{"", "nope", "../set", "packs/pci"} {
		if _, ok := Get(bad); ok {
			t.Errorf("Get(%q) found", bad)
		}
	}
}
