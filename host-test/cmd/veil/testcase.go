package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	hosttest "github.com/veilproxy/veil/host-test"
	"go.yaml.in/yaml/v3"
)

// A case file (NAME.test.yaml beside the rule set NAME.yaml) holds the
// cases `veil test` runs through the plugin; docs/testing-rules.md is its
// reference. parseCaseFile reads it into a caseFile without touching the
// file system; caseFile.load then reads the files its cases name.

// caseFile is a parsed case file.
type caseFile struct {
	// path is the case file's name as given; files its cases name are
	// relative to its directory.
	path  string
	cases []*testCase
}

// testCase is one named exchange and what it must produce.
type testCase struct {
	name string
	// line and col are the position of the case in its file.
	line, col int

	// flags, when set, names a `veil run --flags` file applied before the
	// case's own fields.
	flags *fileRef
	// envoy is the emulated Envoy ("" until set; then 1.33).
	envoy string
	// allowStop is the filter's allow_on_headers_stop_iteration.
	allowStop *bool
	chunk     *int

	properties []hosttest.Property
	env        []string

	request  inMessage
	response inMessage
	expect   expectation
}

// inMessage is the request or the upstream's response as it reaches the
// filter.
type inMessage struct {
	method  string // request only
	path    string // request only
	status  int    // response only; 0: unset
	headers hosttest.Headers
	body    *bodySpec
}

// expectation is what a case must produce: the bodies (and headers) that
// leave the filter, or the local reply it answers with.
type expectation struct {
	request, response *wantMessage
	localReply        *wantLocalReply
	// findings are the counts the audit line must report, per rule id
	// (summed over both directions; 0: the rule must not be reported).
	findings []wantFinding
}

// wantFinding is the count a case expects the audit line to report for a rule.
type wantFinding struct {
	rule  string
	count int
}

// wantMessage is a forwarded message a case expects.
type wantMessage struct {
	body *bodySpec
	// headers must be present with these values; a nil value must be absent.
	headers []wantHeader
}

// wantHeader is one header a case expects (value nil: absent).
type wantHeader struct {
	name  string
	value *string
}

// wantLocalReply is the local reply a case expects.
type wantLocalReply struct {
	status       int
	body         *bodySpec
	bodyContains string
}

// bodySpec is a body given inline or by file. Inline YAML that is not a
// string (a mapping, a sequence, a number) is the body as JSON.
type bodySpec struct {
	inline []byte
	// where is the position of an inline body, file:line.
	where string
	file  *fileRef
}

// fileRef is a file named in a case file, relative to its directory, with
// where it is named (for messages).
type fileRef struct {
	name      string
	line, col int
	// data is the file's content once caseFile.load read it.
	data []byte
}

// bytes returns the body: inline or the file's content.
func (b *bodySpec) bytes() []byte {
	if b.file != nil {
		return b.file.data
	}
	return b.inline
}

// describe names where the body comes from in messages: its file, or
// the position of the inline body.
func (b *bodySpec) describe() string {
	if b.file != nil {
		return b.file.name
	}
	return b.where
}

// caseError is a mistake in a case file at a position.
type caseError struct {
	file      string
	line, col int
	msg       string
}

// Error returns file:line:col: message (file: message without position).
func (e *caseError) Error() string {
	if e.line == 0 {
		return fmt.Sprintf("%s: %s", e.file, e.msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.file, e.line, e.col, e.msg)
}

// caseParser walks a case file's YAML nodes, collecting errors.
type caseParser struct {
	file string
	errs []error
}

// errorf records a mistake at n's position (none when n is nil).
func (p *caseParser) errorf(n *yaml.Node, format string, args ...any) {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, &caseError{p.file, line, col, fmt.Sprintf(format, args...)})
}

// yamlLine reads the line number from a yaml.v3 syntax error ("yaml: line
// 3: ..."), 0 when it names none.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// tabIndented returns the number of the first line indented with a tab, 0
// when none is.
func tabIndented(src []byte) int {
	for i, line := range strings.Split(string(src), "\n") {
		if indent := len(line) - len(strings.TrimLeft(line, " \t")); strings.Contains(line[:indent], "\t") {
			return i + 1
		}
	}
	return 0
}

