// Package standin makes the non-keyed, non-cryptographic replacements of
// Veil's actions: generalization (a date to its year, an address to its
// network, a number to its bucket) and synthetic stand-ins (a plausible name,
// email, phone, card or address chosen from a digest the caller computed with
// a keyed hash). It knows nothing of JSON: callers hand it unescaped text and
// escape what it returns. Everything it writes is valid UTF-8, and a
// synthetic stand-in keeps nothing of the original but its separators (and
// a 00 international dialling prefix).
//
// README.md lists the word lists and reserved ranges synthetic stand-ins
// are drawn from.
package standin

import (
	"strconv"

	"github.com/veilproxy/veil/rules/internal/luhn"
)

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

// kindNames are the kinds' names, indexed by Kind.
var kindNames = [...]string{Name: "name", Email: "email", Phone: "phone", Card: "card", Address: "address"}

// ParseKind returns the kind named s ("name", "email", "phone", "card",
// "address").
func ParseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if s == name {
			return Kind(k), true
		}
	}
	return 0, false
}

// String returns the kind's name ("kind(n)" for an undefined kind).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Guess returns the kind value looks like: an email when it has an @ with a
// dotted domain, a card when it holds 13 to 19 digits that pass Luhn, a phone
// when it is mostly digits (7 to 15) with phone separators, an address when
// it starts with a house number followed by words, else a name. Leading and
// trailing spaces and tabs are ignored. Only shapes are looked at: a date
// such as 1990-05-17 or an IPv4 address guesses as a phone.
func Guess(value []byte) Kind {
	v := trimBlank(value)
	switch {
	case looksEmail(v):
		return Email
	case looksCard(v):
		return Card
	case looksPhone(v):
		return Phone
	case looksAddress(v):
		return Address
	}
	return Name
}

// looksEmail reports whether v is one word with an @ and a dotted domain.
func looksEmail(v []byte) bool {
	at := -1
	for i, c := range v {
		switch {
		case c <= ' ':
			return false
		case c == '@':
			at = i
		}
	}
	if at <= 0 {
		return false
	}
	domain := v[at+1:]
	for i := 1; i < len(domain)-1; i++ {
		if domain[i] == '.' {
			return true
		}
	}
	return false
}

// looksCard reports whether v is 13 to 19 digits, separated by spaces or
// hyphens, that pass the Luhn check.
func looksCard(v []byte) bool {
	n, ok := countDigits(v, " -")
	return ok && n >= 13 && n <= 19 && luhn.Valid(v)
}

// looksPhone reports whether v is mostly digits (7 to 15) with phone
// separators and at most a leading +.
func looksPhone(v []byte) bool {
	if len(v) > 0 && v[0] == '+' {
		v = v[1:]
	}
	n, ok := countDigits(v, phoneSeparators)
	return ok && n >= 7 && n <= 15 && 2*n > len(v)
}

// looksAddress reports whether v starts with a house number (1 to 6 digits,
// maybe one letter) followed by a space and a word holding a letter.
func looksAddress(v []byte) bool {
	n := leadingDigits(v, 6)
	if n == 0 || n > 6 {
		return false
	}
	v = v[n:]
	if len(v) > 0 && isLetter(v[0]) {
		v = v[1:]
	}
	if len(v) < 2 || v[0] != ' ' {
		return false
	}
	for _, c := range v[1:] {
		if c == ' ' || c == ',' {
			break
		}
		if isLetter(c) || c >= 0x80 {
			return true
		}
	}
	return false
}

// phoneSeparators are the characters allowed between a phone's digits.
const phoneSeparators = " -.()/"

// countDigits returns the number of ASCII digits in v; ok is false when v
// holds anything but digits and the bytes of seps.
func countDigits(v []byte, seps string) (n int, ok bool) {
	for _, c := range v {
		switch {
		case isDigit(c):
			n++
		case !isSep(c, seps):
			return n, false
		}
	}
	return n, true
}

// isSep reports whether c is one of seps.
func isSep(c byte, seps string) bool {
	for i := 0; i < len(seps); i++ {
		if seps[i] == c {
			return true
		}
	}
	return false
}

// Synthetic appends a stand-in of kind k chosen by digest to dst, shaped
// like original where the kind allows it: a name keeps the original's word
// count (one word gives a first name only) and ALL CAPS; a phone or card
// keeps the original's separators and digit count when the original holds
// only digits and separators and the count fits a reserved range, else it
// takes a canonical form. The same digest always gives the same stand-in;
// digest should hold at least 16 bytes (missing bytes count as zero). An
// undefined kind writes a name. Synthetic does not allocate when dst has
// room for the result. README.md describes each kind.
func Synthetic(dst []byte, k Kind, digest, original []byte) []byte {
	switch k {
	case Email:
		return appendEmail(dst, digest)
	case Phone:
		return appendPhone(dst, digest, original)
	case Card:
		return appendCard(dst, digest, original)
	case Address:
		return appendAddress(dst, digest, original)
	}
	return appendName(dst, digest, original)
}
