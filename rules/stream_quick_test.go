package rules

import (
	"fmt"
	"strings"
	"testing"
)

func sseChunk(content string, idx int) string {
	return fmt.Sprintf("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":%d,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", idx, content)
}

func TestStreamQuick(t *testing.T) {
	p, err := Compile([]byte("version: 1\ninclude: [llm-prompts]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, piece := range []string{"Hi", " mail ali", "ce@exam", "ple.com", " or call +1 415", " 555 26", "71 now", ". Card 4111 ", "1111 1111 1111", " ok."} {
		b.WriteString(sseChunk(piece, 0))
		b.WriteString(": keepalive\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	body := b.String()
	whole, rep, err := p.ApplyAs(BodyEventStream, []byte(body), Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%+v", whole, rep)
	for size := 1; size < 70; size++ {
		s := p.NewStream(BodyEventStream, Input{Direction: Response}, p.Apply)
		var got []byte
		for i := 0; i < len(body); i += size {
			o, err := s.Write([]byte(body[i:min(i+size, len(body))]))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, o...)
		}
		o, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o...)
		if string(got) != string(whole) {
			t.Fatalf("size %d: %s", size, got)
		}
	}
}