// parseCaseFile parses a case file; name is used in messages and to
// resolve the files its cases name. Every mistake is reported, each as
// file:line:col.
func parseCaseFile(name string, src []byte) (*caseFile, error) {
	p := &caseParser{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		msg := err.Error()
		if line := tabIndented(src); line > 0 && strings.Contains(msg, "cannot start any token") {
			return nil, &caseError{name, line, 1, "a tab indents this line: YAML indents with spaces"}
		}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &caseError{name, line, 1, strings.TrimPrefix(msg, m[0])}
		}
		return nil, &caseError{name, 0, 0, strings.TrimPrefix(msg, "yaml: ")}
	}
	cf := &caseFile{path: name}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &caseError{name, 0, 0, "empty case file: want `cases:`"}
	}
	root := doc.Content[0]
	list := root
	p.mapping(root, "the case file", func(key string, k, v *yaml.Node) {
		switch key {
		case "cases":
			list = v
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, "cases: want a list of cases")
				return
			}
			seen := map[string]int{}
			for _, n := range v.Content {
				c := p.testCase(n)
				if c == nil {
					continue
				}
				if prev, dup := seen[c.name]; dup {
					p.errorf(n, "case %q: the name is taken by the case at line %d", c.name, prev)
					continue
				}
				seen[c.name] = c.line
				cf.cases = append(cf.cases, c)
			}
		default:
			p.errorf(k, "unknown field %q (want cases)", key)
		}
	})
	if len(p.errs) == 0 && len(cf.cases) == 0 {
		p.errorf(list, "no cases")
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return cf, nil
}

// mapping calls f for each key of the mapping n, in order, refusing a
// node that is not a mapping and a key given twice.
func (p *caseParser) mapping(n *yaml.Node, what string, f func(key string, k, v *yaml.Node)) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be strings", what)
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "%s: %q given twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		f(k.Value, k, v)
	}
}

// scalar returns the text of a scalar node, reporting any other node.
func (p *caseParser) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: want a single value", what)
		return "", false
	}
	return n.Value, true
}

// str returns a non-empty string scalar.
func (p *caseParser) str(n *yaml.Node, what string) string {
	s, ok := p.scalar(n, what)
	if ok && s == "" {
		p.errorf(n, "%s: empty", what)
	}
	return s
}

// integer returns an integer scalar within [lo, hi].
func (p *caseParser) integer(n *yaml.Node, what string, lo, hi int) int {
	s, ok := p.scalar(n, what)
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		p.errorf(n, "%s: want a whole number from %d to %d, got %q", what, lo, hi, s)
		return 0
	}
	return v
}

// boolean returns a true/false scalar.
func (p *caseParser) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		p.errorf(n, "%s: want true or false", what)
	}
	return b
}

// file returns a reference to a file named by a scalar.
func (p *caseParser) fileRef(n *yaml.Node, what string) *fileRef {
	s := p.str(n, what)
	if s == "" {
		return nil
	}
	return &fileRef{name: s, line: n.Line, col: n.Column}
}

