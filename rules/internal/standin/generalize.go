package standin

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"unicode/utf8"
)

// genKind is the kind of value a Generalizer reads.
type genKind uint8

const (
	genDate genKind = iota
	genIP
	genPostal
	genNumber
	genAge
	genEmail
)

// Limits of the options and values the generalizers accept.
const (
	maxPostalKeep = 10      // postal: most characters kept
	maxPostalLen  = 12      // postal: longest value read (letters, digits, spaces, hyphens)
	maxBucket     = 1e15    // number: widest bucket
	maxExact      = 1 << 53 // number: largest magnitude bucketed (float64 integers are exact below)
	maxAge        = 150     // age: oldest age read
	maxValueLen   = 64      // date, ip, number, age: longest value read
	maxEmailLen   = 254     // email: longest address read (RFC 5321 path limit)
)

// Generalizer coarsens one kind of value, keeping a part that is useful for
// statistics and dropping the part that identifies a person. It holds no
// mutable state: one Generalizer may serve concurrent callers.
//
// Kinds, options (empty = the default) and examples:
//
//	date    "year" (default) or "month"
//	        1990-05-17, 1990-05-17T10:11:12Z, 1990-05-17 10:11, 19900517,
//	        1990/05/17, 1990.05.17, 17.05.1990 (day first), 17/05/1990,
//	        05-17-1990, 1990-05 and (year only) 1990  →  1990 or 1990-05.
//	        a/b/yyyy and a-b-yyyy are ambiguous (day or month first): "year"
//	        reads them when one order is a valid date; "month" only when
//	        one part is above 12 (17/05/1990 → 1990-05) or both are equal
//	        (05/05/1990 → 1990-05), else ok=false. Dates are checked
//	        (month 1-12, day within the month, leap years); a time after
//	        the date (T or space, hh:mm[:ss[.frac]] or hhmm[ss], optional
//	        Z or ±hh[:mm] zone) is checked and dropped.
//	ip      "v4/v6" prefix lengths, default "24/48" (v4 0-32, v6 0-128)
//	        203.0.113.57 → 203.0.113.0; 2001:db8:85a3:8d3:1319:8a2e:370:7348
//	        → 2001:db8:85a3:: (RFC 5952 form); ::ffff:203.0.113.57 (IPv4
//	        mapped) takes the v4 length → ::ffff:203.0.113.0; a zone
//	        (fe80::1%eth0) is dropped. Ports, CIDR suffixes and IPv4 octets
//	        with leading zeros are refused.
//	postal  characters kept, default 3 (1-10)
//	        10115 → 101, SW1A 1AA → SW1, 94103-1234 → 941, 1012 AB → 101.
//	        The value is 2-12 ASCII letters, digits, spaces and hyphens with
//	        at least one digit, and more letters and digits than are kept
//	        (10115 with 5 kept is refused: nothing would be hidden).
//	        Spaces and hyphens inside the kept part are kept; only letters
//	        and digits count.
//	number  bucket width, an integer 1 to 10^15, default 10
//	        37 → 30, -3 → -10 (rounded down), 37.9 → 30, 1e3 → 1000,
//	        "42" → 40. The value is a JSON number (a leading + is also
//	        read) of magnitude at most 2^53; the result is a number
//	        (number=true) written as an integer.
//	age     bucket width, an integer 1 to 150, default 10
//	        37 → "30-39", 5 → "0-9", 37.5 → "30-39", with width 5
//	        37 → "35-39". The value is a JSON number from 0 to 150; the
//	        result is a string (number=false).
//	email   no option
//	        ann@example.com → example.com, Bob@Mail.Example.ORG →
//	        mail.example.org (ASCII lower-cased). Needs a non-empty local
//	        part without spaces and a domain of letters, digits, hyphens,
//	        dots and underscores (or non-ASCII UTF-8).
//
// Every kind trims leading and trailing ASCII spaces and tabs first, reads
// ASCII digits only (١٢٣ and full-width digits are refused) and refuses
// overlong values.
type Generalizer struct {
	kind  genKind
	month bool  // date: keep the month
	v4    int   // ip: IPv4 prefix length
	v6    int   // ip: IPv6 prefix length
	keep  int   // postal: letters and digits kept
	width int64 // number and age: bucket width
}

// generalizeKinds names the kinds in error messages.
const generalizeKinds = `"date", "ip", "postal", "number", "age" or "email"`

