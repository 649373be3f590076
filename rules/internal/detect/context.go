package detect

// Context: the words shortly before a candidate, in English, German, French
// and Spanish, confirm a weak candidate (nine bare digits after "SSN", a
// national number after "llámame") or veto a strong-looking one (a dotted
// quad after "version", a grouped number after "tracking"). One helper reads
// them for every detector: sc.context(i) reads the contextWindow bytes
// before t[i] once, word by word, and says which classes of words stand
// there, and how close.

// ctxClass is a set of classes of context words.
type ctxClass uint16

// The classes of context words (see ctxWords).
const (
	cxPhone   ctxClass = 1 << iota // phone, call, tel, anrufen, appelez, llámame, …
	cxSSN                          // ssn, social security, ss#, …
	cxCard                         // card, karte, carte, tarjeta, …
	cxIBAN                         // iban, konto, compte, cuenta, …
	cxIP                           // ip, host, server, …
	cxBirth                        // born, dob, date of birth, geboren, né, nacido, …
	cxVersion                      // version, release, build, v, …
	cxRef                          // tracking, parcel, order, invoice, ref, sendung, colis, paquete, …
)

// contextWindow is how many bytes before a candidate are read for words.
const contextWindow = 40

// ctxSeen is what the words before a position say: the classes of the words
// in the window (all), of the last five words (mid) and of the last two
// (near). Only words of letters count ("Tracking no. 0123 4567 8901": "no"
// and "tracking" are the last two).
type ctxSeen struct {
	all, mid, near ctxClass
}

// ctxWord is what one context word says.
type ctxWord struct {
	class ctxClass
	pair  uint8 // qSocial, qSecurity, qSS, qNo: two-word phrases
}

// Pair bits of context words beyond those of keys.go.
const (
	qSS   uint8 = 1 << (iota + 5) // "ss": with a following "no", "nr", "#" an SSN
	qNo                           // no, nr, number, num
	qAbbr                         // tel, geb, no, …: a dot after it ends no sentence
)

// ctxWords maps a context word, lower-cased (accents kept: "né" is not the
// French "ne"), to its class. Words written with and without their accents
// are listed both ways where people drop them.
var ctxWords = func() map[string]ctxWord {
	m := map[string]ctxWord{}
	add := func(c ctxClass, words ...string) {
		for _, w := range words {
			m[w] = ctxWord{class: m[w].class | c, pair: m[w].pair}
		}
	}
	add(cxPhone, "phone", "phones", "telephone", "téléphone", "telefon", "telefono", "teléfono", "tel", "tél",
		"tlf", "tfno", "call", "called", "calling", "calls", "ring", "reach", "mobile", "mobil", "mob", "cell",
		"cellphone", "cellular", "celular", "fax", "whatsapp", "sms", "text", "texto", "contact", "kontakt",
		"contacto", "contactez", "contacter", "dial", "handy", "ruf", "rufen", "anrufen", "ruft", "rufnummer",
		"telefonnummer", "handynummer", "mobilnummer", "erreichbar", "appelez", "appeler", "appelle",
		"portable", "joindre", "llamar", "llame", "llámame", "llamame", "llámenos", "llamenos", "llamanos",
		"móvil", "movil", "ph",
		"phoned", "callback", "texted", "telephoned", "landline", "hotline",
		"anruf", "angerufen", "rückruf", "ruckruf", "zurückrufen", "zuruckrufen", "erreichen", "festnetz",
		"mobiltelefon", "telefonisch",
		"rappelez", "rappeler", "rappelle", "joignable", "joignez", "téléphonez", "telephonez", "téléphoner",
		"telephoner",
		"llámeme", "llameme", "llámanos", "llamadme", "llámenme", "llamenme", "llamada", "marque", "marcar",
		"contacte", "contáctame", "contactame", "contácteme", "contacteme")
	add(cxSSN, "ssn", "ssns", "ssn#", "ss#", "nss", "nir", "svnr", "sozialversicherungsnummer",
		"versicherungsnummer", "socialsecurity")
	add(cxCard, "card", "cards", "karte", "kreditkarte", "carte", "tarjeta", "credit", "crédito", "credito",
		"visa", "mastercard", "amex", "cc", "pan", "cb", "uatp", "maestro", "dankort", "unionpay", "jcb", "diners")
	add(cxIBAN, "iban", "konto", "kontonummer", "bankverbindung", "compte", "rib", "cuenta", "bank")
	add(cxIP, "ip", "ips", "ipv4", "ipaddr", "remote", "host", "server", "gateway", "dns", "proxy", "router",
		"peer", "subnet", "adresse-ip")
	add(cxBirth, "born", "birth", "birthday", "birthdate", "dob", "bday", "geboren", "geb", "geburtsdatum",
		"geburtstag", "né", "née", "naissance", "nacido", "nacida", "nació", "nacio", "nacimiento",
		"cumpleaños", "cumpleanos", "anniversaire",
		"geburt", "geburtsjahr", "nee", "naquit", "nací", "naci", "nacidos", "nacidas")
	add(cxVersion, "version", "versions", "versión", "ver", "v", "release", "released", "releases", "rel",
		"build", "builds", "revision", "révision", "revisión", "rev", "firmware", "fw", "patch",
		"compilación", "compilacion", "lanzamiento", "versionsnummer", "sdk", "upgrade", "upgraded", "update",
		"updated", "downgrade", "downgraded", "aktualisierung", "actualización", "actualizacion", "actualizado")
	add(cxRef, "parcel", "package", "tracking", "track", "shipment", "shipping", "consignment", "sendung",
		"sendungsnummer", "paket", "paketnummer", "sendungsverfolgung", "colis", "suivi", "envío", "envio",
		"paquete", "seguimiento", "guía", "guia", "waybill", "awb", "order", "orders", "invoice", "rechnung",
		"facture", "factura", "pedido", "commande", "bestellung", "bestellnummer", "ticket", "ref",
		"reference", "référence", "referencia", "referenz", "sku", "serial", "isbn", "transaction",
		"transaktion", "confirmation", "booking", "buchung", "réservation", "reserva", "id")
	for _, w := range []string{"social", "sociale", "soc"} {
		m[w] = ctxWord{class: m[w].class, pair: qSocial}
	}
	for _, w := range []string{"security", "sécurité", "securite", "seguridad", "seguro", "sec"} {
		m[w] = ctxWord{class: m[w].class, pair: qSecurity}
	}
	m["ss"] = ctxWord{pair: qSS}
	for _, w := range []string{"no", "nr", "number", "num"} {
		m[w] = ctxWord{class: m[w].class, pair: qNo}
	}
	for _, w := range []string{"tel", "tél", "tlf", "tfno", "mob", "ph", "geb", "dob", "no", "nr", "num", "soc",
		"sec", "ss", "ref", "ver", "rel", "rev", "fw", "v", "cc"} {
		m[w] = ctxWord{class: m[w].class, pair: m[w].pair | qAbbr}
	}
	return m
}()

