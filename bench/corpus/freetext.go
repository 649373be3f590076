package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Free text and member names that only context explains: every document
// gets a "thread" of messages (support tickets, chats, clinical notes,
// emails in English, German, French or Spanish) with people's names, street
// addresses, dates of birth and numbers confirmed by the words before them
// (a bare SSN after "SSN", a national phone number after "call me"), next
// to decoys that only context clears (four-part versions, given names that
// are places or brands, xoxo words, time stamps with colons, grouped parcel
// numbers, dates that are not birth dates); and a "record" of values whose
// member name decides (integer ids, versions, dates of birth).

// FreeTextDetectors are the detectors whose values only the text around
// them reveals; Generate plants them in the "thread" and "record" of every
// document.
var FreeTextDetectors = []string{"person_name", "street_address", "date_of_birth"}

// ContextDecoys are the decoy kinds of the "thread" and "record": values
// that look like personal data or secrets until their context is read.
var ContextDecoys = []string{
	"version_text", "version_key", "integer_id", "given_name_word", "xoxo_word",
	"colon_time", "parcel_number", "plain_date",
}

// contextStream seeds the random stream of the "thread" and "record",
// apart from the documents' own and the remarks', so that adding them left
// the rest of the corpus as it was.
const contextStream = 0xc17e

// contextual returns the "thread" and "record" members of document doc.
func contextual(c *Corpus, seed uint64, doc int) (thread []any, record map[string]any) {
	g := &gen{r: rand.New(rand.NewPCG(seed^contextStream, uint64(doc))), c: c, doc: doc}
	for range 2 {
		thread = append(thread, g.message(pick(g.r, languages...)))
	}
	return thread, g.record()
}

// plantIn records v, found by detector d, in the surroundings cue of
// language lang.
func (g *gen) plantIn(d, lang, cue, v string) string {
	g.c.Plants = append(g.c.Plants, Plant{Doc: g.doc, Detector: d, Value: v, Lang: lang, Cue: cue})
	return v
}

// decoyIn records v as a decoy of the given kind in the surroundings cue of
// language lang.
func (g *gen) decoyIn(kind, lang, cue, v string) string {
	g.c.Decoys = append(g.c.Decoys, Decoy{Doc: g.doc, Kind: kind, Value: v, Lang: lang, Cue: cue})
	return v
}

