package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench"
	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// veilTool builds the veil CLI from this tree and returns `veil bench`.
func veilTool(t *testing.T) bench.Tool {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "veil")
	cmd := exec.Command("go", "build", "-o", exe, "./host-test/cmd/veil")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bench.Tool{exe, "bench"}
}

// The driver runs a tool through the `veil bench` interface and reads its
// JSON line: here veil bench itself, native and through the plugin, on
// files WriteCorpus wrote; the v8 and fast-redact scripts are driven the
// same way by BenchmarkSuite.
func TestToolRunsVeilBench(t *testing.T) {
	dir := t.TempDir()
	if err := bench.WriteCorpus(dir); err != nil {
		t.Fatal(err)
	}
	plugin, err := testmodule.Plugin(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tool := veilTool(t)
	for _, tc := range []struct {
		kind, size, rules string
		args              bench.Args
		runtime           string
	}{
		{"checkout", "1KB", "paths", bench.Args{Iters: 3}, "native"},
		{"health", "16KB", "detectors", bench.Args{Iters: 2, Direction: "response"}, "native"},
		{"chat", "1KB", "100", bench.Args{Iters: 2, Wasm: true, Plugin: plugin}, "wazero"},
		{"events", "1KB", "paths+keys", bench.Args{Iters: 1000000, MaxMS: 5}, "native"},
	} {
		a := tc.args
		a.Rules = filepath.Join(dir, bench.RulesFile(tc.kind, tc.rules))
		a.In = filepath.Join(dir, bench.PayloadFile(tc.kind, tc.size))
		r, err := tool.Run(context.Background(), a)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		doc, _ := os.ReadFile(a.In)
		if r.Runtime != tc.runtime || r.Bytes != len(doc) || len(r.MS) == 0 || len(r.MS) > a.Iters || r.MedianMS <= 0 || r.Cold <= 0 || r.Warmup < 1 {
			t.Errorf("%+v: result %+v", tc, r)
		}
	}
}

// A tool that fails, or whose last line is not the JSON object, is an
// error naming the tool and what it printed.
func TestToolErrors(t *testing.T) {
	for _, tc := range []struct {
		tool bench.Tool
		want string
	}{
		{bench.Tool{"false"}, "false: exit status 1"},
		{bench.Tool{"echo", "{}"}, "last line of output"},
		{bench.Tool{"sh", "-c", `echo 'not me'; echo '{"runtime":"x","ms":[]}'`, "sh"}, "lacks runtime or ms"},
		{bench.Tool{"sh", "-c", `echo oops >&2; exit 3`, "sh"}, "exit status 3: oops"},
		{bench.Tool{filepath.Join(t.TempDir(), "absent")}, "no such file"},
	} {
		_, err := tc.tool.Run(context.Background(), bench.Args{Rules: "r.yaml", In: "d.json", Iters: 1})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to hold %q", tc.tool, err, tc.want)
		}
	}
	r, err := bench.Tool{"sh", "-c", `echo '{"runtime":"v8","ms":[1,2],"median_ms":1.5}'`, "sh"}.Run(context.Background(), bench.Args{})
	if err != nil || r.Runtime != "v8" || r.MedianMS != 1.5 || len(r.MS) != 2 {
		t.Errorf("a JSON line as the last line: %+v, %v", r, err)
	}
}

// WriteCorpus writes every payload at every size, valid JSON within half a
// record of its size, and every rule set for every kind, each compiling.
func TestWriteCorpus(t *testing.T) {
	dir := t.TempDir()
	if err := bench.WriteCorpus(dir); err != nil {
		t.Fatal(err)
	}
	for _, kind := range corpus.Payloads {
		for _, size := range corpus.Sizes {
			b, err := os.ReadFile(filepath.Join(dir, bench.PayloadFile(kind, size.Name)))
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) || len(b) < size.Bytes/2 || len(b) > size.Bytes*3/2 {
				t.Errorf("%s %s: %d bytes, valid JSON %v", kind, size.Name, len(b), json.Valid(b))
			}
		}
		for _, name := range corpus.RuleSets {
			file := filepath.Join(dir, bench.RulesFile(kind, name))
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if name == "1000" && kind != "profile" {
				continue // compiling 1,000 rules takes seconds: one kind stands for all
			}
			if _, err := rules.Compile(src, rules.Options{Filename: file}); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
	}
}

// The decoys of the 100-rule sets select nothing: the output is the one of
// the acting rule alone, on every payload kind.
func TestDecoysSelectNothing(t *testing.T) {
	for _, kind := range corpus.Payloads {
		body := corpus.Payload(kind, bench.Seed, 16<<10)
		var outs [][]byte
		for _, name := range []string{"1", "100"} {
			p, err := rules.Compile([]byte(corpus.NewRuleSet(name, kind).YAML), rules.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := p.Apply(body, rules.Input{Direction: rules.Request})
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, out)
		}
		if !bytes.Equal(outs[0], outs[1]) {
			t.Errorf("%s: 1 rule and 100 rules give different outputs", kind)
		}
	}
}
