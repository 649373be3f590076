package corpus

import (
	"math/rand/v2"
	"strings"
)

// Spellings are the ways of writing a value that hide it from a detector
// looking for its plain form: invisible characters between it and a word,
// letters glued to it, each separator family of cards, SSNs and IBANs, phone
// numbers in form-encoded queries, doubly percent-encoded values, the
// percent-encoded UTF-8 of invisible characters, Unicode spaces and
// full-width forms. Generate
// plants values in each, with decoys spelled the same way (failing Luhn,
// invalid SSN areas, wrong IBAN checks, version numbers, timestamps), in
// every document's "remarks"; the quality tests hold each spelling to
// MinRecallSpelled and MinDecoySurvival.
var Spellings = []string{
	"invisible_before_word", "invisible_after_word", "glued_to_letters",
	"card_mixed", "card_double_space", "card_spaced_dash", "card_slash", "card_underscore",
	"card_form_plus", "card_tab", "card_newline", "card_digit_spaced",
	"ssn_dots", "ssn_slashes", "ssn_mixed",
	"iban_dashes", "iban_dots", "iban_irregular", "iban_lower_dashes",
	"phone_form",
	"double_percent_email", "double_percent_card", "double_percent_phone", "double_percent_ssn",
	"percent_unicode",
}

// MinRecallSpelled is the recall gate of every spelling.
const MinRecallSpelled = 0.99

// spellingStream seeds the random stream of the remarks, apart from the
// documents' own, so that adding spellings leaves the rest of the corpus as
// it was.
const spellingStream = 0x5e11

// remarks returns the "remarks" of document doc: three sentences, each with
// a value in a spelling of Spellings and, most of the time, a decoy spelled
// the same way.
func remarks(c *Corpus, seed uint64, doc int) []any {
	g := &gen{r: rand.New(rand.NewPCG(seed^spellingStream, uint64(doc))), c: c, doc: doc}
	var out []any
	for range 3 {
		out = append(out, g.spelled(pick(g.r, Spellings...)))
	}
	return out
}

// plantSpelled records v as expected for detector d, written in spelling s.
func (g *gen) plantSpelled(s, d, v string) string {
	g.c.Plants = append(g.c.Plants, Plant{Doc: g.doc, Detector: d, Value: v, Spelling: s})
	return v
}

// decoySpelled records v as a decoy of the given kind, written in spelling s.
func (g *gen) decoySpelled(s, kind, v string) string {
	g.c.Decoys = append(g.c.Decoys, Decoy{Doc: g.doc, Kind: kind, Value: v, Spelling: s})
	return v
}

// invisibles are the characters drawn as nothing that an attacker slips
// between a value and a word.
var invisibles = []string{"\u200b", "\u2060", "\u00ad", "\ufeff", "\u200c", "\u200d", "\u202e", "\u2063"}

// words are what an invisible character or a glue joins a value to.
var words = []string{"thanks", "please", "ok", "ref", "id", "card", "ssn", "Tx", "end", "x"}

