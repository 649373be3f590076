package rules

import (
	"encoding/binary"
	"errors"
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

var errTooComplex = errors.New("the rule set's selectors need too many automaton states; use fewer recursive descents")

// selector is one compiled path (or keys list) of a rule. A within selector
// (from select.within) decides nothing: once complete it stays in every
// state below, enabling its rule's detectors there (see detCtx).
type selector struct {
	rule   int
	steps  []step
	within bool
}

// automaton is the deterministic automaton for the rules of one direction.
type automaton struct {
	cls    *classifier
	n      int     // classes
	trans  []int32 // state*n + class → next state
	decide []int32 // rule index deciding a value reached in the state, -1 for none
	dead   []bool  // no value below can be selected or scanned by a detector
	ctx    []int32 // detector context of the state, indexing ctxs
	ctxs   []detCtx
	// uniName/uniIndex hold the next state for any member/element when all
	// member/element classes agree, -1 otherwise (lets the walk skip classifying).
	uniName, uniIndex []int32
	start             int32
	live              bool // some rule applies to this direction
}

// buildAutomaton runs the subset construction over the selectors' positions.
// global lists the detector rules without select.within, active everywhere.
func buildAutomaton(cls *classifier, sels []selector, global []int, dc *detContexts) (*automaton, error) {
	base := make([]int, len(sels)+1) // position p of selector s is base[s]+i
	for s, sel := range sels {
		base[s+1] = base[s] + len(sel.steps) + 1
	}
	owner := make([]int, base[len(sels)])
	for s := range sels {
		for p := base[s]; p < base[s+1]; p++ {
			owner[p] = s
		}
	}
	// Background positions (a leading descendant step: keys selectors and
	// paths like $..name) stay in every state, so states store only the
	// other positions and the loop below adds the background back.
	var background []int
	isBackground := make([]bool, len(owner))
	for s, sel := range sels {
		if len(sel.steps) > 0 && sel.steps[0].desc {
			background = append(background, base[s])
			isBackground[base[s]] = true
		}
	}
	a := &automaton{cls: cls, n: len(cls.info), live: len(sels) > 0 || len(global) > 0}
	ids := map[string]int32{}
	var sets [][]int
	key := func(set []int) string {
		b := make([]byte, 0, 4*len(set))
		for _, p := range set {
			b = binary.AppendUvarint(b, uint64(p))
		}
		return string(b)
	}
	intern := func(set []int) (int32, error) {
		k := key(set)
		if id, ok := ids[k]; ok {
			return id, nil
		}
		if len(sets) >= maxStates {
			return 0, errTooComplex
		}
		id := int32(len(sets))
		ids[k] = id
		sets = append(sets, set)
		decide, dead := int32(-1), len(background) == 0
		scoped := global[:len(global):len(global)]
		for _, p := range set {
			s := owner[p]
			if i := p - base[s]; i == len(sels[s].steps) {
				if sels[s].within {
					scoped = append(scoped, sels[s].rule)
					continue
				}
				if decide < 0 || int32(sels[s].rule) < decide {
					decide = int32(sels[s].rule)
				}
			} else {
				dead = false
			}
		}
		ctx := dc.intern(scoped)
		a.decide = append(a.decide, decide)
		a.dead = append(a.dead, dead && ctx == 0)
		a.ctx = append(a.ctx, ctx)
		return id, nil
	}
	var start []int
	for s := range sels {
		if !isBackground[base[s]] {
			start = append(start, base[s])
		}
	}
	var err error
	if a.start, err = intern(start); err != nil {
		return nil, err
	}
	// From a state, a position moves the same way on every class (a
	// descendant step stays, a wildcard advances) or on a few classes only
	// (a name, an index, a key set): compute the common part once, then the
	// classes with extra moves.
	extra := make([][]int, len(cls.info))
	var touched []int32
	for q := 0; q < len(sets); q++ {
		var common []int
		touched = touched[:0]
		addExtra := func(c int32, p int) {
			if len(extra[c]) == 0 {
				touched = append(touched, c)
			}
			extra[c] = append(extra[c], p)
		}
		for _, p := range append(background[:len(background):len(background)], sets[q]...) {
			s := owner[p]
			i := p - base[s]
			if i == len(sels[s].steps) {
				if sels[s].within {
					common = append(common, p) // stays: detectors reach everything below
				}
				continue
			}
			st := &sels[s].steps[i]
			if st.desc && !isBackground[p] {
				common = append(common, p)
			}
			switch st.kind {
			case stepWild:
				common = append(common, p+1)
			case stepName:
				for _, c := range cls.classesOf(st.form(), st.name) {
					addExtra(c, p+1)
				}
			case stepIndex:
				addExtra(cls.indexClass[st.index], p+1)
			case stepKeys:
				for _, k := range st.keys {
					for _, c := range cls.classesOf(st.form(), k) {
						addExtra(c, p+1)
					}
				}
			}
		}
		commonID, err := intern(sortedSet(common))
		if err != nil {
			return nil, err
		}
		row := len(a.trans)
		for range cls.info {
			a.trans = append(a.trans, commonID)
		}
		for _, c := range touched {
			next := sortedSet(append(append([]int(nil), common...), extra[c]...))
			extra[c] = extra[c][:0]
			id, err := intern(next)
			if err != nil {
				return nil, err
			}
			a.trans[row+int(c)] = id
		}
	}
	a.ctxs = dc.list
	a.uniName = make([]int32, len(sets))
	a.uniIndex = make([]int32, len(sets))
	for q := range sets {
		a.uniName[q], a.uniIndex[q] = a.uniform(int32(q), false), a.uniform(int32(q), true)
	}
	return a, nil
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
// from state q, or -1 when they differ.
func (a *automaton) uniform(q int32, index bool) int32 {
	next := int32(-1)
	for c := range a.cls.info {
		if a.cls.info[c].isIndex != index {
			continue
		}
		t := a.trans[int(q)*a.n+c]
		if next >= 0 && t != next {
			return -1
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
