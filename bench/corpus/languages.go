package corpus

import "fmt"

// The words of the free-text messages (freetext.go), per language: names,
// streets, cues and the sentences around them. The names are hand-picked
// common names of each language, chosen for this corpus and not taken from
// the detectors' lists, so that the quality test measures the lists rather
// than repeating them; none of them is one of the given-name decoys
// (givenNameWords).

// cue is a sentence around one value: format holds one %s, the value (or
// the phrase holding it); label names the cue in the tables of misses.
type cue struct{ label, format string }

// language holds what a message in one language is made of.
type language struct {
	code         string
	male, female []string // given names
	surnames     []string
	// nameCues introduce a full name; titled mention a person by title and
	// surname or full name (the title is in the format); greetings open a
	// message with a full name; signoffs end one with a name.
	nameCues, titled, greetings, signoffs []cue
	// streets writes a street address from the generator's draws.
	streets func(g *gen) string
	// addrCues hold an address, dobCues a date of birth, callCues a
	// national phone number, plainDates a date that is not a birth date.
	addrCues, dobCues, callCues, plainDates []cue
	// dob writes a date of birth, date a recent date, from year, month
	// (1–12) and day.
	dob, date func(g *gen, y, m, d int) string
	// versions, times and parcels hold a decoy: a four-part version, a
	// time stamp with colons, a grouped parcel number.
	versions, times, parcels []cue
	// givenWords are sentences with a given-name decoy word that is no
	// person's name here: {word, sentence}.
	givenWords [][2]string
	// fillers are sentences with nothing to find.
	fillers []string
	// subjects open a support ticket.
	subjects []string
}