// NewGeneralizer returns a Generalizer for kind ("date", "ip", "postal",
// "number", "age", "email") with its option (date: "year" or "month"; ip:
// "24/48" style v4/v6 prefix lengths; postal: characters kept; number and
// age: bucket width); an empty option takes the documented default. See
// Generalizer for what each kind reads and writes.
func NewGeneralizer(kind, option string) (*Generalizer, error) {
	switch kind {
	case "date":
		switch option {
		case "", "year":
			return &Generalizer{kind: genDate}, nil
		case "month":
			return &Generalizer{kind: genDate, month: true}, nil
		}
		return nil, fmt.Errorf(`generalize date: option %q: want "year" (default) or "month"`, option)
	case "ip":
		if option == "" {
			return &Generalizer{kind: genIP, v4: 24, v6: 48}, nil
		}
		for i := 0; i < len(option); i++ {
			if option[i] != '/' {
				continue
			}
			v4, err4 := strconv.Atoi(option[:i])
			v6, err6 := strconv.Atoi(option[i+1:])
			if err4 == nil && err6 == nil && v4 >= 0 && v4 <= 32 && v6 >= 0 && v6 <= 128 {
				return &Generalizer{kind: genIP, v4: v4, v6: v6}, nil
			}
			break
		}
		return nil, fmt.Errorf(`generalize ip: option %q: want IPv4/IPv6 prefix lengths like "24/48" (default; v4 0-32, v6 0-128)`, option)
	case "postal":
		n, ok := intOption(option, 3, 1, maxPostalKeep)
		if !ok {
			return nil, fmt.Errorf("generalize postal: option %q: want the characters kept, 1 to %d (default 3)", option, maxPostalKeep)
		}
		return &Generalizer{kind: genPostal, keep: n}, nil
	case "number":
		n, ok := intOption(option, 10, 1, maxBucket)
		if !ok {
			return nil, fmt.Errorf("generalize number: option %q: want the bucket width, an integer 1 to 1000000000000000 (default 10)", option)
		}
		return &Generalizer{kind: genNumber, width: int64(n)}, nil
	case "age":
		n, ok := intOption(option, 10, 1, maxAge)
		if !ok {
			return nil, fmt.Errorf("generalize age: option %q: want the bucket width, an integer 1 to %d (default 10)", option, maxAge)
		}
		return &Generalizer{kind: genAge, width: int64(n)}, nil
	case "email":
		if option != "" {
			return nil, fmt.Errorf("generalize email: option %q: email takes no option", option)
		}
		return &Generalizer{kind: genEmail}, nil
	}
	return nil, fmt.Errorf("generalize: unknown kind %q: want %s", kind, generalizeKinds)
}

// intOption parses a decimal integer option from lo to hi; empty gives def.
func intOption(option string, def, lo, hi int) (int, bool) {
	if option == "" {
		return def, true
	}
	for i := 0; i < len(option); i++ {
		if option[i] < '0' || option[i] > '9' {
			return 0, false // no sign, spaces or underscores
		}
	}
	n, err := strconv.Atoi(option)
	return n, err == nil && n >= lo && n <= hi
}

// Append appends the generalized value to dst; ok is false when value is
// not of the Generalizer's kind (dst is then returned unchanged). number
// reports that the result is a number (JSON callers then write it
// unquoted). Append does not allocate when dst has room for the result.
func (g *Generalizer) Append(dst, value []byte) (out []byte, number, ok bool) {
	value = trimBlank(value)
	switch g.kind {
	case genDate:
		out, ok = g.appendDate(dst, value)
	case genIP:
		out, ok = g.appendIP(dst, value)
	case genPostal:
		out, ok = g.appendPostal(dst, value)
	case genNumber:
		out, ok = g.appendNumber(dst, value)
		number = ok
	case genAge:
		out, ok = g.appendAge(dst, value)
	case genEmail:
		out, ok = appendEmailDomain(dst, value)
	}
	if !ok {
		return dst, false, false
	}
	return out, number, true
}

// trimBlank drops leading and trailing ASCII spaces and tabs.
func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// digits reads the n ASCII digits at the start of b as a number.
func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// leadingDigits returns the length of the run of ASCII digits starting b,
// counting at most max+1 so that callers can tell a run longer than max.
func leadingDigits(b []byte, max int) int {
	n := 0
	for n < len(b) && n <= max && isDigit(b[n]) {
		n++
	}
	return n
}

