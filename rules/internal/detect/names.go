package detect

// Kinds of a word in a group of capitalized words (nameTok.kind).
const (
	tkWord     = iota // a capitalized word
	tkTitle           // Mr., Dr., Frau, Mme, Sra., …
	tkCue             // Dear, Hi, Hello, Regards, Estimado, …: what follows is a name
	tkInitial         // one letter and a dot: the "F." of "John F. Kennedy"
	tkParticle        // van, von, de, del, la, …, between two capitalized words
	tkNoise           // a one-letter word without a dot ("I", "A")
	tkUnread          // not classified yet
)

// nameTok is one word of a group of capitalized words.
type nameTok struct {
	start, end int   // the word, without a dot after it
	kind       uint8 // tk*
	cls        uint8 // the lexicon's classes (lx*)
}

// maxNameGroup bounds the words of a group read at once.
const maxNameGroup = 6

// nameGroup reads the group of capitalized words that starts at t[i] (and
// the particles and initials between them), emits the name it holds, if
// any, and returns the end of the group. lo bounds how far back a cue is
// looked for.
//
// A group is a name when, after its leading titles, greetings and common
// words (Thanks, The, Team):
//   - a title preceded it (Dr. Smith, Frau Weber, Mme Durand): the span
//     is the words after the title (the title stays readable);
//   - a cue preceded it (my name is, I'm, Dear, Hi, Regards, a name key,
//     mein Name ist, je m'appelle, me llamo, Estimado) and its first word is
//     a given name, a surname or a word of no list;
//   - it is a given name followed by a surname, another given name or a
//     capitalized word of no list (John Smith, Jean-Luc Picard), or a
//     word of no list followed by an uncommon surname.
//
// A given name alone is not a name without a cue, nor is a word of the veto
// lists (months, places, brands), and a given name that is more often a
// place or a thing (May, Jordan, Paris, Georgia) only after a cue.
func (sc *scanner) nameGroup(lx *lexicon, i, lo int) int {
	t := sc.t
	var toks [maxNameGroup]nameTok
	n := 0
	j := i
	for n < maxNameGroup {
		end := wordEnd(t, j)
		tk := nameTok{start: j, end: end, kind: tkUnread}
		if at(t, end) == '.' {
			tk = sc.classify(j, end, n == 0)
		}
		toks[n] = tk
		n++
		next := end
		if at(t, end) == '.' {
			if tk.kind != tkTitle && tk.kind != tkInitial {
				break // the end of a sentence
			}
			next++
		}
		if at(t, next) != ' ' {
			break
		}
		k := next + 1
		size, upper := letterAt(t, k)
		if size == 0 {
			break
		}
		if !upper {
			if !particleStart(t[k]) {
				break
			}
			pe := wordEnd(t, k)
			if n == maxNameGroup || !isParticle(t[k:pe]) || at(t, pe) != ' ' {
				break
			}
			if size, upper := letterAt(t, pe+1); size == 0 || !upper {
				break
			}
			toks[n] = nameTok{start: k, end: pe, kind: tkParticle}
			n++
			k = pe + 1
		}
		j = k
	}
	groupEnd := toks[n-1].end
	if toks[n-1].kind == tkParticle {
		n--
	}

	key := sc.hint&HintName != 0
	read, before := false, cueNone // the cue before the group, once read
	cueBefore := func() cue {
		if !read {
			read, before = true, sc.cueBefore(i, lo)
		}
		return before
	}
	// A word alone ("Thanks", "The", "Anna") is a name only after a cue:
	// most groups are such words at the start of a sentence, and this
	// spares them the lexicon.
	if n == 1 && toks[0].kind == tkUnread && !key && cueBefore() == cueNone {
		return groupEnd
	}
	for k := range toks[:n] {
		tk := &toks[k]
		if tk.kind == tkUnread {
			*tk = sc.classify(tk.start, tk.end, k == 0)
		}
		if tk.kind == tkWord {
			w := t[tk.start:tk.end]
			sc.meter.add(len(w) + 8)
			tk.cls = lx.lookup(w)
			if tk.cls&(lxGiven|lxSurname) == 0 && allUpper(w) {
				tk.cls |= lxCommon // an acronym (NL, ACME, HTTP), not a name of no list
			}
		}
	}

	// Each name of the group: after titles, greetings and words that are
	// not names ("Der Kunde Peter Schmidt"), a run of name words.
	for k := 0; k < n; {
		first, last, titled, cued, ok := sc.nameIn(toks[:n], k, key, cueBefore)
		if !ok {
			break
		}
		f := toks[first]
		words := 0
		for _, tk := range toks[first : last+1] {
			if tk.kind == tkWord {
				words++
			}
		}
		var ev Evidence
		switch {
		case words >= 2 && f.kind == tkWord && f.cls&lxGiven != 0 && f.cls&lxVetoName == 0,
			words >= 2 && f.kind == tkWord && f.cls&(lxGiven|lxSurname|lxCommon|lxVetoName) == 0 && uncommonSurname(toks[first+1].cls):
			ev = EvWordlist
			if titled || cued && !key {
				ev |= EvContext
			}
		case titled, cued && !key, first == 0 && cueBefore() == cueStrong:
			ev = EvContext
		case first == 0 && words == 1 && cueBefore() == cueWeak && f.kind == tkWord &&
			f.cls&lxGiven != 0 && f.cls&(lxCommon|lxVetoName) == 0 && !weakCueVeto(t[f.start:f.end]):
			ev = EvContext
		}
		if key {
			ev |= EvKey
		}
		if ev != 0 {
			sc.emitEvidence(kPersonName, f.start, toks[last].end, ev)
		}
		k = last + 1
	}
	return groupEnd
}

