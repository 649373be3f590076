package detect

import "testing"

// The spellings an attacker (or a form encoder) gives a value to slip it
// past the detectors: each class has several variants that must be found,
// and decoys spelled the same way that must not.

func TestSpellingInvisibleBeforeWord(t *testing.T) {
	runCases(t, []detectCase{
		{"card 4111111111111111\u200bthanks", []string{"credit_card=4111111111111111"}},
		{"card 4111 1111 1111 1111\u2060ok", []string{"credit_card=4111 1111 1111 1111"}},
		{"ssn 123-45-6789\u00adplease", []string{"us_ssn=123-45-6789"}},
		{"ssn\ufeff123-45-6789", []string{"us_ssn=123-45-6789"}},
		{"iban DE89370400440532013000\u200bthanks", []string{"iban=DE89370400440532013000"}},
		{"iban DE89 3704 0044 0532 0130 00\u2060x", []string{"iban=DE89 3704 0044 0532 0130 00"}},
		{"call +1 415 555 2671\u200bnow", []string{"phone=+1 415 555 2671"}},
		{"call (415) 555-2671\u00adext", []string{"phone=(415) 555-2671"}},
		{"mail alice@example.com\u200bthanks", []string{"email=alice@example.com\u200bthanks"}},
		{"ip 10.1.2.3\u200bhost", []string{"ipv4=10.1.2.3"}},
		{"word\u200b4111111111111111\u200bword", []string{"credit_card=4111111111111111"}},
		{"bidi 4111111111111111\u202eok and tag 123-45-6789\U000E0041x", []string{"credit_card=4111111111111111", "us_ssn=123-45-6789"}},
		// the same with a decoy: still nothing
		{"order 4111111111111112\u200bthanks", nil},
		{"ssn 666-45-6789\u200bplease 900-12-3456\u2060x", nil},
		{"iban DE89370400440532013001\u200bthanks", nil},
		{"v1.2.3.4\u200bbuild 2024-03-15\u200bT10:22:33", nil},
	})
}

func TestSpellingGlued(t *testing.T) {
	runCases(t, []detectCase{
		{"x4111111111111111y", []string{"credit_card=4111111111111111"}},
		{"card4111111111111111", []string{"credit_card=4111111111111111"}},
		{"ref:VISA4111-1111-1111-1111exp", []string{"credit_card=4111-1111-1111-1111"}},
		{"pan5555555555554444end", []string{"credit_card=5555555555554444"}},
		{"id123-45-6789", []string{"us_ssn=123-45-6789"}},
		{"ssn123 45 6789ok", []string{"us_ssn=123 45 6789"}},
		{"no078-05-1120x", []string{"us_ssn=078-05-1120"}},
		// decoys: checksum or structure fails, glued by '-' or '_', hex words
		{"x4111111111111112y", nil},
		{"id666-45-6789 id000-12-3456 id900-12-3456", nil},
		{"SKU-4111111111111111 ORD_4111111111111111", nil},
		{"sha 3f2a4111111111111111aabbccddeeff00112233", nil},
		{"ITEM123456789 build20240315 v1.2.3.4", nil},
	})
}

func TestSpellingCardSeparators(t *testing.T) {
	runCases(t, []detectCase{
		{"card 4111-1111 1111.1111", []string{"credit_card=4111-1111 1111.1111"}},
		{"card 4111  1111  1111  1111 ok", []string{"credit_card=4111  1111  1111  1111"}},
		{"card 4111      1111 \t \t 1111\n\n\n\n1111", []string{"credit_card=4111      1111 \t \t 1111\n\n\n\n1111"}},
		{"card 4111 - 1111 - 1111 - 1111", []string{"credit_card=4111 - 1111 - 1111 - 1111"}},
		{"card 4111/1111/1111/1111", []string{"credit_card=4111/1111/1111/1111"}},
		{"card 4111_1111_1111_1111", []string{"credit_card=4111_1111_1111_1111"}},
		{"card=4111+1111+1111+1111&exp=12", []string{"credit_card=4111+1111+1111+1111"}},
		{"card\t4111\t1111\t1111\t1111", []string{"credit_card=4111\t1111\t1111\t1111"}},
		{"card\n4111\n1111\n1111\n1111\n", []string{"credit_card=4111\n1111\n1111\n1111"}},
		{"card 4111\r\n1111\r\n1111\r\n1111", []string{"credit_card=4111\r\n1111\r\n1111\r\n1111"}},
		{"card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ok", []string{"credit_card=4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"}},
		{"amex 3782-822463 10005", []string{"credit_card=3782-822463 10005"}},
		{"card 4111%201111%2B1111%091111", []string{"credit_card=4111%201111%2B1111%091111"}},
		{"card 4111%25201111%25201111%25201111", []string{"credit_card=4111%25201111%25201111%25201111"}},
		{"card 4111\u20091111\u30001111\u20141111", []string{"credit_card=4111\u20091111\u30001111\u20141111"}},
		// decoys
		{"order 4111-1111 1111.1112", nil},
		{"order 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2", nil},
		{"tracking 9400_1000_0000_0000_0000_00", nil},
		{"price 4111.11 and 1111.1111", nil},
		{"at 2024-03-15 10:22:33.123456", nil},
		{"uuid 41111111-1111-1111-1111-111111111111", nil},
	})
}

