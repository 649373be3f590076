package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/veilproxy/veil/rules/internal/detect"
	"github.com/veilproxy/veil/rules/packs"
	"go.yaml.in/yaml/v3"
)

// Content detectors in the rule-set schema: `detectors:` (custom detectors),
// `select.detect` and `select.within` (rules acting on spans inside strings)
// and `include:` (the embedded rule packs of package packs).

var detectorFields = []string{"regex", "validate"}

// decodeDetectors reads `detectors:`, a mapping from names to custom detectors.
func (d *decoder) decodeDetectors(n *yaml.Node) map[string]detect.Custom {
	out := map[string]detect.Custom{}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "detectors: want a mapping, got %s", kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		name, ok := d.str(k, "detectors")
		if !ok || !d.checkName(k, "detectors", name) {
			continue
		}
		if _, dup := out[name]; dup {
			d.errorf(k, "detectors: duplicate detector %q", name)
			continue
		}
		if isBuiltinDetector(name) {
			d.errorf(k, "detectors: %q is a built-in detector (choose another name)", name)
			continue
		}
		what := "detectors." + name
		c := detect.Custom{Validate: "none"}
		var regexNode *yaml.Node
		if d.fields(v, what, detectorFields, func(key string, _, v *yaml.Node) {
			switch key {
			case "regex":
				if re, ok := d.str(v, what+".regex"); ok {
					regexNode, c.Regex = v, re
				}
			case "validate":
				c.Validate, _ = d.enum(v, what+".validate", "none", "luhn", "mod97")
			}
		}) && field(v, "regex") == nil {
			d.errorf(v, "%s: missing field \"regex\"", what)
		}
		if regexNode != nil {
			if re, err := regexp.Compile(c.Regex); err != nil {
				d.errorf(regexNode, "%s.regex: %v", what, err)
			} else if re.MatchString("") {
				d.errorf(regexNode, "%s.regex: %q matches the empty string", what, c.Regex)
			} else if cost, err := detect.CostOf(c.Regex); err == nil && !cost.Bounded() {
				d.errorf(regexNode, "%s.regex: %s", what, costMessage(c.Regex, cost))
			}
		}
		out[name] = c // kept even when invalid, so rules naming it get no second error
	}
	if len(out) > maxCustomDetectors {
		d.errorf(n, "detectors: %d custom detectors, at most %d", len(out), maxCustomDetectors)
	}
	return out
}

// costMessage explains why a custom pattern is refused and how to rewrite
// it: its counted repetitions expand to more states than the VM may advance
// over each byte (detect.CustomCost).
func costMessage(regex string, cost detect.CustomCost) string {
	limit := fmt.Sprintf("at most %d, or %d behind a literal prefix of %d or more characters", detect.MaxStates, detect.MaxAnchoredStates, detect.MinAnchor)
	if len(cost.Prefix) >= detect.MinAnchor {
		limit = fmt.Sprintf("at most %d behind its literal prefix %q", detect.MaxAnchoredStates, cost.Prefix)
	}
	return fmt.Sprintf("%q is too costly to run on every body: its counted repetitions ({n,m}) expand to %d states, "+
		"each read for every byte of text (%s); write + or * for a long run (\"[a-z]{1,64}@\" as \"[a-z]+@\"), "+
		"lower the counts, or start the pattern with a fixed literal that every match has (\"EMP-[0-9]{6}\")",
		regex, cost.States, limit)
}

// maxCustomDetectors bounds `detectors:`. A program's detector set holds the
// built-ins its rules name plus the custom ones, at most detect.MaxDetectors
// in all (compileDetectors checks that); 49 leaves room for the 15 built-ins
// of schema v1's first release.
const maxCustomDetectors = 49

func isBuiltinDetector(name string) bool {
	for _, b := range detect.Builtins() {
		if b == name {
			return true
		}
	}
	return false
}

// decodeDetect checks select.detect and reads select.within into r.
func (d *decoder) decodeDetect(r *ruleSpec, detectNode, withinNode *yaml.Node, remove bool) {
	if detectNode != nil && remove {
		d.errorf(detectNode, "select.detect: remove cannot apply to a span inside a string (use redact)")
	}
	if withinNode == nil {
		return
	}
	if detectNode == nil {
		d.errorf(withinNode, "select.within: scopes detectors, so it needs select.detect")
	}
	if withinNode.Kind == yaml.SequenceNode && len(withinNode.Content) == 0 {
		d.errorf(withinNode, "select.within: empty list (omit it to scan the whole body)")
	}
	for _, it := range d.stringList(withinNode, "select.within") {
		if strings.HasPrefix(it.Value, "$") {
			steps, perr := parsePath(it.Value)
			if perr != nil {
				d.errorAt(it, perr.off, "within %q: %s", it.Value, perr.msg)
				continue
			}
			if d.foldPath(it, "within", steps, r.caseSensitive) {
				r.within = append(r.within, selSpec{steps, it.Value, posOf(it)})
			}
			continue
		}
		k, fits := foldName(it.Value, keyForm(r.caseSensitive))
		switch {
		case !fits:
			d.errorf(it, "within %q: longer than %d bytes once folded", it.Value, maxNameLen)
		case k == "":
			d.errorf(it, "within %q: not a path (want \"$…\") and empty as a key name", it.Value)
		default:
			st := []step{{kind: stepKeys, desc: true, cs: r.caseSensitive, keys: []string{k}}}
			r.within = append(r.within, selSpec{st, it.Value, posOf(it)})
		}
	}
}