var english = language{
	code: "en",
	male: []string{"James", "Robert", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Daniel",
		"Matthew", "Anthony", "Steven", "Paul", "Andrew", "Kevin", "Brian", "George", "Edward", "Ronald"},
	female: []string{"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
		"Karen", "Nancy", "Lisa", "Betty", "Ashley", "Emily", "Donna", "Michelle", "Laura", "Rebecca", "Megan", "Amanda"},
	surnames: []string{"Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
		"Moore", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Hall",
		"Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell",
		"Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris"},
	nameCues: []cue{
		{"my name is", "My name is %s and I need help with my account."},
		{"this is", "Hi, this is %s from the billing team."},
		{"I'm", "I'm %s, I placed the order last week."},
		{"contact", "Please contact %s for details."},
		{"contact", "Contact: %s"},
		{"patient", "Patient %s was seen today for a follow-up visit."},
		{"patient", "Pt. %s reports mild pain in the left knee."},
		{"spoke with", "I spoke with %s on the phone yesterday."},
		{"cc", "Adding %s to this thread."},
	},
	titled: []cue{
		{"Dear Mr.", "Dear Mr. %s,"}, {"Dear Ms.", "Dear Ms. %s,"}, {"Dear Mrs.", "Dear Mrs. %s,"},
		{"Dear Dr.", "Dear Dr. %s,"}, {"Dr.", "Referred by Dr. %s."}, {"Mr.", "Mr. %s called about the refund."},
	},
	greetings: []cue{{"Dear", "Dear %s,"}, {"Hi", "Hi %s,"}, {"Hello", "Hello %s,"}},
	signoffs: []cue{
		{"Regards,", "Regards,\n%s"}, {"Best regards,", "Best regards,\n%s"}, {"Thanks,", "Thanks,\n%s"},
		{"Sincerely,", "Sincerely,\n%s"}, {"Cheers,", "Cheers,\n%s"},
	},
	streets: func(g *gen) string {
		if g.r.IntN(8) == 0 {
			return pick(g.r, "PO Box ", "P.O. Box ", "Post Office Box ") + g.nsn(2+g.r.IntN(3)) + pick(g.r, "", ", "+pick(g.r, usCities...))
		}
		s := g.nsn(1+g.r.IntN(4)) + " " + pick(g.r, "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lincoln",
			"Park", "Lake", "Hill", "Sunset", "Church", "Highland", "Mill", "Spring", "Walnut", "Chestnut", "River", "Forest",
			"North Main", "West Oak", "South Park") +
			" " + pick(g.r, "Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Rd.", "Lane", "Ln",
			"Boulevard", "Blvd", "Drive", "Dr", "Court", "Ct", "Way", "Place", "Terrace")
		switch g.r.IntN(4) {
		case 0:
			s += pick(g.r, " Apt ", " Apt. ", ", Apt ", " Suite ", ", Unit ", " #") + g.nsn(1+g.r.IntN(3)) + pick(g.r, "", "B", "C")
		case 1:
			return s
		}
		return s + ", " + pick(g.r, usCities...)
	},
	addrCues: []cue{
		{"ship to", "Please ship it to %s."}, {"address is", "My new address is %s."}, {"live at", "I live at %s."},
		{"Address:", "Address: %s"}, {"moved to", "We moved to %s last month."}, {"send to", "Send the invoice to %s, thanks."},
		{"patient lives", "The patient lives at %s with her daughter."},
	},
	dobCues: []cue{
		{"born on", "I was born on %s."}, {"DOB:", "DOB: %s"}, {"Date of birth:", "Date of birth: %s"},
		{"born", "Patient born %s, no known allergies."}, {"D.O.B.", "D.O.B. %s"}, {"birth date", "My birth date is %s."},
		{"date of birth is", "His date of birth is %s, please update the record."},
	},
	dob: func(g *gen, y, m, d int) string {
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprintf("%s %d, %d", enMonths[m-1], d, y)
		case 1:
			return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		case 2:
			return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
		}
		return fmt.Sprintf("%d %s %d", d, enMonths[m-1][:3], y)
	},
	date: func(g *gen, y, m, d int) string {
		return pick(g.r, fmt.Sprintf("%04d-%02d-%02d", y, m, d), fmt.Sprintf("%02d.%02d.%04d", d, m, y), fmt.Sprintf("%s %d, %d", enMonths[m-1], d, y))
	},
	callCues: []cue{
		{"call me at", "Call me at %s after five."}, {"call me on", "You can call me on %s."}, {"call me:", "call me: %s"},
	},
	plainDates: []cue{
		{"due", "The invoice is due %s."}, {"meeting on", "Reminder: meeting on %s at 10am."},
		{"shipped on", "It shipped on %s."}, {"expires", "Your trial expires %s."},
	},
	versions: []cue{
		{"release", "Please install release %s before Friday."}, {"v", "The crash is fixed in v%s."},
		{"Version", "Version %s is now live."}, {"build", "Running build %s on the test device."},
		{"version", "I'm on version %s of the app."},
	},
	times: []cue{
		{"timecode", "The glitch is at timecode %s in the recording."}, {"elapsed", "Elapsed: %s"},
		{"at", "Frame dropped at %s."},
	},
	parcels: []cue{
		{"parcel", "My parcel %s has not arrived."}, {"tracking", "Tracking number: %s"},
		{"parcel number", "The parcel number is %s."},
	},
	givenWords: [][2]string{
		{"Amazon", "I ordered the charger from Amazon last week."},
		{"Amazon", "Thanks for shopping with Amazon."},
		{"Paris", "We are flying to Paris on Tuesday."},
		{"May", "The sale ends in May."},
		{"May", "See you in May!"},
		{"Jordan", "The Jordan 4 sneakers are out of stock."},
		{"Jordan", "We shipped it to Amman, Jordan."},
		{"Apple", "Is the Apple Watch covered by the warranty?"},
		{"Georgia", "Georgia peaches are in season."},
		{"Georgia", "Our warehouse is in Atlanta, Georgia."},
		{"Chase", "My Chase debit was declined at checkout."},
		{"Austin", "Our Austin office closes at 5."},
		{"Florence", "The tour of Florence starts at nine."},
		{"Victoria", "Pick-up is at London Victoria station."},
	},
	fillers: []string{
		"The package arrived yesterday but the box was damaged.",
		"I tried logging in three times and it failed each time.",
		"Could you check what went wrong?",
		"Thanks for your patience.",
		"The error appears right after the login screen.",
		"Blood pressure normal, follow-up in two weeks.",
		"Let me know if there's anything else I can do for you.",
	},
	subjects: []string{"Subject: Damaged delivery", "Subject: Cannot log in", "Subject: Refund request", "Subject: Update my details"},
}

