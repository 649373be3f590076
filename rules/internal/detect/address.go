package detect

import "unicode/utf8"

// address looks for a street address around the house number (or PO box
// number) that starts at t[i]; lo is the end of the previous digit run (the
// street before a number is read back no further). It emits the address and
// returns where the scan resumes: after the address, or after the number.
//
// Forms: number first, then a street name and a street type (English,
// "123 Main Street", "1600 Pennsylvania Avenue NW") or a street type and a
// name (French, Spanish: "12 rue de la Paix"); a street then the number
// (German, Spanish: "Hauptstraße 5", "Bahnhofstr. 12a", "Berliner Straße
// 5", "Calle Mayor 10", "Avenida de América 5"); a PO box ("P.O. Box 123",
// "Postfach 12 34", "BP 123", "Apartado 45"). Each may be followed by
// units ("Apt 4B", "Suite 200", "#12", "3º B") and a city and postcode
// (", Springfield, IL 62704", ", 10115 Berlin", " SW1A 1AA"), which the
// span then covers.
func (sc *scanner) address(lx *lexicon, i, lo int) int {
	t := sc.t
	ne := houseNumberEnd(t, i)
	if ne < 0 {
		return i + 1
	}
	// What can come before ("Straße 5", "Box 5", "Mayor, 10", "Str. 5")
	// or after ("5 Main", "5, rue", "5 5th") the number, tested here
	// before reading words: most numbers of prose have neither.
	var start, end int
	var box, ok bool
	if b := at(t, i-2); at(t, i-1) == ' ' && (isAlpha(b) || b == '.' || b == ',' || b >= 0x80) {
		if j := i - 1; j > lo && isLower(b) && plainWordBefore(t, j, lo) {
			sc.meter.add(min(j-lo, 64)) // what streetBefore charges to reject it
		} else {
			start, box, ok = sc.streetBefore(lx, i, lo)
		}
	}
	if ok && box {
		end = postfachEnd(t, ne)
	} else if ok {
		end = ne
	} else if b := at(t, ne); (b == ' ' || b == ',') && streetMayFollow(t, ne) {
		end, ok = sc.streetAfter(lx, ne)
		start = i
	}
	if !ok {
		return ne
	}
	end = sc.addressTail(end)
	ev := EvFormat
	if sc.hint&HintAddress != 0 {
		ev |= EvKey
	}
	sc.emitEvidence(kStreetAddress, start, end, ev)
	return end
}

// houseNumberEnd returns the end of the house number at t[i]: 1 to 5
// digits, then a letter ("12a") or a range ("12-14"), not a decimal, a time
// or an ordinal ("5th"); or -1.
func houseNumberEnd(t []byte, i int) int {
	j := i
	for j < len(t) && isDigit(t[j]) {
		j++
	}
	if j-i > 5 {
		return -1
	}
	switch b := at(t, j); {
	case (b == '.' || b == ',' || b == ':' || b == '/') && isDigit(at(t, j+1)), b == '%':
		return -1
	case b == '-' && isDigit(at(t, j+1)):
		k := j + 1
		for k < len(t) && isDigit(t[k]) {
			k++
		}
		if k-j-1 > 4 || isAlnum(at(t, k)) {
			return -1
		}
		return k
	case isAlpha(b):
		if isAlpha(at(t, j+1)) || isDigit(at(t, j+1)) {
			return -1
		}
		return j + 1
	case b == ' ':
		if c := at(t, j+1); c == 'b' || c == 't' || c == 'q' {
			return repeatEnd(t, j)
		}
	}
	return j
}

// repeatEnd extends a French house number ending at t[j] over the word
// that numbers a second building of the same number ("3 bis", "25 ter",
// "7 quater"), when a space follows that word. (houseNumberEnd calls it
// only when a 'b', 't' or 'q' follows the space at t[j]: most numbers have
// none.)
func repeatEnd(t []byte, j int) int {
	for _, w := range [...]string{"bis", "ter", "quater"} {
		e := j + 1 + len(w)
		if e < len(t) && string(t[j+1:e]) == w && (t[e] == ' ' || t[e] == ',') {
			return e
		}
	}
	return j
}

// postfachEnd extends a PO box number written in groups ("Postfach 12 34").
func postfachEnd(t []byte, ne int) int {
	if at(t, ne) == ' ' && isDigit(at(t, ne+1)) {
		k := ne + 1
		for k < len(t) && isDigit(t[k]) {
			k++
		}
		if k-ne-1 <= 4 && !isAlnum(at(t, k)) {
			return k
		}
	}
	return ne
}

