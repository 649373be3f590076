package rules

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

// Tests of the gate (issue 10, sections 1 and 2): body kinds by label,
// content sniffing, record streams, content encodings, path spellings.

const gateRules = `
version: 1
name: gate
rules:
  - { id: email, select: { keys: [email] }, action: redact }
`

// Which labels are strict JSON, record streams, sniffed or skipped.
func TestBodyKind(t *testing.T) {
	p := mustCompile(t, gateRules+"match: { never_sniff: [image/*, application/pdf] }\n")
	for _, c := range []struct {
		labels []string
		want   BodyKind
	}{
		// labelled JSON (the default content_types)
		{[]string{"application/json"}, BodyJSON},
		{[]string{"Application/JSON; charset=utf-8"}, BodyJSON},
		{[]string{" application/vnd.api+json "}, BodyJSON},
		{[]string{`application/json; profile="a,b"`}, BodyJSON},
		// record streams
		{[]string{"application/x-ndjson"}, BodyJSONLines},
		{[]string{"application/jsonl; charset=utf-8"}, BodyJSONLines},
		{[]string{"application/ndjson"}, BodyJSONLines},
		{[]string{"application/json-seq"}, BodyJSONSeq},
		// anything else is sniffed, whatever its label
		{nil, BodySniff},
		{[]string{""}, BodySniff},
		{[]string{"text/plain"}, BodySniff},
		{[]string{"text/plain;charset=UTF-8"}, BodySniff},
		{[]string{"text/json"}, BodySniff},
		{[]string{"application/x-json"}, BodySniff},
		{[]string{"application/octet-stream"}, BodySniff},
		{[]string{"application/x-www-form-urlencoded"}, BodySniff},
		{[]string{"multipart/form-data; boundary=x"}, BodyMultipart}, // read part by part (multipart.go)
		{[]string{"json"}, BodySniff},
		{[]string{"application/"}, BodySniff},
		{[]string{"application/json/x"}, BodySniff},
		{[]string{"application/jsonx"}, BodySniff},
		{[]string{"application/json x"}, BodySniff},
		{[]string{"text/plain, application/json"}, BodySniff},
		{[]string{"application/json,"}, BodySniff},
		{[]string{"application/json", "application/json"}, BodySniff},
		{[]string{"application/json", "text/plain"}, BodySniff},
		// never_sniff
		{[]string{"image/png"}, BodySkip},
		{[]string{"APPLICATION/PDF; x=y"}, BodySkip},
		{[]string{"image/png", "image/png"}, BodySniff},
		{[]string{"image/png, text/plain"}, BodySniff},
	} {
		if got := p.BodyKind(c.labels); got != c.want {
			t.Errorf("BodyKind(%q) = %v, want %v", c.labels, got, c.want)
		}
	}
	// never_sniff opts record streams out; content_types wins over never_sniff
	// for labelled JSON only when never_sniff does not list it.
	q := mustCompile(t, gateRules+"match: { content_types: [\"*/*\"], never_sniff: [application/x-ndjson] }\n")
	for label, want := range map[string]BodyKind{"application/x-ndjson": BodySkip, "application/json-seq": BodyJSONSeq, "text/html": BodyJSON} {
		if got := q.BodyKind([]string{label}); got != want {
			t.Errorf("*/*: BodyKind(%q) = %v, want %v", label, got, want)
		}
	}
}

