package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzPlants are the values FuzzStreamChunks splits across records.
var fuzzPlants = []string{"alice@example.com", "4111 1111 1111 1111", "+1 415 555 2671", "DE89 3704 0044 0532 0130 00", "password: hunter2xyz"}

// FuzzStreamChunks splits a text holding a planted value into records
// (OpenAI-style SSE deltas, with the framing, escapes and chunk
// boundaries the input picks) or reads the input as a raw record stream,
// and checks: no panic; the output at the input's chunking equals the
// whole-body output; the stream never holds more than twice
// max_record_bytes; and a planted value the detectors find in the whole
// text (one record), or in the text up to the plant when a piece ends
// with it, does not survive in the texts joined across records.
func FuzzStreamChunks(f *testing.F) {
	for _, name := range []string{"openai-chat.sse", "anthropic.sse"} {
		if b, err := os.ReadFile("testdata/streams/" + name); err == nil {
			f.Add(string(b), "", []byte{3}, []byte{5, 17, 1}, uint8(0xc0))
		}
	}
	f.Add("write to ", " now", []byte{2, 5, 1, 7}, []byte{1}, uint8(0))
	f.Add("card ", ".", []byte{4, 4, 4}, []byte{3, 1}, uint8(1|4))
	f.Add("call ", "", []byte{1}, []byte{63}, uint8(2|8|16))
	f.Add("é", "☕", []byte{9, 1}, []byte{2}, uint8(3|32))
	f.Add("{\"a\":1}\n{\"email\":\"a@x.com\"}", "", []byte{}, []byte{1}, uint8(0x40))
	f.Add("\x1e{\"a\":\"b@x.com\"}\n\x1e[1]", "", []byte{}, []byte{2}, uint8(0x80))
	// an upstream cut off mid-record (a panic once)
	f.Add("{\"choices\":[{\"index\":0,\"delta\":", "", []byte{}, []byte{5}, uint8(0x40))
	f.Add("data: {\"choices\":[{\"index\":0,\"delta\":", "", []byte{}, []byte{3}, uint8(0xc0))
	// a held card followed by letters in the next record (a leak once)
	f.Add("{\"message\":{\"content\":\". Card 4012 8888 8888 1881.\"}}\n{\"message\":{\"content\":\"last\"}}\n", "", []byte{}, []byte{9}, uint8(0x40))
	f.Add("card ", ".last", []byte{3}, []byte{3, 1}, uint8(1))
	p := compileT(f, "version: 1\ninclude: [llm-prompts]\nlimits: { max_record_bytes: 4096 }\n")
	f.Fuzz(func(t *testing.T, prefix, suffix string, cuts, chunks []byte, frame uint8) {
		if len(prefix)+len(suffix) > 4096 {
			return
		}
		kind, body := BodyEventStream, []byte(nil)
		var plant, whole string
		switch frame >> 6 {
		case 1:
			kind, body = BodyJSONLines, []byte(prefix+suffix)
		case 2:
			kind, body = BodyJSONSeq, []byte(prefix+suffix)
		case 3:
			body = []byte(prefix + suffix)
		default:
			if !utf8.ValidString(prefix) || !utf8.ValidString(suffix) {
				return
			}
			plant = fuzzPlants[int(frame)%len(fuzzPlants)]
			whole = prefix + plant + suffix
			body = fuzzDeltas(whole, cuts, frame)
		}
		want, _, wantErr := p.ApplyAs(kind, body, Input{Direction: Response}, p.Apply)
		got, held := fuzzChunked(t, p, kind, body, chunks)
		if held > 2*p.MaxRecordBytes() {
			t.Fatalf("held %d", held)
		}
		if wantErr != nil {
			return // the chunked run may fail earlier or the same way
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("chunked output differs:\n got %q\nwant %q", got, want)
		}
		if plant == "" {
			return
		}
		recs, _ := sseData(want)
		if end := len(prefix) + len(plant); pieceEndsAt(whole, cuts, end) && foundAlone(p, whole[:end], plant) {
			// a piece ends with the plant: carrying finds what the text
			// read up to there finds, whatever the next piece adds
			for key, text := range joinedTexts(t, p, recs) {
				if strings.Contains(text, plant) {
					t.Fatalf("%q, found in the text ending with it, survives in the joined text %q: %q", plant, key, text)
				}
			}
		}
		if !foundAlone(p, whole, plant) {
			return // not found in the whole text either
		}
		for key, text := range joinedTexts(t, p, recs) {
			if strings.Contains(text, plant) {
				t.Fatalf("%q survives in the joined text %q: %q", plant, key, text)
			}
		}
	})
}

