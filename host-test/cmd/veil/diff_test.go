package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// updateGolden rewrites the testdata/*.golden files of the CLI's reports.
var updateGolden = flag.Bool("golden", false, "rewrite host-test/cmd/veil/testdata/*.golden")

// golden compares got with testdata/name, or writes it there under -golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s is stale (go test ./host-test/cmd/veil -run %s -golden):\n%s", file, t.Name(), unifiedDiff(file, "got", string(want), got))
	}
}

// replay rebuilds both sides of a line diff from its ops.
func replay(ops []diffOp) (a, b []string) {
	for _, o := range ops {
		if o.kind != '+' {
			a = append(a, o.line)
		}
		if o.kind != '-' {
			b = append(b, o.line)
		}
	}
	return a, b
}

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		edits int // the shortest edit script's length
		want  string
	}{
		{"", "", 0, ""},
		{"a b c", "a b c", 0, "=a =b =c"},
		{"a b c", "a x c", 2, "=a -b +x =c"},
		{"a b c d", "a d", 2, "=a -b -c =d"},
		{"a d", "a b c d", 2, "=a +b +c =d"},
		{"x y", "", 2, "-x -y"},
		{"", "x y", 2, "+x +y"},
		// A run of changes reads removals first.
		{"a b c d e", "a B c D e", 4, "=a -b +B =c -d +D =e"},
		{"a b a b", "b a b a", 2, ""},
	} {
		a, b := strings.Fields(tc.a), strings.Fields(tc.b)
		ops := lineDiff(a, b)
		gotA, gotB := replay(ops)
		if !slices.Equal(gotA, a) || !slices.Equal(gotB, b) {
			t.Errorf("%q → %q: ops %v replay to %q, %q", tc.a, tc.b, ops, gotA, gotB)
		}
		edits := 0
		var spelled []string
		for _, o := range ops {
			if o.kind != ' ' {
				edits++
			}
			spelled = append(spelled, strings.Replace(string(o.kind), " ", "=", 1)+o.line)
		}
		if edits != tc.edits {
			t.Errorf("%q → %q: %d edits, want %d (%v)", tc.a, tc.b, edits, tc.edits, spelled)
		}
		if tc.want != "" && strings.Join(spelled, " ") != tc.want {
			t.Errorf("%q → %q: %q, want %q", tc.a, tc.b, strings.Join(spelled, " "), tc.want)
		}
	}
}

// Past maxDiffEdits the middle is shown removed then added: still a
// correct script.
func TestLineDiffTooManyEdits(t *testing.T) {
	var a, b []string
	for i := range maxDiffEdits {
		a = append(a, "a"+string(rune('0'+i%10)))
		b = append(b, "b"+string(rune('0'+i%10)))
	}
	a, b = append(a, "same"), append(b, "same")
	ops := lineDiff(a, b)
	gotA, gotB := replay(ops)
	if !slices.Equal(gotA, a) || !slices.Equal(gotB, b) || ops[0].kind != '-' || ops[len(ops)-1] != (diffOp{' ', "same"}) {
		t.Errorf("fallback script does not replay")
	}
}

// writeDiff's output, plain and coloured, for JSON documents, NDJSON,
// text and an unchanged body (testdata/diff-*.golden).
func TestWriteDiffGolden(t *testing.T) {
	customerIn, _ := os.ReadFile(filepath.Join("..", "..", "..", "examples", "customer-api", "request.json"))
	customerOut, _ := os.ReadFile(filepath.Join("..", "..", "..", "examples", "customer-api", "want-request.json"))
	for _, tc := range []struct {
		name    string
		in, out string
		color   bool
	}{
		{"diff-json.golden", string(customerIn), string(customerOut), false},
		{"diff-json-color.golden", string(customerIn), string(customerOut), true},
		{"diff-ndjson.golden", "{\"email\":\"a@x.com\",\"id\":1}\n\n{\"id\":2}\nnot json\n", "{\"email\":\"[REDACTED]\",\"id\":1}\n\n{\"id\":2}\nnot json\n", false},
		{"diff-remove-far-apart.golden", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11}`, `{"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}`, false},
		{"diff-unchanged.golden", `{"id":7}`, `{"id":7}`, false},
	} {
		var buf bytes.Buffer
		writeDiff(&buf, "request", []byte(tc.in), []byte(tc.out), tc.color)
		golden(t, tc.name, buf.String())
	}
}

// FuzzLineDiff: any two texts' line diff replays to both, and writeDiff
// does not fail on them.
func FuzzLineDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nx\nc")
	f.Add(`{"a":[1,2,{"b":"c"}]}`, `{"a":[1,{"b":"[REDACTED]"}]}`)
	f.Add("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n")
	f.Fuzz(func(t *testing.T, x, y string) {
		a, b := diffLines([]byte(x)), diffLines([]byte(y))
		gotA, gotB := replay(lineDiff(a, b))
		if !slices.Equal(gotA, a) || !slices.Equal(gotB, b) {
			t.Fatalf("diff of %q and %q does not replay", x, y)
		}
		writeDiff(&bytes.Buffer{}, "body", []byte(x), []byte(y), true)
	})
}

// FuzzSplitLines: the NDJSON splitter's pieces join to the input, each
// holding one line and its '\n' (the last may lack it).
func FuzzSplitLines(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n{\"b\":2}\n"))
	f.Add([]byte("\n\nx"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		pieces := splitLines(b)
		if got := bytes.Join(pieces, nil); !bytes.Equal(got, b) {
			t.Fatalf("pieces join to %q, want %q", got, b)
		}
		for i, p := range pieces {
			n := bytes.Count(p, []byte("\n"))
			last := i == len(pieces)-1
			if len(p) == 0 || n > 1 || !last && (n != 1 || p[len(p)-1] != '\n') || last && n == 1 && p[len(p)-1] != '\n' {
				t.Fatalf("piece %d of %q: %q", i, b, p)
			}
		}
	})
}
