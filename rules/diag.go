package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Diagnostic is one mistake found by Compile, with its position in the source.
type Diagnostic struct {
	// File is Options.Filename.
	File string
	// Line and Col are 1-based; Col counts characters.
	Line, Col int
	// Rule is the id of the rule the mistake is in, "" outside rules.
	Rule string
	// Message is lower-case, without a final period.
	Message string
	// SourceLine is the text of line Line; empty for a line holding inline
	// key material (crypto_keys), which is never quoted.
	SourceLine string
	// Severity is SeverityError for a mistake Compile refuses, or
	// SeverityWarning for one Lint points out in a set that compiles.
	Severity Severity
	// Code names a warning's kind (Lint, rules/SYNTAX.md "Lint warnings");
	// "" for errors.
	Code string
}

// Severity says whether a diagnostic refuses the rule set.
type Severity uint8

// The severities: the zero value is an error.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// String formats the diagnostic as `file:line:col: rule "id": message`
// (a warning as `file:line:col: warning[CODE]: rule "id": message`)
// followed by the source line and a caret under the column.
func (d Diagnostic) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", d.File, d.Line, d.Col)
	if d.Severity == SeverityWarning {
		fmt.Fprintf(&b, "warning[%s]: ", d.Code)
	}
	if d.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", d.Rule)
	}
	b.WriteString(d.Message)
	if d.SourceLine == "" {
		return b.String() // a blank line, or one holding key material
	}
	b.WriteByte('\n')
	b.WriteString(d.SourceLine)
	b.WriteByte('\n')
	b.WriteString(caret(d.SourceLine, d.Col))
	return b.String()
}

// caret returns spaces (tabs where the line has tabs) up to column col, then "^".
func caret(line string, col int) string {
	var b strings.Builder
	for i, r := range line {
		if utf8.RuneCountInString(line[:i]) >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	for n := utf8.RuneCountInString(line); n < col-1; n++ {
		b.WriteByte(' ')
	}
	b.WriteByte('^')
	return b.String()
}

// CompileError holds every mistake Compile found, sorted by position.
type CompileError struct {
	// Diagnostics holds at least one mistake, sorted by line, then column.
	Diagnostics []Diagnostic
}

// Error returns all diagnostics, one per paragraph, each with its source line and caret.
func (e *CompileError) Error() string {
	parts := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		parts[i] = d.String()
	}
	return strings.Join(parts, "\n")
}

// diags collects diagnostics for one source.
type diags struct {
	file  string
	lines [][]byte
	list  []Diagnostic
	// hidden lines hold key material: diagnostics never quote them
	hidden map[int]bool
}

func newDiags(file string, src []byte) *diags {
	return &diags{file: file, lines: bytes.Split(src, []byte("\n"))}
}

// srcPos is a position in the rule-set source, kept past decoding so that
// the compile step can point its diagnostics at the rule that caused them.
// The zero srcPos reads as 1:1.
type srcPos struct{ line, col int }

// addAt records a diagnostic at pos.
func (d *diags) addAt(pos srcPos, rule, format string, args ...any) {
	d.add(pos.line, pos.col, rule, format, args...)
}

// add records a diagnostic at line:col (clamped to 1:1 at least).
func (d *diags) add(line, col int, rule, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	src := ""
	if line <= len(d.lines) && !d.hidden[line] {
		src = strings.TrimRight(string(d.lines[line-1]), "\r")
	}
	d.list = append(d.list, Diagnostic{
		File: d.file, Line: line, Col: col, Rule: rule,
		Message: fmt.Sprintf(format, args...), SourceLine: src,
	})
}

// err returns the sorted diagnostics as a *CompileError, or nil when there are none.
func (d *diags) err() error {
	if len(d.list) == 0 {
		return nil
	}
	sort.SliceStable(d.list, func(i, j int) bool {
		a, b := d.list[i], d.list[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
	return &CompileError{Diagnostics: d.list}
}