func TestSpellingSSNSeparators(t *testing.T) {
	runCases(t, []detectCase{
		{"ssn 123.45.6789", []string{"us_ssn=123.45.6789"}},
		{"ssn 123/45/6789", []string{"us_ssn=123/45/6789"}},
		{"ssn 123-45 6789", []string{"us_ssn=123-45 6789"}},
		{"ssn 123.45-6789", []string{"us_ssn=123.45-6789"}},
		{"ssn 123 - 45 - 6789", []string{"us_ssn=123 - 45 - 6789"}},
		{"ssn=123+45+6789&x", []string{"us_ssn=123+45+6789"}},
		{"ssn 123_45_6789", []string{"us_ssn=123_45_6789"}},
		{"ssn 123%2E45%2E6789", []string{"us_ssn=123%2E45%2E6789"}},
		{"ssn 123%252D45%252D6789", []string{"us_ssn=123%252D45%252D6789"}},
		// decoys: area 000, 666, 9xx; group 00; serial 0000; other layouts
		{"ssn 000.12.3456 666/12/3456 900-12 3456 999.12-3456", nil},
		{"cols 123\t45\t6789 rows 123\n45\n6789 wide 123    45    6789", nil},
		{"ssn 123.00.4567 123/45/0000", nil},
		{"version 123.456.7890 date 12/31/2024", nil},
		{"ip 123.45.67.89", []string{"ipv4=123.45.67.89"}},
	})
}

func TestSpellingIBANSeparators(t *testing.T) {
	runCases(t, []detectCase{
		{"iban DE89-3704-0044-0532-0130-00", []string{"iban=DE89-3704-0044-0532-0130-00"}},
		{"iban DE89.3704.0044.0532.0130.00", []string{"iban=DE89.3704.0044.0532.0130.00"}},
		{"iban DE89  3704 0044  0532 013000", []string{"iban=DE89  3704 0044  0532 013000"}},
		{"iban DE 89 370 400 440 532 013 000", []string{"iban=DE 89 370 400 440 532 013 000"}},
		{"iban de89-3704-0044-0532-0130-00", []string{"iban=de89-3704-0044-0532-0130-00"}},
		{"iban gb82 west 1234 5698 7654 32", []string{"iban=gb82 west 1234 5698 7654 32"}},
		{"iban=GB82+WEST+1234+5698+7654+32&x", []string{"iban=GB82+WEST+1234+5698+7654+32"}},
		{"iban FR14 2004 1010 0505 0001 3M02 606", []string{"iban=FR14 2004 1010 0505 0001 3M02 606"}},
		{"iban DE89%20%203704%200044%200532%200130%2000", []string{"iban=DE89%20%203704%200044%200532%200130%2000"}},
		// decoys: a wrong check digit in each spelling
		{"iban DE89-3704-0044-0532-0130-01", nil},
		{"iban de89.3704.0044.0532.0130.01", nil},
		{"iban DE 89 370 400 440 532 013 001", nil},
		{"iban GB82 WEST 1234 5698 7654 33", nil},
	})
}