// spelled returns a sentence with a value written in spelling s and, two
// times in three, a decoy written the same way.
func (g *gen) spelled(s string) string {
	var value, decoy string
	withDecoy := g.r.IntN(3) > 0
	// dec records the decoy v only when the sentence will hold it.
	dec := func(kind, v string) string {
		if withDecoy {
			return g.decoySpelled(s, kind, v)
		}
		return v
	}
	sentence := func(lead, v, d string) string {
		if withDecoy {
			return lead + " " + v + " and not " + d + " ok."
		}
		return lead + " " + v + " ok."
	}
	switch s {
	case "invisible_before_word", "invisible_after_word":
		det := pick(g.r, "credit_card", "us_ssn", "iban", "phone", "email", "ipv4")
		v := g.plantSpelled(s, det, g.plainValue(det))
		inv, w := pick(g.r, invisibles...), pick(g.r, words...)
		d := g.spelledDecoy(dec, det)
		if s == "invisible_before_word" {
			return sentence("value", v+inv+w, d+inv+w)
		}
		return sentence("value", w+inv+v, w+inv+d)
	case "glued_to_letters":
		l, r := pick(g.r, words...), pick(g.r, words...)
		if g.r.IntN(2) == 0 {
			value = l + g.plantSpelled(s, "credit_card", g.cardDigits()) + r
			decoy = l + dec("order_number", g.failingLuhn()) + r
		} else {
			value = l + g.plantSpelled(s, "us_ssn", group(g.ssnDigits(true), "-", 3, 2)) + r
			decoy = l + dec("invalid_ssn", group(g.ssnDigits(false), "-", 3, 2)) + r
		}
		return sentence("here", value, decoy)
	case "card_mixed", "card_double_space", "card_spaced_dash", "card_slash", "card_underscore",
		"card_form_plus", "card_tab", "card_newline", "card_digit_spaced":
		v := g.plantSpelled(s, "credit_card", g.cardSpelled(s, g.card16()))
		return sentence("card", v, dec("order_number", g.cardSpelled(s, g.failingLuhn())))
	case "ssn_dots", "ssn_slashes", "ssn_mixed":
		v := g.plantSpelled(s, "us_ssn", g.ssnSpelled(s, g.ssnDigits(true)))
		return sentence("ssn", v, dec("invalid_ssn", g.ssnSpelled(s, g.ssnDigits(false))))
	case "iban_dashes", "iban_dots", "iban_irregular", "iban_lower_dashes":
		compact := strings.ReplaceAll(g.iban(), " ", "")
		v := g.plantSpelled(s, "iban", g.ibanSpelled(s, strings.ToUpper(compact)))
		bad := strings.ReplaceAll(g.badIBAN(), " ", "")
		return sentence("iban", v, dec("bad_iban", g.ibanSpelled(s, strings.ToUpper(bad))))
	case "phone_form":
		v := g.plantSpelled(s, "phone", g.formPhone())
		if !withDecoy {
			return "?tel=" + v + "&src=app"
		}
		return "?tel=" + v + "&src=app&build=" + g.decoySpelled(s, "version", g.version()) + "+rc1"
	case "double_percent_email":
		e := strings.NewReplacer("%40", "@", "%2B", "+", "\u200b", "").Replace(g.email())
		v := strings.NewReplacer("@", pick(g.r, "%2540", "%252540"), "+", "%252B", ".", pick(g.r, ".", ".", "%252E")).Replace(e)
		return "?next=%2Fmail%3Fto%3D" + g.plantSpelled(s, "email", v) + "%26x%3D1 and " + g.decoySpelled(s, "handle", "100%2525+of%2520"+pick(g.r, "users", "icon%25402x.png"))
	case "double_percent_card":
		v := g.plantSpelled(s, "credit_card", group(g.card16(), "%2520", 4, 4, 4))
		return sentence("?card=", v, dec("order_number", group(g.failingLuhn(), "%2520", 4, 4, 4)))
	case "double_percent_phone":
		a, e, x := g.nxx(), g.nxx(), g.digits(4)
		v := g.plantSpelled(s, "phone", pick(g.r, "%252B1%2520"+a+"%2520"+e+"%2520"+x, a+"%252D"+e+"%252D"+x, "%252B44%252020%25207"+g.digits(3)+"%2520"+g.digits(4)))
		return "?tel=" + v + "&t=" + g.decoySpelled(s, "timestamp", strings.ReplaceAll(g.timestamp(), " ", "%2520"))
	case "double_percent_ssn":
		sep := pick(g.r, "%252D", "%2520")
		v := g.plantSpelled(s, "us_ssn", group(g.ssnDigits(true), sep, 3, 2))
		return sentence("?ssn=", v, dec("invalid_ssn", group(g.ssnDigits(false), sep, 3, 2)))
	case "percent_unicode":
		if g.r.IntN(3) == 0 {
			e := strings.ToLower(asciiName(pick(g.r, firstNames...))) + pick(g.r, "%EF%BC%A0", "@%E2%80%8B", "%E2%81%A0@") + pick(g.r, domains...)
			return "?to=" + g.plantSpelled(s, "email", e) + "&t=" + g.decoySpelled(s, "timestamp", strings.ReplaceAll(g.timestamp(), " ", "%E2%80%89"))
		}
		sep := pick(g.r, "%E2%80%8B", "%C2%A0", "%E2%80%89", "%E3%80%80", "%E2%80%94", "%C2%AD")
		v := g.plantSpelled(s, "credit_card", group(g.card16(), sep, 4, 4, 4))
		return sentence("?card=", v, dec("order_number", group(g.failingLuhn(), sep, 4, 4, 4)))
	}
	panic("corpus: unknown spelling " + s)
}