var german = language{
	code: "de",
	male: []string{"Thomas", "Michael", "Andreas", "Stefan", "Markus", "Christian", "Frank", "Jürgen", "Klaus", "Uwe",
		"Lukas", "Jonas", "Felix", "Maximilian", "Tobias", "Dieter"},
	female: []string{"Sabine", "Petra", "Monika", "Claudia", "Susanne", "Andrea", "Birgit", "Katrin", "Julia",
		"Leonie", "Hannah", "Katharina", "Anja", "Stefanie"},
	surnames: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
		"Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
		"Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Huber"},
	nameCues: []cue{
		{"mein Name ist", "Guten Tag, mein Name ist %s."}, {"hier ist", "Hallo, hier ist %s vom Kundenservice."},
		{"ich bin", "Ich bin %s und habe eine Frage zu meiner Rechnung."}, {"wenden Sie sich an", "Bitte wenden Sie sich an %s."},
		{"Ansprechpartner:", "Ansprechpartner: %s"}, {"Patient", "Patient %s wurde heute untersucht."},
		{"Patientin", "Patientin %s klagt über Kopfschmerzen."},
	},
	titled: []cue{
		{"Sehr geehrte Frau", "Sehr geehrte Frau %s,"}, {"Sehr geehrter Herr", "Sehr geehrter Herr %s,"},
		{"Frau", "Frau %s hat gestern angerufen."}, {"Herr", "Herr %s wartet auf Rückruf."},
		{"Dr.", "Überweisung durch Dr. %s."},
	},
	greetings: []cue{{"Hallo", "Hallo %s,"}, {"Guten Tag", "Guten Tag %s,"}},
	signoffs: []cue{
		{"Mit freundlichen Grüßen", "Mit freundlichen Grüßen\n%s"}, {"Viele Grüße,", "Viele Grüße,\n%s"},
		{"Beste Grüße", "Beste Grüße\n%s"}, {"Gruß,", "Gruß,\n%s"},
	},
	streets: func(g *gen) string {
		if g.r.IntN(8) == 0 {
			return "Postfach " + g.nsn(3+g.r.IntN(3)) + ", " + pick(g.r, deCities...)
		}
		var s string
		if g.r.IntN(4) == 0 {
			s = pick(g.r, "Berliner Straße", "Kölner Str.", "Am Markt", "Alte Gasse", "Unter den Linden")
		} else {
			s = pick(g.r, "Haupt", "Bahnhof", "Goethe", "Schiller", "Garten", "Schul", "Linden", "Berg", "Kirch", "Wald", "Mozart", "Feld") +
				pick(g.r, "straße", "straße", "str.", "weg", "allee", "platz", "gasse")
		}
		s += " " + g.nsn(1+g.r.IntN(3)) + pick(g.r, "", "", "", "a", "b")
		if g.r.IntN(3) == 0 {
			return s
		}
		return s + ", " + pick(g.r, deCities...)
	},
	addrCues: []cue{
		{"schicken an", "Bitte schicken Sie es an %s."}, {"Adresse ist", "Meine neue Adresse ist %s."},
		{"wohne in", "Ich wohne in der %s."}, {"Lieferadresse:", "Lieferadresse: %s"}, {"Anschrift:", "Anschrift: %s"},
	},
	dobCues: []cue{
		{"geboren am", "Geboren am %s in Köln."}, {"geboren am", "Patientin, geboren am %s, keine Allergien."},
		{"Geburtsdatum:", "Geburtsdatum: %s"}, {"geb.", "Herr K., geb. %s, kommt zur Kontrolle."},
		{"Geburtstag", "Mein Geburtsdatum ist der %s."},
	},
	dob: func(g *gen, y, m, d int) string {
		if g.r.IntN(4) == 0 {
			return fmt.Sprintf("%d. %s %d", d, deMonths[m-1], y)
		}
		return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
	},
	date: func(g *gen, y, m, d int) string {
		return pick(g.r, fmt.Sprintf("%02d.%02d.%04d", d, m, y), fmt.Sprintf("%d. %s %d", d, deMonths[m-1], y))
	},
	callCues: []cue{
		{"ruf mich an", "Ruf mich an unter %s."}, {"rufen Sie mich an", "Rufen Sie mich bitte unter %s an."},
		{"ruf mich an", "ruf mich an: %s"},
	},
	plainDates: []cue{
		{"fällig am", "Die Rechnung ist fällig am %s."}, {"Termin am", "Termin am %s um 10 Uhr."},
		{"vom", "Ihre Bestellung vom %s ist unterwegs."},
	},
	versions: []cue{
		{"Version", "Version %s ist installiert."}, {"auf Version", "Bitte auf Version %s aktualisieren."},
		{"Release", "Das Release %s behebt den Fehler."}, {"Build", "Build %s läuft auf dem Testgerät."},
	},
	times: []cue{
		{"Zeitstempel", "Zeitstempel %s im Mitschnitt."}, {"bei", "Der Fehler tritt bei %s auf."},
	},
	parcels: []cue{
		{"Sendungsnummer", "Sendungsnummer: %s"}, {"Paket", "Mein Paket %s ist nicht angekommen."},
		{"Sendungsnummer", "Die Sendungsnummer lautet %s."},
	},
	givenWords: [][2]string{
		{"Amazon", "Ich habe es bei Amazon bestellt."},
		{"Paris", "Wir fliegen am Dienstag nach Paris."},
		{"Apple", "Ist die Apple Watch noch in der Garantie?"},
		{"Jordan", "Die Jordan 4 sind ausverkauft."},
		{"Austin", "Unser Büro in Austin ist heute geschlossen."},
		{"Georgia", "Die Lieferung geht nach Tiflis, Georgia."},
		{"Victoria", "Abholung am Bahnhof London Victoria."},
	},
	fillers: []string{
		"Das Paket kam gestern an, aber der Karton war beschädigt.",
		"Ich habe mich dreimal angemeldet und es hat nicht geklappt.",
		"Vielen Dank für Ihre Geduld.",
		"Blutdruck normal, Kontrolle in zwei Wochen.",
		"Können Sie das bitte prüfen?",
	},
	subjects: []string{"Betreff: Beschädigte Lieferung", "Betreff: Anmeldung nicht möglich", "Betreff: Erstattung"},
}

