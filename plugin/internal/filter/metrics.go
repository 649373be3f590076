package filter

import (
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/veilproxy/veil/rules"
)

// metrics are defined once at plugin start (proxy_define_metric is not
// allowed during init) and never incremented by zero (Envoy answers
// BAD_ARGUMENT and the SDK panics). Names carry their labels as
// ".<tag>.<value>" pairs for Envoy's stats_tags regexes (README, "Metrics").
type metrics struct {
	bodiesInspected [3]proxywasm.MetricCounter
	bytesInspected  [3]proxywasm.MetricCounter
	bodiesChanged   [3]proxywasm.MetricCounter
	// values holds a counter per rule and direction the rule applies to.
	values map[ruleDirection]proxywasm.MetricCounter
	// failures is indexed by failure kind, then direction.
	failures map[rules.FailureKind]*[3]proxywasm.MetricCounter
}

var directions = [...]rules.Direction{rules.Request, rules.Response}

// ruleDirection keys the per-rule value counters.
type ruleDirection struct {
	rule      string
	direction rules.Direction
}

// defineMetrics defines every counter the program can touch.
func defineMetrics(p *rules.Program) *metrics {
	set := ".rule_set." + tagValue(p.Name())
	m := &metrics{
		values:   make(map[ruleDirection]proxywasm.MetricCounter, 2*len(p.Rules())),
		failures: make(map[rules.FailureKind]*[3]proxywasm.MetricCounter, len(failureKinds)),
	}
	for _, d := range directions {
		dir := ".direction." + d.String()
		m.bodiesInspected[d] = proxywasm.DefineCounterMetric("veil.bodies_inspected" + set + dir)
		m.bytesInspected[d] = proxywasm.DefineCounterMetric("veil.bytes_inspected" + set + dir)
		m.bodiesChanged[d] = proxywasm.DefineCounterMetric("veil.bodies_changed" + set + dir)
	}
	for _, r := range p.Rules() {
		mode := "enforce"
		if r.Shadow {
			mode = "shadow"
		}
		for _, d := range directions {
			if (d == rules.Request && !r.Request) || (d == rules.Response && !r.Response) {
				continue
			}
			m.values[ruleDirection{r.ID, d}] = proxywasm.DefineCounterMetric("veil.values" + set + ".rule." +
				tagValue(r.ID) + ".action." + r.Action + ".direction." + d.String() + ".mode." + mode)
		}
	}
	for _, kind := range failureKinds {
		counters := new([3]proxywasm.MetricCounter)
		outcome := ".outcome." + p.OnFailure(kind).String()
		for _, d := range directions {
			if kind == rules.InvalidPath && d == rules.Response {
				continue // a request-only kind
			}
			counters[d] = proxywasm.DefineCounterMetric("veil.failures" + set + ".kind." + kind.String() +
				outcome + ".direction." + d.String())
		}
		m.failures[kind] = counters
	}
	return m
}

// recordBody counts one inspected body and the values its report found.
func (m *metrics) recordBody(d rules.Direction, size int, changed bool, report rules.Report) {
	m.bodiesInspected[d].Increment(1)
	if size > 0 {
		m.bytesInspected[d].Increment(uint64(size))
	}
	if changed {
		m.bodiesChanged[d].Increment(1)
	}
	for _, f := range report.Findings {
		if counter, ok := m.values[ruleDirection{f.Rule, d}]; ok && f.Count > 0 {
			counter.Increment(uint64(f.Count))
		}
	}
}

// recordFailure counts one body the filter could not rewrite.
func (m *metrics) recordFailure(d rules.Direction, kind rules.FailureKind) {
	m.failures[kind][d].Increment(1)
}

// tagValue keeps a label value inside one dot-separated name segment.
func tagValue(s string) string {
	return strings.NewReplacer(".", "_", " ", "_").Replace(s)
}
