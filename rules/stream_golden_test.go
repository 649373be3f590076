package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// plant is a value planted in a stream fixture, split across records, and
// the label llm-prompts replaces it by.
type plant struct{ value, label string }

// streamFixtures are the LLM token streams of testdata/streams and what
// they plant.
var streamFixtures = []struct {
	file   string
	plants []plant
}{
	{"openai-chat.sse", []plant{
		{"alice@example.com", "[email]"}, {"+1 415 555 2671", "[phone]"}, {"4111 1111 1111 1111", "[card]"},
		{"DE89 3704 0044 0532 0130 00", "[iban]"}, {"ghp_Abc123Def456Ghi789Jkl012Mno345Pqr678", "[secret]"},
		{"123-45-6789", "[ssn]"}, {"bob@example.org", "[email]"}, {"4012 8888 8888 1881", "[card]"},
		{"carol@example.net", "[email]"}, {"+44 20 7946 0958", "[phone]"},
	}},
	{"anthropic.sse", []plant{
		{"dana.smith@example.co.uk", "[email]"}, {"(415) 555-0199", "[phone]"}, {"+1 415 555 2671", "[phone]"}, {"5555555555554444", "[card]"},
		{"sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijKLMNOPQRSTUVWXYZ-_0123456789abcdefghijklmnop-AA", "[secret]"},
		{"erin@example.com", "[email]"}, {"hunter2xyz", "[secret]"},
	}},
	{"responses.sse", []plant{
		{"frank@example.io", "[email]"}, {"+1 212 555 0123", "[phone]"}, {"3782 82246310 005", "[card]"}, {"grace@example.com", "[email]"},
	}},
	{"gemini.sse", []plant{{"heidi@example.de", "[email]"}, {"GB82 WEST 1234 5698 7654", "[iban]"}}},
}

// sseData splits an event stream into its events' data (fields joined with
// "\n"), an implementation apart from the Stream's, and its framing: the
// body with every data value emptied.
func sseData(body []byte) (records []string, framing string) {
	var f strings.Builder
	var data []string
	has := false
	for len(body) > 0 {
		i := bytes.IndexAny(body, "\r\n")
		line, term := body, []byte(nil)
		if i >= 0 {
			line, term = body[:i], body[i:i+1]
			if body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n' {
				term = body[i : i+2]
			}
			body = body[i+len(term):]
		} else {
			body = nil
		}
		switch {
		case len(line) == 0:
			if has {
				records = append(records, strings.Join(data, "\n"))
			}
			data, has = data[:0], false
		case bytes.HasPrefix(line, []byte("data:")):
			v := line[5:]
			v = bytes.TrimPrefix(v, []byte(" "))
			data, has = append(data, string(v)), true
			line = line[:len(line)-len(v)]
		}
		f.Write(line)
		f.Write(term)
	}
	if has {
		records = append(records, strings.Join(data, "\n"))
	}
	return records, f.String()
}

// joinedTexts concatenates, per stream_text key, the texts of the records
// in order (unescaped).
func joinedTexts(t *testing.T, p *Program, records []string) map[string]string {
	t.Helper()
	f := textFinder{sels: p.streamText, depth: p.maxDepth}
	joined := map[string]string{}
	for _, r := range records {
		rec := []byte(r)
		for _, tx := range f.find(rec) {
			var s string
			if err := json.Unmarshal(rec[tx.start:tx.end], &s); err != nil {
				t.Fatal(err)
			}
			joined[string(tx.key)] += s
		}
	}
	return joined
}