// nameIn finds the next run of name words in toks from k: it skips titles
// and greetings (which it reports: titled, cued), particles, and words that
// are not names, and returns the first and last token of the run. cued
// starts as key (a name key is a cue for the whole value); cueBefore tells
// whether a cue precedes the group (only asked for its first word).
func (sc *scanner) nameIn(toks []nameTok, k int, key bool, cueBefore func() cue) (first, last int, titled, cued, ok bool) {
	n := len(toks)
	cued = key
	for ; k < n; k++ {
		tk := &toks[k]
		switch tk.kind {
		case tkTitle:
			titled = true
			continue
		case tkCue:
			cued = true
			continue
		case tkParticle, tkNoise:
			titled, cued = false, key
			continue
		}
		if tk.kind == tkInitial || tk.cls&lxVeto == 0 && tk.cls&(lxGiven|lxSurname|lxVetoName) != 0 {
			break
		}
		if tk.cls&(lxCommon|lxVeto) == 0 && (titled || cued || k+1 < n && uncommonSurname(toks[k+1].cls) || k == 0 && cueBefore() == cueStrong) {
			break
		}
		titled, cued = false, key
	}
	if k == n {
		return 0, 0, false, false, false
	}
	// The name runs on over given names, surnames, initials, particles
	// and words of no list.
	first, last = k, k
	for e := k + 1; e < n; e++ {
		tk := toks[e]
		if tk.kind == tkTitle || tk.kind == tkCue || tk.kind == tkNoise {
			break
		}
		if tk.kind == tkWord && (tk.cls&lxVeto != 0 || tk.cls&lxCommon != 0 && tk.cls&(lxGiven|lxSurname) == 0) {
			break
		}
		if tk.kind != tkParticle {
			last = e
		}
	}
	return first, last, titled, cued, true
}

// weakCueVeto reports whether w, a given name, is more often the name of a
// product after "with", "and", "to" (Julia, Ada and Pascal are also
// programming languages, Claude and Gemini models).
func weakCueVeto(w []byte) bool {
	switch string(w) {
	case "Julia", "Ada", "Pascal", "Claude", "Jasper", "Gemini", "Nova", "Luna", "Athena", "Stella", "Venus":
		return true
	}
	return false
}

// uncommonSurname reports whether a word of classes c is a surname that is
// not also a common word (Smith is one; Brown, White and Miller are
// words too).
func uncommonSurname(c uint8) bool { return c&lxSurname != 0 && c&lxCommon == 0 }

// classify returns the token of the word t[start:end] of a group, its
// lexicon classes not yet looked up (see lookupGroup).
func (sc *scanner) classify(start, end int, first bool) nameTok {
	t := sc.t
	tk := nameTok{start: start, end: end}
	w := t[start:end]
	dot := at(t, end) == '.'
	if len(w) == 1 {
		switch {
		case dot && first && w[0] == 'M':
			tk.kind = tkTitle // French "M. Dupont"
		case dot:
			tk.kind = tkInitial
		default:
			tk.kind = tkNoise
		}
		return tk
	}
	if next := at(t, end); isDigit(next) || next == '_' || next == '@' {
		tk.kind = tkNoise // a code or an identifier ("NL68…", "ABC_DEF")
		return tk
	}
	if len(w) > 12 { // longer than any title or cue
		return tk
	}
	var buf [maxWord]byte
	l, ok := lowerWord(w, &buf)
	if !ok {
		return tk
	}
	switch string(l) {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme", "mlle", "madame",
		"monsieur", "mademoiselle", "sr", "sra", "srta", "señor", "señora", "señorita", "doña", "dña":
		tk.kind = tkTitle
		return tk
	case "dear", "hi", "hello", "hey", "hallo", "hola", "bonjour", "salut", "thanks", "cheers",
		"regards", "sincerely", "liebe", "lieber", "cher", "chère", "estimado", "estimada",
		"querido", "querida", "patient", "patientin", "patiente", "paciente", "i'm":
		tk.kind = tkCue
		return tk
	}
	return tk
}

