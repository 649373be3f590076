package filter

import (
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// The gate through the SDK's emulator, natively and as .wasm (the full
// table runs in host-test/gate_test.go): a body is read whatever its label,
// record streams are split, every content-encoding value counts, and a path
// with control characters is refused.
func TestGateThroughProxytest(t *testing.T) {
	request := func(path string, headers ...[2]string) [][2]string {
		return append([][2]string{{":method", "POST"}, {":path", path}, {":authority", "example.com"}}, headers...)
	}
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		for _, c := range []struct {
			name    string
			headers [][2]string
			body    string
			want    string // forwarded body; "" when status is set
			status  uint32
		}{
			{"text/plain JSON", request("/x", [2]string{"content-type", "text/plain"}), `{"email":"a@b.c"}`, `{"email":"[REDACTED]"}`, 0},
			{"two labels", request("/x", [2]string{"content-type", "application/json"}, [2]string{"content-type", "text/plain"}),
				`[{"email":"a@b.c"}]`, `[{"email":"[REDACTED]"}]`, 0},
			{"form", request("/x", [2]string{"content-type", "application/x-www-form-urlencoded"}), `email=a%40b.c`, `email=a%40b.c`, 0},
			{"almost JSON", request("/x", [2]string{"content-type", "text/plain"}), `{"email":"a@b.c",}`, "", 400},
			{"ndjson", request("/x", [2]string{"content-type", "application/x-ndjson"}), "{\"email\":\"a@b.c\"}\nx\n", "{\"email\":\"[REDACTED]\"}\nx\n", 0},
			{"encodings", request("/x", [2]string{"content-type", "application/json"}, [2]string{"content-encoding", "identity"},
				[2]string{"content-encoding", "gzip"}), `{"email":"a@b.c"}`, "", 415},
			{"path parameter", request("/api;v=1/x", [2]string{"content-type", "application/json"}), `{"email":"a@b.c"}`, `{"email":"[REDACTED]"}`, 0},
			{"invalid path", request("/x%2500", [2]string{"content-type", "application/json"}), `{"email":"a@b.c"}`, "", 400},
		} {
			r := run(host, exchange{requestHeaders: c.headers, requestBody: c.body})
			switch {
			case c.status != 0 && (r.localReply == nil || r.localReply.StatusCode != c.status):
				t.Errorf("%s: reply %+v, want %d", c.name, r.localReply, c.status)
			case c.status == 0 && (r.localReply != nil || r.requestBody != c.want):
				t.Errorf("%s: reply %+v, body %q, want %q", c.name, r.localReply, r.requestBody, c.want)
			}
		}
		if n, _ := host.GetCounterMetric("veil.failures.rule_set.test.kind.invalid_path.outcome.reject.direction.request"); n != 1 {
			t.Errorf("invalid_path failures = %d, want 1", n)
		}
	})
}
