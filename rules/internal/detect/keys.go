package detect

// keyWords maps a word of a member name, lower-cased, to its class.
var keyWords = map[string]Hint{
	"phone": HintPhone, "telephone": HintPhone, "tel": HintPhone, "mobile": HintPhone,
	"cell": HintPhone, "cellphone": HintPhone, "fax": HintPhone, "msisdn": HintPhone,

	"ssn": HintSSN,

	"pan": HintCard, "cc": HintCard, "ccnum": HintCard, "cardnumber": HintCard,

	"iban": HintIBAN,

	"ip": HintIP, "ipaddr": HintIP,

	"dob": HintBirth, "birth": HintBirth, "birthday": HintBirth, "birthdate": HintBirth,

	"name": HintName, "firstname": HintName, "lastname": HintName, "surname": HintName,
	"fullname": HintName,

	"address": HintAddress, "street": HintAddress, "addr": HintAddress,

	"id": HintIdentifier, "ids": HintIdentifier, "uuid": HintIdentifier, "guid": HintIdentifier,
	"seq": HintIdentifier, "order": HintIdentifier,

	"count": HintQuantity, "amount": HintQuantity, "total": HintQuantity, "qty": HintQuantity,
	"quantity": HintQuantity, "price": HintQuantity, "size": HintQuantity, "at": HintQuantity,
	"timestamp": HintQuantity, "ts": HintQuantity,

	"version": HintVersion, "release": HintVersion, "build": HintVersion,

	"value": HintGeneric, "number": HintGeneric, "text": HintGeneric, "data": HintGeneric,
}

// KeyHint returns the classes of a member name (unescaped): the union of the
// classes of its words, split at '_', '-', '.', ' ' and lower-to-upper case
// changes ("order_id", "orderId", "Order-ID" are order + id). A name of no
// known word has no class.
func KeyHint(name []byte) Hint {
	var h Hint
	var word [32]byte
	n := 0
	flush := func() {
		if n > 0 && n <= len(word) {
			h |= keyWords[string(word[:n])]
		}
		n = 0
	}
	for i, c := range name {
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			flush()
			continue
		case c >= 'A' && c <= 'Z':
			if i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z' {
				flush()
			}
			c += 'a' - 'A'
		}
		if n < len(word) {
			word[n] = c
		}
		n++
	}
	flush()
	return h
}