// message returns a message of a random genre in language l: an opening,
// two to four sentences, each a plant, a decoy or a filler, and for emails
// and tickets a signature. A message holds either dates of birth or other
// dates, never both, so that a birth word never stands before a decoy date.
func (g *gen) message(l *language) map[string]any {
	genre := pick(g.r, "email", "ticket", "chat", "clinical")
	var head string
	var body []string
	switch genre {
	case "email":
		head = g.titledName(l)
	case "ticket":
		head = pick(g.r, l.subjects...)
	case "clinical":
		c := pick(g.r, l.nameCues...)
		for !strings.Contains(c.label, "atient") && !strings.Contains(c.label, "acient") {
			c = pick(g.r, l.nameCues...)
		}
		head = fmt.Sprintf(c.format, g.plantIn("person_name", l.code, c.label, g.fullName(l, c)))
	}
	dates := 0 // 1: dates of birth, 2: other dates
	for range 2 + g.r.IntN(3) {
		switch n := g.r.IntN(20); {
		case n < 4:
			if g.r.IntN(3) == 0 {
				body = append(body, g.titledName(l))
			} else {
				c := pick(g.r, l.nameCues...)
				body = append(body, fmt.Sprintf(c.format, g.plantIn("person_name", l.code, c.label, g.fullName(l, c))))
			}
		case n < 8:
			c := pick(g.r, l.addrCues...)
			body = append(body, fmt.Sprintf(c.format, g.plantIn("street_address", l.code, c.label, l.streets(g))))
		case n < 10 && dates != 2:
			dates = 1
			c := pick(g.r, l.dobCues...)
			y, m, d := 1940+g.r.IntN(66), 1+g.r.IntN(12), 1+g.r.IntN(28)
			body = append(body, fmt.Sprintf(c.format, g.plantIn("date_of_birth", l.code, c.label, l.dob(g, y, m, d))))
		case n < 12:
			body = append(body, g.confirmedByWords(l))
		case n < 17:
			s, date := g.contextDecoy(l, dates != 1)
			if date {
				dates = 2
			}
			body = append(body, s)
		default:
			body = append(body, pick(g.r, l.fillers...))
		}
	}
	// A sentence ends in punctuation or, as a form's line ("DOB: …"), a
	// line break.
	var b strings.Builder
	for i, s := range body {
		if i > 0 {
			if strings.ContainsAny(body[i-1][len(body[i-1])-1:], ".!?:,") {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(s)
	}
	text := b.String()
	if head != "" {
		text = head + "\n\n" + text
	}
	if genre == "email" || genre == "ticket" {
		c := pick(g.r, l.signoffs...)
		text += "\n\n" + fmt.Sprintf(c.format, g.plantIn("person_name", l.code, c.label, g.fullName(l, c)))
	}
	member := map[string]string{"email": "body", "ticket": "description", "chat": "content", "clinical": "note"}[genre]
	return map[string]any{"kind": genre, "lang": l.code, member: text}
}

// fullName returns a given name and a surname of l fit for cue c (a man's
// or a woman's name after a gendered title; in Spanish, one time in three,
// two surnames).
func (g *gen) fullName(l *language, c cue) string {
	var given string
	switch gendered[l.code+"/"+c.label] {
	case 'm':
		given = pick(g.r, l.male...)
	case 'f':
		given = pick(g.r, l.female...)
	default:
		given = pick(g.r, pick(g.r, l.male, l.female)...)
	}
	n := given + " " + pick(g.r, l.surnames...)
	if l.code == "es" && g.r.IntN(3) == 0 {
		n += " " + pick(g.r, l.surnames...)
	}
	return n
}

// titledName returns a greeting or a mention with a title: after a title
// the surname alone half of the time, else the full name.
func (g *gen) titledName(l *language) string {
	if g.r.IntN(3) == 0 {
		c := pick(g.r, l.greetings...)
		return fmt.Sprintf(c.format, g.plantIn("person_name", l.code, c.label, g.fullName(l, c)))
	}
	c := pick(g.r, l.titled...)
	v := g.fullName(l, c)
	if g.r.IntN(2) == 0 {
		v = pick(g.r, l.surnames...)
	}
	return fmt.Sprintf(c.format, g.plantIn("person_name", l.code, c.label, v))
}

// confirmedByWords returns a sentence with a value that only the words
// before it confirm: a national phone number after "call me" in the
// message's language, or (in English) a US SSN after "SSN" written as bare
// digits, 3-6 or 5-4.
func (g *gen) confirmedByWords(l *language) string {
	if l.code == "en" && g.r.IntN(2) == 0 {
		d := g.ssnDigits(true)
		v, shape := d, "bare"
		switch g.r.IntN(4) {
		case 0:
			v, shape = d[:3]+"-"+d[3:], "3-6"
		case 1:
			v, shape = d[:5]+"-"+d[5:], "5-4"
		}
		c := pick(g.r, cue{"SSN", "SSN %s on file."}, cue{"SSN:", "SSN: %s"},
			cue{"social security number", "My social security number is %s."}, cue{"Social Security No.", "Social Security No. %s"})
		return fmt.Sprintf(c.format, g.plantIn("us_ssn", l.code, c.label+" ("+shape+")", v))
	}
	var v string
	switch l.code {
	case "en":
		a, e, x := g.nxx(), g.nxx(), g.digits(4)
		v = pick(g.r, a+" "+e+" "+x, a+e+x)
	case "de":
		m := pick(g.r, "151", "160", "170", "171", "176") + g.nsn(7)
		v = pick(g.r, "0"+m, "0"+m[:3]+" "+m[3:], "030 "+g.nsn(7))
	case "fr":
		d := "0" + pick(g.r, "6", "7", "1") + g.digits(8)
		v = pick(g.r, d, group(d, " ", 2, 2, 2, 2))
	default:
		if g.r.IntN(4) == 0 { // a landline: province code, then 7 digits
			d := pick(g.r, "91", "93", "95", "96") + g.digits(7)
			v = pick(g.r, d, group(d, " ", 2, 3, 2))
		} else {
			d := pick(g.r, "6", "6", "71", "72", "73", "74")
			d += g.digits(9 - len(d))
			v = pick(g.r, d, group(d, " ", 3, 3), group(d, " ", 3, 2, 2))
		}
	}
	c := pick(g.r, l.callCues...)
	return fmt.Sprintf(c.format, g.plantIn("phone", l.code, c.label, v))
}

// contextDecoy returns a sentence with a decoy of ContextDecoys in language
// l, a date that is not a birth date only when dateOK; date reports whether
// it holds one.
func (g *gen) contextDecoy(l *language, dateOK bool) (s string, date bool) {
	switch k := g.r.IntN(6); {
	case k == 0:
		c := pick(g.r, l.versions...)
		return fmt.Sprintf(c.format, g.decoyIn("version_text", l.code, c.label, g.quad())), false
	case k == 1:
		w := pick(g.r, l.givenWords...)
		g.decoyIn("given_name_word", l.code, w[0], w[0])
		return w[1], false
	case k == 2:
		c := pick(g.r, l.times...)
		v := fmt.Sprintf("%02d:%02d:%02d:%02d:%02d:%02d", g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), g.r.IntN(60), g.r.IntN(60), g.r.IntN(60))
		return fmt.Sprintf(c.format, g.decoyIn("colon_time", l.code, c.label, v)), false
	case k == 3:
		c := pick(g.r, l.parcels...)
		v := g.nsn(4) + " " + g.digits(4) + " " + g.digits(4)
		return fmt.Sprintf(c.format, g.decoyIn("parcel_number", l.code, c.label, v)), false
	case k == 4 && dateOK:
		c := pick(g.r, l.plainDates...)
		v := l.date(g, 2019+g.r.IntN(8), 1+g.r.IntN(12), 1+g.r.IntN(28))
		return fmt.Sprintf(c.format, g.decoyIn("plain_date", l.code, c.label, v)), true
	}
	c := pick(g.r, cue{"love", "Love you all, %s"}, cue{"placeholder", "Replace %s with your bot token."},
		cue{"example", "The value %s in the docs is only an example."})
	v := pick(g.r, "xoxo-hugs-and-kisses", "xoxb-not-a-token", "xoxb-your-token-here", "xoxp-placeholder",
		"xoxo-see-you-soon", "xoxa-example-value", "xoxo-"+pick(g.r, "love", "hugs")+"-from-"+strings.ToLower(pick(g.r, "mom", "dad", "grandma")))
	return fmt.Sprintf(c.format, g.decoyIn("xoxo_word", "", c.label, v)), false
}

// quad returns a four-part version number; most of them are also valid
// dotted-quad IPv4 addresses.
func (g *gen) quad() string {
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("10.0.%d.%d", 10000+g.r.IntN(12000), g.r.IntN(3000))
	case 1:
		return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(9), g.r.IntN(10), g.r.IntN(10), g.r.IntN(10))
	}
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(30), g.r.IntN(100), g.r.IntN(256), g.r.IntN(256))
}

