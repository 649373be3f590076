package rules

import (
	"sort"
	"unicode/utf8"
)

// Labels (member names and array indexes) map to classes: all labels in a
// class behave alike for every selector, so the automaton's transition table
// is indexed by class. Classes are each exact member name used by a path,
// each normalized key name, each index used, any other name and any other index.

// classInfo describes the labels of one class.
type classInfo struct {
	isIndex bool
	index   int // the index for an index class, -1 for "any other index"
	hasName bool
	name    string // the exact member name, when hasName
	hasKey  bool
	key     string // the normalized key name, when hasKey
}

// classifier maps labels to classes.
type classifier struct {
	exact      map[string]int32 // exact member names used by paths
	norm       map[string]int32 // normalized key names of keys: selectors
	exactTable nameTable        // exact, for the walk
	normTable  nameTable        // norm, for the walk
	normFirst  [128]bool        // first bytes of the ASCII-led normalized key names
	otherName  int32
	indexClass []int32 // by index, for indexes used by paths
	otherIndex int32
	info       []classInfo
}

func newClassifier(sels []selector) *classifier {
	c := &classifier{exact: map[string]int32{}, norm: map[string]int32{}}
	keys := map[string]bool{}
	maxIndex := -1
	for _, s := range sels {
		for _, st := range s.steps {
			switch st.kind {
			case stepKeys:
				for _, k := range st.keys {
					keys[k] = true
				}
			case stepIndex:
				maxIndex = max(maxIndex, st.index)
			}
		}
	}
	add := func(ci classInfo) int32 {
		c.info = append(c.info, ci)
		return int32(len(c.info) - 1)
	}
	for _, s := range sels {
		for _, st := range s.steps {
			if st.kind != stepName {
				continue
			}
			if _, dup := c.exact[st.name]; dup {
				continue
			}
			ci := classInfo{index: -1, hasName: true, name: st.name}
			if k := normalizeKey(st.name); keys[k] {
				ci.hasKey, ci.key = true, k
			}
			c.exact[st.name] = add(ci)
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		c.norm[k] = add(classInfo{index: -1, hasKey: true, key: k})
	}
	c.otherName = add(classInfo{index: -1})
	if maxIndex >= 0 {
		c.indexClass = make([]int32, maxIndex+1)
		for i := range c.indexClass {
			c.indexClass[i] = -1
		}
		for _, s := range sels {
			for _, st := range s.steps {
				if st.kind == stepIndex && c.indexClass[st.index] < 0 {
					c.indexClass[st.index] = add(classInfo{isIndex: true, index: st.index})
				}
			}
		}
	}
	c.otherIndex = add(classInfo{isIndex: true, index: -1})
	for i, id := range c.indexClass {
		if id < 0 {
			c.indexClass[i] = c.otherIndex
		}
	}
	c.exactTable, c.normTable = newNameTable(c.exact), newNameTable(c.norm)
	for k := range c.norm {
		// a name led by an ASCII character normalizes to an ASCII-led name,
		// so keys led by other characters need no entry (mayBeKey passes them)
		if k[0] < utf8.RuneSelf {
			c.normFirst[k[0]] = true
		}
	}
	return c
}

// member returns the class of a member name, given as validated JSON string
// content (esc tells whether it holds escapes). The scratch buffers keep it
// allocation-free.
func (c *classifier) member(raw []byte, esc bool, exBuf, normBuf *[maxNameLen]byte) int32 {
	if len(c.exact) > 0 {
		name, ok := raw, true
		if esc {
			name, ok = unescapeRaw(exBuf[:], raw)
		}
		if ok {
			if id, found := c.exactTable.lookup(name); found {
				return id
			}
		}
	}
	if len(c.norm) > 0 && c.mayBeKey(raw) {
		if n, ok := normalizeRaw(normBuf[:], raw); ok {
			if id, found := c.normTable.lookup(n); found {
				return id
			}
		}
	}
	return c.otherName
}

// mayBeKey is a cheap filter before normalizing: false when the first
// character that survives normalization is ASCII and starts no key name.
func (c *classifier) mayBeKey(raw []byte) bool {
	for _, b := range raw {
		if b >= utf8.RuneSelf || b == '\\' {
			return true
		}
		if f := asciiFold[b]; f != 0 {
			return c.normFirst[f]
		}
	}
	return true
}

// element returns the class of an array index.
func (c *classifier) element(i int) int32 {
	if i < len(c.indexClass) {
		return c.indexClass[i]
	}
	return c.otherIndex
}
