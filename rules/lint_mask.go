package rules

import (
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// maskKind is a kind of value whose masks follow a known convention: how
// many characters may stay readable at each end.
type maskKind struct {
	what                  string // "a card number"
	detector              string // the built-in detector finding it
	keys                  []string
	first, last, together int    // the most keep_first, keep_last and both may be
	rule                  string // the convention, for the message
}

// maskKinds returns the kinds Lint knows, by the detector or the key names
// (key form) that select them.
func maskKinds() []maskKind {
	return []maskKind{
		{"a card number", "credit_card", []string{"card", "cardno", "cardnumber", "creditcard", "creditcardnumber", "pan", "ccnumber", "ccnum", "primaryaccountnumber"},
			6, 4, 10, "PCI DSS shows at most the first 6 and the last 4 digits"},
		{"an SSN", "us_ssn", []string{"ssn", "socialsecuritynumber", "socialsecurityno"},
			0, 4, 4, "show at most its last 4 digits"},
		{"a phone number", "phone", []string{"phone", "phonenumber", "telephone", "tel", "mobile", "mobilenumber", "cell", "cellphone", "msisdn"},
			4, 4, 4, "show at most 4 of its digits"},
		{"an email address", "email", []string{"email", "emailaddress", "mail"},
			4, 4, 4, "show at most 4 of its letters and digits"},
		{"an IBAN", "iban", []string{"iban"},
			4, 4, 8, "show at most its country and check digits and its last 4"},
	}
}

// maxGenericKeep is the most keep_first + keep_last a mask of values of no
// known kind may keep: names, streets and dates of twice as many letters
// and digits stay readable beyond it.
const maxGenericKeep = 6

// maskReadable warns about a mask (rule i, written at n) that leaves
// values readable: a mask character that is a digit or a letter (masked
// values then read as real ones; "x" and "X" are the usual exception), or
// more characters kept than the convention of the kind of value the rule
// selects (or maxGenericKeep for values of no known kind).
func (l *linter) maskReadable(i int, n *yaml.Node) {
	r := &l.rules[i]
	m, ok := r.act.rw.(*mask)
	if r.act.kind != actMask || !ok {
		return
	}
	opts := get(get(n, "action"), "mask")
	at := func(name string) srcPos {
		if v := get(opts, name); v != nil {
			return posOf(v)
		}
		if a := get(n, "action"); a != nil {
			return posOf(a)
		}
		return r.at
	}
	switch c := m.r; {
	case unicode.IsDigit(c) || unicode.IsNumber(c):
		l.warn(at("char"), r.id, lintMaskReadable, "mask.char %q is a digit: masked values read as real ones (and may pass a check digit); use a symbol such as \"*\"", string(c))
	case unicode.IsLetter(c) && c != 'x' && c != 'X':
		l.warn(at("char"), r.id, lintMaskReadable, "mask.char %q is a letter: masked values read as text; use a symbol such as \"*\" (or \"X\")", string(c))
	}
	if m.first == 0 && m.last == 0 {
		return
	}
	keepAt := at("keep_last")
	if m.first > m.last {
		keepAt = at("keep_first")
	}
	known := false
	for _, k := range maskKinds() {
		if !selectsKind(r, &k) {
			continue
		}
		known = true
		if m.first > k.first || m.last > k.last || m.first+m.last > k.together {
			l.warn(keepAt, r.id, lintMaskReadable, "mask keeps %s (keep_first %d, keep_last %d) of %s; %s", keptText(m.first+m.last), m.first, m.last, k.what, k.rule)
			return
		}
	}
	if !known && m.first+m.last > maxGenericKeep {
		l.warn(keepAt, r.id, lintMaskReadable, "mask keeps %s of each value (keep_first + keep_last is %d, and half of a shorter value): names, streets and dates stay readable; keep at most %d, or use redact or hash", keptText(m.first+m.last), m.first+m.last, maxGenericKeep)
	}
}

// keptText spells a count of kept characters.
func keptText(n int) string {
	if n == 1 {
		return "1 character"
	}
	return strconv.Itoa(n) + " characters"
}

// selectsKind reports whether rule r selects values of kind k: by its
// detector, or by a key (or a path's last member name) of the kind.
func selectsKind(r *ruleSpec, k *maskKind) bool {
	for _, n := range r.detect {
		if n.Value == k.detector {
			return true
		}
	}
	for _, s := range r.sels {
		if len(s.steps) == 0 {
			continue
		}
		last := &s.steps[len(s.steps)-1]
		switch last.kind {
		case stepKeys:
			for _, key := range last.keys {
				if contains(k.keys, strings.ToLower(key)) {
					return true
				}
			}
		case stepName:
			if key, _ := foldName(last.name, formKey); contains(k.keys, strings.ToLower(key)) {
				return true
			}
		}
	}
	return false
}
