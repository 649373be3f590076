package standin

import "testing"

func BenchmarkGeneralize(b *testing.B) {
	for _, c := range []struct{ kind, value string }{
		{"date", "1990-05-17T10:11:12Z"}, {"date", "17/05/1990"}, {"ip", "203.0.113.57"},
		{"ip", "2001:db8:85a3:8d3:1319:8a2e:370:7348"}, {"postal", "SW1A 1AA"}, {"number", "37.9"},
		{"age", "37"}, {"email", "Ann.Lee@Mail.Example.com"},
	} {
		g, err := NewGeneralizer(c.kind, "")
		if err != nil {
			b.Fatal(err)
		}
		v := []byte(c.value)
		dst := make([]byte, 0, 64)
		b.Run(c.kind+"/"+c.value, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Append(dst, v)
			}
		})
	}
}

func BenchmarkSynthetic(b *testing.B) {
	digest := digestOf("bench")
	for _, c := range []struct {
		kind     Kind
		original string
	}{
		{Name, "Ann Lee"}, {Name, "ANN LEE"}, {Email, "ann@example.com"}, {Phone, "(415) 867-5309"},
		{Phone, "+49 30 12345678"}, {Card, "4111-1111-1111-1111"}, {Address, "742 Evergreen Terrace, Springfield"},
	} {
		o := []byte(c.original)
		dst := make([]byte, 0, 64)
		b.Run(c.kind.String()+"/"+c.original, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Synthetic(dst, c.kind, digest, o)
			}
		})
	}
}

func BenchmarkGuess(b *testing.B) {
	for _, v := range []string{"Ann Lee", "ann@example.com", "(415) 867-5309", "4111-1111-1111-1111", "742 Evergreen Terrace"} {
		o := []byte(v)
		b.Run(v, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Guess(o)
			}
		})
	}
}
