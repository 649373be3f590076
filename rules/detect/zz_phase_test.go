package detect

import (
	"encoding/json"
	"testing"

	"github.com/veilproxy/veil/rules/detect/corpus"
)

func chatStrs(b *testing.B) [][]byte {
	doc := corpus.Chat(7, 256<<10)
	var strs [][]byte
	var v struct {
		Messages []struct{ Content, Role string }
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		b.Fatal(err)
	}
	for _, m := range v.Messages {
		strs = append(strs, []byte(m.Content), []byte(m.Role))
	}
	return strs
}

func BenchmarkPhase5(b *testing.B) {
	strs := chatStrs(b)
	set, _ := NewSet(Builtins(), nil)
	var scs []scanner
	for _, s := range strs {
		scs = append(scs, scanner{set: set, mask: set.all, t: s, f: scanFeatures(s)})
	}
	phase := func(name string, fn func(sc *scanner)) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				for i := range scs {
					scs[i].out = scs[i].out[:0]
					fn(&scs[i])
				}
			}
		})
	}
	phase("features", func(sc *scanner) { sc.f = scanFeatures(sc.t) })
	phase("emails", func(sc *scanner) { sc.emails() })
	phase("digitChains", func(sc *scanner) { sc.digitChains() })
	phase("ipv6", func(sc *scanner) { sc.ipv6s() })
	phase("macs", func(sc *scanner) { sc.macs() })
	phase("secrets", func(sc *scanner) { sc.secrets() })
	phase("run", func(sc *scanner) { sc.run() })
	phase("nextDigitSkip", func(sc *scanner) {
		t := sc.t
		for i := 0; i < len(t); {
			if i = nextDigit(t, i); i == len(t) {
				break
			}
			for i < len(t) && isDigit(t[i]) {
				i++
			}
		}
	})
	phase("read", func(sc *scanner) {
		t := sc.t
		var c chain
		for i := 0; i < len(t); {
			if i = nextDigit(t, i); i == len(t) {
				break
			}
			i = c.read(t, i)
		}
	})
}