// decodeEvidence reads select.evidence into r: the kinds of evidence
// (detect.EvidenceNames) of which a span must have one for the rule to take
// it.
func (d *decoder) decodeEvidence(r *ruleSpec, n, detectNode *yaml.Node) {
	if detectNode == nil {
		d.errorf(n, "select.evidence: filters what detectors find, so it needs select.detect")
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "select.evidence: empty list (omit it to take a span on any evidence)")
	}
	for _, it := range d.stringList(n, "select.evidence") {
		ev, ok := detect.ParseEvidence(it.Value)
		if !ok {
			d.errorf(it, "select.evidence: unknown kind %q (want %s%s)", it.Value, orList(detect.EvidenceNames()), didYouMean(it.Value, detect.EvidenceNames()))
			continue
		}
		r.evidence |= ev
	}
}

// didYouMean returns "; did you mean \"x\"?" for the name of names closest
// to s (at most two edits away, case aside), "" when none is.
func didYouMean(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkDetectorNames reports detector names in select.detect that are
// neither built in nor defined under `detectors:`.
func (d *decoder) checkDetectorNames(s *setSpec) {
	defer func() { d.rule = "" }()
	for _, r := range s.rules {
		d.rule = r.id
		for _, n := range r.detect {
			if _, custom := s.custom[n.Value]; !custom && !isBuiltinDetector(n.Value) {
				known := append(detect.Builtins(), sortedCustom(s.custom)...)
				d.errorf(n, "select.detect: unknown detector %q (not built in and not defined under detectors:)%s", n.Value, didYouMean(n.Value, known))
			}
		}
	}
}

// sortedCustom returns the names of the custom detectors, sorted.
func sortedCustom(custom map[string]detect.Custom) []string {
	names := make([]string, 0, len(custom))
	for n := range custom {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// include reads `include:` and appends the rules of each pack to s, except
// those whose id a rule of s already uses (the user's rule overrides).
func (d *decoder) include(n *yaml.Node, s *setSpec) {
	ids := map[string]bool{}
	for _, r := range s.rules {
		ids[r.id] = true
	}
	seen := map[string]bool{}
	for _, it := range d.stringList(n, "include") {
		name := it.Value
		if seen[name] {
			d.errorf(it, "include: pack %q listed twice", name)
			continue
		}
		seen[name] = true
		src, ok := packs.Get(name)
		if !ok {
			d.errorf(it, "include: unknown pack %q (want %s)", name, orList(packs.Names()))
			continue
		}
		pd, ps := decode("pack "+name, src, nil)
		if err := pd.err(); err != nil {
			d.errorf(it, "include: pack %q: %s", name, pd.list[0].Message)
			continue
		}
		for _, r := range ps.rules {
			if !ids[r.id] {
				r.atInclude(it, name)
				r.shadow = r.shadow || s.shadow
				s.rules = append(s.rules, r)
			}
		}
		if ps.jsonInStrings && !s.jsonInStringsSet {
			// a pack whose locations hold JSON in strings (tool-call
			// arguments) walks it, unless the set decided otherwise
			s.jsonInStrings = true
		}
		d.includeStreamText(s, ps, it)
	}
}

// atInclude points the compile step's diagnostics about r, a rule of pack
// name, at it, the `include:` entry that brought the rule in: the pack's own
// source is not the user's to read.
func (r *ruleSpec) atInclude(it *yaml.Node, name string) {
	r.at, r.pack = posOf(it), name
	for i := range r.sels {
		r.sels[i].at = r.at
	}
	for i := range r.within {
		r.within[i].at = r.at
	}
}

// compileDetectors builds the program's detector set from the detectors its
// rules name and the custom ones, and returns each rule's detector mask. It
// records its mistakes in d, at `detectors:` or at the rule that caused
// them, and reports whether there were none.
func (p *Program) compileDetectors(spec *setSpec, d *decoder) ([]detect.Mask, bool) {
	p.jsonInStrings = spec.jsonInStrings
	var names []string
	for _, r := range spec.rules {
		for _, n := range r.detect {
			names = append(names, n.Value)
		}
	}
	if len(names) == 0 && len(spec.custom) == 0 {
		return make([]detect.Mask, len(spec.rules)), true
	}
	builtins := map[string]bool{}
	for _, n := range names {
		if isBuiltinDetector(n) {
			builtins[n] = true
		}
	}
	at := spec.detectorsAt // where the detectors in use come from
	if at == (srcPos{}) {
		at = spec.includeAt
	}
	if inUse := len(builtins) + len(spec.custom); inUse > detect.MaxDetectors {
		d.addAt(at, "", "detectors: the rules use %d detectors (%d built-in, %d custom), at most %d: drop custom detectors or replace pack rules by id",
			inUse, len(builtins), len(spec.custom), detect.MaxDetectors)
		return nil, false
	}
	set, err := detect.NewSet(names, spec.custom)
	if err != nil {
		d.addAt(at, "", "detectors: %v", err)
		return nil, false
	}
	p.det, p.detNames = set, set.Names()
	p.nameMask = ^detect.Mask(0)
	for _, n := range freeTextDetectors {
		if m, err := set.MaskOf(n); err == nil {
			p.nameMask &^= m
		}
	}
	masks := make([]detect.Mask, len(spec.rules))
	ok := true
	for i, r := range spec.rules {
		for _, n := range r.detect {
			m, err := set.MaskOf(n.Value)
			if err != nil {
				pos := posOf(n)
				if r.pack != "" {
					pos = r.at
				}
				d.addAt(pos, r.id, "select.detect: %v", err)
				ok = false
			}
			masks[i] |= m
		}
	}
	return masks, ok
}
