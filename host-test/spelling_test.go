package hosttest_test

import (
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
)

// TestPluginSpellings runs corpus.SpellingCases through the .wasm, in a
// request and in a response: values hidden by invisible characters, glued to
// letters, written with unusual separators, form-encoded or doubly
// percent-encoded are replaced over their original bytes as natively
// (package rules, TestSpellings), and decoys spelled the same way pass.
func TestPluginSpellings(t *testing.T) {
	for _, p := range []hosttest.Profile{hosttest.Envoy133, hosttest.Envoy139} {
		vm := start(t, "veil", p, hosttest.Config{PluginConfig: []byte(corpus.SpellingRules)})
		for _, c := range corpus.SpellingCases {
			res := vm.Do(jsonExchange([]byte(c.Body), []byte(c.Body), 0))
			if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || res.Reset != "" {
				t.Fatalf("%s %s %s: vm %v, errors %q, local reply %+v, reset %q", p, c.Class, c.Body, res.VMError, res.Errors, res.LocalReply, res.Reset)
			}
			for dir, got := range map[string][]byte{"request": res.Request.Body, "response": res.Response.Body} {
				if string(got) != c.Want {
					t.Errorf("%s %s %s %s\n got %s\nwant %s", p, dir, c.Class, c.Body, got, c.Want)
				}
			}
		}
	}
}
