package detect

import "github.com/veilproxy/veil/rules/internal/luhn"

// cards finds payment card numbers in a chain: 12 to 19 digits written as
// one group, in groups (4-4-4-4, 4-6-5, Diners 4-6-4, …) joined by card
// separators (cardSep: space, tab, line break, '-', '.', '/', '_', '+', mixed
// or repeated: "4111-1111 1111.1111", "4111  1111 - 1111 1111"), or one
// digit per group ("4 1 1 1 …", one separator throughout), with a known
// issuer prefix and length, and a valid Luhn check digit. A letter touching
// the digits does not hide a card ("x4111111111111111y"). A UATP number
// needs card evidence too: a card word before it or a card member name.
// Cards written one after another in four groups of four each keep their
// own grouping (see cardRun), so a run of them is not a tracking number.
func (sc *scanner) cards(c *chain) {
	var buf [19]byte
	var run cardRun
	for i := 0; i < c.n; i++ {
		if !c.canStartGlued(i) {
			continue
		}
		best, nd := -1, 0
		for j := i; j < c.n; j++ {
			sc.meter.add(4) // the window's separator and shape
			nd += c.len(j)
			if nd > 19 {
				break
			}
			if j > i && !cardSep(c.sep(j), c.len(j-1), c.len(i) == 1) {
				break // ('.' only after a group of four: "912.285389" is a decimal)
			}
			if !cardShapeGrows(c, i, j) {
				break
			}
			if nd >= 12 && c.canEndGlued(j) && (!cardContinues(c, i, j) || run.whole(sc, c, i, j)) {
				sc.meter.add(2 * nd) // the digits, collected and checked
				if ok, weak := cardIssuer(c.collect(buf[:0], i, j)); ok && (!weak || sc.cardEvidence(c.g[i].start) != 0) {
					best = j
				}
			}
		}
		if best >= 0 {
			sc.emitEvidence(kCard, c.g[i].start, c.g[best].end, EvChecksum|sc.cardEvidence(c.g[i].start))
			i = best
		}
	}
}

// cardSep accepts the separator s between two groups of a card, the first
// of prev digits: bytes of " \t\r\n-/_+", or '.' alone after a group of
// four or between single digits (spaced).
func cardSep(s []byte, prev int, spaced bool) bool {
	for _, b := range s {
		switch b {
		case '(', ')':
			return false
		case '.':
			if len(s) > 1 || prev != 4 && !spaced {
				return false
			}
		}
	}
	return true
}

// cardShapeGrows reports whether groups i..j keep a card's shape, given
// that groups i..j-1 have it: one group; two to five groups of which all but
// the last have at least four digits (4-4-4-4, 4-6-5, and groupings merged by
// ignored zero-width characters such as 8-4-4); or one digit per group,
// joined by one repeated separator. A window that loses the shape never gets
// it back, so the caller stops there: testing each window whole made a run
// of spaced digits ("1 1 1 …") cost the cube of its length.
func cardShapeGrows(c *chain, i, j int) bool {
	if j == i {
		return true
	}
	if c.len(i) == 1 {
		return c.len(j) == 1 && string(c.sep(j)) == string(c.sep(i+1))
	}
	return j-i <= 4 && c.len(j-1) >= 4
}

// cardContinues reports whether the grouping of a multi-group window goes
// on beyond it: a four-digit group joined by the same separator right before
// or after it, as in a 22-digit tracking number "9400 1000 0000 0000 0000 00",
// or, for one digit per group, one more such digit.
func cardContinues(c *chain, i, j int) bool {
	if i == j {
		return false
	}
	if c.len(i) == 1 {
		// one digit per group: the whole run of spaced digits, or nothing
		s := string(c.sep(i + 1))
		return i > 0 && c.len(i-1) == 1 && string(c.sep(i)) == s || j+1 < c.n && c.len(j+1) == 1 && string(c.sep(j+1)) == s
	}
	s := c.sep(i + 1)[0]
	return (i > 0 && c.len(i-1) == 4 && sepIs(c.sep(i), s)) || (j+1 < c.n && c.len(j+1) == 4 && sepIs(c.sep(j+1), s))
}

// cardRun tells cards written one after another from a long grouped
// number. A window of four groups of four whose grouping seems to go on
// ("4012 8888 8888 1881 4012 …") is still a card when the groups that
// continue it are, block by block, other cards of four groups of four, each
// joined by one separator of its own and valid on its own (validCard), up
// to a side where the grouping stops: "4012888888881881 4012-8888-8888-1881
// 4012 8888 8888 1881" is three cards. A run with a group left over
// ("9400 1000 0000 0000 0000 00", 22 digits) or a block that is no card
// stays one number. The verdict for each block is kept for the chain, so a
// long run is checked once, not once per window.
type cardRun struct {
	known, valid uint32 // bit k: groups k..k+3 checked, and a card
}

