package standin

import (
	"strings"
	"testing"
)

// genCase is one generalization: want "" means ok=false.
type genCase struct {
	value, want string
}

// runGen checks cases against a Generalizer for kind and option.
func runGen(t *testing.T, kind, option string, wantNumber bool, cases []genCase) {
	t.Helper()
	g, err := NewGeneralizer(kind, option)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		dst := []byte("prefix:")
		out, number, ok := g.Append(dst, []byte(c.value))
		got := string(out[len("prefix:"):])
		if c.want == "" {
			if ok || string(out) != "prefix:" {
				t.Errorf("%s/%s %q = %q, %v; want refused", kind, option, c.value, got, ok)
			}
			continue
		}
		if !ok || got != c.want || number != wantNumber {
			t.Errorf("%s/%s %q = %q, number %v, ok %v; want %q, number %v", kind, option, c.value, got, number, ok, c.want, wantNumber)
		}
	}
}

// badInputs are refused by every kind.
var badInputs = []genCase{
	{"", ""}, {" ", ""}, {"\t \t", ""}, {"NaN", ""}, {"null", ""},
	{"١٢٣", ""}, {"١٩٩٠-٠٥-١٧", ""}, {"１９９０-０５-１７", ""}, {"１０１１５", ""},
	{"\xff\xfe", ""}, {strings.Repeat("1", 300), ""}, {strings.Repeat("a@b.c", 100), ""},
}

func TestGeneralizeDate(t *testing.T) {
	common := []genCase{
		{"1990-05-17", "1990"}, {" 1990-05-17 ", "1990"}, {"1990-05-17T10:11:12Z", "1990"},
		{"1990-05-17t10:11:12z", "1990"}, {"1990-05-17T10:11:12.123456+02:00", "1990"},
		{"1990-05-17T10:11:12,5-0530", "1990"}, {"1990-05-17T10:11+01", "1990"},
		{"1990-05-17 10:11", "1990"}, {"1990-05-17 10:11:12 +0100", "1990"},
		{"19900517", "1990"}, {"19900517T101112Z", "1990"}, {"19900517T1011", "1990"},
		{"1990/05/17", "1990"}, {"1990.05.17", "1990"}, {"2000-02-29", "2000"},
		{"17.05.1990", "1990"}, {"7.5.1990", "1990"}, {"17.05.1990 10:11", "1990"},
		{"17/05/1990", "1990"}, {"05/17/1990", "1990"}, {"05-17-1990", "1990"}, {"17-05-1990", "1990"},
		{"1990-02-30", ""}, {"1900-02-29", ""}, {"1990-13-01", ""}, {"1990-00-10", ""},
		{"1990-05-32", ""}, {"1990-05-00", ""}, {"1990-05-17T24:00", ""}, {"1990-05-17T10:60", ""},
		{"1990-05-17T10:11:61", ""}, {"1990-05-17T", ""}, {"1990-05-17 ", "1990"},
		{"1990-05-17X", ""}, {"1990-05-17T10:11:12+25:00", ""}, {"1990-05-17T10:11Z junk", ""},
		{"1990-5-17", ""}, {"1990-05/17", ""}, {"199005170", ""}, {"19901317", ""},
		{"05.17.1990", ""}, {"13/13/1990", ""}, {"1/2/90", ""}, {"17/05/1990/1", ""},
		{"May 17, 1990", ""}, {"1990-05-17 and 123-45-6789", ""}, {"-1990-05-17", ""}, {"0", ""}, {"17", ""}, {"17/", ""}, {"17/5", ""}, {"17/05/", ""}, {"123", ""},
		{"1990-05-17T10:11:12.", ""}, {"1990-05-17T10:11:12.1234567890", ""},
	}
	runGen(t, "date", "", false, append(append(common, badInputs...), genCase{"1990-05", "1990"}, genCase{"1990", "1990"}))
	runGen(t, "date", "year", false, common)
	runGen(t, "date", "month", false, append([]genCase{
		{"1990-05-17", "1990-05"}, {"1990-05-17T10:11:12Z", "1990-05"}, {"19900517", "1990-05"},
		{"1990/05/17", "1990-05"}, {"17.05.1990", "1990-05"}, {"1.2.1990", "1990-02"},
		{"17/05/1990", "1990-05"}, {"05/17/1990", "1990-05"}, {"05-17-1990", "1990-05"},
		{"05/05/1990", "1990-05"}, {"05/06/1990", ""}, {"12-11-1990", ""},
		{"1990-05", "1990-05"}, {"1990", ""}, {"1990-13", ""},
	}, badInputs...))
}