func TestNeverSniffSchema(t *testing.T) {
	_, err := Compile([]byte(gateRules+"match: { never_sniff: [json, \"text/plain; x=1\"] }\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `match.never_sniff: "json" is not a media type`) ||
		!strings.Contains(err.Error(), `match.never_sniff: "text/plain; x=1" is not a media type`) {
		t.Errorf("want two never_sniff errors, got %v", err)
	}
}

func TestIdentityEncoding(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   bool
	}{
		{nil, true}, {[]string{""}, true}, {[]string{"identity"}, true}, {[]string{" Identity "}, true},
		{[]string{"identity, identity"}, true}, {[]string{"identity", "IDENTITY"}, true}, {[]string{","}, true},
		{[]string{"gzip"}, false}, {[]string{"identity, gzip"}, false}, {[]string{"gzip, identity"}, false},
		{[]string{"identity", "gzip"}, false}, {[]string{"gzip", "identity"}, false}, {[]string{"br"}, false},
		{[]string{"x-identity"}, false}, {[]string{"identity;q=1"}, false}, {[]string{"identity gzip"}, false},
	} {
		if got := IdentityEncoding(c.values); got != c.want {
			t.Errorf("IdentityEncoding(%q) = %v, want %v", c.values, got, c.want)
		}
	}
}

// utf16le and the others spell s in a wide encoding, with an optional BOM.
func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xfe, 0xff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func utf32(s string, bom, little bool) []byte {
	var b []byte
	rs := []rune(s)
	if bom {
		rs = append([]rune{0xfeff}, rs...)
	}
	for _, r := range rs {
		if little {
			b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		} else {
			b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
	}
	return b
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		body []byte
		want Sniffed
	}{
		{[]byte(`{"email":"a@b.c"}`), SniffJSON},
		{[]byte(`[1]`), SniffJSON},
		{[]byte(" \t\r\n {"), SniffJSON},
		{[]byte(utf8BOM + `{}`), SniffJSON},
		{[]byte(utf8BOM + "\n [1]"), SniffJSON},
		{[]byte("// comment\n{"), SniffJSON},
		{[]byte("/* a */ /**/ /* * / */[1]"), SniffJSON},
		{[]byte("//\n//x\r\n{"), SniffJSON},
		{[]byte("{"), SniffJSON},
		{[]byte(`email=a%40b.c&x=1`), SniffText},
		{[]byte(`<html>{}</html>`), SniffText},
		{[]byte(`"a string"`), SniffText},
		{[]byte(`12`), SniffText},
		{[]byte(`null`), SniffText},
		{[]byte("\x89PNG\r\n\x1a\n"), SniffText},
		{[]byte("%PDF-1.7"), SniffText},
		{[]byte("--boundary\r\nContent-Disposition: form-data"), SniffText},
		{[]byte("/ {"), SniffText},
		{[]byte(utf8BOM + utf8BOM + "{}"), SniffText},
		{[]byte("\v{}"), SniffText},
		{[]byte("\u00a0{}"), SniffText},
		{utf16le(`{"a":1}`, true), SniffWide},
		{utf16le(`{"a":1}`, false), SniffWide},
		{utf16le(" \n[1]", false), SniffWide},
		{utf16be(`{"a":1}`, true), SniffWide},
		{utf16be("/*x*/[1]", false), SniffWide},
		{utf32(`{"a":1}`, true, true), SniffWide},
		{utf32(`[1]`, false, true), SniffWide},
		{utf32(`{"a":1}`, true, false), SniffWide},
		{utf32(" [1]", false, false), SniffWide},
		{utf16le("hello", true), SniffText},
		{utf32("<p>", false, false), SniffText},
	} {
		if got := Sniff(c.body, true); got != c.want {
			t.Errorf("Sniff(%q, complete) = %v, want %v", c.body, got, c.want)
		}
		// any prefix of it decides the same way or asks for more
		for n := 0; n < len(c.body); n++ {
			if got := Sniff(c.body[:n], false); got != SniffMore && got != c.want {
				t.Errorf("Sniff(%q, partial) = %v, want %v or more", c.body[:n], got, c.want)
			}
		}
	}
	// undecided until the comment or the whitespace ends
	for _, prefix := range []string{"", "{", "[\x00", "  ", "/*  {", "// {", "/", utf8BOM, "\xff\xfe", "\x00"} {
		if got := Sniff([]byte(prefix), false); got != SniffMore {
			t.Errorf("Sniff(%q, partial) = %v, want more", prefix, got)
		}
	}
	for _, partial := range []string{"a", ":\n", "da", "<", "\x89P", "\x01\x00"} {
		if got := Sniff([]byte(partial), false); got != SniffText {
			t.Errorf("Sniff(%q, partial) = %v, want text at once", partial, got)
		}
	}
	for _, complete := range []string{"", " ", "/* {", "// {", "/"} {
		if got := Sniff([]byte(complete), true); got != SniffText {
			t.Errorf("Sniff(%q, complete) = %v, want text", complete, got)
		}
	}
}

func TestAlmostJSON(t *testing.T) {
	almost := []string{
		`{"email":"a@b.c",}`, `[1,2,]`, `{'email':'a@b.c'}`, `{email:"a@b.c"}`, `{"n":NaN}`, `[Infinity,-Infinity,+1]`,
		`{"n":0x1F,"m":.5,"k":5.}`, "// c\n{\"a\":1}", `/* c */ {"a" /* x */ : 1}`, `{"a":1} trailing garbage`,
		`{"a":1}{"b":2}`, `[1][2]`, `{"a":1}` + "\n" + `{"b":2}`, utf8BOM + `{"a":1,}`, `{"a":undefined}`,
		`{'a':True,'b':None}`, `{"a":"raw` + "\t" + `tab"}`, `{"a":"x\q"}`, "\v{\"a\":1}", `[1] [INFO] started`,
		strings.Repeat("[", 200),
	}
	for _, s := range almost {
		if !AlmostJSON([]byte(s)) {
			t.Errorf("AlmostJSON(%q) = false, want true", s)
		}
	}
	not := []string{
		`[INFO] started`, `[2024-01-01 12:00] ok`, `{{ template }}`, `[a b]`, `{"a" 1}`, `{"a":}`, `[,]`, `{,}`,
		`{"a":1`, `['unterminated]`, `[1 2]`, `[-]`, `[0x]`, `[1e]`, `[.]`, `{1:2}`, `[foo]`, `/* unterminated {"a":1}`, ``,
	}
	for _, s := range not {
		if AlmostJSON([]byte(s)) {
			t.Errorf("AlmostJSON(%q) = true, want false", s)
		}
	}
}

// ApplyAs on each kind: strict JSON, sniffed bodies, record streams.
func TestApplyAs(t *testing.T) {
	p := mustCompile(t, gateRules)
	in := Input{Direction: Request}
	for _, c := range []struct {
		kind     BodyKind
		body     string
		want     string // "" with err set
		err      error
		findings int
	}{
		{BodyJSON, `{"email":"a@b.c"}`, `{"email":"[REDACTED]"}`, nil, 1},
		{BodyJSON, `{"email":"a@b.c",}`, "", ErrInvalidJSON, 0},
		{BodyJSON, `hello`, "", ErrInvalidJSON, 0},
		{BodyJSON, utf8BOM + `{"email":"a@b.c"}`, "", ErrInvalidJSON, 0},
		// sniffed: JSON is rewritten, almost JSON fails, the rest passes
		{BodySniff, `{"email":"a@b.c"}`, `{"email":"[REDACTED]"}`, nil, 1},
		{BodySniff, " \n[{\"email\":\"a@b.c\"}]", " \n[{\"email\":\"[REDACTED]\"}]", nil, 1},
		{BodySniff, utf8BOM + `{"email":"a@b.c"}`, utf8BOM + `{"email":"[REDACTED]"}`, nil, 1},
		{BodySniff, utf8BOM + `{"x":1}`, utf8BOM + `{"x":1}`, nil, 0},
		{BodySniff, `{"x":1}`, `{"x":1}`, nil, 0},
		{BodySniff, `email=a%40b.c`, `email=a%40b.c`, ErrNotJSON, 0},
		{BodySniff, `[INFO] email a@b.c`, `[INFO] email a@b.c`, ErrNotJSON, 0},
		{BodySniff, `"email"`, `"email"`, ErrNotJSON, 0},
		{BodySniff, `{"email":"a@b.c",}`, "", ErrInvalidJSON, 0},
		{BodySniff, `{'email':'a@b.c'}`, "", ErrInvalidJSON, 0},
		{BodySniff, `{"email":"a@b.c"} x`, "", ErrInvalidJSON, 0},
		{BodySniff, `{"a":1}{"email":"a@b.c"}`, "", ErrInvalidJSON, 0},
		{BodySniff, "// c\n" + `{"email":"a@b.c"}`, "", ErrInvalidJSON, 0},
		{BodySniff, `{"n":NaN,"email":"a@b.c"}`, "", ErrInvalidJSON, 0},
		{BodySniff, string(utf16le(`{"email":"a@b.c"}`, true)), "", ErrInvalidJSON, 0},
		{BodySniff, string(utf32(`{"email":"a@b.c"}`, false, false)), "", ErrInvalidJSON, 0},
		{BodySniff, strings.Repeat("[", 200) + strings.Repeat("]", 200), "", ErrTooDeep, 0},
		{BodySkip, `{"email":"a@b.c"}`, `{"email":"a@b.c"}`, ErrNotJSON, 0},
		// record streams: each record on its own, non-JSON records unchanged
		{BodyJSONLines, "{\"email\":\"a@b.c\"}\n{\"x\":1}\n{\"email\":\"d@e.f\"}\n",
			"{\"email\":\"[REDACTED]\"}\n{\"x\":1}\n{\"email\":\"[REDACTED]\"}\n", nil, 1},
		{BodyJSONLines, "{\"email\":\"a@b.c\"}\r\n\r\nnot json\n{\"email\":\"d@e.f\",}\n[{\"email\":\"g@h.i\"}]",
			"{\"email\":\"[REDACTED]\"}\r\n\r\nnot json\n{\"email\":\"d@e.f\",}\n[{\"email\":\"[REDACTED]\"}]", nil, 1},
		{BodyJSONLines, "{\"x\":1}\n{\"y\":2}", "{\"x\":1}\n{\"y\":2}", nil, 0},
		// a value that lenient parsers read across lines is one record
		{BodyJSONLines, "{\n  \"email\": \"a@b.c\"\n}\n", "{\n  \"email\": \"[REDACTED]\"\n}\n", nil, 1},
		{BodyJSONLines, "{\"x\":1}\n [\n{\"email\":\"a@b.c\"}] tail\n{\"email\":1}",
			"{\"x\":1}\n [\n{\"email\":\"[REDACTED]\"}] tail\n{\"email\":\"[REDACTED]\"}", nil, 1},
		{BodyJSONLines, "{\n  \"email\": \"a@b.c\",\n}\n", "", ErrInvalidJSON, 0},
		{BodyJSONLines, "{\"a\":1}\n{'email':\n'a@b.c'}", "", ErrInvalidJSON, 0},
		{BodyJSONLines, "{\n\"email\": oops\n}\n", "{\n\"email\": oops\n}\n", nil, 0},
		{BodyJSONLines, "[\n" + strings.Repeat("[\n", 200), "", ErrTooDeep, 0},
		{BodyJSONLines, strings.Repeat("[", 200) + "\n", "", ErrTooDeep, 0},
		{BodyJSONSeq, "\x1e{\"email\":\"a@b.c\"}\n\x1e{\"x\":1}\n\x1e{\"email\":\"d@e.f\"}\n",
			"\x1e{\"email\":\"[REDACTED]\"}\n\x1e{\"x\":1}\n\x1e{\"email\":\"[REDACTED]\"}\n", nil, 1},
		{BodyJSONSeq, "\x1e{\"email\":\"a@b.c\"\n\x1e\"x\"\n\x1e[{\"email\":\"a@b.c\"}]",
			"\x1e{\"email\":\"a@b.c\"\n\x1e\"x\"\n\x1e[{\"email\":\"[REDACTED]\"}]", nil, 1},
	} {
		out, rep, err := p.ApplyAs(c.kind, []byte(c.body), in, p.Apply)
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("%v %q: err %v, want %v", c.kind, c.body, err, c.err)
			continue
		}
		if c.want != "" && string(out) != c.want {
			t.Errorf("%v %q:\n got %q\nwant %q", c.kind, c.body, out, c.want)
		}
		if len(rep.Findings) != c.findings {
			t.Errorf("%v %q: findings %+v", c.kind, c.body, rep.Findings)
		}
	}
}