// poBoxWords are the words a PO box number follows, lower-case.
var poBoxWords = [...]string{"p.o. box", "p. o. box", "po box", "p o box", "p.o.box", "post office box",
	"postfach", "bp", "b.p.", "apartado de correos", "apartado", "apdo.", "apdo", "boîte postale", "pmb"}

// germanStreetSuffixes end the name of a German street ("Hauptstraße",
// "Bahnhofstr.", "Karl-Marx-Allee") or are its last word ("Berliner
// Straße").
var germanStreetSuffixes = [...]string{"straße", "strasse", "str", "weg", "platz", "allee", "gasse", "ring",
	"damm", "ufer", "chaussee", "pfad", "steig", "markt", "gürtel", "promenade", "zeile"}

// streetBefore reads back from the number at t[i] for a PO box word or a
// street that its number follows; it returns the start of the address and
// whether it is a PO box.
func (sc *scanner) streetBefore(lx *lexicon, i, lo int) (start int, box, ok bool) {
	t := sc.t
	j := i
	if j > lo && t[j-1] == ' ' {
		j--
	}
	if j <= lo {
		return 0, false, false
	}
	sc.meter.add(min(j-lo, 64))
	// The word before the number: a PO box word, "Nr."/"nº" (then the
	// word before that), or the end of a street's name.
	var buf [maxWord]byte
	for range 2 {
		e := j
		if e > lo && (t[e-1] == '.' || t[e-1] == ',') {
			e--
		}
		ws := wordStart(t, e, max(lo, e-10))
		if ws == e {
			return 0, false, false
		}
		// A whole lower-case word ("about 25") is one of the words below
		// or no street; it is compared as it is.
		var l []byte
		var lowered bool
		if isLower(t[ws]) && (ws == lo || !wordByteBefore(t, ws)) {
			l = t[ws:e]
		} else if c := lower(t[ws]); e-ws > 8 || c != 'b' && c != 'p' && c != 'a' && c != 'c' && c != 'n' {
			break // not one of the words below (by its first letter)
		} else if l, lowered = lowerWord(t[ws:e], &buf); !lowered {
			break
		}
		switch string(l) {
		case "box", "postfach", "bp", "p", "apartado", "apdo", "correos", "postale", "pmb":
			for _, w := range poBoxWords {
				if s := j - len(w); s >= lo && endsWithFold(t[s:j], w) && !wordByteBefore(t, s) {
					return s, true, true
				}
			}
		case "nr", "no", "nº", "núm", "num", "n":
			j = ws
			if j > lo && t[j-1] == ' ' {
				j--
			}
			continue
		}
		if isLower(t[ws]) {
			return 0, false, false
		}
		break
	}
	if j > lo && t[j-1] == ',' {
		j--
	}
	e := j
	dot := e > lo && t[e-1] == '.'
	if dot {
		e--
	}
	ws := wordStart(t, e, max(lo, e-40))
	if ws == e {
		return 0, false, false
	}
	if size, upper := letterAt(t, ws); size == 0 || !upper {
		return 0, false, false
	}
	l, ok := lowerWord(t[ws:e], &buf)
	if !ok {
		return 0, false, false
	}
	for _, suf := range germanStreetSuffixes {
		if len(l) < len(suf) || string(l[len(l)-len(suf):]) != suf || suf == "str" && !dot {
			continue
		}
		if len(l) > len(suf) {
			sc.meter.add(len(l) + 8)
			if lx.lookup(l)&lxCommon != 0 {
				return 0, false, false // Spring 2024, String 5
			}
			return ws, false, true
		}
		// "Berliner Straße 5": the word before belongs to the name.
		if ws > lo+1 && t[ws-1] == ' ' {
			ps := wordStart(t, ws-1, max(lo, ws-33))
			if size, upper := letterAt(t, ps); ps < ws-1 && size > 0 && upper {
				return ps, false, true
			}
		}
		return 0, false, false
	}
	// "Calle Mayor 10", "Avenida de América 5": a street type, then
	// capitalized words and particles, then the number.
	s, names := ws, 0
	for k := 0; k < 6; k++ {
		w := t[s:e]
		if isStreetPrefix(w) {
			if names > 0 {
				return s, false, true
			}
			return 0, false, false
		}
		size, upper := letterAt(t, s)
		switch {
		case size > 0 && upper:
			names++
		case isParticle(w):
		default:
			return 0, false, false
		}
		if s <= lo+1 || t[s-1] != ' ' {
			return 0, false, false
		}
		// "C/ Mayor 10", "C/ de Gracia 5": the Spanish abbreviation of
		// calle.
		if c := s - 3; names > 0 && c >= lo && lower(t[c]) == 'c' && t[c+1] == '/' && (c == lo || !wordByteBefore(t, c)) {
			return c, false, true
		}
		e = s - 1
		if e > lo && t[e-1] == '.' { // "Av. de Mayo"
			e--
		}
		s = wordStart(t, e, max(lo, e-32))
		sc.meter.add(e - s + 1)
		if s == e {
			return 0, false, false
		}
	}
	return 0, false, false
}

