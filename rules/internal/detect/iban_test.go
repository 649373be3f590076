package detect

import "testing"

func TestIBAN(t *testing.T) {
	runCases(t, []detectCase{
		{"DE89370400440532013000", []string{"iban=DE89370400440532013000"}},
		{"to DE89 3704 0044 0532 0130 00, thanks", []string{"iban=DE89 3704 0044 0532 0130 00"}},
		{"GB82 WEST 1234 5698 7654 32", []string{"iban=GB82 WEST 1234 5698 7654 32"}},
		{"FR1420041010050500013M02606", []string{"iban=FR1420041010050500013M02606"}},
		{"NO9386011117947.", []string{"iban=NO9386011117947"}},
		{"MT84MALT011000012345MTLCAST001S", []string{"iban=MT84MALT011000012345MTLCAST001S"}},
		{"iban de89370400440532013000", []string{"iban=de89370400440532013000"}},
		{"to de89 3704 0044 0532 0130 00", []string{"iban=de89 3704 0044 0532 0130 00"}},
		{"gb82 west 1234 5698 7654 32", []string{"iban=gb82 west 1234 5698 7654 32"}},
		// negatives
		{"DE89370400440532013001", nil},  // check digits
		{"DE8937040044053201300", nil},   // length
		{"DE893704004405320130000", nil}, // length
		{"XX89370400440532013000", nil},  // country
		{"xDE89370400440532013000", nil}, // glued
		{"NL04 OJDQ 0939 7577 02", nil},  // bad check: not a phone either
	})
}

func TestMod97Alnum(t *testing.T) {
	if !mod97Alnum([]byte("de89 3704 0044 0532 0130 00")) || mod97Alnum([]byte("DE00 3704")) {
		t.Error("mod97Alnum")
	}
}