// The findings of all records merge into one report, in rule order, with
// exact counts and at most maxReportPaths paths.
func TestRecordsReport(t *testing.T) {
	p := mustCompile(t, `
rules:
  - { id: first, select: { keys: [a] }, action: redact }
  - { id: mails, select: { detect: [email] }, action: redact }
`)
	var body bytes.Buffer
	body.WriteString(`{"note":"x@example.com"}` + "\n")
	for range 70 {
		body.WriteString(`{"a":1,"note":"y@example.com z@example.com"}` + "\n")
	}
	out, rep, err := p.ApplyAs(BodyJSONLines, body.Bytes(), Input{Direction: Request}, p.Apply)
	if err != nil || bytes.Contains(out, []byte("@example.com")) {
		t.Fatalf("err %v, out %.200s", err, out)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].Rule != "first" || rep.Findings[1].Rule != "mails" {
		t.Fatalf("findings %+v", rep.Findings)
	}
	f, m := rep.Findings[0], rep.Findings[1]
	if f.Count != 70 || len(f.Paths) != maxReportPaths || m.Count != 141 || len(m.Paths) != maxReportPaths || len(m.Detectors) != maxReportPaths {
		t.Errorf("first %d/%d paths, mails %d/%d paths/%d detectors", f.Count, len(f.Paths), m.Count, len(m.Paths), len(m.Detectors))
	}
}

