package rules

import "strings"

// Most conditions compare an attribute with a list of exact values: a
// method, a host name, a header's or claim's value. Evaluating them one by
// one costs a comparison per atom; the index turns each into one map
// lookup per attribute value, whatever the number of atoms. Atoms with a
// glob, a presence test or another kind are evaluated one by one
// (condEnv.eval), which is also the reference the index is tested against.

// condIndex finds the atoms an attribute value satisfies.
type condIndex struct {
	method      map[string][]int32 // upper-case method → the method atoms listing it
	methodAtoms []int32
	host        map[string][]int32 // lower-case host → the host atoms listing it (exactly)
	hostAtoms   []int32
	pathExact   map[string][]int32 // lower-case path → the path atoms with that glob (no "*")
	pathPrefix  map[string][]int32 // lower-case prefix → the path atoms with that prefix glob ("/a/**")
	pathAtoms   []int32
	header      []valueIndex // by header slot: its atoms testing equality
	claim       []valueIndex // by claim slot: its atoms testing equality
	slow        []int32      // the other atoms, grouped by kind
}

// valueIndex maps the values of one header or claim to the atoms (of
// atoms) that equal them.
type valueIndex struct {
	byValue map[string][]int32
	atoms   []int32
}

// newCondIndex indexes the atoms; header and claim slots must be numbered.
func newCondIndex(atoms []atom, headerSlots, claimSlots int) *condIndex {
	ix := &condIndex{method: map[string][]int32{}, host: map[string][]int32{}, pathExact: map[string][]int32{}, pathPrefix: map[string][]int32{},
		header: make([]valueIndex, headerSlots), claim: make([]valueIndex, claimSlots)}
	add := func(m map[string][]int32, keys []string, id int32) {
		for _, k := range keys {
			if l := m[k]; len(l) == 0 || l[len(l)-1] != id {
				m[k] = append(l, id)
			}
		}
	}
	addValue := func(vi *valueIndex, keys []string, id int32) {
		if vi.byValue == nil {
			vi.byValue = map[string][]int32{}
		}
		add(vi.byValue, keys, id)
		vi.atoms = append(vi.atoms, id)
	}
	for _, id := range byKind(atoms) {
		a := &atoms[id]
		equals := a.vm.present == 0 && a.vm.globs == nil
		switch {
		case a.kind == condMethod:
			add(ix.method, a.list, id)
			ix.methodAtoms = append(ix.methodAtoms, id)
		case a.kind == condHost && !hasGlob(a.list):
			add(ix.host, a.list, id)
			ix.hostAtoms = append(ix.hostAtoms, id)
		case a.kind == condPath && simplePaths(a.paths):
			for _, g := range a.paths {
				key := string(asciiCase(nil, g.prefix, 'A', 'Z'))
				if g.kind == globExact {
					add(ix.pathExact, []string{key}, id)
				} else {
					add(ix.pathPrefix, []string{key}, id)
				}
			}
			ix.pathAtoms = append(ix.pathAtoms, id)
		case a.kind == condHeader && equals:
			addValue(&ix.header[a.hslot], a.vm.equals, id)
		case a.kind == condClaim && equals:
			addValue(&ix.claim[a.slot], a.vm.equals, id)
		default:
			ix.slow = append(ix.slow, id)
		}
	}
	return ix
}

// simplePaths reports whether every glob is exact or a prefix glob.
func simplePaths(globs []pathGlob) bool {
	for _, g := range globs {
		if g.kind == globGeneral {
			return false
		}
	}
	return true
}

// hasGlob reports whether a pattern of the list holds a "*".
func hasGlob(list []string) bool {
	for _, s := range list {
		for i := 0; i < len(s); i++ {
			if s[i] == '*' {
				return true
			}
		}
	}
	return false
}

// eval sets vals of the indexed atoms, and of the others by
// condEnv.eval.
func (ix *condIndex) eval(e *condEnv, atoms []atom, consent *consentSource, vals []tri) {
	for _, i := range ix.slow {
		vals[i] = e.eval(&atoms[i], consent)
	}
	r := e.req
	set := func(ids []int32, v tri) {
		for _, i := range ids {
			vals[i] = v
		}
	}
	if len(ix.methodAtoms) > 0 {
		set(ix.methodAtoms, triNo)
		if r != nil {
			set(ix.method[string(e.method())], triYes)
		}
	}
	if len(ix.hostAtoms) > 0 {
		set(ix.hostAtoms, triNo)
		if r != nil {
			if h := e.hostLower(); len(h) > 0 {
				set(ix.host[string(h)], triYes)
			}
		}
	}
	if len(ix.pathAtoms) > 0 {
		ix.paths(e, atoms, consent, vals)
	}
	for s := range ix.header {
		vi := &ix.header[s]
		if len(vi.atoms) == 0 {
			continue
		}
		a := &atoms[vi.atoms[0]]
		if r == nil {
			set(vi.atoms, absent(a.identity))
			continue
		}
		hs := e.header(a)
		switch {
		case hs.n == 1:
			set(vi.atoms, triNo)
			set(vi.byValue[strings.TrimSpace(r.Headers[hs.first][1])], triYes)
		case a.identity:
			set(vi.atoms, triUnknown)
		case hs.n == 0:
			set(vi.atoms, triNo)
		default: // sent more than once: each value counts
			for _, i := range vi.atoms {
				vals[i] = headerAtom(&atoms[i], r.Headers, hs)
			}
		}
	}
	for s := range ix.claim {
		vi := &ix.claim[s]
		if len(vi.atoms) == 0 {
			continue
		}
		if !e.claimsValid() {
			set(vi.atoms, triUnknown)
			continue
		}
		sl := e.claimSlot(&atoms[vi.atoms[0]])
		if !sl.ok {
			set(vi.atoms, triUnknown)
			continue
		}
		set(vi.atoms, triNo)
		for _, el := range (*e.elems)[sl.first:sl.end] {
			set(vi.byValue[string(el.text)], triYes)
		}
	}
}

// absent returns the value of an equality test on an absent header:
// triUnknown for a trusted (identity) header, triNo otherwise.
func absent(identity bool) tri {
	if identity {
		return triUnknown
	}
	return triNo
}

// paths sets the values of the indexed path atoms: by lookups when the
// path has one sure reading, one by one otherwise (several readings are
// counted per atom).
func (ix *condIndex) paths(e *condEnv, atoms []atom, consent *consentSource, vals []tri) {
	if r := e.req; r == nil || r.Path == "" {
		for _, i := range ix.pathAtoms {
			vals[i] = triNo
		}
		return
	}
	e.readPath()
	if !e.pathSure || e.pathN != 1 {
		for _, i := range ix.pathAtoms {
			vals[i] = e.eval(&atoms[i], consent)
		}
		return
	}
	for _, i := range ix.pathAtoms {
		vals[i] = triNo
	}
	read := e.pathReads[0]
	if len(read) > cap(e.caseBuf)-maxMethodLen-maxHostLen {
		for _, i := range ix.pathAtoms { // too long for the buffer: one by one
			vals[i] = e.eval(&atoms[i], consent)
		}
		return
	}
	low := asciiCase(e.caseBuf[maxMethodLen+maxHostLen:maxMethodLen+maxHostLen], read, 'A', 'Z')
	for _, id := range ix.pathExact[string(low)] {
		vals[id] = triYes
	}
	for n := 0; n <= len(low); n++ {
		if n == len(low) || low[n] == '/' {
			for _, id := range ix.pathPrefix[string(low[:n])] {
				vals[id] = triYes
			}
		}
	}
}
