package detect

import (
	"slices"
	"strings"
	"testing"
)

// TestContextWords checks confirmations and vetoes by the words before a
// candidate, in English, German, French and Spanish.
func TestContextWords(t *testing.T) {
	runCases(t, []detectCase{
		// SSN evidence confirms bare digits and the 3-6 and 5-4 spellings
		{"SSN: 123456789", []string{"us_ssn=123456789"}},
		{"ssn# 078051121", []string{"us_ssn=078051121"}},
		{"SS no. 078051121", []string{"us_ssn=078051121"}},
		{"soc. sec. 078051121", []string{"us_ssn=078051121"}},
		{"social security number 078-051121", []string{"us_ssn=078-051121"}},
		{"SSN 07805-1121", []string{"us_ssn=07805-1121"}},
		{"Sozialversicherungsnummer 078051121", []string{"us_ssn=078051121"}},
		{"numéro de sécurité sociale 078051121", []string{"us_ssn=078051121"}},
		{"número de seguro social 078-051121", []string{"us_ssn=078-051121"}},
		{"ticket 078-051121", nil},
		{"ref 07805-1121", nil},
		{"SSN 666-051121", nil}, // area 666
		// phone evidence confirms national numbers no format lists
		{"call me at 612 345 678", []string{"phone=612 345 678"}},
		{"ruf mich an: 0151 1234 5678", []string{"phone=0151 1234 5678"}},
		{"Handy 12 34 56 78", []string{"phone=12 34 56 78"}},
		{"appelez-moi au 612 34 56 78", []string{"phone=612 34 56 78"}},
		{"llámame al 612 345 678", []string{"phone=612 345 678"}},
		{"LLAMAR AL 612-345-678", []string{"phone=612-345-678"}},
		{"móvil: 612.345.678", []string{"phone=612.345.678"}},
		{"612 345 678", nil},                 // no evidence
		{"call me on 1984-07-23", nil},       // a date
		{"call me 12 345", nil},              // too short
		{"tel. 1 23 45 67 89 01 23 45", nil}, // too long
		{"Rappelez-moi au 0697240869, merci.", []string{"phone=0697240869"}},
		{"Appelez-moi au 06 97 24 08 69.", []string{"phone=06 97 24 08 69"}},
		{"Llámeme al 711 36 00 77, gracias.", []string{"phone=711 36 00 77"}},
		{"Llámeme al 711 712 441, gracias.", []string{"phone=711 712 441"}},
		{"Llámame al 710256183.", []string{"phone=710256183"}},
		{"Llámame al 914545390.", []string{"phone=914545390"}},
		{"Llámame al 91 234 56 78.", []string{"phone=91 234 56 78"}},
		{"Llámame al 750256183.", nil}, // no Spanish number starts 75
		{"Llámame al 510256183.", nil},
		{"Ticket 612345678 was reopened.", nil},
		{"Sie erreichen mich unter 0151 1234 5678", []string{"phone=0151 1234 5678"}},
		{"Tel. 612345678", []string{"phone=612345678"}},
		{"Phone:\n612 345 678", []string{"phone=612 345 678"}},
		// the words of an earlier sentence confirm nothing
		{"Call me soon. 612 345 678", nil},
		{"Call me soon!\n612345678", nil},
		{"Llámame al 715838945. Versión 19.36.174.206 publicada.", []string{"phone=715838945"}},
		{"Contact: Mary Harris\nI'm on version 20.15.31.223 of the app.", []string{"person_name=Mary Harris"}},
		{"Contacto: José Ramírez\nEl build 13.33.249.107 corre en el dispositivo.", []string{"person_name=José Ramírez"}},
		{"please update. use 175.44.175.53", []string{"ipv4=175.44.175.53"}},
		// a version word vetoes a dotted number whatever confirmed it
		{"call me, version 22.99.166.240", nil},
		{"phone firmware 01.23.45.67.89", nil},
		{"phone 01.23.45.67.89", []string{"phone=01.23.45.67.89"}},
		// a reference word vetoes numbers written in groups of four, and
		// those only context confirmed
		{"Tracking 0123 4567 8901", nil},
		{"Sendungsnummer: 0151 1234 5678", nil},
		{"votre colis n° 0123 4567 8901", nil},
		{"su paquete número 0123 4567 8901", nil},
		{"parcel 0123 4567 8901 or call 0151 1234 5678", []string{"phone=0151 1234 5678"}},
		{"order ref (415) 555-2671", []string{"phone=(415) 555-2671"}}, // a full national format stays
		{"tracking +44 20 7946 0958", []string{"phone=+44 20 7946 0958"}},
		// version words veto a dotted quad
		{"release 1.2.3.4", nil},
		{"Version 4.23.25.27", nil},
		{"client version is 4.23.25.27", nil},
		{"build: 10.0.0.1", nil},
		{"v 1.2.3.4", nil},
		{"Versionsnummer 1.2.3.4", nil},
		{"révision 1.2.3.4", nil},
		{"versión 1.2.3.4", nil},
		{"upgraded to 4.23.25.27 yesterday", nil},
		{"deployed version 2 to 10.0.0.5", []string{"ipv4=10.0.0.5"}},
		{"build server ip 10.0.0.1", []string{"ipv4=10.0.0.1"}},
		{"from 10.0.0.1 (release 1.2.3.4)", []string{"ipv4=10.0.0.1"}},
		// birth words in the four languages
		{"Nací el 22/11/1977.", []string{"date_of_birth=22/11/1977"}},
		{"Nací el 22 de noviembre de 1943.", []string{"date_of_birth=22 de noviembre de 1943"}},
		{"Je suis né le 10/11/1941.", []string{"date_of_birth=10/11/1941"}},
		{"Patientin, geb. 03.04.1950, kommt zur Kontrolle.", []string{"date_of_birth=03.04.1950"}},
		{"I was born. 03/04/2020 was a Friday.", nil},
		// times are not MAC addresses
		{"at 12:30:45:00:11:22", nil},
		{"12-30-45-00-11-22", nil},
		{"00:1a:2b:3c:4d:5e", []string{"mac_address=00:1a:2b:3c:4d:5e"}},
		{"10:20:30:40:50:60", []string{"mac_address=10:20:30:40:50:60"}}, // 60 is past a minute
	})
}

