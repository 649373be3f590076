package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/veilproxy/veil/rules"
)

const lintSynopsis = `lint [--env NAME=VALUE]... [--strict] [--json] (FILE | DIR | -)...

Compiles each rule set and prints every mistake as file:line:col with the
source line, and every warning (a rule set that compiles but is weaker than
it reads) as file:line:col: warning[CODE]: (rules/SYNTAX.md, "Lint warnings"),
then a summary line. Exit 1 when there is an error (or, with --strict, a
warning), 0 otherwise.

A FILE is a rule set, or an Envoy bootstrap, Istio WasmPlugin or Envoy
Gateway EnvoyExtensionPolicy file (several YAML documents too): the rule set
each one hands the plugin is linted and its diagnostics point at the line
and column in that file. A DIR is searched (below too, but for testdata and
hidden directories) for *.yaml, *.yml and *.json files holding such rule
sets; NAME.test.yaml case files and other files are passed over. - reads
standard input, named <stdin>.

A crypto_keys variable given neither by --env nor in veil's environment is
replaced by a random placeholder key (a note names it), so a rule set is
checked without its deployment's keys. What the plugin would warn about at
start (keys given inline) is printed as a warning.`

// lintFinding is one line of lint's --json output.
type lintFinding struct {
	File string `json:"file"`
	// Line and Col are 0 for a finding about the whole file.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Severity is error, warning or note.
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

// linter lints files one after the other, printing (or, for --json,
// collecting) what it finds and counting it.
type linter struct {
	env      *envFlags
	stderr   io.Writer
	json     bool
	findings []lintFinding
	// files counts the files linted or that could not be read.
	files, errors, warnings int
}

func lintCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("lint", lintSynopsis, stderr)
	env := addEnvFlag(fs)
	strict := fs.Bool("strict", false, "exit 1 when there is a warning too")
	asJSON := fs.Bool("json", false, "print the diagnostics as a JSON list on standard output\n(file, line, col, severity, code, rule, message); the summary stays on standard error")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if err := env.check(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fail(2, "want at least one FILE, DIR or -")
	}
	if i := slices.Index(fs.Args(), "-"); i >= 0 && slices.Contains(fs.Args()[i+1:], "-") {
		return fail(2, "- (standard input) given twice")
	}
	l := &linter{env: env, stderr: stderr, json: *asJSON}
	for _, arg := range fs.Args() {
		switch info, err := os.Stat(arg); {
		case arg == "-":
			src, err := io.ReadAll(stdin)
			l.file("<stdin>", src, err, true)
		case err == nil && info.IsDir():
			l.dir(arg)
		default:
			src, err := os.ReadFile(arg)
			l.file(arg, src, err, true)
		}
	}
	if l.json {
		if l.findings == nil {
			l.findings = []lintFinding{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(l.findings); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "%s: %s, %s\n", count(l.files, "file"), count(l.errors, "error"), count(l.warnings, "warning"))
	if l.errors > 0 || *strict && l.warnings > 0 {
		return &exitError{1, ""}
	}
	return nil
}

// count returns "1 file", "2 files".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// dir lints the rule sets in dir and below it, passing over hidden and
// testdata directories, case files (NAME.test.yaml) and files that hold no
// rule set.
func (l *linter) dir(root string) {
	before := l.files
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			l.problem(path, "cannot read it: "+errText(err))
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch ext := filepath.Ext(name); {
		case ext != ".yaml" && ext != ".yml" && ext != ".json",
			strings.HasSuffix(name, ".test.yaml"), strings.HasSuffix(name, ".test.yml"):
			return nil
		}
		src, err := os.ReadFile(path)
		l.file(path, src, err, false)
		return nil
	})
	if err != nil {
		l.problem(root, "cannot read it: "+errText(err))
	}
	if l.files == before {
		l.problem(root, "no rule set in it (nor an Envoy, Istio or Envoy Gateway file holding one)")
	}
}

// errText returns an error's text without the path a *fs.PathError repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// file lints one file's rule sets; src is its content, err the error
// reading it. named is set for a file given on the command line, which is
// linted as a rule set when it is nothing else; a file found in a directory
// is passed over then.
func (l *linter) file(name string, src []byte, err error, named bool) {
	if err != nil {
		l.problem(name, "cannot read it: "+errText(err))
		return
	}
	kind, sources := ruleSources(src, named)
	switch kind {
	case kindOther:
		if named {
			l.problem(name, "no rule set in it: not a rule set, and no Envoy Wasm filter configuration, Istio WasmPlugin or Envoy Gateway EnvoyExtensionPolicy holding one")
		}
		return
	case kindRuleSet:
		sources = sources[:1]
	}
	l.files++
	lines := sourceLines(src)
	for _, s := range sources {
		l.source(name, lines, s)
	}
}

// problem reports an error about a whole file.
func (l *linter) problem(name, msg string) {
	l.files++
	l.errors++
	l.add(lintFinding{File: name, Severity: "error", Message: msg}, name+": "+msg)
}

// add records a finding and, without --json, prints text.
func (l *linter) add(f lintFinding, text string) {
	l.findings = append(l.findings, f)
	if !l.json {
		fmt.Fprintln(l.stderr, text)
	}
}

// source lints one rule set s found in file name (whose lines are lines).
func (l *linter) source(name string, lines []string, s ruleSource) {
	at := name + ":"
	if s.pos != nil {
		at = fmt.Sprintf("%s:%d:%d:", name, s.line, s.col)
	}
	if s.problem != "" {
		d := rules.Diagnostic{File: name, Line: s.line, Col: s.col, Message: s.problem}
		if s.line >= 1 && s.line <= len(lines) {
			d.SourceLine = lines[s.line-1]
		}
		l.diagnostic(d)
		return
	}
	var missing []string
	prog, warnings, err := rules.Lint(s.src, rules.Options{Filename: name, Env: l.env.placeholderLookup(&missing)})
	var ce *rules.CompileError
	var diags []rules.Diagnostic
	switch {
	case errors.As(err, &ce):
		diags = ce.Diagnostics
	case err != nil:
		diags = []rules.Diagnostic{{File: name, Line: 1, Col: 1, Message: err.Error()}}
	}
	diags = append(diags, warnings...)
	for i, d := range diags {
		diags[i] = s.place(d, lines)
	}
	slices.SortStableFunc(diags, func(a, b rules.Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	for _, d := range diags {
		l.diagnostic(d)
	}
	if prog != nil {
		for _, w := range prog.Warnings() {
			l.warnings++
			f := lintFinding{File: name, Severity: "warning", Message: w}
			if s.pos != nil {
				f.Line, f.Col = s.line, s.col
			}
			l.add(f, at+" warning: "+w)
		}
	}
	for _, v := range missing {
		msg := "variable " + v + " is not set: its key checked with a placeholder"
		f := lintFinding{File: name, Severity: "note", Message: msg}
		if s.pos != nil {
			f.Line, f.Col = s.line, s.col
		}
		l.add(f, at+" note: "+msg)
	}
}

// diagnostic records one compiler or lint diagnostic.
func (l *linter) diagnostic(d rules.Diagnostic) {
	if d.Severity == rules.SeverityWarning {
		l.warnings++
	} else {
		l.errors++
	}
	l.add(lintFinding{File: d.File, Line: d.Line, Col: d.Col, Severity: d.Severity.String(),
		Code: d.Code, Rule: d.Rule, Message: d.Message}, d.String())
}
