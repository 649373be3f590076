package rules

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The selectors of all rules compile into one deterministic automaton per
// direction. Its input is the sequence of labels (member names and array
// indexes) from the root to a value; each label first maps to a class (all
// labels in a class behave alike for every selector), then a table lookup
// gives the next state. A state knows the first rule, in file order, that
// selects a value reached in it, so deciding costs the same for 1 or 1,000
// rules.
//
// Three things keep the automaton about as large as the rule set:
//
//   - A selector that matches one label at any depth (a keys list, $..name,
//     $..*, $..[n]) has no place in the states: its rule is looked up by the
//     label's class at every member and element (automaton.anywhere), so
//     key sets never multiply the states of paths.
//   - A state in which a rule decides is never left (the walk rewrites or
//     skips the value whole), so all states deciding by the same rule are one
//     (decidedState), whatever positions they hold.
//   - A state stores only the classes that do not go to its default next
//     state, packed by row displacement (compile_table.go).
//
// What can still multiply states: a recursive descent (`..`) other than a
// one-step one keeps its place in every state below it, and so does a
// complete within scope; maxStates bounds the result.

// maxStates bounds the states of one automaton that hold positions (its
// decided states, at most one per rule, are not counted).
const maxStates = 1 << 14

// noRule is automaton.decide of a state in which no rule decides a value.
const noRule = -1

// noState stands for no state (in check entries and anyMove).
const noState = -1

// notUniform is automaton.uniName or uniIndex of a state whose next state
// depends on the member's or element's class.
const notUniform = -1

// maxCulprits bounds the rules a tooComplexError names.
const maxCulprits = 5

// tooComplexError says the subset construction outgrew maxStates. sels
// (indexes into the selectors given to buildAutomaton, at most one per rule,
// most present first) are the selectors likeliest to cause the growth.
type tooComplexError struct{ sels []int }

func (e *tooComplexError) Error() string {
	return fmt.Sprintf("the rule set's selectors need more than %d automaton states", maxStates)
}

// advice says how a selector named by a tooComplexError can stop
// multiplying states.
func (sel *selector) advice() string {
	switch {
	case strings.Contains(sel.text, ".."):
		return "use fewer recursive descents"
	case sel.within:
		return "use fewer within scopes"
	}
	return "split the rule set"
}

// selector is one compiled path (or keys list) of a rule. A within selector
// (from select.within) decides nothing: once complete it stays in every
// state below, enabling its rule's detectors there (see detCtx).
type selector struct {
	rule int
	selSpec
	within bool
}

// anywhere reports whether the selector matches one label at any depth and
// decides there (a keys list, $..name, $..*, $..[n]): automaton.anywhere
// holds it, not the states.
func (sel *selector) anywhere() bool {
	return !sel.within && len(sel.steps) == 1 && sel.steps[0].desc
}

// automaton is the deterministic automaton for the rules of one direction.
type automaton struct {
	cls *classifier
	// by state
	decide []int32    // rule index deciding a value reached in the state, noRule for none
	dead   []bool     // no value below can be selected or scanned by a detector
	ctx    []int32    // detector context of the state, indexing ctxs
	row    []stateRow // default next state and where the state's entries start
	// uniName/uniIndex hold the next state for any member/element when all
	// member/element classes agree, notUniform otherwise (lets the walk skip
	// classifying).
	uniName, uniIndex []int32
	// the transitions that differ from the states' deflt, packed by row
	// displacement: entry row[q].base+c holds state q's next state on class
	// c when its check is q
	entries []entry
	// by class, what the anywhere selectors decide for a label of the class
	anywhere []anyMove
	ctxs     []detCtx
	start    int32
	live     bool // some rule applies to this direction
}

// stateRow is where a state goes by default (deflt: on every class the
// table has no entry of the state for) and where its entries start.
type stateRow struct{ deflt, base int32 }

// entry is one transition in the packed table: the next state, for the
// state check.
type entry struct{ check, next int32 }

// anyMove is what the anywhere selectors decide for the labels of a class:
// the first rule in file order (noRule for none) and its decided state.
type anyMove struct{ rule, state int32 }

// step returns the state reached from q through a label of class c: the
// packed table's (or deflt's), unless an anywhere selector of an earlier
// rule decides the label.
func (a *automaton) step(q, c int32) int32 {
	r := a.row[q]
	t := r.deflt
	if i := r.base + c; uint32(i) < uint32(len(a.entries)) {
		if e := a.entries[i]; e.check == q {
			t = e.next
		}
	}
	if m := a.anywhere[c]; m.rule != noRule {
		if d := a.decide[t]; d == noRule || m.rule < d {
			return m.state
		}
	}
	return t
}

