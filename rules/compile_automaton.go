package rules

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// The selectors of all rules compile into one deterministic automaton per
// direction. Its input is the sequence of labels (member names and array
// indexes) from the root to a value; each label first maps to a class (all
// labels in a class behave alike for every selector), then one table lookup
// gives the next state. A state knows the first rule, in file order, that
// selects a value reached in it, so deciding costs the same for 1 or 100 rules.

// maxStates bounds the automaton built from one rule set.
const maxStates = 1 << 14

// noRule is automaton.decide of a state in which no rule decides a value.
const noRule = -1

// notUniform is automaton.uniName or uniIndex of a state whose next state
// depends on the member's or element's class.
const notUniform = -1

// tooComplexError says the subset construction outgrew maxStates. sel (an
// index into the selectors given to buildAutomaton) is the selector with a
// position in the most states, the likeliest cause of the growth.
type tooComplexError struct{ sel int }

func (e *tooComplexError) Error() string {
	return fmt.Sprintf("the rule set's selectors need more than %d automaton states; use fewer recursive descents", maxStates)
}

// selector is one compiled path (or keys list) of a rule. A within selector
// (from select.within) decides nothing: once complete it stays in every
// state below, enabling its rule's detectors there (see detCtx).
type selector struct {
	rule int
	selSpec
	within bool
}

// automaton is the deterministic automaton for the rules of one direction.
type automaton struct {
	cls    *classifier
	n      int     // classes
	trans  []int32 // state*n + class → next state
	decide []int32 // rule index deciding a value reached in the state, noRule for none
	dead   []bool  // no value below can be selected or scanned by a detector
	ctx    []int32 // detector context of the state, indexing ctxs
	ctxs   []detCtx
	// uniName/uniIndex hold the next state for any member/element when all
	// member/element classes agree, notUniform otherwise (lets the walk skip
	// classifying).
	uniName, uniIndex []int32
	start             int32
	live              bool // some rule applies to this direction
}

// buildAutomaton runs the subset construction over the selectors' positions:
// number the positions, intern the start state, then add the transitions of
// every state in the order states appear, interning the states they reach.
// global lists the detector rules without select.within, active everywhere.
func buildAutomaton(cls *classifier, sels []selector, global []int, dc *detContexts) (*automaton, *tooComplexError) {
	b := &subsetBuilder{
		positions: newPositions(sels),
		cls:       cls,
		global:    global,
		dc:        dc,
		a:         &automaton{cls: cls, n: len(cls.info), live: len(sels) > 0 || len(global) > 0},
		ids:       map[string]int32{},
		extra:     make([][]int, len(cls.info)),
	}
	var err *tooComplexError
	if b.a.start, err = b.intern(b.startSet()); err != nil {
		return nil, err
	}
	for q := 0; q < len(b.sets); q++ { // b.sets grows as transitions reach new states
		if err := b.addTransitions(q); err != nil {
			return nil, err
		}
	}
	b.a.ctxs = dc.list
	b.a.setUniform()
	return b.a, nil
}