// whole reports whether the window i..j is four groups of four and every
// block of four groups that continues its grouping on either side is a card
// of its own (see cardRun).
func (r *cardRun) whole(sc *scanner, c *chain, i, j int) bool {
	if j-i != 3 || !fourByFour(c, i) {
		return false
	}
	for k := i; k > 0 && c.len(k-1) == 4 && sepIs(c.sep(k), c.sep(k + 1)[0]); {
		k -= 4
		if k < 0 || !r.card(sc, c, k) {
			return false
		}
	}
	for k := i; k+4 < c.n && c.len(k+4) == 4 && sepIs(c.sep(k+4), c.sep(k + 1)[0]); {
		k += 4
		if k+3 >= c.n || !r.card(sc, c, k) {
			return false
		}
	}
	return true
}

// card reports whether groups k..k+3 are four groups of four joined by one
// separator and a valid card on their own.
func (r *cardRun) card(sc *scanner, c *chain, k int) bool {
	if r.known&(1<<k) == 0 {
		r.known |= 1 << k
		if fourByFour(c, k) {
			var buf [16]byte
			sc.meter.add(32) // the digits, collected and checked
			if validCard(c.collect(buf[:0], k, k+3)) {
				r.valid |= 1 << k
			}
		}
	}
	return r.valid&(1<<k) != 0
}

// fourByFour reports whether groups k..k+3 exist, have four digits each and
// are joined by one separator written the same each time.
func fourByFour(c *chain, k int) bool {
	if k+3 >= c.n {
		return false
	}
	for g := k; g <= k+3; g++ {
		if c.len(g) != 4 || g > k+1 && string(c.sep(g)) != string(c.sep(k+1)) {
			return false
		}
	}
	return true
}

// validCard reports whether the digit string d is a payment card number
// on its own: an issuer prefix whose lengths include len(d), and a valid
// Luhn check digit (cardIssuer), of a brand that needs no other evidence.
func validCard(d []byte) bool {
	ok, weak := cardIssuer(d)
	return ok && !weak
}

// cardIssuer reports whether the digit string d is a payment card number:
// an issuer prefix whose lengths include len(d), as the networks publish
// them, and a valid Luhn check digit; weak when the prefix is too wide to
// tell a card from another number without card evidence (UATP: any
// 15-digit number starting with 1).
//
//	Visa 4 (13, 16, 19; Visa/Dankort 4571) · Mastercard 51–55, 2221–2720 (16) · Amex 34, 37 (15)
//	Discover 6011, 622126–622925, 644–649, 65 (16–19) · JCB 3528–3589 (16–19)
//	Diners Club 300–305, 3095, 36, 38–39 (14–19) · UnionPay 62, 810, 8110–8171 (16–19)
//	Maestro 5018, 5020, 5038, 5893, 6304, 6759, 6761–6763, 676770, 676774 (12–19)
//	Dankort 5019 (16) · Mir 2200–2204 (16–19) · UATP 1 (15, weak)
func cardIssuer(d []byte) (ok, weak bool) {
	n := len(d)
	if n < 12 || n > 19 || d[0] == '0' {
		return false, false
	}
	p2, p3, p4, p6 := atoi(d[:2]), atoi(d[:3]), atoi(d[:4]), atoi(d[:6])
	switch {
	case d[0] == '4':
		ok = n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720, p4 == 5019:
		ok = n == 16
	case p2 == 34, p2 == 37:
		ok = n == 15
	case p4 == 6011, p6 >= 622126 && p6 <= 622925, p3 >= 644 && p3 <= 649, p2 == 65,
		p4 >= 3528 && p4 <= 3589, p2 == 62, p3 == 810, p4 >= 8110 && p4 <= 8171, p4 >= 2200 && p4 <= 2204:
		ok = n >= 16
	case p3 >= 300 && p3 <= 305, p4 == 3095, p2 == 36, p2 == 38, p2 == 39:
		ok = n >= 14
	case p4 == 5018, p4 == 5020, p4 == 5038, p4 == 5893, p4 == 6304, p4 == 6759, p4 >= 6761 && p4 <= 6763,
		p6 == 676770, p6 == 676774:
		ok = true
	case d[0] == '1':
		ok, weak = n == 15, true
	}
	if !ok || !luhn.Valid(d) {
		return false, false
	}
	return true, weak
}

// cardEvidence returns the card evidence for a number at t[i]: EvKey under
// a card member name, EvContext after a card word.
func (sc *scanner) cardEvidence(i int) Evidence {
	return sc.hintEvidence(HintCard) | sc.ctxEvidence(i, cxCard)
}