func TestSpellingPhoneForm(t *testing.T) {
	runCases(t, []detectCase{
		{"?tel=+1+415+555+2671&x=1", []string{"phone=+1+415+555+2671"}},
		{"?tel=%2B1+415+555+2671", []string{"phone=%2B1+415+555+2671"}},
		{"?tel=%2B44+20+7946+0958&a", []string{"phone=%2B44+20+7946+0958"}},
		{"?tel=415+555+2671", []string{"phone=415+555+2671"}},
		{"?tel=%28415%29+555-2671", []string{"phone=%28415%29+555-2671"}},
		{"?tel=%252B1%2520415%2520555%25202671", []string{"phone=%252B1%2520415%2520555%25202671"}},
		{"?tel=020+7946+0958", []string{"phone=020+7946+0958"}},
		{"call 0049 1512 3456 7890", []string{"phone=0049 1512 3456 7890"}},
		// decoys
		{"?q=1+2+3+4&n=12+345+6789", nil},
		{"?ts=2024-03-15+10:22:33", nil},
		{"?tel=+1+115+555+2671", nil},
		{"order 4634+0121+9473+3586 or 4634 0121 9473 3586", nil},
		{"order 5113+0053+9864+8575 or 6011%25200036%25205751%25204711", nil},
	})
}

// TestSpellingDoublePercent covers percent escapes encoded twice or more,
// and the escapes of the UTF-8 bytes of runes that read as ASCII or as
// invisible.
func TestSpellingDoublePercent(t *testing.T) {
	runCases(t, []detectCase{
		{"?to=alice%2540example.com&x", []string{"email=alice%2540example.com"}},
		{"?to=alice%252540example.com", []string{"email=alice%252540example.com"}},
		{"?to=alice%2540example%252Ecom", []string{"email=alice%2540example%252Ecom"}},
		{"?n=4111%25204111%2520", nil},
		{"?card=4111%25201111%25201111%25201111", []string{"credit_card=4111%25201111%25201111%25201111"}},
		{"?ssn=123%252d45%252d6789", []string{"us_ssn=123%252d45%252d6789"}},
		{"?ip=10%252E0%252E0%252E1", []string{"ipv4=10%252E0%252E0%252E1"}},
		{"?card=4111%E2%80%8B1111%C2%A01111%E2%80%8B1111%E2%80%8Bthanks", []string{"credit_card=4111%E2%80%8B1111%C2%A01111%E2%80%8B1111"}},
		{"?card=%EF%BC%94111%25E2%2580%258B1111 1111 1111", []string{"credit_card=%EF%BC%94111%25E2%2580%258B1111 1111 1111"}},
		{"?to=alice%EF%BC%A0example.com", []string{"email=alice%EF%BC%A0example.com"}},
		{"?to=alice@exa%EF%BB%BFmple.com&from=bob", []string{"email=alice@exa%EF%BB%BFmple.com"}},
		// decoys: a literal percent, a failing card, a bad escape
		{"100%25 done, 4111%25201111%25201111%25201112", nil},
		{"rate %25zz %2 % %E2%80 %C3%A9%20", nil},
	})
}

// TestSpellingDecoys: numbers that are no values, written with the
// separators and encodings the spellings above accept, stay untouched.
func TestSpellingDecoys(t *testing.T) {
	runCases(t, []detectCase{
		{"?t=2024-03-15+10%3A22%3A33&tz=+01:00", nil},
		{"?t=2024-03-15T10%253A22%253A33Z&v=1.2.3%2Bbuild.45", nil},
		{"version 1.2.3+build.45 and v10.20.30+4", nil},
		{"population 10_000_000 and 1_234_567_890", nil},
		{"sum 1+2+3+4+5+6+7+8+9+10+11+12+13+14", nil},
		{"dates 2024/03/15 10:22:33 and 15/03/2024\t10:22", nil},
		{"rows 415\n555\n2671 and 123\t45\t6789", nil},
		{"epoch 1700000000+1700000001 ms 1700000000123", nil},
		{"ids 1234_5678_9012_3456_7890 and 9400+1000+0000+0000+0000+00", nil},
		{"digits 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0", nil},
		{"grid 0 0 0 0\n0 0 0 0\n0 0 0 0\n0 0 0 0", nil},
		{"is 1234 5678 9012 34 be 3056 9309 0259 05", nil},
		{"uuid 123e4567-e89b-12d3-a456-426614174000 sha 4111111111111111deadbeefdeadbeefdeadbeefdead", nil},
		{"price %2412.50+%2B+tax 0.07", nil},
	})
}
