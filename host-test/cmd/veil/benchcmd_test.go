package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench"
)

// benchFiles writes a rule set, a bad rule set, a document and a body that
// is not JSON, and returns their paths.
func benchFiles(t *testing.T) (rulesFile, badRules, doc, notJSON string) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rulesFile = write("rules.yaml", "rules:\n  - {id: email, select: {keys: [email]}, action: redact}\n")
	badRules = write("bad.yaml", "rules:\n  - id: a\n    select: { paths: [\"$.x[\"] }\n    action: redact\n")
	doc = write("doc.json", `{"users":[{"email":"ada@example.com","id":1},{"email":"bob@example.org","id":2}]}`)
	notJSON = write("broken.json", `{"email":`)
	return rulesFile, badRules, doc, notJSON
}

// Every usage mistake exits 2 and every failure 1, each with a message
// naming the cause; bad rules print the compile diagnostic's line:column.
func TestBenchErrors(t *testing.T) {
	rulesFile, badRules, doc, notJSON := benchFiles(t)
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no rules", []string{"--in", doc}, 2, "--rules is required"},
		{"no input", []string{"--rules", rulesFile}, 2, "--in is required"},
		{"iters 0", []string{"--rules", rulesFile, "--in", doc, "--iters", "0"}, 2, "--iters 0: want at least 1"},
		{"iters negative", []string{"--rules", rulesFile, "--in", doc, "--iters", "-4"}, 2, "--iters -4: want at least 1"},
		{"iters not a number", []string{"--rules", rulesFile, "--in", doc, "--iters", "many"}, 2, "invalid value"},
		{"max-ms negative", []string{"--rules", rulesFile, "--in", doc, "--max-ms", "-1"}, 2, "--max-ms -1: want 0"},
		{"bad direction", []string{"--rules", rulesFile, "--in", doc, "--direction", "sideways"}, 2, `--direction "sideways"`},
		{"extra argument", []string{"--rules", rulesFile, "--in", doc, "more"}, 2, `unexpected argument "more"`},
		{"unknown flag", []string{"--rules", rulesFile, "--in", doc, "--fast"}, 2, "flag provided but not defined"},
		{"missing rules file", []string{"--rules", missing, "--in", doc}, 1, "no such file"},
		{"missing document", []string{"--rules", rulesFile, "--in", missing}, 1, "no such file"},
		{"bad rules", []string{"--rules", badRules, "--in", doc}, 1, badRules + ":3:"},
		{"bad rules with wasm", []string{"--rules", badRules, "--in", doc, "--wasm", "--plugin", pluginPath}, 1, badRules + ":3:"},
		{"document not JSON", []string{"--rules", rulesFile, "--in", notJSON}, 1, notJSON + ":"},
		{"missing plugin", []string{"--rules", rulesFile, "--in", doc, "--wasm", "--plugin", missing}, 1, "no such file"},
		{"plugin not wasm", []string{"--rules", rulesFile, "--in", doc, "--wasm", "--plugin", doc}, 1, doc + ":"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := cli(t, append([]string{"bench"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) || out != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q (want it to hold %q)", code, tc.code, out, stderr, tc.stderr)
			}
		})
	}
}

// A run prints one JSON object as its last line, with every field the
// comparison driver reads, natively and through the plugin, for either
// direction; --max-ms stops long before --iters.
func TestBenchRuns(t *testing.T) {
	rulesFile, _, doc, _ := benchFiles(t)
	st, err := os.Stat(doc)
	if err != nil {
		t.Fatal(err)
	}
	size := int(st.Size())
	for _, tc := range []struct {
		name    string
		args    []string
		runtime string
		runs    int // timed runs; 0: between 1 and 1,000,000 exclusive
	}{
		{"native", []string{"--iters", "3"}, "native", 3},
		{"native response", []string{"--iters", "3", "--direction", "response"}, "native", 3},
		{"wasm", []string{"--iters", "3", "--wasm", "--plugin", pluginPath}, "wazero", 3},
		{"wasm response", []string{"--iters", "2", "--wasm", "--plugin", pluginPath, "--direction", "response"}, "wazero", 2},
		{"max-ms", []string{"--iters", "1000000", "--max-ms", "2"}, "native", 0},
		{"one run", []string{"--iters", "1", "--max-ms", "0"}, "native", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := cli(t, append([]string{"bench", "--rules", rulesFile, "--in", doc}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			var fields map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &fields); err != nil {
				t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
			}
			for _, k := range []string{"runtime", "median_ms", "ms", "warmup", "cold", "bytes", "out_bytes", "min_ms", "mb_per_s"} {
				if _, ok := fields[k]; !ok {
					t.Errorf("no %q in %s", k, out)
				}
			}
			var res bench.Result
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
				t.Fatal(err)
			}
			switch {
			case res.Runtime != tc.runtime:
				t.Errorf("runtime %q, want %q", res.Runtime, tc.runtime)
			case tc.runs > 0 && len(res.MS) != tc.runs, tc.runs == 0 && (len(res.MS) < 1 || len(res.MS) >= 1000000):
				t.Errorf("%d timed runs, want %d", len(res.MS), tc.runs)
			case res.Bytes != size:
				t.Errorf("bytes %d, want %d", res.Bytes, size)
			case res.OutBytes == 0 || res.OutBytes == size:
				t.Errorf("out_bytes %d: the email was not redacted", res.OutBytes)
			case res.Warmup < 1 || res.Warmup > benchWarmup:
				t.Errorf("warmup %d, want 1 to %d", res.Warmup, benchWarmup)
			case res.Cold <= 0 || res.MedianMS < res.MinMS || res.MedianMS > maxOf(res.MS) || res.MinMS < 0:
				t.Errorf("times do not add up: cold %v, min %v, median %v, runs %v", res.Cold, res.MinMS, res.MedianMS, res.MS)
			}
		})
	}
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func TestBenchUsage(t *testing.T) {
	out, _, code := cli(t, "bench", "--help")
	if code != 0 || !strings.HasPrefix(out, "usage: veil bench") || !strings.Contains(out, "median_ms") {
		t.Errorf("bench --help: exit %d, %q", code, out)
	}
}