// member returns the state reached from q through a member named raw.
func (a *automaton) member(q int32, raw []byte, esc bool, exBuf, normBuf *[maxNameLen]byte) int32 {
	if u := a.uniName[q]; u >= 0 {
		return u
	}
	return a.step(q, a.cls.member(raw, esc, exBuf, normBuf))
}

// element returns the state reached from q through the array element at index i.
func (a *automaton) element(q int32, i int) int32 {
	if u := a.uniIndex[q]; u >= 0 {
		return u
	}
	return a.step(q, a.cls.element(i))
}

// buildAutomaton runs the subset construction over the selectors' positions:
// number the positions, intern the start state, fill the anywhere table,
// then add the transitions of every state in the order states appear,
// interning the states they reach; last, pack the transitions. global lists
// the detector rules without select.within, active everywhere.
func buildAutomaton(cls *classifier, sels []selector, global []int, dc *detContexts) (*automaton, *tooComplexError) {
	b := &subsetBuilder{
		positions: newPositions(sels),
		cls:       cls,
		global:    global,
		dc:        dc,
		a:         &automaton{cls: cls, live: len(sels) > 0 || len(global) > 0},
		ids:       map[string]int32{},
		decided:   map[int32]int32{},
		extra:     make([][]int, len(cls.info)),
	}
	var err *tooComplexError
	if b.a.start, err = b.intern(b.startSet()); err != nil {
		return nil, err
	}
	b.setAnywhere()
	for q := 0; q < len(b.sets); q++ { // b.sets grows as transitions reach new states
		if b.a.decide[q] != noRule {
			continue // never left: the walk decides the value whole
		}
		if err := b.addTransitions(q); err != nil {
			return nil, err
		}
	}
	b.a.ctxs = dc.list
	b.a.pack(b.rows)
	b.a.setUniform(b.rows)
	return b.a, nil
}

// positions numbers the places a selector can be at: position base[s]+i is
// selector s before its step i, and base[s]+len(steps) is selector s
// complete (the value reached is selected). The anywhere selectors are
// numbered too but never placed in a state.
type positions struct {
	sels  []selector
	base  []int // by selector, its first position; base[len(sels)] is the count
	owner []int // by position, its selector
	// background lists the positions of a leading descendant step (paths
	// like $..a.b, within keys) of the selectors that are not anywhere ones:
	// they stay in every state, so states store only the other positions
	// and addTransitions adds the background back.
	background   []int
	isBackground []bool // by position
	// done maps the complete position of a within selector to that of the
	// rule's first within selector (they act alike: the rule's detectors
	// run below), so that states differ by rule, not by scope.
	done map[int]int
	// everywhere: some selector can match below any state (a background
	// position or an anywhere selector), so no state is dead
	everywhere bool
}

// newPositions numbers the positions of sels.
func newPositions(sels []selector) positions {
	base := make([]int, len(sels)+1)
	for s, sel := range sels {
		base[s+1] = base[s] + len(sel.steps) + 1
	}
	owner := make([]int, base[len(sels)])
	for s := range sels {
		for p := base[s]; p < base[s+1]; p++ {
			owner[p] = s
		}
	}
	ps := positions{sels: sels, base: base, owner: owner, isBackground: make([]bool, len(owner)), done: map[int]int{}}
	firstDone := map[int]int{} // by rule, the complete position of its first within selector
	for s := range sels {
		sel := &sels[s]
		switch {
		case sel.anywhere():
			ps.everywhere = true
		case len(sel.steps) > 0 && sel.steps[0].desc:
			ps.background = append(ps.background, base[s])
			ps.isBackground[base[s]] = true
			ps.everywhere = true
		}
		if sel.within {
			end := base[s+1] - 1
			if first, ok := firstDone[sel.rule]; ok {
				ps.done[end] = first
			} else {
				firstDone[sel.rule] = end
			}
		}
	}
	return ps
}

// at returns the selector of position p and the index of its next step
// (len(steps) when it is complete).
func (ps *positions) at(p int) (sel *selector, i int) {
	s := ps.owner[p]
	return &ps.sels[s], p - ps.base[s]
}

// after returns the position that follows p once its step matched.
func (ps *positions) after(p int) int {
	if d, ok := ps.done[p+1]; ok {
		return d
	}
	return p + 1
}

