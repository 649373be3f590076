package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzSniff: Sniff never panics, decides from any prefix either as it does
// on the whole body or not yet, and never asks for more of a complete body;
// ApplyAs on a sniffed body never panics, treats valid JSON exactly as Apply
// does, returns valid JSON whenever it rewrites, and reports a JSON
// candidate that fails to parse as invalid JSON or as not JSON, never both.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.c"}`, " [1]", utf8BOM + `{"email":"a@b.c"}`, "// c\n{\"email\":1}", "/* x */[", `{'a':1,}`,
		`[NaN]`, `{"a":1} x`, `[INFO] x`, "email=a%40b.c", "\xff\xfe{\x00}\x00", "\x00[\x00]", "\x00\x00\x00{", "/", "",
		"[" + "[[[[[[[[[[", `{"a":0x1F}`, `{a:1}`,
	} {
		f.Add([]byte(s))
	}
	p, err := Compile([]byte(gateRules), Options{})
	if err != nil {
		f.Fatal(err)
	}
	in := Input{Direction: Request}
	f.Fuzz(func(t *testing.T, body []byte) {
		whole := Sniff(body, true)
		if whole == SniffMore {
			t.Fatalf("Sniff(%q, complete) asks for more", body)
		}
		for n := 0; n <= len(body) && n <= 64; n++ {
			if got := Sniff(body[:n], false); got != SniffMore && got != whole {
				t.Fatalf("Sniff(%q, partial) = %v, whole body %v", body[:n], got, whole)
			}
		}
		_ = AlmostJSON(body)
		out, _, err := p.ApplyAs(BodySniff, body, in, p.Apply)
		strict, _, strictErr := p.Apply(body, in)
		switch {
		case whole == SniffJSON && strictErr == nil:
			if err != nil || !bytes.Equal(out, strict) {
				t.Fatalf("valid JSON %q: ApplyAs %q, %v; Apply %q", body, out, err, strict)
			}
		case whole != SniffJSON && !errors.Is(err, ErrNotJSON) && !errors.Is(err, ErrInvalidJSON):
			t.Fatalf("non-candidate %q (%v): err %v", body, whole, err)
		case errors.Is(err, ErrNotJSON) && !bytes.Equal(out, body):
			t.Fatalf("not JSON %q came out as %q", body, out)
		}
		if err == nil && !json.Valid(bytes.TrimPrefix(out, []byte(utf8BOM))) {
			t.Fatalf("ApplyAs(%q) = %q: not valid JSON", body, out)
		}
	})
}

// FuzzRecords: splitting a record stream never panics, keeps every byte
// outside the records it rewrites, rewrites only records that are valid
// JSON, fails only on a record too deep or on almost JSON read across
// lines, and is stable (a second pass changes nothing).
func FuzzRecords(f *testing.F) {
	for _, s := range []string{
		"{\"email\":\"a@b.c\"}\n{\"x\":1}\n", "\x1e{\"email\":\"a@b.c\"}\n\x1e[1]\n", "not json\n\n{\"email\":1}",
		"{\"email\":\"a@b.c\"", "\x1e\x1e\n\x1e", "\r\n{\"email\":[\"x\"]}\r\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	p, err := Compile([]byte(gateRules), Options{})
	if err != nil {
		f.Fatal(err)
	}
	in := Input{Direction: Response}
	f.Fuzz(func(t *testing.T, body []byte, seq bool) {
		kind, sep := BodyJSONLines, byte('\n')
		if seq {
			kind, sep = BodyJSONSeq, 0x1e
		}
		out, _, err := p.ApplyAs(kind, body, in, p.Apply)
		if errors.Is(err, ErrTooDeep) || errors.Is(err, ErrInvalidJSON) && out == nil && !seq {
			// too deep, or a line opening a value read across lines that
			// is only almost JSON (raw control characters in a string,
			// say): the body gets on.invalid_json
			return
		}
		if err != nil {
			t.Fatalf("ApplyAs(%q): %v", body, err)
		}
		if bytes.Count(out, []byte{sep}) < bytes.Count(body, []byte{sep}) {
			t.Fatalf("records lost: %q -> %q", body, out)
		}
		again, _, err := p.ApplyAs(kind, out, in, p.Apply)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second pass over %q: %q, %v", out, again, err)
		}
	})
}
