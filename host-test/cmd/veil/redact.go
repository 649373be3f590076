package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/veilproxy/veil/rules"
)

const redactSynopsis = `redact --rules FILE [--env NAME=VALUE]... [--direction request|response]
              [--method M] [--path P] [-H 'name: value']... [--response-header 'name: value']...
              [--ndjson] [--out-dir DIR] [--json | --diff] [--fail-on-findings] [-q] [FILE... | -]

Applies the rule set natively (no wasm) to each JSON document and prints the
rewritten documents in order; no FILE or "-" reads standard input. With
several files each output follows a "==> FILE <==" line; --out-dir writes
each to DIR/ its base name instead ("-" is DIR/stdin).

Standard output holds only the documents. What the rule set changed (or,
in shadow mode, would have changed) is reported per document on standard
error: per rule the action, the count and the JSON paths (never a value),
with the detector and its evidence for what a detector found; members a
remove rule or a minimize list took out marked REMOVED. -q leaves the report
out; --json prints instead one JSON object per document (per NDJSON line),
{file, line, body, audit, notes, rejected}, one a line. --diff prints,
instead of the documents, a diff of each as given and as rewritten (JSON
pretty-printed), coloured when standard output is a terminal and NO_COLOR
is unset. --fail-on-findings exits 1 when anything was found (CI,
pre-commit).

As the filter does:
  - match: with --method and/or --path, a document of an exchange out of
    match.methods/match.paths is printed unchanged; a path the filter
    refuses (control characters) gets on.invalid_path. Without either, every
    document is in scope (a note says so when the rule set narrows it).
    --method defaults to POST for the request direction, GET for the response.
  - bodies: with a content-type (-H for the request direction,
    --response-header for the response) a document is read as the filter
    reads that label (match.content_types, never_sniff, forms, multipart,
    sniffing); without one, as labelled JSON.
  - conditions (when/unless) read --method, --path and the -H headers as the
    request's (no identity properties: use veil run --property for those).
  - limits: a document over limits.max_body_bytes, an NDJSON line over
    limits.max_record_bytes, invalid JSON, a work budget passed: the rule
    set's on: choice; pass prints it unchanged with a note, reject prints
    nothing for it, reports the local reply the filter would send, and the
    exit status is 1.
Not applied natively (veil run applies them): content-encoding (documents
are read as given; a --response-header/-H content-encoding gets a warning),
limits.max_decoded_bytes and max_decoded_ratio, header rules, query strings,
texts carried across records (stream_text, read per line here).

NDJSON input (--ndjson, a .ndjson or .jsonl file, an NDJSON content-type, or
content that is not one JSON document but whose first line is) is read line
by line as a record stream: each line is a document, printed on its own
line; the report names each path's line ("line 3 $.email").`

