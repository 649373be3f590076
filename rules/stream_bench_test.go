package rules

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkStream rewrites 4 MB of OpenAI-style SSE (the openai-chat
// fixture repeated, llm-prompts with its stream_text carry) whole with
// ApplyAs and through a Stream in 16 KiB chunks: the ratio is what
// streaming costs over the whole-body path.
func BenchmarkStream(b *testing.B) {
	fx, err := os.ReadFile("testdata/streams/openai-chat.sse")
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat(fx, 4<<20/len(fx)+1)
	for _, set := range []struct{ name, src string }{
		{"llm-prompts", "version: 1\ninclude: [llm-prompts]\n"},
		{"no-carry", "version: 1\ninclude: [llm-prompts]\nstream_text: []\n"},
	} {
		p := compileT(b, set.src)
		apply := ApplyFunc(p.Apply)
		in := Input{Direction: Response}
		b.Run(set.name+"/whole", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.ApplyAs(BodyEventStream, body, in, apply); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(set.name+"/chunks-16KiB", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			held := 0
			for b.Loop() {
				s := p.NewStream(BodyEventStream, in, apply)
				for i := 0; i < len(body); i += 16 << 10 {
					if _, err := s.Write(body[i:min(i+16<<10, len(body))]); err != nil {
						b.Fatal(err)
					}
					held = max(held, s.Held())
				}
				if _, err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(held), "max-held-bytes")
		})
	}
}
