package detect

// ssns finds US social security numbers in a chain: AAA-GG-SSSS with any
// separators of " -./_+", mixed or not ("123-45-6789", "123 45 6789",
// "123.45.6789", "123/45/6789", "123 - 45 - 6789", "123+45+6789"; a letter
// touching the digits does not hide it: "id123-45-6789"); and, with SSN
// evidence (an SSN word in the context window: "ssn", "social security",
// "ss#", "SVNR", "sécurité sociale", …; or an SSN member name), nine bare
// digits or the nine digits written 3-6 or 5-4 ("078-051121",
// "07805-1121"). The area is never 000, 666 or 900–999, the group never 00
// and the serial never 0000.
func (sc *scanner) ssns(c *chain) {
	var buf [9]byte
	for i := 0; i < c.n; i++ {
		if !c.canStartGlued(i) {
			continue
		}
		sc.meter.add(9 + 40) // the digits, the keyword window
		pos := c.g[i].start
		if i+2 < c.n && c.len(i) == 3 && c.len(i+1) == 2 && c.len(i+2) == 4 && c.canEndGlued(i+2) &&
			ssnSep(c.sep(i+1)) && ssnSep(c.sep(i+2)) && validSSN(c.collect(buf[:0], i, i+2)) {
			sc.emitEvidence(kSSN, pos, c.g[i+2].end, EvFormat|sc.ssnEvidence(pos))
			i += 2
			continue
		}
		if !c.canStart(i) {
			continue
		}
		if c.len(i) == 9 && c.canEnd(i) && validSSN(c.collect(buf[:0], i, i)) {
			if ev := sc.ssnEvidence(pos); ev != 0 {
				sc.emitEvidence(kSSN, pos, c.g[i].end, ev)
			}
			continue
		}
		if i+1 < c.n && (c.len(i) == 3 && c.len(i+1) == 6 || c.len(i) == 5 && c.len(i+1) == 4) && c.canEnd(i+1) &&
			ssnSep(c.sep(i+1)) && validSSN(c.collect(buf[:0], i, i+1)) {
			if ev := sc.ssnEvidence(pos); ev != 0 {
				sc.emitEvidence(kSSN, pos, c.g[i+1].end, ev)
				i++
			}
		}
	}
}

// ssnEvidence returns the SSN evidence for a number at t[i]: EvKey under
// an SSN member name, EvContext after an SSN word.
func (sc *scanner) ssnEvidence(i int) Evidence {
	return sc.hintEvidence(HintSSN) | sc.ctxEvidence(i, cxSSN)
}

// ssnSep accepts a separator between the parts of an SSN: up to three
// bytes of " -./_+" (no parenthesis, and no tab or line break: three columns of a
// table are not one number).
func ssnSep(s []byte) bool {
	if len(s) > 3 {
		return false
	}
	for _, b := range s {
		switch b {
		case ' ', '-', '.', '/', '_', '+':
		default:
			return false
		}
	}
	return true
}

// validSSN checks the area, group and serial of nine digits.
func validSSN(d []byte) bool {
	area, grp, serial := atoi(d[:3]), atoi(d[3:5]), atoi(d[5:])
	return area != 0 && area != 666 && area < 900 && grp != 0 && serial != 0
}

// indexFold returns the first index of the lowercase ASCII string kw in s,
// compared case-insensitively, or -1.
func indexFold(s []byte, kw string) int {
	for i := 0; i+len(kw) <= len(s); i++ {
		j := 0
		for j < len(kw) && lower(s[i+j]) == kw[j] {
			j++
		}
		if j == len(kw) {
			return i
		}
	}
	return -1
}

func lower(b byte) byte {
	if isUpper(b) {
		return b + 'a' - 'A'
	}
	return b
}
