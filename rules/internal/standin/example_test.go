package standin_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/veilproxy/veil/rules/internal/standin"
)

func ExampleGeneralizer_Append() {
	for _, c := range []struct{ kind, option, value string }{
		{"date", "", "1990-05-17T10:11:12Z"}, {"date", "month", "17/05/1990"}, {"date", "month", "05/06/1990"},
		{"ip", "", "203.0.113.57"}, {"ip", "", "2001:db8:85a3:8d3:1319:8a2e:370:7348"}, {"ip", "16/32", "203.0.113.57"},
		{"postal", "", "SW1A 1AA"}, {"postal", "", "94103-1234"}, {"number", "", "-3"}, {"number", "", "1e3"},
		{"age", "", "37"}, {"email", "", "Ann@Example.COM"},
	} {
		g, err := standin.NewGeneralizer(c.kind, c.option)
		if err != nil {
			panic(err)
		}
		out, number, ok := g.Append(nil, []byte(c.value))
		fmt.Printf("%s %s %q → %q number=%v ok=%v\n", c.kind, c.option, c.value, out, number, ok)
	}
	// Output:
	// date  "1990-05-17T10:11:12Z" → "1990" number=false ok=true
	// date month "17/05/1990" → "1990-05" number=false ok=true
	// date month "05/06/1990" → "" number=false ok=false
	// ip  "203.0.113.57" → "203.0.113.0" number=false ok=true
	// ip  "2001:db8:85a3:8d3:1319:8a2e:370:7348" → "2001:db8:85a3::" number=false ok=true
	// ip 16/32 "203.0.113.57" → "203.0.0.0" number=false ok=true
	// postal  "SW1A 1AA" → "SW1" number=false ok=true
	// postal  "94103-1234" → "941" number=false ok=true
	// number  "-3" → "-10" number=true ok=true
	// number  "1e3" → "1000" number=true ok=true
	// age  "37" → "30-39" number=false ok=true
	// email  "Ann@Example.COM" → "example.com" number=false ok=true
}

func ExampleSynthetic() {
	digest := sha256.Sum256([]byte("HMAC-SHA256(key, value)"))
	for _, c := range []struct {
		kind     standin.Kind
		original string
	}{
		{standin.Name, "Ann Lee"}, {standin.Name, "Ann"}, {standin.Name, "ANN LEE"},
		{standin.Email, "ann.lee@corp.example"},
		{standin.Phone, "(415) 867-5309"}, {standin.Phone, "+1 415 867 5309"}, {standin.Phone, "867-5309"},
		{standin.Phone, "+44 20 7946 0018"}, {standin.Phone, "07700 900123"}, {standin.Phone, "+49 30 12345678"},
		{standin.Card, "4111-1111-1111-1111"}, {standin.Card, "3782 822463 10005"},
		{standin.Address, "12 Main St"}, {standin.Address, "221B Baker Street, London"},
	} {
		fmt.Printf("%s %q → %q\n", c.kind, c.original, standin.Synthetic(nil, c.kind, digest[:], []byte(c.original)))
	}
	// Output:
	// name "Ann Lee" → "Ricardo Schulz"
	// name "Ann" → "Ricardo"
	// name "ANN LEE" → "RICARDO SCHULZ"
	// email "ann.lee@corp.example" → "ricardo.schulz29@example.net"
	// phone "(415) 867-5309" → "(202) 555-0136"
	// phone "+1 415 867 5309" → "+1 202 555 0136"
	// phone "867-5309" → "555-0136"
	// phone "+44 20 7946 0018" → "+44 20 7946 0136"
	// phone "07700 900123" → "07700 900136"
	// phone "+49 30 12345678" → "+44 20 7946 0136"
	// card "4111-1111-1111-1111" → "4000-0083-2236-5243"
	// card "3782 822463 10005" → "3782 823223 65246"
	// address "12 Main St" → "9227 Windmill Boulevard"
	// address "221B Baker Street, London" → "9227 Windmill Boulevard, Northwick"
}
