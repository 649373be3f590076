package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rules that never decide. The first rule in file order whose selector
// matches a value decides it, and nothing inside a decided value is looked
// at again; a detector's span belongs to the first rule naming the
// detector. So an earlier rule A decides everything a part of a later rule
// B selects (a path or keys selector, a detector) when A is in the same
// layer (both enforcing or both shadow), applies in every direction B does,
// is on whenever B is (A has no when/unless, or the same conditions as B),
// and A's selectors cover B's part: A selects every value B's part selects
// or a value around it. Each part is compared with a bounded number of
// earlier selectors found through an index (by first member name, by the
// names a descent or a keys list looks for), so linting stays near-linear
// in the number of rules.

// maxCandidates bounds the earlier selectors (or detector rules) compared
// with one part of a rule.
const maxCandidates = 64

// maxCoverSteps bounds the work of comparing two selectors.
const maxCoverSteps = 512

// selRef is a selector of rule rule, written at at, in an index.
type selRef struct {
	rule  int
	steps []step
	at    srcPos
}

// selIndex finds the earlier selectors that may cover a selector.
type selIndex struct {
	root, wild []selRef            // `$`; those starting with a wildcard, or a descent to one
	first      map[string][]selRef // by first step, a member name or an index
	names      map[string][]selRef // descents to a name, keys lists: by name
}

func newSelIndex() *selIndex {
	return &selIndex{first: map[string][]selRef{}, names: map[string][]selRef{}}
}

// csTag spells a step's case sensitivity in index keys.
func csTag(st *step) string {
	if st.cs {
		return "1"
	}
	return "0"
}

// add indexes the selectors of rule i.
func (x *selIndex) add(i int, sels []selSpec) {
	for _, s := range sels {
		ref := selRef{i, s.steps, s.at}
		if len(s.steps) == 0 {
			x.root = append(x.root, ref)
			continue
		}
		st := &s.steps[0]
		switch {
		case !st.desc && st.kind == stepName:
			x.first["n"+csTag(st)+st.name] = append(x.first["n"+csTag(st)+st.name], ref)
		case !st.desc && st.kind == stepIndex:
			x.first["i"+strconv.Itoa(st.index)] = append(x.first["i"+strconv.Itoa(st.index)], ref)
		case st.desc && st.kind == stepName:
			x.names["d"+csTag(st)+st.name] = append(x.names["d"+csTag(st)+st.name], ref)
		case st.kind == stepKeys:
			for _, k := range st.keys {
				x.names["k"+csTag(st)+k] = append(x.names["k"+csTag(st)+k], ref)
			}
		default:
			x.wild = append(x.wild, ref)
		}
	}
}

// candidates returns the lists of earlier selectors that may cover steps.
func (x *selIndex) candidates(steps []step) [][]selRef {
	lists := [][]selRef{x.root, x.wild}
	if len(steps) > 0 {
		st := &steps[0]
		switch {
		case !st.desc && st.kind == stepName:
			lists = append(lists, x.first["n"+csTag(st)+st.name])
		case !st.desc && st.kind == stepIndex:
			lists = append(lists, x.first["i"+strconv.Itoa(st.index)])
		}
	}
	for i := range steps {
		st := &steps[i]
		switch st.kind {
		case stepName:
			lists = append(lists, x.names["d"+csTag(st)+st.name])
			if k, ok := foldName(st.name, keyForm(st.cs)); ok {
				lists = append(lists, x.names["k"+csTag(st)+k])
			}
		case stepKeys:
			for _, k := range st.keys {
				lists = append(lists, x.names["k"+csTag(st)+k])
			}
		}
	}
	return lists
}

// coverer returns the first rule before rule j that decides every value
// selector s of rule j selects, and where its selector doing so is written;
// -1 when there is none.
func (l *linter) coverer(x *selIndex, views []ruleSpec, j int, s selSpec) (int, srcPos) {
	best, at := -1, srcPos{}
	for _, list := range x.candidates(s.steps) {
		for n, ref := range list {
			if n == maxCandidates || best >= 0 && ref.rule >= best {
				break
			}
			l.work++
			if decidesFirst(&views[ref.rule], &views[j]) && covers(ref.steps, s.steps) {
				best, at = ref.rule, ref.at
				break
			}
		}
	}
	return best, at
}