// positions numbers the places a selector can be at: position base[s]+i is
// selector s before its step i, and base[s]+len(steps) is selector s
// complete (the value reached is selected).
type positions struct {
	sels  []selector
	base  []int // by selector, its first position; base[len(sels)] is the count
	owner []int // by position, its selector
	// background lists the positions of a leading descendant step (keys
	// selectors and paths like $..name): they stay in every state, so
	// states store only the other positions and addTransitions adds the
	// background back.
	background   []int
	isBackground []bool // by position
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
	ps := positions{sels: sels, base: base, owner: owner, isBackground: make([]bool, len(owner))}
	for s, sel := range sels {
		if len(sel.steps) > 0 && sel.steps[0].desc {
			ps.background = append(ps.background, base[s])
			ps.isBackground[base[s]] = true
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

// startSet returns the positions of the start state: every selector before
// its first step, except the background ones.
func (ps *positions) startSet() []int {
	var start []int
	for s := range ps.sels {
		if !ps.isBackground[ps.base[s]] {
			start = append(start, ps.base[s])
		}
	}
	return start
}

// subsetBuilder holds the subset construction of one automaton.
type subsetBuilder struct {
	positions
	cls    *classifier
	global []int
	dc     *detContexts
	a      *automaton
	ids    map[string]int32 // by setKey of its positions, a state's number
	sets   [][]int          // by state, its positions (sorted, without the background)
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

// intern returns the state of a sorted set of positions, adding it (with
// what it decides, see describe) when it is new. The set is kept: the
// caller must not reuse its array.
func (b *subsetBuilder) intern(set []int) (int32, *tooComplexError) {
	k := setKey(set)
	if id, ok := b.ids[k]; ok {
		return id, nil
	}
	if len(b.sets) >= maxStates {
		return 0, &tooComplexError{sel: b.mostPresent()}
	}
	id := int32(len(b.sets))
	b.ids[k] = id
	b.sets = append(b.sets, set)
	decide, dead, ctx := b.describe(set)
	b.a.decide = append(b.a.decide, decide)
	b.a.dead = append(b.a.dead, dead)
	b.a.ctx = append(b.a.ctx, ctx)
	return id, nil
}

// describe returns what a state with the given positions decides: the first
// rule in file order with a complete selector (noRule for none), whether
// nothing below it can be selected or scanned (dead), and its detector
// context (the global detector rules plus those of complete within
// selectors).
func (b *subsetBuilder) describe(set []int) (decide int32, dead bool, ctx int32) {
	decide, dead = noRule, len(b.background) == 0
	scoped := b.global[:len(b.global):len(b.global)]
	for _, p := range set {
		sel, i := b.at(p)
		if i < len(sel.steps) {
			dead = false
			continue
		}
		if sel.within {
			scoped = append(scoped, sel.rule)
			continue
		}
		if decide == noRule || int32(sel.rule) < decide {
			decide = int32(sel.rule)
		}
	}
	ctx = b.dc.intern(scoped)
	return decide, dead && ctx == 0, ctx
}

// addTransitions fills the transition row of state q. From a state, a
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
	row := len(b.a.trans)
	for range b.cls.info {
		b.a.trans = append(b.a.trans, commonID)
	}
	for _, c := range b.touched {
		next := sortedSet(append(append([]int(nil), common...), b.extra[c]...))
		b.extra[c] = b.extra[c][:0]
		id, err := b.intern(next)
		if err != nil {
			return err
		}
		b.a.trans[row+int(c)] = id
	}
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
			common = append(common, p+1)
		case stepName:
			for _, c := range b.cls.classesOf(st.form(), st.name) {
				b.addExtra(c, p+1)
			}
		case stepIndex:
			b.addExtra(b.cls.indexClass[st.index], p+1)
		case stepKeys:
			for _, k := range st.keys {
				for _, c := range b.cls.classesOf(st.form(), k) {
					b.addExtra(c, p+1)
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

// mostPresent returns the selector with a position in the most states so
// far (the first in order on a tie): when the states outgrow maxStates, the
// one whose descents multiply them.
func (b *subsetBuilder) mostPresent() int {
	count := make([]int, len(b.sels))
	for _, set := range b.sets {
		for _, p := range set {
			count[b.owner[p]]++
		}
	}
	best := 0
	for s, n := range count {
		if n > count[best] {
			best = s
		}
	}
	return best
}

// setUniform fills uniName and uniIndex from the transitions.
func (a *automaton) setUniform() {
	states := len(a.decide)
	a.uniName = make([]int32, states)
	a.uniIndex = make([]int32, states)
	for q := range states {
		a.uniName[q], a.uniIndex[q] = a.uniform(int32(q), false), a.uniform(int32(q), true)
	}
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

// uniform returns the common next state of all member (or element) classes
// from state q, or notUniform when they differ.
func (a *automaton) uniform(q int32, index bool) int32 {
	next := int32(notUniform)
	for c := range a.cls.info {
		if a.cls.info[c].isIndex != index {
			continue
		}
		t := a.trans[int(q)*a.n+c]
		if next >= 0 && t != next {
			return notUniform
		}
		next = t
	}
	return next
}

// member returns the state reached from q through a member named raw.
func (a *automaton) member(q int32, raw []byte, esc bool, exBuf, normBuf *[maxNameLen]byte) int32 {
	if u := a.uniName[q]; u >= 0 {
		return u
	}
	return a.trans[int(q)*a.n+int(a.cls.member(raw, esc, exBuf, normBuf))]
}

// element returns the state reached from q through the array element at index i.
func (a *automaton) element(q int32, i int) int32 {
	if u := a.uniIndex[q]; u >= 0 {
		return u
	}
	return a.trans[int(q)*a.n+int(a.cls.element(i))]
}
