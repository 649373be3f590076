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
	// ruleIDs and values are in rule order: values[i][d] counts what rule
	// ruleIDs[i] did in direction d. A report lists its findings in rule
	// order too, so recordBody matches them in one merge, without hashing ids.
	ruleIDs []string
	values  [][3]ruleCounter
	// failed counts, in the same order, the values a rule's action could
	// not carry out (rules.Finding.Failed); defined only for the actions
	// that can fail: fpe, generalize and reveal.
	failed [][3]ruleCounter
	// blocked counts, in the same order, the bodies a block rule refused;
	// defined only for enforcing block rules (a shadow one refuses nothing).
	blocked [][3]ruleCounter
	// listIDs and minimized are in minimize-list order: minimized[i][d]
	// counts the values list listIDs[i] removed in direction d (reports
	// list them in that order too).
	listIDs   []string
	minimized [][3]ruleCounter
	// failures is indexed by failure kind, then direction.
	failures map[rules.FailureKind]*[3]proxywasm.MetricCounter
}

var directions = [...]rules.Direction{rules.Request, rules.Response}

// ruleCounter is a rule's value counter in one direction; defined is false
// for a direction the rule does not apply to (a metric id may be 0).
type ruleCounter struct {
	counter proxywasm.MetricCounter
	defined bool
}

// defineMetrics defines every counter the program can touch.
func defineMetrics(p *rules.Program) *metrics {
	set := ".rule_set." + tagValue(p.Name())
	m := &metrics{
		values:   make([][3]ruleCounter, len(p.Rules())),
		failed:   make([][3]ruleCounter, len(p.Rules())),
		blocked:  make([][3]ruleCounter, len(p.Rules())),
		failures: make(map[rules.FailureKind]*[3]proxywasm.MetricCounter, len(failureKinds)),
	}
	for _, d := range directions {
		dir := ".direction." + d.String()
		m.bodiesInspected[d] = proxywasm.DefineCounterMetric("veil.bodies_inspected" + set + dir)
		m.bytesInspected[d] = proxywasm.DefineCounterMetric("veil.bytes_inspected" + set + dir)
		m.bodiesChanged[d] = proxywasm.DefineCounterMetric("veil.bodies_changed" + set + dir)
	}
	for i, r := range p.Rules() {
		m.ruleIDs = append(m.ruleIDs, r.ID)
		mode := "enforce"
		if r.Shadow {
			mode = "shadow"
		}
		for _, d := range directions {
			if (d == rules.Request && !r.Request) || (d == rules.Response && !r.Response) {
				continue
			}
			rule := ".rule." + tagValue(r.ID)
			labels := set + rule + ".action." + r.Action + ".direction." + d.String() + ".mode." + mode
			m.values[i][d] = ruleCounter{defined: true, counter: proxywasm.DefineCounterMetric("veil.values" + labels)}
			if canFail(r.Action) {
				m.failed[i][d] = ruleCounter{defined: true, counter: proxywasm.DefineCounterMetric("veil.values_failed" + labels)}
			}
			if r.Action == "block" && !r.Shadow {
				m.blocked[i][d] = ruleCounter{defined: true, counter: proxywasm.DefineCounterMetric("veil.bodies_blocked" + set + rule +
					".direction." + d.String())}
			}
		}
	}
	for _, l := range p.MinimizeLists() {
		m.listIDs = append(m.listIDs, l.ID)
		var counters [3]ruleCounter
		for _, d := range directions {
			if (d == rules.Request && l.Request) || (d == rules.Response && l.Response) {
				counters[d] = ruleCounter{defined: true, counter: proxywasm.DefineCounterMetric("veil.values_minimized" + set +
					".allow_list." + tagValue(l.ID) + ".direction." + d.String())}
			}
		}
		m.minimized = append(m.minimized, counters)
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
	m.recordFindings(d, report)
}

// recordFindings counts the values a report's rules acted on (and failed
// on) and the values its minimize lists removed, in direction d (a body's,
// its headers' or a query string's).
func (m *metrics) recordFindings(d rules.Direction, report rules.Report) {
	i := 0
	for _, f := range report.Findings {
		i = m.ruleIndex(f.Rule, i)
		if i >= 0 && m.values[i][d].defined && f.Count > 0 {
			m.values[i][d].counter.Increment(uint64(f.Count))
		}
		if i >= 0 && m.failed[i][d].defined && f.Failed > 0 {
			m.failed[i][d].counter.Increment(uint64(f.Failed))
		}
		i++
	}
	for _, mz := range report.Minimized {
		if mz.Count <= 0 {
			continue
		}
		for i, id := range m.listIDs {
			if id == mz.ID && m.minimized[i][d].defined {
				m.minimized[i][d].counter.Increment(uint64(mz.Count))
				break
			}
		}
	}
}

// ruleIndex returns the position of rule id, looking from from on (where
// the next finding's rule is, findings being in rule order) and then from
// the start; -1 for an id the program does not have.
func (m *metrics) ruleIndex(id string, from int) int {
	for i := range m.ruleIDs {
		if j := (from + i) % len(m.ruleIDs); m.ruleIDs[j] == id {
			return j
		}
	}
	return -1
}

// recordBlocked counts one body refused by block rule id.
func (m *metrics) recordBlocked(d rules.Direction, id string) {
	if i := m.ruleIndex(id, 0); i >= 0 && m.blocked[i][d].defined {
		m.blocked[i][d].counter.Increment(1)
	}
}

// canFail reports whether a rule's action can fail on a value and so has a
// veil.values_failed counter (see rules.Finding.Failed).
func canFail(action string) bool {
	return action == "fpe" || action == "generalize" || action == "reveal"
}

// recordFailure counts one body the filter could not rewrite.
func (m *metrics) recordFailure(d rules.Direction, kind rules.FailureKind) {
	m.failures[kind][d].Increment(1)
}

// tagValue keeps a label value inside one dot-separated name segment.
func tagValue(s string) string {
	return strings.NewReplacer(".", "_", " ", "_").Replace(s)
}
