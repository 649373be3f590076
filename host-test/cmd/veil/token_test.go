package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules"
)

// keyedRuleSet names one key from the environment (VEIL_KEY_T) and uses it
// for hash, encrypt and fpe; "plain" is not keyed.
const keyedRuleSet = `version: 1
name: cli
crypto_keys:
  t: { env: VEIL_KEY_T }
rules:
  - id: user-ref
    select: { keys: [user_id] }
    action: { hash: { key: t, prefix: "usr_", length: 16 } }
  - id: contact
    select: { keys: [email, phone] }
    action: { encrypt: { key: t } }
  - id: card
    select: { keys: [card_number] }
    action: { fpe: { key: t, keep_last: 4 } }
  - id: plain
    select: { keys: [note] }
    action: redact
`

// cliKey and otherKey are two 32-byte keys in base64.
var (
	cliKey   = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	otherKey = base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))
)

// keyedFile writes keyedRuleSet to a temporary file.
func keyedFile(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(f, []byte(keyedRuleSet), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// nativeProgram compiles keyedRuleSet with VEIL_KEY_T = key.
func nativeProgram(t *testing.T, key string) *rules.Program {
	t.Helper()
	p, err := rules.Compile([]byte(keyedRuleSet), rules.Options{Env: func(n string) (string, bool) { return key, n == "VEIL_KEY_T" }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lines splits command output into lines (none for empty output).
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// veil token prints one pseudonym per value, in order, equal to the
// engine's; a value the rule cannot take is reported by position, never
// spelled, the others still printed, exit 1.
func TestToken(t *testing.T) {
	f := keyedFile(t)
	p := nativeProgram(t, cliKey)
	want := func(rule string, values ...string) []string {
		var out []string
		for _, v := range values {
			tok, err := p.Pseudonym(rule, v)
			if err != nil {
				t.Fatalf("Pseudonym(%s, %q): %v", rule, v, err)
			}
			out = append(out, tok)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		args   []string
		want   []string
		code   int
		stderr []string // substrings
	}{
		{"hash", []string{"--rule", "user-ref", "u-1", "u-2", "u-1"}, want("user-ref", "u-1", "u-2", "u-1"), 0, nil},
		{"encrypt", []string{"--rule", "contact", "ann@example.com", "+1 415 555 2671"}, want("contact", "ann@example.com", "+1 415 555 2671"), 0, nil},
		{"fpe", []string{"--rule", "card", "4111 1111 1111 1111"}, want("card", "4111 1111 1111 1111"), 0, nil},
		{"not keyed", []string{"--rule", "plain", "secret note"}, nil, 1, []string{"argument 1", "1 of 1 failed"}},
		{"no such rule", []string{"--rule", "nope", "ann@example.com"}, nil, 1, []string{"argument 1"}},
		{"fpe too short, others printed", []string{"--rule", "card", "4111 1111 1111 1111", "12", "5555555555554444"},
			want("card", "4111 1111 1111 1111", "5555555555554444"), 1, []string{"argument 2", "1 of 3 failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"token", "--rules", f, "--env", "VEIL_KEY_T=" + cliKey}, tc.args...)
			out, stderr, code := cli(t, args...)
			if code != tc.code || strings.Join(lines(out), "|") != strings.Join(tc.want, "|") {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q", code, out, stderr, tc.code, tc.want)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q lacks %q", stderr, s)
				}
			}
			for _, v := range tc.args[2:] {
				if len(v) > 3 && strings.Contains(stderr, v) {
					t.Errorf("stderr spells a value %q: %q", v, stderr)
				}
			}
			if strings.Contains(out+stderr, cliKey) {
				t.Errorf("output spells the key")
			}
		})
	}
	// Values from standard input, one per line, give the same lines.
	var o, e strings.Builder
	code := veil(t.Context(), []string{"token", "--rules", f, "--env", "VEIL_KEY_T=" + cliKey, "--rule", "user-ref", "-"},
		strings.NewReader("u-1\r\nu-2\n"), &o, &e)
	if got := lines(o.String()); code != 0 || strings.Join(got, "|") != strings.Join(want("user-ref", "u-1", "u-2"), "|") {
		t.Errorf("stdin: exit %d, %q, %q", code, o.String(), e.String())
	}
}

// --env comes first; veil's own environment fills the names it does not
// give; a key found nowhere fails naming the key id and the variable.
func TestTokenKeyFromEnvironment(t *testing.T) {
	f := keyedFile(t)
	t.Setenv("VEIL_KEY_T", otherKey)
	fromFlag, _, _ := cli(t, "token", "--rules", f, "--env", "VEIL_KEY_T="+cliKey, "--rule", "user-ref", "u-1")
	fromEnv, _, _ := cli(t, "token", "--rules", f, "--rule", "user-ref", "u-1")
	if want, _ := nativeProgram(t, cliKey).Pseudonym("user-ref", "u-1"); strings.TrimSpace(fromFlag) != want {
		t.Errorf("--env: %q, want %q", fromFlag, want)
	}
	if want, _ := nativeProgram(t, otherKey).Pseudonym("user-ref", "u-1"); strings.TrimSpace(fromEnv) != want {
		t.Errorf("environment: %q, want %q", fromEnv, want)
	}
	os.Unsetenv("VEIL_KEY_T")
	for _, args := range [][]string{
		{"token", "--rules", f, "--rule", "user-ref", "u-1"},
		{"reveal", "--rules", f, "veil_t.AAAA"},
		{"redact", "--rules", f},
	} {
		_, stderr, code := cli(t, args...)
		if code != 1 || !strings.Contains(stderr, "crypto_keys.t: environment variable VEIL_KEY_T is not set") {
			t.Errorf("%s without the key: exit %d, stderr %q", args[0], code, stderr)
		}
	}
	short := base64.StdEncoding.EncodeToString([]byte("short key"))
	_, stderr, code := cli(t, "token", "--rules", f, "--env", "VEIL_KEY_T="+short, "--rule", "user-ref", "u-1")
	if code != 1 || !strings.Contains(stderr, "VEIL_KEY_T") || strings.Contains(stderr, short) {
		t.Errorf("short key: exit %d, stderr %q", code, stderr)
	}
}

// veil reveal opens encrypt tokens without --rule and fpe values with it;
// a token it cannot open is reported by position, the others still printed.
func TestReveal(t *testing.T) {
	f := keyedFile(t)
	p := nativeProgram(t, cliKey)
	ann, _ := p.Pseudonym("contact", "ann@example.com")
	phone, _ := p.Pseudonym("contact", "+1 415 555 2671")
	card, _ := p.Pseudonym("card", "4111 1111 1111 1111")
	foreign, _ := nativeProgram(t, otherKey).Pseudonym("contact", "ann@example.com")
	altered := ann[:len(ann)-2] + map[bool]string{true: "B", false: "A"}[ann[len(ann)-2] == 'A'] + ann[len(ann)-1:]
	for _, tc := range []struct {
		name   string
		args   []string
		want   []string
		code   int
		stderr []string
	}{
		{"tokens", []string{ann, phone, ann}, []string{"ann@example.com", "+1 415 555 2671", "ann@example.com"}, 0, nil},
		{"fpe with --rule", []string{"--rule", "card", card}, []string{"4111 1111 1111 1111"}, 0, nil},
		{"altered among good", []string{ann, altered, phone}, []string{"ann@example.com", "+1 415 555 2671"}, 1, []string{"argument 2", "1 of 3 failed"}},
		{"another key", []string{foreign}, nil, 1, []string{"argument 1"}},
		{"not a token", []string{"hello"}, nil, 1, []string{"argument 1"}},
		{"fpe without --rule", []string{card}, nil, 1, []string{"argument 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"reveal", "--rules", f, "--env", "VEIL_KEY_T=" + cliKey}, tc.args...)
			out, stderr, code := cli(t, args...)
			if code != tc.code || strings.Join(lines(out), "|") != strings.Join(tc.want, "|") {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q", code, out, stderr, tc.code, tc.want)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q lacks %q", stderr, s)
				}
			}
		})
	}
}

// redact takes --env; lint checks a rule set whose key it cannot find with
// a placeholder and names the variable in a note, warns about an inline key
// (never spelling it), and still refuses a key given too short.
func TestKeyedRedactAndLint(t *testing.T) {
	f := keyedFile(t)
	in := filepath.Join(t.TempDir(), "in.json")
	os.WriteFile(in, []byte(`{"user_id":"u-1","note":"x"}`), 0o644)
	out, stderr, code := cli(t, "redact", "--rules", f, "--env", "VEIL_KEY_T="+cliKey, in)
	want, _ := nativeProgram(t, cliKey).Pseudonym("user-ref", "u-1")
	if code != 0 || strings.TrimSpace(out) != `{"user_id":"`+want+`","note":"[REDACTED]"}` {
		t.Errorf("redact: exit %d, %q, %q", code, out, stderr)
	}
	_, stderr, code = cli(t, "lint", f)
	if code != 0 || !strings.Contains(stderr, "note: variable VEIL_KEY_T is not set") {
		t.Errorf("lint without the key: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = cli(t, "lint", "--env", "VEIL_KEY_T="+cliKey, f)
	if code != 0 || stderr != "1 file: 0 errors, 0 warnings\n" {
		t.Errorf("lint with the key: exit %d, stderr %q", code, stderr)
	}
	inline := filepath.Join(t.TempDir(), "inline.yaml")
	os.WriteFile(inline, []byte(strings.Replace(keyedRuleSet, "t: { env: VEIL_KEY_T }", `t: { inline: "`+cliKey+`", insecure_inline: true }`, 1)), 0o644)
	_, stderr, code = cli(t, "lint", inline)
	if code != 0 || !strings.Contains(stderr, inline+": warning: crypto_keys.t:") || strings.Contains(stderr, cliKey) {
		t.Errorf("lint with an inline key: exit %d, stderr %q", code, stderr)
	}
	short := base64.StdEncoding.EncodeToString([]byte("short key"))
	_, stderr, code = cli(t, "lint", "--env", "VEIL_KEY_T="+short, f)
	if code != 1 || !strings.Contains(stderr, "VEIL_KEY_T") || strings.Contains(stderr, short) {
		t.Errorf("lint with a short key: exit %d, stderr %q", code, stderr)
	}
}
