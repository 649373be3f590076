package hosttest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	hosttest "github.com/veilproxy/veil/host-test"
)

// Header rules' cost per exchange through the .wasm. Run with
//
//	go test ./host-test -run '^$' -bench 'BenchmarkHeaderRulesWasm' -benchtime 3000x -count 3

// benchHeaderBase is the rule set without header rules: a key rule and
// detectors over the body's text.
const benchHeaderBase = `
rules:
  - { id: body-email, select: { keys: [email] }, action: redact }
  - { id: body-pii, select: { detect: [email, phone] }, action: { redact: { with: "[pii]" } } }
`

// benchHeaderRules adds two header rules: a whole value and detectors.
const benchHeaderRules = benchHeaderBase + `
  - { id: user-email, select: { headers: [x-user-email] }, action: redact }
  - { id: referer, select: { headers: [referer, cookie], detect: [email, phone] }, action: { redact: { with: "[pii]" } } }
`

// BenchmarkHeaderRulesWasm runs, per op, one exchange through a VM
// without header rules and the same exchange through a VM with two,
// alternating so all see the same machine: a request of 20 headers (3 of
// them selected, 2 holding personal data) and a 1 KB JSON body with a
// note for the detectors, and a small JSON response. A third run sends the
// VM with two header rules the same exchange without the selected headers
// ("absent"): header rules must cost nothing there. It reports the time
// of each and their ratios to none.
func BenchmarkHeaderRulesWasm(b *testing.B) {
	selected := hosttest.Headers{{"content-type", "application/json"},
		{"x-user-email", "ann@example.com"}, {"referer", "https://shop.example/checkout?email=ann%40example.com&step=2"},
		{"cookie", "session=8f3a9c; theme=dark; consent=analytics"}}
	headers, absent := ordinaryHeaders(selected, 20), ordinaryHeaders(selected[:1], 20)
	body := []byte(`{"email":"ann@example.com","note":"` + strings.Repeat("please deliver after six, ", 36) + `","n":1}`)
	ex := hosttest.Exchange{Path: "/api/orders", RequestHeaders: headers, RequestBody: body,
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: []byte(`{"ok":true}`)}
	exAbsent := ex
	exAbsent.RequestHeaders = absent
	none := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(benchHeaderBase)})
	two := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(benchHeaderRules)})
	runs := [3]struct {
		vm *hosttest.VM
		ex hosttest.Exchange
	}{{none, ex}, {two, ex}, {two, exAbsent}}
	for i, r := range runs {
		res := r.vm.Do(r.ex)
		if res.VMError != nil || len(res.Errors) > 0 {
			b.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
		}
		if v, _ := res.Request.Headers.Get("x-user-email"); (v == "[REDACTED]") != (i == 1) {
			b.Fatalf("x-user-email %q", v)
		}
	}
	var spent [3]time.Duration
	for b.Loop() {
		for i, r := range runs {
			start := time.Now()
			if res := r.vm.Do(r.ex); res.VMError != nil {
				b.Fatal(res.VMError)
			}
			spent[i] += time.Since(start)
		}
	}
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "none-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), "two-rules-ns/op")
	b.ReportMetric(float64(spent[2].Nanoseconds())/float64(b.N), "absent-ns/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "two-rules/none")
	b.ReportMetric(float64(spent[2])/float64(spent[0]), "absent/none")
}

// ordinaryHeaders returns first followed by ordinary headers up to n.
func ordinaryHeaders(first hosttest.Headers, n int) hosttest.Headers {
	headers := slices.Clone(first)
	for i := len(headers); i < n; i++ {
		headers = append(headers, [2]string{fmt.Sprintf("x-header-%02d", i), fmt.Sprintf("value %d of an ordinary header", i)})
	}
	return headers
}