var french = language{
	code: "fr",
	male: []string{"Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Julien", "Sébastien", "Christophe",
		"Mathieu", "Guillaume", "Antoine", "Thierry", "Olivier"},
	female: []string{"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Céline", "Camille", "Manon",
		"Chloé", "Élodie", "Hélène", "Aurélie", "Émilie", "Valérie", "Brigitte"},
	surnames: []string{"Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefebvre", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
		"Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "Fontaine", "Rousseau", "Blanchard", "Chevalier"},
	nameCues: []cue{
		{"je m'appelle", "Bonjour, je m'appelle %s."}, {"ici", "Ici %s du service client."},
		{"je suis", "Je suis %s et j'ai une question sur ma facture."}, {"contacter", "Merci de contacter %s."},
		{"Contact :", "Contact : %s"}, {"patient", "Le patient %s a été vu ce matin."},
		{"patiente", "Patiente : %s, suivi post-opératoire."},
	},
	titled: []cue{
		{"Madame", "Madame %s,"}, {"Monsieur", "Monsieur %s,"}, {"Mme", "Mme %s a appelé hier."},
		{"M.", "M. %s attend un rappel."}, {"Dr", "Adressé par le Dr %s."},
	},
	greetings: []cue{{"Bonjour", "Bonjour %s,"}},
	signoffs: []cue{
		{"Cordialement,", "Cordialement,\n%s"}, {"Bien à vous,", "Bien à vous,\n%s"}, {"Merci,", "Merci,\n%s"},
	},
	streets: func(g *gen) string {
		if g.r.IntN(8) == 0 {
			return pick(g.r, "BP ", "Boîte postale ") + g.nsn(2+g.r.IntN(3)) + ", " + pick(g.r, frCities...)
		}
		s := g.nsn(1+g.r.IntN(3)) + pick(g.r, "", "", "", " bis", " ter") + " " +
			pick(g.r, "rue", "rue", "avenue", "boulevard", "place", "chemin", "allée", "impasse", "quai") + " " +
			pick(g.r, "de la Paix", "Victor Hugo", "des Lilas", "du Moulin", "de la République", "Saint-Michel",
				"des Écoles", "Pasteur", "Jean Jaurès", "de la Gare")
		if g.r.IntN(3) == 0 {
			return s
		}
		return s + ", " + pick(g.r, frCities...)
	},
	addrCues: []cue{
		{"envoyer à", "Merci d'envoyer le colis à l'adresse %s."}, {"adresse", "Ma nouvelle adresse : %s."},
		{"j'habite au", "J'habite au %s."}, {"Adresse :", "Adresse : %s"},
	},
	dobCues: []cue{
		{"né le", "Je suis né le %s."}, {"née le", "Patiente née le %s, sans antécédents."},
		{"date de naissance", "Date de naissance : %s"}, {"date de naissance", "Ma date de naissance est le %s."},
	},
	dob: func(g *gen, y, m, d int) string {
		if g.r.IntN(2) == 0 {
			return fmt.Sprintf("%d %s %d", d, frMonths[m-1], y)
		}
		return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
	},
	date: func(g *gen, y, m, d int) string {
		return pick(g.r, fmt.Sprintf("%02d/%02d/%04d", d, m, y), fmt.Sprintf("%d %s %d", d, frMonths[m-1], y))
	},
	callCues: []cue{
		{"appelez-moi", "Appelez-moi au %s."}, {"rappelez-moi", "Rappelez-moi au %s, merci."},
	},
	plainDates: []cue{
		{"échéance", "Échéance de la facture : %s."}, {"réunion le", "Réunion le %s à 10 h."},
		{"commande du", "Votre commande du %s est en route."},
	},
	versions: []cue{
		{"version", "La version %s est installée."}, {"mise à jour", "Faites la mise à jour vers la version %s."},
		{"build", "Le build %s tourne sur l'appareil de test."},
	},
	times: []cue{
		{"horodatage", "Horodatage %s dans l'enregistrement."}, {"à", "L'erreur survient à %s."},
	},
	parcels: []cue{
		{"colis", "Mon colis %s n'est pas arrivé."}, {"numéro de colis", "Numéro de colis : %s"},
	},
	givenWords: [][2]string{
		{"Amazon", "Je l'ai commandé sur Amazon."},
		{"Paris", "Nous partons à Paris mardi."},
		{"Apple", "L'Apple Watch est-elle encore sous garantie ?"},
		{"Victoria", "Rendez-vous à la gare de London Victoria."},
		{"Austin", "Notre bureau d'Austin est fermé aujourd'hui."},
	},
	fillers: []string{
		"Le colis est arrivé hier mais le carton était abîmé.",
		"J'ai essayé de me connecter trois fois sans succès.",
		"Merci de votre patience.",
		"Tension normale, contrôle dans deux semaines.",
		"Pouvez-vous vérifier, s'il vous plaît ?",
	},
	subjects: []string{"Objet : Livraison endommagée", "Objet : Connexion impossible", "Objet : Remboursement"},
}

var spanish = language{
	code: "es",
	male: []string{"José", "Antonio", "Manuel", "Francisco", "Juan", "Javier", "Carlos", "Miguel", "Alejandro",
		"Rafael", "Pablo", "Sergio", "Fernando", "Alberto", "Jorge"},
	female: []string{"María", "Carmen", "Ana", "Isabel", "Laura", "Cristina", "Marta", "Lucía", "Elena", "Pilar",
		"Paula", "Raquel", "Beatriz", "Sofía", "Teresa"},
	surnames: []string{"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
		"Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
		"Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina"},
	nameCues: []cue{
		{"me llamo", "Hola, me llamo %s."}, {"soy", "Soy %s, del equipo de soporte."},
		{"mi nombre es", "Mi nombre es %s y tengo un problema con mi pedido."}, {"contacte con", "Contacte con %s, por favor."},
		{"Contacto:", "Contacto: %s"}, {"paciente", "El paciente %s acude a consulta."},
		{"Paciente:", "Paciente: %s, control postoperatorio."},
	},
	titled: []cue{
		{"Estimado Sr.", "Estimado Sr. %s:"}, {"Estimada Sra.", "Estimada Sra. %s:"}, {"Sra.", "La Sra. %s llamó ayer."},
		{"Sr.", "El Sr. %s espera una llamada."}, {"Dr.", "Derivado por el Dr. %s."},
	},
	greetings: []cue{{"Hola", "Hola %s,"}, {"Buenos días", "Buenos días, %s:"}},
	signoffs: []cue{
		{"Saludos,", "Saludos,\n%s"}, {"Un saludo,", "Un saludo,\n%s"}, {"Atentamente,", "Atentamente,\n%s"},
	},
	streets: func(g *gen) string {
		if g.r.IntN(8) == 0 {
			return "Apartado de correos " + g.nsn(2+g.r.IntN(3)) + ", " + pick(g.r, esCities...)
		}
		s := pick(g.r, "Calle", "Calle", "C/", "Avenida", "Avda.", "Plaza", "Paseo", "Camino", "Ronda") + " " +
			pick(g.r, "Mayor", "de Alcalá", "Real", "de la Constitución", "de Gracia", "del Sol", "de Colón", "San Juan", "de Goya", "Nueva") +
			" " + g.nsn(1+g.r.IntN(3))
		if g.r.IntN(3) == 0 {
			s += ", " + pick(g.r, "3º B", "2º izq.", "bajo", "1º A")
		}
		if g.r.IntN(3) == 0 {
			return s
		}
		return s + ", " + pick(g.r, esCities...)
	},
	addrCues: []cue{
		{"envíelo a", "Envíelo a %s, por favor."}, {"dirección es", "Mi nueva dirección es %s."},
		{"vivo en", "Vivo en %s."}, {"Dirección:", "Dirección: %s"},
	},
	dobCues: []cue{
		{"fecha de nacimiento", "Fecha de nacimiento: %s"}, {"nacido el", "Nacido el %s, sin alergias conocidas."},
		{"nacida el", "Paciente nacida el %s."}, {"nací el", "Nací el %s."},
	},
	dob: func(g *gen, y, m, d int) string {
		if g.r.IntN(3) == 0 {
			return fmt.Sprintf("%d de %s de %d", d, esMonths[m-1], y)
		}
		return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
	},
	date: func(g *gen, y, m, d int) string {
		return pick(g.r, fmt.Sprintf("%02d/%02d/%04d", d, m, y), fmt.Sprintf("%d de %s de %d", d, esMonths[m-1], y))
	},
	callCues: []cue{
		{"llámame", "Llámame al %s."}, {"llámeme", "Llámeme al %s, gracias."},
	},
	plainDates: []cue{
		{"vence el", "La factura vence el %s."}, {"reunión el", "Reunión el %s a las 10."},
		{"pedido del", "Su pedido del %s está en camino."},
	},
	versions: []cue{
		{"versión", "La versión %s ya está instalada."}, {"Versión", "Versión %s publicada."},
		{"build", "El build %s corre en el dispositivo de prueba."},
	},
	times: []cue{
		{"marca de tiempo", "Marca de tiempo %s en la grabación."}, {"a las", "El fallo ocurre a las %s."},
	},
	parcels: []cue{
		{"paquete", "Mi paquete %s no ha llegado."}, {"número de paquete", "Número de paquete: %s"},
	},
	givenWords: [][2]string{
		{"Amazon", "Lo compré en Amazon."},
		{"Apple", "¿El Apple Watch sigue en garantía?"},
		{"Jordan", "Las Jordan 4 están agotadas."},
		{"Austin", "Nuestra oficina de Austin cierra a las cinco."},
		{"Georgia", "El envío va a Tiflis, Georgia."},
	},
	fillers: []string{
		"El paquete llegó ayer pero la caja estaba dañada.",
		"Intenté entrar tres veces y no funcionó.",
		"Gracias por su paciencia.",
		"Tensión normal, control en dos semanas.",
		"¿Pueden revisarlo, por favor?",
	},
	subjects: []string{"Asunto: Envío dañado", "Asunto: No puedo entrar", "Asunto: Reembolso"},
}

var languages = []*language{&english, &german, &french, &spanish}

// gendered are the cues (language/label) that call for a man's ('m') or a
// woman's ('f') name.
var gendered = map[string]byte{
	"en/Dear Mr.": 'm', "en/Mr.": 'm', "en/Dear Ms.": 'f', "en/Dear Mrs.": 'f',
	"de/Sehr geehrter Herr": 'm', "de/Herr": 'm', "de/Patient": 'm',
	"de/Sehr geehrte Frau": 'f', "de/Frau": 'f', "de/Patientin": 'f',
	"fr/Monsieur": 'm', "fr/M.": 'm', "fr/patient": 'm', "fr/Madame": 'f', "fr/Mme": 'f', "fr/patiente": 'f',
	"es/Estimado Sr.": 'm', "es/Sr.": 'm', "es/paciente": 'm', "es/Estimada Sra.": 'f', "es/Sra.": 'f',
}

var (
	usCities = []string{"Springfield, IL 62704", "Portland, OR 97205", "Columbus, OH 43215", "Denver, CO 80202",
		"Madison, WI 53703", "Raleigh, NC 27601", "Boston, MA 02108", "Tucson, AZ 85701"}
	deCities = []string{"10115 Berlin", "80331 München", "20095 Hamburg", "50667 Köln", "60311 Frankfurt am Main",
		"70173 Stuttgart", "04109 Leipzig", "01067 Dresden"}
	frCities = []string{"75002 Paris", "69002 Lyon", "13001 Marseille", "31000 Toulouse", "33000 Bordeaux",
		"44000 Nantes", "67000 Strasbourg", "59000 Lille"}
	esCities = []string{"28013 Madrid", "08008 Barcelona", "41001 Sevilla", "46002 Valencia", "29001 Málaga",
		"48001 Bilbao", "50001 Zaragoza"}

	enMonths = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	deMonths = []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	esMonths = []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
)
