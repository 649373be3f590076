package standin

import (
	"github.com/veilproxy/veil/rules/internal/luhn"
	"unicode"
	"unicode/utf8"
)

// Which digest bytes pick what (bytes past the digest's end count as zero).
const (
	dFirst  = 0  // name, email: first name (1 byte)
	dLast   = 1  // name, email: last name (1 byte)
	dNumber = 2  // email: two-digit number (2 bytes)
	dDomain = 4  // email: reserved domain (2 bytes)
	dArea   = 6  // phone: NANP area code (1 byte)
	dLine   = 7  // phone: line digits (2 bytes)
	dCard   = 8  // card: account digits (8 bytes)
	dHouse  = 10 // address: house number (2 bytes)
	dStreet = 12 // address: street word (1 byte)
	dSuffix = 13 // address: street suffix (1 byte)
	dCity   = 14 // address: city (1 byte)
)

// byteAt returns digest[i], or 0 past its end.
func byteAt(digest []byte, i int) byte {
	if i < len(digest) {
		return digest[i]
	}
	return 0
}

// uint16At returns the big-endian 16-bit number at digest[i:].
func uint16At(digest []byte, i int) int {
	return int(byteAt(digest, i))<<8 | int(byteAt(digest, i+1))
}

// uint64At returns the big-endian 64-bit number at digest[i:].
func uint64At(digest []byte, i int) uint64 {
	var v uint64
	for j := range 8 {
		v = v<<8 | uint64(byteAt(digest, i+j))
	}
	return v
}

// appendName writes a first and last name, or a first name alone when
// original is one word, in upper case when original is.
func appendName(dst, digest, original []byte) []byte {
	upper := allCaps(original)
	dst = appendCased(dst, firstNames[byteAt(digest, dFirst)], upper)
	if wordCount(original) == 1 {
		return dst
	}
	dst = append(dst, ' ')
	return appendCased(dst, lastNames[byteAt(digest, dLast)], upper)
}

// appendCased appends s, upper-cased when upper is set.
func appendCased(dst []byte, s string, upper bool) []byte {
	if !upper {
		return append(dst, s...)
	}
	for _, r := range s {
		dst = utf8.AppendRune(dst, unicode.ToUpper(r))
	}
	return dst
}

// wordCount returns the number of words (runs without spaces or tabs) in v.
func wordCount(v []byte) int {
	n, inWord := 0, false
	for _, c := range v {
		blank := c == ' ' || c == '\t'
		if !blank && !inWord {
			n++
		}
		inWord = !blank
	}
	return n
}

// allCaps reports whether v has at least two upper-case letters and no
// lower-case one (letters are told by their case mappings, which spares the
// module unicode's category tables).
func allCaps(v []byte) bool {
	upper := 0
	for _, r := range string(v) {
		switch {
		case unicode.ToUpper(r) != r:
			return false
		case unicode.ToLower(r) != r:
			upper++
		}
	}
	return upper >= 2
}

// appendEmail writes first.lastNN@ a reserved domain, in ASCII lower case.
func appendEmail(dst, digest []byte) []byte {
	dst = appendLocalPart(dst, firstNames[byteAt(digest, dFirst)])
	dst = append(dst, '.')
	dst = appendLocalPart(dst, lastNames[byteAt(digest, dLast)])
	nn := uint16At(digest, dNumber) % 100
	dst = append(dst, byte('0'+nn/10), byte('0'+nn%10), '@')
	return append(dst, emailDomains[uint16At(digest, dDomain)%len(emailDomains)]...)
}

// appendLocalPart writes name in ASCII lower case for an email's local
// part: accents dropped (é → e, ø → o, ł → l), apostrophes dropped, hyphens
// kept.
func appendLocalPart(dst []byte, name string) []byte {
	for _, r := range name {
		switch {
		case r >= 'A' && r <= 'Z':
			dst = append(dst, byte(r+'a'-'A'))
		case r >= 'a' && r <= 'z' || r == '-':
			dst = append(dst, byte(r))
		case r >= utf8.RuneSelf:
			if c := foldAccent(r); c != 0 {
				dst = append(dst, c)
			}
		}
	}
	return dst
}

