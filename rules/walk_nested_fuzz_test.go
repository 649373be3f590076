package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"
)

// fuzzNestedDepth is the depth limit of FuzzApplyNested, low enough for the
// fuzzer to reach it across strings.
const fuzzNestedDepth = 8

// FuzzApplyNested is FuzzApply with json_in_strings: no panic; Apply accepts
// exactly valid JSON; it fails for depth exactly when the reference counts
// more levels than the limit (a string holding a complete document counts
// one, a string that only starts like one none); valid JSON out, and every
// inner document still one; the reference counts the same findings, and no
// value a rule covers survives, at any level; a second pass changes nothing.
func FuzzApplyNested(f *testing.F) {
	for _, s := range []string{
		`{"payload":"{\"email\":\"a\",\"pan\":4111111111111111,\"x\":\"[{\\\"card\\\":1}]\"}"}`,
		`{"payload":"\u007b\"email\":1}","b":"\ufeff [\"secret\",{\"tmp\":2}]"}`,
		`["\"{\\\"email\\\":\\\"q\\\"}\"", "\t\n{\"public\":{\"email\":1}}", "{\"a\":{\"b\":\"{\\\"c\\\":1}\"}}"]`,
		`{"a":"[[[[[[[[[[1]]]]]]]]]]","b":"[[[[[[[[[[1","list":"[1,2,3]","users":"[{\"cc\":-1.5e10}]"}`,
		`{"x":["{\"x\":[\"{\\\"x\\\":[1,{\\\"ssn\\\":2}]}\"]}"]}`,
	} {
		f.Add([]byte(s))
	}
	src := "json_in_strings: true\n" + fuzzRules
	p, err := Compile([]byte(src), Options{MaxDepth: fuzzNestedDepth})
	if err != nil {
		f.Fatal(err)
	}
	spec := decodeSpec(f, src)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rep, err := p.Apply(in, Input{Direction: Request})
		valid := json.Valid(in)
		if err != nil {
			if out != nil || !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("unexpected error %v (out %q)", err, out)
			}
			if valid && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("valid JSON rejected: %v", err)
			}
		} else if !valid {
			t.Fatalf("invalid JSON accepted: %q", in)
		}
		if !valid || !utf8.Valid(in) {
			return // encoding/json replaces invalid bytes, so the reference cannot follow
		}
		want := map[string]int{}
		for _, shadow := range []bool{false, true} {
			ref := reference{spec: spec, t: t, count: want, inStrings: true, shadow: shadow}
			if levels := ref.walkNested(parseTree(t, in), nil, false); levels > fuzzNestedDepth != errors.Is(err, ErrTooDeep) {
				t.Fatalf("reference counts %d levels (limit %d), Apply: %v", levels, fuzzNestedDepth, err)
			}
		}
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, in)
		}
		checkDocsKept(t, parseTree(t, in), parseTree(t, out))
		counts := map[string]int{}
		for _, f := range rep.Findings {
			counts[f.Rule] = f.Count
		}
		for _, r := range p.rules {
			if counts[r.id] != want[r.id] {
				t.Fatalf("rule %s: reported %d, reference counts %d (report %+v)", r.id, counts[r.id], want[r.id], rep)
			}
		}
		ref := reference{spec: spec, t: t, count: map[string]int{}, inStrings: true}
		ref.walkNested(parseTree(t, out), nil, true) // no value a rule covers survives
		again, _, err := p.Apply(out, Input{Direction: Request})
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second pass differs:\n%s\n%s (%v)", out, again, err)
		}
	})
}

