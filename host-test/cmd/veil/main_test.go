package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/host-test/testmodule"
)

// pluginPath and statfilePath are modules built from the tree's source by
// TestMain; cli records their sources as the test's inputs.
var pluginPath, statfilePath string

func TestMain(m *testing.M) {
	// A fuzz worker runs only fuzz targets, which need no module: building
	// them in every worker would spend the fuzzing time.
	if slices.Contains(os.Args, "-test.fuzzworker") {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "veil-cli")
	if err != nil {
		panic(err)
	}
	// A fuzz worker runs only its fuzz target, which needs no module:
	// building one per worker would keep fuzzing from starting.
	if !slices.ContainsFunc(os.Args, func(a string) bool { return strings.HasPrefix(a, "-test.fuzzworker") }) {
		if pluginPath, err = testmodule.Plugin(dir); err == nil {
			statfilePath, err = testmodule.Module("statfile", dir)
		}
	}
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	// Keep the CLI's compilation cache out of the user's. Only after the
	// builds: the go command finds its build cache through XDG_CACHE_HOME too.
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the veil command in process. It first records the sources of the
// modules TestMain built (go test's log of opened files starts after
// TestMain built them), so that a cached result stands only while they do.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code = veil(context.Background(), args, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), code
}

func exampleDirs(t *testing.T) []string {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "examples", "*"))
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "rules.yaml")); err == nil {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no examples/*/rules.yaml")
	}
	return out
}

// responseFile returns the upstream's response of example dir and the
// client's want file: response.json and want-response.json, or for a
// streamed example response.sse and want-response.sse.
func responseFile(dir string) (response, want string) {
	if _, err := os.Stat(filepath.Join(dir, "response.sse")); err == nil {
		return "response.sse", "want-response.sse"
	}
	return "response.json", "want-response.json"
}

// For every example, `veil run` (the wasm plugin in the Envoy-faithful host)
// prints exactly what `veil redact` (the native engine) prints: the two
// engines agree.
func TestRunEqualsRedact(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		f := func(name string) string { return filepath.Join(dir, name) }
		if resp, _ := responseFile(dir); resp != "response.json" {
			continue // veil redact reads JSON documents: TestExamplesWithFlags covers streams
		}
		for _, envoy := range []string{"1.33", "1.39"} {
			run, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", f("rules.yaml"), "--envoy", envoy,
				"--request-body", f("request.json"), "--response-body", f("response.json"))
			if code != 0 {
				t.Fatalf("%s: veil run exit %d: %s", dir, code, stderr)
			}
			req, stderr, code := cli(t, "redact", "--rules", f("rules.yaml"), "--direction", "request", f("request.json"))
			if code != 0 {
				t.Fatalf("%s: veil redact exit %d: %s", dir, code, stderr)
			}
			resp, _, _ := cli(t, "redact", "--rules", f("rules.yaml"), "--direction", "response", f("response.json"))
			if run != req+resp {
				t.Errorf("%s (envoy %s): veil run printed\n%s\nveil redact printed\n%s", dir, envoy, run, req+resp)
			}
		}
	}
}

func TestRunJSONAndLocalReply(t *testing.T) {
	dir := exampleDirs(t)[0]
	rulesFile := filepath.Join(dir, "rules.yaml")
	out, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--json", "--chunk", "7",
		"--request-body", filepath.Join(dir, "request.json"), "--response-body", filepath.Join(dir, "response.json"),
		"-H", "x-request-id: r1", "--property", "connection.mtls=true", "--env", "A=b")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"request", "response", "local_reply", "logs", "metrics"} {
		if _, ok := got[k]; !ok {
			t.Errorf("--json output lacks %q: %s", k, out)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"email":`), 0o644)
	out, _, code = cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", bad, "-H", "content-type: application/json")
	if code != 3 || !strings.HasPrefix(out, "local reply 400\n") {
		t.Errorf("local reply: exit %d, output %q", code, out)
	}
}

func TestCheck(t *testing.T) {
	for _, envoy := range []string{"1.33", "1.39"} {
		if out, stderr, code := cli(t, "check", "--envoy", envoy, pluginPath); code != 0 || !strings.Contains(out, "loads under envoy-"+envoy) {
			t.Errorf("check plugin --envoy %s: exit %d, %s%s", envoy, code, out, stderr)
		}
	}
	_, stderr, code := cli(t, "check", statfilePath)
	if code != 1 || !strings.Contains(stderr, "Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_get") {
		t.Errorf("check statfile: exit %d, stderr %s", code, stderr)
	}
	if _, _, code := cli(t, "check", "--envoy", "1.39", statfilePath); code != 0 {
		t.Errorf("check statfile --envoy 1.39: exit %d", code)
	}
}

func TestLint(t *testing.T) {
	dir := exampleDirs(t)[0]
	if _, stderr, code := cli(t, "lint", filepath.Join(dir, "rules.yaml")); code != 0 {
		t.Errorf("lint example: exit %d: %s", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nname: x\nrules:\n  - id: a\n    select: { paths: [\"$.x[\"] }\n    action: redact\n"), 0o644)
	_, stderr, code := cli(t, "lint", bad)
	if code != 1 || !strings.Contains(stderr, bad+":5:") {
		t.Errorf("lint bad: exit %d, stderr %s", code, stderr)
	}
}

func TestUsage(t *testing.T) {
	for _, cmd := range []string{"run", "redact", "lint", "check", "token", "reveal"} {
		out, _, code := cli(t, cmd, "--help")
		if code != 0 || !strings.HasPrefix(out, "usage: veil "+cmd) {
			t.Errorf("%s --help: exit %d, %q", cmd, code, out)
		}
		if _, stderr, code := cli(t, cmd, "--no-such-flag"); code != 2 || stderr == "" {
			t.Errorf("%s --no-such-flag: exit %d, stderr %q", cmd, code, stderr)
		}
	}
	if _, _, code := cli(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
	if _, stderr, code := cli(t, "run", "--plugin", pluginPath); code != 2 || !strings.Contains(stderr, "--rules is required") {
		t.Errorf("run without --rules: exit %d, %q", code, stderr)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantArgs []string
		wantX    bool
	}{
		{[]string{"a.yaml", "--x"}, []string{"a.yaml"}, true},
		{[]string{"--x", "a.yaml", "b.yaml"}, []string{"a.yaml", "b.yaml"}, true},
		{[]string{"a.yaml", "-", "--x", "b.yaml"}, []string{"a.yaml", "-", "b.yaml"}, true},
		{[]string{"a.yaml", "--", "--x"}, []string{"a.yaml", "--x"}, false},
		{[]string{"a.yaml"}, []string{"a.yaml"}, false},
	} {
		fs := newFlags("t", "t", io.Discard)
		x := fs.Bool("x", false, "")
		if err := parse(fs, tc.args, io.Discard); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if !slices.Equal(fs.Args(), tc.wantArgs) || *x != tc.wantX {
			t.Errorf("%q: args %q x=%v, want %q x=%v", tc.args, fs.Args(), *x, tc.wantArgs, tc.wantX)
		}
	}
}