// foldAccent returns the lower-case ASCII letter under the accented letters
// of the word lists, or 0.
func foldAccent(r rune) byte {
	switch unicode.ToLower(r) {
	case 'á', 'à', 'â', 'ã', 'ä', 'å', 'ą':
		return 'a'
	case 'ç', 'ć', 'č':
		return 'c'
	case 'é', 'è', 'ê', 'ë', 'ę':
		return 'e'
	case 'ğ':
		return 'g'
	case 'í', 'ì', 'î', 'ï', 'ı':
		return 'i'
	case 'ł':
		return 'l'
	case 'ñ', 'ń':
		return 'n'
	case 'ó', 'ò', 'ô', 'õ', 'ö', 'ø':
		return 'o'
	case 'ś', 'š', 'ş':
		return 's'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ź', 'ż', 'ž':
		return 'z'
	}
	return 0
}

// maxNumber bounds the digits of a phone or card stand-in.
const maxNumber = 19

// number holds the digits of a phone or card stand-in.
type number struct {
	d [maxNumber]byte
	n int
}

// add appends the digits of s.
func (num *number) add(s string) {
	num.n += copy(num.d[num.n:], s)
}

// addInt appends v as width digits, zero-padded.
func (num *number) addInt(v uint64, width int) {
	for i := width - 1; i >= 0; i-- {
		num.d[num.n+i] = byte('0' + v%10)
		v /= 10
	}
	num.n += width
}

// appendPhone writes a number from a fictional range: NANP 555-0100 to
// 555-0199 for +1 and NANP-shaped originals, else UK Ofcom drama numbers
// (020 7946 0000 to 0999, 07700 900000 to 900999). See README.md.
func appendPhone(dst, digest, original []byte) []byte {
	v := trimBlank(original)
	intl := len(v) > 0 && v[0] == '+'
	body := v
	if intl {
		body = v[1:]
	}
	nd, shaped := countDigits(body, phoneSeparators)
	if len(v) > 0 && !intl && !isDigit(v[0]) && v[0] != '(' {
		shaped = false
	}
	var first [5]byte // the original's first digits
	i := 0
	for _, c := range v {
		if isDigit(c) && i < len(first) {
			first[i] = c
			i++
		}
	}
	lead, skip := first[:3], 0 // skip: leading digits kept, a 00 international prefix
	if !intl && first[0] == '0' && first[1] == '0' {
		intl, lead, skip = true, first[2:5], 2
	}
	n := nd - skip
	area := nanpAreaCodes[int(byteAt(digest, dArea))%len(nanpAreaCodes)]
	line := uint64(uint16At(digest, dLine))
	var num number
	switch {
	case intl && lead[0] == '1' || !intl && n == 11 && lead[0] == '1':
		num.addNANP("1", area, line)
	case !intl && n == 10 && lead[0] >= '2':
		num.addNANP("", area, line)
	case !intl && n == 7:
		num.addNANP("", "", line)
	case intl:
		uk := lead[0] == '4' && lead[1] == '4'
		num.add("44")
		num.addUK(uk && lead[2] == '7', line)
		shaped = shaped && uk // another country's layout would not fit
	case lead[0] == '0':
		num.add("0")
		num.addUK(lead[1] == '7', line)
	default:
		num.addNANP("1", area, line)
	}
	if shaped && n == num.n {
		return fillTemplate(dst, v, &num, skip)
	}
	if num.n == 10 || num.n == 7 { // NANP: canonical with country and area code
		num = number{}
		num.addNANP("1", area, line)
	}
	return appendCanonicalPhone(dst, &num)
}

// addNANP appends country, area and a number from 555-0100 to 555-0199.
func (num *number) addNANP(country, area string, line uint64) {
	num.add(country)
	num.add(area)
	num.add("55501")
	num.addInt(line%100, 2)
}

