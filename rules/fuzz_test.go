package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// fuzzRules exercises every action, selector kind and mode; it avoids removing
// by index (which shifts later elements, so a second pass would differ).
const fuzzRules = `
rules:
  - {id: keep, select: {paths: ["$.public", "$..safe"]}, action: keep}
  - {id: email, select: {keys: [email, e_mail]}, action: redact}
  - {id: card, select: {keys: [card, pan], paths: ["$.users[*].cc"]}, action: {mask: {keep_last: 4}}}
  - {id: drop, select: {keys: [secret], paths: ["$.list[*]", "$..tmp"]}, action: remove}
  - {id: obj, select: {paths: ["$.a.b", "$.x[1]"]}, action: {redact: {with: {"email": "z", "n": [1]}}}}
  - {id: watch, select: {keys: [ssn]}, mode: shadow, action: redact}
  - {id: idx, select: {paths: ["$[0].name", "$..[2]", "$['\u00e9 x'].*"]}, action: {mask: {keep_first: 1, char: "#"}}}
  - {id: cased, case_sensitive: true, select: {keys: [Token, e_Mail], paths: ["$.Auth.Key", "$..ＳＳＮ"]}, action: redact}
  - {id: tok, select: {paths: ["$.token", "$.auth.key", "$.e_mail"]}, action: {redact: {with: 0}}}
`

func fuzzSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
}

func FuzzApply(f *testing.F) {
	fuzzSeeds(f, "testdata/apply/*/in.json")
	for _, s := range []string{
		`{"email":"a","E_MAIL":1,"\u0065mail":[1,{"x":2}],"public":{"email":"k"}}`,
		`{"list":[1,2,3],"tmp":1,"a":{"b":{"c":1},"tmp":[{"secret":1,"y":2}]},"x":[0,1,2,3]}`,
		`[{"name":"Zoë"},{"pan":4111111111111111,"card":"1234-5678"},{"a":[1,2,{"q":3}]}]`,
		`{"users":[{"cc":-1.5e10,"ssn":"1"}],"é x":{"k":"v","l":null},"safe":{"email":1}}`,
		`"x"`, `1`, `[]`, `{}`, `[[[[[]]]]]`, `{"a" : { "b" : true } , "secret" : false }`,
		`{"Token":1,"token":2,"eMail":3,"E_MAIL":4,"Auth":{"Key":5,"\u212Aey":6,"key":7},"auth":{"Key":8},"x":{"SSN":9,"ſsn":10}}`,
		`{"ＥＭＡＩＬ":1,"E\u0130MAIL":2,"e\u200bmail":3,"Straße":{"é x":{"k":4}}}`,
	} {
		f.Add([]byte(s))
	}
	p := mustCompile(f, fuzzRules)
	spec := decodeSpec(f, fuzzRules)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rep, err := p.Apply(in, Input{Direction: Request})
		valid := json.Valid(in)
		switch {
		case errors.Is(err, ErrTooDeep):
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		case err != nil:
			if !errors.Is(err, ErrInvalidJSON) || out != nil {
				t.Fatalf("unexpected error %v (out %q)", err, out)
			}
			if valid {
				t.Fatalf("valid JSON rejected: %v", err)
			}
			return
		case !valid:
			t.Fatalf("invalid JSON accepted: %q", in)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, in)
		}
		again, _, err := p.Apply(out, Input{Direction: Request})
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second pass differs:\n%s\n%s (%v)", out, again, err)
		}
		if !utf8.Valid(in) {
			return // encoding/json replaces invalid bytes in names, so the reference below cannot follow
		}
		counts := map[string]int{}
		for _, f := range rep.Findings {
			counts[f.Rule] = f.Count
		}
		want := map[string]int{}
		for _, shadow := range []bool{false, true} {
			ref := reference{spec: spec, t: t, count: want, shadow: shadow}
			ref.walk(parseTree(t, in), nil, false)
		}
		for _, r := range p.rules {
			if counts[r.id] != want[r.id] {
				t.Fatalf("rule %s: reported %d, reference counts %d (report %+v)", r.id, counts[r.id], want[r.id], rep)
			}
		}
		ref := reference{spec: spec, t: t, count: map[string]int{}}
		ref.walk(parseTree(t, out), nil, true) // no value an enforcing rule covers survives
	})
}

