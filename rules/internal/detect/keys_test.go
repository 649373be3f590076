package detect

import "testing"

func TestKeyHint(t *testing.T) {
	for _, c := range []struct {
		key  string
		want Hint
	}{
		// phone, four languages, with and without accents
		{"phone", HintPhone}, {"phoneNumber", HintPhone | HintGeneric}, {"phone_number", HintPhone | HintGeneric},
		{"telefon", HintPhone}, {"Telefonnummer", HintPhone}, {"Handy", HintPhone}, {"mobil_nr", HintPhone | HintGeneric},
		{"téléphone", HintPhone}, {"TÉLÉPHONE", HintPhone}, {"numero_portable", HintPhone | HintGeneric},
		{"teléfono", HintPhone}, {"numero_de_telefono", HintPhone | HintGeneric}, {"móvil", HintPhone},
		{"celular", HintPhone}, {"homePhone", HintPhone}, {"msisdn", HintPhone}, {"phone2", HintPhone},
		// ssn
		{"ssn", HintSSN}, {"social_security_number", HintSSN | HintGeneric}, {"SocialSecurityNumber", HintSSN | HintGeneric},
		{"numero_securite_sociale", HintSSN | HintGeneric}, {"numéro_sécurité_sociale", HintSSN | HintGeneric},
		{"seguridad_social", HintSSN}, {"sozialversicherungsnummer", HintSSN}, {"security_group", 0},
		// card
		{"card_number", HintCard | HintGeneric}, {"kreditkarte", HintCard}, {"Kreditkartennummer", HintCard},
		{"numero_carte", HintCard | HintGeneric}, {"numero_tarjeta", HintCard | HintGeneric}, {"ccNumber", HintCard | HintGeneric},
		{"pan", HintCard},
		// iban
		{"iban", HintIBAN}, {"bank_account", HintIBAN}, {"Kontonummer", HintIBAN},
		// ip
		{"ip", HintIP}, {"client_ip", HintIP}, {"remote_addr", HintIP}, {"peerAddress", HintIP}, {"IPAddress", HintIP},
		{"x-forwarded-for", HintIP},
		// birth
		{"dob", HintBirth}, {"birthdate", HintBirth}, {"date_of_birth", HintBirth}, {"birthDate", HintBirth},
		{"geburtsdatum", HintBirth}, {"Geburtstag", HintBirth}, {"date_naissance", HintBirth},
		{"dateDeNaissance", HintBirth}, {"fecha_nacimiento", HintBirth}, {"fechaDeNacimiento", HintBirth},
		// names: a person's, not a file's or a host's
		{"name", HintName}, {"first_name", HintName}, {"lastName", HintName}, {"full-name", HintName},
		{"given_name", HintName}, {"family_name", HintName}, {"vorname", HintName}, {"Nachname", HintName},
		{"nom", HintName}, {"prenom", HintName}, {"prénom", HintName}, {"nombre", HintName}, {"apellido", HintName},
		{"display_name", HintName}, {"patient_name", HintName},
		{"file_name", 0}, {"fileName", 0}, {"filename", 0}, {"hostname", 0}, {"hostName", 0}, {"host_name", 0},
		{"username", 0}, {"user_name", 0}, {"product_name", 0}, {"company_name", 0}, {"nom_fichier", 0},
		{"nombre_archivo", 0}, {"app_name", 0},
		// addresses: a street's, not an email's or a host's
		{"address", HintAddress}, {"address_line1", HintAddress}, {"addr1", HintAddress}, {"street", HintAddress},
		{"strasse", HintAddress}, {"Straße", HintAddress}, {"adresse", HintAddress}, {"rue", HintAddress},
		{"calle", HintAddress}, {"direccion", HintAddress}, {"dirección", HintAddress}, {"shippingAddress", HintAddress},
		{"email_address", 0}, {"emailAddress", 0}, {"mac_address", 0}, {"server_addr", HintIP},
		// identifiers, quantities, versions
		{"id", HintIdentifier}, {"ids", HintIdentifier}, {"order_id", HintIdentifier}, {"orderId", HintIdentifier},
		{"userID", HintIdentifier}, {"OrderID", HintIdentifier}, {"uuid", HintIdentifier}, {"seq", HintIdentifier},
		{"orders", HintIdentifier}, {"orderNumber", HintIdentifier | HintGeneric}, {"ref", HintIdentifier},
		{"sku", HintIdentifier}, {"nonce", HintIdentifier}, {"tracking_number", HintIdentifier | HintGeneric},
		{"count", HintQuantity}, {"amount", HintQuantity}, {"total", HintQuantity}, {"qty", HintQuantity},
		{"price", HintQuantity}, {"size", HintQuantity}, {"created_at", HintQuantity}, {"updatedAt", HintQuantity},
		{"timestamp", HintQuantity}, {"duration_ms", HintQuantity}, {"epoch", HintQuantity}, {"retryCount", HintQuantity},
		{"anzahl", HintQuantity}, {"montant", HintQuantity}, {"cantidad", HintQuantity},
		{"version", HintVersion}, {"client_version", HintVersion}, {"appVersion", HintVersion}, {"ver", HintVersion},
		{"release", HintVersion}, {"build", HintVersion}, {"revision", HintVersion}, {"versión", HintVersion},
		// generic and unknown
		{"value", HintGeneric}, {"data", HintGeneric}, {"", 0}, {"role", 0}, {"message", 0},
		{"\xc3", 0}, {"\xc3\x28", 0}, {"a\xc3\x89b", 0},
	} {
		if got := KeyHint([]byte(c.key)); got != c.want {
			t.Errorf("KeyHint(%q) = %b, want %b", c.key, got, c.want)
		}
	}
}

func TestKeyHintAllocs(t *testing.T) {
	keys := [][]byte{[]byte("numero_de_telefono"), []byte("Téléphone"), []byte("hostName"), []byte("averyveryverylongmembernamethatislongerthanthebuffer")}
	if n := testing.AllocsPerRun(100, func() {
		for _, k := range keys {
			KeyHint(k)
		}
	}); n != 0 {
		t.Errorf("KeyHint allocates %v times", n)
	}
}

func FuzzKeyHint(f *testing.F) {
	for _, s := range []string{"phone", "Téléphone", "order_id", "IPAddress", "\xc3", "x\xc3\x9f", "file_name"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		h := KeyHint([]byte(key))
		if h >= HintGeneric<<1 {
			t.Fatalf("KeyHint(%q) = %b: unknown bits", key, h)
		}
	})
}