func TestGeneralizeIP(t *testing.T) {
	runGen(t, "ip", "", false, append([]genCase{
		{"203.0.113.57", "203.0.113.0"}, {" 203.0.113.57 ", "203.0.113.0"}, {"10.0.0.1", "10.0.0.0"},
		{"255.255.255.255", "255.255.255.0"}, {"0.0.0.0", "0.0.0.0"},
		{"2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"},
		{"2001:DB8:85A3:08D3:1319:8A2E:0370:7348", "2001:db8:85a3::"},
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::"}, {"::1", "::"},
		{"fe80::1%eth0", "fe80::"}, {"fe80::1%", ""}, {"::ffff:203.0.113.57", "::ffff:203.0.113.0"},
		{"203.0.113.057", ""}, {"203.0.113", ""}, {"203.0.113.256", ""}, {"203.0.113.57/24", ""},
		{"203.0.113.57:80", ""}, {"[2001:db8::1]", ""}, {"2001:db8::1::2", ""}, {"localhost", ""},
		{"0x7f.0.0.1", ""}, {"2130706433", ""}, {"203.0.113.57%eth0", ""},
	}, badInputs...))
	runGen(t, "ip", "16/32", false, []genCase{
		{"203.0.113.57", "203.0.0.0"}, {"2001:db8:85a3::1", "2001:db8::"}, {"::ffff:203.0.113.57", "::ffff:203.0.0.0"},
	})
	runGen(t, "ip", "32/128", false, []genCase{{"203.0.113.57", "203.0.113.57"}, {"2001:db8::1", "2001:db8::1"}})
	runGen(t, "ip", "0/0", false, []genCase{{"203.0.113.57", "0.0.0.0"}, {"2001:db8::1", "::"}})
}

func TestGeneralizePostal(t *testing.T) {
	runGen(t, "postal", "", false, append([]genCase{
		{"10115", "101"}, {"SW1A 1AA", "SW1"}, {"94103-1234", "941"}, {"1012 AB", "101"},
		{"K1A 0B1", "K1A"}, {"D02 X285", "D02"}, {"75008", "750"}, {" 75008 ", "750"},
		{"01000-000", "010"}, {"EC1A 1BB", "EC1"}, {"1234", "123"},
		{"101", ""}, {"10", ""}, {"ABCDE", ""}, {"SW1A  1AA", ""}, {"-10115", ""}, {"10115-", ""},
		{"10115 Berlin-Mitte", ""}, {"10115!", ""}, {"１０１１５", ""}, {"1011é", ""},
	}, badInputs...))
	runGen(t, "postal", "5", false, []genCase{{"SW1A 1AA", "SW1A 1"}, {"10115", ""}, {"94103-1234", "94103"}})
	runGen(t, "postal", "1", false, []genCase{{"10115", "1"}, {"SW1A 1AA", "S"}})
}

func TestGeneralizeNumber(t *testing.T) {
	runGen(t, "number", "", true, append([]genCase{
		{"37", "30"}, {"30", "30"}, {"39.999", "30"}, {"0", "0"}, {"-0", "0"}, {"-0.5", "-10"},
		{"-3", "-10"}, {"-10", "-10"}, {"-11", "-20"}, {"37.9", "30"}, {"1e3", "1000"},
		{"1E+3", "1000"}, {"1.5e1", "10"}, {"+42", "40"}, {" 42 ", "40"}, {"9007199254740992", "9007199254740990"},
		{"-9007199254740992", "-9007199254741000"}, {"9007199254740993", "9007199254740990"}, {"1e16", ""},
		{"1e400", ""}, {"-1e400", ""}, {"1e-400", "0"}, {"Infinity", ""}, {"0x10", ""}, {"010", ""},
		{"1_000", ""}, {"1,000", ""}, {".5", ""}, {"5.", ""}, {"1e", ""}, {"--1", ""}, {"+-1", ""},
	}, badInputs...))
	runGen(t, "number", "1000", true, []genCase{{"123456", "123000"}, {"-1", "-1000"}, {"999.99", "0"}})
	runGen(t, "number", "1", true, []genCase{{"37.9", "37"}, {"-37.9", "-38"}})
}

