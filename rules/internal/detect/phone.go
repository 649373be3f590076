package detect

// Phone numbers are found in digit chains, in two families of formats.
//
// International: '+' or an international call prefix ("00", or "011" from
// North America), a known country calling code, then a national number
// whose length is plausible for that code (callingCodes), with any chain
// separators and an optional "(0)" trunk group: "+44 (0)20 7946 0958",
// "+1 (555) 123-4567", "+4915112345678", "0049 30 12345678",
// "011 44 20 7946 0958". NANP numbers (+1) also need an area code and an
// exchange starting with 2–9.
//
// National, one separator used consistently:
//   - US/CA: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567, with an
//     optional leading 1; area code and exchange start with 2–9;
//   - BR: (11) 91234-5678, 11 91234-5678, (11) 1234-5678;
//   - IN mobile: 98765 43210 (first digit 6–9);
//   - trunk-prefix formats of UK, DE, FR, JP, AU, IN landlines: a leading 0
//     then a non-zero digit, 10 to 12 digits in 2 to 5 groups of 2 or more
//     ("020 7946 0958", "07700 900123", "030 12345678", "089/1234567",
//     "01 23 45 67 89", "01.23.45.67.89", "03-1234-5678", "0412 345 678");
//     '/' only between two groups, '.' only in the French pairs layout.
//
// Separators are those of digit chains but tabs, line breaks and '_'; a
// '+' between groups reads as the space a form-encoded query writes it for
// ("+1+415+555+2671", "415+555+2671").
//
// Bare digit strings without '+' are phones only after a phone word
// ("call 4155552671", "mobile: 07700900123", "llámame al 612345678", see
// context.go) and when their digits fit a format above or are a Spanish
// number of nine digits, or under a phone member name: order numbers,
// timestamps and identifiers look the same.

// callingCodes maps country calling codes to the minimum and maximum length
// of their national significant numbers.
var callingCodes = map[int][2]int{
	1: {10, 10}, 7: {10, 10}, 20: {8, 10}, 27: {9, 9}, 30: {10, 10}, 31: {9, 9},
	32: {8, 9}, 33: {9, 9}, 34: {9, 9}, 36: {8, 9}, 39: {6, 11}, 40: {9, 9},
	41: {9, 9}, 43: {7, 13}, 44: {9, 10}, 45: {8, 8}, 46: {7, 10}, 47: {8, 8},
	48: {9, 9}, 49: {7, 12}, 51: {8, 9}, 52: {10, 10}, 53: {8, 8}, 54: {10, 11},
	55: {10, 11}, 56: {9, 9}, 57: {10, 10}, 58: {10, 10}, 60: {8, 10}, 61: {9, 9},
	62: {8, 12}, 63: {8, 10}, 64: {8, 10}, 65: {8, 8}, 66: {8, 9}, 81: {9, 10},
	82: {8, 10}, 84: {9, 10}, 86: {10, 11}, 90: {10, 10}, 91: {10, 10}, 92: {9, 10},
	93: {9, 9}, 94: {9, 9}, 95: {8, 10}, 98: {10, 10}, 212: {9, 9}, 213: {9, 9},
	216: {8, 8}, 234: {8, 10}, 254: {9, 9}, 351: {9, 9}, 352: {6, 11}, 353: {7, 9},
	354: {7, 7}, 358: {6, 10}, 359: {8, 9}, 370: {8, 8}, 371: {8, 8}, 372: {7, 8},
	380: {9, 9}, 420: {9, 9}, 421: {9, 9}, 852: {8, 8}, 853: {8, 8}, 855: {8, 9},
	880: {10, 10}, 886: {8, 9}, 966: {9, 9}, 971: {8, 9}, 972: {8, 9}, 974: {8, 8},
}

// splitCallingCode returns the length of the country calling code that
// starts d (codes are prefix-free) and its national length range.
func splitCallingCode(d []byte) (int, [2]int, bool) {
	for n := 1; n <= 3 && n < len(d); n++ {
		if r, ok := callingCodes[atoi(d[:n])]; ok {
			return n, r, true
		}
	}
	return 0, [2]int{}, false
}

// validE164 checks the digits of an international number (without '+').
func validE164(d []byte) bool {
	n, r, ok := splitCallingCode(d)
	if !ok {
		return false
	}
	if d[0] == '0' {
		return false // after "00" or "011", "0…" is no calling code
	}
	national := d[n:]
	if len(national) < r[0] || len(national) > r[1] {
		return false
	}
	if n == 1 && d[0] == '1' {
		return national[0] >= '2' && national[3] >= '2'
	}
	return national[0] != '0' || string(d[:n]) == "39" // Italy dials its 0 from abroad too
}

