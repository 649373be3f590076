package detect

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// freeTextCases checks person_name and street_address alone.
func runFreeText(t *testing.T, hint Hint, cases []detectCase) {
	t.Helper()
	s, err := NewSet([]string{"person_name", "street_address"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got := describe(s, c.in, s.FindStringAt([]byte(c.in), s.all, hint, nil, nil))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("FindString(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestPersonName(t *testing.T) {
	runFreeText(t, 0, []detectCase{
		{"Hi, my name is John Smith and I need help", []string{"person_name=John Smith"}},
		{"Please contact Maria Garcia about the order", []string{"person_name=Maria Garcia"}},
		{"Dear Mr. Johnson, thanks for writing", []string{"person_name=Johnson"}},
		{"Dr. Emily O'Brien will see you", []string{"person_name=Emily O'Brien"}},
		{"Regards,\nJean-Luc Picard", []string{"person_name=Jean-Luc Picard"}},
		{"Thanks, Bill", []string{"person_name=Bill"}},
		{"I'm Will, the new guy", []string{"person_name=Will"}},
		{"my name is Jordan", []string{"person_name=Jordan"}},
		{"John F. Kennedy was president", []string{"person_name=John F. Kennedy"}},
		{"Ludwig van Beethoven wrote it", []string{"person_name=Ludwig van Beethoven"}},
		{"Sehr geehrte Frau Müller, vielen Dank", []string{"person_name=Müller"}},
		{"Mein Name ist Lukas Becker.", []string{"person_name=Lukas Becker"}},
		{"Hallo, ich bin Anna", []string{"person_name=Anna"}},
		{"Herr Schneider hat angerufen", []string{"person_name=Schneider"}},
		{"Bonjour, je m'appelle Marie Dubois", []string{"person_name=Marie Dubois"}},
		{"Mme Durand a appelé", []string{"person_name=Durand"}},
		{"Chère Camille, merci", []string{"person_name=Camille"}},
		{"Hola, me llamo Carlos García", []string{"person_name=Carlos García"}},
		{"Estimada Sra. López: gracias", []string{"person_name=López"}},
		{"Patient: Xavierre Quonset, 54", []string{"person_name=Xavierre Quonset"}},
		{"Der Kunde Peter Schmidt hat sich beschwert.", []string{"person_name=Peter Schmidt"}},
		{"I met with Anna yesterday", []string{"person_name=Anna"}},
		{"Best regards, Michael Johnson", []string{"person_name=Michael Johnson"}},
		{"Atentamente,\nLucía Fernández", []string{"person_name=Lucía Fernández"}},
		{"cc: Thomas Müller, Anna Schmidt", []string{"person_name=Thomas Müller", "person_name=Anna Schmidt"}},
		{"Spoke with Mrs. Patel on the phone.", []string{"person_name=Patel"}},
		{"El paciente Juan Pérez llegó", []string{"person_name=Juan Pérez"}},
		// must not hit
		{"We code with Julia and Ada", nil},
		{"Hey Siri, call Mom", nil},
		{"The meeting is in May and June", nil},
		{"Victoria Station, Sydney Opera House, Madison Square Garden", nil},
		{"Mercedes Benz and Tesla Model 3, Microsoft Teams", nil},
		{"thanks\u200cNL68RFUA9114644620 ok", nil},
		{"I bought Air Jordan shoes in Paris", nil},
		{"Amazon Prime and Apple Music are services", nil},
		{"Georgia Tech beat Chase Bank", nil},
		{"Thanks for your order! We will ship it Monday.", nil},
		{"Hi Team, the Build Server is down", nil},
		{"Mark the task as done", nil},
		{"Dear Customer, your package arrived", nil},
		{"Will you ship to Berlin?", nil},
		{"ACME SUPPORT TEAM", nil},
		{"this is Amazon calling", nil},
	})
}

func TestPersonNameKey(t *testing.T) {
	runFreeText(t, HintName, []detectCase{
		{"Xavierre Quonset", []string{"person_name=Xavierre Quonset"}},
		{"Anna", []string{"person_name=Anna"}},
		{"Amazon", nil},
	})
}

func TestStreetAddress(t *testing.T) {
	runFreeText(t, 0, []detectCase{
		{"ship it to 123 Main Street please", []string{"street_address=123 Main Street"}},
		{"at 42 Oak Ave. tomorrow", []string{"street_address=42 Oak Ave."}},
		{"1600 Pennsylvania Avenue NW, Washington, DC 20500", []string{"street_address=1600 Pennsylvania Avenue NW, Washington, DC 20500"}},
		{"lives at 742 Evergreen Terrace, Springfield, IL 62704.", []string{"street_address=742 Evergreen Terrace, Springfield, IL 62704"}},
		{"350 5th Ave, Suite 200", []string{"street_address=350 5th Ave, Suite 200"}},
		{"10 Downing Street, London SW1A 2AA", []string{"street_address=10 Downing Street, London SW1A 2AA"}},
		{"Lieferung an Hauptstraße 5, 10115 Berlin bitte", []string{"street_address=Hauptstraße 5, 10115 Berlin"}},
		{"Bahnhofstr. 12a", []string{"street_address=Bahnhofstr. 12a"}},
		{"wohnt in der Berliner Straße 5, Wohnung 3", []string{"street_address=Berliner Straße 5, Wohnung 3"}},
		{"envoyez au 12 rue de la Paix, 75002 Paris", []string{"street_address=12 rue de la Paix, 75002 Paris"}},
		{"J'habite au 3 bis quai Jean Jaurès, 44000 Nantes.", []string{"street_address=3 bis quai Jean Jaurès, 44000 Nantes"}},
		{"adresse : 25 ter avenue Foch.", []string{"street_address=25 ter avenue Foch"}},
		{"Vivo en C/ de Gracia 5, 1º A, gracias", []string{"street_address=C/ de Gracia 5, 1º A"}},
		{"Vivo en Avenida del Sol 130, bajo, 08008 Barcelona.", []string{"street_address=Avenida del Sol 130, bajo, 08008 Barcelona"}},
		{"Lieferadresse: Berliner Straße 6a, 60311 Frankfurt am Main", []string{"street_address=Berliner Straße 6a, 60311 Frankfurt am Main"}},
		{"I live at 6631 South Park Terrace now", []string{"street_address=6631 South Park Terrace"}},
		{"Calle Mayor 10, 3º B, 28013 Madrid", []string{"street_address=Calle Mayor 10, 3º B, 28013 Madrid"}},
		{"Avenida de América 5", []string{"street_address=Avenida de América 5"}},
		{"P.O. Box 123, Springfield, IL 62704", []string{"street_address=P.O. Box 123, Springfield, IL 62704"}},
		{"Postfach 12 34", []string{"street_address=Postfach 12 34"}},
		{"BP 123", []string{"street_address=BP 123"}},
		{"Apartado 45", []string{"street_address=Apartado 45"}},
		{"Apt 4B at 55 Elm St #12", []string{"street_address=55 Elm St #12"}},
		{"Calle de Alcalá, nº 45, 2ª izq", []string{"street_address=Calle de Alcalá, nº 45, 2ª izq"}},
		{"Karl-Marx-Allee 3", []string{"street_address=Karl-Marx-Allee 3"}},
		{"Post Office Box 77", []string{"street_address=Post Office Box 77"}},
		{"B.P. 4021", []string{"street_address=B.P. 4021"}},
		{"Apdo. 45", []string{"street_address=Apdo. 45"}},
		{"Apartado de Correos 45, 28080 Madrid", []string{"street_address=Apartado de Correos 45, 28080 Madrid"}},
		{"88 Queen Street West, Toronto, ON M5H 2N2", []string{"street_address=88 Queen Street West, Toronto, ON M5H 2N2"}},
		{"5 avenue des Champs-Élysées, 75008 Paris", []string{"street_address=5 avenue des Champs-Élysées, 75008 Paris"}},
		{"Goethestraße 12, D-80336 München.", []string{"street_address=Goethestraße 12, D-80336 München"}},
		{"1 Infinite Loop, Cupertino, CA 95014-2083", []string{"street_address=1 Infinite Loop, Cupertino, CA 95014-2083"}},
		// must not hit
		{"we have 3 new users and 12 open tickets", nil},
		{"Ring 5 of the plan, during 3 days", nil},
		{"Street 5 is closed", nil},
		{"Room 12 at 10:30, Order #72260458", nil},
		{"Spring 2024 release", nil},
		{"version 1.2.3 on port 8080", nil},
		{"It costs 12.50 per month", nil},
		{"I sent 2 Main points", nil},
	})
}

// FuzzFreeText checks person_name and street_address on any text, with
// and without name and address hints: spans in range, sorted, not
// overlapping, not splitting a UTF-8 sequence of valid text, and work
// linear in the text.
func FuzzFreeText(f *testing.F) {
	for _, seed := range []string{
		"", "A", "Dr. ", "Hi, my name is John Smith", "Regards,\nJean-Luc Picard", "Sehr geehrte Frau Müller",
		"me llamo Carlos García", "je m'appelle Marie", "Ludwig van Beethoven", "John F. Kennedy",
		"123 Main Street, Springfield, IL 62704", "Hauptstraße 5, 10115 Berlin", "12 rue de la Paix, 75002 Paris",
		"Calle Mayor 10, 3º B, 28013 Madrid", "P.O. Box 123", "Postfach 12 34", "10 Downing Street, London SW1A 2AA",
		"Élodie Ñúñez O’Brien", "\xff\xfeA\xc3 1 St", "I'm Will", "Bahnhofstr. 12a", "nº 5 Calle",
	} {
		f.Add([]byte(seed), uint8(0))
	}
	s, err := NewSet([]string{"person_name", "street_address", "email"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte, h uint8) {
		hint := Hint(0)
		if h&1 != 0 {
			hint |= HintName
		}
		if h&2 != 0 {
			hint |= HintAddress
		}
		m := &Meter{}
		spans := s.FindStringAt(text, s.all, hint, m, nil)
		if limit := 64 + 64*len(text); m.Used > limit {
			t.Fatalf("%d steps for %d bytes", m.Used, len(text))
		}
		valid := utf8.Valid(text)
		for i, sp := range spans {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("span %v out of bounds (len %d)", sp, len(text))
			}
			if i > 0 && sp.Start < spans[i-1].End {
				t.Fatalf("spans %v and %v overlap or are unsorted", spans[i-1], sp)
			}
			if valid && (!utf8.RuneStart(text[sp.Start]) || (sp.End < len(text) && !utf8.RuneStart(text[sp.End]))) {
				t.Fatalf("span %v splits a UTF-8 sequence", sp)
			}
		}
	})
}

// TestFreeTextZeroAllocs: person_name and street_address do not allocate
// with a reused dst, with and without matches, under name and address keys.
func TestFreeTextZeroAllocs(t *testing.T) {
	checkZeroAllocs(t, []string{
		strings.Repeat("Thanks for reaching out! The Build Server in Paris is down since May. ", 20),
		"Hi, my name is John Smith. Dear Frau Müller, je m'appelle Élodie O’Brien. Regards,\nJean-Luc",
		"Ship to 123 Main Street, Apt 4B, Springfield, IL 62704 or Hauptstraße 5, 10115 Berlin, or 12 rue de la Paix, 75002 Paris",
		"Calle Mayor 10, 3º B, 28013 Madrid; P.O. Box 123; Postfach 12 34; 10 Downing Street, London SW1A 2AA",
		"Xavierre Quonset",
	}, 0, HintName, HintAddress)
}

// TestGroupGoesOn checks when freeText may skip nameGroup for a pending
// word at the start of a sentence: only when the group is that word alone.
func TestGroupGoesOn(t *testing.T) {
	for _, c := range []struct {
		text string
		stop int // the next stop after the word at 0
		want bool
	}{
		{"Thanks, that worked. Have", 21, false},
		{"Let me know. Ping", 13, false},
		{"Anna Schmidt called", 5, true},
		{"Dr. Weber", 4, true},
		{"Jean-Luc is here", 5, true}, // the stop is inside the word
		{"Ludwig van Beethoven", 11, true},
		{"Hello Élodie", 6, true},
		{"Hello 5th Avenue", 16, true}, // not a lower-case letter: nameGroup decides
		{"Anna", 4, false},
	} {
		if got := groupGoesOn([]byte(c.text), 0, c.stop); got != c.want {
			t.Errorf("groupGoesOn(%q, 0, %d) = %v, want %v", c.text, c.stop, got, c.want)
		}
	}
}

// TestStreetPrefixPair checks that the two-byte filter before
// isStreetPrefix lets every street type through, in any case.
func TestStreetPrefixPair(t *testing.T) {
	for _, w := range []string{"rue", "avenue", "av", "ave", "boulevard", "bd", "bld", "bvd", "chemin", "allée",
		"place", "impasse", "quai", "cours", "route", "faubourg", "passage", "voie", "calle", "avenida", "avda",
		"plaza", "pza", "paseo", "camino", "carrera", "ronda", "travesía", "carretera", "glorieta", "vía", "via",
		"piazza", "viale", "corso", "rua", "praça", "largo"} {
		for _, v := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			if !isStreetPrefix([]byte(v)) {
				t.Errorf("isStreetPrefix(%q) = false", v)
			}
		}
	}
	for _, w := range []string{"people", "tomorrow", "times", "pe", "Times"} {
		if isStreetPrefix([]byte(w)) || streetPrefixPair(w[0], w[1]) {
			t.Errorf("%q passes the street prefix filter", w)
		}
	}
}

// TestPlainWordBefore checks the words before a number that spare
// streetBefore its reading: whole lower-case words that name no PO box.
func TestPlainWordBefore(t *testing.T) {
	for _, c := range []struct {
		text string
		lo   int
		want bool
	}{
		{"about 25", 0, false}, // the word starts the text: streetBefore decides
		{" about 25", 0, true},
		{"the room 4B", 0, true},
		{"a box 12", 0, false},
		{"a number 12", 0, true},
		{"el apdo 12", 0, false},
		{"an apartado 12", 0, false},
		{"calle nr 12", 0, false},
		{"x-ray 5", 0, false},
		{"Hauptstraße 5", 0, false},
		{"Calle mayor 5", 0, true},      // a lower-case word ends no street name
		{"x extraordinary 5", 0, false}, // longer than ten letters
		{"5 about 25", 2, false},        // the word reaches lo
	} {
		j := strings.LastIndexByte(c.text, ' ')
		if got := plainWordBefore([]byte(c.text), j, c.lo); got != c.want {
			t.Errorf("plainWordBefore(%q, %d, %d) = %v, want %v", c.text, j, c.lo, got, c.want)
		}
	}
}
