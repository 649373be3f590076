package rules

import (
	"errors"
	"strings"
	"testing"
)

// streamSet redacts emails by key and in text, removes $.secret.
const streamSet = `
version: 1
rules:
  - { id: email, select: { keys: [email] }, action: redact }
  - { id: gone, select: { paths: ["$.secret"] }, action: remove }
  - { id: text, select: { detect: [email] }, action: { redact: { with: "[email]" } } }
`

// compileT compiles src or fails the test.
func compileT(t testing.TB, src string) *Program {
	t.Helper()
	p, err := Compile([]byte(src), Options{Filename: "stream.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// streamChunks rewrites body through a Stream in chunks of size bytes and
// returns the output and the most bytes held at any time.
func streamChunks(t testing.TB, p *Program, kind BodyKind, body []byte, size int, d Direction) ([]byte, int, error) {
	t.Helper()
	s := p.NewStream(kind, Input{Direction: d}, p.Apply)
	var out []byte
	held := 0
	for i := 0; i < len(body); i += size {
		o, err := s.Write(body[i:min(i+size, len(body))])
		if err != nil {
			return nil, held, err
		}
		out = append(out, o...)
		held = max(held, s.Held())
	}
	o, err := s.Close()
	if err != nil {
		return nil, held, err
	}
	if s.Held() != 0 {
		t.Fatalf("held %d after Close", s.Held())
	}
	return append(out, o...), held, nil
}

// checkChunkings checks that body rewrites to want whole (ApplyAs) and at
// every chunk size from 1 to its length.
func checkChunkings(t *testing.T, p *Program, kind BodyKind, body, want string) {
	t.Helper()
	whole, _, err := p.ApplyAs(kind, []byte(body), Input{Direction: Request}, p.Apply)
	if err != nil {
		t.Fatalf("%q: %v", body, err)
	}
	if string(whole) != want {
		t.Fatalf("%q:\n got %q\nwant %q", body, whole, want)
	}
	for size := 1; size <= len(body); size++ {
		got, _, err := streamChunks(t, p, kind, []byte(body), size, Request)
		if err != nil || string(got) != want {
			t.Fatalf("%q in chunks of %d:\n got %q (%v)\nwant %q", body, size, got, err, want)
		}
	}
}

// Every SSE spelling of the WHATWG event-stream format: line ends, the
// byte-order mark, the space after "data:", data fields joined into one
// record, comments and other fields, events without data, non-JSON data.
func TestStreamEventSpellings(t *testing.T) {
	p := compileT(t, streamSet)
	const in, out = `{"email":"a@x.com"}`, `{"email":"[REDACTED]"}`
	cases := []struct{ name, body, want string }{
		{"LF", "data: " + in + "\n\n", "data: " + out + "\n\n"},
		{"CRLF", "data: " + in + "\r\n\r\n", "data: " + out + "\r\n\r\n"},
		{"CR", "data: " + in + "\r\r", "data: " + out + "\r\r"},
		{"mixed ends", "id: 1\rdata: " + in + "\r\n\ndata: " + in + "\n\r", "id: 1\rdata: " + out + "\r\n\ndata: " + out + "\n\r"},
		{"CR then blank LF", "data: " + in + "\r\r\n", "data: " + out + "\r\r\n"},
		{"byte-order mark", "\ufeffdata: " + in + "\n\n", "\ufeffdata: " + out + "\n\n"},
		{"no space", "data:" + in + "\n\n", "data:" + out + "\n\n"},
		{"two spaces", "data:  " + in + "\n\n", "data:  " + out + "\n\n"},
		{"tab is no space", "data:\t" + in + "\n\n", "data:\t" + out + "\n\n"},
		{"several data fields", "data: {\"a\":1,\ndata: \"email\":\"a@x.com\"}\n\n", "data: {\"a\":1,\ndata: \"email\":\"[REDACTED]\"}\n\n"},
		{"data fields around others", "data: {\"email\":\n: note\nevent: e\nid: 7\nretry: 10\nfoo\ndata: \"a@x.com\"}\n\n",
			"data: {\"email\":\n: note\nevent: e\nid: 7\nretry: 10\nfoo\ndata: \"[REDACTED]\"}\n\n"},
		{"bare data field", "data\ndata: " + in + "\n\n", "data\ndata: " + out + "\n\n"},
		{"text in a string", "data: {\"m\":\"mail a@x.com now\"}\n\n", "data: {\"m\":\"mail [email] now\"}\n\n"},
		{"removal across fields", "data: {\"a\":1,\ndata: \"secret\":2\ndata: }\n\n", "data: {\"a\":1\ndata: }\ndata: \n\n"},
		{"comments and keep-alives", ": ping\n\n:\n\ndata: " + in + "\n\n", ": ping\n\n:\n\ndata: " + out + "\n\n"},
		{"non-JSON data", "data: [DONE]\n\ndata: hello a@x.com\n\n", "data: [DONE]\n\ndata: hello a@x.com\n\n"},
		{"almost JSON passes", "data: {'email':'a@x.com'}\n\n", "data: {'email':'a@x.com'}\n\n"},
		{"Data is not data", "Data: " + in + "\n\n", "Data: " + in + "\n\n"},
		{"data with a suffix is not data", "datax: " + in + "\n\n", "datax: " + in + "\n\n"},
		{"event without blank line at the end", "event: x\ndata: " + in, "event: x\ndata: " + out},
		{"last line ends the body", "data: " + in + "\n", "data: " + out + "\n"},
		{"blank lines only", "\n\n\r\n\r", "\n\n\r\n\r"},
		{"JSON scalar", "data: \"a@x.com\"\n\n", "data: \"[email]\"\n\n"},
		{"escape in the value", "data: {\"email\":\"a\\u0040x.com\"}\n\n", "data: " + out + "\n\n"},
		{"non-ASCII", "data: {\"m\":\"é a@x.com ☕\"}\n\n", "data: {\"m\":\"é [email] ☕\"}\n\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkChunkings(t, p, BodyEventStream, c.body, c.want) })
	}
}

// NDJSON and json-seq spellings: line ends, blank and text lines, a last
// record without its separator, a pretty-printed document, RS framing.
func TestStreamRecordSpellings(t *testing.T) {
	p := compileT(t, streamSet)
	const in, out = `{"email":"a@x.com"}`, `{"email":"[REDACTED]"}`
	lines := []struct{ name, body, want string }{
		{"LF", in + "\n" + in + "\n", out + "\n" + out + "\n"},
		{"CRLF", in + "\r\n" + in + "\r\n", out + "\r\n" + out + "\r\n"},
		{"blank and text lines", "\n" + in + "\n\nnot json a@x.com\n  \n" + in, "\n" + out + "\n\nnot json a@x.com\n  \n" + out},
		{"no final newline", in, out},
		{"pretty-printed", "{\n  \"email\": \"a@x.com\"\n}\n" + in + "\n", "{\n  \"email\": \"[REDACTED]\"\n}\n" + out + "\n"},
		{"never-closed opener", "{\"a\":\n" + in + "\n", "{\"a\":\n" + out + "\n"},
		{"opener then garbage", "[1,\n}\n" + in + "\n", "[1,\n}\n" + out + "\n"},
		{"literal across lines", "[tru\ne]\n" + in, "[tru\ne]\n" + out},
	}
	for _, c := range lines {
		t.Run("ndjson "+c.name, func(t *testing.T) { checkChunkings(t, p, BodyJSONLines, c.body, c.want) })
	}
	seqs := []struct{ name, body, want string }{
		{"RFC 7464", "\x1e" + in + "\n\x1e" + in + "\n", "\x1e" + out + "\n\x1e" + out + "\n"},
		{"without LF", "\x1e" + in + "\x1e" + in, "\x1e" + out + "\x1e" + out},
		{"garbage record", "\x1e{\"email\"\n\x1e" + in + "\n", "\x1e{\"email\"\n\x1e" + out + "\n"},
		{"before the first RS", in + "\n\x1e" + in, out + "\n\x1e" + out},
		{"empty records", "\x1e\x1e\x1e", "\x1e\x1e\x1e"},
	}
	for _, c := range seqs {
		t.Run("json-seq "+c.name, func(t *testing.T) { checkChunkings(t, p, BodyJSONSeq, c.body, c.want) })
	}
}

// A record past limits.max_record_bytes, held or complete, is
// ErrRecordTooLarge, at any chunking; the stream holds at most the bound.
func TestStreamRecordBound(t *testing.T) {
	p := compileT(t, streamSet+"limits: { max_record_bytes: 64 }\n")
	if p.MaxRecordBytes() != 64 {
		t.Fatalf("MaxRecordBytes = %d", p.MaxRecordBytes())
	}
	long := `{"email":"` + strings.Repeat("a", 80) + `@x.com"}`
	for _, c := range []struct {
		kind BodyKind
		body string
	}{
		{BodyJSONLines, long + "\n"},
		{BodyJSONLines, "{\n" + strings.Repeat(" \n", 40) + "}\n"},
		{BodyJSONSeq, "\x1e" + long},
		{BodyEventStream, "data: " + long + "\n\n"},
		{BodyEventStream, strings.Repeat(": comment\n", 10) + "\n"},
		{BodyEventStream, "data: never ends" + strings.Repeat(" x", 40)},
	} {
		for _, size := range []int{1, 7, 64, 1000} {
			_, held, err := streamChunks(t, p, c.kind, []byte(c.body), size, Request)
			if !errors.Is(err, ErrRecordTooLarge) {
				t.Errorf("%s %q in chunks of %d: err %v", c.kind, c.body, size, err)
			}
			if held > 64 {
				t.Errorf("%s in chunks of %d held %d", c.kind, size, held)
			}
		}
	}
	if p := compileT(t, streamSet); p.MaxRecordBytes() != DefaultMaxBodyBytes {
		t.Errorf("default MaxRecordBytes = %d", p.MaxRecordBytes())
	}
	if p := compileT(t, streamSet+"limits: { max_body_bytes: 1000 }\n"); p.MaxRecordBytes() != 1000 {
		t.Errorf("MaxRecordBytes follows max_body_bytes: %d", p.MaxRecordBytes())
	}
}

// Errors of a record stop the stream: too deep, and every call after.
func TestStreamErrors(t *testing.T) {
	p := compileT(t, streamSet)
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	for _, kind := range []BodyKind{BodyJSONLines, BodyJSONSeq, BodyEventStream} {
		body := deep + "\n"
		if kind == BodyEventStream {
			body = "data: " + deep + "\n\n"
		}
		s := p.NewStream(kind, Input{Direction: Request}, p.Apply)
		_, err := s.Write([]byte(body))
		if err == nil {
			_, err = s.Close()
		}
		if !errors.Is(err, ErrTooDeep) {
			t.Errorf("%s: %v", kind, err)
		}
		if _, err2 := s.Write([]byte("{}\n")); err2 != err {
			t.Errorf("%s: a spent stream answered %v", kind, err2)
		}
		s = p.NewStream(kind, Input{Direction: Request}, p.Apply)
		if _, err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write([]byte("{}\n")); err == nil {
			t.Errorf("%s: Write after Close succeeded", kind)
		}
	}
	if _, _, err := p.ApplyAs(BodyJSONLines, []byte("{\n"+strings.Repeat("[", 200)), Input{Direction: Request}, p.Apply); !errors.Is(err, ErrTooDeep) {
		t.Errorf("pretty-printed too deep: %v", err)
	}
}

// An unchanged chunk is returned as is, and an unchanged body by ApplyAs.
func TestStreamAliasing(t *testing.T) {
	p := compileT(t, streamSet)
	chunk := []byte("data: {\"n\":1}\n\ndata: [DONE]\n\n")
	s := p.NewStream(BodyEventStream, Input{Direction: Request}, p.Apply)
	out, err := s.Write(chunk)
	if err != nil || &out[0] != &chunk[0] || len(out) != len(chunk) {
		t.Errorf("unchanged chunk copied: %q %v", out, err)
	}
	body := []byte("{\"n\":1}\n{\"n\":2}")
	out, _, err = p.ApplyAs(BodyJSONLines, body, Input{Direction: Request}, p.Apply)
	if err != nil || &out[0] != &body[0] {
		t.Errorf("unchanged body copied: %q %v", out, err)
	}
	apply := ApplyFunc(p.Apply)
	if n := testing.AllocsPerRun(100, func() { _, _, _ = p.ApplyAs(BodyJSONLines, body, Input{Direction: Request}, apply) }); n > 0 {
		t.Errorf("ApplyAs on an unchanged NDJSON body allocates %v times", n)
	}
	// many tiny events cost no allocation each
	tiny := []byte(strings.Repeat("data: [DONE]\n\n: ping\n\ndata: 1\n\ndata: x\r\n\r\ndata: {\"n\":1}\n\n", 2000))
	n := testing.AllocsPerRun(5, func() {
		s := p.NewStream(BodyEventStream, Input{Direction: Request}, apply)
		for i := 0; i < len(tiny); i += 7 {
			if _, err := s.Write(tiny[i:min(i+7, len(tiny))]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
	if n > 20 {
		t.Errorf("10,000 tiny events allocate %v times", n)
	}
}

// Mistakes in stream_text and limits.max_record_bytes are compile errors
// at their position.
func TestStreamTextCompileErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"stream_text: [\"$..content\"]\n", `stream.yaml:2:15: stream_text: path "$..content": want a path to the text of each record, without recursive descent (..)`},
		{"stream_text: [\"$.a[\"]\n", `stream.yaml:2:20: stream_text: path "$.a[": `},
		{"stream_text: [\"$\"]\n", `stream.yaml:2:15: stream_text: path "$": want a path`},
		{"stream_text: {a: 1}\n", `stream.yaml:2:14: stream_text: want a string`},
		{"limits: { max_record_bytes: 0 }\n", `stream.yaml:2:29: max_record_bytes: must be positive, got 0`},
		{"limits: { max_record_bytes: 2000000 }\n", `stream.yaml:2:29: max_record_bytes: 2000000 exceeds 1048576`},
	} {
		_, err := Compile([]byte("version: 1\nrules: [{id: r, select: {keys: [a]}, action: redact}]\n"+c.src), Options{Filename: "stream.yaml"})
		if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), "rules: [", ""), strings.Replace(c.want, "stream.yaml:2:", "stream.yaml:3:", 1)) {
			t.Errorf("%s: got %v\nwant %s", c.src, err, c.want)
		}
	}
	var many strings.Builder
	many.WriteString("stream_text:\n")
	for i := range 65 {
		many.WriteString("  - \"$.t" + strings.Repeat("x", i) + "\"\n")
	}
	if _, err := Compile([]byte("version: 1\nrules: [{id: r, select: {keys: [a]}, action: redact}]\n"+many.String()), Options{}); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Errorf("65 paths: %v", err)
	}
}

// The event-stream label is read as an event stream unless never_sniff
// lists it.
func TestStreamBodyKind(t *testing.T) {
	p := compileT(t, streamSet)
	if k := p.BodyKind([]string{"text/event-stream; charset=utf-8"}); k != BodyEventStream {
		t.Errorf("text/event-stream: %s", k)
	}
	p = compileT(t, streamSet+"match: { never_sniff: [text/event-stream] }\n")
	if k := p.BodyKind([]string{"text/event-stream"}); k != BodySkip {
		t.Errorf("never_sniff text/event-stream: %s", k)
	}
}

// A pretty-printed document under an NDJSON label is released when its
// closing line arrives, not at the end of the stream.
func TestStreamAcrossLinesReleased(t *testing.T) {
	p := compileT(t, streamSet)
	doc := "{\n  \"a\": [\n    1\n  ],\n  \"email\": \"a@x.com\"\n}\n"
	s := p.NewStream(BodyJSONLines, Input{Direction: Request}, p.Apply)
	var out []byte
	for i := range len(doc) {
		o, err := s.Write([]byte(doc[i : i+1]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o...)
	}
	if want := strings.Replace(doc, "a@x.com", "[REDACTED]", 1); string(out) != want || s.Held() != 0 {
		t.Errorf("before Close: %q (held %d)", out, s.Held())
	}
}
