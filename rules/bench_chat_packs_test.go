package rules

import (
	"crypto/sha256"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
)

// BenchmarkChatPacks applies the built-in packs to the 256 KB chat body of
// BenchmarkDetectApply (corpus.Chat(1, 256<<10)), the measure of issue 17's
// budget: with every pack, at most 1.5× the time of the code before the
// context-aware detectors. Sub-benchmarks:
//
//   - packs=today: pii-basic, pci, secrets and llm-prompts;
//   - packs=all: those plus pii-text (person_name, street_address,
//     date_of_birth).
//
// The tree before issue 17 has no pii-text: time it with
// -bench 'BenchmarkChatPacks/packs=today'.
//
// Each logs the SHA-256 of the body, so that runs on two trees can be seen to
// time the same bytes. Run with
//
//	go test ./rules -run '^$' -bench '^BenchmarkChatPacks$' -benchtime 5x -count 3 -benchmem
//
// (docs/benchmarks.md, "Chat body with every pack", says how to time the
// tree before the issue the same way).
func BenchmarkChatPacks(b *testing.B) {
	body := corpus.Chat(1, 256<<10)
	for _, set := range []struct{ name, src string }{
		{"today", chatPacksToday},
		{"all", chatPacksAll},
	} {
		b.Run("packs="+set.name, func(b *testing.B) {
			b.Logf("body %d bytes, sha256 %x", len(body), sha256.Sum256(body))
			p := mustCompile(b, set.src)
			in := Input{Direction: Request}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.Apply(body, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// chatPacksToday is the rule set of packs=today: the packs of the tree
// before issue 17.
const chatPacksToday = "include: [pii-basic, pci, secrets, llm-prompts]\n"

// chatPacksAll is the rule set of packs=all: chatPacksToday plus pii-text.
const chatPacksAll = "include: [pii-basic, pci, secrets, llm-prompts, pii-text]\n"
