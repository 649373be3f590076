package detect

// ibanLengths is the IBAN length of each country of the SWIFT IBAN registry.
var ibanLengths = map[[2]byte]int{
	{'A', 'D'}: 24, {'A', 'E'}: 23, {'A', 'L'}: 28, {'A', 'T'}: 20, {'A', 'Z'}: 28,
	{'B', 'A'}: 20, {'B', 'E'}: 16, {'B', 'G'}: 22, {'B', 'H'}: 22, {'B', 'I'}: 27,
	{'B', 'R'}: 29, {'B', 'Y'}: 28, {'C', 'H'}: 21, {'C', 'R'}: 22, {'C', 'Y'}: 28,
	{'C', 'Z'}: 24, {'D', 'E'}: 22, {'D', 'J'}: 27, {'D', 'K'}: 18, {'D', 'O'}: 28,
	{'E', 'E'}: 20, {'E', 'G'}: 29, {'E', 'S'}: 24, {'F', 'I'}: 18, {'F', 'K'}: 18,
	{'F', 'O'}: 18, {'F', 'R'}: 27, {'G', 'B'}: 22, {'G', 'E'}: 22, {'G', 'I'}: 23,
	{'G', 'L'}: 18, {'G', 'R'}: 27, {'G', 'T'}: 28, {'H', 'R'}: 21, {'H', 'U'}: 28,
	{'I', 'E'}: 22, {'I', 'L'}: 23, {'I', 'Q'}: 23, {'I', 'S'}: 26, {'I', 'T'}: 27,
	{'J', 'O'}: 30, {'K', 'W'}: 30, {'K', 'Z'}: 20, {'L', 'B'}: 28, {'L', 'C'}: 32,
	{'L', 'I'}: 21, {'L', 'T'}: 20, {'L', 'U'}: 20, {'L', 'V'}: 21, {'L', 'Y'}: 25,
	{'M', 'C'}: 27, {'M', 'D'}: 24, {'M', 'E'}: 22, {'M', 'K'}: 19, {'M', 'N'}: 20,
	{'M', 'R'}: 27, {'M', 'T'}: 31, {'M', 'U'}: 30, {'N', 'I'}: 28, {'N', 'L'}: 18,
	{'N', 'O'}: 15, {'O', 'M'}: 23, {'P', 'K'}: 24, {'P', 'L'}: 28, {'P', 'S'}: 29,
	{'P', 'T'}: 25, {'Q', 'A'}: 29, {'R', 'O'}: 24, {'R', 'S'}: 22, {'R', 'U'}: 33,
	{'S', 'A'}: 24, {'S', 'C'}: 31, {'S', 'D'}: 18, {'S', 'E'}: 24, {'S', 'I'}: 19,
	{'S', 'K'}: 24, {'S', 'M'}: 27, {'S', 'O'}: 23, {'S', 'T'}: 25, {'S', 'V'}: 28,
	{'T', 'L'}: 23, {'T', 'N'}: 24, {'T', 'R'}: 26, {'U', 'A'}: 29, {'V', 'A'}: 22,
	{'V', 'G'}: 24, {'X', 'K'}: 20, {'Y', 'E'}: 30,
}

// ibanTable is ibanLengths indexed by (a-'A')*26 + (b-'A'), 0 for no country.
var ibanTable = func() (tab [26 * 26]uint8) {
	for cc, n := range ibanLengths {
		tab[int(cc[0]-'A')*26+int(cc[1]-'A')] = uint8(n)
	}
	return tab
}()

// ibanLength returns the IBAN length of the country whose code is a, b (two
// letters of either case), or 0 when it has none.
func ibanLength(a, b byte) int {
	i, j := uint(toUpper(a)-'A'), uint(toUpper(b)-'A')
	if i >= 26 || j >= 26 {
		return 0
	}
	return int(ibanTable[i*26+j])
}

// ibanAt returns the end of the IBAN starting at t[i] (a country code's two
// letters), or -1. When the text has the shape of an IBAN but fails the
// check, shaped is its end: the caller keeps the number detectors out of it
// (a mistyped IBAN is not a phone number). The IBAN is written compact
// ("DE89370400440532013000"), in groups of four ("DE89 3704 0044 0532 0130
// 00") or with any separators between its characters (ibanSep: "DE89-3704-…",
// "DE89.3704.…", "DE 89 370 400 44…", irregular spacing); it has exactly its
// country's length of letters and digits, two digits after the country code,
// is not followed by a letter or digit (nor by one of "-_./\\" and one), and
// passes the ISO 7064 mod-97 check. Letters are read upper-case: people type
// "de89 3704 …" too.
func ibanAt(t []byte, i int) (end, shaped int) {
	want := ibanLength(t[i], t[i+1])
	if want == 0 {
		return -1, -1
	}
	var buf [34]byte
	n, p := 0, i
	for n < want && p < len(t) {
		if b := t[p]; isAlnum(b) {
			buf[n] = toUpper(b)
			n++
			p++
			continue
		}
		k := p
		for k < len(t) && k-p < 3 && isIBANSepByte(t[k]) {
			k++
		}
		if n == 0 || k == p || !isAlnum(at(t, k)) || !ibanSep(t[p:k]) {
			return -1, -1
		}
		p = k
	}
	if n != want || glued(at(t, p), at(t, p+1)) || !isDigit(buf[2]) || !isDigit(buf[3]) {
		return -1, -1
	}
	if !mod97(buf[:n]) {
		return -1, p
	}
	return p, -1
}

// isIBANSepByte reports whether b may separate the characters of an IBAN.
func isIBANSepByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '-' || b == '.' || b == '+'
}

// ibanSep accepts up to three separator bytes of which at most one is not a
// space or tab: " ", "  ", "-", " - ", ".", "+".
func ibanSep(s []byte) bool {
	marks := 0
	for _, b := range s {
		if b != ' ' && b != '\t' {
			marks++
		}
	}
	return marks <= 1
}

// mod97 computes the ISO 7064 mod-97 check of an IBAN-like string of capital
// letters and digits: the first four characters moved to the end, letters
// read as 10..35, the number must be 1 mod 97.
func mod97(s []byte) bool {
	if len(s) < 5 {
		return false
	}
	r := 0
	add := func(b byte) bool {
		switch {
		case isDigit(b):
			r = (r*10 + int(b-'0')) % 97
		case isUpper(b):
			r = (r*100 + int(b-'A'+10)) % 97
		default:
			return false
		}
		return true
	}
	for _, b := range s[4:] {
		if !add(b) {
			return false
		}
	}
	for _, b := range s[:4] {
		if !add(b) {
			return false
		}
	}
	return r == 1
}

// mod97Alnum validates a custom match: its letters and digits, upper-cased,
// pass the mod-97 check.
func mod97Alnum(m []byte) bool {
	var buf [64]byte
	s := buf[:0]
	for _, b := range m {
		switch {
		case isAlnum(b):
			s = append(s, toUpper(b))
		}
	}
	return mod97(s)
}