// appendDate writes the year (and month) of a date; see Generalizer.
func (g *Generalizer) appendDate(dst, v []byte) ([]byte, bool) {
	if len(v) > maxValueLen {
		return dst, false
	}
	year, month, _, ambiguous, ok := parseDate(v)
	if !ok || (g.month && (month == 0 || ambiguous)) {
		return dst, false
	}
	dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
	if g.month {
		dst = append(dst, '-', byte('0'+month/10), byte('0'+month%10))
	}
	return dst, true
}

// parseDate reads the date forms listed on Generalizer. month and day are 0
// when the value does not hold them; ambiguous is true when the month could
// be either of two parts (the year is then still certain).
func parseDate(v []byte) (year, month, day int, ambiguous, ok bool) {
	n := leadingDigits(v, 8)
	switch {
	case n == 8: // 19900517[Thhmmss…]
		year, _ = digits(v, 4)
		month, _ = digits(v[4:], 2)
		day, _ = digits(v[6:], 2)
		rest := v[8:]
		if len(rest) > 0 && (rest[0] != 'T' && rest[0] != 't' || !validTime(rest[1:])) {
			return 0, 0, 0, false, false
		}
		return year, month, day, false, validDate(year, month, day)
	case n == 4 && len(v) == 4: // 1990
		year, _ = digits(v, 4)
		return year, 0, 0, false, true
	case n == 4: // 1990-05[-17…], 1990/05/17, 1990.05.17
		sep := v[4]
		if sep != '-' && sep != '/' && sep != '.' {
			return 0, 0, 0, false, false
		}
		year, _ = digits(v, 4)
		var ok bool
		if month, ok = digits(v[5:], 2); !ok {
			return 0, 0, 0, false, false
		}
		if len(v) == 7 { // 1990-05
			return year, month, 0, false, month >= 1 && month <= 12
		}
		if len(v) < 10 || v[7] != sep {
			return 0, 0, 0, false, false
		}
		if day, ok = digits(v[8:], 2); !ok || !validDate(year, month, day) {
			return 0, 0, 0, false, false
		}
		return year, month, day, false, validDateTail(v[10:])
	case (n == 1 || n == 2) && len(v) > n: // 17.05.1990, 17/05/1990, 05-17-1990
		a, _ := digits(v, n)
		sep := v[n]
		if sep != '.' && sep != '/' && sep != '-' {
			return 0, 0, 0, false, false
		}
		rest := v[n+1:]
		m := leadingDigits(rest, 2)
		if m < 1 || m > 2 || len(rest) < m+5 || rest[m] != sep {
			return 0, 0, 0, false, false
		}
		b, _ := digits(rest, m)
		if year, ok = digits(rest[m+1:], 4); !ok || !validDateTail(rest[m+5:]) {
			return 0, 0, 0, false, false
		}
		dayFirst := validDate(year, b, a)
		monthFirst := validDate(year, a, b)
		switch {
		case sep == '.' && dayFirst: // the dotted form is day first everywhere
			return year, b, a, false, true
		case sep == '.':
			return 0, 0, 0, false, false
		case dayFirst && monthFirst:
			return year, a, b, a != b, true
		case dayFirst:
			return year, b, a, false, true
		case monthFirst:
			return year, a, b, false, true
		}
	}
	return 0, 0, 0, false, false
}

// validDate reports whether year-month-day is a day of the Gregorian
// calendar.
func validDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}

// validDateTail reports whether rest, what follows a date, is empty or a
// time introduced by T or a space.
func validDateTail(rest []byte) bool {
	if len(rest) == 0 {
		return true
	}
	return (rest[0] == 'T' || rest[0] == 't' || rest[0] == ' ') && validTime(rest[1:])
}