// plainValue returns a value of one of the number-shaped detectors or an
// email, in its plain form.
func (g *gen) plainValue(det string) string {
	switch det {
	case "credit_card":
		return pick(g.r, g.cardDigits(), group(g.card16(), " ", 4, 4, 4))
	case "us_ssn":
		return group(g.ssnDigits(true), "-", 3, 2)
	case "iban":
		return strings.ToUpper(strings.ReplaceAll(g.iban(), " ", ""))
	case "phone":
		return pick(g.r, "+1 "+g.nxx()+" "+g.nxx()+" "+g.digits(4), "("+g.nxx()+") "+g.nxx()+"-"+g.digits(4), "+44 20 7"+g.digits(3)+" "+g.digits(4))
	case "email":
		return strings.ToLower(asciiName(pick(g.r, firstNames...))) + "@" + pick(g.r, domains...)
	default:
		return g.ipv4()
	}
}

// spelledDecoy returns a decoy that looks like a value of det, recorded by
// dec.
func (g *gen) spelledDecoy(dec func(kind, v string) string, det string) string {
	switch det {
	case "credit_card":
		return dec("order_number", g.failingLuhn())
	case "us_ssn":
		return dec("invalid_ssn", group(g.ssnDigits(false), "-", 3, 2))
	case "iban":
		return dec("bad_iban", strings.ToUpper(strings.ReplaceAll(g.badIBAN(), " ", "")))
	case "ipv4":
		return dec("version", g.version())
	}
	return dec("timestamp", g.timestamp())
}

// card16 returns a valid 16-digit card number.
func (g *gen) card16() string {
	for {
		if d := g.cardDigits(); len(d) == 16 {
			return d
		}
	}
}

// cardSpelled writes the 16 digits d in the separator family s.
func (g *gen) cardSpelled(s, d string) string {
	switch s {
	case "card_mixed":
		seps := []string{" ", "-", ".", "/", "_"}
		return d[:4] + pick(g.r, seps...) + d[4:8] + pick(g.r, seps...) + d[8:12] + pick(g.r, seps...) + d[12:]
	case "card_double_space":
		return group(d, "  ", 4, 4, 4)
	case "card_spaced_dash":
		return group(d, pick(g.r, " - ", " -", "- "), 4, 4, 4)
	case "card_slash":
		return group(d, "/", 4, 4, 4)
	case "card_underscore":
		return group(d, "_", 4, 4, 4)
	case "card_form_plus":
		return group(d, "+", 4, 4, 4)
	case "card_tab":
		return group(d, "\t", 4, 4, 4)
	case "card_newline":
		return group(d, pick(g.r, "\n", "\r\n"), 4, 4, 4)
	}
	return strings.Join(strings.Split(d, ""), pick(g.r, " ", " ", "-", "."))
}

// ssnSpelled writes the nine digits d in the separator family s.
func (g *gen) ssnSpelled(s, d string) string {
	switch s {
	case "ssn_dots":
		return group(d, ".", 3, 2)
	case "ssn_slashes":
		return group(d, "/", 3, 2)
	}
	seps := []string{"-", " ", ".", "/", " - ", "_", "+"}
	return d[:3] + pick(g.r, seps...) + d[3:5] + pick(g.r, seps...) + d[5:]
}

// ibanSpelled writes the compact IBAN v in the separator family s.
func (g *gen) ibanSpelled(s, v string) string {
	switch s {
	case "iban_dashes":
		return group(v, "-", 4, 4, 4, 4, 4, 4, 4)
	case "iban_dots":
		return group(v, ".", 4, 4, 4, 4, 4, 4, 4)
	case "iban_lower_dashes":
		return strings.ToLower(group(v, "-", 4, 4, 4, 4, 4, 4, 4))
	}
	// irregular: groups of two to six, one or two spaces, the country code
	// sometimes apart
	var b strings.Builder
	b.WriteString(v[:2])
	if g.r.IntN(3) == 0 {
		b.WriteString(" ")
	}
	b.WriteString(v[2:4])
	for rest := v[4:]; rest != ""; {
		n := min(len(rest), 2+g.r.IntN(5))
		b.WriteString(pick(g.r, " ", " ", "  "))
		b.WriteString(rest[:n])
		rest = rest[n:]
	}
	return b.String()
}

// formPhone returns a phone number as a form-encoded query writes it: '+'
// for each space, "%2B" (or a '+') for the plus sign.
func (g *gen) formPhone() string {
	plus := pick(g.r, "%2B", "+")
	return pick(g.r,
		plus+"1+"+g.nxx()+"+"+g.nxx()+"+"+g.digits(4),
		plus+"44+20+7"+g.digits(3)+"+"+g.digits(4),
		plus+"49+30+"+g.nsn(8),
		g.nxx()+"+"+g.nxx()+"+"+g.digits(4),
		"%28"+g.nxx()+"%29+"+g.nxx()+"-"+g.digits(4),
		"020+7"+g.digits(3)+"+"+g.digits(4))
}
