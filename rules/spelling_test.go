package rules

import (
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// TestSpellings applies corpus.SpellingRules to every case of
// corpus.SpellingCases: values hidden by invisible characters, glued to
// letters, written with unusual separators, form-encoded or doubly
// percent-encoded are replaced over their original bytes (escapes whole),
// and the decoys spelled the same way are left alone. host-test runs the
// same cases through the .wasm.
func TestSpellings(t *testing.T) {
	p := mustCompile(t, corpus.SpellingRules)
	for _, c := range corpus.SpellingCases {
		out, _, err := p.Apply([]byte(c.Body), Input{Direction: Request})
		if err != nil {
			t.Fatalf("%s %s: %v", c.Class, c.Body, err)
		}
		if string(out) != c.Want {
			t.Errorf("%s %s\n got %s\nwant %s", c.Class, c.Body, out, c.Want)
		}
	}
}
