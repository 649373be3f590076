package detect

import "testing"

func TestPhone(t *testing.T) {
	runCases(t, []detectCase{
		// international
		{"+1 415 555 2671", []string{"phone=+1 415 555 2671"}},
		{"call +1 (415) 555-2671.", []string{"phone=+1 (415) 555-2671"}},
		{"+14155552671", []string{"phone=+14155552671"}},
		{"+44 (0)20 7946 0958", []string{"phone=+44 (0)20 7946 0958"}},
		{"+44 7700 900123", []string{"phone=+44 7700 900123"}},
		{"+49 30 12345678", []string{"phone=+49 30 12345678"}},
		{"+33 6 12 34 56 78", []string{"phone=+33 6 12 34 56 78"}},
		{"+91-9876543210", []string{"phone=+91-9876543210"}},
		{"+55 11 91234-5678", []string{"phone=+55 11 91234-5678"}},
		{"+81 3-1234-5678", []string{"phone=+81 3-1234-5678"}},
		{"+61 412 345 678", []string{"phone=+61 412 345 678"}},
		{"tel:+353851234567", []string{"phone=+353851234567"}},
		{"+44\u00a020\u00a07946\u00a00958", []string{"phone=+44\u00a020\u00a07946\u00a00958"}},
		{"+39 06 6982 1234", []string{"phone=+39 06 6982 1234"}},
		{"+1 415 555 2671x123", []string{"phone=+1 415 555 2671"}},
		{"(415) 555-2671x12 or 415-555-2671 ext. 7", []string{"phone=(415) 555-2671", "phone=415-555-2671"}},
		// international after a call prefix instead of '+'
		{"call 0044 20 7946 0958 now", []string{"phone=0044 20 7946 0958"}},
		{"call 00 44 20 7946 0958", []string{"phone=00 44 20 7946 0958"}},
		{"0049 30 12345678 or 0033 1 42 68 53 00", []string{"phone=0049 30 12345678", "phone=0033 1 42 68 53 00"}},
		{"004930123456789", nil}, // a call prefix needs groups: zero-padded ids look the same
		{"order 0039393407", nil},
		{"tracking 9400 3070 0055 1828 8295 55", nil},
		{"from the US: 011 44 20 7946 0958", []string{"phone=011 44 20 7946 0958"}},
		{"0044 (0)20 7946 0958", []string{"phone=0044 (0)20 7946 0958"}},
		// national
		{"(415) 555-2671", []string{"phone=(415) 555-2671"}},
		{"415-555-2671 or 415.555.2671", []string{"phone=415-555-2671", "phone=415.555.2671"}},
		{"1-800-555-2671", []string{"phone=1-800-555-2671"}},
		{"UK 020 7946 0958, 07700 900123, 0161 496 0000", []string{"phone=020 7946 0958", "phone=07700 900123", "phone=0161 496 0000"}},
		{"Leeds 0113 496 0000", []string{"phone=0113 496 0000"}}, // "011" here is a UK area code
		{"DE 030 12345678 / 089/1234567", []string{"phone=030 12345678", "phone=089/1234567"}},
		{"FR 01 23 45 67 89 ou 06.12.34.56.78", []string{"phone=01 23 45 67 89", "phone=06.12.34.56.78"}},
		{"IN 98765 43210", []string{"phone=98765 43210"}},
		{"BR (11) 91234-5678 e 11 3123-4567", []string{"phone=(11) 91234-5678", "phone=11 3123-4567"}},
		{"BR (11) 91234-5678", []string{"phone=(11) 91234-5678"}},
		{"BR 21 99876-5432", []string{"phone=21 99876-5432"}},
		{"JP 03-1234-5678 090-1234-5678 0120-123-456", []string{"phone=03-1234-5678", "phone=090-1234-5678", "phone=0120-123-456"}},
		{"AU (02) 9876 5432 0412 345 678", []string{"phone=(02) 9876 5432", "phone=0412 345 678"}},
		{"fw ４１５-５５５-２６７１", []string{"phone=４１５-５５５-２６７１"}},
		// bare digits after a phone word
		{"call me at 4155552671", []string{"phone=4155552671"}},
		{"Mobile: 07700900123.", []string{"phone=07700900123"}},
		{"my cell is 9876543210", []string{"phone=9876543210"}},
		{"WhatsApp 447700900123", []string{"phone=447700900123"}},
		{"tel. 14155552671", []string{"phone=14155552671"}},
		{"telefon 03012345678", []string{"phone=03012345678"}},
		// negatives
		{"415-155-2671 (exchange) 115-555-2671 (area)", nil},
		{"order 4155552671", nil},
		{"order 4155552671, call us", nil},         // the word comes after
		{"telemetry id 4155552671", nil},           // not a phone word
		{"call ref 1155552671 or 0012345678", nil}, // no format fits
		{"text 1710498123456 (unix ms)", nil},      // not a valid number either
		{"2024-03-15 10:22:33", nil},
		{"price $1,234.56 or 12345.67", nil},
		{"version 10.15.7 build 1.2.3.4.5", nil},
		{"uuid 12345678-1234-4123-8123-123456789012", nil},
		{"+999 1234 5678", nil},
		{"+1 415 555", nil},
		{"SKU-415-555-2671", nil},
		{"01/02/2024 10", nil},
		{"ISBN 0-306-40615-2", nil},
		{"tracking 9400 0624 0927 2912 8976 95", nil},
		{"ref 0001 4155552671", nil}, // no calling code starts with 0
		{"00 99 1234 5678", nil},     // nor with 99
		{"id 000123456789", nil},
	})
}

func TestPhoneNumberLiteral(t *testing.T) {
	for d, want := range map[string]bool{
		"14155552671": true, "447700900123": true, "4930123456789": true, "11234567890": false,
		"4155552671": false, "1710498123456": false, "100234567": false,
	} {
		if got := phoneNumberLiteral([]byte(d)); got != want {
			t.Errorf("phoneNumberLiteral(%s) = %v, want %v", d, got, want)
		}
	}
}
