package rules

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// BenchmarkCompile measures compiling rule sets of 1, 100 and 1,000 rules of
// each shape of corpus.ScaleRules (keys only, paths only, mixed, mixed with a
// few recursive descents). Besides time and B/op it reports live-B, the heap
// the compiled Program keeps (HeapAlloc after a GC, less the same before
// compiling), and states, the automaton states of all four automata. Run with
//
//	go test ./rules -run '^$' -bench '^BenchmarkCompile$' -benchmem
func BenchmarkCompile(b *testing.B) {
	for _, shape := range corpus.ScaleShapes {
		for _, n := range []int{1, 100, 1000} {
			src := []byte(corpus.ScaleRules(n, shape))
			b.Run(fmt.Sprintf("shape=%s/rules=%d", shape, n), func(b *testing.B) {
				live, states := compileFootprint(b, src)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Compile(src, Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(live), "live-B")
				b.ReportMetric(float64(states), "states")
			})
		}
	}
}

// compileFootprint compiles src once and returns the heap the Program keeps
// alive and its number of automaton states.
func compileFootprint(b *testing.B, src []byte) (live uint64, states int) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p, err := Compile(src, Options{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		live = after.HeapAlloc - before.HeapAlloc
	}
	for _, a := range []*automaton{p.auto[0], p.auto[1], p.shadowAuto[0], p.shadowAuto[1]} {
		states += len(a.decide)
	}
	runtime.KeepAlive(p)
	return live, states
}
