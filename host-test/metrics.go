package hosttest

import (
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// MetricType is proxy-wasm's metric type.
type MetricType uint32

// The metric types.
const (
	Counter MetricType = iota
	Gauge
	Histogram
)

var metricTypeNames = [...]string{"counter", "gauge", "histogram"}

// String returns "counter", "gauge" or "histogram".
func (t MetricType) String() string {
	if int(t) < len(metricTypeNames) {
		return metricTypeNames[t]
	}
	return "unknown"
}

// MarshalText encodes the type as its name.
func (t MetricType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Metric is a snapshot of one stat.
type Metric struct {
	Type MetricType `json:"type"`
	// Value is the counter total or gauge value (a gauge as int64 bits).
	Value int64 `json:"value"`
	// Samples are a histogram's recorded values.
	Samples []uint64 `json:"samples,omitempty"`
}

// store is the process-wide state Envoy shares across worker VMs: stats,
// shared data and queues.
type store struct {
	mu      sync.Mutex
	metrics map[string]*Metric
	shared  map[string]map[string]*sharedValue // vm_id → key → value
	queues  []*queue
	cas     uint32
}

func newStore() *store {
	return &store{metrics: map[string]*Metric{}, shared: map[string]map[string]*sharedValue{}}
}

func (st *store) metricsSnapshot() map[string]Metric {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := map[string]Metric{}
	for name, m := range st.metrics {
		c := *m
		c.Samples = append([]uint64(nil), m.Samples...)
		out[name] = c
	}
	return out
}

// proxyDefineMetric(type, name, name_len, id_ptr): the stat is
// `wasmcustom.<name>`; every call returns a fresh id whose low two bits are
// the type.
func (vm *VM) proxyDefineMetric(mod api.Module, s []uint64) {
	t := MetricType(arg(s, 0))
	name, ok := readString(mod, arg(s, 1), arg(s, 2))
	switch {
	case t > Histogram:
		ret(s, statusBadArgument)
		return
	case !ok:
		ret(s, statusInvalidMemoryAccess)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	full := "wasmcustom." + name
	m := st.metrics[full]
	if m == nil {
		m = &Metric{Type: t}
		st.metrics[full] = m
	}
	st.mu.Unlock()
	vm.nextMetric[t] += idStep
	id := vm.nextMetric[t] + uint32(t)
	vm.metricIDs[id] = m
	writeU32(mod, arg(s, 3), id)
	ret(s, statusOK)
}

// proxyIncrementMetric(id, i64 delta): a counter only goes up (delta ≤ 0
// is BAD_ARGUMENT); histograms cannot be incremented.
func (vm *VM) proxyIncrementMetric(_ api.Module, s []uint64) {
	m := vm.metricIDs[arg(s, 0)]
	delta := int64(s[1])
	if m == nil {
		ret(s, statusNotFound)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case m.Type == Histogram, m.Type == Counter && delta <= 0:
		ret(s, statusBadArgument)
		return
	}
	m.Value += delta
	ret(s, statusOK)
}

// proxyRecordMetric(id, u64 value): a counter adds, a gauge sets, a
// histogram records a sample.
func (vm *VM) proxyRecordMetric(_ api.Module, s []uint64) {
	m := vm.metricIDs[arg(s, 0)]
	v := s[1]
	if m == nil {
		ret(s, statusNotFound)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	defer st.mu.Unlock()
	switch m.Type {
	case Counter:
		m.Value += int64(v)
	case Gauge:
		m.Value = int64(v)
	case Histogram:
		m.Samples = append(m.Samples, v)
	}
	ret(s, statusOK)
}

// proxyGetMetric(id, value_ptr): histograms are BAD_ARGUMENT.
func (vm *VM) proxyGetMetric(mod api.Module, s []uint64) {
	m := vm.metricIDs[arg(s, 0)]
	if m == nil {
		ret(s, statusNotFound)
		return
	}
	st := vm.m.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if m.Type == Histogram {
		ret(s, statusBadArgument)
		return
	}
	writeU64(mod, arg(s, 1), uint64(m.Value))
	ret(s, statusOK)
}