// ctxShape flags, for the first two bytes of a word (lower-case; see
// shapeIndex), the lengths of the context words that start with them: most
// words of a text are passed over without a map look-up.
var ctxShape = func() (f [27 * 27]uint32) {
	for w := range ctxWords {
		second := byte(0)
		if len(w) > 1 {
			second = w[1]
		}
		f[shapeIndex(w[0], second)] |= 1 << min(len(w), 31)
	}
	return f
}()

// shapeIndex maps two lower-case bytes to an index of ctxShape: letters
// a..z are 0..25, any other byte 26.
func shapeIndex(a, b byte) int {
	ia, ib := 26, 26
	if isLower(a) {
		ia = int(a - 'a')
	}
	if isLower(b) {
		ib = int(b - 'a')
	}
	return ia*27 + ib
}

// maxCtxWord is the longest context word, in bytes.
const maxCtxWord = 26

// isCtxLetter reports whether b may be part of a context word: an ASCII
// letter or a byte of a non-ASCII character.
func isCtxLetter(b byte) bool { return isAlpha(b) || b >= 0x80 }

// context returns what the words before t[i] say. The result for the last
// position asked is kept: several detectors ask about the same candidate.
func (sc *scanner) context(i int) ctxSeen {
	if sc.ctxAt == i+1 {
		return sc.ctxVal
	}
	sc.meter.add(contextWindow)
	sc.ctxAt, sc.ctxVal = i+1, contextBefore(sc.t, i)
	return sc.ctxVal
}

