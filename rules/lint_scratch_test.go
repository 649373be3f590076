package rules

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScratchLint(t *testing.T) {
	files, _ := filepath.Glob("../examples/*/rules.yaml")
	packsF, _ := filepath.Glob("packs/*.yaml")
	files = append(files, packsF...)
	files = append(files, os.Getenv("LINTF"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		_, ws, err := Lint(src, Options{Filename: f, Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Logf("%s: %v", f, err)
		}
		for _, w := range ws {
			t.Log(w.String())
		}
	}
}
