package detect

import (
	"testing"
	"unicode/utf8"
)

func FuzzFindString(f *testing.F) {
	for _, seed := range []string{
		"", "@", "a@b.co", "alice@example.com 4111 1111 1111 1111 (415) 555-2671",
		"+44 (0)20 7946 0958", "DE89 3704 0044 0532 0130 00", "ssn 123-45-6789 SSN 123456789",
		"10.0.0.1 2001:db8::1 00:1A:2B:3C:4D:5E 001a.2b3c.4d5e", "4111\u200b1111 1111 1111 ４１１１",
		"AKIAIOSFODNN7EXAMPLE ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa sk_live_aaaaaaaaaaaaaaaa xoxb-1234567890-abc",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
		"\xff\xfe@\xc3", "((((1)))) ---- .... ++++1", "EMP-123456 ＥＭＰ-６５４３２１",
	} {
		f.Add([]byte(seed))
	}
	s, err := NewSet(Builtins(), map[string]Custom{"emp": {Regex: "EMP-[0-9]{6}"}, "lu": {Regex: `[0-9 ]{12,23}`, Validate: "luhn"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		spans := s.FindString(text, nil)
		valid := utf8.Valid(text)
		for i, sp := range spans {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("span %v out of bounds (len %d)", sp, len(text))
			}
			if sp.Detector < 0 || sp.Detector >= len(s.names) {
				t.Fatalf("span %v: bad detector", sp)
			}
			if i > 0 && sp.Start < spans[i-1].End {
				t.Fatalf("spans %v and %v overlap or are unsorted", spans[i-1], sp)
			}
			if valid && (!utf8.RuneStart(text[sp.Start]) || (sp.End < len(text) && !utf8.RuneStart(text[sp.End]))) {
				t.Fatalf("span %v splits a UTF-8 sequence", sp)
			}
		}
		if det, ok := s.MatchNumber(text); ok && (det < 0 || det >= len(s.names)) {
			t.Fatalf("MatchNumber detector %d", det)
		}
	})
}
