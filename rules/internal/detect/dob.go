package detect

import "time"

// Dates of birth. A date is personal data only with birth evidence: the
// value's member name (HintBirth: "dob", "birthdate", "Geburtsdatum",
// "date_naissance", "fecha_nacimiento") when the whole value is the date
// (EvKey), or a birth word among the five words before it ("born on",
// "DOB:", "D.O.B.", "date of birth", "geboren am", "Geburtsdatum", "né le",
// "née le", "date de naissance", "nacido el", "fecha de nacimiento": EvContext).
//
// Dates are written
//   - ISO: 1984-07-23, 1984/07/23, 1984.07.23;
//   - numeric, day or month first: 23.07.1984, 23/07/1984, 07/23/1984,
//     23-07-1984, and with a two-digit year (23.07.84);
//   - with a month name (English, German, French, Spanish, full or
//     abbreviated, any case): July 23, 1984; Jul. 23rd 1984; 23 July 1984;
//     23rd of July 1984; 23. Juli 1984; 1er janvier 1984; 23 juillet 1984;
//     23 de julio de 1984.
//
// The day must exist in its month, the year (four digits) lie between 1900
// and this year.

// startYear is the year the module started: every year up to it is past
// or present.
var startYear = time.Now().Year()

// afterThisYear reports whether y is a year still to come, so no year of
// birth. The clock is read only for a year after startYear, so that a VM
// running across New Year accepts births in the new year.
func afterThisYear(y int) bool { return y > startYear && y > time.Now().Year() }

// datesOfBirth finds dates with birth evidence, reading the digit runs of
// the text, unless digitChains read them already (sc.dob off): a text
// with fewer than four digits holds no date.
func (sc *scanner) datesOfBirth() {
	if !sc.dob {
		return
	}
	t := sc.t
	for i := 0; i < len(t); {
		from := i
		i = nextDigit(t, i)
		sc.meter.add(i - from)
		if i == len(t) {
			return
		}
		i = sc.dateRun(i)
	}
}

// dateRun tries a date of birth at the digit run starting at t[i] (after a
// byte that is no digit) and returns where to read on. Dates are anchored
// cheaply: a numeric date at its first run (a separator and a digit follow
// it), a date with a month's name at its year (four digits of a year of
// birth), from the day's digits before it.
func (sc *scanner) dateRun(i int) int {
	t := sc.t
	j := i
	for j < len(t) && isDigit(t[j]) {
		j++
	}
	sc.meter.add(j - i + 2) // the run, the quick test
	s, e := -1, -1
	numeric := isDateSep(at(t, j)) && isDigit(at(t, j+1))
	switch n := j - i; {
	case numeric && (n == 4 || n <= 2):
		sc.meter.add(16)
		s, e = dateAt(t, i, j)
	case n == 4 && !numeric:
		if y := atoi(t[i:j]); y < 1900 || afterThisYear(y) {
			return j
		}
		ds, de := dayBefore(t, i)
		if ds < 0 {
			return j
		}
		sc.meter.add(32)
		if s, e = dateAt(t, ds, de); e != j {
			return j
		}
	default:
		return j
	}
	if e < 0 {
		return j
	}
	var ev Evidence
	if sc.hint&HintBirth != 0 && wholeValue(t, s, e) {
		ev = EvKey
	}
	if sc.context(s).mid&cxBirth != 0 {
		ev |= EvContext
	}
	if ev != 0 {
		sc.emitEvidence(kDateOfBirth, s, e, ev)
	}
	return e
}

// dayBefore returns the bounds of the run of one or two digits that is the
// last within the 24 bytes before t[i] ("23" of "23 de julio de 1984", of
// "July 23rd, 1984"), or -1, -1.
func dayBefore(t []byte, i int) (int, int) {
	lo := max(0, i-24)
	p := i - 1
	for p >= lo && !isDigit(t[p]) {
		p--
	}
	if p < lo {
		return -1, -1
	}
	e := p + 1
	for p >= 0 && isDigit(t[p]) {
		p--
	}
	if e-(p+1) > 2 {
		return -1, -1
	}
	return p + 1, e
}

// monthFirst flags the bytes a month's name (or "of", "de" before it) may
// start with.
var monthFirst = func() (f [256]bool) {
	for _, c := range []byte("jfmasondeJFMASONDE") {
		f[c] = true
	}
	return f
}()

