package rules

import (
	"maps"
	"slices"
	"unicode/utf8"
)

// Labels (member names and array indexes) map to classes: all labels in a
// class behave alike for every selector, so the automaton's transition table
// is indexed by class.
//
// How a member name behaves depends only on its four forms (compile_fold.go): for
// each form, which configured name of that form it equals, if any. That
// configured name is the name's component for the form (numbered from 1, 0
// for none); a member class is a combination of components some name can
// have. The other classes are each index used by a path and any other index.

// classInfo describes the labels of one class.
type classInfo struct {
	isIndex bool
	index   int // the index for an index class, anyIndex for every other index
}

// anyIndex is classInfo.index of the class of the indexes no selector names
// (and, unused, of member classes).
const anyIndex = -1

// formName is a configured name in one form.
type formName struct {
	form nameForm
	name string
}

// classifier maps labels to classes.
type classifier struct {
	names  [numForms][]string            // configured names of each form, component-1 → name
	tables [numForms]nameTable           // configured name → component, for the walk
	first  [numForms][utf8.RuneSelf]bool // ASCII first bytes of the configured names
	byName map[formName][]int32          // the classes whose names equal a configured name
	cased  bool                          // some selector is case_sensitive: classes come from combos
	combos map[[numForms]int32]int32     // with cased: components → class
	// without cased, a name's formPath component decides its class when not
	// 0 (pathClass), and its formKey component otherwise (keyClass)
	pathClass, keyClass []int32
	otherName           int32
	indexClass          []int32 // by index, for indexes used by paths
	otherIndex          int32
	info                []classInfo
}

func newClassifier(sels []selector) *classifier {
	var count [numForms]int // names by form, with repeats: the maps' sizes
	for _, s := range sels {
		for _, st := range s.steps {
			switch st.kind {
			case stepName:
				count[st.form()]++
			case stepKeys:
				count[st.form()] += len(st.keys)
			}
		}
	}
	total := count[0] + count[1] + count[2] + count[3]
	c := &classifier{byName: make(map[formName][]int32, total), combos: make(map[[numForms]int32]int32, total)}
	var sets [numForms]map[string]int32
	for f := range sets {
		sets[f] = make(map[string]int32, count[f])
	}
	maxIndex := -1
	for _, s := range sels {
		for _, st := range s.steps {
			switch st.kind {
			case stepName:
				sets[st.form()][st.name] = 0
			case stepKeys:
				for _, k := range st.keys {
					sets[st.form()][k] = 0
				}
			case stepIndex:
				maxIndex = max(maxIndex, st.index)
			}
		}
	}
	for f, set := range sets {
		c.names[f] = slices.Sorted(maps.Keys(set))
		for i, name := range c.names[f] {
			set[name] = int32(i + 1)
			if name[0] < utf8.RuneSelf {
				// a name led by an ASCII character folds to an ASCII-led
				// form, so forms led by other characters need no entry
				// (mayMatch passes such names)
				c.first[f][name[0]] = true
			}
		}
		c.tables[f] = newNameTable(set)
	}
	c.cased = len(c.names[formPathCS]) > 0 || len(c.names[formKeyCS]) > 0
	comp := func(f nameForm, name string) int32 { return sets[f][name] }
	refold := func(name string, f nameForm) string {
		if s, ok := foldName(name, f); ok {
			return s
		}
		return "" // too long (case folding can lengthen): equals no configured name, as in the walk
	}
	add := func(t [numForms]int32) int32 {
		if id, ok := c.combos[t]; ok {
			return id
		}
		id := int32(len(c.info))
		c.info = append(c.info, classInfo{index: anyIndex})
		c.combos[t] = id
		for f, k := range t {
			if k != 0 {
				fn := formName{nameForm(f), c.names[f][k-1]}
				c.byName[fn] = append(c.byName[fn], id)
			}
		}
		return id
	}
	// Every combination a name can have (forms are nested: the path form
	// of a name decides its key form, its case-sensitive path form decides
	// all four, see compile_fold.go).
	for i, name := range c.names[formPathCS] {
		p := refold(name, formPath)
		add([numForms]int32{comp(formPath, p), int32(i + 1), comp(formKey, refold(p, formKey)), comp(formKeyCS, refold(name, formKeyCS))})
	}
	casedKeys := map[string][]int32{} // formKeyCS components by their formKey form
	for i, name := range c.names[formKeyCS] {
		k := refold(name, formKey)
		casedKeys[k] = append(casedKeys[k], int32(i+1))
	}
	c.pathClass = make([]int32, len(c.names[formPath])+1)
	for i, name := range c.names[formPath] {
		k := refold(name, formKey)
		t := [numForms]int32{formPath: int32(i + 1), formKey: comp(formKey, k)}
		c.pathClass[i+1] = add(t)
		for _, kc := range casedKeys[k] {
			t[formKeyCS] = kc
			add(t)
		}
	}
	for i, name := range c.names[formKeyCS] {
		add([numForms]int32{formKey: comp(formKey, refold(name, formKey)), formKeyCS: int32(i + 1)})
	}
	c.keyClass = make([]int32, len(c.names[formKey])+1)
	for i := range c.names[formKey] {
		c.keyClass[i+1] = add([numForms]int32{formKey: int32(i + 1)})
	}
	c.otherName = add([numForms]int32{})
	c.keyClass[0] = c.otherName
	if maxIndex >= 0 {
		c.indexClass = make([]int32, maxIndex+1)
		for i := range c.indexClass {
			c.indexClass[i] = -1 // not named yet: otherIndex below
		}
		for _, s := range sels {
			for _, st := range s.steps {
				if st.kind == stepIndex && c.indexClass[st.index] < 0 {
					c.info = append(c.info, classInfo{isIndex: true, index: st.index})
					c.indexClass[st.index] = int32(len(c.info) - 1)
				}
			}
		}
	}
	c.info = append(c.info, classInfo{isIndex: true, index: anyIndex})
	c.otherIndex = int32(len(c.info) - 1)
	for i, id := range c.indexClass {
		if id < 0 {
			c.indexClass[i] = c.otherIndex
		}
	}
	return c
}