// allUpper reports whether the ASCII letters of w are all upper-case.
func allUpper(w []byte) bool {
	for _, b := range w {
		if isLower(b) {
			return false
		}
	}
	return true
}

// particleStart reports whether b may start a particle (see isParticle).
func particleStart(b byte) bool {
	switch b {
	case 'v', 'd', 'l', 't', 'y', 'b', 'i', 'a':
		return true
	}
	return false
}

// isParticle reports whether w is a lower-case particle of a surname
// (van, von, de, del, della, da, di, du, la, le, der, den, ter, y, bin).
func isParticle(w []byte) bool {
	switch string(w) {
	case "van", "von", "de", "del", "della", "da", "di", "du", "des", "la", "le", "der", "den",
		"ten", "ter", "y", "bin", "ibn", "al", "dos", "das":
		return true
	}
	return false
}

// cue is how strongly the words before a group say a name follows.
type cue uint8

const (
	cueNone   cue = iota
	cueWeak       // "with", "and", "to", "cc", …: a given name of no other list
	cueStrong     // "my name is", "Dear", "Regards,", …: any name word
)

// strong returns cueStrong when ok.
func strong(ok bool) cue {
	if ok {
		return cueStrong
	}
	return cueNone
}

// cueBefore reports whether the words just before t[i] (back to lo) say
// that a name follows: "my name is", "name is", "this is", "I am", "I'm",
// "call me", "mein Name ist", "ich bin", "je m'appelle", "je suis",
// "me llamo", "mi nombre es", "soy", "Sehr geehrte(r)", a greeting or a
// signature word before a comma or a line break ("Regards,\nAnn"), a label
// ("Name: Ann", "Patient: …", "Contact: …", "Customer: …").
func (sc *scanner) cueBefore(i, lo int) cue {
	t := sc.t
	j := i
	colon := false
	for seps := 0; j > lo && seps < 4; seps++ {
		b := t[j-1]
		if b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == ',' || b == ':' {
			colon = colon || b == ':'
			j--
			continue
		}
		break
	}
	ws := wordStart(t, j, max(lo, j-16))
	sc.meter.add(i - ws)
	w := t[ws:j]
	if len(w) == 0 {
		return cueNone
	}
	prev := func(word string) bool {
		e := ws
		if e > lo && t[e-1] == ' ' {
			e--
		}
		s := wordStart(t, e, max(lo, e-16))
		sc.meter.add(e - s)
		return equalFold(t[s:e], word)
	}
	var buf [maxWord]byte
	l, _ := lowerWord(w, &buf)
	switch string(l) {
	case "dear", "hi", "hello", "hey", "hallo", "hola", "bonjour", "salut", "thanks", "cheers", "regards",
		"best", "sincerely", "yours", "cordialement", "saludos", "atentamente", "grüße", "gruß", "grüsse",
		"liebe", "lieber", "cher", "chère", "estimado", "estimada", "querido", "querida", "geehrte",
		"geehrter", "i'm", "appelle", "llamo", "soy", "named", "called", "signed", "patient", "patientin",
		"patiente", "paciente":
		return cueStrong
	case "name", "nom", "nombre", "contact", "customer", "client", "cliente", "kunde", "kundin", "from", "by":
		if colon {
			return cueStrong
		}
		return cueWeak
	case "with", "and", "to", "cc", "for", "told", "asked", "ask", "met", "contacted", "emailed", "mit", "und",
		"an", "avec", "et", "con", "y", "para":
		return cueWeak
	case "is", "ist":
		return strong(prev("name") || prev("this"))
	case "am":
		return strong(prev("i"))
	case "bin":
		return strong(prev("ich"))
	case "suis":
		return strong(prev("je"))
	case "es":
		return strong(prev("nombre"))
	case "me":
		return strong(prev("call"))
	}
	return cueNone
}
