package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzKeyedActions applies every stand-in action to arbitrary bodies: the
// output is valid JSON whenever the input is, and revealing what encrypt
// made gives back the input.
func FuzzKeyedActions(f *testing.F) {
	for _, s := range []string{
		`{"email":"ann@example.com","card":"4111 1111 1111 1111","dob":"1990-05-17","name":"Ann Lee"}`,
		`{"note":"mail ann@example.com or bob@x.io","ids":[1,2,"x"],"card":4111111111111111}`,
		`{"m":"veil_a.AAAA veil_a.","n":{"email":["a@b.co",null,true]}}`,
		`["ann\u0040example.com","\ud800 x@y.zz"]`,
		`{"dob":"17.05.1990","ip":"2001:db8::1","age":"37","code":"Ab3Xy9Z"}`,
	} {
		f.Add(s)
	}
	stand := compileKeyed(f, keysA+`
json_in_strings: true
rules:
  - { id: h, select: { keys: [email, user] }, action: { hash: { key: a } } }
  - { id: f, select: { keys: [card] }, action: { fpe: { key: a, keep_last: 4 } } }
  - { id: c, select: { keys: [code] }, action: { fpe: { key: a, alphabet: alnum } } }
  - { id: g, select: { keys: [dob] }, action: { generalize: { date: month } } }
  - { id: i, select: { keys: [ip] }, action: { generalize: ip } }
  - { id: s, select: { keys: [name] }, action: { synthetic: { key: b } } }
  - { id: e, select: { detect: [email, phone] }, action: { encrypt: { key: a } } }
`, testEnv)
	trip := compileKeyed(f, keysA+`
rules:
  - { id: e, direction: request, select: { detect: [email] }, action: { encrypt: { key: a } } }
  - { id: r, direction: response, select: { paths: ["$"] }, action: reveal }
`, testEnv)
	f.Fuzz(func(t *testing.T, body string) {
		valid := json.Valid([]byte(body))
		for _, d := range []Direction{Request, Response} {
			out, _, err := stand.Apply([]byte(body), Input{Direction: d})
			if err == nil && !json.Valid(out) {
				t.Fatalf("%s >> invalid JSON %s", body, out)
			}
			if err != nil && valid && !strings.Contains(err.Error(), "deep") && !strings.Contains(err.Error(), "budget") {
				t.Fatalf("valid body refused: %v", err)
			}
		}
		enc, rep, err := trip.Apply([]byte(body), Input{Direction: Request})
		if err != nil || strings.Contains(body, "veil_") {
			return
		}
		for _, fd := range rep.Findings {
			for _, p := range fd.Paths {
				if strings.Contains(p, "<name>") {
					return // a member name was encrypted; reveal restores values only
				}
			}
		}
		dec, _, err := trip.Apply(enc, Input{Direction: Response})
		if err != nil {
			t.Fatalf("reveal failed on %s: %v", enc, err)
		}
		var a, b any
		if json.Unmarshal([]byte(body), &a) != nil || json.Unmarshal(dec, &b) != nil {
			return // encoding/json is stricter than the filter about some inputs
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the body:\n in  %s\n enc %s\n out %s", body, enc, dec)
		}
	})
}