// classesOf returns the classes of the names that equal name in form f.
func (c *classifier) classesOf(f nameForm, name string) []int32 {
	return c.byName[formName{f, name}]
}

// member returns the class of a member name, given as validated JSON string
// content (esc tells whether it holds escapes). The scratch buffers keep it
// allocation-free.
func (c *classifier) member(raw []byte, esc bool, pathBuf, keyBuf *[maxNameLen]byte) int32 {
	var comp [numForms]int32
	if c.cased {
		c.components(raw, esc, formPathCS, formKeyCS, pathBuf, keyBuf, &comp)
	}
	c.components(raw, esc, formPath, formKey, pathBuf, keyBuf, &comp)
	if !c.cased {
		if comp[formPath] != 0 {
			return c.pathClass[comp[formPath]]
		}
		return c.keyClass[comp[formKey]]
	}
	if id, ok := c.combos[comp]; ok {
		return id
	}
	return c.otherName // unreachable: newClassifier adds every combination a name can have
}

// components folds raw into the path form pf and the key form kf (both
// folding case or neither) and sets their components in comp.
func (c *classifier) components(raw []byte, esc bool, pf, kf nameForm, pathBuf, keyBuf *[maxNameLen]byte, comp *[numForms]int32) {
	wantPath, wantKey := c.mayMatch(pf, kf, raw)
	if !wantPath && !wantKey {
		return
	}
	if !esc && c.asciiComponents(raw, pf, kf, wantPath, wantKey, comp) {
		return
	}
	path, key := formBuf{b: pathBuf[:0]}, formBuf{b: keyBuf[:0]}
	f := folder{foldCase: pf.foldsCase()}
	if wantPath {
		f.path = &path
	}
	if wantKey {
		f.key = &key
	}
	f.raw(raw, esc)
	if wantPath && !path.over {
		comp[pf], _ = c.tables[pf].lookup(path.b)
	}
	if wantKey && !key.over {
		comp[kf], _ = c.tables[kf].lookup(key.b)
	}
}