// validTime reports whether t is hh:mm[:ss[.frac]] or hhmm[ss[.frac]] with
// an optional zone (Z, ±hh, ±hh:mm or ±hhmm, a space before it allowed).
func validTime(t []byte) bool {
	h, ok := digits(t, 2)
	if !ok || h > 23 {
		return false
	}
	t = t[2:]
	colon := len(t) > 0 && t[0] == ':'
	if colon {
		t = t[1:]
	}
	m, ok := digits(t, 2)
	if !ok || m > 59 {
		return false
	}
	t = t[2:]
	if colon && len(t) > 0 && t[0] == ':' || !colon && len(t) > 0 && isDigit(t[0]) {
		if colon {
			t = t[1:]
		}
		s, ok := digits(t, 2)
		if !ok || s > 60 { // 60: a leap second
			return false
		}
		t = t[2:]
		if len(t) > 1 && (t[0] == '.' || t[0] == ',') {
			n := leadingDigits(t[1:], 9)
			if n == 0 || n > 9 {
				return false
			}
			t = t[1+n:]
		}
	}
	if len(t) > 0 && t[0] == ' ' {
		t = t[1:]
		if len(t) == 0 {
			return false
		}
	}
	switch {
	case len(t) == 0:
		return true
	case len(t) == 1 && (t[0] == 'Z' || t[0] == 'z'):
		return true
	case t[0] == '+' || t[0] == '-':
		z := t[1:]
		zh, ok := digits(z, 2)
		if !ok || zh > 23 {
			return false
		}
		z = z[2:]
		if len(z) > 0 && z[0] == ':' {
			z = z[1:]
		}
		if len(z) == 0 {
			return true
		}
		zm, ok := digits(z, 2)
		return ok && zm <= 59 && len(z) == 2
	}
	return false
}

// appendIP writes the network of an IP address; see Generalizer.
func (g *Generalizer) appendIP(dst, v []byte) ([]byte, bool) {
	if len(v) > maxValueLen {
		return dst, false
	}
	zoned := false
	for i, c := range v {
		if c == '%' { // a zone: dropped, but it must not be empty
			if i == len(v)-1 {
				return dst, false
			}
			v, zoned = v[:i], true
			break
		}
	}
	addr, ok := parseIP(v)
	if !ok || zoned && addr.Is4() {
		return dst, false
	}
	bits := g.v6
	switch {
	case addr.Is4():
		bits = g.v4
	case addr.Is4In6():
		bits = 96 + g.v4
	}
	prefix, err := addr.Prefix(bits)
	if err != nil {
		return dst, false
	}
	return prefix.Addr().AppendTo(dst), true
}

// parseIP reads an IPv4 or IPv6 address without zone as net/netip's
// ParseAddr does (which allocates: its errors keep the input).
func parseIP(v []byte) (netip.Addr, bool) {
	for _, c := range v {
		if c == ':' {
			return parseIPv6(v)
		}
	}
	a, ok := parseIPv4(v)
	return netip.AddrFrom4(a), ok
}

// parseIPv4 reads a dotted-quad IPv4 address: four decimal fields from 0
// to 255 without leading zeros.
func parseIPv4(v []byte) (a [4]byte, ok bool) {
	for i := range a {
		if i > 0 {
			if len(v) == 0 || v[0] != '.' {
				return a, false
			}
			v = v[1:]
		}
		n := leadingDigits(v, 3)
		if n == 0 || n > 3 || n > 1 && v[0] == '0' {
			return a, false
		}
		f, _ := digits(v, n)
		if f > 255 {
			return a, false
		}
		a[i], v = byte(f), v[n:]
	}
	return a, len(v) == 0
}

// parseIPv6 reads an IPv6 address: up to eight groups of 1 to 4 hex digits,
// one :: standing for one or more zero groups, and maybe a dotted-quad
// IPv4 address in place of the last two groups.
func parseIPv6(v []byte) (netip.Addr, bool) {
	var ip [16]byte
	ellipsis := -1 // byte offset in ip where :: stands
	if len(v) >= 2 && v[0] == ':' && v[1] == ':' {
		ellipsis, v = 0, v[2:]
		if len(v) == 0 {
			return netip.IPv6Unspecified(), true
		}
	}
	i := 0
	for i < 16 {
		n, group := 0, 0
		for n < len(v) && n < 5 {
			h := hexValue(v[n])
			if h < 0 {
				break
			}
			group = group<<4 | h
			n++
		}
		if n == 0 || n > 4 {
			return netip.Addr{}, false
		}
		if n < len(v) && v[n] == '.' { // an embedded IPv4 address
			if ellipsis < 0 && i != 12 || i > 12 {
				return netip.Addr{}, false
			}
			a, ok := parseIPv4(v)
			if !ok {
				return netip.Addr{}, false
			}
			copy(ip[i:], a[:])
			i += 4
			v = nil
			break
		}
		ip[i], ip[i+1] = byte(group>>8), byte(group)
		i += 2
		v = v[n:]
		if len(v) == 0 {
			break
		}
		if v[0] != ':' || len(v) == 1 {
			return netip.Addr{}, false
		}
		v = v[1:]
		if v[0] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis, v = i, v[1:]
			if len(v) == 0 {
				break
			}
		}
	}
	if len(v) != 0 {
		return netip.Addr{}, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return netip.Addr{}, false // :: must stand for at least one group
	}
	return netip.AddrFrom16(ip), true
}

