package hosttest_test

import (
	"fmt"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// The plugin writes a body (proxy_set_buffer_bytes) exactly when the rules
// changed it: a body with nothing to redact leaves Envoy's buffer alone,
// whatever its formatting and however it arrives, in both directions.
func TestPluginWritesBodyOnlyWhenChanged(t *testing.T) {
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(productionRules)})
	for _, c := range []struct {
		body    string
		changed bool
	}{
		{`{"name":"A"}`, false},
		{`{ "name" : "A",   "n": 1.50e2 }`, false},
		{"{\n  \"handle\": \"a@example.com\",\n  \"ref\": [1, 2]\n}\n", false},
		{`{"email":""}`, true},
		{`{"email":"a@example.com"}`, true},
		{`[{"card_number":"4111 1111 1111 1111"}]`, true},
	} {
		for _, chunk := range []int{0, 3} {
			t.Run(fmt.Sprintf("%s/chunk=%d", c.body, chunk), func(t *testing.T) {
				res := vm.Do(jsonExchange([]byte(c.body), []byte(c.body), chunk))
				if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
					t.Fatalf("vm %v, errors %q, local reply %+v", res.VMError, res.Errors, res.LocalReply)
				}
				for name, msg := range map[string]hosttest.Message{"request": res.Request, "response": res.Response} {
					if msg.BodyWritten != c.changed {
						t.Errorf("%s body written = %t, want %t (body now %q)", name, msg.BodyWritten, c.changed, msg.Body)
					}
					if !c.changed && string(msg.Body) != c.body {
						t.Errorf("%s body changed: %q", name, msg.Body)
					}
				}
			})
		}
	}
}
