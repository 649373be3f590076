package rules

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Member names compare by their comparison form ("fold"), computed the same
// way for the names a rule set configures (at compile time, foldName) and for
// the names of a body (in the walk, folder.raw), so that every spelling an
// upstream decoder may bind to the same field selects the same values:
//
//   - JSON escapes are decoded first ("\u0045mail" is "Email");
//   - ignorable characters are dropped: controls (tab, newline, …), format
//     characters (zero-width space, ZWNJ, ZWJ, word joiner U+2060, soft
//     hyphen, BOM, bidi controls, …), the other default-ignorable code points
//     (Hangul fillers, …) and the no-break spaces U+00A0, U+2007 and U+202F;
//   - each character is replaced by its compatibility decomposition (NFKD:
//     full-width "ｅｍａｉｌ", "𝐞𝐦𝐚𝐢𝐥", "ⓔ", the ligature "ﬁ" and the Kelvin sign
//     read as ASCII, Hangul syllables as their jamo), and combining marks are
//     dropped ("é" is "e", "İ" is "I"), except U+0345 (iota subscript), which
//     reads as "ι" as full case folding has it;
//   - unless the rule is case_sensitive, case is folded: each character is
//     replaced by the lower case of its upper case, which is the same for
//     every member of a Unicode case-folding orbit (K, k and the Kelvin sign;
//     S, s and the long s "ſ"), "ß" and "ẞ" read as "ss" (full case folding),
//     and the dotless "ı" as "i" (as .NET and Java compare names);
//   - for keys only, separators are dropped: "_", "-", ".", spaces and every
//     other Unicode dash, connector or space character.
//
// Folding is a fixed point (a form folds to itself), and folding by a form
// that ignores more than another gives the same result from either's output,
// which the classifier relies on (see newClassifier).

// nameForm is one of the four ways member names compare.
type nameForm uint8

const (
	formPath   nameForm = iota // members in select.paths: case-insensitive
	formPathCS                 // members in paths of a case_sensitive rule
	formKey                    // select.keys: case- and separator-insensitive
	formKeyCS                  // keys of a case_sensitive rule: separator-insensitive
	numForms
)

// foldsCase reports whether the form ignores case.
func (f nameForm) foldsCase() bool { return f == formPath || f == formKey }

// dropsSeparators reports whether the form ignores separators.
func (f nameForm) dropsSeparators() bool { return f == formKey || f == formKeyCS }

// pathForm returns the form of path member names for a rule.
func pathForm(caseSensitive bool) nameForm {
	if caseSensitive {
		return formPathCS
	}
	return formPath
}

// keyForm returns the form of key names for a rule.
func keyForm(caseSensitive bool) nameForm {
	if caseSensitive {
		return formKeyCS
	}
	return formKey
}

// asciiForms maps an ASCII byte to itself (index 0, case kept) or to its
// lower case (index 1), and ignorable bytes (controls, DEL) to 0.
var asciiForms = func() (t [2][utf8.RuneSelf]byte) {
	for c := byte(0x20); c < 0x7F; c++ {
		t[0][c], t[1][c] = c, c
		if c >= 'A' && c <= 'Z' {
			t[1][c] = c - 'A' + 'a'
		}
	}
	return
}()

// asciiSeparator reports the ASCII separators keys ignore.
var asciiSeparator = [utf8.RuneSelf]bool{'_': true, '-': true, '.': true, ' ': true}

// isIgnorable reports whether the non-ASCII rune r is dropped from every form.
func isIgnorable(r rune) bool {
	switch r {
	case 0x00A0, 0x2007, 0x202F: // no-break spaces (NFKD would make them spaces)
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point)
}

// isSeparator reports whether the non-ASCII rune r (without decomposition)
// is a separator keys ignore.
func isSeparator(r rune) bool { return unicode.In(r, unicode.Pd, unicode.Pc, unicode.Zs) }