// fuzzDeltas splits text at rune boundaries into pieces of the lengths cuts
// gives (1 to 16 bytes, cycling) and writes each as an OpenAI chat delta
// event; frame picks the line ends, the space after "data:", a leading
// byte-order mark, and whether '@' and digits are written as \u escapes.
func fuzzDeltas(text string, cuts []byte, frame uint8) []byte {
	nl := [...]string{"\n", "\r\n", "\r", "\n"}[frame&3]
	data := "data: "
	if frame&8 != 0 {
		data = "data:"
	}
	var b bytes.Buffer
	if frame&16 != 0 {
		b.WriteString("\ufeff")
	}
	for _, n := range pieceLens(text, cuts) {
		piece, _ := json.Marshal(text[:n])
		if frame&32 != 0 {
			piece = escapeSome(text[:n])
		}
		text = text[n:]
		b.WriteString(": tick" + nl + data + `{"choices":[{"index":0,"delta":{"content":` + string(piece) + `}}]}` + nl + nl)
	}
	b.WriteString(data + "[DONE]" + nl + nl)
	return b.Bytes()
}

// pieceLens returns the lengths of the pieces fuzzDeltas cuts text into:
// 1 to 16 bytes as cuts gives them (cycling), at rune boundaries.
func pieceLens(text string, cuts []byte) []int {
	var lens []int
	for k := 0; len(text) > 0; k++ {
		n := 1
		if len(cuts) > 0 {
			n = 1 + int(cuts[k%len(cuts)])%16
		}
		n = min(n, len(text))
		for n < len(text) && !utf8.RuneStart(text[n]) {
			n++
		}
		lens = append(lens, n)
		text = text[n:]
	}
	return lens
}

// escapeSome returns text as a JSON string with '@' and '1' written as
// \u escapes.
func escapeSome(text string) []byte {
	b := []byte{'"'}
	for _, r := range text {
		switch r {
		case '@':
			b = append(b, `\u0040`...)
		case '1':
			b = append(b, `\u0031`...)
		default:
			q, _ := json.Marshal(string(r))
			b = append(b, q[1:len(q)-1]...)
		}
	}
	return append(b, '"')
}

// pieceEndsAt reports whether a piece fuzzDeltas cuts text into ends at
// offset end.
func pieceEndsAt(text string, cuts []byte, end int) bool {
	at := 0
	for _, n := range pieceLens(text, cuts) {
		if at += n; at == end {
			return true
		}
	}
	return false
}

// foundAlone reports whether the rules replace plant in text, read as one
// delta's content.
func foundAlone(p *Program, text, plant string) bool {
	q, _ := json.Marshal(text)
	one, _, err := p.Apply([]byte(`{"choices":[{"index":0,"delta":{"content":`+string(q)+`}}]}`), Input{Direction: Response})
	return err == nil && !bytes.Contains(one, []byte(plant))
}

// fuzzChunked streams body in chunks of the sizes chunks gives (1 to 64,
// cycling) and returns the output and the most bytes held; on an error it
// returns what it has.
func fuzzChunked(t *testing.T, p *Program, kind BodyKind, body, chunks []byte) ([]byte, int) {
	s := p.NewStream(kind, Input{Direction: Response}, p.Apply)
	var out []byte
	held := 0
	for k, i := 0, 0; i < len(body); k++ {
		n := 64
		if len(chunks) > 0 {
			n = 1 + int(chunks[k%len(chunks)])%64
		}
		o, err := s.Write(body[i:min(i+n, len(body))])
		if err != nil {
			if !errors.Is(err, ErrRecordTooLarge) && !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrWorkBudget) {
				t.Fatalf("write: %v", err)
			}
			return nil, held
		}
		out = append(out, o...)
		held = max(held, s.Held())
		i += n
	}
	o, err := s.Close()
	if err != nil {
		return nil, held
	}
	return append(out, o...), held
}