// hexValue returns the value of hex digit c, or -1.
func hexValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return -1
}

// appendPostal writes the first letters and digits of a postal code; see
// Generalizer.
func (g *Generalizer) appendPostal(dst, v []byte) ([]byte, bool) {
	if len(v) < 2 || len(v) > maxPostalLen {
		return dst, false
	}
	alnum, hasDigit, cut := 0, false, 0
	for i, c := range v {
		switch {
		case isDigit(c):
			hasDigit = true
		case isLetter(c):
		case c == ' ' || c == '-':
			if i == 0 || i == len(v)-1 || v[i-1] == ' ' || v[i-1] == '-' {
				return dst, false // one separator at a time, between characters
			}
			continue
		default:
			return dst, false
		}
		alnum++
		if alnum == g.keep {
			cut = i + 1
		}
	}
	if !hasDigit || alnum <= g.keep {
		return dst, false
	}
	return append(dst, v[:cut]...), true
}

// parseNumber reads a JSON number (a leading + also accepted) of magnitude
// at most 2^53.
func parseNumber(v []byte) (float64, bool) {
	if len(v) == 0 || len(v) > maxValueLen || !isJSONNumber(v) {
		return 0, false
	}
	var buf [maxValueLen]byte
	n := copy(buf[:], v)
	f, err := strconv.ParseFloat(string(buf[:n]), 64)
	if err != nil || math.Abs(f) > maxExact {
		return 0, false
	}
	return f, true
}

// isJSONNumber reports whether v follows the JSON number grammar, with an
// optional leading +.
func isJSONNumber(v []byte) bool {
	i := 0
	if v[0] == '-' || v[0] == '+' {
		i++
	}
	switch n := leadingDigits(v[i:], len(v)); {
	case n == 0:
		return false
	case n > 1 && v[i] == '0':
		return false // no leading zeros
	default:
		i += n
	}
	if i < len(v) && v[i] == '.' {
		n := leadingDigits(v[i+1:], len(v))
		if n == 0 {
			return false
		}
		i += 1 + n
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		n := leadingDigits(v[i:], len(v))
		if n == 0 {
			return false
		}
		i += n
	}
	return i == len(v)
}

// bucket rounds f down to a multiple of width (exact for |f| ≤ 2^53).
func bucket(f float64, width int64) int64 {
	w := float64(width)
	r := math.Mod(f, w) // exact
	lo := f - r         // exact: a multiple of w no larger in magnitude than f
	if r < 0 {
		lo -= w
	}
	return int64(lo)
}

// appendNumber writes the bucket of a number; see Generalizer.
func (g *Generalizer) appendNumber(dst, v []byte) ([]byte, bool) {
	f, ok := parseNumber(v)
	if !ok {
		return dst, false
	}
	return strconv.AppendInt(dst, bucket(f, g.width), 10), true
}

// appendAge writes the age range holding an age; see Generalizer.
func (g *Generalizer) appendAge(dst, v []byte) ([]byte, bool) {
	f, ok := parseNumber(v)
	if !ok || f < 0 || f > maxAge {
		return dst, false
	}
	lo := bucket(f, g.width)
	dst = strconv.AppendInt(dst, lo, 10)
	dst = append(dst, '-')
	return strconv.AppendInt(dst, lo+g.width-1, 10), true
}

// appendEmailDomain writes the lower-cased domain of an email address; see
// Generalizer.
func appendEmailDomain(dst, v []byte) ([]byte, bool) {
	if len(v) > maxEmailLen || !utf8.Valid(v) {
		return dst, false
	}
	at := -1
	for i, c := range v {
		if c == '@' {
			at = i
		}
	}
	if at <= 0 || at == len(v)-1 {
		return dst, false
	}
	for _, c := range v[:at] {
		if c <= ' ' || c == 0x7f || c == '<' || c == '>' {
			return dst, false
		}
	}
	domain := v[at+1:]
	if domain[0] == '.' || domain[0] == '-' {
		return dst, false
	}
	for i, c := range domain {
		ok := isDigit(c) || isLetter(c) || c == '-' || c == '_' || c >= utf8.RuneSelf ||
			c == '.' && i > 0 && domain[i-1] != '.'
		if !ok {
			return dst, false
		}
	}
	for _, c := range domain {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}
