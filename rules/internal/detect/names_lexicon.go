package detect

import (
	_ "embed"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The word lists of person_name and street_address (wordlists/README.md
// says where each comes from): sorted, lower-case, one word a line. They
// stay in the module's read-only data; the first Set that enables either
// detector indexes them (lexiconOnce), so a plugin that never asks for
// names pays nothing at start-up.
var (
	//go:embed wordlists/given.txt
	givenWords string
	//go:embed wordlists/surnames.txt
	surnameWords string
	//go:embed wordlists/common-en.txt
	commonWords string
	//go:embed wordlists/veto.txt
	vetoWords string
	//go:embed wordlists/veto-names.txt
	vetoNameWords string
	//go:embed wordlists/street-en.txt
	streetWords string
)

// Classes of a word in the lexicon, one bit per list.
const (
	lxGiven    uint8 = 1 << iota // a given name
	lxSurname                    // a surname
	lxCommon                     // a common lower-case English word
	lxVeto                       // never a name alone: months, weekdays, places, brands
	lxVetoName                   // a name, but more often a place or a thing (May, Jordan, Paris)
	lxStreet                     // a USPS street suffix or abbreviation
)

// lexiconBits is the size of the lexicon's hash table, 2^16 entries of 4
// bytes for about 45,000 words.
const lexiconBits = 16

// lexicon is an open-addressing hash table over the words of the embedded
// lists: each entry names a list (3 bits), the offset of the word in it
// (21 bits) and 8 bits of the word's hash, so that a probe rarely compares
// bytes. A word in several lists has an entry for each. A lookup hashes
// the word once and probes until an empty entry: about 5 probes at this
// load, whatever the text, so a body made of one name repeated costs what
// prose costs.
type lexicon struct {
	table []uint32
}

// lexiconLists are the embedded lists in the order of their class bits.
var lexiconLists = [...]*string{&givenWords, &surnameWords, &commonWords, &vetoWords, &vetoNameWords, &streetWords}

var (
	lexiconOnce sync.Once
	theLexicon  *lexicon
)

// words returns the lexicon, building it on first use (256 KB; the words
// themselves stay in the module's data).
func words() *lexicon {
	lexiconOnce.Do(func() {
		lx := &lexicon{table: make([]uint32, 1<<lexiconBits)}
		for li, data := range lexiconLists {
			d := *data
			start := 0
			for i := 0; i < len(d); i++ {
				if d[i] != '\n' {
					continue
				}
				if i > start {
					lx.insert(li, start, hashWord([]byte(d[start:i])))
				}
				start = i + 1
			}
		}
		theLexicon = lx
	})
	return theLexicon
}

func (lx *lexicon) insert(list, offset int, h uint32) {
	mask := uint32(len(lx.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		if lx.table[j] == 0 {
			lx.table[j] = h>>24<<24 | uint32(list+1)<<21 | uint32(offset)
			return
		}
	}
}

// hashWord is 32-bit FNV-1a.
func hashWord(w []byte) uint32 {
	h := uint32(2166136261)
	for _, b := range w {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}

// classes returns the lists that hold w (lower-case), as lx* bits.
func (lx *lexicon) classes(w []byte) uint8 {
	h := hashWord(w)
	mask := uint32(len(lx.table) - 1)
	var c uint8
	for j := h & mask; ; j = (j + 1) & mask {
		e := lx.table[j]
		if e == 0 {
			return c
		}
		if e>>24 != h>>24 {
			continue
		}
		list := int(e>>21&7) - 1
		d := *lexiconLists[list]
		off := int(e & (1<<21 - 1))
		if off+len(w) < len(d) && d[off+len(w)] == '\n' && string(w) == d[off:off+len(w)] {
			c |= 1 << list
		}
	}
}

// lookup returns the classes of w (any case): of its lower-case form, and
// for a word of no list ending in 's', lxCommon when its stem is common
// (the list of common words has no plurals).
func (lx *lexicon) lookup(w []byte) uint8 {
	var buf [maxWord]byte
	l, ok := lowerWord(w, &buf)
	if !ok {
		return 0
	}
	c := lx.classes(l)
	if c == 0 && len(l) > 3 && l[len(l)-1] == 's' {
		c = lx.classes(l[:len(l)-1]) & lxCommon
	}
	return c
}

// maxWord is the longest word looked up in the lists.
const maxWord = 32

// lowerWord writes the lower-case form of w into buf and returns it, or
// false when w is longer than buf or not valid UTF-8. A typographic
// apostrophe reads as an ASCII one.
func lowerWord(w []byte, buf *[maxWord]byte) ([]byte, bool) {
	out := buf[:0]
	for i := 0; i < len(w); {
		b := w[i]
		if b < utf8.RuneSelf {
			if isUpper(b) {
				b += 'a' - 'A'
			}
			if len(out) == len(buf) {
				return nil, false
			}
			out = append(out, b)
			i++
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		if r == utf8.RuneError {
			return nil, false
		}
		i += size
		if r == '’' {
			r = '\''
		}
		r = unicode.ToLower(r)
		if len(out)+utf8.RuneLen(r) > len(buf) {
			return nil, false
		}
		out = utf8.AppendRune(out, r)
	}
	return out, true
}