// TestHints checks confirmations and vetoes by the value's member names.
func TestHints(t *testing.T) {
	s, err := NewSet(Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, text string
		want      []string
		ev        Evidence // of the first span
	}{
		{"phone", "4155552671", []string{"phone=4155552671"}, EvKey},
		{"telefono", "612345678", []string{"phone=612345678"}, EvKey},
		{"Telefon", "030 1234567", []string{"phone=030 1234567"}, EvFormat | EvKey},
		{"phone", "12345678", []string{"phone=12345678"}, EvKey},
		{"phone", "1234567", nil, 0},
		{"phone", "+1 415 555 2671", []string{"phone=+1 415 555 2671"}, EvFormat | EvKey},
		{"notes", "call +1 415 555 2671", []string{"phone=+1 415 555 2671"}, EvFormat | EvContext},
		{"value", "4155552671", nil, 0},
		{"order_id", "0151 1234 5678", nil, 0},
		{"order_id", "(415) 555-2671", nil, 0},
		{"ticket_id", "customer asks: call me at (415) 555-2671", []string{"phone=(415) 555-2671"}, EvFormat | EvContext},
		{"parcelId", "0123 4567 8901", nil, 0},
		{"tracking_number", "020 7946 0958", nil, 0},
		{"contact", "020 7946 0958", []string{"phone=020 7946 0958"}, EvFormat},
		{"ssn", "078051121", []string{"us_ssn=078051121"}, EvKey},
		{"ssn", "078-05-1121", []string{"us_ssn=078-05-1121"}, EvFormat | EvKey},
		{"client_version", "4.23.25.27", nil, 0},
		{"appVersion", "1.2.3.4", nil, 0},
		{"release", "10.0.0.1", nil, 0},
		{"server_ip_version", "10.0.0.1", []string{"ipv4=10.0.0.1"}, EvFormat | EvKey},
		{"client_ip", "10.0.0.1", []string{"ipv4=10.0.0.1"}, EvFormat | EvKey},
		{"card_number", "4111 1111 1111 1111", []string{"credit_card=4111 1111 1111 1111"}, EvChecksum | EvKey},
		{"order_id", "4111111111111111", []string{"credit_card=4111111111111111"}, EvChecksum}, // strings keep today's rules
		{"iban", "DE89 3704 0044 0532 0130 00", []string{"iban=DE89 3704 0044 0532 0130 00"}, EvChecksum | EvKey},
		{"notes", "my IBAN: DE89 3704 0044 0532 0130 00", []string{"iban=DE89 3704 0044 0532 0130 00"}, EvChecksum | EvContext},
		{"notes", "card 4111 1111 1111 1111", []string{"credit_card=4111 1111 1111 1111"}, EvChecksum | EvContext},
	} {
		spans := s.FindStringAt([]byte(c.text), s.all, KeyHint([]byte(c.key)), nil, nil)
		got := describe(s, c.text, spans)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q: got %q, want %q", c.key, c.text, got, c.want)
			continue
		}
		if len(spans) > 0 && spans[0].Evidence != c.ev {
			t.Errorf("%s: %q: evidence %v, want %v", c.key, c.text, spans[0].Evidence, c.ev)
		}
	}
}

