package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// updateFlagged rewrites the want-*.json of the examples that run with a
// flags file, as the plugin (the .wasm) writes them.
var updateFlagged = flag.Bool("update", false, "rewrite want-*.json of the examples with a flags file")

// Every example with a `flags` file (the caller's identity, the request
// path, a streamed response's content type and frame size: what `make
// demo` passes with --flags) is golden-tested through the .wasm with those
// flags: want-request.json and want-response.json (want-response.sse for
// a response.sse) are the bodies as the upstream and the client receive them. The flags must
// matter: without them the output differs. The view examples share one
// rule set.
func TestExamplesWithFlags(t *testing.T) {
	flagged := 0
	var viewRules []byte
	for _, dir := range exampleDirs(t) {
		f := func(name string) string { return filepath.Join(dir, name) }
		if _, err := os.Stat(f("flags")); err != nil {
			continue
		}
		flagged++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			response, wantResponse := responseFile(dir)
			args := []string{"run", "--plugin", pluginPath, "--rules", f("rules.yaml"), "--json",
				"--request-body", f("request.json"), "--response-body", f(response)}
			with, without := runJSON(t, append(args, "--flags", f("flags"))...), runJSON(t, args...)
			for _, side := range []struct{ file, got, plain string }{
				{"want-request.json", with.Request.Body, without.Request.Body},
				{wantResponse, with.Response.Body, without.Response.Body},
			} {
				if *updateFlagged {
					if err := os.WriteFile(f(side.file), []byte(side.got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(f(side.file))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal([]byte(side.got), want) {
					t.Errorf("%s is stale (go test ./host-test/cmd/veil -run TestExamplesWithFlags -update):\n got %s\nwant %s", side.file, side.got, want)
				}
			}
			if with.Response.Body == without.Response.Body {
				t.Errorf("the flags change nothing in the response: %s", with.Response.Body)
			}
		})
		if b, _ := os.ReadFile(f("rules.yaml")); strings.HasPrefix(filepath.Base(dir), "views-") {
			if viewRules == nil {
				viewRules = b
			} else if !bytes.Equal(b, viewRules) {
				t.Errorf("%s/rules.yaml differs from the other view examples' rule set", dir)
			}
		}
	}
	if flagged < 4 {
		t.Errorf("%d examples with a flags file, want at least 4 (three views, minimization)", flagged)
	}
}

// runOutput is the part of `veil run --json` these tests read.
type runOutput struct {
	Request, Response struct{ Body string }
}

// runJSON runs `veil run --json` and decodes its output.
func runJSON(t *testing.T, args ...string) runOutput {
	t.Helper()
	out, stderr, code := cli(t, args...)
	if code != 0 {
		t.Fatalf("veil %q: exit %d: %s", args, code, stderr)
	}
	var r runOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("veil run --json: %v", err)
	}
	return r
}

// A flags file: one argument a line, verbatim (spaces and quotes kept),
// comments and blank lines skipped; a nested --flags and an argument that
// is not a flag are refused.
func TestRunFlagsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rulesFile := write("rules.yaml", "version: 1\nname: f\ntrust_headers: [x-role]\nrules:\n"+
		"  - id: keep\n    select: { keys: [a] }\n    when: { header: { x-role: \"two words\" }, path: [\"/p\"] }\n    action: keep\n"+
		"  - id: other\n    select: { keys: [a] }\n    action: redact\n")
	body := write("body.json", `{"a":"v"}`)
	good := write("good", "# caller\n\n-H=x-role: two words\n  --path=/p  \n")
	out, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", body, "--flags", good)
	if code != 0 || out != "{\"a\":\"v\"}\n" {
		t.Errorf("flags file: exit %d, output %q, stderr %s", code, out, stderr)
	}
	if out, _, _ := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", body); out != "{\"a\":\"[REDACTED]\"}\n" {
		t.Errorf("without the flags file: output %q", out)
	}
	for name, text := range map[string]string{"nested": "--flags=other\n", "argument": "--path=/p\nstray\n"} {
		if _, stderr, code := cli(t, "run", "--plugin", pluginPath, "--rules", rulesFile, "--request-body", body, "--flags", write(name, text)); code == 0 {
			t.Errorf("%s: exit 0, want a refusal (stderr %s)", name, stderr)
		}
	}
}