// walkNested is reference.walk with json_in_strings: a string no rule
// decides that holds a complete document is walked as that document, at the
// same path. It returns the levels the walk counts from n down (containers,
// and strings walked as documents), which Apply holds to the depth limit.
func (r *reference) walkNested(n *node, path []label, after bool) int {
	if s, ok := n.value.(string); ok {
		if doc := innerDocument(s); doc != nil {
			return 1 + r.walkNested(parseTree(r.t, doc), path, after)
		}
		return 0
	}
	if !n.isObj && !n.isArr {
		return 0
	}
	deepest := 0
	for i, c := range n.members {
		l := label{index: i}
		if n.isObj {
			l = label{name: n.names[i], isKey: true}
		}
		p := append(path[:len(path):len(path)], l)
		if ru := r.first(p); ru != nil {
			r.decided(ru, c, p, after)
			deepest = max(deepest, decidedLevels(r.t, c, ru.act.kind == actMask && !ru.shadow))
			continue
		}
		deepest = max(deepest, r.walkNested(c, p, after))
	}
	return 1 + deepest
}

// decidedLevels counts the levels of a value a rule decides: its objects
// and arrays and, when masked, the documents in its strings, which mask
// reaches into.
func decidedLevels(t *testing.T, n *node, masked bool) int {
	if s, ok := n.value.(string); ok && masked {
		if doc := innerDocument(s); doc != nil {
			return 1 + decidedLevels(t, parseTree(t, doc), masked)
		}
	}
	if !n.isObj && !n.isArr {
		return 0
	}
	deepest := 0
	for _, c := range n.members {
		deepest = max(deepest, decidedLevels(t, c, masked))
	}
	return 1 + deepest
}

// innerDocument returns the document a string holds, as SYNTAX.md defines
// it, or nil: after whitespace and byte order marks, an object or array, or
// a JSON string whose text starts like a document in turn, then only
// whitespace.
func innerDocument(s string) []byte {
	b := bytes.TrimLeft([]byte(s), " \t\r\n\uFEFF")
	if len(b) == 0 || !json.Valid(b) {
		return nil
	}
	switch b[0] {
	case '{', '[':
		return b
	case '"':
		var t string
		if json.Unmarshal(b, &t) == nil && startsLikeDocument.MatchString(t) {
			return b
		}
	}
	return nil
}

// startsLikeDocument matches text that starts like a document.
var startsLikeDocument = regexp.MustCompile("^[ \t\r\n\uFEFF]*[{[\"]")

// labelValue matches the labels rules put in place of a whole value.
var labelValue = regexp.MustCompile(`^\[[a-z-]+\]$`)

// checkDocsKept checks, on the trees of a body before and after Apply with
// no rule that removes members, that every string holding a complete
// document still holds one (or was replaced whole by a label), at any level.
func checkDocsKept(t *testing.T, in, out *node) {
	t.Helper()
	if s, ok := in.value.(string); ok {
		doc := innerDocument(s)
		if doc == nil {
			return
		}
		o, ok := out.value.(string)
		if !ok {
			if out.isObj || out.isArr || out.value != nil {
				return // replaced whole by a redact `with` value
			}
			t.Fatalf("document %q became %+v", s, out)
		}
		odoc := innerDocument(o)
		if odoc == nil {
			if labelValue.MatchString(o) || o == "[REDACTED]" || o == s {
				return
			}
			t.Fatalf("document %q is no longer one: %q", s, o)
		}
		checkDocsKept(t, parseTree(t, doc), parseTree(t, odoc))
		return
	}
	if len(in.members) != len(out.members) || in.isObj != out.isObj || in.isArr != out.isArr {
		return // a member removed or a value replaced: positions no longer match
	}
	for i := range in.members {
		checkDocsKept(t, in.members[i], out.members[i])
	}
}

// FuzzCompleteDocument: completeDocument agrees with encoding/json on every
// input encoding/json can judge (it stops at 10000 levels).
func FuzzCompleteDocument(f *testing.F) {
	for _, s := range []string{`{}`, ` [1, {"a": [true, null, "x"]}] `, `{"a":1,}`, `[[[]]`, `[]]`, `{"a" 1}`, `"s"`, `-1.5e3`, `{} {}`, `[1,2`, "\uFEFF{}"} {
		f.Add([]byte(s))
	}
	var levels []uint64
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) >= 10000 {
			return
		}
		if got, want := completeDocument(b, &levels), json.Valid(b); got != want {
			t.Fatalf("completeDocument(%q) = %t, encoding/json says %t", b, got, want)
		}
	})
}