// phoneNumberLiteral reports whether the digits of a JSON number form an
// international number without its '+', 11 to 15 digits.
func phoneNumberLiteral(d []byte) bool {
	return len(d) >= 11 && len(d) <= 15 && validE164(d)
}

// phones tries, at each group a number may start at, the international form
// (first group after '+') and the national formats, keeping the longest.
// Phone evidence before the number (a phone word in the context window) or
// a phone member name (HintPhone) also confirms bare digits and numbers in
// groups no national format lists (loosePhone); a reference word right
// before the number ("tracking", "order", "Sendung", "colis", "paquete") or
// an identifier, quantity or version member name over a value that is the
// number alone vetoes every form but the international one with '+' (a reference word only the numbers that
// evidence confirmed and those written in groups of four digits, as parcel
// numbers are: "Tracking 0123 4567 8901"). A version word right before a
// number written with dots vetoes it, whatever confirmed it ("Call me.
// Version 22.99.166.240": a version, not a phone).
func (sc *scanner) phones(c *chain) {
	keyed := sc.hint&HintPhone != 0
	idKey := !keyed && sc.hint&(HintIdentifier|HintQuantity|HintVersion) != 0
	for i := 0; i < c.n; i++ {
		if !c.canStart(i) {
			continue
		}
		sc.meter.add(64 + 2*c.n) // an international and five national windows, the long-code runs, a phone word
		best, ev := -1, EvFormat
		pos := c.g[i].start
		if i == 0 && c.plus {
			best = intlPhone(c, 0, 0)
		} else {
			// A call prefix needs the number written in groups, and not
			// inside a run of four-digit groups: "0039393407" is an order
			// number, "9400 3070 0055 1828 8295 55" a tracking number.
			if skip := callPrefix(c, i); skip > 0 && !inLongCode(c, i, 5) && !(i > 0 && c.len(i-1) == 4 && inLongCode(c, i, 4)) {
				if j := intlPhone(c, i, skip); j > i {
					best = j
				}
			}
			nd := c.len(i)
			for j := i + 1; j < c.n && j < i+5; j++ {
				if nd += c.len(j); nd > 12 {
					break // every national format has 10 to 12 digits
				}
				if j > best && nd >= 10 && c.canEnd(j) && nationalPhone(c, i, j) && !inLongCode(c, i, 4) && !inLongCode(c, j, 4) {
					best = j
				}
			}
			if best < 0 {
				best, ev = sc.confirmedPhone(c, i, keyed)
			}
			if best >= 0 && (idKey && sc.wholeShortValue(c.g[i].start, c.g[best].end) || !keyed && (ev != EvFormat || fourDigitGroups(c, i, best)) && sc.context(pos).near&cxRef != 0 ||
				dotted(c, i, best) && sc.context(pos).near&cxVersion != 0) {
				best = -1
			}
		}
		if best >= 0 {
			start := c.g[i].start
			if i == 0 {
				start = c.begin
			} else if c.paren(i) {
				start--
			}
			sc.emitEvidence(kPhone, start, c.g[best].end, ev|sc.hintEvidence(HintPhone)|sc.ctxEvidence(pos, cxPhone))
			i = best
		}
	}
}

// maxVetoedValue bounds the values an identifier, quantity or version
// member name can veto a phone number in: a number alone in a short value
// ("order_id": "0151 1234 5678"). In longer text under such a name (a
// comment kept in "ticket_id") the number is read as anywhere else.
const maxVetoedValue = 40

// wholeShortValue reports whether t[s:e] is, but for punctuation and
// spaces, the whole of a text of at most maxVetoedValue bytes.
func (sc *scanner) wholeShortValue(s, e int) bool {
	return len(sc.t) <= maxVetoedValue && wholeValue(sc.t, s, e)
}

// confirmedPhone returns the last group of a number starting at group i
// that phone evidence confirms, and that evidence, or -1: bare digits that
// fit a format (barePhone) after a phone word; 8 to 15 bare digits under a
// phone member name; or a number in groups (loosePhone) after either.
func (sc *scanner) confirmedPhone(c *chain, i int, keyed bool) (int, Evidence) {
	g := c.t[c.g[i].start:c.g[i].end]
	if c.canEnd(i) && len(g) >= 8 && len(g) <= 15 {
		if keyed {
			return i, EvKey
		}
		if barePhone(g) && sc.context(c.g[i].start).all&cxPhone != 0 {
			return i, EvContext
		}
		return -1, 0
	}
	if i > 0 || c.plus {
		return -1, 0 // a number in groups starts a chain ("+1+115+555+2671" is no phone at all)
	}
	if j := loosePhone(c, i); j > i {
		if keyed {
			return j, EvKey
		}
		if sc.context(c.g[i].start).all&cxPhone != 0 {
			return j, EvContext
		}
	}
	return -1, 0
}