func redactCmd(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("redact", redactSynopsis, stderr)
	rulesFile := fs.String("rules", "", "rule set `file` (YAML or JSON)")
	direction := fs.String("direction", "request", "which rules apply: request or response")
	method := fs.String("method", "", "request method, checked against match.methods (default POST for requests, GET for responses, when --path is given)")
	path := fs.String("path", "", "request path, checked against match.paths")
	var reqHeaders, respHeaders multi
	fs.Var(&reqHeaders, "H", "request header 'name: value' (repeatable): conditions read them; content-type labels a request document")
	fs.Var(&respHeaders, "response-header", "response header 'name: value' (repeatable): content-type labels a response document")
	ndjson := fs.Bool("ndjson", false, "read every input as NDJSON, line by line")
	outDir := fs.String("out-dir", "", "write each output to `DIR`/its base name instead of standard output")
	asJSON := fs.Bool("json", false, "print one JSON object per document {file, line, body, audit, notes, rejected}")
	diff := fs.Bool("diff", false, "print a diff of each document as given and as rewritten instead of the documents")
	failOnFindings := fs.Bool("fail-on-findings", false, "exit 1 when any rule found anything (shadow findings included)")
	var quiet bool
	fs.BoolVar(&quiet, "quiet", false, "do not report what changed on stderr")
	fs.BoolVar(&quiet, "q", false, "short for --quiet")
	env := addEnvFlag(fs)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if err := env.check(); err != nil {
		return err
	}
	if *rulesFile == "" {
		return fail(2, "--rules is required")
	}
	if *diff && *asJSON {
		return fail(2, "--diff does not combine with --json")
	}
	dir, err := parseDirection(*direction)
	if err != nil {
		return err
	}
	prog, err := compile(*rulesFile, env.lookup)
	if err != nil {
		return err
	}
	r := &redactor{prog: prog, in: rules.Input{Direction: dir}, ndjson: *ndjson}
	var warnings []string
	if warnings, err = r.gate(*method, *path, reqHeaders, respHeaders); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	var outNames []string
	if *outDir != "" {
		if outNames, err = outPaths(*outDir, files); err != nil {
			return err
		}
	}
	if !quiet {
		for _, w := range warnings {
			fmt.Fprintf(stderr, "veil redact: warning: %s\n", w)
		}
	}
	color, diffColor := useColor(stderr), useColor(stdout)
	found, rejected := 0, 0
	for i, f := range files {
		body, err := readBody(f, stdin)
		if err != nil {
			return err
		}
		docs := r.file(f, body)
		var out bytes.Buffer
		var total audit
		total.RuleSet = prog.Name()
		var notes []string
		for _, d := range docs {
			out.Write(d.out)
			prefix := ""
			if d.line > 0 {
				prefix = fmt.Sprintf("line %d ", d.line)
			}
			mergeAudit(&total, d.audit, prefix)
			for _, n := range d.notes {
				if d.line > 0 {
					n = fmt.Sprintf("line %d: %s", d.line, n)
				}
				notes = append(notes, n)
			}
			if d.rejected != "" {
				rejected++
			}
			if d.audit.total() > 0 {
				found++
			}
		}
		name := f
		if name == "-" {
			name = "stdin"
		}
		switch {
		case *asJSON:
			if err := writeRedactJSON(stdout, name, docs); err != nil {
				return err
			}
		case *diff:
			writeDiff(stdout, name, body, out.Bytes(), diffColor)
		case *outDir == "":
			if len(files) > 1 {
				fmt.Fprintf(stdout, "==> %s <==\n", name)
			}
			if len(docs) > 1 || docs[0].rejected == "" {
				writeBody(stdout, out.Bytes())
			}
		}
		title := "veil redact: " + name
		if *outDir != "" {
			if err := writeOutput(outNames[i], out.Bytes()); err != nil {
				return err
			}
			title += " → " + outNames[i]
		}
		for _, d := range docs {
			if d.rejected != "" {
				where := name
				if d.line > 0 {
					where += fmt.Sprintf(" line %d", d.line)
				}
				fmt.Fprintf(stderr, "veil redact: %s: %s\n", where, d.rejected)
			}
		}
		if !quiet && !*asJSON && (len(docs) > 1 || docs[0].rejected == "") {
			s := summary{title: title, audit: total, notes: notes}
			s.write(stderr, color)
		}
	}
	switch {
	case rejected > 0:
		return fail(1, "the filter would reject %d document(s)", rejected)
	case *failOnFindings && found > 0:
		return fail(1, "found something in %d document(s) (--fail-on-findings)", found)
	}
	return nil
}

// redactor applies a rule set to documents as the filter would to bodies
// of one exchange.
type redactor struct {
	prog *rules.Program
	in   rules.Input
	// kind is how a document is read (labelled by a content-type); with
	// labelled false, strict JSON through Apply.
	kind     rules.BodyKind
	labelled bool
	// outOfScope: the exchange is outside match; documents pass unchanged.
	outOfScope bool
	ndjson     bool
}

