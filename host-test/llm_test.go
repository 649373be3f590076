package hosttest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// The llm-prompts pack through the .wasm: every case of
// rules/testdata/llm (request and response bodies of OpenAI, Anthropic and
// Gemini, whole and as stream chunks) comes out of the plugin as its
// want.json, in its own direction, and with json_in_strings nothing of its
// leaks.txt (nor of leaks-json.txt) survives either.
func TestPluginLLMPack(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(root, "rules", "testdata", "llm")
	read := func(parts ...string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(append([]string{base}, parts...)...))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	m := load(t, "veil", hosttest.Envoy133)
	vms := map[string]*hosttest.VM{}
	for _, cfg := range []string{"rules.yaml", "rules-text.yaml"} {
		vm, err := m.Start(t.Context(), hosttest.Config{PluginConfig: read(cfg)})
		if err != nil {
			t.Fatalf("%s: %v", cfg, err)
		}
		vms[cfg] = vm
	}
	dirs, _ := filepath.Glob(filepath.Join(base, "*", "in.json"))
	if len(dirs) == 0 {
		t.Fatal("no rules/testdata/llm cases")
	}
	for _, f := range dirs {
		name := filepath.Base(filepath.Dir(f))
		in, want := read(name, "in.json"), read(name, "want.json")
		leaks := strings.Split(strings.TrimSpace(string(read(name, "leaks.txt"))), "\n")
		var leaksJSON []string // found only when json_in_strings decodes the arguments
		if b, err := os.ReadFile(filepath.Join(base, name, "leaks-json.txt")); err == nil {
			leaksJSON = strings.Split(strings.TrimSpace(string(b)), "\n")
		}
		request := strings.HasPrefix(name, "request-")
		for cfg, vm := range vms {
			ex := jsonExchange(in, []byte(`{}`), 0)
			if !request {
				ex = jsonExchange([]byte(`{}`), in, 0)
			}
			res := vm.Do(ex)
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
				t.Fatalf("%s %s: vm %v, errors %q, local reply %+v", name, cfg, res.VMError, res.Errors, res.LocalReply)
			}
			got := res.Response.Body
			if request {
				got = res.Request.Body
			}
			if !json.Valid(got) {
				t.Errorf("%s %s: invalid JSON out:\n%s", name, cfg, got)
			}
			if cfg == "rules.yaml" && !bytes.Equal(got, want) {
				t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
			}
			mustGo := leaks
			if cfg == "rules.yaml" {
				mustGo = append(slices.Clone(leaks), leaksJSON...)
			}
			for _, leak := range mustGo {
				esc, _ := json.Marshal(leak)
				if bytes.Contains(got, []byte(leak)) || bytes.Contains(got, esc[1:len(esc)-1]) {
					t.Errorf("%s %s: %q survived", name, cfg, leak)
				}
			}
		}
	}
}

// The spellings of rules/testdata/llm/secrets-spellings.json through the
// secrets pack in the .wasm, as a string value and inside a tool-call
// argument walked with json_in_strings (rules.TestSecretsPackSpellings
// natively).
func TestPluginSecretsSpellings(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "rules", "testdata", "llm", "secrets-spellings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct{ In, Want string }
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte("include: [secrets]\njson_in_strings: true\n")})
	for _, r := range rows {
		in, _ := json.Marshal(map[string]string{"note": r.In})
		want, _ := json.Marshal(map[string]string{"note": r.Want})
		inner, _ := json.Marshal(map[string]string{"cmd": r.In})
		innerWant, _ := json.Marshal(map[string]string{"cmd": r.Want})
		reply, _ := json.Marshal(map[string]string{"arguments": string(inner)})
		replyWant, _ := json.Marshal(map[string]string{"arguments": string(innerWant)})
		res := vm.Do(jsonExchange(in, reply, 0))
		if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
			t.Fatalf("%q: vm %v, errors %q, local reply %+v", r.In, res.VMError, res.Errors, res.LocalReply)
		}
		if !bytes.Equal(res.Request.Body, want) {
			t.Errorf("request %s\n got %s\nwant %s", in, res.Request.Body, want)
		}
		if !bytes.Equal(res.Response.Body, replyWant) {
			t.Errorf("response %s\n got %s\nwant %s", reply, res.Response.Body, replyWant)
		}
	}
}