func TestContextBefore(t *testing.T) {
	for _, c := range []struct {
		text           string
		all, mid, near ctxClass
	}{
		{"call me at ", cxPhone, cxPhone, 0},
		{"Call: ", cxPhone, cxPhone, cxPhone},
		{"D.O.B. ", cxBirth, cxBirth, cxBirth},
		{"Geburtsdatum: ", cxBirth, cxBirth, cxBirth},
		{"NÉE LE ", cxBirth, cxBirth, cxBirth},
		{"ne le ", 0, 0, 0},
		{"social security ", cxSSN, cxSSN, cxSSN},
		{"sécurité sociale ", cxSSN, cxSSN, cxSSN},
		{"ss# ", cxSSN, cxSSN, cxSSN},
		{"phone number is a b c d e ", cxPhone, 0, 0},
		{"ltelephone ", 0, 0, 0},
		{strings.Repeat("x", 60) + " tel ", cxPhone, cxPhone, cxPhone},
		{"tel " + strings.Repeat("x", 60), 0, 0, 0},
		{"tracking no. ", cxRef, cxRef, cxRef},
		{"Version ", cxVersion, cxVersion, cxVersion},
		{"Rappelez-moi au ", cxPhone, cxPhone, 0},
		{"Llámeme al ", cxPhone, cxPhone, cxPhone},
		{"Ruf mich bitte zurück, ich bin erreichbar unter ", cxPhone, cxPhone, cxPhone},
		{"Nací el ", cxBirth, cxBirth, cxBirth},
		// a sentence ends at a line break or at '.', '!', '?' before a space
		{"Call me at 612 345 678. Version ", cxVersion, cxVersion, cxVersion},
		{"Contact: Mary Harris\nI'm on version ", cxVersion, cxVersion, cxVersion},
		{"call me? ok ", 0, 0, 0},
		{"please update. use ", 0, 0, 0},
		{"call me.now ", cxPhone, cxPhone, 0},
		// but not after a label or the abbreviation of a context word
		{"Phone:\n", cxPhone, cxPhone, cxPhone},
		{"Tel. ", cxPhone, cxPhone, cxPhone},
		{"geb. ", cxBirth, cxBirth, cxBirth},
		{"Social Security No. ", cxSSN, cxSSN, cxSSN},
	} {
		got := contextBefore([]byte(c.text), len(c.text))
		if got != (ctxSeen{c.all, c.mid, c.near}) {
			t.Errorf("contextBefore(%q) = %+v, want %+v", c.text, got, ctxSeen{c.all, c.mid, c.near})
		}
	}
}

