package detect

// Member names say what a value is before its text is read: "phone",
// "geburtsdatum", "order_id", "client_version". KeyHint reads the words of a
// name, in English, German, French and Spanish, and returns their classes.

// keyWord is what one word of a member name says.
type keyWord struct {
	hint Hint // the classes the word gives
	// weak is the part of hint a qualifier word in the same name takes
	// back: HintName of a plain "name" (file_name, host_name), HintAddress
	// of a plain "address" (email_address, remote_addr)
	weak Hint
	qual uint8 // what the word says of the other words (q…)
}

// Qualifiers: bits a word sets for the whole name.
const (
	qNotPerson uint8 = 1 << iota // file, host, user, product, …: a plain "name" is no person's
	qNotPostal                   // email, web, url, …: a plain "address" is no street address
	qNet                         // ip, remote, peer, …: a plain "address" is a network address
	qSocial                      // social, sociale: with qSecurity, a social security number
	qSecurity                    // security, sécurité, seguridad, seguro
)

func kw(h Hint) keyWord                  { return keyWord{hint: h} }
func kwWeak(h Hint) keyWord              { return keyWord{hint: h, weak: h} }
func kwQual(q uint8) keyWord             { return keyWord{qual: q} }
func kwHintQual(h Hint, q uint8) keyWord { return keyWord{hint: h, qual: q} }
func addWords(m map[string]keyWord, w keyWord, words ...string) {
	for _, s := range words {
		m[s] = w
	}
}

