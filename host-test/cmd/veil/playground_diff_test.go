package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlaygroundViewBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, out string
		want          string // marked(view)
		kinds         string // kind of each change, space-separated
	}{
		{"unchanged", `{"a":1}`, `{"a":1}`, "{\n  \"a\": 1\n}", ""},
		{"middle of a string", `{"a":"call 555-0100 now"}`, `{"a":"call [phone] now"}`, "{\n  \"a\": \"call «[phone]» now\"\n}", "changed"},
		{"two replacements in a string", `{"a":"to a@b.example or c@d.example now"}`, `{"a":"to [email] or [email] now"}`, "{\n  \"a\": \"to «[email]» or «[email]» now\"\n}", "changed"},
		{"a mask keeps its tail", `{"p":"4111 1111 1111 1234"}`, `{"p":"**** **** **** 1234"}`, "{\n  \"p\": \"«****» «****» «****» 1234\"\n}", "changed"},
		{"an escape is not cut", `{"a":"x\u00e9"}`, `{"a":"x\u00e8"}`, "{\n  \"a\": \"x«è»\"\n}", "changed"},
		{"characters only removed", `{"a":"abc"}`, `{"a":"ac"}`, "{\n  \"a\": \"a«»c\"\n}", "changed"},
		{"type change", `{"a":{"b":1}}`, `{"a":"[REDACTED]"}`, "{\n  \"a\": «\"[REDACTED]\"»\n}", "changed"},
		{"number", `[1,2]`, `[1,3]`, "[\n  1,\n  «3»\n]", "changed"},
		{"member removed first", `{"x":1,"y":2}`, `{"y":2}`, "{\n  ⟨removed: \"x\"⟩\n  \"y\": 2\n}", "removed"},
		{"member removed last", `{"x":1,"y":2}`, `{"x":1}`, "{\n  \"x\": 1\n  ⟨removed: \"y\"⟩\n}", "removed"},
		{"all removed", `{"x":1}`, `{}`, "{\n  ⟨removed: \"x\"⟩\n}", "removed"},
		{"member added", `{"x":1}`, `{"x":1,"tag":{"k":[]}}`, "{\n  \"x\": 1,\n  «\"tag\": {\n    \"k\": []\n  }»\n}", "added"},
		{"element removed", `[1,2,3]`, `[1,2]`, "[\n  1,\n  2\n  ⟨removed: element 2⟩\n]", "removed"},
		{"repeated names pair in order", `{"a":1,"a":2}`, `{"a":1,"a":3}`, "{\n  \"a\": 1,\n  \"a\": «3»\n}", "changed"},
		{"text line", "a\nb x c\nd", "a\nb y c\nd", "a\nb «y» c\nd", "changed"},
		{"text line removed and added", "a\nb\nc\n", "a\nc\nz\n", "a\n⟨removed: input line 2\n⟩c\n«z\n»", "removed added"},
		{"json to text", `{"a":1}`, "oops", "«oops»", "changed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := viewBody([]byte(tc.in), []byte(tc.out))
			if got := marked(v); got != tc.want {
				t.Errorf("view\n%s\nwant\n%s", got, tc.want)
			}
			var kinds []string
			for _, c := range v.Changes {
				kinds = append(kinds, c.Kind)
			}
			if got := strings.Join(kinds, " "); got != tc.kinds {
				t.Errorf("kinds %q, want %q", got, tc.kinds)
			}
		})
	}
}

func TestPlaygroundReportPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		segs []pathSeg
	}{
		{"$", nil},
		{"$.a[3].b_2", []pathSeg{{kind: 'n', name: "a"}, {kind: 'i', index: 3}, {kind: 'n', name: "b_2"}}},
		{`$['a b']['it\'s']['\\']`, []pathSeg{{kind: 'n', name: "a b"}, {kind: 'n', name: "it's"}, {kind: 'n', name: `\`}}},
		{`$['\u0007x']`, []pathSeg{{kind: 'n', name: "\ax"}}},
		{"$.é", []pathSeg{{kind: 'n', name: "é"}}},
		{"$[<name>].x", []pathSeg{{kind: '*'}, {kind: 'n', name: "x"}}},
		{"$.p<json>.email", []pathSeg{{kind: 'n', name: "p"}, {kind: 'j'}, {kind: 'n', name: "email"}}},
	} {
		segs, ok := parseReportPath(tc.path)
		if !ok || !reflect.DeepEqual(segs, tc.segs) {
			t.Errorf("%s: %+v %v, want %+v", tc.path, segs, ok, tc.segs)
		}
		if got := formatPath(segs); got != tc.path {
			t.Errorf("formatPath(%+v) = %s, want %s", segs, got, tc.path)
		}
	}
	for _, bad := range []string{"", "a", "$.", "$[", "$[x]", "$[-1]", "$['a", `$['\u12']`, "$x"} {
		if segs, ok := parseReportPath(bad); ok {
			t.Errorf("%q parsed as %+v", bad, segs)
		}
	}
	for _, tc := range []struct {
		f, c string
		want int
	}{
		{"$.a.b", "$.a.b", 0},
		{"$[<name>].b", "$.x.b", 0},
		{"$[<name>]", "$[0]", -1},
		{"$.a.b", "$.a", 1},
		{"$.a<json>.b", "$.a", 1},
		{"$.a", "$.a.b", 2},
		{"$.a", "$.b", -1},
		{"$[1]", "$[2]", -1},
	} {
		f, _ := parseReportPath(tc.f)
		c, _ := parseReportPath(tc.c)
		if got := pathRelation(f, c); got != tc.want {
			t.Errorf("pathRelation(%s, %s) = %d, want %d", tc.f, tc.c, got, tc.want)
		}
	}
}

// unmarked is the body a view shows with the ghosts (removed members) left out.
func unmarked(v *bodyView) string {
	var b strings.Builder
	for _, s := range v.Segments {
		if !s.Removed {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// FuzzPlaygroundViewBody: whatever the bodies, the view shows the output
// exactly (as text) or as the same JSON (re-indented), and names a change
// for every highlighted span.
func FuzzPlaygroundViewBody(f *testing.F) {
	f.Add(`{"a":"x@y.example","b":[1,2]}`, `{"a":"[email]","b":[1]}`)
	f.Add("data: {\"a\":1}\n\n", "data: {\"a\":2}\n\n")
	f.Add(`{"a":1,"a":2}`, `{"a":1}`)
	f.Add(`"\u00e9"`, `"\u00e8\n"`)
	f.Fuzz(func(t *testing.T, in, out string) {
		v := viewBody([]byte(in), []byte(out))
		shown := unmarked(v)
		if v.Format == "text" {
			if shown != out {
				t.Fatalf("text view %q of %q", shown, out)
			}
		} else {
			var a, b any
			if json.Unmarshal([]byte(shown), &a) != nil || json.Unmarshal([]byte(out), &b) != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("json view %q of %q", shown, out)
			}
		}
		for _, s := range v.Segments {
			if s.Change < 0 || s.Change > len(v.Changes) {
				t.Fatalf("segment names change %d of %d", s.Change, len(v.Changes))
			}
			if !utf8.ValidString(s.Text) && utf8.ValidString(out) {
				t.Fatalf("segment %q cuts a character", s.Text)
			}
		}
		for _, c := range v.Changes {
			if v.Format == "json" {
				if segs, ok := parseReportPath(c.Path); !ok || !reflect.DeepEqual(segs, c.segs) {
					t.Fatalf("path %q reads back as %+v, %v, want %+v", c.Path, segs, ok, c.segs)
				}
			}
		}
	})
}

// FuzzPlaygroundReportPath: reading a report path never panics, and a path
// read back formats to text that reads as the same steps.
func FuzzPlaygroundReportPath(f *testing.F) {
	for _, s := range []string{"$.a[3]['b c']", "$[<name>]<json>.x", `$['\u00e9\'']`, "$[99999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, ok := parseReportPath(s)
		if !ok {
			return
		}
		again, ok := parseReportPath(formatPath(segs))
		if !ok || !reflect.DeepEqual(again, segs) {
			t.Fatalf("%q: %+v formats as %q, reads back as %+v %v", s, segs, formatPath(segs), again, ok)
		}
	})
}
