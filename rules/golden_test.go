package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readRules returns the rule set of a golden case: rules.yaml or rules.json.
func readRules(t *testing.T, dir string) (name string, src []byte) {
	t.Helper()
	for _, name := range []string{"rules.yaml", "rules.json"} {
		if src, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return name, src
		}
	}
	t.Fatalf("%s: no rules.yaml or rules.json", dir)
	return "", nil
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

// TestGoldenApply runs testdata/apply/<case>/{rules.yaml,in.json} (request
// direction) against want.json and want.report.json.
func TestGoldenApply(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/apply/*")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			name, src := readRules(t, dir)
			p, err := Compile(src, Options{Filename: name})
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join(dir, "in.json"))
			if err != nil {
				t.Fatal(err)
			}
			out, rep, err := p.Apply(in, Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(out) {
				t.Errorf("output is not valid JSON:\n%s", out)
			}
			golden(t, filepath.Join(dir, "want.json"), out)
			r, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "want.report.json"), append(r, '\n'))
		})
	}
}

// TestGoldenCompile compiles testdata/compile/<case>/rules.yaml (or .json) and
// compares the full error text with want.err.
func TestGoldenCompile(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/compile/*")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			name, src := readRules(t, dir)
			_, err := Compile(src, Options{Filename: name})
			if err == nil {
				t.Fatal("compiled without error")
			}
			if _, ok := err.(*CompileError); !ok {
				t.Fatalf("error is %T, want *CompileError", err)
			}
			golden(t, filepath.Join(dir, "want.err"), []byte(err.Error()+"\n"))
		})
	}
}
