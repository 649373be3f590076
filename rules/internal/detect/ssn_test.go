package detect

import "testing"

func TestSSN(t *testing.T) {
	runCases(t, []detectCase{
		{"ssn 123-45-6789.", []string{"us_ssn=123-45-6789"}},
		{"id 123 45 6789", []string{"us_ssn=123 45 6789"}},
		{"SSN: 123456789", []string{"us_ssn=123456789"}},
		{"my social security number is 078051121", []string{"us_ssn=078051121"}},
		{"665-01-0001 and 667-01-0001", []string{"us_ssn=665-01-0001", "us_ssn=667-01-0001"}},
		// negatives
		{"000-12-3456 666-12-3456 900-12-3456 999-12-3456", nil},
		{"123-00-4567 123-45-0000", nil},
		{"ticket 123456789", nil}, // bare digits need a keyword
		{"123-456-789", nil},
		{"ref 123-45-6789-0", nil},
		{"SKU-123-45-6789", nil},
	})
}
