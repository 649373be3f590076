package testmodule

import (
	"path/filepath"
	"testing"
)

// Building the plugin records, as the test's inputs, the directories of the
// module's own packages, the files they embed, go.mod and go.sum: what go
// test must watch to rerun a test when the plugin's source changes.
func TestPluginRecordsItsSources(t *testing.T) {
	if _, err := Plugin(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := filepath.Glob(filepath.Join(root, "rules", "packs", "*.yaml"))
	if len(embedded) == 0 {
		t.Fatal("no rules/packs/*.yaml")
	}
	want := append([]string{"go.mod", "go.sum", "plugin", "plugin/internal/filter", "rules", "rules/internal/detect", "rules/packs"}, embedded...)
	for _, p := range want {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if !sources.paths[p] {
			t.Errorf("%s is not recorded", p)
		}
	}
}

// BenchmarkPlugin measures what a test binary pays per run to get the
// plugin from unchanged source: go list, a go build served from the build
// cache, and the opens that record the inputs.
func BenchmarkPlugin(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Plugin(dir); err != nil {
			b.Fatal(err)
		}
	}
}
