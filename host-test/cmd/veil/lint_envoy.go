package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules"
	"go.yaml.in/yaml/v3"
)

// This file finds the rule sets a file holds for lint: the file itself, or
// the configuration that an Envoy bootstrap's Wasm filter, an Istio
// WasmPlugin or an Envoy Gateway EnvoyExtensionPolicy hands the plugin; and
// maps each diagnostic of an embedded rule set back to the line and column
// of the file (docs/cli.md, "Rule sets inside Envoy and Kubernetes files").

// fileKind says what lint found a file to be.
type fileKind int

// The kinds of file lint reads.
const (
	// kindOther is a file holding no rule set (a JSON body, a Kubernetes
	// Deployment, an Envoy bootstrap without a Wasm filter).
	kindOther fileKind = iota
	// kindRuleSet is a rule set: the whole file is compiled as it is.
	kindRuleSet
	// kindEmbedding is an Envoy or Kubernetes file holding rule sets.
	kindEmbedding
)

// ruleSource is one rule set found in a file.
type ruleSource struct {
	// where names the configuration in the file ("Wasm filter \"veil\"
	// config.configuration"); "" for a file that is a rule set.
	where string
	// src is the text the plugin receives.
	src []byte
	// pos maps a position in src to the file; nil when src is the file.
	pos posMap
	// line and col are where the configuration starts in the file.
	line, col int
	// problem, when set, says why the configuration cannot be read; src is
	// then empty.
	problem string
}

// posMap maps a line and column of an embedded rule set to the file.
type posMap interface {
	// at returns the file position of line:col of the rule set (1-based,
	// columns in characters) and whether it is the position itself rather
	// than the start of the configuration.
	at(line, col int) (fline, fcol int, exact bool)
}

// ruleSources classifies src and returns the rule sets in it. A file that
// does not parse as YAML, or whose only document is not an Envoy or
// Kubernetes configuration, is a rule set when it looks like one (a mapping
// with rule-set keys; for a file that does not parse, a line starting with
// one) or when loose is set (a file named on the command line: the compiler
// then says what is wrong with it).
func ruleSources(src []byte, loose bool) (fileKind, []ruleSource) {
	docs, err := yamlDocuments(src)
	whole := []ruleSource{{src: src, line: 1, col: 1}}
	if err != nil {
		if loose || ruleSetText.Match(src) {
			return kindRuleSet, whole
		}
		return kindOther, nil
	}
	lines := sourceLines(src)
	var found []ruleSource
	embedding := false
	for _, doc := range docs {
		kind, api := scalarAt(doc, "kind"), scalarAt(doc, "apiVersion")
		switch {
		case kind == "WasmPlugin" && strings.HasPrefix(api, "extensions.istio.io/"):
			embedding = true
			if pc := member(member(doc, "spec"), "pluginConfig"); pc != nil {
				where := fmt.Sprintf("WasmPlugin %s spec.pluginConfig", objectName(doc))
				found = append(found, jsonSource(where, pc, true))
			}
		case kind == "EnvoyExtensionPolicy" && strings.HasPrefix(api, "gateway.envoyproxy.io/"):
			embedding = true
			wasm := member(member(doc, "spec"), "wasm")
			if wasm == nil || wasm.Kind != yaml.SequenceNode {
				break
			}
			for i, w := range wasm.Content {
				if c := member(resolveNode(w), "config"); c != nil {
					where := fmt.Sprintf("EnvoyExtensionPolicy %s spec.wasm[%d].config", objectName(doc), i)
					found = append(found, jsonSource(where, c, true))
				}
			}
		case kind != "" && api != "":
			embedding = true // another Kubernetes object
		default:
			n := len(found)
			found = wasmFilters(doc, lines, found)
			if len(found) > n || isEnvoyBootstrap(doc) {
				embedding = true
			}
		}
	}
	switch {
	case len(found) > 0:
		return kindEmbedding, found
	case embedding:
		return kindOther, nil
	case loose || len(docs) == 1 && looksLikeRuleSet(docs[0]):
		return kindRuleSet, whole
	}
	return kindOther, nil
}

// ruleSetText matches a line that starts a rule set's distinctive key, for a
// file that does not parse (a rule set with a mistake, not a template).
var ruleSetText = regexp.MustCompile(`(?m)^("?)(rules|include|minimize)("?)[ \t]*:`)