func TestSlackShapes(t *testing.T) {
	runCases(t, []detectCase{
		{"xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", []string{"slack_token=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}},
		{"xoxb-263594206564-FGqddMF8t08v8N7Oq4i57vs1", []string{"slack_token=xoxb-263594206564-FGqddMF8t08v8N7Oq4i57vs1"}},
		{"token=xoxp-41684372915-1320496754-45609968301-e708ba56e1517a99f6b5fb07349476ef;",
			[]string{"slack_token=xoxp-41684372915-1320496754-45609968301-e708ba56e1517a99f6b5fb07349476ef"}},
		{"xoxa-2-511111111-31111111111-3111111111111-e039d02840a0b9379c", []string{"slack_token=xoxa-2-511111111-31111111111-3111111111111-e039d02840a0b9379c"}},
		{"xoxs-3206092076-3204538285-3743137121-836b042620", []string{"slack_token=xoxs-3206092076-3204538285-3743137121-836b042620"}},
		{"xoxr-1-" + strings.Repeat("Ab1", 10), []string{"slack_token=xoxr-1-" + strings.Repeat("Ab1", 10)}},
		{"xoxe.xoxp-1-" + strings.Repeat("Mi0yLTM0", 20) + " ok", []string{"slack_token=xoxe.xoxp-1-" + strings.Repeat("Mi0yLTM0", 20)}},
		// words that merely begin like a token
		{"xoxo-gossip-girl", nil},
		{"hugs xoxo-love-you-forever-and-ever", nil},
		{"xoxb-my-bot-token-goes-here", nil},
		{"xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx", nil},
		{"xoxp-1234567890", nil},
		{"xoxb-12345-abcd234", nil},
		{"xoxo-2024-05-01-party", nil},
		{"xoxb-123456789012-abcdefghijklmnopqrstuvwx", nil}, // lower-case letters only
		{"2018-250-xoxo-indieweb-1.jpg", nil},
	})
}

func TestCardBrands(t *testing.T) {
	for _, c := range []struct {
		brand, d string
		ok, weak bool
	}{
		{"uatp", "122000000000003", true, true},
		{"uatp-16", "1220000000000003", false, false},
		{"dankort", "5019717010103742", true, false},
		{"visa-dankort", "4571736008961435", true, false},
		{"maestro-12", "501800000009", true, false},
		{"maestro-19", "6759649826438453000", false, false}, // Luhn
		{"maestro-uk", "6767700000000005", true, false},
		{"unionpay-62-19", "6200000000000000000", true, false},
		{"unionpay-81", "8171999927660000", true, false},
		{"unionpay-810", "8100000000000002", true, false},
		{"unionpay-82", "8200000000000009", false, false},
		{"jcb-19", "3530111333300000001", true, false},
		{"diners-3095", "30950000000000", true, false},
		{"diners-36-16", "3600000000000008", true, false},
		{"diners-309", "30900000000007", false, false},
		{"mir", "2200000000000004", true, false},
	} {
		ok, weak := cardIssuer([]byte(c.d))
		if ok != c.ok || weak != c.weak {
			t.Errorf("%s %s: cardIssuer = %v %v, want %v %v", c.brand, c.d, ok, weak, c.ok, c.weak)
		}
	}
	runCases(t, []detectCase{
		{"ref 1220 000000 00003", nil}, // a UATP number needs a card word
		{"card 122000000000003", []string{"credit_card=122000000000003"}},
		{"Karte 5019 7170 1010 3742", []string{"credit_card=5019 7170 1010 3742"}},
		{"tarjeta 8171 9999 2766 0000", []string{"credit_card=8171 9999 2766 0000"}},
	})
}

// FuzzContextBefore reads the words before every position of any text: it
// never reads past the position or before the window, the classes of the
// last two words are among those of the last five, and those among all.
func FuzzContextBefore(f *testing.F) {
	for _, s := range []string{"", "call me at 612 345 678", "D.O.B. 1984", "ss# 1", "sécurité sociale 1",
		"\xc3\x89\xc3", "a.b.c.d.", "née le 1", strings.Repeat("tel ", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b := []byte(text)
		for i := 0; i <= len(b); i++ {
			got := contextBefore(b, i)
			if got.near&^got.mid != 0 || got.mid&^got.all != 0 {
				t.Fatalf("contextBefore(%q, %d) = %+v", text, i, got)
			}
			// Bytes beyond i change nothing.
			if again := contextBefore(append(append([]byte{}, b[:i]...), "x 1"...), i); again != got {
				t.Fatalf("contextBefore(%q, %d) reads past the position", text, i)
			}
		}
	})
}
