package rules

import (
	"bytes"
	"os"
	"testing"
)

// Every prefix of every record of the LLM stream fixtures (an upstream cut
// off mid-event) is an invalid record: through llm-prompts it passes
// unchanged, as NDJSON and as SSE, whole (ApplyAs) and through a Stream, and
// never panics.
func TestStreamTruncatedRecords(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	recs := []string{`{"choices":[{"index":0,"delta":`, `{"message":{"content":"a`, `{"a":`, `{"a"`, `[{"index":`}
	for _, fx := range streamFixtures {
		body, err := os.ReadFile("testdata/streams/" + fx.file)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := sseData(body)
		recs = append(recs, in...)
	}
	for _, rec := range recs {
		for n := 1; n < len(rec); n++ {
			cut := rec[:n]
			if bytes.ContainsAny([]byte(cut), "\r\n") {
				continue
			}
			for _, c := range []struct {
				kind BodyKind
				body string
			}{
				{BodyJSONLines, cut},
				{BodyJSONLines, cut + "\n"},
				{BodyEventStream, "data: " + cut},
				{BodyEventStream, "data: " + cut + "\n\n"},
				{BodyJSONSeq, "\x1e" + cut},
			} {
				out, _, err := p.ApplyAs(c.kind, []byte(c.body), Input{Direction: Response}, p.Apply)
				if err != nil || string(out) != c.body {
					t.Fatalf("%s %q: %q %v", c.kind, c.body, out, err)
				}
				for _, size := range []int{1, 7} {
					got, _, err := streamChunks(t, p, c.kind, []byte(c.body), size, Response)
					if err != nil || string(got) != c.body {
						t.Fatalf("%s %q in chunks of %d: %q %v", c.kind, c.body, size, got, err)
					}
				}
			}
		}
	}
}