// contextBefore reads the words of the contextWindow bytes before t[i].
func contextBefore(t []byte, i int) ctxSeen {
	s := max(0, i-contextWindow)
	// A word cut by the window's start is not read.
	for s > 0 && s < i && isCtxLetter(t[s]) && isCtxLetter(t[s-1]) {
		s++
	}
	var words [contextWindow/2 + 1]ctxClass // a word and a byte between words at least
	nw := 0
	var prev uint8
	// The last word read, when it is a context word: where it ends and
	// whether it is an abbreviation, for stops that end no sentence (see
	// sentenceEnd).
	cueEnd, abbr := -1, false
	for p := s; p < i; {
		if isDigit(t[p]) {
			// A number counts as a word of no class ("version 2 to
			// 10.0.0.5": "version" is not one of the last two words).
			for p < i && isDigit(t[p]) {
				p++
			}
			prev, cueEnd = 0, -1
			if nw < len(words) {
				words[nw] = 0
				nw++
			}
			continue
		}
		if !isCtxLetter(t[p]) {
			if sentenceEnd(t, p, i, cueEnd, abbr) {
				nw, prev, cueEnd = 0, 0, -1 // the words of an earlier sentence say nothing
			}
			p++
			continue
		}
		// A word: letters, with single dots between single letters
		// ("D.O.B.") and a '#' right after it ("SS#").
		var buf [maxCtxWord]byte
		n, e := 0, p
		for e < i && isLower(t[e]) { // most bytes, the short way
			if n < len(buf) {
				buf[n] = t[e]
			}
			n++
			e++
		}
		for e < i {
			b := t[e]
			switch {
			case isCtxLetter(b):
			case b == '.' && e+1 < i && isAlpha(t[e+1]) && !(e+2 < i && isCtxLetter(t[e+2])) && (e-1 < p || !isCtxLetter(at(t, e-2))):
				e++
				continue // the dot of an abbreviation letter by letter
			case b == '#' && n > 0:
				if n < len(buf) {
					buf[n] = '#'
				}
				n++
				e++
				goto done
			default:
				goto done
			}
			if n < len(buf) {
				buf[n] = ctxLower(t, e)
			}
			n++
			e++
		}
	done:
		var w ctxWord
		if n <= len(buf) && n >= 1 && ctxShape[shapeIndex(buf[0], buf[1])]&(1<<n) != 0 {
			w = ctxWords[string(buf[:n])]
		}
		c := w.class
		if w.class != 0 || w.pair != 0 {
			cueEnd, abbr = e, w.pair&qAbbr != 0
		} else {
			cueEnd = -1
		}
		if prev&qSocial != 0 && w.pair&qSecurity != 0 || prev&qSecurity != 0 && w.pair&qSocial != 0 ||
			prev&qSS != 0 && w.pair&qNo != 0 {
			c |= cxSSN
		}
		prev = w.pair
		if nw < len(words) {
			words[nw] = c
			nw++
		}
		p = e
	}
	var seen ctxSeen
	for k := nw - 1; k >= 0; k-- {
		seen.all |= words[k]
		if k >= nw-5 {
			seen.mid |= words[k]
		}
		if k >= nw-2 {
			seen.near |= words[k]
		}
	}
	return seen
}

// sentenceEnd reports whether t[p], before position i, ends a sentence: a
// line break, or '.', '!' or '?' before a space or line break ("Call me at
// 612 345 678. Version 1.2.3.4": the call is over). Not when it follows a
// context word (the last word read, ending at cueEnd; -1 when the last word
// is none): a line break after a label ("Phone:\n…", "Date of birth:\n…"),
// or the dot right after an abbreviation (abbr: "Tel. 0612345678", "geb.
// 01.02.1980", "Social Security No. 078051121"; but "I was born. 03/04/2020
// was a Friday").
func sentenceEnd(t []byte, p, i, cueEnd int, abbr bool) bool {
	switch t[p] {
	case '\n', '\r':
		return cueEnd < 0
	case '.':
		if cueEnd == p && abbr {
			return false
		}
		fallthrough
	case '!', '?':
		return p+1 < i && (t[p+1] == ' ' || t[p+1] == '\n' || t[p+1] == '\r' || t[p+1] == '\t')
	}
	return false
}

// ctxLower returns t[e] lower-cased: an ASCII letter, or the second byte of
// an upper-case Latin-1 letter (C3 80..C3 9E: "É" reads as "é").
func ctxLower(t []byte, e int) byte {
	b := t[e]
	switch {
	case isUpper(b):
		return b + 'a' - 'A'
	case b >= 0x80 && b <= 0x9E && b != 0x97 && at(t, e-1) == 0xC3:
		return b + 0x20
	}
	return b
}

// hintEvidence returns EvKey when the value's member names have a class of
// want.
func (sc *scanner) hintEvidence(want Hint) Evidence {
	if sc.hint&want != 0 {
		return EvKey
	}
	return 0
}

// ctxEvidence returns EvContext when a word of a class of want stands in the
// window before t[i].
func (sc *scanner) ctxEvidence(i int, want ctxClass) Evidence {
	if sc.context(i).all&want != 0 {
		return EvContext
	}
	return 0
}
