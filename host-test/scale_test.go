package hosttest_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// TestPluginScaleSpellings: the plugin configured with a 1,000-rule set of
// key lists and paths selects every spelling of corpus.ScaleSpellings, in
// requests and responses, exactly as the native engine does.
func TestPluginScaleSpellings(t *testing.T) {
	src := []byte(corpus.ScaleRules(1000, corpus.ScaleMixed))
	p, err := rules.Compile(src, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: src})
	for _, c := range corpus.ScaleSpellings {
		t.Run(c.Class, func(t *testing.T) {
			body := []byte(c.Body)
			res := vm.Do(jsonExchange(body, body, 0))
			if res.VMError != nil || len(res.Errors) > 0 {
				t.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
			}
			for d, got := range map[rules.Direction][]byte{rules.Request: res.Request.Body, rules.Response: res.Response.Body} {
				want, _, err := p.Apply(body, rules.Input{Direction: d})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: wasm %s, native %s", d, got, want)
				}
				if survived := strings.Contains(string(got), "PLANT"); survived == c.Selected {
					t.Errorf("%s: %s >> %s", d, body, got)
				}
			}
		})
	}
}
