package detect_test

import (
	"regexp"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/rules/internal/detect"
)

// baseline is the naive approach the Set is measured against: one stdlib
// regexp per built-in detector, without prefilters or validation, applied
// with FindAllIndex to every string value.
var baseline = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`),
	regexp.MustCompile(`\+[0-9][0-9 ().-]{6,18}[0-9]|\(?\b[0-9]{2,5}\)?[ ./-][0-9]{2,5}(?:[ .-][0-9]{2,5}){0,3}\b`),
	regexp.MustCompile(`\b[0-9](?:[ -]?[0-9]){11,18}\b`),
	regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`),
	regexp.MustCompile(`\b[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}\b`),
	regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`),
	regexp.MustCompile(`(?i)\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})|::(?:[0-9a-f]{1,4}:?){1,7}`),
	regexp.MustCompile(`(?i)\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b|\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`),
	regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{82}\b`),
	regexp.MustCompile(`\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}`),
	regexp.MustCompile(`\bxox[bpaors]-[A-Za-z0-9-]{10,}`),
	regexp.MustCompile(`\bAIza[A-Za-z0-9_-]{35}`),
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`),
}

// chatStrings returns the string values of a 256 KB chat transcript.
func chatStrings(b *testing.B) ([][]byte, int) {
	doc := corpus.Chat(7, 256<<10)
	var out [][]byte
	for _, l := range leaves(b, doc) {
		if !l.number {
			out = append(out, []byte(l.text))
		}
	}
	return out, len(doc)
}

func BenchmarkChat256K(b *testing.B) {
	strs, size := chatStrings(b)
	b.Run("Set", func(b *testing.B) {
		set, err := detect.NewSet(detect.Builtins(), nil)
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
	b.Run("RegexpBaseline", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range strs {
				for _, re := range baseline {
					re.FindAllIndex(s, -1)
				}
			}
		}
	})
}

// BenchmarkNothingFound measures the prefilter alone: prose without anything
// a detector could take.
func BenchmarkNothingFound(b *testing.B) {
	text := make([]byte, 0, 64<<10)
	for len(text) < 64<<10 {
		text = append(text, "Thanks for reaching out! We shipped your order this morning and it should arrive soon. "...)
	}
	set, _ := detect.NewSet(detect.Builtins(), nil)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		set.FindString(text, nil)
	}
}