// The LLM stream fixtures through llm-prompts: the same output whole and
// at every chunking, framing byte for byte, no planted value in the output
// nor in the texts joined across records, every other character kept in
// order, and as many records as came in.
func TestStreamGolden(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	for _, fx := range streamFixtures {
		t.Run(fx.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/streams/" + fx.file)
			if err != nil {
				t.Fatal(err)
			}
			whole, rep, err := p.ApplyAs(BodyEventStream, body, Input{Direction: Response}, p.Apply)
			if err != nil {
				t.Fatal(err)
			}
			inRecs, inFraming := sseData(body)
			outRecs, outFraming := sseData(whole)
			if inFraming != outFraming || len(inRecs) != len(outRecs) {
				t.Fatalf("framing changed:\n%s", whole)
			}
			for k, r := range outRecs {
				if json.Valid([]byte(inRecs[k])) != json.Valid([]byte(r)) {
					t.Fatalf("record %d: %s", k, r)
				}
			}
			inTexts, outTexts := joinedTexts(t, p, inRecs), joinedTexts(t, p, outRecs)
			for key, text := range inTexts {
				want := text
				for _, pl := range fx.plants {
					if pl.label != "" {
						want = strings.ReplaceAll(want, pl.value, pl.label)
					}
				}
				if outTexts[key] != want {
					t.Errorf("text %q:\n got %q\nwant %q", key, outTexts[key], want)
				}
			}
			for _, pl := range fx.plants {
				if bytes.Contains(whole, []byte(pl.value)) {
					t.Errorf("%q survives in the output", pl.value)
				}
				for key, text := range outTexts {
					if strings.Contains(text, pl.value) {
						t.Errorf("%q survives in the joined text %q", pl.value, key)
					}
				}
			}
			if rep.Total() == 0 {
				t.Error("no findings reported")
			}
			for _, size := range append(seq(1, 64), 100, 1000, 4096, 16384, len(body)) {
				got, _, err := streamChunks(t, p, BodyEventStream, body, size, Response)
				if err != nil || !bytes.Equal(got, whole) {
					t.Fatalf("chunks of %d: %v\n%s", size, err, got)
				}
			}
		})
	}
}

