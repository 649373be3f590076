package standin

import (
	"bytes"
	"crypto/sha256"
	"github.com/veilproxy/veil/rules/internal/luhn"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// digestOf returns a fixed test digest for seed.
func digestOf(seed string) []byte {
	d := sha256.Sum256([]byte(seed))
	return d[:]
}

func TestParseKind(t *testing.T) {
	for _, k := range []Kind{Name, Email, Phone, Card, Address} {
		got, ok := ParseKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	for _, s := range []string{"", "Name", "names", "zip", " name"} {
		if _, ok := ParseKind(s); ok {
			t.Errorf("ParseKind(%q) ok", s)
		}
	}
	if s := Kind(9).String(); s != "kind(9)" {
		t.Errorf("Kind(9) = %q", s)
	}
}

func TestGuess(t *testing.T) {
	for _, c := range []struct {
		value string
		want  Kind
	}{
		{"ann@example.com", Email}, {" Ann.Lee+x@mail.example.org ", Email}, {"ann@localhost", Name},
		{"ann@example.", Name}, {"@example.com", Name}, {"ann lee@example.com", Name},
		{"4111111111111111", Card}, {"4111-1111-1111-1111", Card}, {"4111 1111 1111 1111", Card},
		{"378282246310005", Card}, {"4000000000000002", Card}, {"4111111111111112", Name},
		{"41111111111111111111", Name},
		{"+1 (415) 867-5309", Phone}, {"(415) 867-5309", Phone}, {"415.867.5309", Phone},
		{"+44 20 7946 0018", Phone}, {"867-5309", Phone}, {"123456", Name}, {"1234567", Phone},
		{"+49 30 1234/5678", Phone}, {"1-2-3-4-5-6-7", Phone}, {"4+15 867 5309", Name},
		{"742 Evergreen Terrace", Address}, {"221B Baker Street, London", Address}, {"12 Rue de Rivoli", Address},
		{"12 345", Name}, {"12 ", Name}, {"1234567 Main St", Name}, {"123456 Main St", Address},
		{"Ann Lee", Name}, {"", Name}, {"   ", Name}, {"José Núñez", Name}, {"李小龙", Name},
		{"١٢٣٤٥٦٧٨", Name}, {"１２３４５６７８", Name},
	} {
		if got := Guess([]byte(c.value)); got != c.want {
			t.Errorf("Guess(%q) = %v, want %v", c.value, got, c.want)
		}
	}
}

func TestSyntheticName(t *testing.T) {
	firsts := map[string]bool{}
	for _, s := range firstNames {
		firsts[s] = true
		firsts[strings.ToUpper(s)] = true
	}
	lasts := map[string]bool{}
	for _, s := range lastNames {
		lasts[s] = true
		lasts[strings.ToUpper(s)] = true
	}
	for _, c := range []struct {
		original    string
		words       int
		upper, flat bool
	}{
		{"Ann Lee", 2, false, false}, {"Ann", 1, false, false}, {"  Ann  ", 1, false, false},
		{"Ann Marie Lee", 2, false, false}, {"ANN LEE", 2, true, false}, {"ANN", 1, true, false},
		{"A", 1, false, false}, {"O'BRIEN", 1, true, false}, {"JOSÉ NÚÑEZ", 2, true, false},
		{"", 2, false, false}, {"ann lee", 2, false, false}, {"Ann LEE", 2, false, false},
		{"\xff\xfe", 1, false, false}, {"李小龙", 1, false, false},
	} {
		for seed := range 50 {
			out := string(Synthetic(nil, Name, digestOf(c.original+string(rune(seed))), []byte(c.original)))
			words := strings.Split(out, " ")
			if len(words) != c.words || !firsts[words[0]] || len(words) == 2 && !lasts[words[1]] {
				t.Fatalf("name for %q = %q, want %d words from the lists", c.original, out, c.words)
			}
			if c.upper != (out == strings.ToUpper(out)) && strings.ToUpper(out) != strings.ToLower(out) {
				t.Fatalf("name for %q = %q, upper case want %v", c.original, out, c.upper)
			}
		}
	}
}

var emailPattern = regexp.MustCompile(`^[a-z-]+\.[a-z-]+[0-9]{2}@example\.(com|net|org)$`)

func TestSyntheticEmail(t *testing.T) {
	domains := map[string]int{}
	for i := range 3000 {
		out := string(Synthetic(nil, Email, digestOf(string(rune(i))), []byte("ann@example.com")))
		if !emailPattern.MatchString(out) {
			t.Fatalf("email %q", out)
		}
		domains[out[strings.IndexByte(out, '@')+1:]]++
	}
	for d, n := range domains {
		if n < 800 {
			t.Errorf("domain %s chosen %d times of 3000", d, n)
		}
	}
}

// reservedPhone reports whether the digits of a phone stand-in are in a
// fictional range (README.md).
func reservedPhone(digits string) bool {
	digits = strings.TrimPrefix(digits, "00")
	for _, p := range []string{"1", ""} {
		d := strings.TrimPrefix(digits, p)
		if len(d) == 10 && d[3:8] == "55501" || p == "" && len(d) == 7 && d[:5] == "55501" {
			return len(d) == 7 || len(digits) == 10 || len(digits) == 11 && digits[0] == '1'
		}
	}
	for _, p := range []string{"44", "0"} {
		if d, ok := strings.CutPrefix(digits, p); ok && len(d) == 10 && (d[:7] == "2079460" || d[:7] == "7700900") {
			return true
		}
	}
	return false
}

// shapeOf replaces the digits of s by 9.
func shapeOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '9'
		}
		return r
	}, s)
}