func FuzzCompile(f *testing.F) {
	fuzzSeeds(f, "testdata/*/*/rules.yaml")
	fuzzSeeds(f, "testdata/*/*/rules.json")
	f.Add([]byte(fuzzRules))
	f.Add([]byte("rules:\n- id: a\n  select: {paths: [\"$..[0]['\\u00e9']\"]}\n  action: {redact: {with: [1, {a: .inf}]}}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Compile(src, Options{Filename: "f.yaml"})
		if err != nil {
			var ce *CompileError
			if !errors.As(err, &ce) || len(ce.Diagnostics) == 0 {
				t.Fatalf("error %T %v is not a *CompileError with diagnostics", err, err)
			}
			for _, d := range ce.Diagnostics {
				if d.File != "f.yaml" || d.Line < 1 || d.Col < 1 || d.Message == "" {
					t.Fatalf("diagnostic without a position: %+v", d)
				}
			}
			return
		}
		for _, d := range []Direction{Request, Response} {
			if _, _, err := p.Apply([]byte(`{"a":[1,{"b":"c"}],"d":"e"}`), Input{Direction: d}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// decodeSpec decodes a valid rule set without compiling it.
func decodeSpec(t testing.TB, src string) *setSpec {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return (&decoder{diags: newDiags("t", []byte(src))}).decodeSet(doc.Content[0])
}

// node is a JSON value as encoding/json tokens give it: order and duplicate
// names preserved.
type node struct {
	value   any // scalar value, or nil for containers
	isObj   bool
	isArr   bool
	names   []string
	members []*node
}

func parseTree(t *testing.T, b []byte) *node {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		t.Fatalf("reference parse: %v", err)
	}
	return n
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return &node{value: tok}, nil
	}
	n := &node{isObj: d == '{', isArr: d == '['}
	for dec.More() {
		if n.isObj {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			n.names = append(n.names, k.(string))
		}
		c, err := readNode(dec)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, c)
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		return nil, err
	}
	return n, nil
}

// reference decides values with a naive matcher (each selector of each rule
// against each concrete path) to check the automaton and the rewrite.
type reference struct {
	spec  *setSpec
	t     *testing.T
	count map[string]int
	// inStrings: json_in_strings (see walkNested), mask reaches inside documents held in strings
	inStrings bool
	// shadow selects the layer walked: the enforcing rules (false) or the
	// shadow rules (true). Each layer decides on its own: the first matching
	// rule of the layer wins, and a shadow rule never decides for an
	// enforcing one.
	shadow bool
}

type label struct {
	name  string
	index int
	isKey bool
}

func (r *reference) first(path []label) *ruleSpec {
	for i := range r.spec.rules {
		ru := &r.spec.rules[i]
		if !ru.request || ru.shadow != r.shadow {
			continue
		}
		for _, s := range ru.sels {
			if matchPath(s.steps, path) {
				return ru
			}
		}
	}
	return nil
}

func matchPath(steps []step, path []label) bool {
	if len(steps) == 0 {
		return len(path) == 0
	}
	st := &steps[0]
	for k := 0; k < len(path); k++ {
		if labelMatches(st, path[k]) && matchPath(steps[1:], path[k+1:]) {
			return true
		}
		if !st.desc {
			return false
		}
	}
	return false
}

func labelMatches(st *step, l label) bool {
	switch st.kind {
	case stepName:
		name, _ := foldName(l.name, st.form())
		return l.isKey && name == st.name
	case stepWild:
		return true
	case stepIndex:
		return !l.isKey && l.index == st.index
	}
	if !l.isKey {
		return false
	}
	name, _ := foldName(l.name, st.form())
	for _, k := range st.keys {
		if k == name {
			return true
		}
	}
	return false
}

// walk counts decided values (on the input) or, with after set, checks that
// the output shows each covered value rewritten (or removed).
func (r *reference) walk(n *node, path []label, after bool) {
	for i, c := range n.members {
		l := label{index: i}
		if n.isObj {
			l = label{name: n.names[i], isKey: true}
		}
		p := append(path[:len(path):len(path)], l)
		if ru := r.first(p); ru != nil {
			r.decided(ru, c, p, after)
			continue
		}
		r.walk(c, p, after)
	}
}

func (r *reference) decided(ru *ruleSpec, n *node, path []label, after bool) {
	if ru.act.kind == actKeep {
		return
	}
	if ru.act.kind == actMask && (n.value == true || n.value == false || (n.value == nil && !n.isObj && !n.isArr)) {
		return
	}
	r.count[ru.id]++
	if !after || ru.shadow {
		return
	}
	got, _ := json.Marshal(treeValue(n))
	switch ru.act.kind {
	case actRemove:
		r.t.Fatalf("rule %s: %v survived removal", ru.id, path)
	case actRedact:
		var want bytes.Buffer
		json.Compact(&want, ru.act.rw.(*redact).with)
		if !bytes.Equal(got, want.Bytes()) {
			r.t.Fatalf("rule %s: %v is %s, want %s", ru.id, path, got, want.Bytes())
		}
	case actMask:
		m := ru.act.rw.(*mask)
		r.checkMasked(ru.id, m, n, path)
	}
}

func (r *reference) checkMasked(id string, m *mask, n *node, path []label) {
	if n.isObj || n.isArr {
		for _, c := range n.members {
			r.checkMasked(id, m, c, path)
		}
		return
	}
	s, ok := n.value.(string)
	if ok && r.inStrings {
		if doc := innerDocument(s); doc != nil {
			r.checkMasked(id, m, parseTree(r.t, doc), path)
			return
		}
	}
	if !ok {
		if _, isNum := n.value.(json.Number); isNum {
			r.t.Fatalf("rule %s: number survived mask at %v", id, path)
		}
		return
	}
	left := 0
	for _, c := range s {
		if isMaskable(c) {
			left++
		}
	}
	if left > m.first+m.last {
		r.t.Fatalf("rule %s: %q at %v keeps %d characters", id, s, path, left)
	}
}

func treeValue(n *node) any {
	switch {
	case n.isObj:
		var b bytes.Buffer
		b.WriteByte('{')
		for i, c := range n.members {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.names[i])
			v, _ := json.Marshal(treeValue(c))
			fmt.Fprintf(&b, "%s:%s", k, v)
		}
		b.WriteByte('}')
		return json.RawMessage(b.Bytes())
	case n.isArr:
		out := make([]any, len(n.members))
		for i, c := range n.members {
			out[i] = treeValue(c)
		}
		return out
	}
	return n.value
}

// FuzzCanonicalPath: any request path canonicalizes without panicking to an
// absolute path with no empty, "." or ".." segment and no backslash, and a
// path already canonical is returned unchanged.
func FuzzCanonicalPath(f *testing.F) {
	for _, p := range []string{"/", "/api/users/7", "//a/./b/../c/", "/%2e%2e/%2F", "\\a\\b", "/a?x=/../y", "%", "/a/%zz/%4", "",
		"/api;v=1/users/7", "/.;/api", "/%2561pi", "http://h/api", "/a%00", "/api／users", "/%c0%af", "/%%36%31"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		_ = ValidPath(p)
		c := canonicalPath(p)
		if !strings.HasPrefix(c, "/") || strings.Contains(c, "\\") {
			t.Fatalf("canonicalPath(%q) = %q", p, c)
		}
		if c != "/" {
			for _, seg := range strings.Split(c[1:], "/") {
				if seg == "" || seg == "." || seg == ".." {
					t.Fatalf("canonicalPath(%q) = %q: segment %q", p, c, seg)
				}
			}
		}
		if !strings.ContainsAny(c, "%?#") && canonicalPath(c) != c {
			t.Fatalf("canonicalPath(%q) = %q, but that canonicalizes to %q", p, c, canonicalPath(c))
		}
	})
}