// keyWords maps a word of a member name, lower-cased and with its accents
// dropped (see foldKeyByte: "téléphone" is "telephone", "Straße"
// "strasse"), to what it says.
var keyWords = func() map[string]keyWord {
	m := map[string]keyWord{}
	addWords(m, kw(HintPhone),
		"phone", "phones", "telephone", "tel", "tele", "telefon", "telefono", "telefonnummer", "rufnummer",
		"mobile", "mobil", "mobilnummer", "handy", "handynummer", "portable", "movil", "celular", "cell",
		"cellular", "cellphone", "fax", "msisdn", "phonenumber", "phoneno", "mobilenumber", "landline",
		"whatsapp", "telefonos", "telephones", "mobiles")
	addWords(m, kw(HintSSN), "ssn", "ssns", "nss", "nir", "svnr", "socialsecurity", "socialsecuritynumber",
		"sozialversicherungsnummer", "versicherungsnummer")
	addWords(m, kw(HintCard),
		"card", "cards", "pan", "cc", "ccnum", "ccnumber", "cardnumber", "cardno", "creditcard", "debitcard",
		"kreditkarte", "kreditkartennummer", "karte", "kartennummer", "carte", "cb", "tarjeta", "visa", "mastercard", "amex")
	addWords(m, kw(HintIBAN), "iban", "ibans", "bankaccount", "kontonummer", "konto", "bic", "rib", "cuenta", "compte")
	addWords(m, kw(HintIP), "ip", "ips", "ipaddr", "ipaddress", "ipv4", "ipv6", "remoteaddr", "remoteip", "clientip",
		"forwarded", "xff")
	addWords(m, kw(HintBirth),
		"dob", "birth", "birthday", "birthdate", "bday", "dateofbirth", "born", "geburtsdatum", "geburtstag",
		"geburt", "naissance", "datenaissance", "nacimiento", "fechanacimiento", "cumpleanos", "anniversaire")
	addWords(m, kwWeak(HintName), "name", "names", "nom", "nombre", "noms", "nombres")
	addWords(m, kw(HintName),
		"firstname", "lastname", "surname", "fullname", "givenname", "familyname", "middlename", "forename",
		"vorname", "nachname", "familienname", "prenom", "apellido", "apellidos", "nickname")
	addWords(m, kwWeak(HintAddress), "address", "addresses", "addr", "adresse", "adressen", "direccion", "direcciones")
	addWords(m, kw(HintAddress),
		"street", "streetaddress", "homeaddress", "billingaddress", "shippingaddress", "mailingaddress",
		"postaladdress", "strasse", "anschrift", "wohnadresse", "rue", "calle", "domicilio", "avenue")
	addWords(m, kw(HintIdentifier),
		"id", "ids", "uuid", "guid", "uid", "gid", "pid", "oid", "seq", "sequence", "ref", "refs", "reference",
		"refno", "sku", "nonce", "key", "hash", "checksum", "serial", "invoice", "ticket", "tracking", "parcel",
		"shipment", "sendung", "sendungsnummer", "paket", "colis", "paquete", "envio", "seguimiento", "waybill",
		"transaction", "txn", "tx", "txid", "trace", "traceid", "span", "spanid", "request", "requestid",
		"session", "sessionid", "correlation", "batch", "userid", "customerid", "accountid", "orderid",
		"productid", "itemid", "deviceid", "messageid", "msgid", "objectid", "docid", "externalid", "isbn",
		"ean", "upc", "gtin", "asin", "bestellung", "bestellnummer", "commande", "pedido", "factura", "facture",
		"rechnung", "rechnungsnummer", "kundennummer", "code", "pin", "order")
	addWords(m, kw(HintQuantity),
		"count", "counts", "amount", "amounts", "total", "totals", "sum", "qty", "quantity", "price", "cost",
		"fee", "size", "bytes", "length", "len", "width", "height", "weight", "duration", "elapsed", "latency",
		"ms", "millis", "micros", "nanos", "ns", "seconds", "secs", "sec", "minutes", "hours", "days", "time",
		"timestamp", "ts", "epoch", "at", "created", "updated", "modified", "deleted", "expires", "expiry",
		"exp", "iat", "nbf", "offset", "limit", "index", "idx", "score", "balance", "num", "views", "likes",
		"anzahl", "menge", "betrag", "preis", "summe", "gesamt", "dauer", "zeitstempel", "grosse", "montant",
		"prix", "quantite", "somme", "duree", "horodatage", "taille", "cantidad", "importe", "precio", "monto",
		"suma", "duracion", "tamano", "revenue", "bal", "tokens", "port")
	addWords(m, kw(HintVersion), "version", "versions", "ver", "vers", "release", "releases", "build", "builds",
		"revision", "rev", "semver", "firmware", "fw", "versionsnummer", "compilacion", "lanzamiento")
	addWords(m, kw(HintGeneric), "value", "values", "val", "number", "numbers", "text", "data", "content",
		"field", "input", "raw", "nummer", "numero", "wert", "valeur", "valor", "datos", "donnees", "no", "nr")
	addWords(m, kwQual(qNotPerson),
		"file", "host", "user", "login", "account", "product", "company", "app", "application", "service",
		"domain", "path", "table", "column", "event", "metric", "tag", "bucket", "queue", "topic", "class",
		"type", "model", "package", "project", "repo", "branch", "org", "organization", "team", "group",
		"channel", "device", "machine", "node", "pod", "cluster", "region", "zone", "db", "database",
		"schema", "brand", "item", "category", "country", "city", "method", "function", "func", "var",
		"param", "attr", "attribute", "module", "image", "container", "job", "task", "step", "stage",
		"role", "plan", "tier", "store", "shop", "merchant", "business", "server", "queue", "dir", "folder",
		"fichier", "archivo", "datei", "produit", "producto", "produkt", "entreprise", "empresa", "firma",
		"ville", "ciudad", "stadt", "pays", "pais", "land", "cookie", "header", "env", "variable", "font",
		"color", "theme", "layer", "screen", "page", "route", "endpoint", "api", "index", "bank", "street",
		"vendor", "provider", "plugin", "library", "lib", "font", "icon", "tool", "resource")
	addWords(m, kwQual(qNotPostal), "email", "mail", "e", "web", "url", "uri", "link", "wallet", "memory",
		"mem", "courriel", "correo", "hex", "contract", "bitcoin", "btc", "eth")
	addWords(m, kwQual(qNet), "remote", "local", "peer", "host", "server", "bind", "listen", "socket", "proxy",
		"gateway", "dns", "network", "net", "mac", "origin", "source", "src", "dst", "destination", "upstream",
		"downstream")
	addWords(m, keyWord{qual: qSocial}, "social", "sociale", "soc")
	addWords(m, keyWord{qual: qSecurity}, "security", "securite", "seguridad", "seguro")
	// Words of two classes.
	m["host"] = kwQual(qNotPerson | qNet)
	m["server"] = kwQual(qNotPerson | qNet)
	m["sec"] = kwHintQual(HintQuantity, qSecurity)
	for _, w := range []string{"ip", "ips", "ipv4", "ipv6"} {
		m[w] = kwHintQual(HintIP, qNet)
	}
	m["index"] = kwHintQual(HintQuantity, qNotPerson)
	m["street"] = kwHintQual(HintAddress, qNotPerson)
	m["bank"] = kwHintQual(HintIBAN, qNotPerson)
	m["mac"] = kwQual(qNotPostal | qNet)
	m["email"] = kwQual(qNotPostal | qNotPerson)
	return m
}()

// keyStems are word beginnings and endings that give a class to words the
// table does not hold ("ordernumber", "geburtsort", "appversion",
// "homephone").
var keyPrefixes = []struct {
	stem string
	hint Hint
}{
	{"order", HintIdentifier}, {"birth", HintBirth}, {"geburt", HintBirth}, {"phone", HintPhone},
	{"telefon", HintPhone}, {"telephon", HintPhone}, {"handy", HintPhone}, {"iban", HintIBAN},
	{"kreditkart", HintCard}, {"creditcard", HintCard}, {"timestamp", HintQuantity}, {"version", HintVersion},
}