func TestSyntheticPhone(t *testing.T) {
	for _, c := range []struct{ original, shape string }{
		{"(415) 867-5309", "(999) 999-9999"}, {"415-867-5309", "999-999-9999"}, {"415.867.5309", "999.999.9999"},
		{"4158675309", "9999999999"}, {"+1 415 867 5309", "+9 999 999 9999"}, {"+14158675309", "+99999999999"},
		{"1-415-867-5309", "9-999-999-9999"}, {"867-5309", "999-9999"}, {" 867 5309 ", "999 9999"},
		{"+1 (415) 867-5309", "+9 (999) 999-9999"}, {"001 415 867 5309", "999 999 999 9999"},
		{"+44 20 7946 0018", "+99 99 9999 9999"}, {"+44 7700 900123", "+99 9999 999999"},
		{"+447700900123", "+999999999999"}, {"020 7946 0018", "999 9999 9999"}, {"07700 900123", "99999 999999"},
		{"0044 20 7946 0018", "9999 99 9999 9999"},
		{"+49 30 12345678", "+99 99 9999 9999"}, {"+33 1 23 45 67 89", "+99 99 9999 9999"},
		{"030 1234567", "999 9999 9999"}, {"+1 415 867 53", "+9 999 999 9999"}, {"12345", "+9 999 999 9999"},
		{"call 415-867-5309", "+9 999 999 9999"}, {"415-867-5309 ext 12", "+9 999 999 9999"},
		{"", "+9 999 999 9999"}, {"١٢٣٤٥٦٧٨٩٠", "+9 999 999 9999"}, {"+", "+99 99 9999 9999"},
		{"0176 12345678", "999 9999 9999"}, {"0712 345678", "99999 999999"}, {"+44 1632 960123", "+99 9999 999999"},
	} {
		for seed := range 30 {
			out := string(Synthetic(nil, Phone, digestOf(c.original+string(rune(seed))), []byte(c.original)))
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, out)
			if shapeOf(out) != c.shape || !reservedPhone(digits) {
				t.Fatalf("phone for %q = %q, want shape %q in a reserved range", c.original, out, c.shape)
			}
		}
	}
}

func TestSyntheticCard(t *testing.T) {
	for _, c := range []struct{ original, shape, prefix string }{
		{"4111111111111111", "9999999999999999", "400000"}, {"4111-1111-1111-1111", "9999-9999-9999-9999", "400000"},
		{"4111 1111 1111 1111", "9999 9999 9999 9999", "400000"}, {"4222222222222", "9999999999999", "400000"},
		{"3782 822463 10005", "9999 999999 99999", "378282"}, {"3056 930902 5904", "9999 999999 9999", "305693"},
		{"6011111111111117000", "9999999999999999999", "400000"}, {" 4111111111111111 ", "9999999999999999", "400000"},
		{"4111.1111.1111.1111", "9999999999999999", "400000"}, {"411111111111", "9999999999999999", "400000"},
		{"41111111111111111111", "9999999999999999", "400000"}, {"", "9999999999999999", "400000"},
		{"card 4111111111111111", "9999999999999999", "400000"}, {"４１１１１１１１１１１１１１１１", "9999999999999999", "400000"},
	} {
		seen := map[string]bool{}
		for seed := range 200 {
			out := string(Synthetic(nil, Card, digestOf(c.original+string(rune(seed))), []byte(c.original)))
			digits := strings.NewReplacer(" ", "", "-", "").Replace(out)
			if shapeOf(out) != c.shape || !strings.HasPrefix(digits, c.prefix) || !luhn.Valid([]byte(out)) {
				t.Fatalf("card for %q = %q, want shape %q, prefix %s, Luhn-valid", c.original, out, c.shape, c.prefix)
			}
			seen[out] = true
		}
		if len(seen) < 190 {
			t.Errorf("card for %q: %d distinct of 200", c.original, len(seen))
		}
	}
}