// Spellings of a path an upstream may route like /api/users/7 stay in
// scope of /api/users/*, and spellings of other paths stay out.
func TestPathSpellings(t *testing.T) {
	p := mustCompile(t, gateRules+"match: { paths: [\"/api/users/*\", \"/files/*.json\"] }\n")
	in := map[string][]string{
		"path parameters": {"/api;v=1/users/7", "/api/users;jsessionid=X/7", "/.;/api/users/7", "/api/users/7;x=1",
			"/api/;/users/7", "/x/..;/api/users/7", "/api%3Bv=1/users/7", "/files/a.json;v=2", "/files/a／b.json"},
		"double encoding": {"/%2561pi/users/7", "/%25%36%31pi/users/7", "/api/users%252F7", "/%252e/api/users/7",
			"/x/%252e%252e/api/users/7", "/%25252561pi/users/7", "/%%36%31pi/users/7"},
		"absolute form": {"http://example.com/api/users/7", "HTTPS://example.com:8443/api/users/7?q=1",
			"h2c+x.y-z://h/api/users/7", "http://user@host/api/users/7"},
		"full-width and look-alike slashes": {"/api／users／7", "/api＼users/7", "/ａｐｉ/users/7", "/api∕users/7",
			"/api⁄users/7", "/api%EF%BC%8Fusers/7", "/api/users/7／", "/．/api/users/7", "/x/．．/api/users/7"},
		"cannot be canonicalized with confidence": {"/%c0%af/other", "/other/%ff", "/other%c0%ae%c0%ae/x"},
		"network-path reference":                  {"//host/api/users/7", "//h:80/api;x/users/7?y"},
		"older spellings":                         {"//api/users/7", "/api/users/7/", "\\api\\users\\7", "/API/Users/7", "/api/./users/7"},
	}
	for class, paths := range in {
		for _, path := range paths {
			if !p.InScope("POST", path) {
				t.Errorf("%s: %q is out of scope (strict %q)", class, path, canonicalPath(path))
			}
		}
	}
	for _, path := range []string{"/api/orders/7", "/api/users/7/x", "/apiusers/7", "/api;/x/users/7/..", "/other",
		"http://example.com/other/api/users/7", "/api/users%2F7%2Fx", "/api/users/７/x", "/files/a.jsonx"} {
		if p.InScope("POST", path) {
			t.Errorf("%q is in scope (strict %q)", path, canonicalPath(path))
		}
	}
}