// toJSON returns the JSON encoding of a YAML node (mappings with string
// keys, sequences, scalars).
func toJSON(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, errors.New("not expressible as JSON (mapping keys must be strings)")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// testCase parses one case.
func (p *caseParser) testCase(n *yaml.Node) *testCase {
	c := &testCase{line: n.Line, col: n.Column}
	nerrs := len(p.errs)
	p.mapping(n, "case", func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			c.name = p.str(v, "name")
		case "flags":
			c.flags = p.fileRef(v, "flags")
		case "envoy":
			if s := p.str(v, "envoy"); s != "" {
				if _, err := hosttest.ParseProfile(s); err != nil {
					p.errorf(v, "envoy: %v", err)
				}
				c.envoy = s
			}
		case "allow_on_headers_stop_iteration":
			b := p.boolean(v, key)
			c.allowStop = &b
		case "chunk":
			ch := p.integer(v, "chunk", 0, 1<<30)
			c.chunk = &ch
		case "properties":
			p.mapping(v, "properties", func(name string, k, v *yaml.Node) {
				var value any
				if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
					value = propertyValue(v.Value)
				} else if b, err := toJSON(v); err != nil {
					p.errorf(v, "property %q: %v", name, err)
				} else {
					value = propertyValue(string(b))
				}
				if name == "" {
					p.errorf(k, "properties: empty name")
				}
				c.properties = append(c.properties, hosttest.Property{Path: hosttest.ParseProperty(name), Value: value})
			})
		case "env":
			p.mapping(v, "env", func(name string, k, v *yaml.Node) {
				if !validEnvName(name) {
					p.errorf(k, "env: %q is not a variable name", name)
				}
				if value, ok := p.scalar(v, "env "+name); ok {
					c.env = append(c.env, name+"="+value)
				}
			})
		case "request":
			c.request = p.inMessage(v, "request")
		case "response":
			c.response = p.inMessage(v, "response")
		case "expect":
			c.expect = p.expectation(v)
		default:
			p.errorf(k, "case: unknown field %q (want name, flags, envoy, allow_on_headers_stop_iteration, chunk, properties, env, request, response, expect)", key)
		}
	})
	if len(p.errs) > nerrs {
		return nil
	}
	switch {
	case c.name == "":
		p.errorf(n, "case: `name` is required")
	case c.expect.request == nil && c.expect.response == nil && c.expect.localReply == nil && c.expect.findings == nil:
		p.errorf(n, "case %q: `expect` names nothing to check (want request, response, local_reply or findings)", c.name)
	case c.expect.response != nil && c.expect.localReply != nil:
		p.errorf(n, "case %q: expect: a response and a local reply exclude each other (the local reply is the response)", c.name)
	default:
		return c
	}
	return nil
}

// inMessage parses `request:` or `response:`.
func (p *caseParser) inMessage(n *yaml.Node, what string) inMessage {
	var m inMessage
	var inline, file *yaml.Node
	p.mapping(n, what, func(key string, k, v *yaml.Node) {
		switch {
		case key == "method" && what == "request":
			m.method = p.str(v, "method")
		case key == "path" && what == "request":
			m.path = p.str(v, "path")
			if m.path != "" && !strings.HasPrefix(m.path, "/") {
				p.errorf(v, "path: want an absolute path starting with /")
			}
		case key == "status" && what == "response":
			m.status = p.integer(v, "status", 100, 599)
		case key == "headers":
			m.headers = p.headers(v)
		case key == "body":
			inline = v
		case key == "body_file":
			file = v
		default:
			want := "method, path, headers, body, body_file"
			if what == "response" {
				want = "status, headers, body, body_file"
			}
			p.errorf(k, "%s: unknown field %q (want %s)", what, key, want)
		}
	})
	m.body = p.body(n, what, inline, file)
	return m
}

// body returns the body given by `body` (inline) or `body_file`, nil when
// neither.
func (p *caseParser) body(parent *yaml.Node, what string, inline, file *yaml.Node) *bodySpec {
	switch {
	case inline != nil && file != nil:
		p.errorf(file, "%s: give body or body_file, not both", what)
	case file != nil:
		if f := p.fileRef(file, what+".body_file"); f != nil {
			return &bodySpec{file: f}
		}
	case inline != nil:
		where := fmt.Sprintf("%s:%d", filepath.Base(p.file), inline.Line)
		if inline.Kind == yaml.ScalarNode && inline.Tag == "!!str" {
			return &bodySpec{inline: []byte(inline.Value), where: where}
		}
		b, err := toJSON(inline)
		if err != nil {
			p.errorf(inline, "%s.body: %v", what, err)
			return nil
		}
		return &bodySpec{inline: b, where: where}
	}
	return nil
}

