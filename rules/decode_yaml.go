package rules

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decoder reads the rule-set schema from a yaml.Node tree (JSON is YAML, so
// one parser keeps positions for both) and records every mistake it finds.
type decoder struct {
	*diags
	rule string // id of the rule being decoded, for diagnostics
	// env looks up the environment variables crypto_keys name (Options.Env)
	env func(string) (string, bool)
}

// errorf records a mistake at node n.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.add(n.Line, n.Column, d.rule, format, args...)
}

// errorAt records a mistake at byte offset off of scalar n's value, when the
// source spells the value literally there; at n itself otherwise.
func (d *decoder) errorAt(n *yaml.Node, off int, format string, args ...any) {
	line, col := n.Line, n.Column
	if line >= 1 && line <= len(d.lines) && off <= len(n.Value) {
		text := d.lines[line-1]
		start := 0 // byte offset of column col
		for c := 1; c < col && start < len(text); c++ {
			_, size := utf8.DecodeRune(text[start:])
			start += size
		}
		q := 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			q = 1
		}
		if start+q <= len(text) && bytes.HasPrefix(text[start+q:], []byte(n.Value[:off])) {
			col += q + utf8.RuneCountInString(n.Value[:off])
		}
	}
	d.add(line, col, d.rule, format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlParserErrors are the messages of the YAML library's parser (as opposed
// to its scanner). It reports their line counting from 0: the line where the
// construct holding the mistake starts.
var yamlParserErrors = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator", "did not find expected <document start>",
	"did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found undefined tag handle",
}

// yamlError records a parse error of src from the YAML library. The library
// names the line where the construct holding the mistake starts (for a tab
// that breaks the indentation, the line before), so the line is found again
// as the first one that, added to the lines before it, makes the document
// fail with the same message; a tab there is named as the cause.
func (d *decoder) yamlError(err error, src []byte) {
	msg, line := yamlMessage(err)
	if l := firstFailingLine(src, msg); l > 0 {
		line = l
	}
	col := 1
	if line <= len(d.lines) {
		text := d.lines[line-1]
		indent := 0
		for indent < len(text) && (text[indent] == ' ' || text[indent] == '\t') {
			indent++
		}
		col = indent + 1
		if tab := bytes.IndexByte(text, '\t'); tab >= 0 && tab < indent {
			d.add(line, tab+1, "", "invalid yaml: a tab indents this line; YAML indents with spaces")
			return
		} else if tab >= 0 && (strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token")) {
			d.add(line, utf8.RuneCount(text[:tab])+1, "", "invalid yaml: a tab cannot start a token here; YAML separates and indents with spaces")
			return
		} else if at := bytes.IndexAny(text[indent:], "@`"); at >= 0 && strings.Contains(msg, "cannot start any token") {
			// the reserved indicators: a plain value cannot start with them
			d.add(line, utf8.RuneCount(text[:indent+at])+1, "", "invalid yaml: %s (quote a value that starts with %q)", msg, string(text[indent+at]))
			return
		}
	}
	d.add(line, col, "", "invalid yaml: %s", msg)
}

// yamlMessage splits an error of the YAML library into its message and the
// line it names (1 when none).
func yamlMessage(err error) (msg string, line int) {
	msg, line = err.Error(), 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		if contains(yamlParserErrors, msg) {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return msg, line
}

// yamlEndErrors are the messages a document cut short may fail with (an
// open flow collection or quoted scalar): a prefix failing so says nothing
// about where the mistake is.
var yamlEndErrors = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected node content", "found unexpected end of stream",
}

// firstFailingLine returns the 1-based number of the first line of src
// whose addition to the lines before it makes the document fail to parse
// with message msg, searched by halving (a few parses of a prefix), or 0
// when no prefix fails so, or when msg is one a document cut short fails
// with too (yamlEndErrors).
func firstFailingLine(src []byte, msg string) int {
	if contains(yamlEndErrors, msg) {
		return 0
	}
	var ends []int // ends[i]: the end of line i+1, its newline included
	for i, c := range src {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(src) {
		ends = append(ends, len(src))
	}
	fails := func(lines int) bool {
		var doc yaml.Node
		err := parseYAML(src[:ends[lines-1]], &doc)
		if err == nil {
			return false
		}
		m, _ := yamlMessage(err)
		return m == msg
	}
	lo, hi := 0, len(ends) // the first lo lines do not fail so; all hi lines do
	if !fails(hi) {
		return 0
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// posOf returns the source position of n.
func posOf(n *yaml.Node) srcPos { return srcPos{n.Line, n.Column} }

// maxAliasChain bounds the aliases resolve follows from one node.
const maxAliasChain = 100

// resolve follows aliases (at most maxAliasChain).
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxAliasChain; i++ {
		n = n.Alias
	}
	return n
}

// kindName names a node's type for "want …, got …" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		}
		return "a scalar"
	}
	return "nothing"
}