// startSet returns the positions of the start state: every selector before
// its first step, except the background and anywhere ones.
func (ps *positions) startSet() []int {
	var start []int
	for s := range ps.sels {
		if !ps.isBackground[ps.base[s]] && !ps.sels[s].anywhere() {
			start = append(start, ps.base[s])
		}
	}
	return start
}

// transition is one entry of a state's row: the next state on a class.
type transition struct{ class, next int32 }

// subsetBuilder holds the subset construction of one automaton.
type subsetBuilder struct {
	positions
	cls    *classifier
	global []int
	dc     *detContexts
	a      *automaton
	ids    map[string]int32 // by setKey of its positions, an open state's number
	// by state: its positions (sorted, without the background; nil for a
	// decided state), and the transitions that differ from its deflt
	sets    [][]int
	rows    [][]transition
	decided map[int32]int32 // by rule, the state in which it decides
	open    int             // states that are not decided ones, at most maxStates
	// scratch of addTransitions: by class, the positions only that class
	// moves to, and the classes with any
	extra   [][]int
	touched []int32
}

// setKey returns a map key for a sorted set of positions.
func setKey(set []int) string {
	b := make([]byte, 0, 4*len(set))
	for _, p := range set {
		b = binary.AppendUvarint(b, uint64(p))
	}
	return string(b)
}

// intern returns the state of a sorted set of positions, adding it when it
// is new: the decided state of the first rule in file order with a complete
// selector in the set, or else an open state (with what it holds, see
// describe). The set is kept: the caller must not reuse its array.
func (b *subsetBuilder) intern(set []int) (int32, *tooComplexError) {
	if r := b.decision(set); r != noRule {
		return b.decidedState(r), nil
	}
	k := setKey(set)
	if id, ok := b.ids[k]; ok {
		return id, nil
	}
	if b.open >= maxStates {
		return 0, b.tooComplex()
	}
	b.open++
	dead, ctx := b.describe(set)
	id := b.add(set, noRule, dead, ctx)
	b.ids[k] = id
	return id, nil
}

// decidedState returns the state in which rule r decides, adding it when new.
func (b *subsetBuilder) decidedState(r int32) int32 {
	if id, ok := b.decided[r]; ok {
		return id
	}
	id := b.add(nil, r, true, 0)
	b.decided[r] = id
	return id
}

// add appends a state; its deflt is itself until addTransitions sets it (a
// decided state keeps it: the walk never leaves one).
func (b *subsetBuilder) add(set []int, decide int32, dead bool, ctx int32) int32 {
	id := int32(len(b.sets))
	b.sets = append(b.sets, set)
	b.rows = append(b.rows, nil)
	b.a.decide = append(b.a.decide, decide)
	b.a.dead = append(b.a.dead, dead)
	b.a.ctx = append(b.a.ctx, ctx)
	b.a.row = append(b.a.row, stateRow{deflt: id})
	return id
}

// decision returns the first rule in file order with a complete selector
// (within selectors decide nothing) among the positions, noRule for none.
func (b *subsetBuilder) decision(set []int) int32 {
	decide := int32(noRule)
	for _, p := range set {
		if sel, i := b.at(p); i == len(sel.steps) && !sel.within && (decide == noRule || int32(sel.rule) < decide) {
			decide = int32(sel.rule)
		}
	}
	return decide
}

// describe returns, for an open state with the given positions, whether
// nothing below it can be selected or scanned (dead), and its detector
// context (the global detector rules plus those of complete within
// selectors).
func (b *subsetBuilder) describe(set []int) (dead bool, ctx int32) {
	dead = !b.everywhere
	scoped := b.global[:len(b.global):len(b.global)]
	for _, p := range set {
		if sel, i := b.at(p); i < len(sel.steps) {
			dead = false
		} else {
			scoped = append(scoped, sel.rule) // a within selector: describe sees no other complete one
		}
	}
	ctx = b.dc.intern(scoped)
	return dead && ctx == 0, ctx
}

// setAnywhere fills the automaton's anywhere table from the anywhere
// selectors, adding the decided states of their rules.
func (b *subsetBuilder) setAnywhere() {
	a := b.a
	a.anywhere = make([]anyMove, len(b.cls.info))
	for c := range a.anywhere {
		a.anywhere[c] = anyMove{noRule, noState}
	}
	for s := range b.sels {
		sel := &b.sels[s]
		if !sel.anywhere() {
			continue
		}
		mark := func(c int32) {
			if m := &a.anywhere[c]; m.rule == noRule || int32(sel.rule) < m.rule {
				m.rule = int32(sel.rule)
			}
		}
		switch st := &sel.steps[0]; st.kind {
		case stepWild:
			for c := range a.anywhere {
				mark(int32(c))
			}
		case stepIndex:
			mark(b.cls.indexClass[st.index])
		case stepName:
			for _, c := range b.cls.classesOf(st.form(), st.name) {
				mark(c)
			}
		case stepKeys:
			for _, k := range st.keys {
				for _, c := range b.cls.classesOf(st.form(), k) {
					mark(c)
				}
			}
		}
	}
	for c := range a.anywhere {
		if m := &a.anywhere[c]; m.rule != noRule {
			m.state = b.decidedState(m.rule)
		}
	}
}