// loosePhone returns the last group of the longest number from group i
// that reads as a phone number once evidence says it is one: 2 to 5 groups
// of 2 or more digits, 8 to 12 digits in all, joined by one separator of
// " -./" used throughout (national numbers without a trunk prefix: ES
// "612 345 678", DK "12 34 56 78", IT "06 6982 1234"), not shaped like a
// date ("1984-07-23", "23.07.1984"); or -1.
func loosePhone(c *chain, i int) int {
	if c.len(i) < 2 {
		return -1
	}
	best, nd := -1, c.len(i)
	var sep byte
	for j := i + 1; j < c.n && j < i+5; j++ {
		s := c.sep(j)
		if len(s) != 1 || c.len(j) < 2 || (sep != 0 && s[0] != sep) {
			break
		}
		switch s[0] {
		case ' ', '-', '.', '/', '+':
		default:
			return best
		}
		sep = s[0]
		if nd += c.len(j); nd > 12 {
			break
		}
		if nd >= 8 && c.canEnd(j) && !(j == i+2 && dateShaped(c.len(i), c.len(i+1), c.len(j))) && !(sep == '/' && j > i+1) {
			best = j
		}
	}
	return best
}

// dotted reports whether groups i..j (two or more) are joined by single
// dots, as the parts of a version are ("Version 22.99.166.240").
func dotted(c *chain, i, j int) bool {
	for k := i + 1; k <= j; k++ {
		if !sepIs(c.sep(k), '.') {
			return false
		}
	}
	return j > i
}

// fourDigitGroups reports whether groups i..j (two or more) all have four
// digits.
func fourDigitGroups(c *chain, i, j int) bool {
	for k := i; k <= j; k++ {
		if c.len(k) != 4 {
			return false
		}
	}
	return j > i
}

// dateShaped reports whether three digit groups of these lengths may be a
// date: a year of four digits first or last, one or two digits for the
// others.
func dateShaped(a, b, d int) bool {
	return a == 4 && b <= 2 && d <= 2 || a <= 2 && b <= 2 && (d == 4 || d == 2)
}

// inLongCode reports whether group k is one of a run of least or more
// four-digit groups joined by one repeated separator: a tracking number or
// similar code ("9400 0624 0927 2912 8976 95"), not a phone number. A
// national number is never one of four ("4634 0121 9473 3586" is a card or
// order number, not a phone after "4634"); a number after a call prefix may
// be, when the prefix starts the run ("0049 1512 3456 7890", but not
// "5113 0053 9864 8575").
func inLongCode(c *chain, k, least int) bool {
	if c.len(k) != 4 {
		return false
	}
	lo, hi := k, k
	same := func(a, b []byte) bool { return len(a) == 1 && string(a) == string(b) }
	for lo > 0 && c.len(lo-1) == 4 && (hi == lo || same(c.sep(lo), c.sep(lo+1))) {
		lo--
	}
	for hi+1 < c.n && c.len(hi+1) == 4 && (hi == lo || same(c.sep(hi+1), c.sep(hi))) {
		hi++
	}
	return hi-lo+1 >= least
}

// callPrefix returns how many leading digits of group i are an
// international call prefix: 3 for "011" (dialled from NANP countries), 2
// for "00" (elsewhere), else 0.
func callPrefix(c *chain, i int) int {
	g := c.t[c.g[i].start:c.g[i].end]
	switch {
	case len(g) >= 3 && g[0] == '0' && g[1] == '1' && g[2] == '1':
		return 3
	case len(g) >= 2 && g[0] == '0' && g[1] == '0':
		return 2
	}
	return 0
}

// intlPhone returns the last group of the longest valid international
// number starting at group i after its first skip digits (the call prefix),
// or -1.
func intlPhone(c *chain, i, skip int) int {
	var buf [16]byte
	d := buf[:0]
	best := -1
	for j := i; j < c.n; j++ {
		g := c.t[c.g[j].start+skip : c.g[j].end]
		skip = 0
		if j > i && len(d) <= 3 && len(g) == 1 && g[0] == '0' && c.paren(j) {
			continue // "+44 (0)20 …": the trunk prefix is not dialled
		}
		if len(d)+len(g) > 15 || j > i && !phoneSep(c.sep(j)) {
			break
		}
		d = append(d, g...)
		if len(d) >= 8 && c.canEnd(j) && validE164(d) {
			best = j
		}
	}
	return best
}