// seq returns the integers from a to b.
func seq(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

// Without the carry (`stream_text: []` opts out of the pack's paths) the
// planted values cross records unseen: the fixtures test the carry.
func TestStreamGoldenWithoutCarry(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\nstream_text: []\n")
	body, err := os.ReadFile("testdata/streams/openai-chat.sse")
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := p.ApplyAs(BodyEventStream, body, Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := sseData(whole)
	f := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	joined := strings.Join(mapValues(joinedTexts(t, f, recs)), "\n")
	if !strings.Contains(joined, "alice@example.com") || !strings.Contains(joined, "4111 1111 1111 1111") {
		t.Errorf("the values split across records were found without the carry:\n%s", joined)
	}
}

// mapValues returns the values of m.
func mapValues(m map[string]string) []string {
	var v []string
	for _, s := range m {
		v = append(v, s)
	}
	return v
}

// Reveal opens tokens split across records, and only whole ones.
func TestStreamReveal(t *testing.T) {
	p := compileKeyed(t, keysA+`
stream_text: ["$.choices[*].delta.content"]
rules:
  - { id: contact, direction: request, select: { detect: [email, phone] }, action: { encrypt: { key: a } } }
  - { id: restore, direction: response, select: { paths: ["$.choices[*].delta.content"] }, action: reveal }
`, testEnv)
	req, _ := applyOK(t, p, Request, `{"messages":[{"content":"I am ann.lee@example.com, call +1 415 555 0100"}]}`)
	toks := regexp.MustCompile(`veil_a\.[A-Za-z0-9_-]+`).FindAllString(req, -1)
	if len(toks) != 2 {
		t.Fatalf("tokens: %s", req)
	}
	text := "Mail " + toks[0] + ", call " + toks[1] + "."
	var body strings.Builder
	for _, cut := range [][2]int{{0, 7}, {7, 9}, {9, 20}, {20, 40}, {40, 41}, {41, len(text)}} {
		a, b := cut[0], min(cut[1], len(text))
		piece, _ := json.Marshal(text[a:b])
		body.WriteString(`data: {"choices":[{"index":0,"delta":{"content":` + string(piece) + `}}]}` + "\n\n")
	}
	out, rep, err := p.ApplyAs(BodyEventStream, []byte(body.String()), Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := sseData(out)
	joined := strings.Join(mapValues(joinedTexts(t, p, recs)), "")
	if joined != "Mail ann.lee@example.com, call +1 415 555 0100." || len(recs) != 6 {
		t.Errorf("revealed %q in %d records", joined, len(recs))
	}
	if rep.Total() != 2 {
		t.Errorf("report %+v", rep)
	}
	for size := 1; size <= 64; size++ {
		got, _, err := streamChunks(t, p, BodyEventStream, []byte(body.String()), size, Response)
		if err != nil || !bytes.Equal(got, out) {
			t.Fatalf("chunks of %d: %v", size, err)
		}
	}
}

// Parallel texts never exchange characters: choices told apart by index,
// Anthropic blocks by index, an NDJSON stream (Ollama) carries too, and
// records queue behind a delayed one in order; a queue past
// max_record_bytes flushes with the texts whole.
func TestStreamCarryKeys(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	chunk := func(idx int, s string) string {
		b, _ := json.Marshal(s)
		return `{"choices":[{"index":` + string(rune('0'+idx)) + `,"delta":{"content":` + string(b) + `}}]}`
	}
	var nd strings.Builder
	for _, c := range []struct {
		i int
		s string
	}{{0, "a "}, {1, "x "}, {0, "jo"}, {1, "kim@"}, {0, "hn@exa"}, {1, "ex"}, {0, "mple.com"}, {1, "ample.com yes"}, {0, " ok"}} {
		nd.WriteString(chunk(c.i, c.s) + "\n")
		nd.WriteString(`{"usage":null}` + "\n")
	}
	out, _, err := p.ApplyAs(BodyJSONLines, []byte(nd.String()), Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	texts := joinedTexts(t, p, lines)
	if texts[".choices\x00[0.delta\x00.content\x00{0}"] != "a [email] ok" || texts[".choices\x00[0.delta\x00.content\x00{1}"] != "x [email] yes" || len(lines) != 18 {
		t.Errorf("%q\n%s", texts, out)
	}
	for size := 1; size < 80; size++ {
		got, _, err := streamChunks(t, p, BodyJSONLines, []byte(nd.String()), size, Response)
		if err != nil || !bytes.Equal(got, out) {
			t.Fatalf("chunks of %d: %v", size, err)
		}
	}
	// the queue is bounded: past max_record_bytes the texts end
	small := compileT(t, "version: 1\ninclude: [llm-prompts]\nlimits: { max_record_bytes: 200 }\n")
	var long strings.Builder
	long.WriteString(chunk(0, "jo") + "\n")
	for range 10 {
		long.WriteString(`{"usage":{"prompt_tokens":1,"completion_tokens":2}}` + "\n")
	}
	long.WriteString(chunk(0, "hn@example.com") + "\n")
	_, held, err := streamChunks(t, small, BodyJSONLines, []byte(long.String()), 7, Response)
	if err != nil || held > 2*200 {
		t.Errorf("held %d: %v", held, err)
	}
}

// The example of SYNTAX.md's stream_text section.
func TestStreamTextDocExample(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	var body strings.Builder
	for _, piece := range []string{"mail ali", "ce@exam", "ple.com now"} {
		body.WriteString(`data: {"choices":[{"index":0,"delta":{"content":"` + piece + `"}}]}` + "\n\n")
	}
	out, _, err := p.ApplyAs(BodyEventStream, []byte(body.String()), Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := sseData(out)
	var got []string
	for _, r := range recs {
		var v struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		if err := json.Unmarshal([]byte(r), &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v.Choices[0].Delta.Content)
	}
	if strings.Join(got, "|") != "mail ||[email] now" {
		t.Errorf("contents %q", got)
	}
}