var keySuffixes = []struct {
	stem string
	hint Hint
}{
	{"phone", HintPhone}, {"version", HintVersion}, {"timestamp", HintQuantity}, {"count", HintQuantity},
	{"amount", HintQuantity}, {"total", HintQuantity}, {"size", HintQuantity}, {"nummer", HintGeneric},
}

// KeyHint returns the classes of a member name (unescaped): the union of the
// classes of its words, in English, German, French and Spanish. Words are
// split at '_', '-', '.', ' ', '/', ':' and case changes ("order_id",
// "orderId", "Order-ID", "IPAddress" are order + id, ip + address), read
// lower-cased with Latin-1 accents dropped ("Téléphone", "Straße",
// "fecha_de_nacimiento"), and looked up whole, then without trailing digits
// ("address1"), then by a few stems ("ordernumber", "homephone",
// "appversion"). A plain "name" (nom, nombre) is a person's name unless a
// word of the name says whose it is (file_name, hostName, user_name,
// product_name, company_name: no HintName); a plain "address" (addr,
// adresse, dirección) is a street address unless the name is about email or
// the web (email_address: no class) or the network (remote_addr, peer_address:
// HintIP). "social" with "security" (also "sécurité sociale", "seguridad
// social") is HintSSN. A name of no known word has no class. KeyHint does not
// allocate.
func KeyHint(name []byte) Hint {
	var h, weak Hint
	var q uint8
	var word [40]byte
	n := 0
	flush := func() {
		if n > 0 && n <= len(word) {
			w := lookupKeyWord(word[:n])
			h |= w.hint &^ w.weak
			weak |= w.weak
			q |= w.qual
		}
		n = 0
	}
	put := func(c byte) {
		if n < len(word) {
			word[n] = c
		}
		n++
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' || c == ':':
			flush()
			continue
		case c >= 'A' && c <= 'Z':
			prev := at(name, i-1)
			if isLower(prev) || isDigit(prev) || isUpper(prev) && isLower(at(name, i+1)) {
				flush()
			}
			c += 'a' - 'A'
		case c == 0xC3 && i+1 < len(name) && name[i+1] >= 0x80 && name[i+1] < 0xC0:
			// A Latin-1 letter: its base letter, lower-cased ("é" and
			// "É" are "e", "ß" is "ss"); an upper-case one after a
			// lower-case letter starts a word, as in ASCII.
			s := name[i+1]
			if s < 0x9F && s != 0x97 && (isLower(at(name, i-1)) || at(name, i-2) == 0xC3 && at(name, i-1) >= 0xA0) {
				flush()
			}
			i++
			switch f := latin1Fold[s-0x80]; f {
			case 0:
				put(0xC3)
				put(s)
			case 's':
				put('s')
				put('s')
			default:
				put(f)
			}
			continue
		}
		put(c)
	}
	flush()
	if q&qNotPerson == 0 {
		h |= weak & HintName
	}
	if weak&HintAddress != 0 {
		switch {
		case q&qNotPostal != 0:
		case q&qNet != 0:
			h |= HintIP
		default:
			h |= HintAddress
		}
	}
	if q&qSocial != 0 && q&qSecurity != 0 {
		h |= HintSSN
	}
	return h
}

// lookupKeyWord returns what the word w (lower-case) of a member name says.
func lookupKeyWord(w []byte) keyWord {
	if k, ok := keyWords[string(w)]; ok {
		return k
	}
	d := len(w)
	for d > 0 && isDigit(w[d-1]) {
		d--
	}
	if d > 0 && d < len(w) {
		if k, ok := keyWords[string(w[:d])]; ok {
			return k
		}
	}
	w = w[:d]
	if len(w) < 5 {
		return keyWord{}
	}
	for _, p := range keyPrefixes {
		if len(w) > len(p.stem) && string(w[:len(p.stem)]) == p.stem {
			return kw(p.hint)
		}
	}
	for _, p := range keySuffixes {
		if len(w) > len(p.stem) && string(w[len(w)-len(p.stem):]) == p.stem {
			return kw(p.hint)
		}
	}
	return keyWord{}
}

// latin1Fold maps the second byte of a two-byte UTF-8 sequence C3 xx (the
// letters U+00C0..U+00FF) to its base letter, lower-case: 's' stands for
// "ss" (ß), 0 keeps the character.
var latin1Fold = [64]byte{
	'a', 'a', 'a', 'a', 'a', 'a', 0, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', // À..Ï
	'd', 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 0, 's', // Ð..ß
	'a', 'a', 'a', 'a', 'a', 'a', 0, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', // à..ï
	'd', 'n', 'o', 'o', 'o', 'o', 'o', 0, 'o', 'u', 'u', 'u', 'u', 'y', 0, 'y', // ð..ÿ
}
