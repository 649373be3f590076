package rules

import "unicode/utf8"

// nameTable maps names to classes for the walk. It is a small open-addressing
// table: lookups of member names,
// the hottest operation of a walk, skip the runtime map's machinery.
type nameTable struct {
	slots  []nameSlot // length is a power of two, at most half full
	maxLen int
}

type nameSlot struct {
	name  string
	class int32
	used  bool
}

// hashName is FNV-1a: names are short, and a weak hash would cluster names
// like decoy_11, decoy_12 in the linear probing.
func hashName[T string | []byte](b T) uint32 {
	h := uint32(fnvOffset)
	for i := 0; i < len(b); i++ {
		h = fnvByte(h, b[i])
	}
	return h
}

// FNV-1a, one byte at a time: callers of lookupHashed and lookupASCII hash
// a form as they compute it.
const fnvOffset = 2166136261

func fnvByte(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

// home returns the first slot to probe for a name's hash (high bits mixed in).
func home(hash, mask uint32) uint32 { return (hash ^ hash>>16) & mask }

func newNameTable(m map[string]int32) nameTable {
	size := 4
	for size < 2*len(m) {
		size *= 2
	}
	t := nameTable{slots: make([]nameSlot, size)}
	for name, class := range m {
		h := home(hashName(name), uint32(size-1))
		for t.slots[h].used {
			h = (h + 1) & uint32(size-1)
		}
		t.slots[h] = nameSlot{name: name, class: class, used: true}
		t.maxLen = max(t.maxLen, len(name))
	}
	return t
}

// lookup returns the class of name, or ok=false.
func (t *nameTable) lookup(name []byte) (class int32, ok bool) {
	return t.lookupHashed(name, hashName(name))
}

// lookupHashed is lookup with hashName(name) already computed.
func (t *nameTable) lookupHashed(name []byte, hash uint32) (class int32, ok bool) {
	if len(name) > t.maxLen {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	for h := home(hash, mask); t.slots[h].used; h = (h + 1) & mask {
		if t.slots[h].name == string(name) {
			return t.slots[h].class, true
		}
	}
	return 0, false
}

// lookupASCII looks up the form of the ASCII name raw without building it:
// each byte maps through ascii (0: dropped), separators are dropped with
// seps; n and hash are the form's length and hashName.
func (t *nameTable) lookupASCII(raw []byte, ascii *[utf8.RuneSelf]byte, seps bool, n int, hash uint32) (class int32, ok bool) {
	if n > t.maxLen {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	for h := home(hash, mask); t.slots[h].used; h = (h + 1) & mask {
		if s := &t.slots[h]; len(s.name) == n && equalASCIIForm(s.name, raw, ascii, seps) {
			return s.class, true
		}
	}
	return 0, false
}

// equalASCIIForm reports whether name is the form of raw (see lookupASCII);
// the caller checked the lengths.
func equalASCIIForm(name string, raw []byte, ascii *[utf8.RuneSelf]byte, seps bool) bool {
	j := 0
	for _, b := range raw {
		a := ascii[b]
		if a == 0 || seps && asciiSeparator[a] {
			continue
		}
		if name[j] != a {
			return false
		}
		j++
	}
	return true
}
