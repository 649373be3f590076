package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every shell's script is valid for that shell (bash -n; zsh -n and fish
// --no-execute when they are installed) and names every command and every
// flag its --help lists.
func TestCompletionScripts(t *testing.T) {
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	want := map[string][]string{}
	for line := range strings.Lines(usage[strings.Index(usage, "commands:\n")+len("commands:\n"):]) {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name == "" {
			break
		}
		help, _, code := cli(t, name, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", name, code)
		}
		_, defaults, _ := strings.Cut(help, "\nflags:\n")
		want[name] = nil
		for _, m := range flagLine.FindAllStringSubmatch(defaults, -1) {
			want[name] = append(want[name], m[1])
		}
	}
	for _, cmd := range []string{"run", "lint", "version", "completion"} {
		if _, ok := want[cmd]; !ok {
			t.Fatalf("usage lacks %s", cmd)
		}
	}
	if !strings.Contains(strings.Join(want["lint"], " "), "strict") || !strings.Contains(strings.Join(want["run"], " "), "H") {
		t.Fatalf("flags read from --help: %v", want)
	}
	check := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}
	for _, shell := range completionShells {
		t.Run(shell, func(t *testing.T) {
			script, stderr, code := cli(t, "completion", shell)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for cmd, flags := range want {
				if !regexp.MustCompile(`\b` + cmd + `\b`).MatchString(script) {
					t.Errorf("no command %s", cmd)
				}
				for _, f := range flags {
					spelled := map[bool]string{true: "-" + f, false: "--" + f}[len(f) == 1]
					if shell == "fish" {
						spelled = map[bool]string{true: "-s " + f, false: "-l " + f}[len(f) == 1]
					}
					if !strings.Contains(script, spelled) {
						t.Errorf("%s: no flag %s", cmd, spelled)
					}
				}
			}
			file := filepath.Join(t.TempDir(), "veil."+shell)
			os.WriteFile(file, []byte(script), 0o644)
			argv := check[shell]
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("%s is not installed: syntax not checked", argv[0])
			}
			if out, err := exec.Command(argv[0], append(argv[1:], file)...).CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, out)
			}
		})
	}
	if _, _, code := cli(t, "completion", "powershell"); code != 2 {
		t.Errorf("completion powershell: exit %d, want 2", code)
	}
}

// The bash script completes what a user types: a command, a flag of that
// command, a shell for completion.
func TestCompletionBash(t *testing.T) {
	script, _, _ := cli(t, "completion", "bash")
	file := filepath.Join(t.TempDir(), "veil.bash")
	os.WriteFile(file, []byte(script), 0o644)
	for _, tc := range []struct {
		words string
		want  string
	}{
		{"veil li", "lint"},
		{"veil lint --st", "--strict"},
		{"veil run --request-", "--request-body"},
		{"veil run -", "-H"},
		{"veil completion ''", "bash zsh fish"},
		{"veil check --envoy ''", ""},
	} {
		cmd := exec.Command("bash", "-c", `source "$1"; COMP_WORDS=(`+tc.words+`); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _veil; echo "${COMPREPLY[*]}"`, "bash", file)
		out, err := cmd.CombinedOutput()
		got := strings.TrimSpace(string(out))
		if err != nil || !strings.HasPrefix(got, tc.want) || tc.want == "" && got != "" {
			t.Errorf("%s: %q, %v; want %q", tc.words, got, err, tc.want)
		}
	}
}