// asciiComponents is components for a name without escapes, without
// copying: one pass folds and hashes the wanted forms on the fly, and a probe
// compares a configured name with raw the same way (or directly, when the
// form is raw itself). It returns false, having done nothing, when raw is
// not all ASCII.
func (c *classifier) asciiComponents(raw []byte, pf, kf nameForm, wantPath, wantKey bool, comp *[numForms]int32) bool {
	if !wantKey && plainForm(raw, pf.foldsCase()) {
		// the common case: the path form is raw itself
		comp[pf], _ = c.tables[pf].lookup(raw)
		return true
	}
	ascii := &asciiForms[b2i(pf.foldsCase())]
	np, nk := 0, 0
	hp, hk := uint32(fnvOffset), uint32(fnvOffset)
	same := true // every byte is its own form: the path form is raw
	if wantKey {
		for _, b := range raw {
			if b >= utf8.RuneSelf {
				return false
			}
			a := ascii[b]
			if a != b {
				same = false
				if a == 0 {
					continue
				}
			}
			np++
			hp = fnvByte(hp, a)
			if !asciiSeparator[a] {
				nk++
				hk = fnvByte(hk, a)
			}
		}
	} else {
		for _, b := range raw {
			if b >= utf8.RuneSelf {
				return false
			}
			a := ascii[b]
			if a != b {
				same = false
				if a == 0 {
					continue
				}
			}
			np++
			hp = fnvByte(hp, a)
		}
	}
	switch {
	case !wantPath:
	case same:
		comp[pf], _ = c.tables[pf].lookupHashed(raw, hp)
	default:
		comp[pf], _ = c.tables[pf].lookupASCII(raw, ascii, false, np, hp)
	}
	switch {
	case !wantKey:
	case same && nk == np:
		comp[kf], _ = c.tables[kf].lookupHashed(raw, hk)
	default:
		comp[kf], _ = c.tables[kf].lookupASCII(raw, ascii, true, nk, hk)
	}
	return true
}

// plainForm reports whether raw is its own path form: printable ASCII
// (no DEL), and no upper-case letter when the form folds case.
func plainForm(raw []byte, foldCase bool) bool {
	if foldCase {
		for _, b := range raw {
			if b-0x20 >= 0x5F || b-'A' < 26 {
				return false
			}
		}
		return true
	}
	for _, b := range raw {
		if b-0x20 >= 0x5F {
			return false
		}
	}
	return true
}

// mayMatch is a cheap filter before folding, for the path form pf and the
// key form kf (both folding case or neither): false for a form no configured
// name has, or when the first character that survives folding in that form
// is ASCII and starts no configured name of the form.
func (c *classifier) mayMatch(pf, kf nameForm, raw []byte) (path, key bool) {
	path, key = len(c.names[pf]) > 0, len(c.names[kf]) > 0
	if !path && !key {
		return false, false
	}
	ascii := &asciiForms[b2i(pf.foldsCase())]
	pathSeen := false // the path form's first character is known
	for _, b := range raw {
		if b >= utf8.RuneSelf || b == '\\' {
			return path, key // the forms not decided yet may match
		}
		a := ascii[b]
		if a == 0 {
			continue
		}
		if !pathSeen {
			path, pathSeen = path && c.first[pf][a], true
		}
		if !asciiSeparator[a] {
			return path, key && c.first[kf][a]
		}
	}
	return path && pathSeen, false // an empty form: no configured name is
}

// element returns the class of an array index.
func (c *classifier) element(i int) int32 {
	if i < len(c.indexClass) {
		return c.indexClass[i]
	}
	return c.otherIndex
}