// addUK appends the national number, without trunk prefix, of a UK drama
// number: 7700 900xxx for a mobile, else London 20 7946 0xxx.
func (num *number) addUK(mobile bool, line uint64) {
	if mobile {
		num.add("7700900")
	} else {
		num.add("2079460")
	}
	num.addInt(line%1000, 3)
}

// fillTemplate writes template with its digits (after the first skip)
// replaced by num's; template holds only digits, separators and a leading
// +, so nothing else of it is copied.
func fillTemplate(dst, template []byte, num *number, skip int) []byte {
	i := 0
	for _, c := range template {
		if isDigit(c) {
			if skip > 0 {
				skip--
			} else {
				c = num.d[i]
				i++
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// appendCanonicalPhone writes num (11 NANP digits with the 1, 12 UK
// digits with the 44 or 11 with the trunk 0) grouped as +1 202 555 0147,
// +44 20 7946 0123, +44 7700 900123, 020 7946 0123 or 07700 900123.
func appendCanonicalPhone(dst []byte, num *number) []byte {
	d := num.d[:num.n]
	var groups [4]int // group lengths
	switch {
	case d[0] == '1':
		dst = append(dst, '+')
		groups = [4]int{1, 3, 3, 4}
	case d[0] == '4' && d[2] == '7':
		dst = append(dst, '+')
		groups = [4]int{2, 4, 6}
	case d[0] == '4':
		dst = append(dst, '+')
		groups = [4]int{2, 2, 4, 4}
	case d[1] == '7':
		groups = [4]int{5, 6}
	default:
		groups = [4]int{3, 4, 4}
	}
	for i, g := range groups {
		if g == 0 {
			break
		}
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, d[:g]...)
		d = d[g:]
	}
	return dst
}

// Card prefixes: issuer ranges whose published test numbers payment
// processors accept in test mode only.
const (
	visaTestPrefix   = "400000" // Visa test range (4000 0000 0000 0002 …)
	amexTestPrefix   = "378282" // American Express test range (3782 822463 10005)
	dinersTestPrefix = "305693" // Diners Club test range (3056 930902 5904)
)

// appendCard writes a Luhn-valid number from a test range with the
// original's length and separators when it holds 13 to 19 digits separated
// by spaces or hyphens, else 16 digits without separators. A 15-digit
// original gets the Amex test range, a 14-digit one the Diners test range,
// others the Visa test range.
func appendCard(dst, digest, original []byte) []byte {
	v := trimBlank(original)
	n, shaped := countDigits(v, " -")
	if !shaped || n < 13 || n > maxNumber {
		n, shaped = 16, false
	}
	var num number
	switch n {
	case 15:
		num.add(amexTestPrefix)
	case 14:
		num.add(dinersTestPrefix)
	default:
		num.add(visaTestPrefix)
	}
	num.addInt(uint64At(digest, dCard), n-num.n-1)
	num.d[num.n] = '0'
	num.n++
	if sum := luhn.Sum(num.d[:num.n]); sum != 0 {
		num.d[num.n-1] = byte('0' + 10 - sum)
	}
	if shaped {
		return fillTemplate(dst, v, &num, 0)
	}
	return append(dst, num.d[:num.n]...)
}

// appendAddress writes a house number, street word and suffix (742 Maple
// Avenue), with a fictional city after a comma when original has a comma.
func appendAddress(dst, digest, original []byte) []byte {
	house := uint16At(digest, dHouse)%9999 + 1
	var buf [4]byte
	i := len(buf)
	for ; house > 0; house /= 10 {
		i--
		buf[i] = byte('0' + house%10)
	}
	dst = append(dst, buf[i:]...)
	dst = append(dst, ' ')
	dst = append(dst, streetWords[int(byteAt(digest, dStreet))%len(streetWords)]...)
	dst = append(dst, ' ')
	dst = append(dst, streetSuffixes[int(byteAt(digest, dSuffix))%len(streetSuffixes)]...)
	for _, c := range original {
		if c == ',' {
			dst = append(dst, ", "...)
			return append(dst, cities[int(byteAt(digest, dCity))%len(cities)]...)
		}
	}
	return dst
}
