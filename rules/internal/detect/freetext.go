package detect

// freeText finds people's names (person_name) and street addresses
// (street_address) in free text.
func (sc *scanner) freeText() {}