// gate sets up what the filter decides from the request and the
// message's headers: scope, request attributes and the body's kind. It
// returns warnings about what cannot be applied natively, and an error
// when the filter would reject every request on this path.
func (r *redactor) gate(method, path string, reqHeaders, respHeaders multi) (warnings []string, err error) {
	p := r.prog
	parse := func(flag string, list multi) ([][2]string, error) {
		var out [][2]string
		for _, h := range list {
			kv, err := header(h)
			if err != nil {
				return nil, fail(2, "%s: %v", flag, err)
			}
			out = append(out, kv)
		}
		return out, nil
	}
	req, err := parse("-H", reqHeaders)
	if err != nil {
		return nil, err
	}
	resp, err := parse("--response-header", respHeaders)
	if err != nil {
		return nil, err
	}
	if method != "" || path != "" || len(req) > 0 {
		if method == "" {
			method = "POST"
			if r.in.Direction == rules.Response {
				method = "GET"
			}
		}
		if path == "" {
			path = "/"
		}
		if !rules.ValidPath(path) {
			if p.OnFailure(rules.InvalidPath) == rules.Reject {
				return nil, fail(1, "--path: the filter rejects this request (invalid_path: control characters; on.invalid_path: reject)")
			}
			warnings = append(warnings, "--path holds control characters: invalid_path, passed (on.invalid_path: pass)")
		}
		r.outOfScope = !p.InScope(method, path)
		attrs := &rules.RequestAttributes{Method: method, Path: path,
			Headers: append([][2]string{{":method", method}, {":path", path}}, req...)}
		for _, kv := range req {
			if kv[0] == "host" || kv[0] == ":authority" {
				attrs.Host = kv[1]
			}
		}
		r.in.Request = attrs
	} else {
		if scoped(p) {
			warnings = append(warnings, "the rule set narrows match.methods/match.paths; without --method or --path every document is read as in scope")
		}
		if p.Conditional() {
			warnings = append(warnings, "the rule set has conditions (when/unless); without --method, --path or -H they read no request")
		}
	}
	own := req
	if r.in.Direction == rules.Response {
		own = resp
	}
	var types []string
	for _, kv := range own {
		switch kv[0] {
		case "content-type":
			types = append(types, kv[1])
		case "content-encoding":
			if !strings.EqualFold(kv[1], "identity") {
				warnings = append(warnings, "content-encoding is not decoded natively: documents are read as given (veil run decodes them)")
			}
		}
	}
	if len(types) > 0 {
		r.labelled, r.kind = true, p.BodyKind(types)
		r.in.ContentType = types[0]
		if r.kind == rules.BodyJSONLines {
			r.ndjson = true
		}
	}
	return warnings, nil
}

// scoped reports whether match.methods or match.paths narrow the
// exchanges p inspects, by asking InScope about a method no rule set names
// on "/" and on a path of four segments: both are in scope only when
// neither field narrows (or its globs take every path, "/**").
func scoped(p *rules.Program) bool {
	return !p.InScope("VEIL-PROBE", "/") || !p.InScope("VEIL-PROBE", "/veil-probe/a/b.c")
}

// redacted is one document's result.
type redacted struct {
	// line numbers an NDJSON line from 1; 0 for a whole document.
	line  int
	out   []byte
	audit audit
	// notes say what the filter's limits and scope did to it.
	notes []string
	// rejected names the local reply the filter would send instead of
	// forwarding the document ("" when it would forward it).
	rejected string
}

// file applies the rules to one input: line by line when it is NDJSON.
func (r *redactor) file(name string, body []byte) []redacted {
	if r.outOfScope {
		return []redacted{{out: body, audit: audit{RuleSet: r.prog.Name()}, notes: []string{"out of match scope (--method/--path): passed unchanged"}}}
	}
	if !r.isNDJSON(name, body) {
		d := r.apply(body, false)
		return []redacted{d}
	}
	var docs []redacted
	for i, line := range splitLines(body) {
		if len(bytes.TrimSpace(line)) == 0 {
			docs = append(docs, redacted{line: i + 1, out: line})
			continue
		}
		d := r.apply(line, true)
		d.line = i + 1
		docs = append(docs, d)
	}
	return docs
}

// isNDJSON reports whether an input is read line by line: --ndjson or an
// NDJSON content-type, a .ndjson or .jsonl name, or content that is not
// one JSON document while its first non-blank line is one and another
// line follows it.
func (r *redactor) isNDJSON(name string, body []byte) bool {
	if r.ndjson {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl":
		return true
	}
	if r.labelled || json.Valid(body) {
		return false
	}
	lines := 0
	for _, l := range splitLines(body) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if lines == 0 && !json.Valid(l) {
			return false
		}
		lines++
	}
	return lines > 1
}