// addTransitions fills deflt and the row of open state q. From a state, a
// position moves the same way on every class (a descendant step stays, a
// wildcard advances) or on a few classes only (a name, an index, a key set):
// the common moves give the state every class goes to by default, and each
// class with extra moves goes to the common state plus those.
func (b *subsetBuilder) addTransitions(q int) *tooComplexError {
	common := b.moves(q)
	commonID, err := b.intern(sortedSet(common))
	if err != nil {
		return err
	}
	b.a.row[q].deflt = commonID
	slices.Sort(b.touched)
	var row []transition
	for _, c := range b.touched {
		next := sortedSet(append(append([]int(nil), common...), b.extra[c]...))
		b.extra[c] = b.extra[c][:0]
		id, err := b.intern(next)
		if err != nil {
			return err
		}
		if id != commonID {
			row = append(row, transition{c, id})
		}
	}
	b.rows[q] = row
	return nil
}

// moves returns the positions every class moves to from state q (a new
// array, which intern may keep), and leaves in extra and touched the
// positions only some classes move to.
func (b *subsetBuilder) moves(q int) (common []int) {
	b.touched = b.touched[:0]
	for _, p := range append(b.background[:len(b.background):len(b.background)], b.sets[q]...) {
		sel, i := b.at(p)
		if i == len(sel.steps) {
			if sel.within {
				common = append(common, p) // stays: detectors reach everything below
			}
			continue
		}
		st := &sel.steps[i]
		if st.desc && !b.isBackground[p] {
			common = append(common, p)
		}
		switch st.kind {
		case stepWild:
			common = append(common, b.after(p))
		case stepName:
			for _, c := range b.cls.classesOf(st.form(), st.name) {
				b.addExtra(c, b.after(p))
			}
		case stepIndex:
			b.addExtra(b.cls.indexClass[st.index], b.after(p))
		case stepKeys:
			for _, k := range st.keys {
				for _, c := range b.cls.classesOf(st.form(), k) {
					b.addExtra(c, b.after(p))
				}
			}
		}
	}
	return common
}

// addExtra records that class c (and only some classes) moves to position p.
func (b *subsetBuilder) addExtra(c int32, p int) {
	if len(b.extra[c]) == 0 {
		b.touched = append(b.touched, c)
	}
	b.extra[c] = append(b.extra[c], p)
}

// tooComplex names the likely causes of outgrowing maxStates: by the
// number of states holding a position of theirs, the selectors that
// multiply states (a recursive descent, a within scope) present in at least
// a quarter as many states as the most present one, one per rule, at most
// maxCulprits; when none multiplies, the most present selector (the first
// on a tie).
func (b *subsetBuilder) tooComplex() *tooComplexError {
	count := make([]int, len(b.sels))
	for _, set := range b.sets {
		for _, p := range set {
			count[b.owner[p]]++
		}
	}
	order := make([]int, len(b.sels))
	for s := range order {
		order[s] = s
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	err := &tooComplexError{}
	named := map[int]bool{} // rules
	for _, s := range order {
		sel := &b.sels[s]
		if len(err.sels) == maxCulprits || count[s]*4 < count[order[0]] {
			break
		}
		if !named[sel.rule] && (sel.within || sel.hasDescent()) {
			named[sel.rule] = true
			err.sels = append(err.sels, s)
		}
	}
	if len(err.sels) == 0 {
		err.sels = append(err.sels, order[0])
	}
	return err
}

// hasDescent reports whether a step of the selector is a recursive descent.
func (sel *selector) hasDescent() bool {
	return slices.ContainsFunc(sel.steps, func(st step) bool { return st.desc })
}

// sortedSet sorts a set of positions and drops duplicates.
func sortedSet(set []int) []int {
	sort.Ints(set)
	out := set[:0]
	for i, p := range set {
		if i == 0 || p != set[i-1] {
			out = append(out, p)
		}
	}
	return out
}
