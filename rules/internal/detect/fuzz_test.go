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
		"4111111111111111\u200bthanks x4111111111111111y id123-45-6789 \u202e\U000E0041",
		"4111-1111 1111.1111 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 4111\t1111\n1111_1111",
		"123.45.6789 DE 89-3704.0044  0532 013000 ?tel=%2B1+415+555+2671 a%2540b.co %252520 %25",
		"born 23 July 1984, SSN 078-051121, llámame al 612 345 678, version 1.2.3.4, xoxo-gossip, 12:30:45:00:11:22",
		"4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881 5555 5555 5555 4444 1234",
		"::192.168.1.1 ::ffff:10.0.0.1/96 fe80::1%eth0. [fe80::1%25en0.1-]:80 ::1%",
		"Né le 1er janvier 1984 D.O.B. 07/23/84 tracking 0123 4567 8901 xoxe.xoxp-1-abc xoxa-2-1234567-Ab1cdefgh",
	} {
		f.Add([]byte(seed))
	}
	s, err := NewSet(Builtins(), map[string]Custom{"emp": {Regex: "EMP-[0-9]{6}"}, "lu": {Regex: `[0-9 ]{12,23}`, Validate: "luhn"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		m := &Meter{}
		spans := s.FindStringMetered(text, s.all, m, nil)
		// The work is linear: the built-ins' bound of TestWorstCaseSteps
		// with room, and 8 per state per byte for the custom detectors.
		if limit := 16 + len(text)*(512+8*(6+2)+8*(24+2)); m.Used > limit {
			t.Fatalf("%d steps for %d bytes", m.Used, len(text))
		}
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
		if det, ok := s.MatchNumber(text, 0); ok && (det < 0 || det >= len(s.names)) {
			t.Fatalf("MatchNumber detector %d", det)
		}
	})
}

// FuzzView checks the normalized view on any text, with invisible
// characters dropped and read as spaces: every normalized byte comes from a
// non-empty range of original bytes, ranges follow each other without
// overlap, a range never splits a UTF-8 sequence of valid text, and a range
// of more than one byte is a percent escape (possibly encoded again) or one
// character.
func FuzzView(f *testing.F) {
	for _, seed := range []string{
		"", "%", "%2", "%25", "%2540", "%252540", "%25%2540", "%2525", "%7F%80%ff", "a\u200bb", "４\u00ad-\u2009\U000E0041",
		"\xff\xfe%41\xc3", "alice%2540example%252Ecom 4111%25201111", "4111%E2%80%8B1111%C2%A0%EF%BC%94%25E2%2580%258B",
		"%E2%80", "%F0%9F%98%80%ED%A0%80%C0%80",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		var v view
		for _, invisible := range []byte{0, ' '} {
			v.build(text, invisible)
			if len(v.start) != len(v.norm) || len(v.end) != len(v.norm) {
				t.Fatalf("%d bytes, %d starts, %d ends", len(v.norm), len(v.start), len(v.end))
			}
			prev := 0
			for k := range v.norm {
				s, e := int(v.start[k]), int(v.end[k])
				if s < prev || e <= s || e > len(text) {
					t.Fatalf("byte %d from [%d, %d) after %d (len %d)", k, s, e, prev, len(text))
				}
				if s > prev && invisible != 0 {
					t.Fatalf("bytes %d..%d dropped with invisible %q", prev, s, invisible)
				}
				if k+1 < len(v.norm) && int(v.start[k+1]) == s {
					prev = s // one character read as several bytes
				} else {
					prev = e
				}
				if e-s > 1 && text[s] == '%' {
					b, n, inv := percentEscape(text, s)
					if inv {
						b = invisible
					}
					if n != e-s || b != v.norm[k] {
						t.Fatalf("escape %q read as %q", text[s:e], v.norm[k])
					}
				} else if e-s > 1 && !utf8.FullRune(text[s:e]) {
					t.Fatalf("range %q is not one character", text[s:e])
				}
			}
			if utf8.Valid(text) {
				for k := range v.norm {
					if !utf8.RuneStart(text[v.start[k]]) || int(v.end[k]) < len(text) && !utf8.RuneStart(text[v.end[k]]) {
						t.Fatalf("byte %d splits a UTF-8 sequence", k)
					}
				}
			}
		}
	})
}