// splitLines splits b after each '\n'; the pieces, joined, are b. The last
// piece has no '\n' when b does not end with one; an empty b has no piece.
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// apply applies the rules to one document (record: an NDJSON line, read
// as a record of a stream) with the filter's scope, limits and on: choices.
func (r *redactor) apply(body []byte, record bool) redacted {
	p := r.prog
	d := redacted{out: body}
	d.audit.RuleSet = p.Name()
	var out []byte
	var rep rules.Report
	var err error
	switch {
	case record:
		out, rep, err = p.ApplyAs(rules.BodyJSONLines, body, r.in, p.Apply)
	case len(body) > p.MaxBodyBytes():
		err = fmt.Errorf("%d bytes: %w", len(body), errOversize)
	case r.labelled:
		out, rep, err = p.ApplyAs(r.kind, body, r.in, p.Apply)
	default:
		out, rep, err = p.Apply(body, r.in)
	}
	var kind rules.FailureKind
	switch {
	case err == nil:
		d.out = out
		d.audit.add(r.in.Direction, rep)
		if f := rep.Blocked(); f != nil {
			d.notes = append(d.notes, fmt.Sprintf("blocked by rule %q: the filter refuses the exchange", f.Rule))
		}
		return d
	case errors.Is(err, rules.ErrNotJSON):
		d.notes = append(d.notes, "not JSON: passed unchanged")
		return d
	case errors.Is(err, errOversize), errors.Is(err, rules.ErrRecordTooLarge):
		kind = rules.Oversize
	case errors.Is(err, rules.ErrInvalidJSON), errors.Is(err, rules.ErrTooDeep):
		kind = rules.InvalidJSON
	case errors.Is(err, rules.ErrWorkBudget):
		kind = rules.WorkBudget
	case errors.Is(err, rules.ErrEncodedPart):
		kind = rules.Encoded
	default:
		kind = rules.InternalError
	}
	key := kind.String()
	if kind == rules.WorkBudget {
		key = rules.InternalError.String()
	}
	if p.OnFailure(kind) == rules.Pass {
		d.notes = append(d.notes, fmt.Sprintf("%s: passed unchanged (on.%s: pass)", kind, key))
		return d
	}
	d.out = nil
	d.rejected = fmt.Sprintf("%s: the filter answers with a local reply %d instead (on.%s: reject)", kind, kind.RejectStatus(r.in.Direction), key)
	return d
}

// errOversize marks a document over limits.max_body_bytes.
var errOversize = errors.New("over limits.max_body_bytes")

// redactJSON is one line of redact --json.
type redactJSON struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Body     *string  `json:"body"`
	Audit    audit    `json:"audit"`
	Notes    []string `json:"notes,omitempty"`
	Rejected string   `json:"rejected,omitempty"`
}

// writeRedactJSON prints one JSON object per document: its body as
// rewritten (an NDJSON line without its line end), null when the filter
// would reject it; a blank NDJSON line is left out.
func writeRedactJSON(w io.Writer, name string, docs []redacted) error {
	enc := json.NewEncoder(w)
	for _, d := range docs {
		if d.line > 0 && len(bytes.TrimSpace(d.out)) == 0 && d.rejected == "" {
			continue
		}
		j := redactJSON{File: name, Line: d.line, Audit: d.audit, Notes: d.notes, Rejected: d.rejected}
		if j.Audit.Findings == nil {
			j.Audit.Findings = []auditFinding{}
		}
		if d.rejected == "" {
			body := string(d.out)
			if d.line > 0 {
				body = strings.TrimSuffix(strings.TrimSuffix(body, "\n"), "\r")
			}
			j.Body = &body
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// outPaths returns where --out-dir writes each input: DIR/ its base name,
// "stdin" for "-"; two inputs of the same base name are a usage error.
func outPaths(dir string, files []string) ([]string, error) {
	seen := map[string]string{}
	var out []string
	for _, f := range files {
		base := filepath.Base(f)
		if f == "-" {
			base = "stdin"
		}
		if prev, ok := seen[base]; ok {
			return nil, fail(2, "--out-dir: %s and %s would both be written to %s", prev, f, filepath.Join(dir, base))
		}
		seen[base] = f
		out = append(out, filepath.Join(dir, base))
	}
	return out, nil
}

// writeOutput writes one output under --out-dir, creating the directory.
func writeOutput(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// compile compiles a rule set natively; env looks up the variables its
// crypto_keys name (nil: none is set).
func compile(file string, env func(string) (string, bool)) (*rules.Program, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	prog, err := rules.Compile(src, rules.Options{Filename: file, Env: env})
	var ce *rules.CompileError
	if errors.As(err, &ce) {
		return nil, fail(1, "\n%v", ce)
	}
	return prog, err
}
