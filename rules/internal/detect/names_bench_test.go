package detect_test

import (
	"slices"
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// BenchmarkFreeTextChat256K times the 256 KB chat body with every built-in
// ("on") and with every built-in but person_name and street_address
// ("off"): what the two free-text detectors add to a body of prose.
func BenchmarkFreeTextChat256K(b *testing.B) {
	strs, size := chatStrings(b)
	off := slices.DeleteFunc(detect.Builtins(), func(n string) bool { return n == "person_name" || n == "street_address" })
	for _, c := range []struct {
		name  string
		names []string
	}{{"off", off}, {"on", detect.Builtins()}} {
		b.Run(c.name, func(b *testing.B) {
			set, err := detect.NewSet(c.names, nil)
			if err != nil {
				b.Fatal(err)
			}
			var dst []detect.Span
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range strs {
					dst = set.FindString(s, dst[:0])
				}
			}
		})
	}
}

// BenchmarkFreeTextOnly times person_name and street_address alone on the
// 256 KB chat body.
func BenchmarkFreeTextOnly(b *testing.B) {
	strs, size := chatStrings(b)
	set, err := detect.NewSet([]string{"person_name", "street_address"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var dst []detect.Span
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, s := range strs {
			dst = set.FindString(s, dst[:0])
		}
	}
}