func TestValidPath(t *testing.T) {
	for _, path := range []string{"/", "", "/api/users/7", "/a%20b", "/a%zz", "/%", "/a?q=%00", "/a?x=\x01", "/a#\x00",
		"/é", "/%C3%A9", "/%25", "/%2525", "/a%2F"} {
		if !ValidPath(path) {
			t.Errorf("ValidPath(%q) = false", path)
		}
	}
	for _, path := range []string{"/a\x00", "/a%00", "/a%2500", "/%252500", "/a%0a", "/a%0D%0A", "/a\r\n", "/a%09",
		"/a%7F", "/a\x7f", "/a%1b", "/a%C2%85", "/a\u0085", "/a%c2%9f", "/a%%300", "http://h/a%00"} {
		if ValidPath(path) {
			t.Errorf("ValidPath(%q) = true", path)
		}
	}
}

func TestDecodeFully(t *testing.T) {
	for in, want := range map[string]string{
		"/a": "/a", "%41": "A", "%2541": "A", "%252541": "A", "%%341": "A", "%4%31": "A", "%zz": "%zz",
		"%": "%", "%4": "%4", "%25": "%", "%2525": "%", "a%2F%2fb": "a//b", "%%": "%%",
	} {
		if got := string(decodeFully(nil, in)); got != want {
			t.Errorf("decodeFully(%q) = %q, want %q", in, got, want)
		}
	}
}

// canonicalPath allocates nothing for an ordinary path.
func TestCanonicalPathPlainIsFree(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = canonicalPath("/api/users/7?x=1") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = ValidPath("/api/users/7?x=%00") }); n != 0 {
		t.Errorf("ValidPath: %v allocations", n)
	}
}

// BenchmarkSniff: deciding on the first chunk of a 16 KiB text upload, and
// the canonicalization and validation of an ordinary and a crafted path.
func BenchmarkSniff(b *testing.B) {
	text := bytes.Repeat([]byte("lorem ipsum "), 1400)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if Sniff(text, false) != SniffText {
			b.Fatal("not text")
		}
	}
}

func BenchmarkCanonicalPath(b *testing.B) {
	for _, path := range []string{"/api/users/7?x=1", "/%2561pi;v=1/users;j=X/./7/"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				_, _, _ = canonicalPaths(path)
				_ = ValidPath(path)
			}
		})
	}
}