// streetMayFollow reports whether a street may follow the house number
// ending at t[ne] (see streetAfter): after a comma or a space, a word that
// starts with an upper-case or non-ASCII letter, a digit (an ordinal), or
// a lower-case word whose first two bytes may start a French or Spanish
// street type. Most words after a number of prose ("25 dollars", "3
// times") fail it before streetAfter is called.
func streetMayFollow(t []byte, ne int) bool {
	j := ne
	if at(t, j) == ',' {
		j++
	}
	if at(t, j) != ' ' {
		return false
	}
	c := at(t, j+1)
	if c >= utf8.RuneSelf || isUpper(c) || isDigit(c) {
		return true
	}
	return isLower(c) && streetPrefixPair(c, at(t, j+2))
}

// plainWordBefore reports whether the word that ends at t[j] is a whole
// word of 1 to 10 lower-case ASCII letters, after lo, that streetBefore
// rejects as it stands: no PO box word, no "nr" or "no" (a lower-case word
// names no street).
func plainWordBefore(t []byte, j, lo int) bool {
	s := j
	for s > lo && j-s <= 10 && isLower(t[s-1]) {
		s--
	}
	if s == j || j-s > 10 || s <= lo {
		return false
	}
	if b := t[s-1]; b >= utf8.RuneSelf || isAlnum(b) || b == '\'' || b == '-' {
		return false
	}
	if c := t[s]; c != 'b' && c != 'p' && c != 'a' && c != 'c' && c != 'n' {
		return true // (the first letters of the words below)
	}
	if n := j - s; n == 5 || n == 6 || n > 8 {
		return true // (nor their lengths: "about", "after", "number")
	}
	switch string(t[s:j]) {
	case "box", "postfach", "bp", "p", "apartado", "apdo", "correos", "postale", "pmb", "nr", "no", "num", "n":
		return false
	}
	return true
}

// isStreetPrefix reports whether w (any case) is a street type that comes
// before the street's name in French and Spanish (rue, avenue, boulevard,
// calle, avenida, plaza, paseo, …) and Italian or Portuguese (via, piazza,
// rua).
func isStreetPrefix(w []byte) bool {
	if len(w) < 2 || len(w) > 10 || !streetPrefixPair(w[0], w[1]) {
		return false
	}
	l := w
	if !asciiLower(w) {
		var buf [maxWord]byte
		var ok bool
		if l, ok = lowerWord(w, &buf); !ok {
			return false
		}
	}
	switch string(l) {
	case "rue", "avenue", "av", "ave", "boulevard", "bd", "bld", "bvd", "chemin", "allée", "place", "impasse",
		"quai", "cours", "route", "faubourg", "passage", "voie", "calle", "avenida", "avda", "plaza", "pza",
		"paseo", "camino", "carrera", "ronda", "travesía", "carretera", "glorieta", "vía", "via", "piazza",
		"viale", "corso", "rua", "praça", "largo":
		return true
	}
	return false
}

// streetPrefixStart reports whether b (any case) may start a word of
// isStreetPrefix.
func streetPrefixStart(b byte) bool {
	switch lower(b) {
	case 'r', 'a', 'b', 'c', 'p', 'q', 'i', 'f', 'v', 'g', 't', 'l':
		return true
	}
	return false
}

// streetPrefixPair reports whether a and b (any case) may be the first
// two bytes of a word of isStreetPrefix.
func streetPrefixPair(a, b byte) bool {
	b = lower(b)
	switch lower(a) {
	case 'r':
		return b == 'u' || b == 'o'
	case 'a':
		return b == 'v' || b == 'l'
	case 'b':
		return b == 'o' || b == 'd' || b == 'l' || b == 'v'
	case 'c':
		return b == 'h' || b == 'o' || b == 'a'
	case 'p':
		return b == 'l' || b == 'a' || b == 'z' || b == 'i' || b == 'r'
	case 'v':
		return b == 'o' || b == 'i' || b == 0xC3
	case 'i':
		return b == 'm'
	case 'q':
		return b == 'u'
	case 'f', 'l':
		return b == 'a'
	case 't':
		return b == 'r'
	case 'g':
		return b == 'l'
	}
	return false
}