func TestGeneralizeAge(t *testing.T) {
	runGen(t, "age", "", false, append([]genCase{
		{"37", "30-39"}, {"5", "0-9"}, {"0", "0-9"}, {"37.5", "30-39"}, {"150", "150-159"},
		{"99", "90-99"}, {"100", "100-109"}, {"-1", ""}, {"-0.5", ""}, {"150.5", ""}, {"151", ""},
		{"1e2", "100-109"}, {"thirty", ""}, {"37 years", ""},
	}, badInputs...))
	runGen(t, "age", "5", false, []genCase{{"37", "35-39"}, {"35", "35-39"}, {"4", "0-4"}})
	runGen(t, "age", "1", false, []genCase{{"37", "37-37"}})
}

func TestGeneralizeEmail(t *testing.T) {
	runGen(t, "email", "", false, append([]genCase{
		{"ann@example.com", "example.com"}, {"Bob@Mail.Example.ORG", "mail.example.org"},
		{" ann@example.com ", "example.com"}, {"a+tag@sub.example.co.uk", "sub.example.co.uk"},
		{`"a@b"@example.com`, "example.com"}, {"ann@localhost", "localhost"},
		{"ann@bücher.example", "bücher.example"}, {"ann@xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"ann@", ""}, {"@example.com", ""}, {"example.com", ""}, {"ann @example.com", ""},
		{"Ann <ann@example.com>", ""}, {"ann@exa mple.com", ""}, {"ann@.example.com", ""},
		{"ann@example..com", ""}, {"ann@[192.0.2.1]", ""}, {"ann@example.com>", ""},
	}, badInputs...))
}

func TestNewGeneralizerErrors(t *testing.T) {
	for _, c := range []struct{ kind, option, want string }{
		{"zip", "", `unknown kind "zip": want "date", "ip", "postal", "number", "age" or "email"`},
		{"date", "day", `generalize date: option "day": want "year" (default) or "month"`},
		{"ip", "24", `generalize ip: option "24"`}, {"ip", "33/48", `option "33/48"`},
		{"ip", "24/129", `option "24/129"`}, {"ip", "-1/48", `option "-1/48"`}, {"ip", "24/48/1", `option "24/48/1"`},
		{"postal", "0", `generalize postal: option "0": want the characters kept, 1 to 10`},
		{"postal", "11", `option "11"`}, {"postal", "+3", `option "+3"`},
		{"number", "0", `generalize number: option "0": want the bucket width`}, {"number", "2.5", `option "2.5"`},
		{"number", "1000000000000001", `option "1000000000000001"`}, {"number", "-10", `option "-10"`},
		{"age", "151", `generalize age: option "151": want the bucket width, an integer 1 to 150`},
		{"email", "x", `generalize email: option "x": email takes no option`},
	} {
		g, err := NewGeneralizer(c.kind, c.option)
		if err == nil || g != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewGeneralizer(%q, %q) = %v, %v; want error containing %q", c.kind, c.option, g, err, c.want)
		}
		if err != nil && (strings.HasSuffix(err.Error(), ".") || err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:]) {
			t.Errorf("error %q: want lower case without final period", err)
		}
	}
}

func TestGeneralizeAllocs(t *testing.T) {
	for _, c := range []struct{ kind, value string }{
		{"date", "1990-05-17T10:11:12Z"}, {"ip", "2001:db8:85a3:8d3:1319:8a2e:370:7348"}, {"ip", "fe80::1%eth0"},
		{"ip", "203.0.113.57"}, {"postal", "SW1A 1AA"}, {"number", "37.9"}, {"age", "37"}, {"email", "ann@example.com"},
	} {
		g, _ := NewGeneralizer(c.kind, "")
		dst := make([]byte, 0, 64)
		v := []byte(c.value)
		if n := testing.AllocsPerRun(100, func() { g.Append(dst, v) }); n != 0 {
			t.Errorf("%s %q: %v allocs, want 0", c.kind, c.value, n)
		}
	}
}
