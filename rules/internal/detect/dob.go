package detect

// datesOfBirth finds dates with birth evidence: a dob/birth member name
// (hint) or a birth word shortly before the date.
func (sc *scanner) datesOfBirth() {}