// detCoverer returns the first rule of owners (rules naming detector name,
// without within) that takes every span of it rule j could take, and where
// it names the detector; -1 when there is none.
func (l *linter) detCoverer(owners []int, name string, views []ruleSpec, j int) (int, srcPos) {
	b := &views[j]
	for n, i := range owners {
		if n == maxCandidates {
			break
		}
		l.work++
		a := &views[i]
		if decidesFirst(a, b) && (a.evidence == 0 || b.evidence != 0 && b.evidence&^a.evidence == 0) {
			at := a.at
			for _, n := range a.detect {
				if n.Value == name && a.pack == "" {
					at = posOf(n)
				}
			}
			return i, at
		}
	}
	return -1, srcPos{}
}

// decidesFirst reports whether rule a, written before b, is active
// wherever b is: same layer, every direction of b, and no conditions or
// the same ones (a rule that weakens protection reads an uncertain
// condition against itself, so it is on in fewer exchanges than one that
// does not).
func decidesFirst(a, b *ruleSpec) bool {
	if a.shadow != b.shadow || b.request && !a.request || b.response && !a.response {
		return false
	}
	if a.cond == nil {
		return true
	}
	if b.cond == nil || a.cond.weakens && !b.cond.weakens {
		return false
	}
	return sameAtoms(a.cond.when, b.cond.when) && sameAtoms(a.cond.unless, b.cond.unless)
}

