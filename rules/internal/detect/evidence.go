package detect

import "strings"

// Evidence says why a span was taken: a bit per kind of evidence that
// supported it. A finding in a report names its evidence, and a rule may ask
// for some (select.evidence).
type Evidence uint8

// The kinds of evidence.
const (
	// EvChecksum: a check digit or checksum validated the value (Luhn for
	// cards, mod-97 for IBANs, a decoded JWT header).
	EvChecksum Evidence = 1 << iota
	// EvFormat: the value's own shape, as its issuer publishes it, is
	// enough (an email address, a +CC phone number, a 3-2-4 SSN, a token
	// with its issuer's prefix, length and alphabet).
	EvFormat
	// EvKey: the member name the value sits under (or a parent's) names
	// what it is ("phone", "ssn", "dob").
	EvKey
	// EvContext: words shortly before the value in the same text name what
	// it is ("SSN", "call me", "born", "Dear").
	EvContext
	// EvWordlist: the words of the value are in a list of such words (given
	// names, surnames, street types).
	EvWordlist
	numEvidence = iota
)

var evidenceNames = [numEvidence]string{"checksum", "format", "key", "context", "wordlist"}

// EvidenceNames returns the names of the kinds of evidence, in bit order.
func EvidenceNames() []string { return evidenceNames[:] }

// ParseEvidence returns the Evidence bit of a kind's name.
func ParseEvidence(name string) (Evidence, bool) {
	for i, n := range evidenceNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// String lists the kinds in e, in bit order, joined by '+' ("checksum+key").
func (e Evidence) String() string {
	var b strings.Builder
	for i, n := range evidenceNames {
		if e&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('+')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// Hint is what a value's member names say about it before its text is read:
// a bit per class of name. The rules engine computes it with KeyHint for the
// member a value sits under (or, when that name says nothing, its parent's)
// and passes it to FindStringAt and MatchNumberIn.
type Hint uint16

// The classes of member names.
const (
	HintPhone      Hint = 1 << iota // phone, tel, mobile, fax, msisdn, telefon, téléphone, teléfono, …
	HintSSN                         // ssn, social_security_number, …
	HintCard                        // card_number, pan, cc, …
	HintIBAN                        // iban, bank_account, …
	HintIP                          // ip, ip_address, remote_addr, …
	HintBirth                       // dob, birth*, birthday, geburtsdatum, naissance, nacimiento, …
	HintName                        // name, first_name, surname, vorname, nom, nombre, …
	HintAddress                     // address, street, strasse, rue, calle, …
	HintIdentifier                  // id, ids, *_id, *Id, uuid, order*, seq, ref, …
	HintQuantity                    // count, amount, total, qty, price, size, *_at, timestamp, …
	HintVersion                     // *version*, release, build, …
	HintGeneric                     // value, number, text, data, …: look at the parent
)