// wholeValue reports whether t holds nothing but t[s:e] and spaces or
// punctuation around it.
func wholeValue(t []byte, s, e int) bool {
	for _, b := range t[:s] {
		if isAlnum(b) || b >= 0x80 {
			return false
		}
	}
	for _, b := range t[e:] {
		if isAlnum(b) || b >= 0x80 {
			return false
		}
	}
	return true
}

// dateAt returns the bounds of a date that holds the digit run t[i:j] as its
// first number (or, for "July 23, 1984", as the number after its month
// name), or -1, -1.
func dateAt(t []byte, i, j int) (int, int) {
	if isAlnum(at(t, i-1)) || at(t, i-1) >= 0x80 || (isDateSep(at(t, i-1)) && isDigit(at(t, i-2))) {
		return -1, -1
	}
	n := j - i
	if n == 4 {
		// ISO: year, month, day
		y := atoi(t[i:j])
		sep := at(t, j)
		if !isDateSep(sep) {
			return -1, -1
		}
		m, k := smallNumber(t, j+1)
		if k < 0 || at(t, k) != sep {
			return -1, -1
		}
		d, e := smallNumber(t, k+1)
		if e < 0 || !dateEnd(t, e) || !validDate(y, m, d) {
			return -1, -1
		}
		return i, e
	}
	if n > 2 {
		return -1, -1
	}
	a := atoi(t[i:j])
	// Numeric, day or month first.
	if sep := at(t, j); isDateSep(sep) && isDigit(at(t, j+1)) {
		b, k := smallNumber(t, j+1)
		if k < 0 || at(t, k) != sep {
			return -1, -1
		}
		y, e := k+1, k+1
		for e < len(t) && isDigit(t[e]) {
			e++
		}
		if !dateEnd(t, e) {
			return -1, -1
		}
		switch e - y {
		case 4:
			year := atoi(t[y:e])
			if validDate(year, b, a) || validDate(year, a, b) {
				return i, e
			}
		case 2:
			if validDate(2000, b, a) || validDate(2000, a, b) { // (a leap year: 29.02.84)
				return i, e
			}
		}
		return -1, -1
	}
	// Day first, then the month's name: "23 July 1984", "23. Juli 1984",
	// "1er janvier 1984", "23rd of July 1984", "23 de julio de 1984".
	k := j
	if at(t, k) == '.' {
		k++
	} else {
		k = ordinalEnd(t, k)
	}
	if p := spacesEnd(t, k); p > k {
		p = skipWord(t, p, "of", "de")
		if m, q := monthAt(t, p); m > 0 {
			q = skipWord(t, spacesEnd(t, commaEnd(t, q)), "de", "del")
			if y, e := yearAt(t, q); y > 0 && validDate(y, m, a) {
				return i, e
			}
		}
	}
	// The month's name first: "July 23, 1984", "Jul. 23rd 1984".
	ms := monthBefore(t, i)
	if ms < 0 {
		return -1, -1
	}
	k = ordinalEnd(t, j)
	k = spacesEnd(t, commaEnd(t, k))
	m, _ := monthAt(t, ms)
	if y, e := yearAt(t, k); y > 0 && validDate(y, m, a) {
		return ms, e
	}
	return -1, -1
}

func isDateSep(b byte) bool { return b == '-' || b == '/' || b == '.' }

// dateEnd reports whether a date may end before t[e]: not inside a longer
// word or number ("2024-03-15T10:22", "1.2.1984.5").
func dateEnd(t []byte, e int) bool {
	b := at(t, e)
	return !isAlnum(b) && b < 0x80 && !(isDateSep(b) && isDigit(at(t, e+1)))
}

// smallNumber reads one or two digits at t[k] and returns their value and
// end, or -1.
func smallNumber(t []byte, k int) (int, int) {
	e := k
	for e < len(t) && isDigit(t[e]) && e-k < 3 {
		e++
	}
	if e == k || e-k > 2 {
		return 0, -1
	}
	return atoi(t[k:e]), e
}

// yearAt reads a year of four digits at t[k] not glued to more.
func yearAt(t []byte, k int) (int, int) {
	e := k
	for e < len(t) && isDigit(t[e]) && e-k < 5 {
		e++
	}
	if e-k != 4 || !dateEnd(t, e) {
		return 0, -1
	}
	return atoi(t[k:e]), e
}

// validDate reports whether y-m-d is a day of a year of birth.
func validDate(y, m, d int) bool {
	if y < 1900 || afterThisYear(y) || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 28
	}
	return d <= days
}

