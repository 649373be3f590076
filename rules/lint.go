package rules

import (
	"slices"

	"go.yaml.in/yaml/v3"
)

// The codes of Lint's warnings (rules/SYNTAX.md, "Lint warnings").
const (
	lintKeyPath      = "key-looks-like-path"
	lintUnreachable  = "unreachable-rule"
	lintDuplicate    = "duplicate-rule"
	lintPackOverride = "pack-rule-overridden"
	lintDidYouMean   = "did-you-mean"
	lintMaskReadable = "mask-readable"
)

// Lint compiles src as Compile does and also looks for the mistakes that
// compile but make a rule set silently weaker than it reads (rules/SYNTAX.md,
// "Lint warnings"). It returns the program (nil when src does not compile),
// the warnings sorted by position (Severity SeverityWarning, each with a
// Code), and Compile's error. Warnings never change what the program does.
func Lint(src []byte, opts Options) (*Program, []Diagnostic, error) {
	prog, l, err := lint(src, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(l.list) == 0 {
		return prog, nil, nil
	}
	return prog, l.list, nil
}

// lint is Lint, returning the linter (nil with an error) for tests to see
// the work it did.
func lint(src []byte, opts Options) (*Program, *linter, error) {
	file := opts.Filename
	if file == "" {
		file = "rules"
	}
	d, spec, root := decodeRoot(file, src, opts.Env)
	if err := d.err(); err != nil {
		return nil, nil, err
	}
	// build takes the header rules out of spec.rules: keep them as written
	rules := slices.Clone(spec.rules)
	prog, err := build(d, spec, opts)
	if err != nil {
		return nil, nil, err
	}
	l := &linter{diags: newDiags(file, src), spec: spec, rules: rules, root: root}
	l.hidden = d.hidden // never quote a line holding key material
	l.userRules()
	l.shadowing()
	for i, n := range l.nodes {
		l.keyPaths(i, n)
		l.maskReadable(i, n)
	}
	l.didYouMean()
	l.err() // sorts the warnings
	return prog, l, nil
}

// linter collects the warnings about one rule set.
type linter struct {
	*diags
	spec  *setSpec
	rules []ruleSpec // the set's rules as decoded, pack rules after the set's own
	root  *yaml.Node // the document's top-level mapping
	// nodes are the mappings of the set's own rules: nodes[i] is rules[i]
	nodes []*yaml.Node
	// work counts the selector and rule comparisons made, to test that
	// linting stays near-linear
	work int
}

// warn records a warning of kind code at pos.
func (l *linter) warn(pos srcPos, rule, code, format string, args ...any) {
	l.addAt(pos, rule, format, args...)
	w := &l.list[len(l.list)-1]
	w.Severity, w.Code = SeverityWarning, code
}

// userRules finds the mappings of the set's own rules (the rules before
// the included packs' ones).
func (l *linter) userRules() {
	n := get(l.root, "rules")
	if n == nil || n.Kind != yaml.SequenceNode {
		return
	}
	for i, rn := range n.Content {
		if i >= len(l.rules) || l.rules[i].pack != "" {
			break
		}
		l.nodes = append(l.nodes, resolve(rn))
	}
}

// idLine returns the line of rule i's id, or of its select for a pack rule.
func (l *linter) idLine(i int) int {
	if i < len(l.nodes) {
		if id := get(l.nodes[i], "id"); id != nil {
			return id.Line
		}
	}
	return l.rules[i].at.line
}

// scalars returns the string scalars of n: its items when it is a list,
// else n itself.
func scalars(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []*yaml.Node
	for _, it := range items {
		if it = resolve(it); it.Kind == yaml.ScalarNode {
			out = append(out, it)
		}
	}
	return out
}

// get is field for a node that may be nil (then, or when the member is
// absent, it returns nil).
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	return field(resolve(n), key)
}