// nationalPhone reports whether groups i..j form a national number.
func nationalPhone(c *chain, i, j int) bool {
	return nanpPhone(c, i, j) || brPhone(c, i, j) || inMobile(c, i, j) || trunkPhone(c, i, j)
}

func (c *chain) first(k int) byte { return c.t[c.g[k].start] }

// afterParen accepts the separator after a "(…)" group: ")", ") ", ")-" or
// ")+" (form-encoded).
func afterParen(s []byte) bool {
	return len(s) >= 1 && s[0] == ')' && (len(s) == 1 || (len(s) == 2 && (s[1] == ' ' || s[1] == '-' || s[1] == '+')))
}

// phoneSep accepts the separator between two groups of a phone number:
// up to three bytes of " -./()+" (a '+' is a space in a form-encoded query:
// "+1+415+555+2671"); no tab, line break or '_'.
func phoneSep(s []byte) bool {
	if len(s) > 3 {
		return false
	}
	for _, b := range s {
		switch b {
		case ' ', '-', '.', '/', '(', ')', '+':
		default:
			return false
		}
	}
	return true
}

// spaceSep reports whether s is a single space, or a '+' standing for one.
func spaceSep(s []byte) bool { return sepIs(s, ' ') || sepIs(s, '+') }

func nanpPhone(c *chain, i, j int) bool {
	if c.len(i) == 1 && c.first(i) == '1' {
		i++
	}
	if j != i+2 || c.len(i) != 3 || c.len(i+1) != 3 || c.len(j) != 4 || c.first(i) < '2' || c.first(i+1) < '2' {
		return false
	}
	s1, s2 := c.sep(i+1), c.sep(j)
	if c.paren(i) {
		return afterParen(s1) && len(s2) == 1 && s2[0] != '/' && phoneSep(s2)
	}
	return len(s1) == 1 && s1[0] != '/' && phoneSep(s1) && sepIs(s2, s1[0])
}

func brPhone(c *chain, i, j int) bool {
	if j != i+2 || c.len(i) != 2 || c.first(i) == '0' || c.t[c.g[i].start+1] == '0' || c.len(j) != 4 || !sepIs(c.sep(j), '-') {
		return false
	}
	switch c.len(i + 1) {
	case 4:
	case 5:
		if c.first(i+1) != '9' {
			return false
		}
	default:
		return false
	}
	if c.paren(i) {
		return afterParen(c.sep(i + 1))
	}
	return spaceSep(c.sep(i + 1))
}

func inMobile(c *chain, i, j int) bool {
	if j != i+1 || c.len(i) != 5 || c.len(j) != 5 || c.first(i) < '6' {
		return false
	}
	s := c.sep(j)
	return spaceSep(s) || sepIs(s, '-')
}

func trunkPhone(c *chain, i, j int) bool {
	groups := j - i + 1
	nd := c.digits(i, j)
	if c.first(i) != '0' || c.len(i) < 2 || c.len(i) > 5 || c.t[c.g[i].start+1] == '0' ||
		groups > 5 || nd < 10 || nd > 12 {
		return false
	}
	for k := i; k <= j; k++ {
		if c.len(k) < 2 {
			return false
		}
	}
	k := i + 1
	if c.paren(i) {
		if !afterParen(c.sep(k)) {
			return false
		}
		k++
	}
	var sep byte
	for ; k <= j; k++ {
		s := c.sep(k)
		if len(s) != 1 || !phoneSep(s) || (sep != 0 && s[0] != sep) {
			return false
		}
		sep = s[0]
	}
	switch sep {
	case '/':
		return groups == 2
	case '.':
		return groups == 5 && nd == 10
	}
	return true
}

// barePhone reports whether a run of digits written without separators is
// a phone number in one of the formats above: NANP with or without its
// leading 1, an Indian mobile, a trunk-0 national number, a Spanish number
// (nine digits: mobiles 6xx and 71x–74x, landlines 8xx and 9xx), or an
// international number without its '+'.
func barePhone(d []byte) bool {
	n := len(d)
	switch {
	case n == 9:
		return d[0] == '6' || d[0] == '8' || d[0] == '9' || d[0] == '7' && d[1] >= '1' && d[1] <= '4'
	case n < 10 || n > 15:
		return false
	case n == 10 && d[0] >= '2' && d[3] >= '2', // NANP
		n == 11 && d[0] == '1' && d[1] >= '2' && d[4] >= '2',
		n == 10 && d[0] >= '6',                // IN mobile
		n <= 12 && d[0] == '0' && d[1] != '0': // trunk 0
		return true
	}
	return n >= 11 && validE164(d)
}