// ordinalEnd skips an ordinal suffix right after a day's digits: "st",
// "nd", "rd", "th", "er" (1er), "e", "º", "ª".
func ordinalEnd(t []byte, k int) int {
	n := 0
	switch lower(at(t, k)) {
	case 's':
		n = suffixLen(t, k, 't')
	case 'n':
		n = suffixLen(t, k, 'd')
	case 'r':
		n = suffixLen(t, k, 'd')
	case 't':
		n = suffixLen(t, k, 'h')
	case 'e':
		if n = suffixLen(t, k, 'r'); n == 0 && !isCtxLetter(at(t, k+1)) {
			n = 1
		}
	case 0xC2:
		if b := at(t, k+1); (b == 0xBA || b == 0xAA) && !isCtxLetter(at(t, k+2)) {
			n = 2
		}
	}
	return k + n
}

// suffixLen returns 2 when t[k+1] is second (either case) and no letter
// follows, else 0.
func suffixLen(t []byte, k int, second byte) int {
	if lower(at(t, k+1)) == second && !isCtxLetter(at(t, k+2)) {
		return 2
	}
	return 0
}

// spacesEnd skips one or two spaces at t[k].
func spacesEnd(t []byte, k int) int {
	e := k
	for e < len(t) && t[e] == ' ' && e-k < 2 {
		e++
	}
	return e
}

func commaEnd(t []byte, k int) int {
	if at(t, k) == ',' {
		return k + 1
	}
	return k
}

// skipWord skips one of words (lower-case) and the spaces after it at t[k].
func skipWord(t []byte, k int, words ...string) int {
	for _, w := range words {
		if hasFoldAt(t, k, w) && at(t, k+len(w)) == ' ' {
			return spacesEnd(t, k+len(w))
		}
	}
	return k
}

// hasFoldAt reports whether t at k starts with s (lower-case), ASCII letters
// compared case-insensitively.
func hasFoldAt(t []byte, k int, s string) bool {
	if k < 0 || k+len(s) > len(t) {
		return false
	}
	for x := 0; x < len(s); x++ {
		if lower(t[k+x]) != s[x] {
			return false
		}
	}
	return true
}

// monthAt reads a month's name at t[k] (with an abbreviation's dot) and
// returns its number and end, or 0.
func monthAt(t []byte, k int) (int, int) {
	var buf [12]byte
	e := k
	for e < len(t) && isCtxLetter(t[e]) {
		if e-k < len(buf) {
			buf[e-k] = ctxLower(t, e)
		}
		e++
	}
	if e-k < 3 || e-k > len(buf) || !monthFirst[t[k]] && t[k] < 0x80 {
		return 0, -1
	}
	m := months[string(buf[:e-k])]
	if m == 0 {
		return 0, -1
	}
	if at(t, e) == '.' {
		e++
	}
	return m, e
}

// monthBefore returns the start of a month's name that ends, with an
// optional abbreviation dot and one or two spaces, right before t[i], or
// -1.
func monthBefore(t []byte, i int) int {
	k := i
	for n := 0; n < 2 && at(t, k-1) == ' '; n++ {
		k--
	}
	if k == i {
		return -1
	}
	if at(t, k-1) == '.' {
		k--
	}
	s := k
	for s > 0 && k-s < 12 && isCtxLetter(t[s-1]) {
		s--
	}
	if s == k || isCtxLetter(at(t, s-1)) {
		return -1
	}
	if m, e := monthAt(t, s); m == 0 || e < k {
		return -1
	}
	return s
}

// months maps the names of the months in English, German, French and
// Spanish, full and abbreviated, lower-case, to their numbers.
var months = func() map[string]int {
	m := map[string]int{}
	for n, names := range [12][]string{
		{"january", "jan", "januar", "jänner", "janner", "janvier", "janv", "enero", "ene"},
		{"february", "feb", "febr", "februar", "février", "fevrier", "févr", "fevr", "fév", "fev", "febrero"},
		{"march", "mar", "märz", "maerz", "marz", "mär", "mrz", "mars", "marzo"},
		{"april", "apr", "avril", "avr", "abril", "abr"},
		{"may", "mai", "mayo"},
		{"june", "jun", "juni", "juin", "junio"},
		{"july", "jul", "juli", "juillet", "juil", "julio"},
		{"august", "aug", "août", "aout", "agosto", "ago"},
		{"september", "sep", "sept", "septembre", "septiembre", "setiembre"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre"},
		{"november", "nov", "novembre", "noviembre"},
		{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic"},
	} {
		for _, s := range names {
			m[s] = n + 1
		}
	}
	return m
}()
