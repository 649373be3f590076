package hosttest_test

import (
	"fmt"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// Header rules' cost per exchange through the .wasm. Run with
//
//	go test ./host-test -run '^$' -bench 'BenchmarkHeaderRulesWasm' -count 3
//
// and compare two-rules with none (the same exchange, the same body rule,
// no header rule) in the same run.

// benchHeaderBase is the rule set without header rules.
const benchHeaderBase = `
rules:
  - { id: body-email, select: { keys: [email] }, action: redact }
`

// benchHeaderRules adds two header rules: a whole value and detectors.
const benchHeaderRules = benchHeaderBase + `
  - { id: user-email, select: { headers: [x-user-email] }, action: redact }
  - { id: referer, select: { headers: [referer, cookie], detect: [email, phone] }, action: { redact: { with: "[pii]" } } }
`

// BenchmarkHeaderRulesWasm runs one exchange per op: a request of 20
// headers (3 of them selected, 2 holding personal data) and a 1 KB JSON
// body, and a small JSON response.
func BenchmarkHeaderRulesWasm(b *testing.B) {
	headers := hosttest.Headers{{"content-type", "application/json"},
		{"x-user-email", "ann@example.com"}, {"referer", "https://shop.example/checkout?email=ann%40example.com&step=2"},
		{"cookie", "session=8f3a9c; theme=dark; consent=analytics"}}
	for i := len(headers); i < 20; i++ {
		headers = append(headers, [2]string{fmt.Sprintf("x-header-%02d", i), fmt.Sprintf("value %d of an ordinary header", i)})
	}
	body := []byte(`{"email":"ann@example.com","items":[` + fmt.Sprintf("%0900d", 0) + `]}`)
	ex := hosttest.Exchange{Path: "/api/orders", RequestHeaders: headers, RequestBody: body,
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: []byte(`{"ok":true}`)}
	for _, c := range []struct{ name, rules string }{{"none", benchHeaderBase}, {"two-rules", benchHeaderRules}} {
		b.Run(c.name, func(b *testing.B) {
			vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(c.rules)})
			if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 {
				b.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
			}
			b.ReportAllocs()
			for b.Loop() {
				if res := vm.Do(ex); res.VMError != nil {
					b.Fatal(res.VMError)
				}
			}
		})
	}
}