// fields calls handle for each member of mapping n, reporting duplicate and
// unknown fields (allowed lists the known ones). It returns false when n is
// not a mapping.
func (d *decoder) fields(n *yaml.Node, what string, allowed []string, handle func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: want a mapping, got %s", what, kindName(n))
		return false
	}
	prefix := what + ": "
	if what == "rule" || what == "rule set" {
		prefix = ""
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		name := k.Value
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, "%sfield names must be strings, got %s", prefix, kindName(k))
		case seen[name]:
			d.errorf(k, "%sduplicate field %q", prefix, name)
		case !contains(allowed, name):
			d.errorf(k, "%sunknown field %q (want %s)%s", prefix, name, orList(allowed), didYouMean(name, allowed))
		default:
			seen[name] = true
			handle(name, k, v)
		}
	}
	return true
}

// field returns the value of member key in mapping n, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// orList formats names as `a, b or c`.
func orList(names []string) string {
	s := append([]string(nil), names...)
	sort.Strings(s)
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// str reads a string scalar.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errorf(n, "%s: want a string, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// integer reads an integer scalar.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		d.errorf(n, "%s: want an integer, got %s", what, kindName(n))
		return 0, false
	}
	return v, true
}

// boolean reads a boolean scalar.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		d.errorf(n, "%s: want true or false, got %s", what, kindName(n))
		return false, false
	}
	return v, true
}

// enum reads a string scalar that must be one of allowed.
func (d *decoder) enum(n *yaml.Node, what string, allowed ...string) (string, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !contains(allowed, s) {
		d.errorf(n, "%s: unknown value %q (want %s)", what, s, orList(allowed))
		return "", false
	}
	return s, true
}

// stringList reads a list of string scalars (a single string counts as a list of
// one) and returns their nodes.
func (d *decoder) stringList(n *yaml.Node, what string) []*yaml.Node {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []*yaml.Node
	for _, it := range items {
		it = resolve(it)
		if _, ok := d.str(it, what); ok {
			out = append(out, it)
		}
	}
	return out
}

// maxWithBytes and maxWithDepth bound the JSON text of a `redact: {with: …}`
// value, in bytes (64 KiB: each value replaced gets a copy) and nesting
// levels.
const (
	maxWithBytes = 64 << 10
	maxWithDepth = 64
)

// jsonValue converts a YAML value to compact JSON text, keeping mapping order.
func (d *decoder) jsonValue(n *yaml.Node, what string) ([]byte, bool) {
	out, err := appendJSON(nil, n, 0)
	if err == nil && len(out) > maxWithBytes {
		err = errLongValue
	}
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return nil, false
	}
	return out, true
}

// errLongValue refuses a replacement longer than maxWithBytes.
var errLongValue = fmt.Errorf("replacement longer than %d bytes (64 KiB) as JSON text; each value replaced gets a copy, so write a short marker", maxWithBytes)

func appendJSON(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	n = resolve(n)
	if depth > maxWithDepth {
		return nil, fmt.Errorf("value nested too deep")
	}
	if len(dst) > maxWithBytes {
		return nil, errLongValue
	}
	switch n.Kind {
	case yaml.MappingNode:
		dst = append(dst, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				dst = append(dst, ',')
			}
			k := resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("object keys must be strings, got %s", kindName(k))
			}
			dst = AppendQuoted(dst, k.Value)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJSON(dst, n.Content[i+1], depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, c := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSON(dst, c, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case yaml.ScalarNode:
		return appendScalarJSON(dst, n)
	}
	return nil, fmt.Errorf("want a value, got %s", kindName(n))
}

func appendScalarJSON(dst []byte, n *yaml.Node) ([]byte, error) {
	switch n.ShortTag() {
	case "!!null":
		return append(dst, "null"...), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("invalid boolean %q", n.Value)
		}
		return strconv.AppendBool(dst, b), nil
	case "!!int", "!!float":
		if isJSONNumber(n.Value) {
			return append(dst, n.Value...), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil || f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
			return nil, fmt.Errorf("number %q cannot be written in JSON", n.Value)
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64), nil
	}
	return AppendQuoted(dst, n.Value), nil
}

// isJSONNumber reports whether s is spelled as a JSON number.
func isJSONNumber(s string) bool {
	end, ok := scanNumber([]byte(s), 0)
	return ok && end == len(s)
}
