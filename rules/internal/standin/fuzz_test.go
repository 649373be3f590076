package standin

import (
	"bytes"
	"encoding/json"
	"github.com/veilproxy/veil/rules/internal/luhn"
	"net/netip"
	"testing"
	"unicode/utf8"
)

// generalizers are every kind with its default and a non-default option.
var generalizers = [...]struct{ kind, option string }{
	{"date", "year"}, {"date", "month"}, {"ip", ""}, {"ip", "16/32"}, {"postal", ""}, {"postal", "5"},
	{"number", ""}, {"number", "1000"}, {"age", ""}, {"age", "5"}, {"email", ""},
}

func FuzzGeneralize(f *testing.F) {
	for _, s := range []string{
		"1990-05-17", "1990-05-17T10:11:12.5+02:00", "19900517T1011", "17.05.1990", "05/17/1990",
		"203.0.113.57", "2001:db8:85a3:8d3:1319:8a2e:370:7348", "::ffff:1.2.3.4", "fe80::1%eth0", "1::",
		"SW1A 1AA", "94103-1234", "37.9", "-3", "1e3", "1e400", "NaN", "150", "ann@Example.COM", "١٢٣",
	} {
		for i := range generalizers {
			f.Add(uint8(i), s)
		}
	}
	var gens [len(generalizers)]*Generalizer
	for i, c := range generalizers {
		g, err := NewGeneralizer(c.kind, c.option)
		if err != nil {
			f.Fatal(err)
		}
		gens[i] = g
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		i := int(which) % len(gens)
		dst := []byte("prefix")
		out, number, ok := gens[i].Append(dst, []byte(value))
		if !ok {
			if string(out) != "prefix" || number {
				t.Fatalf("%v %q refused but wrote %q (number %v)", generalizers[i], value, out, number)
			}
			return
		}
		got := out[len("prefix"):]
		if len(got) == 0 || !utf8.Valid(got) {
			t.Fatalf("%v %q = %q: empty or invalid UTF-8", generalizers[i], value, got)
		}
		if number != (generalizers[i].kind == "number") {
			t.Fatalf("%v %q: number = %v", generalizers[i], value, number)
		}
		if number {
			var n json.Number
			if err := json.Unmarshal(got, &n); err != nil {
				t.Fatalf("%v %q = %q: not a JSON number", generalizers[i], value, got)
			}
		}
	})
}

// FuzzParseIP checks the allocation-free IP parser against net/netip.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{
		"203.0.113.57", "0.0.0.0", "01.2.3.4", "1.2.3", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
		"::1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "fffff::", "1:::2", ":1::", "1::2::3", "g::", "1.2.3.4:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIP([]byte(s))
		want, err := netip.ParseAddr(s)
		if err == nil && want.Zone() != "" {
			return // zones are cut off before parseIP
		}
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("parseIP(%q) = %v, %v; netip: %v, %v", s, got, ok, want, err)
		}
	})
}

func FuzzSynthetic(f *testing.F) {
	for _, s := range []string{
		"Ann Lee", "ANN", "ann@example.com", "(415) 867-5309", "+44 20 7946 0018", "0044 7700 900123", "867-5309",
		"4111-1111-1111-1111", "3782 822463 10005", "742 Evergreen Terrace, Springfield", "", "\xff", "١٢٣",
	} {
		f.Add(uint8(0), []byte("0123456789abcdef"), s)
		f.Add(uint8(2), []byte{1, 2}, s)
		f.Add(uint8(3), bytes.Repeat([]byte{0xff}, 32), s)
	}
	f.Fuzz(func(t *testing.T, kind uint8, digest []byte, original string) {
		k := Kind(kind % 6) // 5: an undefined kind
		out := Synthetic([]byte("prefix"), k, digest, []byte(original))
		got := out[len("prefix"):]
		if len(got) == 0 || !utf8.Valid(got) {
			t.Fatalf("%v %q = %q: empty or invalid UTF-8", k, original, got)
		}
		if again := Synthetic(nil, k, bytes.Clone(digest), []byte(original)); !bytes.Equal(again, got) {
			t.Fatalf("%v %q: %q then %q", k, original, got, again)
		}
		if k == Card && !luhn.Valid(got) {
			t.Fatalf("card %q = %q: not Luhn-valid", original, got)
		}
		if k == Phone && !reservedPhone(string(bytes.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, got))) {
			t.Fatalf("phone %q = %q: not in a reserved range", original, got)
		}
		Guess([]byte(original))
	})
}
