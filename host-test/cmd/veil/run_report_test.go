package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// run keeps standard output exactly the bodies and reports on standard
// error what changed (testdata/run-report.golden); -q leaves the report
// out; --diff prints the diffs instead of the bodies (testdata/run-diff.golden).
func TestRunReport(t *testing.T) {
	for _, name := range []string{"customer-api", "signup-minimization"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "..", "examples", name)
			args := []string{"run", "--plugin", pluginPath, "--rules", filepath.Join(dir, "rules.yaml"),
				"--request-body", filepath.Join(dir, "request.json"), "--response-body", filepath.Join(dir, "response.json")}
			out, stderr, code := cli(t, args...)
			quiet, quietErr, quietCode := cli(t, append(args, "-q")...)
			if code != 0 || quietCode != 0 || out != quiet || quietErr != "" {
				t.Fatalf("exit %d/%d; stdout differs with -q: %v; stderr with -q %q", code, quietCode, out != quiet, quietErr)
			}
			// The bodies are the example's golden output, exactly as printed
			// before the report existed.
			var want bytes.Buffer
			for _, f := range []string{"want-request.json", "want-response.json"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				writeBody(&want, b)
			}
			if out != want.String() {
				t.Errorf("stdout is not the bodies:\n%s\nwant\n%s", out, want.String())
			}
			golden(t, "run-report-"+name+".golden", stderr)
			diff, _, code := cli(t, append(args, "--diff", "-q")...)
			if code != 0 {
				t.Fatalf("--diff: exit %d", code)
			}
			golden(t, "run-diff-"+name+".golden", diff)
		})
	}
}

// A local reply is named in the report.
func TestRunReportLocalReply(t *testing.T) {
	rulesFile := shopRules(t, "")
	bad := writeFile(t, "bad.json", `{"email":`)
	out, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", bad, "-H", "content-type: application/json")
	if code != 3 || !strings.HasPrefix(out, "local reply 400") ||
		!strings.Contains(stderr, `note: veil: rule set "shop": request body: invalid_json: reject`) ||
		!strings.Contains(stderr, "note: local reply 400") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, stderr)
	}
	if _, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", bad, "--diff", "--json"); code != 2 || !strings.Contains(stderr, "--diff does not combine") {
		t.Errorf("--diff --json: exit %d, %s", code, stderr)
	}
}

// jsonKeys lists the member names of a JSON value as dotted paths, arrays
// read through their first element ("logs[].level").
func jsonKeys(prefix string, v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.HasPrefix(k, "wasmcustom.") || strings.Contains(prefix, "metrics") {
				continue // metric names are data, not the shape
			}
			*out = append(*out, prefix+k)
			jsonKeys(prefix+k+".", e, out)
		}
	case []any:
		if len(t) > 0 {
			if _, scalar := t[0].(string); !scalar {
				jsonKeys(strings.TrimSuffix(prefix, ".")+"[].", t[0], out)
			}
		}
	}
}

// run --json keeps every field it printed before (same names) and adds
// the parsed audit and each body's findings; testdata/run-json-keys.golden
// is the whole shape.
func TestRunJSONKeys(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "examples", "public-profile-minimize")
	out, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", filepath.Join(dir, "rules.yaml"), "--json", "--frames",
		"--request-body", filepath.Join(dir, "request.json"), "--response-body", filepath.Join(dir, "response.json"),
		"--flags", filepath.Join(dir, "flags"))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	var keys []string
	jsonKeys("", v, &keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range []string{"request", "response", "local_reply", "logs", "metrics",
		"request.headers", "request.body", "request.frames", "response.status", "response.headers", "response.body", "response.frames",
		"logs[].level", "logs[].message"} {
		if !slices.Contains(keys, k) {
			t.Errorf("run --json lost %q", k)
		}
	}
	golden(t, "run-json-keys.golden", strings.Join(keys, "\n")+"\n")
}