// asciiLower reports whether w is lower-case ASCII letters only.
func asciiLower(w []byte) bool {
	for _, b := range w {
		if !isLower(b) {
			return false
		}
	}
	return true
}

// streetAfter reads the street that follows a house number ending at
// t[ne]: a French or Spanish street type and its name ("12 rue de la
// Paix"), or capitalized words (or an ordinal) ending in a street type of
// the USPS list ("123 Main Street", "42 Oak Ave.", "350 5th Ave") and an
// optional direction ("NW"). It returns the end of the street.
func (sc *scanner) streetAfter(lx *lexicon, ne int) (int, bool) {
	t := sc.t
	j := ne
	if at(t, j) == ',' {
		j++
	}
	if at(t, j) != ' ' {
		return 0, false
	}
	j++
	size, upper := letterAt(t, j)
	if size == 0 && !isDigit(at(t, j)) {
		return 0, false
	}
	if size > 0 && !upper && !streetPrefixStart(t[j]) {
		return 0, false // a lower-case word, no street type ("25 dollars")
	}
	if size > 0 && streetPrefixPair(t[j], at(t, j+1)) {
		we := wordEnd(t, j)
		if isStreetPrefix(t[j:we]) {
			p := we
			if at(t, p) == '.' {
				p++
			}
			last := 0
			for k := 0; k < 6 && at(t, p) == ' '; k++ {
				s := p + 1
				size, upper := letterAt(t, s)
				if size == 0 {
					break
				}
				e := wordEnd(t, s)
				sc.meter.add(e - s)
				w := t[s:e]
				switch {
				case upper:
					last = e
				case isParticle(w), len(w) > 2 && (w[0] == 'l' || w[0] == 'd') && w[1] == '\'':
				default:
					k = 6
					continue
				}
				p = e
			}
			if last > 0 {
				return last, true
			}
			return 0, false
		}
	}
	if size > 0 && !upper {
		return 0, false
	}
	// English: name words, then the type.
	p := j
	for k := 0; k < 5; k++ {
		s := p
		var e int
		if isDigit(at(t, s)) { // an ordinal: 5th, 42nd, 1st, 3rd
			e = s
			for e < len(t) && isDigit(t[e]) {
				e++
			}
			if e-s > 3 || !isOrdinalSuffix(t, e) {
				return 0, false
			}
			e += 2
		} else {
			size, upper := letterAt(t, s)
			if size == 0 {
				return 0, false
			}
			e = wordEnd(t, s)
			// The type is capitalized ("Street") or a lower-case
			// abbreviation ("st", "ave").
			if k > 0 && e-s <= maxWord && (upper || e-s <= 4) {
				sc.meter.add(e - s + 8)
				if lx.lookup(t[s:e])&lxStreet != 0 {
					e = sc.streetTypeEnd(lx, e)
					if at(t, e) == '.' {
						e++
					}
					return directionEnd(t, e), true
				}
			}
			if !upper {
				return 0, false
			}
		}
		if at(t, e) != ' ' {
			return 0, false
		}
		p = e + 1
	}
	return 0, false
}

// streetTypeEnd extends a street type ending at t[e] over a second,
// capitalized one: in "South Park Terrace" the first type belongs to the
// name.
func (sc *scanner) streetTypeEnd(lx *lexicon, e int) int {
	t := sc.t
	if at(t, e) != ' ' {
		return e
	}
	if size, upper := letterAt(sc.t, e+1); size == 0 || !upper {
		return e
	}
	ne := wordEnd(t, e+1)
	if ne-e-1 > maxWord {
		return e
	}
	sc.meter.add(ne - e + 8)
	if lx.lookup(t[e+1:ne])&lxStreet != 0 {
		return ne
	}
	return e
}

// isOrdinalSuffix reports whether t[e:] starts with an English ordinal
// suffix (st, nd, rd, th) that ends a word.
func isOrdinalSuffix(t []byte, e int) bool {
	if e+2 > len(t) || isAlpha(at(t, e+2)) {
		return false
	}
	a, b := lower(t[e]), lower(t[e+1])
	return a == 's' && b == 't' || a == 'n' && b == 'd' || a == 'r' && b == 'd' || a == 't' && b == 'h'
}

// directionEnd extends a street ending at t[e] over a compass direction
// ("NW", "N.", "SE").
func directionEnd(t []byte, e int) int {
	if at(t, e) != ' ' {
		return e
	}
	s := e + 1
	k := s
	for k < len(t) && k-s < 2 && (t[k] == 'N' || t[k] == 'S' || t[k] == 'E' || t[k] == 'W') {
		k++
	}
	if k == s || isAlnum(at(t, k)) {
		return e
	}
	if at(t, k) == '.' && !isAlpha(at(t, k+1)) && at(t, k+1) != ' ' || at(t, k) == '.' && k+1 == len(t) {
		k++
	}
	return k
}