// headers parses a header mapping: name → value, or name → list of values
// for a header sent more than once. Names are lower-cased.
func (p *caseParser) headers(n *yaml.Node) hosttest.Headers {
	var h hosttest.Headers
	p.mapping(n, "headers", func(name string, k, v *yaml.Node) {
		name = strings.ToLower(name)
		if name == "" || strings.HasPrefix(name, ":") {
			p.errorf(k, "headers: %q: want a header name (pseudo-headers come from method, path and status)", name)
			return
		}
		if v.Kind == yaml.SequenceNode {
			for _, e := range v.Content {
				if s, ok := p.scalar(e, "header "+name); ok {
					h = append(h, [2]string{name, s})
				}
			}
			return
		}
		if s, ok := p.scalar(v, "header "+name); ok {
			h = append(h, [2]string{name, s})
		}
	})
	return h
}

// expectation parses `expect:`.
func (p *caseParser) expectation(n *yaml.Node) expectation {
	var e expectation
	p.mapping(n, "expect", func(key string, k, v *yaml.Node) {
		switch key {
		case "request", "response":
			w := p.wantMessage(v, "expect."+key)
			if key == "request" {
				e.request = w
			} else {
				e.response = w
			}
		case "local_reply":
			e.localReply = p.wantLocalReply(v)
		case "findings":
			e.findings = []wantFinding{}
			p.mapping(v, "expect.findings", func(rule string, k, v *yaml.Node) {
				e.findings = append(e.findings, wantFinding{rule, p.integer(v, "findings of "+rule, 0, 1<<30)})
			})
		default:
			p.errorf(k, "expect: unknown field %q (want request, response, local_reply, findings)", key)
		}
	})
	return e
}

// wantMessage parses `expect.request` or `expect.response`.
func (p *caseParser) wantMessage(n *yaml.Node, what string) *wantMessage {
	w := &wantMessage{}
	var inline, file *yaml.Node
	p.mapping(n, what, func(key string, k, v *yaml.Node) {
		switch key {
		case "body":
			inline = v
		case "body_file":
			file = v
		case "headers":
			p.mapping(v, what+".headers", func(name string, k, v *yaml.Node) {
				wh := wantHeader{name: strings.ToLower(name)}
				if v.Kind != yaml.ScalarNode || v.Tag != "!!null" {
					s, _ := p.scalar(v, "header "+name)
					wh.value = &s
				}
				w.headers = append(w.headers, wh)
			})
		default:
			p.errorf(k, "%s: unknown field %q (want body, body_file, headers)", what, key)
		}
	})
	w.body = p.body(n, what, inline, file)
	if w.body == nil && w.headers == nil {
		p.errorf(n, "%s: want body, body_file or headers", what)
	}
	return w
}

// wantLocalReply parses `expect.local_reply`.
func (p *caseParser) wantLocalReply(n *yaml.Node) *wantLocalReply {
	w := &wantLocalReply{}
	var inline, file *yaml.Node
	p.mapping(n, "expect.local_reply", func(key string, k, v *yaml.Node) {
		switch key {
		case "status":
			w.status = p.integer(v, "status", 100, 599)
		case "body":
			inline = v
		case "body_file":
			file = v
		case "body_contains":
			w.bodyContains = p.str(v, "body_contains")
		default:
			p.errorf(k, "expect.local_reply: unknown field %q (want status, body, body_file, body_contains)", key)
		}
	})
	w.body = p.body(n, "expect.local_reply", inline, file)
	return w
}

// refs returns every file reference of the case.
func (c *testCase) refs() []*fileRef {
	var out []*fileRef
	add := func(f *fileRef) {
		if f != nil {
			out = append(out, f)
		}
	}
	addBody := func(b *bodySpec) {
		if b != nil {
			add(b.file)
		}
	}
	add(c.flags)
	addBody(c.request.body)
	addBody(c.response.body)
	for _, w := range []*wantMessage{c.expect.request, c.expect.response} {
		if w != nil {
			addBody(w.body)
		}
	}
	if w := c.expect.localReply; w != nil {
		addBody(w.body)
	}
	return out
}

