package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// canonicalJSON returns a JSON document in one spelling, so that two
// bodies differing only in formatting compare equal: members sorted by
// name (stably: duplicate names stay, in their order), two-space
// indentation, strings re-escaped. Numbers keep their spelling. ok is
// false when b is not one JSON value.
func canonicalJSON(b []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data
	}
	var buf bytes.Buffer
	writeJSON(&buf, v, "")
	buf.WriteByte('\n')
	return buf.Bytes(), true
}

// jsonMember is one member of an object as read, duplicates kept.
type jsonMember struct {
	name  string
	value any
}

// readJSON reads one value: []jsonMember for an object, []any for an
// array, else the token.
func readJSON(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		var obj []jsonMember
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			obj = append(obj, jsonMember{k.(string), v})
		}
		_, err := dec.Token()
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	case json.Delim('}'), json.Delim(']'):
		return nil, errors.New("unexpected delimiter")
	}
	return t, nil
}

// writeJSON writes v as canonicalJSON spells it.
func writeJSON(w *bytes.Buffer, v any, indent string) {
	switch t := v.(type) {
	case []jsonMember:
		if len(t) == 0 {
			w.WriteString("{}")
			return
		}
		sorted := slices.Clone(t)
		slices.SortStableFunc(sorted, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
		w.WriteString("{\n")
		for i, m := range sorted {
			w.WriteString(indent + "  ")
			writeString(w, m.name)
			w.WriteString(": ")
			writeJSON(w, m.value, indent+"  ")
			if i < len(sorted)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteString("[\n")
		for i, e := range t {
			w.WriteString(indent + "  ")
			writeJSON(w, e, indent+"  ")
			if i < len(t)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "]")
	case string:
		writeString(w, t)
	case json.Number:
		w.WriteString(string(t))
	case bool:
		fmt.Fprint(w, t)
	case nil:
		w.WriteString("null")
	}
}

// writeString writes s as a JSON string, without HTML escaping.
func writeString(w *bytes.Buffer, s string) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	w.Truncate(w.Len() - 1)
}

// diffOp is one line of an edit script: ' ' kept, '-' only in a, '+' only in b.
type diffOp struct {
	kind byte
	line string
}

// maxDiffEdits bounds the edit distance diffLines searches; past it the
// documents are shown as wholly replaced.
const maxDiffEdits = 1000

// diffLines returns a shortest edit script turning a into b (Myers'
// O(ND) algorithm), or, when they differ in more than maxDiffEdits lines,
// a removed then b added.
func diffLines(a, b []string) []diffOp {
	n, m := len(a), len(b)
	total := n + m
	if total == 0 {
		return nil
	}
	off := total
	v := make([]int, 2*total+2)
	// trace[d] is v[off-d-1 : off+d+2] as it stood before step d.
	var trace [][]int
	for d := 0; d <= total && d <= maxDiffEdits; d++ {
		trace = append(trace, slices.Clone(v[max(off-d-1, 0):off+d+2]))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace, off)
			}
		}
	}
	ops := make([]diffOp, 0, n+m)
	for _, l := range a {
		ops = append(ops, diffOp{'-', l})
	}
	for _, l := range b {
		ops = append(ops, diffOp{'+', l})
	}
	return ops
}

// backtrack walks the trace of diffLines from the end back to the start.
func backtrack(a, b []string, trace [][]int, off int) []diffOp {
	var ops []diffOp
	x, y := len(a), len(b)
	for d := len(trace) - 1; d >= 0; d-- {
		lo := max(off-d-1, 0)
		at := func(k int) int { return trace[d][off+k-lo] }
		k := x - y
		prevK := k - 1
		if k == -d || k != d && at(k-1) < at(k+1) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			ops = append(ops, diffOp{' ', a[x]})
		}
		if d > 0 {
			if x == prevX {
				ops = append(ops, diffOp{'+', b[y-1]})
			} else {
				ops = append(ops, diffOp{'-', a[x-1]})
			}
		}
		x, y = prevX, prevY
	}
	slices.Reverse(ops)
	return ops
}

// splitLines splits text into lines without their "\n"; a last line
// without one is marked as diff(1) does.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if strings.HasSuffix(l, "\n") {
			lines[i] = l[:len(l)-1]
		} else {
			lines[i] = l + "\n\\ No newline at end of file"
		}
	}
	return lines
}

// unifiedDiff returns the unified diff (3 lines of context) turning want
// into got, headed `--- wantName` and `+++ gotName`; "" when they are equal.
func unifiedDiff(wantName, gotName, want, got string) string {
	ops := diffLines(splitLines(want), splitLines(got))
	const context = 3
	var b strings.Builder
	// Each hunk spans ops[start:end]; aLine and bLine count the lines of
	// want and got before op i.
	aLine, bLine := make([]int, len(ops)+1), make([]int, len(ops)+1)
	for i, op := range ops {
		aLine[i+1], bLine[i+1] = aLine[i], bLine[i]
		if op.kind != '+' {
			aLine[i+1]++
		}
		if op.kind != '-' {
			bLine[i+1]++
		}
	}
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		// extend past changes separated by at most 2*context kept lines
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		end = min(end+context, len(ops))
		if b.Len() == 0 {
			fmt.Fprintf(&b, "--- %s\n+++ %s\n", wantName, gotName)
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(aLine[start], aLine[end]-aLine[start]),
			hunkRange(bLine[start], bLine[end]-bLine[start]))
		for _, op := range ops[start:end] {
			b.WriteByte(op.kind)
			b.WriteString(op.line)
			b.WriteByte('\n')
		}
		i = end
	}
	return b.String()
}

// hunkRange spells a hunk's range: "start,count", "start" when it holds
// one line, and the line before it with count 0 when it is empty.
func hunkRange(before, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, count)
}
