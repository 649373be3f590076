package detect_test

import (
	"testing"
	"time"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// BenchmarkWorstCase times the detectors over every body of worstBodies and
// over ordinary chat text of the same size, in one run: the built-ins alone,
// then with a custom detector at each limit of `detectors:` (32 states
// without a prefix, 128 behind one) over the bodies built against it. Each
// sub-benchmark reports its time over the ordinary body's under the same
// set as x-ordinary, and the steps it counts per byte.
func BenchmarkWorstCase(b *testing.B) {
	var dst []detect.Span
	bench := func(b *testing.B, set *detect.Set, bodies []worstBody) {
		var ordinary time.Duration
		run := func(name string, body []byte) {
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				start := time.Now()
				for b.Loop() {
					dst = set.FindString(body, dst[:0])
				}
				per := time.Since(start) / time.Duration(b.N)
				if ordinary == 0 {
					ordinary = per
				}
				b.ReportMetric(float64(per)/float64(ordinary), "x-ordinary")
				b.ReportMetric(stepsPerByte(set, body), "steps/byte")
			})
		}
		run("ordinary", ordinaryBody(b))
		for _, w := range bodies {
			run(w.detector+"/"+w.name, w.body)
		}
	}
	b.Run("builtins", func(b *testing.B) {
		set, err := detect.NewSet(detect.Builtins(), nil)
		if err != nil {
			b.Fatal(err)
		}
		bench(b, set, worstBodies())
	})
	for _, c := range []struct{ name, regex string }{
		{"custom-32-states", `[a-z]{1,30}@[a-z]`},
		{"custom-128-anchored", `EMP-[A-Z0-9-]{1,124}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			set, err := detect.NewSet(detect.Builtins(), map[string]detect.Custom{"x": {Regex: c.regex}})
			if err != nil {
				b.Fatal(err)
			}
			bench(b, set, []worstBody{
				{"x", "letters", repeat("abcdefghijklmnopqrstuvwxyz", "")},
				{"x", "at-letters", repeat("abcdefghijklmnopqrstuvwxyz@", "")},
				{"x", "prefix", repeat("EMP-", "")},
				{"x", "prefix-upper", repeat("EMP-ABCDEFGHIJ", "")},
			})
		})
	}
}
