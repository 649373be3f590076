package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
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

// heldShapes are values of each detector shape llm-prompts replaces, which
// a stream holds at the end of a piece.
var heldShapes = []string{
	"alice@example.com", "bob.lee+x@mail.example.org",
	"+1 415 555 2671", "(415) 555-0199", "+44 20 7946 0958",
	"4012 8888 8888 1881", "4111-1111-1111-1111", "5555555555554444",
	"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
	"123-45-6789",
	"ghp_Abc123Def456Ghi789Jkl012Mno345Pqr678",
	"sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijKLMNOPQRSTUVWXYZ-_0123456789abcdefghijklmnop-AA",
}

// heldContinuations follow a held value in the next piece: letters,
// digits, punctuation, and combinations that make the joined text no
// longer read as the value.
var heldContinuations = []string{"x", "last", "7", "42 more", ".", ".last", "-", "_ab", "@", "/x", "é", ". Next"}

// Carrying never finds less than reading the pieces alone: a value the
// detectors find in a piece's text read as if it ended there (the held
// text) is replaced whatever the next piece continues it with, in NDJSON
// (plain and with '@' and '1' escaped) and SSE, whole and at several
// chunkings, with the value cut anywhere between records; every record
// stays valid JSON.
func TestStreamCarryFindsWhatPiecesFind(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	ndjson := func(s string) string {
		b, _ := json.Marshal(s)
		return `{"message":{"content":` + string(b) + `}}`
	}
	escaped := func(s string) string { return `{"message":{"content":` + string(escapeSome(s)) + `}}` }
	sse := func(s string) string {
		b, _ := json.Marshal(s)
		return `{"choices":[{"index":0,"delta":{"content":` + string(b) + `}}]}`
	}
	for _, v := range heldShapes {
		// the value is found read alone, at the end of a text
		alone, _, err := p.Apply([]byte(ndjson(". Card "+v)), Input{Direction: Response})
		if err != nil || bytes.Contains(alone, []byte(v)) {
			t.Fatalf("%q is not found alone: %s %v", v, alone, err)
		}
		for _, cont := range heldContinuations {
			for _, k := range []int{len(v), len(v) / 2, 1} {
				pieces := []string{". Card " + v[:k], v[k:], cont, " end"}
				if k == len(v) {
					pieces = []string{". Card " + v, cont}
				}
				for _, f := range []struct {
					kind      BodyKind
					rec       func(string) string
					pre, post string
				}{{BodyJSONLines, ndjson, "", "\n"}, {BodyEventStream, sse, "data: ", "\n\n"}, {BodyJSONLines, escaped, "", "\r\n"}} {
					var body strings.Builder
					for _, pc := range pieces {
						body.WriteString(f.pre + f.rec(pc) + f.post)
					}
					checkCarried(t, p, f.kind, body.String(), v)
				}
			}
		}
	}
}

// checkCarried checks that body, a record stream carrying value, rewrites
// to the same valid records whole and in chunks, and that value survives
// in no text joined across its records.
func checkCarried(t *testing.T, p *Program, kind BodyKind, body, value string) {
	t.Helper()
	whole, _, err := p.ApplyAs(kind, []byte(body), Input{Direction: Response}, p.Apply)
	if err != nil {
		t.Fatalf("%q: %v", body, err)
	}
	var recs []string
	if kind == BodyEventStream {
		recs, _ = sseData(whole)
	} else {
		recs = strings.Split(strings.TrimSpace(string(whole)), "\n")
	}
	for _, r := range recs {
		if !json.Valid([]byte(r)) {
			t.Fatalf("%q: invalid record %q", body, r)
		}
	}
	for key, text := range joinedTexts(t, p, recs) {
		if strings.Contains(text, value) {
			t.Fatalf("%q survives in the text %q: %q\nbody %q", value, key, text, body)
		}
	}
	for _, size := range []int{1, 3, 7, 16, 64} {
		got, _, err := streamChunks(t, p, kind, []byte(body), size, Response)
		if err != nil || !bytes.Equal(got, whole) {
			t.Fatalf("%q in chunks of %d: %v\n got %q\nwant %q", body, size, err, got, whole)
		}
	}
}

// The spans found in the joined text and in the held text read alone are
// replaced as one when they overlap: the exact texts.
func TestStreamCarryUnion(t *testing.T) {
	p := compileT(t, "version: 1\ninclude: [llm-prompts]\n")
	for _, c := range []struct {
		pieces []string
		want   string
	}{
		{[]string{". Card 4012 8888 8888 1881.", "last"}, ". Card [card].last"},
		{[]string{"Card 4012 8888 8888 1881", ".last"}, "Card [card].last"},
		{[]string{"mail alice@example.co", "m now"}, "mail [email] now"},
		{[]string{"mail alice@example.com", "x"}, "mail [email]"},
		{[]string{"call +1 415 555 2671", "abc"}, "call [phone]abc"},
		{[]string{"ssn 123-45-6789", "x"}, "ssn [ssn]x"},
		{[]string{"ssn 123-45-", "6789", "x"}, "ssn [ssn]x"},
		{[]string{"mail alice@exa", "mple.com", "7 ok"}, "mail [email]7 ok"},
		{[]string{"no value here", " at all"}, "no value here at all"},
		// the detectors decode a percent escape before an IBAN: held too
		{append(strings.Split("%00DE89 3704 0044 0532 0130 00", ""), "0"), "%00[iban]0"},
	} {
		var body strings.Builder
		for _, pc := range c.pieces {
			b, _ := json.Marshal(pc)
			body.WriteString(`{"message":{"content":` + string(b) + "}}\n")
		}
		out, _, err := p.ApplyAs(BodyJSONLines, []byte(body.String()), Input{Direction: Response}, p.Apply)
		if err != nil {
			t.Fatal(err)
		}
		recs := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if got := strings.Join(mapValues(joinedTexts(t, p, recs)), ""); got != c.want || len(recs) != len(c.pieces) {
			t.Errorf("%q: got %q in %d records, want %q", c.pieces, got, len(recs), c.want)
		}
		checkCarried(t, p, BodyJSONLines, body.String(), "\x00")
	}
}
