package rules

import (
	"fmt"
	"slices"

	"github.com/veilproxy/veil/rules/internal/detect"

	"go.yaml.in/yaml/v3"
)

// maxMaxDepth caps Options.MaxDepth: the walk recurses once per nesting level.
const maxMaxDepth = 10000

// rule is one compiled rule.
type rule struct {
	id                string
	act               action
	cond              *ruleCond // nil: the rule always applies
	shadow            bool      // rule-level or set-level shadow mode
	request, response bool
	// evidence is select.evidence: the rule takes a detector's span only
	// when the span has one of these kinds of evidence (0: any)
	evidence detect.Evidence
}

// Compile parses and checks a rule set (YAML, or JSON, which is YAML) and
// compiles it into a Program. On failure the error is a *CompileError listing
// every mistake found, sorted by position.
func Compile(src []byte, opts Options) (*Program, error) {
	file := opts.Filename
	if file == "" {
		file = "rules"
	}
	d, spec := decode(file, src, opts.Env)
	if err := d.err(); err != nil {
		return nil, err
	}
	return build(d, spec, opts)
}

// build compiles a decoded rule set: the second step of Compile. The header
// rules of spec become a program of their own (header_rules.go).
func build(d *decoder, spec *setSpec, opts Options) (*Program, error) {
	hs := splitHeaderRules(spec)
	p := &Program{
		name:         spec.name,
		shadow:       spec.shadow,
		maxBodyBytes: spec.maxBodyBytes,
		onFailure:    spec.onFailure,
		reportHeader: spec.reportHeader,
		scope:        spec.scope,
		warnings:     spec.warnings,
		tokens:       spec.tokens,
		maxDepth:     opts.MaxDepth,
		atoms:        spec.cond.atoms,
		claimPaths:   numberClaimPaths(spec.cond.atoms),
		headerSlots:  numberHeaderNames(spec.cond.atoms),
		consent:      spec.cond.consent,
		jwtKey:       spec.cond.jwtKey,
		marks:        spec.cond.marks,
		trusted:      sortedNames(spec.cond.trusted),
		enc:          spec.enc,
	}
	p.claimSlots = len(p.claimPaths)
	p.maxRecordBytes, p.streamText = spec.maxRecordBytes, spec.streamText
	p.index = newCondIndex(p.atoms, p.headerSlots, p.claimSlots)
	if p.maxDepth <= 0 {
		p.maxDepth = DefaultMaxDepth
	}
	p.maxDepth = min(p.maxDepth, maxMaxDepth)
	masks, ok := p.compileDetectors(spec, d)
	if !ok {
		return nil, d.err()
	}
	names, err := newNameCheck(spec.custom)
	if err != nil {
		d.addAt(spec.detectorsAt, "", "detectors: %v", err)
		return nil, d.err()
	}
	p.names = names
	// every selector, in rule order; per layer (enforce, shadow; see
	// walk_shadow.go) and direction, the selectors and the detector rules
	// without within
	all := make([]selector, 0, selectorCount(spec.rules))
	var byDir [2][2][]selector
	var global [2][2][]int
	p.rules = make([]rule, 0, len(spec.rules))
	for i, r := range spec.rules {
		p.rules = append(p.rules, rule{id: r.id, act: r.act, cond: r.cond, shadow: r.shadow, request: r.request, response: r.response, evidence: r.evidence})
		for _, s := range r.sels {
			all = append(all, selector{rule: i, selSpec: s})
		}
		for _, s := range r.within {
			all = append(all, selector{rule: i, selSpec: s, within: true})
		}
		layer := layerOf(r.shadow)
		for dir, on := range [2]bool{r.request, r.response} {
			if on && len(r.detect) > 0 && r.within == nil {
				global[layer][dir] = append(global[layer][dir], i)
			}
		}
	}
	for layer := range byDir {
		for dir := range byDir[layer] {
			byDir[layer][dir] = selectorsOf(all, p.rules, layer, Direction(dir+1))
		}
	}
	cls := newClassifier(all)
	dc := newDetContexts(p.det, masks, p.rules)
	for layer, autos := range [2]*[2]*automaton{&p.auto, &p.shadowAuto} {
		for dir := range autos {
			a, err := buildAutomaton(cls, byDir[layer][dir], global[layer][dir], dc)
			if err != nil {
				for _, s := range err.sels {
					sel := &byDir[layer][dir][s]
					d.addAt(sel.at, p.rules[sel.rule].id, "%s %q: %v; %s", selectorKind(sel.within), sel.text, err, sel.advice())
				}
				return nil, d.err()
			}
			autos[dir] = a
		}
	}
	if !p.compileConds(all, global, cls, masks, d) {
		return nil, d.err()
	}
	if !p.compileMinimize(spec.cond.minimize, d) {
		return nil, d.err()
	}
	if hs != nil {
		if err := p.compileHeaderRules(d, hs, opts); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// compileConds sets up the automata cache of a set with conditional rules
// (program_cond.go). The automata with every rule active are Compile's;
// those with no conditional rule active are built now too, so that a set
// too complex either way fails here. It reports false after recording
// mistakes in d.
func (p *Program) compileConds(all []selector, global [2][2][]int, cls *classifier, masks []detect.Mask, d *decoder) bool {
	c := &condSet{all: all, global: global, cls: cls, masks: masks}
	c.cache.Store(&map[string]*view{})
	for dir := range c.conds {
		ids := map[string]int32{}
		c.condOf[dir] = make([]int32, len(p.rules))
		for i := range p.rules {
			r := &p.rules[i]
			c.condOf[dir][i] = -1
			if r.cond == nil || !(dir == 0 && r.request || dir == 1 && r.response) {
				continue
			}
			k := r.cond.key()
			id, ok := ids[k]
			if !ok {
				id = int32(len(c.conds[dir]))
				ids[k] = id
				c.conds[dir] = append(c.conds[dir], r.cond)
			}
			c.condOf[dir][i] = id
		}
	}
	if c.conds[0] == nil && c.conds[1] == nil {
		return true
	}
	for dir := range c.conds {
		if c.conds[dir] == nil {
			continue
		}
		active := make([]bool, len(p.rules))
		for r := range active {
			active[r] = c.condOf[dir][r] < 0
		}
		if _, err := c.buildFor(p, Direction(dir+1), active); err != nil {
			for _, s := range err.sels {
				sel := &err.layerSels[s]
				d.addAt(sel.at, p.rules[sel.rule].id, "%s %q: %v (with no conditional rule active); %s", selectorKind(sel.within), sel.text, err.tooComplexError, sel.advice())
			}
			return false
		}
	}
	p.conds = c
	return true
}

// sortedNames returns the names of a set, sorted.
func sortedNames(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// selectorCount returns the number of selectors (paths, keys lists, within
// entries) of the rules.
func selectorCount(rules []ruleSpec) int {
	n := 0
	for i := range rules {
		n += len(rules[i].sels) + len(rules[i].within)
	}
	return n
}

// selectorsOf returns the selectors of all whose rule is in the layer and
// applies to direction d, in order.
func selectorsOf(all []selector, rules []rule, layer int, d Direction) []selector {
	in := func(s *selector) bool {
		r := &rules[s.rule]
		return layerOf(r.shadow) == layer && (d == Request && r.request || d == Response && r.response)
	}
	n := 0
	for i := range all {
		if in(&all[i]) {
			n++
		}
	}
	sels := make([]selector, 0, n)
	for i := range all {
		if in(&all[i]) {
			sels = append(sels, all[i])
		}
	}
	return sels
}

// decode parses src (named file in diagnostics) and reads the rule set in
// it: the first step of Compile. The decoder holds the mistakes found; spec
// is nil when src is not a YAML document.
func decode(file string, src []byte, env func(string) (string, bool)) (d *decoder, spec *setSpec) {
	d, spec, _ = decodeRoot(file, src, env)
	return d, spec
}

// decodeRoot is decode that also returns the top-level node of the
// document (nil with spec), for Lint to find what it points at.
func decodeRoot(file string, src []byte, env func(string) (string, bool)) (d *decoder, spec *setSpec, root *yaml.Node) {
	d = &decoder{diags: newDiags(file, src), env: env}
	var doc yaml.Node
	if err := parseYAML(src, &doc); err != nil {
		d.yamlError(err, src)
		return d, nil, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.add(1, 1, "", "empty rule set")
		return d, nil, nil
	}
	root = resolve(doc.Content[0])
	return d, d.decodeSet(root), root
}

// selectorKind names a selector in diagnostics by where it is written.
func selectorKind(within bool) string {
	if within {
		return "within"
	}
	return "selector"
}

// parseYAML parses src into doc, turning a panic of the YAML library into an error.
func parseYAML(src []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(src, doc)
}

// numberClaimPaths gives each claim atom the slot of its path (atom.slot)
// and returns the distinct paths, by slot.
func numberClaimPaths(atoms []atom) [][]string {
	slots := map[string]int{}
	var paths [][]string
	for i := range atoms {
		if a := &atoms[i]; a.kind == condClaim {
			k := fmt.Sprintf("%q", a.claim)
			if _, ok := slots[k]; !ok {
				slots[k] = len(slots)
				paths = append(paths, a.claim)
			}
			a.slot = slots[k]
		}
	}
	return paths
}

// numberHeaderNames gives each header atom the slot of its name
// (atom.hslot) and returns the number of distinct names.
func numberHeaderNames(atoms []atom) int {
	slots := map[string]int{}
	for i := range atoms {
		if a := &atoms[i]; a.kind == condHeader {
			if _, ok := slots[a.name]; !ok {
				slots[a.name] = len(slots)
			}
			a.hslot = slots[a.name]
		}
	}
	return len(slots)
}

// byKind returns the indexes of the atoms, grouped by kind.
func byKind(atoms []atom) []int32 {
	order := make([]int32, len(atoms))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(atoms[a].kind) - int(atoms[b].kind) })
	return order
}
