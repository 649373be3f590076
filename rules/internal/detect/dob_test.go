package detect

import (
	"slices"
	"strings"
	"testing"
)

func TestDateOfBirth(t *testing.T) {
	runCases(t, []detectCase{
		// context, four languages
		{"born on 1984-07-23 in Lyon", []string{"date_of_birth=1984-07-23"}},
		{"DOB: 07/23/1984", []string{"date_of_birth=07/23/1984"}},
		{"D.O.B. 23/07/1984", []string{"date_of_birth=23/07/1984"}},
		{"Date of birth: July 23, 1984.", []string{"date_of_birth=July 23, 1984"}},
		{"date of birth 23rd of July 1984", []string{"date_of_birth=23rd of July 1984"}},
		{"patient, born Jul. 23rd 1984, reports", []string{"date_of_birth=Jul. 23rd 1984"}},
		{"my birthday is 23 July 1984", []string{"date_of_birth=23 July 1984"}},
		{"Geburtsdatum: 23.07.1984", []string{"date_of_birth=23.07.1984"}},
		{"geboren am 23. Juli 1984 in Köln", []string{"date_of_birth=23. Juli 1984"}},
		{"geb. 3. März 1950", []string{"date_of_birth=3. März 1950"}},
		{"née le 1er janvier 1984 à Paris", []string{"date_of_birth=1er janvier 1984"}},
		{"Né le 23 juillet 1984", []string{"date_of_birth=23 juillet 1984"}},
		{"date de naissance : 23/07/1984", []string{"date_of_birth=23/07/1984"}},
		{"nacido el 23 de julio de 1984 en Madrid", []string{"date_of_birth=23 de julio de 1984"}},
		{"Fecha de nacimiento: 23/07/84", []string{"date_of_birth=23/07/84"}},
		{"NACIDA EL 5 DE AGOSTO DE 1990", []string{"date_of_birth=5 DE AGOSTO DE 1990"}},
		{"born 29.02.1984", []string{"date_of_birth=29.02.1984"}},
		// no birth evidence, or not a date
		{"shipped on 1984-07-23", nil},
		{"meeting July 23, 2024 at 10", nil},
		{"Rechnung vom 23.07.2024", nil},
		{"born in Paris and moved to Berlin on 23 July 1999", nil}, // the word is too far
		{"born 1984-07-23T10:22:00Z", nil},
		{"born 29.02.1985", nil},
		{"born 31/04/1984", nil},
		{"born 1850-01-01", nil},
		{"born 2999-01-01", nil},
		{"born 1984-13-01", nil},
		{"born 23 Julyish 1984", nil},
		{"née 1984", nil},
		{"ne le 23 juillet 1984", nil}, // "ne" is not "né"
		{"dob v1984-07-23", nil},
	})
}

func TestDateOfBirthKey(t *testing.T) {
	s, err := NewSet(Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, text string
		want      []string
		ev        Evidence
	}{
		{"dob", "1984-07-23", []string{"date_of_birth=1984-07-23"}, EvKey},
		{"geburtsdatum", " 23.07.1984 ", []string{"date_of_birth=23.07.1984"}, EvKey},
		{"date_naissance", "23 juillet 1984", []string{"date_of_birth=23 juillet 1984"}, EvKey},
		{"fechaNacimiento", "23 de julio de 1984", []string{"date_of_birth=23 de julio de 1984"}, EvKey},
		{"birthDate", "born July 23, 1984", []string{"date_of_birth=July 23, 1984"}, EvContext},
		{"dob", "1984-07-23 or 1985-01-01", nil, 0}, // not the whole value
		{"created_at", "1984-07-23", nil, 0},
		{"dob", "07/23/1984", []string{"date_of_birth=07/23/1984"}, EvKey},
	} {
		spans := s.FindStringAt([]byte(c.text), s.all, KeyHint([]byte(c.key)), nil, nil)
		got := describe(s, c.text, spans)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q: got %q, want %q", c.key, c.text, got, c.want)
			continue
		}
		if len(spans) == 1 && spans[0].Evidence != c.ev {
			t.Errorf("%s: %q: evidence %v, want %v", c.key, c.text, spans[0].Evidence, c.ev)
		}
	}
}

// FuzzDatesOfBirth runs the date finder on any text under a birth member
// name and after a birth word: spans are in bounds, sorted, and each holds
// a year of birth.
func FuzzDatesOfBirth(f *testing.F) {
	for _, s := range []string{"1984-07-23", "born 23.07.1984", "DOB: July 23, 1984", "né le 1er janvier 1984",
		"nacido el 23 de julio de 1984", "23. Juli 1984", "1.2.3.4", "29.02.1900", "Jul. 1 1984", "31/12/99",
		"born 1984-07-23T10", "July 23rd, 1984 July 23rd, 1984", "\xc3\xa9 12 mai 1984"} {
		f.Add(s)
	}
	s, err := NewSet([]string{"date_of_birth"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, in := range []string{text, "born " + text} {
			m := &Meter{}
			spans := s.FindStringAt([]byte(in), s.all, HintBirth, m, nil)
			if m.Used > 16+len(in)*512 {
				t.Fatalf("%d steps for %d bytes", m.Used, len(in))
			}
			for k, sp := range spans {
				if sp.Start < 0 || sp.End > len(in) || sp.Start >= sp.End || k > 0 && sp.Start < spans[k-1].End {
					t.Fatalf("%q: bad span %v", in, sp)
				}
				if sp.Evidence&(EvKey|EvContext) == 0 {
					t.Fatalf("%q: span %v without evidence", in, sp)
				}
				d := in[sp.Start:sp.End]
				if !strings.ContainsAny(d, "0123456789") {
					t.Fatalf("%q: date %q without digits", in, d)
				}
			}
		}
	})
}