// load reads the files the cases name, relative to the case file's
// directory, and applies each case's flags file. Every unreadable file
// is reported at the position that names it.
func (cf *caseFile) load() error {
	dir := filepath.Dir(cf.path)
	var errs []error
	for _, c := range cf.cases {
		for _, f := range c.refs() {
			b, err := os.ReadFile(filepath.Join(dir, f.name))
			if err != nil {
				errs = append(errs, &caseError{cf.path, f.line, f.col, fmt.Sprintf("case %q: %v", c.name, unwrapPath(err))})
				continue
			}
			f.data = b
		}
		if c.flags != nil && c.flags.data != nil {
			if err := c.applyFlags(filepath.Join(dir, c.flags.name)); err != nil {
				errs = append(errs, &caseError{cf.path, c.flags.line, c.flags.col, fmt.Sprintf("case %q: flags %s: %v", c.name, c.flags.name, err)})
			}
		}
	}
	return errors.Join(errs...)
}

// unwrapPath drops the operation from a *PathError, keeping file and cause.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// applyFlags reads a `veil run --flags` file (examples/*/flags) into the
// case: what it sets stands unless the case sets it too; its headers,
// properties and variables come before the case's.
func (c *testCase) applyFlags(name string) error {
	args, err := readFlagsFile(name)
	if err != nil {
		return err
	}
	var errOut strings.Builder
	fs := newFlags("flags", "", &errOut)
	fs.Usage = func() {}
	method := fs.String("method", "", "")
	path := fs.String("path", "", "")
	status := fs.Int("status", 0, "")
	chunk := fs.Int("chunk", 0, "")
	envoy := fs.String("envoy", "", "")
	var filter filterFlags
	filter.define(fs)
	var reqHeaders, respHeaders, props, env multi
	fs.Var(&reqHeaders, "H", "")
	fs.Var(&respHeaders, "response-header", "")
	fs.Var(&props, "property", "")
	fs.Var(&env, "env", "")
	if err := fs.Parse(args); err != nil {
		return errors.New(strings.TrimSpace(strings.SplitN(errOut.String(), "\n", 2)[0]))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["method"] && c.request.method == "" {
		c.request.method = *method
	}
	if set["path"] && c.request.path == "" {
		c.request.path = *path
	}
	if set["status"] && c.response.status == 0 {
		c.response.status = *status
	}
	if set["chunk"] && c.chunk == nil {
		c.chunk = chunk
	}
	if set["envoy"] && c.envoy == "" {
		if _, err := hosttest.ParseProfile(*envoy); err != nil {
			return err
		}
		c.envoy = *envoy
	}
	if set["allow-on-headers-stop-iteration"] && c.allowStop == nil {
		c.allowStop = &filter.allowHeadersStop
	}
	for _, list := range []struct {
		values multi
		to     *hosttest.Headers
		flag   string
	}{{reqHeaders, &c.request.headers, "-H"}, {respHeaders, &c.response.headers, "--response-header"}} {
		var h hosttest.Headers
		for _, s := range list.values {
			kv, err := header(s)
			if err != nil {
				return fmt.Errorf("%s: %v", list.flag, err)
			}
			h = append(h, kv)
		}
		*list.to = append(h, *list.to...)
	}
	var ps []hosttest.Property
	for _, s := range props {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fmt.Errorf("--property %q: want name=value", s)
		}
		ps = append(ps, hosttest.Property{Path: hosttest.ParseProperty(name), Value: propertyValue(value)})
	}
	c.properties = append(ps, c.properties...)
	for _, e := range env {
		if name, _, ok := strings.Cut(e, "="); !ok || !validEnvName(name) {
			return errors.New("--env: want NAME=VALUE (the value is not shown: it may be key material)")
		}
	}
	c.env = append(slices.Clone([]string(env)), c.env...)
	return nil
}