// foldCase returns the case-folded form of a non-ASCII rune without
// decomposition ("ß" is handled by the caller).
func foldCase(r rune) rune {
	if r == 'ı' {
		return 'i'
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// Hangul syllables decompose algorithmically (Unicode §3.12).
const (
	hangulBase   = 0xAC00
	hangulCount  = 11172
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulTCount = 28
	hangulNCount = 588
)

// formBuf collects a form in a fixed array. A form that does not fit is only
// marked: it equals no configured form, which all fit.
type formBuf struct {
	b    []byte // len: the form so far; cap: maxNameLen
	over bool
}

func (f *formBuf) byte(c byte) {
	if len(f.b) < cap(f.b) {
		f.b = append(f.b, c)
	} else {
		f.over = true
	}
}

func (f *formBuf) rune(r rune) {
	if len(f.b)+utf8.RuneLen(r) <= cap(f.b) {
		f.b = utf8.AppendRune(f.b, r)
	} else {
		f.over = true
	}
}

// folder writes the path form and the key form of one name at once, both
// folding case or neither; a nil buffer is a form not wanted.
type folder struct {
	foldCase  bool
	path, key *formBuf
}

// raw folds validated JSON string content (esc tells whether it holds escapes).
func (f *folder) raw(raw []byte, esc bool) {
	ascii := &asciiForms[b2i(f.foldCase)]
	if !esc {
		for i := 0; i < len(raw); {
			if c := raw[i]; c < utf8.RuneSelf {
				f.ascii(ascii[c])
				i++
				continue
			}
			r, size := utf8.DecodeRune(raw[i:])
			f.rune(r)
			i += size
		}
		return
	}
	for i := 0; i < len(raw); {
		if c := raw[i]; c < utf8.RuneSelf && c != '\\' {
			f.ascii(ascii[c])
			i++
			continue
		}
		r, size := nextRune(raw, i)
		if r < utf8.RuneSelf {
			f.ascii(ascii[r])
		} else {
			f.rune(r)
		}
		i += size
	}
}

// text folds decoded text.
func (f *folder) text(s string) {
	ascii := &asciiForms[b2i(f.foldCase)]
	for _, r := range s {
		if r < utf8.RuneSelf {
			f.ascii(ascii[r])
		} else {
			f.rune(r)
		}
	}
}

// ascii writes an ASCII byte already mapped by asciiForms (0: dropped).
func (f *folder) ascii(c byte) {
	if c == 0 {
		return
	}
	if f.path != nil {
		f.path.byte(c)
	}
	if f.key != nil && !asciiSeparator[c] {
		f.key.byte(c)
	}
}

// rune writes a non-ASCII rune: dropped when ignorable, else decomposed.
func (f *folder) rune(r rune) {
	if isIgnorable(r) {
		return
	}
	if r-hangulBase < hangulCount && r >= hangulBase {
		f.hangul(r)
		return
	}
	var enc [utf8.UTFMax]byte
	d := norm.NFKD.Properties(enc[:utf8.EncodeRune(enc[:], r)]).Decomposition()
	if d == nil {
		f.decomposed(r)
		return
	}
	ascii := &asciiForms[b2i(f.foldCase)]
	for i := 0; i < len(d); {
		c, size := utf8.DecodeRune(d[i:])
		i += size
		switch {
		case c < utf8.RuneSelf:
			f.ascii(ascii[c])
		case c-hangulBase < hangulCount && c >= hangulBase:
			f.hangul(c)
		case !isIgnorable(c):
			f.decomposed(c)
		}
	}
}

// hangul writes the jamo of a Hangul syllable.
func (f *folder) hangul(r rune) {
	s := r - hangulBase
	f.decomposed(hangulLBase + s/hangulNCount)
	f.decomposed(hangulVBase + s%hangulNCount/hangulTCount)
	if t := s % hangulTCount; t != 0 {
		f.decomposed(hangulTBase + t)
	}
}

// decomposed writes a non-ASCII rune that has no decomposition: marks are
// dropped, case folded when asked.
func (f *folder) decomposed(r rune) {
	switch {
	case r == 0x0345: // combining iota subscript: a letter for case folding
		r = 'ι'
	case unicode.Is(unicode.M, r):
		return
	}
	if f.foldCase {
		if r = foldCase(r); r == 'ß' {
			f.ascii('s')
			f.ascii('s')
			return
		}
	}
	if f.path != nil {
		f.path.rune(r)
	}
	if f.key != nil && !isSeparator(r) {
		f.key.rune(r)
	}
}

// foldASCIIName is foldName for an ASCII name of at most maxNameLen bytes
// (ok=false for any other): it maps each byte as folder.text does, without
// a buffer of maxNameLen, and returns s itself when s is its own form.
func foldASCIIName(s string, form nameForm) (folded string, ok bool) {
	if len(s) > maxNameLen {
		return "", false
	}
	ascii := &asciiForms[b2i(form.foldsCase())]
	drops := form.dropsSeparators()
	same := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return "", false
		}
		if a := ascii[c]; a != c || a == 0 || drops && asciiSeparator[a] {
			same = false
		}
	}
	if same {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if a := ascii[s[i]]; a != 0 && !(drops && asciiSeparator[a]) {
			b = append(b, a)
		}
	}
	return string(b), true
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// foldName returns the form of a configured member name (decoded text), or
// ok=false when the form is longer than maxNameLen bytes.
func foldName(s string, form nameForm) (folded string, ok bool) {
	if folded, ok := foldASCIIName(s, form); ok {
		return folded, true
	}
	var arr [maxNameLen]byte
	buf := formBuf{b: arr[:0]}
	f := folder{foldCase: form.foldsCase()}
	if form.dropsSeparators() {
		f.key = &buf
	} else {
		f.path = &buf
	}
	f.text(s)
	return string(buf.b), !buf.over
}