// isUnitWord reports whether l (lower-case) introduces a unit of a building, lower-case.
func isUnitWord(l []byte) bool {
	switch string(l) {
	case "apt", "apartment", "suite", "ste", "unit", "fl", "floor", "room", "rm", "bldg", "building", "dept",
		"wohnung", "whg", "appartement", "appt", "app", "bâtiment", "bât", "bat", "étage", "etage", "piso",
		"puerta", "pta", "planta", "escalera", "esc":
		return true
	}
	return false
}

// addressTail extends an address ending at t[end] over units ("Apt 4B",
// "Suite 200", "#12", "3º B"), then a city and postcode: postcode first
// (", 10115 Berlin", ", 75002 Paris"), or a city then a US state and ZIP
// code, a UK or a Canadian postcode (", Springfield, IL 62704", ", London
// SW1A 2AA"), or a postcode alone (", SW1A 1AA").
func (sc *scanner) addressTail(end int) int {
	t := sc.t
	for range 3 {
		p := end
		if at(t, p) == ',' {
			p++
		}
		if at(t, p) == ' ' {
			p++
		}
		sc.meter.add(16)
		if e := unitEnd(t, p); e > 0 {
			end = e
			continue
		}
		if e := postcodeCityEnd(t, p); e > 0 {
			return e
		}
		if e := postcodeEnd(t, p); e > 0 {
			return e
		}
		// A city, then a state and ZIP code or a postcode.
		q := p
		for k := 0; k < 3; k++ {
			size, upper := letterAt(t, q)
			if size == 0 || !upper {
				break
			}
			e := wordEnd(t, q)
			sc.meter.add(e - q)
			if at(t, e) == ',' {
				e++
			}
			if at(t, e) != ' ' {
				break
			}
			if pe := postcodeEnd(t, e+1); pe > 0 {
				return pe
			}
			q = e + 1
		}
		break
	}
	return end
}

// isFloorWord reports whether l (lower-case) names a floor of a Spanish
// building on its own, with no number ("bajo", "ático").
func isFloorWord(l []byte) bool {
	switch string(l) {
	case "bajo", "bajos", "ático", "atico", "entresuelo", "principal", "sótano":
		return true
	}
	return false
}

// unitEnd returns the end of a unit at t[p] ("Apt 4B", "Suite 200", "#12",
// "Wohnung 3", "3º B", "2ª izq"), or 0.
func unitEnd(t []byte, p int) int {
	if at(t, p) == '#' {
		return unitNumberEnd(t, p+1)
	}
	if isDigit(at(t, p)) {
		k := p
		for k < len(t) && isDigit(t[k]) && k-p < 2 {
			k++
		}
		// º U+00BA, ª U+00AA, ° U+00B0
		if at(t, k) != 0xC2 || at(t, k+1) != 0xBA && at(t, k+1) != 0xAA && at(t, k+1) != 0xB0 {
			return 0
		}
		k += 2
		q := k
		if at(t, q) == ' ' {
			q++
		}
		e := q
		for e < len(t) && isAlpha(t[e]) && e-q < 4 {
			e++
		}
		if e > q && !isAlpha(at(t, e)) {
			if at(t, e) == '.' {
				e++
			}
			return e
		}
		return k
	}
	size, _ := letterAt(t, p)
	if size == 0 {
		return 0
	}
	we := wordEnd(t, p)
	var buf [maxWord]byte
	l, ok := lowerWord(t[we-min(we-p, maxWord):we], &buf)
	if !ok || we-p > maxWord {
		return 0
	}
	if isFloorWord(l) && !isAlnum(at(t, we)) {
		return we
	}
	if !isUnitWord(l) {
		return 0
	}
	q := we
	if at(t, q) == '.' {
		q++
	}
	if at(t, q) != ' ' {
		return 0
	}
	q++
	if at(t, q) == '#' {
		q++
	}
	return unitNumberEnd(t, q)
}

// unitNumberEnd returns the end of the number or letter of a unit at t[q]
// (1 to 6 letters and digits with a digit, or one letter), or 0.
func unitNumberEnd(t []byte, q int) int {
	e, digits := q, 0
	for e < len(t) && isAlnum(t[e]) && e-q <= 6 {
		if isDigit(t[e]) {
			digits++
		}
		e++
	}
	if e == q || e-q > 6 || digits == 0 && e-q > 1 {
		return 0
	}
	return e
}
