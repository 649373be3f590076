package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// maxDiffEdits bounds the edit distance lineDiff searches for; past it the
// lines between the common head and tail are shown as all removed, then
// all added (correct, if not minimal).
const maxDiffEdits = 1000

// diffLines returns a body as the lines --diff compares: a JSON document
// pretty-printed (two-space indent, members in their order, strings as
// written), anything else line by line with each line that is a JSON
// object or array (an NDJSON record) pretty-printed on its own, so that a
// changed value shows as one changed line.
func diffLines(body []byte) []string {
	if s, ok := indentJSON(body); ok {
		return strings.Split(s, "\n")
	}
	var out []string
	for line := range strings.Lines(string(body)) {
		line = strings.TrimSuffix(line, "\n")
		if s, ok := indentJSON([]byte(line)); ok {
			out = append(out, strings.Split(s, "\n")...)
			continue
		}
		out = append(out, strings.TrimSuffix(line, "\r"))
	}
	return out
}

// indentJSON pretty-prints b when it is one JSON object or array.
func indentJSON(b []byte) (string, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' && t[0] != '[' || !json.Valid(t) {
		return "", false
	}
	var buf bytes.Buffer
	if json.Indent(&buf, t, "", "  ") != nil {
		return "", false
	}
	return buf.String(), true
}

// diffOp is one line of a line diff: ' ' in both, '-' only in the first
// (removed or changed), '+' only in the second (added or changed).
type diffOp struct {
	kind byte
	line string
}

// lineDiff returns a shortest edit script from a to b (Myers' O(ND)
// algorithm on what lies between their common head and tail), removals
// before additions at each change.
func lineDiff(a, b []string) []diffOp {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	ops := make([]diffOp, 0, len(a)+len(b))
	for _, l := range a[:head] {
		ops = append(ops, diffOp{' ', l})
	}
	ops = append(ops, myers(a[head:len(a)-tail], b[head:len(b)-tail])...)
	for _, l := range a[len(a)-tail:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

// myers returns the edit script from a to b, or, when it needs more than
// maxDiffEdits edits, all of a removed then all of b added.
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	maxD := min(n+m, maxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		// The round reads v at diagonals -d-1 … d+1; keep them for the walk back.
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1] // down: an addition
			} else {
				x = v[off+k-1] + 1 // right: a removal
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		ops := make([]diffOp, 0, n+m)
		for _, l := range a {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range b {
			ops = append(ops, diffOp{'+', l})
		}
		return ops
	}
	// Walk back through the snapshot taken before each round d.
	var rev []diffOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		v, o := trace[d], d+1 // v[o+k] is diagonal k before round d
		k := x - y
		var prevK int
		if k == -d || k != d && v[o+k-1] < v[o+k+1] {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := v[o+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, diffOp{' ', a[x]})
		}
		if x == prevX {
			y--
			rev = append(rev, diffOp{'+', b[y]})
		} else {
			x--
			rev = append(rev, diffOp{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', a[x]})
	}
	ops := make([]diffOp, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		ops = append(ops, rev[i])
	}
	return groupChanges(ops)
}

// groupChanges orders each run of changed lines removals first, so that a
// changed value reads as its old line then its new one.
func groupChanges(ops []diffOp) []diffOp {
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != ' ' {
			j++
		}
		run := make([]diffOp, 0, j-i)
		for _, o := range ops[i:j] {
			if o.kind == '-' {
				run = append(run, o)
			}
		}
		for _, o := range ops[i:j] {
			if o.kind == '+' {
				run = append(run, o)
			}
		}
		copy(ops[i:j], run)
		i = j
	}
	return ops
}

// ANSI colours of --diff and of the summary.
const (
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// paint wraps s in an ANSI colour when color is set.
func paint(color bool, code, s string) string {
	if !color {
		return s
	}
	return code + s + ansiReset
}

// writeDiff writes a unified diff of two bodies, compared as diffLines
// reads them: a "--- NAME (input)" / "+++ NAME (output)" header, then each
// change with diffContext lines around it under an "@@ -l,n +l,n @@" line,
// or "(unchanged)". With color, removed and changed lines are red, added
// lines green.
func writeDiff(w io.Writer, name string, in, out []byte, color bool) {
	fmt.Fprintln(w, paint(color, ansiBold, "--- "+name+" (input)"))
	fmt.Fprintln(w, paint(color, ansiBold, "+++ "+name+" (output)"))
	ops := lineDiff(diffLines(in), diffLines(out))
	changed := false
	for _, o := range ops {
		changed = changed || o.kind != ' '
	}
	if !changed {
		fmt.Fprintln(w, "(unchanged)")
		return
	}
	for _, h := range hunks(ops) {
		fmt.Fprintln(w, paint(color, ansiCyan, fmt.Sprintf("@@ -%s +%s @@", hunkRange(h.aStart, h.aLen), hunkRange(h.bStart, h.bLen))))
		for _, o := range ops[h.from:h.to] {
			line := string(o.kind) + o.line
			switch o.kind {
			case '-':
				line = paint(color, ansiRed, line)
			case '+':
				line = paint(color, ansiGreen, line)
			}
			fmt.Fprintln(w, line)
		}
	}
}

// hunk is a stretch of ops shown together: ops[from:to], starting at line
// aStart of the input (aLen lines) and bStart of the output (bLen lines),
// both counted from 1.
type hunk struct {
	from, to     int
	aStart, aLen int
	bStart, bLen int
}

// hunks groups the changes of ops with diffContext lines of context,
// merging changes whose context would touch.
func hunks(ops []diffOp) []hunk {
	var out []hunk
	// aLine[i], bLine[i]: the lines of a and b before ops[i].
	aLine, bLine := make([]int, len(ops)+1), make([]int, len(ops)+1)
	for i, o := range ops {
		aLine[i+1], bLine[i+1] = aLine[i], bLine[i]
		if o.kind != '+' {
			aLine[i+1]++
		}
		if o.kind != '-' {
			bLine[i+1]++
		}
	}
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		from := max(0, i-diffContext)
		end := i // one past the last change of the hunk
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				if j-end > 2*diffContext {
					break
				}
				end = j + 1
			}
		}
		to := min(len(ops), end+diffContext)
		out = append(out, hunk{from: from, to: to,
			aStart: aLine[from] + 1, aLen: aLine[to] - aLine[from],
			bStart: bLine[from] + 1, bLen: bLine[to] - bLine[from]})
		i = to
	}
	return out
}

// hunkRange spells a hunk's range as unified diffs do: "l,n", "l" for one
// line, and for none the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
