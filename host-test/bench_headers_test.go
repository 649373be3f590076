package hosttest_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	hosttest "github.com/veilproxy/veil/host-test"
)

// Header rules' cost per exchange through the .wasm. Run with
//
//	go test ./host-test -run '^$' -bench 'BenchmarkHeaderRulesWasm' -benchtime 3000x -count 3
//
// With VEIL_BASELINE_WASM set to another build of the plugin (say, main's
// build/veil.wasm), the same three runs go through it too, alternating
// with this tree's, and its figures are reported prefixed "base-": a
// before/after from one run.

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
// without header rules and the same exchange through a VM with two: a
// request of 20 headers (3 of them selected, 2 holding personal data) and
// a 1 KB JSON body with a note for the detectors, and a small JSON
// response. Both VMs also take the same exchange without the selected
// headers ("absent"), where header rules must cost nothing. The runs
// alternate, starting each op at the next one (a VM run right after
// another module's pays for the switch), so all see the same machine. It
// reports the time of each and the ratios with and without header rules.
func BenchmarkHeaderRulesWasm(b *testing.B) {
	selected := hosttest.Headers{{"content-type", "application/json"},
		{"x-user-email", "ann@example.com"}, {"referer", "https://shop.example/checkout?email=ann%40example.com&step=2"},
		{"cookie", "session=8f3a9c; theme=dark; consent=analytics"}}
	body := []byte(`{"email":"ann@example.com","note":"` + strings.Repeat("please deliver after six, ", 36) + `","n":1}`)
	ex := hosttest.Exchange{Path: "/api/orders", RequestHeaders: ordinaryHeaders(selected, 20), RequestBody: body,
		ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}}, ResponseBody: []byte(`{"ok":true}`)}
	exAbsent := ex
	exAbsent.RequestHeaders = ordinaryHeaders(selected[:1], 20)
	modules := []*hosttest.Module{load(b, "veil", hosttest.Envoy133)}
	prefixes := []string{""}
	if path := os.Getenv("VEIL_BASELINE_WASM"); path != "" {
		modules = append(modules, loadFile(b, path))
		prefixes = append(prefixes, "base-")
	}
	type run struct {
		vm *hosttest.VM
		ex hosttest.Exchange
	}
	var runs []run // per module: none, two rules, none absent, two rules absent
	for _, m := range modules {
		none := startModule(b, m, benchHeaderBase)
		two := startModule(b, m, benchHeaderRules)
		runs = append(runs, run{none, ex}, run{two, ex}, run{none, exAbsent}, run{two, exAbsent})
	}
	for i, r := range runs {
		res := r.vm.Do(r.ex)
		if res.VMError != nil || len(res.Errors) > 0 {
			b.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
		}
		if v, _ := res.Request.Headers.Get("x-user-email"); (v == "[REDACTED]") != (i%4 == 1) {
			b.Fatalf("x-user-email %q", v)
		}
	}
	spent := make([]time.Duration, len(runs))
	first := 0
	for b.Loop() {
		for k := range runs {
			i := (first + k) % len(runs)
			start := time.Now()
			if res := runs[i].vm.Do(runs[i].ex); res.VMError != nil {
				b.Fatal(res.VMError)
			}
			spent[i] += time.Since(start)
		}
		first++
	}
	for k, prefix := range prefixes {
		s := spent[4*k : 4*k+4]
		b.ReportMetric(float64(s[0].Nanoseconds())/float64(b.N), prefix+"none-ns/op")
		b.ReportMetric(float64(s[1].Nanoseconds())/float64(b.N), prefix+"two-rules-ns/op")
		b.ReportMetric(float64(s[3].Nanoseconds())/float64(b.N), prefix+"absent-ns/op")
		b.ReportMetric(float64(s[1])/float64(s[0]), prefix+"two-rules/none")
		b.ReportMetric(float64(s[3])/float64(s[2]), prefix+"absent/none")
	}
}

// loadFile compiles a .wasm file under the envoy-1.33 profile and closes it
// with the benchmark.
func loadFile(b *testing.B, path string) *hosttest.Module {
	b.Helper()
	wasm, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: hosttest.Envoy133})
	if err != nil {
		b.Fatalf("load %s: %v", path, err)
	}
	b.Cleanup(func() { m.Close(ctx) })
	return m
}

// startModule starts a VM of m with the rule set config.
func startModule(b *testing.B, m *hosttest.Module, config string) *hosttest.VM {
	b.Helper()
	vm, err := m.Start(context.Background(), hosttest.Config{PluginConfig: []byte(config)})
	if err != nil {
		b.Fatal(err)
	}
	return vm
}

// ordinaryHeaders returns first followed by ordinary headers up to n.
func ordinaryHeaders(first hosttest.Headers, n int) hosttest.Headers {
	headers := slices.Clone(first)
	for i := len(headers); i < n; i++ {
		headers = append(headers, [2]string{fmt.Sprintf("x-header-%02d", i), fmt.Sprintf("value %d of an ordinary header", i)})
	}
	return headers
}