var addressPattern = regexp.MustCompile(`^[1-9][0-9]{0,3} [A-Z][a-z]+ [A-Z][a-z]+(, [A-Z][a-z]+( [A-Z][a-z]+)?)?$`)

func TestSyntheticAddress(t *testing.T) {
	for _, c := range []struct {
		original string
		city     bool
	}{
		{"742 Evergreen Terrace", false}, {"742 Evergreen Terrace, Springfield", true},
		{"221B Baker Street, London NW1 6XE, UK", true}, {"", false}, {"Hauptstraße 5", false},
	} {
		for seed := range 100 {
			out := string(Synthetic(nil, Address, digestOf(c.original+string(rune(seed))), []byte(c.original)))
			if !addressPattern.MatchString(out) || strings.Contains(out, ",") != c.city {
				t.Fatalf("address for %q = %q", c.original, out)
			}
		}
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	originals := []string{"Ann Lee", "ann@example.com", "(415) 867-5309", "4111-1111-1111-1111", "742 Evergreen Terrace, Springfield"}
	for k := Name; k <= Address; k++ {
		for _, o := range originals {
			d := digestOf(o)
			a := Synthetic(nil, k, d, []byte(o))
			b := Synthetic([]byte("x"), k, bytes.Clone(d), []byte(o))
			if string(a) != string(b[1:]) {
				t.Errorf("%v %q: %q then %q", k, o, a, b[1:])
			}
		}
	}
}

func TestSyntheticShortDigest(t *testing.T) {
	for k := Name; k <= Address+1; k++ {
		for _, d := range [][]byte{nil, {1}, make([]byte, 15)} {
			out := Synthetic(nil, k, d, []byte("4111 1111 1111 1111"))
			if len(out) == 0 || !utf8.Valid(out) {
				t.Errorf("%v with %d-byte digest: %q", k, len(d), out)
			}
		}
	}
}

func TestSyntheticSpread(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []Kind{Name, Email, Phone, Card, Address} {
		seen := map[string]bool{}
		const n = 10000
		d := make([]byte, 32)
		for range n {
			for i := range d {
				d[i] = byte(r.Uint32())
			}
			seen[string(Synthetic(nil, k, d, []byte("Ann Lee")))] = true
		}
		min := n * 9 / 10
		if k == Phone { // 16 area codes × 100 lines
			min = 1600 * 99 / 100
		}
		t.Logf("%v: %d distinct of %d", k, len(seen), n)
		if len(seen) < min {
			t.Errorf("%v: %d distinct of %d, want ≥ %d", k, len(seen), n, min)
		}
	}
}

func TestWordLists(t *testing.T) {
	for _, list := range [][]string{firstNames[:], lastNames[:], streetWords[:], streetSuffixes[:], cities[:]} {
		seen := map[string]bool{}
		for _, w := range list {
			if seen[w] || !utf8.ValidString(w) || w == "" {
				t.Errorf("word %q: duplicate, empty or invalid", w)
			}
			seen[w] = true
		}
	}
	for _, w := range append(firstNames[:], lastNames[:]...) {
		local := string(appendLocalPart(nil, w))
		letters := utf8.RuneCountInString(strings.ReplaceAll(w, "'", ""))
		if len(local) != letters || !regexp.MustCompile(`^[a-z]+(-[a-z]+)?$`).MatchString(local) {
			t.Errorf("name %q folds to %q for emails", w, local)
		}
	}
}

func TestSyntheticAllocs(t *testing.T) {
	d := digestOf("x")
	for k := Name; k <= Address; k++ {
		for _, o := range []string{"ANN LEE", "(415) 867-5309", "+44 20 7946 0018", "4111-1111-1111-1111", "1 Main St, Town", "x"} {
			dst := make([]byte, 0, 64)
			orig := []byte(o)
			if n := testing.AllocsPerRun(100, func() { Synthetic(dst, k, d, orig) }); n != 0 {
				t.Errorf("%v %q: %v allocs", k, o, n)
			}
			if n := testing.AllocsPerRun(100, func() { Guess(orig) }); n != 0 {
				t.Errorf("Guess %q: %v allocs", o, n)
			}
		}
	}
}