// sameAtoms reports whether two lists of condition atoms hold the same ones.
func sameAtoms(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// covers reports whether selector a selects every value selector b
// selects, or a value around it. It may answer false when unsure.
func covers(a, b []step) bool {
	budget := maxCoverSteps
	return coversFrom(a, b, &budget)
}

func coversFrom(a, b []step, budget *int) bool {
	if *budget--; *budget < 0 {
		return false
	}
	if len(a) == 0 {
		return true // a selected b's value or one around it
	}
	if len(b) == 0 {
		return false
	}
	sa, sb := &a[0], &b[0]
	if sa.desc {
		// a's descent matches at b's step, or passes over it
		return stepCovers(sa, sb) && coversFrom(a[1:], b[1:], budget) || coversFrom(a, b[1:], budget)
	}
	if sb.desc {
		// b's descent may cross any number of levels first: only a
		// wildcard ending a follows it
		return sa.kind == stepWild && len(a) == 1
	}
	return stepCovers(sa, sb) && coversFrom(a[1:], b[1:], budget)
}

// stepCovers reports whether step a matches every member or element step
// b matches (at one level).
func stepCovers(a, b *step) bool {
	if a.kind == stepWild {
		return true
	}
	if a.cs != b.cs && b.kind != stepIndex && b.kind != stepWild {
		return false
	}
	switch a.kind {
	case stepName:
		return b.kind == stepName && a.name == b.name
	case stepIndex:
		return b.kind == stepIndex && a.index == b.index
	case stepKeys:
		switch b.kind {
		case stepName:
			k, ok := foldName(b.name, keyForm(b.cs))
			return ok && contains(a.keys, k)
		case stepKeys:
			for _, k := range b.keys {
				if !contains(a.keys, k) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// shadowPart is a part of a rule (a selector or a detector), written at
// at, and the rule that decides it first (-1: none), whose selector doing
// so is written at byAt.
type shadowPart struct {
	text string
	at   srcPos
	by   int
	byAt srcPos
}

// shadowing warns about the set's rules and selectors that never decide
// anything because earlier rules always decide first (unreachable-rule,
// duplicate-rule), and about the set's rules that take part of an
// included pack's rule over (pack-rule-overridden).
func (l *linter) shadowing() {
	views := make([]ruleSpec, len(l.rules)) // header rules as rules over their headers
	header := make([]bool, len(l.rules))
	for i := range l.rules {
		views[i] = l.rules[i]
		if header[i] = views[i].headers.selects(); header[i] {
			views[i] = views[i].overHeaders()
		}
	}
	idx := [2]*selIndex{newSelIndex(), newSelIndex()} // body, headers
	owners := [2]map[string][]int{{}, {}}
	for j := range views {
		b := &views[j]
		dom := 0
		if header[j] {
			dom = 1
		}
		b.sels = l.splitKeys(j, b.sels)
		var parts []shadowPart
		for _, s := range b.sels {
			by, byAt := l.coverer(idx[dom], views, j, s)
			parts = append(parts, shadowPart{partText(s, header[j]), s.at, by, byAt})
		}
		// the detectors of a rule whose within is all decided whole never run
		inside, insideAt := -1, srcPos{}
		for k, s := range b.within {
			c, at := l.coverer(idx[dom], views, j, s)
			if c < 0 {
				inside = -1
				break
			}
			if k == 0 {
				insideAt = at
			}
			inside = max(inside, c)
		}
		for _, n := range b.detect {
			by, byAt := inside, insideAt
			if by < 0 {
				by, byAt = l.detCoverer(owners[dom][n.Value], n.Value, views, j)
			}
			at := posOf(n)
			if b.pack != "" {
				at = b.at
			}
			parts = append(parts, shadowPart{"detector " + n.Value, at, by, byAt})
		}
		l.reportShadow(j, views, parts)
		idx[dom].add(j, b.sels)
		if b.within == nil {
			for _, n := range b.detect {
				owners[dom][n.Value] = append(owners[dom][n.Value], j)
			}
		}
	}
}

// reportShadow warns about the parts of rule j that earlier rules decide.
func (l *linter) reportShadow(j int, views []ruleSpec, parts []shadowPart) {
	b := &views[j]
	covered, by := 0, []int{}
	for _, p := range parts {
		if p.by >= 0 {
			covered++
			if !slices.Contains(by, p.by) {
				by = append(by, p.by)
			}
		}
	}
	if covered == 0 {
		return
	}
	if b.pack != "" {
		l.reportPack(j, views, parts)
		return
	}
	if covered < len(parts) {
		for _, p := range parts {
			if p.by >= 0 {
				l.warn(p.at, b.id, lintUnreachable, "%s never applies: %s decides every value it selects before this rule (the first matching rule in file order decides); drop it here, or move this rule above", p.text, l.ruleRef(p.by, views))
			}
		}
		return
	}
	if len(by) == 1 && sameSelectors(&views[by[0]], b) {
		a := &views[by[0]]
		if sameAction(a, b) {
			l.warn(b.at, b.id, lintDuplicate, "duplicates rule %q (line %d): the same selectors and action, decided there first; delete one", a.id, l.idLine(by[0]))
			return
		}
		l.warn(b.at, b.id, lintUnreachable, "selects the same values as rule %q (line %d), which decides them first (%s): this %s never applies; move it above rule %q to take effect", a.id, l.idLine(by[0]), a.act.kind, b.act.kind, a.id)
		return
	}
	refs := make([]string, 0, len(by))
	for _, i := range by {
		refs = append(refs, l.ruleRef(i, views))
	}
	verb := "decides"
	if len(refs) > 1 {
		verb = "decide"
	}
	l.warn(b.at, b.id, lintUnreachable, "never applies: %s %s every value it selects before it (the first matching rule in file order decides); move it above, narrow the earlier rule, or delete it", joinAnd(refs), verb)
}

// reportPack warns, at each rule of the set that takes part of pack rule j
// over with another action, what it takes over. A keep rule is how a set
// carves exceptions out of a pack, and is not reported.
func (l *linter) reportPack(j int, views []ruleSpec, parts []shadowPart) {
	b := &views[j]
	var users []int
	all := true
	for _, p := range parts {
		all = all && p.by >= 0
		if a := p.by; a >= 0 && a < len(l.nodes) && views[a].act.kind != actKeep && !sameAction(&views[a], b) && !slices.Contains(users, a) {
			users = append(users, a)
		}
	}
	for _, a := range users {
		var took []string
		at := srcPos{}
		for _, p := range parts {
			if p.by == a {
				took = append(took, p.text)
				if at == (srcPos{}) {
					at = p.byAt
				}
			}
		}
		what := "all"
		if !all || len(took) < len(parts) {
			what = joinAnd(took)
		}
		l.warn(at, views[a].id, lintPackOverride, "takes %s of pack rule %q (include: %s) over: this rule decides first, with %s instead of the pack's %s; to change the pack rule, give this rule its id %q (it then replaces the pack rule whole), or narrow this rule", what, b.id, b.pack, views[a].act.kind, b.act.kind, b.id)
	}
}

// ruleRef names rule i for a message: `rule "a" (line 4, redact)`.
func (l *linter) ruleRef(i int, views []ruleSpec) string {
	return fmt.Sprintf("rule %q (line %d, %s)", views[i].id, l.idLine(i), views[i].act.kind)
}

// sameSelectors reports whether two rules select with the same selectors,
// detectors and within entries (as written).
func sameSelectors(a, b *ruleSpec) bool {
	texts := func(s []selSpec) []string {
		out := make([]string, len(s))
		for i := range s {
			out[i] = s[i].text
		}
		slices.Sort(out)
		return out
	}
	names := func(r *ruleSpec) []string {
		out := make([]string, len(r.detect))
		for i, n := range r.detect {
			out[i] = n.Value
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(texts(a.sels), texts(b.sels)) && slices.Equal(texts(a.within), texts(b.within)) &&
		slices.Equal(names(a), names(b)) && a.evidence == b.evidence
}

// sameAction reports whether two rules do the same to what they decide,
// as far as Lint can tell: the same action, and for redact and mask the
// same options.
func sameAction(a, b *ruleSpec) bool {
	if a.act.kind != b.act.kind {
		return false
	}
	switch ra := a.act.rw.(type) {
	case *redact:
		rb, ok := b.act.rw.(*redact)
		return ok && string(ra.with) == string(rb.with)
	case *mask:
		mb, ok := b.act.rw.(*mask)
		return ok && ra.first == mb.first && ra.last == mb.last && ra.r == mb.r
	}
	return a.act.kind == actKeep || a.act.kind == actRemove
}

// splitKeys returns the selectors of rule j with each keys list split into
// one selector per key, spelled and placed as written in the set's own
// rules (a pack rule's keys are named in their key form, at its include
// entry), so that a rule taking one key of a list over is found.
func (l *linter) splitKeys(j int, sels []selSpec) []selSpec {
	var items []*yaml.Node
	if j < len(l.nodes) {
		items = scalars(get(get(l.nodes[j], "select"), "keys"))
	}
	var out []selSpec
	for _, s := range sels {
		if len(s.steps) != 1 || s.steps[0].kind != stepKeys {
			out = append(out, s)
			continue
		}
		st := s.steps[0]
		for i, k := range st.keys {
			one := st
			one.keys = []string{k}
			part := selSpec{steps: []step{one}, text: "key " + strconv.Quote(k), at: s.at}
			if len(items) == len(st.keys) {
				part.text, part.at = "key "+strconv.Quote(items[i].Value), posOf(items[i])
			}
			out = append(out, part)
		}
	}
	return out
}

// partText names a selector in messages: `path "$.a"`, `keys [a, b]`,
// `header "x-a"`.
func partText(s selSpec, header bool) string {
	switch {
	case header:
		return "header " + strconv.Quote(s.text)
	case strings.HasPrefix(s.text, "$"):
		return "path " + strconv.Quote(s.text)
	}
	return s.text // key "a"
}

// joinAnd joins items as `a, b and c`, naming at most three and how many more.
func joinAnd(items []string) string {
	if len(items) > 3 {
		items = append(items[:3:3], fmt.Sprintf("%d more", len(items)-3))
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
