package rules

import "sort"

// The transition table of an automaton holds, for each state, only the
// classes whose next state differs from the state's default (its row), so
// its size follows the number of selector steps, not states × classes.
// Rows are packed by row displacement (Aho, Sethi and Ullman's "comb"
// compression of scanner tables): each row is placed at an offset base[q]
// where its classes fall on free entries, and an entry records the state it
// belongs to (check), so a lookup stays two loads and a comparison.

// pack stores the rows (by state, each sorted by class) in a.entries and
// sets the states' base: longest rows first, each at the lowest offset
// where it fits.
func (a *automaton) pack(rows [][]transition) {
	var order []int32
	for q, row := range rows {
		if len(row) > 0 {
			order = append(order, int32(q))
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return len(rows[order[i]]) > len(rows[order[j]]) })
	free := 0 // every entry below is taken
	for _, q := range order {
		row := rows[q]
		base := free - int(row[0].class)
		for !a.fits(row, base) {
			base++
		}
		for end := base + int(row[len(row)-1].class); len(a.entries) <= end; {
			a.entries = append(a.entries, entry{noState, noState})
		}
		for _, t := range row {
			a.entries[base+int(t.class)] = entry{q, t.next}
		}
		a.row[q].base = int32(base)
		for free < len(a.entries) && a.entries[free].check != noState {
			free++
		}
	}
	a.entries = a.entries[:len(a.entries):len(a.entries)]
}

// fits reports whether the entries of row at offset base are free.
func (a *automaton) fits(row []transition, base int) bool {
	for _, t := range row {
		if i := base + int(t.class); i < len(a.entries) && a.entries[i].check != noState {
			return false
		}
	}
	return true
}

// setUniform fills uniName and uniIndex; rows are the states' rows as packed.
func (a *automaton) setUniform(rows [][]transition) {
	var k classKinds
	for c := range a.cls.info {
		kind := b2i(a.cls.info[c].isIndex)
		k.count[kind]++
		if a.anywhere[c].rule != noRule {
			k.anywhere[kind] = append(k.anywhere[kind], int32(c))
		}
	}
	a.uniName = make([]int32, len(rows))
	a.uniIndex = make([]int32, len(rows))
	for q := range rows {
		a.uniName[q] = a.uniform(int32(q), rows[q], 0, &k)
		a.uniIndex[q] = a.uniform(int32(q), rows[q], 1, &k)
	}
}

// classKinds counts the classes of each kind (0 member names, 1 indexes)
// and lists those with an anywhere move.
type classKinds struct {
	count    [2]int
	anywhere [2][]int32
}

// uniform returns the common next state of all classes of the kind (0
// member names, 1 indexes) from state q, or notUniform when they differ.
// Only the classes of q's row and those with an anywhere move can differ
// from deflt, so those are compared first; all classes are compared only
// when none goes to deflt.
func (a *automaton) uniform(q int32, row []transition, kind int, k *classKinds) int32 {
	if a.decide[q] != noRule {
		return q // never left (the walk decides first)
	}
	d := a.row[q].deflt
	special := len(k.anywhere[kind]) // classes that may not go to d
	same := true
	for _, t := range row {
		if b2i(a.cls.info[t.class].isIndex) != kind {
			continue
		}
		if a.anywhere[t.class].rule == noRule {
			special++
		}
		same = same && a.step(q, t.class) == d
	}
	for _, c := range k.anywhere[kind] {
		if !same {
			break
		}
		same = a.step(q, c) == d
	}
	switch {
	case same:
		return d
	case special < k.count[kind]:
		return notUniform // a class outside the row and anywhere goes to d, another does not
	}
	next := int32(notUniform)
	for c := range a.cls.info {
		if b2i(a.cls.info[c].isIndex) != kind {
			continue
		}
		if t := a.step(q, int32(c)); next == notUniform {
			next = t
		} else if t != next {
			return notUniform
		}
	}
	return next
}
