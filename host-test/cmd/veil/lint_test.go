package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliStdin runs the veil command with stdin.
func cliStdin(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = veil(context.Background(), args, strings.NewReader(stdin), &o, &e)
	return o.String(), e.String(), code
}

// lint over testdata/lint: every file reported, case files, bodies, hidden
// directories passed over, the rule sets inside Envoy and Istio files placed
// at their lines, a summary; the same as JSON.
func TestLintGolden(t *testing.T) {
	t.Setenv("VEIL_LINT_GOLDEN_UNSET", "")
	os.Unsetenv("VEIL_LINT_GOLDEN_UNSET")
	dir := filepath.Join("testdata", "lint")
	_, stderr, code := cli(t, "lint", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	golden(t, "lint.txt", stderr)
	stdout, stderr, code := cli(t, "lint", "--json", dir)
	if code != 1 || stderr != "6 files: 4 errors, 3 warnings\n" {
		t.Errorf("--json: exit %d, stderr %q", code, stderr)
	}
	var findings []lintFinding
	if err := json.Unmarshal([]byte(stdout), &findings); err != nil {
		t.Fatalf("--json output: %v", err)
	}
	golden(t, "lint.json", stdout)
}

func TestLintCLI(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(tmp, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const good = "version: 1\nname: g\nrules:\n  - id: a\n    select: { keys: [x] }\n    action: redact\n"
	const bad = "version: 1\nname: b\nrules:\n  - id: a\n    select: { paths: [\"$.x[\"] }\n    action: redact\n"
	const inline = "version: 1\nname: i\ncrypto_keys:\n  k: { inline: \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\", insecure_inline: true }\n" +
		"rules:\n  - id: a\n    select: { keys: [x] }\n    action: { hash: { key: k } }\n"
	goodFile, badFile, inlineFile := write("good.yaml", good), write("bad.yaml", bad), write("inline.yaml", inline)
	missing := filepath.Join(tmp, "missing.yaml")
	emptyDir := filepath.Join(tmp, "empty")
	os.Mkdir(emptyDir, 0o755)
	body := write("body.json", `{"x": 1}`)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		// want are in stderr, in order; wantOut in stdout.
		want    []string
		wantOut string
		// not must not be in stderr.
		not string
	}{
		{"clean", "", []string{"lint", goodFile}, 0, []string{"1 file: 0 errors, 0 warnings\n"}, "", goodFile},
		{"mistake", "", []string{"lint", badFile}, 1, []string{badFile + ":5:28: rule \"a\"", "1 file: 1 error, 0 warnings\n"}, "", ""},
		{"every file, an unreadable one too", "", []string{"lint", missing, badFile, goodFile}, 1,
			[]string{missing + ": cannot read it: no such file or directory", badFile + ":5:", "3 files: 2 errors, 0 warnings\n"}, "", ""},
		{"standard input", good, []string{"lint", "-"}, 0, []string{"1 file: 0 errors, 0 warnings\n"}, "", ""},
		{"standard input with a mistake", bad, []string{"lint", "-", goodFile}, 1, []string{"<stdin>:5:28:", "2 files: 1 error, 0 warnings\n"}, "", ""},
		{"standard input twice", good, []string{"lint", "-", "-"}, 2, []string{"- (standard input) given twice"}, "", ""},
		{"no file", "", []string{"lint"}, 2, []string{"want at least one FILE"}, "", ""},
		{"a warning exits 0", "", []string{"lint", inlineFile}, 0, []string{inlineFile + ": warning: crypto_keys.k:", "1 file: 0 errors, 1 warning\n"}, "", "AAECAw"},
		{"--strict after the file", "", []string{"lint", inlineFile, "--strict"}, 1, []string{"1 file: 0 errors, 1 warning\n"}, "", ""},
		{"a directory without rule sets", "", []string{"lint", emptyDir}, 1, []string{emptyDir + ": no rule set in it", "1 file: 1 error, 0 warnings\n"}, "", ""},
		{"a body named on the command line", "", []string{"lint", body}, 1, []string{body + ":1:1: missing field"}, "", ""},
		{"--json", "", []string{"lint", "--json", badFile}, 1, []string{"1 file: 1 error, 0 warnings\n"},
			`"file": "` + badFile + `",
    "line": 5,
    "col": 28,
    "severity": "error",
    "code": "",
    "rule": "a",`, "$.x["},
		{"--json with nothing to say", "", []string{"lint", "--json", goodFile}, 0, []string{"1 file: 0 errors, 0 warnings\n"}, "[]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := cliStdin(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			rest := stderr
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("stderr lacks %q (in order):\n%s", w, stderr)
					break
				}
				rest = rest[i+len(w):]
			}
			if tc.not != "" && strings.Contains(stderr, tc.not) {
				t.Errorf("stderr has %q:\n%s", tc.not, stderr)
			}
			if !strings.Contains(stdout, tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, stdout)
			}
		})
	}
}
