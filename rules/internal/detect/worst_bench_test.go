package detect_test

import (
	"testing"
	"time"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// BenchmarkWorstCase times the built-in detectors over every body of
// worstBodies and over ordinary chat text of the same size, in one run;
// each worst-case sub-benchmark reports its time per op over the ordinary
// body's as x-ordinary, and the steps it counts per byte.
func BenchmarkWorstCase(b *testing.B) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		b.Fatal(err)
	}
	var dst []detect.Span
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
	for _, w := range worstBodies() {
		run(w.detector+"/"+w.name, w.body)
	}
}
