package hosttest_test

import (
	"crypto/sha256"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// BenchmarkChatPacksWasm is rules.BenchmarkChatPacks through the .wasm (the
// plugin built from this tree, as BenchmarkDetectWasm): one exchange per op,
// the 256 KB chat request body and a two-byte response, with the packs of
// the tree before issue 17 (packs=today: pii-basic, pci, secrets,
// llm-prompts) and with the free-text detectors too (packs=all: plus
// pii-text). Each checks first that the plugin's
// output equals native Apply's, and logs the SHA-256 of the body. Run with
//
//	go test ./host-test -run '^$' -bench '^BenchmarkChatPacksWasm$' -benchtime 5x -count 3 -benchmem
func BenchmarkChatPacksWasm(b *testing.B) {
	body := corpus.Chat(1, 256<<10)
	for _, set := range []struct{ name, src string }{
		{"today", chatPacksToday},
		{"all", chatPacksAll},
	} {
		b.Run("packs="+set.name, func(b *testing.B) {
			b.Logf("body %d bytes, sha256 %x", len(body), sha256.Sum256(body))
			p, err := rules.Compile([]byte(set.src), rules.Options{})
			if err != nil {
				b.Fatal(err)
			}
			want, _, err := p.Apply(body, rules.Input{Direction: rules.Request})
			if err != nil {
				b.Fatal(err)
			}
			vm := start(b, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(set.src)})
			benchExchanges(b, vm, jsonExchange(body, []byte("{}"), 0), want)
		})
	}
}

// chatPacksToday is the rule set of packs=today (as in package rules).
const chatPacksToday = "include: [pii-basic, pci, secrets, llm-prompts]\n"

// chatPacksAll is the rule set of packs=all: chatPacksToday plus pii-text.
const chatPacksAll = "include: [pii-basic, pci, secrets, llm-prompts, pii-text]\n"
