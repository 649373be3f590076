// Package bench is Veil's benchmark suite: the payload × size × rule-set
// matrix (payloads and rule sets from bench/corpus), measured natively,
// through the .wasm under wazero, against the naive baselines of
// bench/baseline and, where node is present, through the scripts of
// bench/v8 (BenchmarkSuite in suite_test.go). This file holds what the suite
// shares with other tools: the JSON object every timing tool prints (Result),
// the driver that runs one (Tool), and the matrix written to files
// (WriteCorpus), so that any comparison tool can be pointed at them.
//
// The command bench/cmd/benchsuite writes the matrix to a directory and
// turns the suite's output into docs/benchmarks.md's tables and chart.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/veilproxy/veil/bench/corpus"
)

// Seed is the seed of every payload of the suite.
const Seed = 1

// Result is the JSON object `veil bench` and the scripts of bench/v8 print
// as their last line of output: one document timed bytes in to bytes out.
// Times are in milliseconds.
type Result struct {
	Runtime  string    `json:"runtime"`   // native, wazero, v8, fast-redact
	MedianMS float64   `json:"median_ms"` // median of MS
	MS       []float64 `json:"ms"`        // every timed run
	Warmup   int       `json:"warmup"`    // untimed runs, the cold one included
	Cold     float64   `json:"cold"`      // the first run
	Bytes    int       `json:"bytes"`     // the document's size
	OutBytes int       `json:"out_bytes,omitempty"`
	MinMS    float64   `json:"min_ms,omitempty"`
	MBPerS   float64   `json:"mb_per_s,omitempty"` // Bytes at MedianMS
}

// Args are the flags every timing tool takes.
type Args struct {
	Rules     string  // --rules FILE
	In        string  // --in FILE
	Iters     int     // --iters N (0: the tool's default)
	MaxMS     float64 // --max-ms M (0: no limit)
	Direction string  // --direction request|response ("": request)
	Plugin    string  // --plugin FILE ("": not passed)
	Wasm      bool    // --wasm (veil bench only)
}

// Tool is a timing tool: a command line to which Run appends the flags of
// Args, e.g. {"build/veil", "bench"} or {"node", "bench/v8/bench.mjs"}.
type Tool []string

// Run runs the tool once and returns the Result of its last line of
// output; a failing tool's error holds its standard error.
func (t Tool) Run(ctx context.Context, a Args) (Result, error) {
	args := append([]string(nil), t[1:]...)
	args = append(args, "--rules", a.Rules, "--in", a.In, "--max-ms", strconv.FormatFloat(a.MaxMS, 'f', -1, 64))
	if a.Iters > 0 {
		args = append(args, "--iters", strconv.Itoa(a.Iters))
	}
	if a.Direction != "" {
		args = append(args, "--direction", a.Direction)
	}
	if a.Plugin != "" {
		args = append(args, "--plugin", a.Plugin)
	}
	if a.Wasm {
		args = append(args, "--wasm")
	}
	cmd := exec.CommandContext(ctx, t[0], args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("%s: %w: %s", strings.Join(t, " "), err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var r Result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return Result{}, fmt.Errorf("%s: last line of output %q: %w", strings.Join(t, " "), lines[len(lines)-1], err)
	}
	if len(r.MS) == 0 || r.Runtime == "" {
		return Result{}, fmt.Errorf("%s: last line of output %q lacks runtime or ms", strings.Join(t, " "), lines[len(lines)-1])
	}
	return r, nil
}

// PayloadFile and RulesFile name the files WriteCorpus writes, relative to
// its directory.
func PayloadFile(kind, size string) string { return filepath.Join("payloads", kind+"-"+size+".json") }

// RulesFile names a rule set's file for a payload kind.
func RulesFile(kind, ruleSet string) string {
	return filepath.Join("rules", kind, ruleSet+".yaml")
}

// WriteCorpus writes the suite's matrix to dir: every payload at every
// size as payloads/KIND-SIZE.json and every rule set for every kind as
// rules/KIND/RULESET.yaml.
func WriteCorpus(dir string) error {
	for _, kind := range corpus.Payloads {
		for _, size := range corpus.Sizes {
			if err := writeFile(filepath.Join(dir, PayloadFile(kind, size.Name)), corpus.Payload(kind, Seed, size.Bytes)); err != nil {
				return err
			}
		}
		for _, name := range corpus.RuleSets {
			if err := writeFile(filepath.Join(dir, RulesFile(kind, name)), []byte(corpus.NewRuleSet(name, kind).YAML)); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
