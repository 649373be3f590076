package detect

// postcodeCityEnd returns the end of a postcode and the city after it at
// t[p] ("10115 Berlin", "75002 Paris", "28013 Madrid", "D-10115 Berlin",
// "1010 Wien"): 4 or 5 digits, optionally after a country letter and a
// dash, then one to three capitalized words; or 0.
func postcodeCityEnd(t []byte, p int) int {
	q := p
	if isUpper(at(t, q)) && at(t, q+1) == '-' {
		q += 2
	}
	k := q
	for k < len(t) && isDigit(t[k]) {
		k++
	}
	if n := k - q; n < 4 || n > 5 || at(t, k) != ' ' {
		return 0
	}
	end := 0
	for w := 0; w < 3 && at(t, k) == ' '; w++ {
		size, upper := letterAt(t, k+1)
		if size == 0 {
			break
		}
		if !upper {
			// A particle inside the city's name ("Frankfurt am Main",
			// "Boulogne-sur-Mer", "Santiago de Compostela").
			pe := wordEnd(t, k+1)
			if end == 0 || !isCityParticle(t[k+1:pe]) || at(t, pe) != ' ' {
				break
			}
			if size, upper := letterAt(t, pe+1); size == 0 || !upper {
				break
			}
			k = pe
			continue
		}
		k = wordEnd(t, k+1)
		end = k
	}
	return end
}

// isCityParticle reports whether w joins the words of a city's name.
func isCityParticle(w []byte) bool {
	switch string(w) {
	case "am", "an", "im", "ob", "der", "sur", "sous", "en", "lès", "les", "de", "del", "la", "el":
		return true
	}
	return false
}

// postcodeEnd returns the end of a US state and ZIP code ("IL 62704",
// "CA 94105-1234"), a UK postcode ("SW1A 1AA", "M1 1AE") or a Canadian one
// ("K1A 0B1") at t[p], or 0.
func postcodeEnd(t []byte, p int) int {
	if e := stateZipEnd(t, p); e > 0 {
		return e
	}
	if e := ukPostcodeEnd(t, p); e > 0 {
		return e
	}
	return caPostcodeEnd(t, p)
}

// usStates are the two-letter codes of the US states, DC and territories,
// concatenated.
const usStates = "ALAKAZARCACOCTDEDCFLGAHIIDILINIAKSKYLAMEMDMAMIMNMSMOMTNENVNHNJNMNYNCNDOHOKORPAPRRISCSDTNTXUTVTVAVIWAWVWIWYGUASMP"

func stateZipEnd(t []byte, p int) int {
	if !isUpper(at(t, p)) || !isUpper(at(t, p+1)) || at(t, p+2) != ' ' {
		return 0
	}
	found := false
	for i := 0; i+2 <= len(usStates); i += 2 {
		if usStates[i] == t[p] && usStates[i+1] == t[p+1] {
			found = true
			break
		}
	}
	if !found {
		return 0
	}
	k := p + 3
	for k < len(t) && isDigit(t[k]) {
		k++
	}
	if k-p-3 != 5 {
		return 0
	}
	if at(t, k) == '-' && isDigit(at(t, k+1)) {
		e := k + 1
		for e < len(t) && isDigit(t[e]) {
			e++
		}
		if e-k-1 == 4 {
			k = e
		}
	}
	if isAlnum(at(t, k)) {
		return 0
	}
	return k
}

// ukPostcodeEnd matches A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA,
// AA9A 9AA.
func ukPostcodeEnd(t []byte, p int) int {
	k := p
	for k < len(t) && isUpper(t[k]) && k-p < 2 {
		k++
	}
	if k == p || !isDigit(at(t, k)) {
		return 0
	}
	k++
	if isDigit(at(t, k)) || isUpper(at(t, k)) {
		k++
	}
	if at(t, k) != ' ' || !isDigit(at(t, k+1)) || !isUpper(at(t, k+2)) || !isUpper(at(t, k+3)) || isAlnum(at(t, k+4)) {
		return 0
	}
	return k + 4
}

// caPostcodeEnd matches A9A 9A9.
func caPostcodeEnd(t []byte, p int) int {
	if !isUpper(at(t, p)) || !isDigit(at(t, p+1)) || !isUpper(at(t, p+2)) || at(t, p+3) != ' ' ||
		!isDigit(at(t, p+4)) || !isUpper(at(t, p+5)) || !isDigit(at(t, p+6)) || isAlnum(at(t, p+7)) {
		return 0
	}
	return p + 7
}
