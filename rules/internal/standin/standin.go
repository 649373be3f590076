// Package standin makes the non-keyed, non-cryptographic replacements of
// Veil's actions: generalization (a date to its year, an address to its
// network, a number to its bucket) and synthetic stand-ins (a plausible name,
// email, phone, card or address chosen from a digest the caller computed with
// a keyed hash). It knows nothing of JSON: callers hand it unescaped text.
package standin

// Kind is the kind of a synthetic stand-in.
type Kind uint8

// The kinds of synthetic stand-ins.
const (
	Name Kind = iota
	Email
	Phone
	Card
	Address
)

// ParseKind returns the kind named s ("name", "email", "phone", "card",
// "address").
func ParseKind(s string) (Kind, bool) { panic("standin: not implemented") }

// String returns the kind's name.
func (k Kind) String() string { panic("standin: not implemented") }

// Guess returns the kind value looks like: an email when it has an @ with a
// dotted domain, a card when it holds 13 to 19 digits that pass Luhn, a phone
// when it is mostly digits (7 to 15) with phone separators, an address when
// it starts with a house number followed by words, else a name.
func Guess(value []byte) Kind { panic("standin: not implemented") }

// Synthetic appends a stand-in of kind k chosen by digest (at least 16
// bytes; the same digest always gives the same stand-in) to dst, shaped like
// original where the kind allows it (a phone or card keeps the original's
// separators and digit count).
func Synthetic(dst []byte, k Kind, digest, original []byte) []byte {
	panic("standin: not implemented")
}

// Generalizer coarsens one kind of value.
type Generalizer struct{}

// NewGeneralizer returns a Generalizer for kind ("date", "ip", "postal",
// "number", "age", "email") with its option (date: "year" or "month"; ip:
// "24/48" style v4/v6 prefix lengths; postal: characters kept; number and
// age: bucket width); an empty option takes the documented default.
func NewGeneralizer(kind, option string) (*Generalizer, error) {
	panic("standin: not implemented")
}

// Append appends the generalized value to dst; ok is false when value is
// not of the Generalizer's kind (dst is then returned unchanged). number
// reports that the result is a number (JSON callers then write it
// unquoted).
func (g *Generalizer) Append(dst, value []byte) (out []byte, number, ok bool) {
	panic("standin: not implemented")
}