// yamlDocuments returns the root node of each non-empty document in src.
func yamlDocuments(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) > 0 {
			docs = append(docs, resolveNode(n.Content[0]))
		}
	}
}

// maxAliases bounds the aliases resolveNode follows from one node.
const maxAliases = 100

// resolveNode follows aliases.
func resolveNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < maxAliases; i++ {
		n = n.Alias
	}
	return n
}

// member returns the value of key in mapping n, nil when n is not a
// mapping or lacks it.
func member(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolveNode(n.Content[i+1])
		}
	}
	return nil
}

// scalarAt returns the scalar value of key in mapping n, "" when absent.
func scalarAt(n *yaml.Node, key string) string {
	if v := member(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// objectName returns a Kubernetes object's namespace/name, or its name.
func objectName(doc *yaml.Node) string {
	meta := member(doc, "metadata")
	name, ns := scalarAt(meta, "name"), scalarAt(meta, "namespace")
	if ns != "" {
		return ns + "/" + name
	}
	return name
}

// looksLikeRuleSet reports whether n is a mapping with a rule set's
// distinctive keys: rules, include or minimize, or version beside another
// rule-set key (a compose file's version sits beside services).
func looksLikeRuleSet(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	for _, k := range []string{"rules", "include", "minimize"} {
		if slices.Contains(keys, k) {
			return true
		}
	}
	if !slices.Contains(keys, "version") {
		return false
	}
	for _, k := range keys {
		if k != "version" && slices.Contains(ruleSetKeys, k) {
			return true
		}
	}
	return false
}

// ruleSetKeys are the top-level keys of a rule set (rules/SYNTAX.md).
var ruleSetKeys = []string{"version", "name", "mode", "match", "limits", "on", "report_header", "rules", "include",
	"detectors", "json_in_strings", "crypto_keys", "jwt", "trust_headers", "consent", "minimize", "mark_responses",
	"stream_text", "encodings"}

// isEnvoyBootstrap reports whether n is an Envoy bootstrap (it has one of
// the bootstrap's top-level sections).
func isEnvoyBootstrap(n *yaml.Node) bool {
	for _, k := range []string{"static_resources", "dynamic_resources", "admin", "layered_runtime"} {
		if member(n, k) != nil {
			return true
		}
	}
	return false
}

// The protobuf types lint reads in an Envoy configuration.
const (
	wasmFilterType = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"
	stringValue    = "type.googleapis.com/google.protobuf.StringValue"
	structValue    = "type.googleapis.com/google.protobuf.Struct"
)

// wasmFilters appends the configuration of every HTTP Wasm filter under n
// (a mapping whose "@type" is the filter's): config.configuration, a
// StringValue (the rule set's text) or a Struct (reaching the plugin as JSON).
func wasmFilters(n *yaml.Node, lines []string, found []ruleSource) []ruleSource {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 || n.Kind == yaml.AliasNode {
			return
		}
		if n.Kind == yaml.MappingNode && scalarAt(n, "@type") == wasmFilterType {
			if s, ok := wasmConfiguration(member(n, "config"), lines); ok {
				found = append(found, s)
			}
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return found
}

// wasmConfiguration reads a Wasm filter's PluginConfig; ok is false when it
// has no configuration (the plugin then gets none).
func wasmConfiguration(config *yaml.Node, lines []string) (ruleSource, bool) {
	conf := member(config, "configuration")
	if conf == nil {
		return ruleSource{}, false
	}
	where := "Wasm filter config.configuration"
	if name := scalarAt(config, "name"); name != "" {
		where = fmt.Sprintf("Wasm filter %q config.configuration", name)
	}
	typ, value := scalarAt(conf, "@type"), member(conf, "value")
	switch {
	case typ == stringValue && value != nil && value.Kind == yaml.ScalarNode:
		return stringSource(where, value, lines), true
	case typ == structValue && value != nil:
		return jsonSource(where, value, false), true
	}
	return ruleSource{where: where, line: conf.Line, col: conf.Column,
		problem: fmt.Sprintf("%s: veil lint reads a %s holding the rule set's text or a %s, not %q",
			where, stringValue, structValue, typ)}, true
}

// sourceLines returns src's lines without their line ends.
func sourceLines(src []byte) []string {
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// stringSource is the rule set held by scalar n as text. A literal block
// scalar (value: |) keeps the rule set's lines, shifted by the block's
// indentation; a quoted or plain scalar on one line maps each character
// through its escapes; any other scalar (folded, quoted over several lines)
// maps every position to the scalar's start.
func stringSource(where string, n *yaml.Node, lines []string) ruleSource {
	s := ruleSource{where: where, src: []byte(n.Value), line: n.Line, col: n.Column}
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		if m, ok := blockMap(n, lines); ok {
			s.pos = m
			return s
		}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 || n.Style == 0:
		if m, ok := scalarMap(n, lines); ok {
			s.pos = m
			return s
		}
	}
	s.pos = startMap{n.Line, n.Column}
	return s
}

// startMap maps every position to the start of the configuration.
type startMap struct{ line, col int }

func (m startMap) at(int, int) (int, int, bool) { return m.line, m.col, false }

// shiftMap maps the lines of a literal block scalar: rule-set line l is
// file line first+l-1, each column moved right by indent.
type shiftMap struct{ first, indent, last int }

func (m shiftMap) at(line, col int) (int, int, bool) {
	l := m.first + line - 1
	if l > m.last {
		return m.last, 1, false
	}
	return l, col + m.indent, true
}

// blockMap checks that the content of literal block scalar n is, line by
// line, the file's lines below n's indicator less one indentation, and
// returns the map.
func blockMap(n *yaml.Node, lines []string) (posMap, bool) {
	content := strings.Split(strings.TrimSuffix(n.Value, "\n"), "\n")
	indent := -1
	for k, c := range content {
		i := n.Line + k // index of file line n.Line+1+k
		if i >= len(lines) {
			return nil, false
		}
		raw := lines[i]
		if c == "" {
			if strings.TrimLeft(raw, " ") != "" {
				return nil, false
			}
			continue
		}
		if indent < 0 {
			if !strings.HasSuffix(raw, c) || strings.TrimLeft(raw[:len(raw)-len(c)], " ") != "" {
				return nil, false
			}
			indent = len(raw) - len(c)
		}
		if len(raw) < indent || strings.TrimLeft(raw[:indent], " ") != "" || raw[indent:] != c {
			return nil, false
		}
	}
	if indent < 0 {
		indent = 0
	}
	return shiftMap{first: n.Line + 1, indent: indent, last: n.Line + len(content)}, true
}

// runeMap maps a scalar written on one file line: cols[i] is the file
// column of the i-th character of the decoded text (the closing quote for
// i == len), starts[l-1] the index of line l's first character.
type runeMap struct {
	line   int
	cols   []int
	starts []int
}

func (m runeMap) at(line, col int) (int, int, bool) {
	if line < 1 || line > len(m.starts) {
		return m.line, m.cols[len(m.cols)-1], line >= 1
	}
	i := m.starts[line-1] + col - 1
	if i < 0 || i >= len(m.cols) {
		i = len(m.cols) - 1
	}
	return m.line, m.cols[i], true
}

// scalarMap decodes the quoted or plain scalar n from its file line and
// returns the file column of each decoded character; ok is false when the
// scalar does not end on its line or does not decode to n.Value.
func scalarMap(n *yaml.Node, lines []string) (posMap, bool) {
	if n.Line < 1 || n.Line > len(lines) {
		return nil, false
	}
	raw := []rune(lines[n.Line-1])
	start := n.Column - 1
	if start < 0 || start >= len(raw) {
		return nil, false
	}
	var text []rune
	var cols []int
	put := func(r rune, col int) { text = append(text, r); cols = append(cols, col+1) }
	end := -1
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if raw[start] != '"' {
			return nil, false
		}
		for i := start + 1; i < len(raw) && end < 0; i++ {
			switch raw[i] {
			case '"':
				end = i
			case '\\':
				r, width, ok := unescape(raw[i+1:])
				if !ok {
					return nil, false
				}
				put(r, i)
				i += width
			default:
				put(raw[i], i)
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if raw[start] != '\'' {
			return nil, false
		}
		for i := start + 1; i < len(raw) && end < 0; i++ {
			switch {
			case raw[i] != '\'':
				put(raw[i], i)
			case i+1 < len(raw) && raw[i+1] == '\'':
				put('\'', i)
				i++
			default:
				end = i
			}
		}
	default:
		v := []rune(n.Value)
		if start+len(v) > len(raw) || string(raw[start:start+len(v)]) != n.Value {
			return nil, false
		}
		for i, r := range v {
			put(r, start+i)
		}
		end = start + len(v)
	}
	if end < 0 || string(text) != n.Value {
		return nil, false
	}
	cols = append(cols, end+1)
	starts := []int{0}
	for i, r := range text {
		if r == '\n' {
			starts = append(starts, i+1)
		}
	}
	return runeMap{line: n.Line, cols: cols, starts: starts}, true
}

// unescape decodes the escape after a backslash in a double-quoted YAML (or
// JSON) scalar: the character and how many runes the escape takes after
// the backslash.
func unescape(s []rune) (rune, int, bool) {
	if len(s) == 0 {
		return 0, 0, false
	}
	simple := map[rune]rune{'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v', 'f': '\f',
		'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0, 'L': 0x2028, 'P': 0x2029}
	if r, ok := simple[s[0]]; ok {
		return r, 1, true
	}
	digits := map[rune]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if digits == 0 || len(s) < 1+digits {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(string(s[1:1+digits]), 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, 0, false
	}
	return rune(v), 1 + digits, true
}

// jsonSource is the rule set held by node n as a YAML or JSON value, which
// reaches the plugin as JSON: a Struct in Envoy and Istio, raw JSON in Envoy
// Gateway. The JSON is written one key or value per line, each line's tokens
// mapped to the node they come from, so a diagnostic points at the start of
// the key or value it is about. kube reads unquoted yes/no/on/off (and
// y/n) as booleans, as Kubernetes' YAML 1.1 reader does.
func jsonSource(where string, n *yaml.Node, kube bool) ruleSource {
	w := &jsonWriter{kube: kube, lines: [][]jsonSeg{nil}}
	w.value(n, 0)
	if w.nodes > maxJSONNodes {
		return ruleSource{where: where, line: n.Line, col: n.Column,
			problem: fmt.Sprintf("%s: more than %d values once its aliases are expanded: not linted", where, maxJSONNodes)}
	}
	return ruleSource{where: where, src: w.b.Bytes(), pos: jsonMap(w.lines), line: n.Line, col: n.Column}
}

// jsonSeg says that the generated JSON from column col on comes from the
// node at line:col of the file; note, when set, is added to a diagnostic
// there.
type jsonSeg struct {
	genCol, line, col int
	note              string
}

// jsonMap maps the generated JSON's lines to the file.
type jsonMap [][]jsonSeg

func (m jsonMap) at(line, col int) (int, int, bool) {
	if line < 1 || line > len(m) || len(m[line-1]) == 0 {
		return m.last()
	}
	seg := m.seg(line, col)
	return seg.line, seg.col, true
}

// seg returns the segment holding line:col of the generated JSON.
func (m jsonMap) seg(line, col int) jsonSeg {
	segs := m[line-1]
	s := segs[0]
	for _, t := range segs[1:] {
		if t.genCol <= col {
			s = t
		}
	}
	return s
}

// last returns the position of the last segment.
func (m jsonMap) last() (int, int, bool) {
	for i := len(m) - 1; i >= 0; i-- {
		if len(m[i]) > 0 {
			s := m[i][len(m[i])-1]
			return s.line, s.col, true
		}
	}
	return 1, 1, false
}

// note returns the note of the segment at line:col, "" when none.
func (m jsonMap) note(line, col int) string {
	if line < 1 || line > len(m) || len(m[line-1]) == 0 {
		return ""
	}
	return m.seg(line, col).note
}

// jsonWriter writes a YAML node as JSON, one key or value to a line.
type jsonWriter struct {
	b     bytes.Buffer
	col   int
	lines [][]jsonSeg
	kube  bool
	// nodes counts the nodes written, aliases expanded.
	nodes int
}

// maxJSONDepth bounds the nesting jsonWriter follows (aliases can loop),
// maxJSONNodes the nodes it writes (aliases of aliases can multiply a small
// file into an exponential one).
const (
	maxJSONDepth = 200
	maxJSONNodes = 100_000
)

func (w *jsonWriter) put(s string) {
	w.b.WriteString(s)
	w.col += utf8.RuneCountInString(s)
}

func (w *jsonWriter) newline() {
	w.b.WriteByte('\n')
	w.col = 0
	w.lines = append(w.lines, nil)
}

func (w *jsonWriter) mark(n *yaml.Node, note string) {
	i := len(w.lines) - 1
	w.lines[i] = append(w.lines[i], jsonSeg{genCol: w.col + 1, line: n.Line, col: n.Column, note: note})
}

func (w *jsonWriter) value(n *yaml.Node, depth int) {
	n = resolveNode(n)
	w.nodes++
	if n == nil || depth > maxJSONDepth || w.nodes > maxJSONNodes {
		w.put("null")
		return
	}
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end := "{", "}"
		step := 2
		if n.Kind == yaml.SequenceNode {
			open, end, step = "[", "]", 1
		}
		w.mark(n, "")
		w.put(open)
		for i := 0; i < len(n.Content); i += step {
			w.newline()
			if step == 2 {
				k := resolveNode(n.Content[i])
				text, note := w.scalar(k)
				if !strings.HasPrefix(text, `"`) {
					text = jsonString(text)
				}
				w.mark(k, note)
				w.put(text + ": ")
			}
			if i+step-1 < len(n.Content) {
				w.value(n.Content[i+step-1], depth+1)
			}
			if i+step < len(n.Content) {
				w.put(",")
			}
		}
		if len(n.Content) > 0 {
			w.newline()
		}
		w.mark(n, "")
		w.put(end)
	default:
		text, note := w.scalar(n)
		w.mark(n, note)
		w.put(text)
	}
}

// scalar returns the JSON of scalar n and, for a YAML 1.1 boolean that
// Kubernetes reads other than it looks, a note saying so.
func (w *jsonWriter) scalar(n *yaml.Node) (string, string) {
	if n.Kind != yaml.ScalarNode {
		return "null", ""
	}
	if w.kube && n.Style == 0 {
		if b, ok := yaml11Bool(n.Value); ok && n.Value != "true" && n.Value != "false" {
			return strconv.FormatBool(b), fmt.Sprintf("Kubernetes reads the unquoted %s as the boolean %t: quote it", n.Value, b)
		}
	}
	switch n.ShortTag() {
	case "!!null":
		return "null", ""
	case "!!bool", "!!int", "!!float":
		var v any
		if n.Decode(&v) == nil {
			if f, ok := v.(float64); !ok || !math.IsInf(f, 0) && !math.IsNaN(f) {
				if b, err := json.Marshal(v); err == nil {
					return string(b), ""
				}
			}
		}
	}
	return jsonString(n.Value), ""
}

// yaml11Bool reads the booleans of YAML 1.1, which Kubernetes' YAML reader
// (sigs.k8s.io/yaml) still applies to unquoted scalars.
func yaml11Bool(s string) (bool, bool) {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// jsonString returns s as a JSON string, HTML characters unescaped.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// place moves diagnostic d of rule set s to the file, whose lines are
// lines. The file's line is quoted only when the compiler quoted the rule
// set's line (it never quotes one holding key material) and, unless the
// lines correspond one to one, the file's line does not name an inline key.
func (s ruleSource) place(d rules.Diagnostic, lines []string) rules.Diagnostic {
	if s.pos == nil {
		return d
	}
	line, col, exact := s.pos.at(d.Line, d.Col)
	if jm, ok := s.pos.(jsonMap); ok {
		if note := jm.note(d.Line, d.Col); note != "" {
			d.Message += " (" + note + ")"
		}
	}
	if !exact {
		d.Message += fmt.Sprintf(" (at %d:%d of the rule set in %s)", d.Line, d.Col, s.where)
	}
	_, oneToOne := s.pos.(shiftMap)
	quoted := d.SourceLine != ""
	d.SourceLine = ""
	if quoted && line >= 1 && line <= len(lines) && (oneToOne || !strings.Contains(lines[line-1], "inline")) {
		d.SourceLine = lines[line-1]
	}
	d.Line, d.Col = line, col
	return d
}
