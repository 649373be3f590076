package detect_test

import (
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

func BenchmarkWorstCase(b *testing.B) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		b.Fatal(err)
	}
	var dst []detect.Span
	run := func(name string, body []byte) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				dst = set.FindString(body, dst[:0])
			}
		})
	}
	run("ordinary", ordinaryBody(b))
	for _, w := range worstBodies() {
		run(w.detector+"/"+w.name, w.body)
	}
}