// idKeys are the member names of integer ids and quantities: the number
// itself or, for a name ending in "s", an array of them.
var idKeys = []string{
	"id", "ids", "user_id", "accountId", "order_id", "orderNumber", "order", "seq", "count",
	"created_at", "updatedAt", "timestamp", "event_ids", "parentId", "item_count",
}

// record returns the "record" of a document: integer ids of 10–16 random
// digits under identifier and quantity keys (some Luhn-valid with a card's
// prefix, some shaped like phone numbers: that is the point), version
// strings under version keys, a date under a birth key (planted) or another
// date key (a decoy), and in one record in two a phone number of bare
// digits under a phone key (planted).
func (g *gen) record() map[string]any {
	r := map[string]any{}
	id := func(k string) any {
		v := g.nsn(10 + g.r.IntN(7))
		return g.decoyNumberIn("integer_id", k, v)
	}
	for range 3 + g.r.IntN(4) {
		k := pick(g.r, idKeys...)
		if r[k] != nil {
			continue // each member once: a decoy overwritten is not in the document
		}
		switch {
		case strings.HasSuffix(k, "s"):
			var a []any
			for range 2 + g.r.IntN(3) {
				a = append(a, id(k))
			}
			r[k] = a
		case k == "order" && g.r.IntN(2) == 0:
			r[k] = map[string]any{"value": id("order.value")} // a generic name: its parent's says what it is
		default:
			r[k] = id(k)
		}
	}
	for range 1 + g.r.IntN(2) {
		k := pick(g.r, "client_version", "build", "appVersion", "sdk_version", "release", "os_build", "firmwareVersion")
		if r[k] != nil {
			continue
		}
		v := g.quad()
		r[k] = g.decoyIn("version_key", "", "key "+k, v)
		if k == "appVersion" && g.r.IntN(2) == 0 {
			r[k] = "v" + v
		}
	}
	y, m, d := 1940+g.r.IntN(66), 1+g.r.IntN(12), 1+g.r.IntN(28)
	date := func() string {
		return pick(g.r, fmt.Sprintf("%04d-%02d-%02d", y, m, d), fmt.Sprintf("%02d.%02d.%04d", d, m, y), fmt.Sprintf("%02d/%02d/%04d", m, d, y),
			fmt.Sprintf("%s %d, %d", enMonths[m-1], d, y))
	}
	switch g.r.IntN(3) {
	case 0:
		k := pick(g.r, "dob", "birth_date", "birthDate", "date_of_birth")
		r[k] = g.plantIn("date_of_birth", "", "key "+k, date())
	case 1:
		r["patient"] = map[string]any{"dob": g.plantIn("date_of_birth", "", "key patient.dob", date())}
	default:
		y = 2019 + g.r.IntN(8)
		k := pick(g.r, "due_date", "shipped_on", "start_date", "expires")
		r[k] = g.decoyIn("plain_date", "", "key "+k, date())
	}
	// A phone number only its member name confirms: bare digits, as a
	// number (10 digits, or 11 with the country code 1) or a string.
	if g.r.IntN(2) == 0 {
		k := pick(g.r, "phone", "mobile", "contact_phone", "telephone")
		d := pick(g.r, "", "1") + g.nxx() + g.nxx() + g.digits(4)
		if g.r.IntN(2) == 0 {
			g.c.Plants = append(g.c.Plants, Plant{Doc: g.doc, Detector: "phone", Value: d, Number: true, Cue: "key " + k + " (number)"})
			r[k] = json.Number(d)
		} else {
			r[k] = g.plantIn("phone", "", "key "+k, pick(g.r, d, "07700"+g.digits(6), "0151"+g.nsn(8)))
		}
	}
	return r
}

// decoyNumberIn records a JSON number decoy under member name key.
func (g *gen) decoyNumberIn(kind, key, digits string) any {
	g.c.Decoys = append(g.c.Decoys, Decoy{Doc: g.doc, Kind: kind, Value: digits, Number: true, Cue: "key " + key})
	return json.Number(digits)
}
