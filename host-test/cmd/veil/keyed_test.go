package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A malformed --env value is a usage error that never repeats the value: it
// is likely key material typed without its NAME=.
func TestEnvFlagNeverSpellsValue(t *testing.T) {
	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(rulesFile, []byte("version: 1\nname: x\nrules:\n  - id: a\n    select: { keys: [email] }\n    action: redact\n"), 0o644)
	const secret = "q1/6mB+4Zx0LkXWc2VjcmV0LWtleS1tYXRlcmlhbCE="
	for _, args := range [][]string{
		{"redact", "--rules", rulesFile, "--env", secret},
		{"redact", "--rules", rulesFile, "--env", "=" + secret},
		{"redact", "--rules", rulesFile, "--env", "1X=" + secret},
		{"redact", "--rules", rulesFile, "--env", "KEY" + secret},
		{"lint", "--env", secret, rulesFile},
		{"token", "--rules", rulesFile, "--rule", "a", "--env", secret, "v"},
		{"reveal", "--rules", rulesFile, "--env", secret, "t"},
		{"run", "--plugin", pluginPath, "--rules", rulesFile, "--env", secret},
	} {
		out, stderr, code := cli(t, args...)
		if code != 2 || !strings.Contains(stderr, "--env: want NAME=VALUE") {
			t.Errorf("%s: exit %d, stderr %q", args[0], code, stderr)
		}
		if strings.Contains(out+stderr, secret) || strings.Contains(out+stderr, secret[:16]) {
			t.Errorf("%s: output spells the --env value: %q %q", args[0], out, stderr)
		}
	}
}

// token needs --rule; both need --rules.
func TestTokenRevealRequiredFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--rule", "a", "v"}, "--rules is required"},
		{[]string{"token", "--rules", "r.yaml", "v"}, "--rule is required"},
		{[]string{"reveal", "t"}, "--rules is required"},
	} {
		if _, stderr, code := cli(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// --env values come first; a name they do not give is read from the
// process environment; a name found nowhere is unset.
func TestEnvLookupOrder(t *testing.T) {
	t.Setenv("VEIL_TEST_FROM_PROCESS", "process")
	t.Setenv("VEIL_TEST_BOTH", "process")
	e := &envFlags{values: map[string]string{}}
	for _, v := range []string{"VEIL_TEST_BOTH=flag", "VEIL_TEST_ONLY_FLAG=a=b", "VEIL_TEST_EMPTY="} {
		e.Set(v)
	}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"VEIL_TEST_BOTH", "flag", true},
		{"VEIL_TEST_FROM_PROCESS", "process", true},
		{"VEIL_TEST_ONLY_FLAG", "a=b", true},
		{"VEIL_TEST_EMPTY", "", true},
		{"VEIL_TEST_NOWHERE_7d1e", "", false},
	} {
		if got, ok := e.lookup(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("lookup(%s) = %q, %t; want %q, %t", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if s := e.String(); strings.Contains(s, "a=b") || !strings.Contains(s, "VEIL_TEST_ONLY_FLAG") {
		t.Errorf("String() = %q: want the names, never the values", s)
	}
	var missing []string
	look := e.placeholderLookup(&missing)
	k1, ok1 := look("VEIL_TEST_NOWHERE_7d1e")
	k2, _ := look("VEIL_TEST_NOWHERE_7d1e")
	if got, _ := look("VEIL_TEST_BOTH"); got != "flag" {
		t.Errorf("placeholder lookup of a given name = %q", got)
	}
	if !ok1 || len(k1) != 44 || k1 == k2 || len(missing) != 1 || missing[0] != "VEIL_TEST_NOWHERE_7d1e" {
		t.Errorf("placeholder: %q %t %q, missing %q", k1, ok1, k2, missing)
	}
}

// readLines splits on \n and \r\n and keeps a last line without newline.
func TestReadLines(t *testing.T) {
	for in, want := range map[string][]string{
		"":               nil,
		"a":              {"a"},
		"a\nb\n":         {"a", "b"},
		"a\r\nb":         {"a", "b"},
		"a\n\nb":         {"a", "", "b"},
		"tok en\twith\n": {"tok en\twith"},
	} {
		got, err := readLines(strings.NewReader(in))
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("readLines(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// FuzzEnvFlag: whatever the --env value, a well-formed NAME=VALUE is kept
// as given, anything else is counted as malformed; String names names only.
func FuzzEnvFlag(f *testing.F) {
	f.Add("VEIL_KEY_K2=q1/6mB+4Zx0LkXWc2VjcmV0=")
	f.Add("q1/6mB+4Zx0LkXWc2VjcmV0=")
	f.Add("=x")
	f.Add("_a1=")
	f.Fuzz(func(t *testing.T, v string) {
		e := &envFlags{values: map[string]string{}}
		if err := e.Set(v); err != nil {
			t.Fatal(err)
		}
		name, value, ok := strings.Cut(v, "=")
		if ok && validEnvName(name) {
			if got, found := e.values[name]; !found || got != value || e.malformed != 0 {
				t.Fatalf("%q: values %q, malformed %d", v, e.values, e.malformed)
			}
			if s := e.String(); s != name {
				t.Fatalf("String() = %q, want the name %q", s, name)
			}
			return
		}
		if len(e.values) != 0 || e.malformed != 1 || e.String() != "" || e.check() == nil {
			t.Fatalf("%q: values %q, malformed %d", v, e.values, e.malformed)
		}
		if strings.Contains(e.check().Error(), v) && v != "" {
			t.Fatalf("%q: the error repeats the value", v)
		}
	})
}
