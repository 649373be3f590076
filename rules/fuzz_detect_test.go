package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/veilproxy/veil/bench/corpus"
)

// fuzzDetectRules uses every built-in detector (through the packs), a custom
// detector, within scopes by path and by key, a keep exception, whole-value
// rules beside detector rules, and json_in_strings. Replacements are labels
// no detector finds.
const fuzzDetectRules = `
include: [pii-basic, secrets]
json_in_strings: true
detectors:
  employee_id: { regex: "EMP-[0-9]{6}" }
  account: { regex: "ACC[0-9]{10}", validate: luhn }
rules:
  - {id: public, select: {paths: ["$.public"]}, action: keep}
  - {id: keep-ip, select: {detect: [ipv4], within: ["$.server"]}, action: keep}
  - {id: name, select: {keys: [name]}, action: {redact: {with: "[name]"}}}
  - {id: staff, select: {detect: [employee_id, account], within: [notes, "$.items[*]"]}, action: {redact: {with: "[staff]"}}}
  - {id: pii-basic-card, select: {detect: [credit_card]}, action: {redact: {with: "[card]"}}}
  - {id: pii-basic-iban, select: {detect: [iban]}, action: {redact: {with: "[iban]"}}}
  - {id: phones, select: {detect: [phone, mac_address]}, mode: shadow, action: redact}
`

// FuzzApplyDetect checks detector rule sets: no panic; Apply accepts exactly
// valid JSON; valid JSON out, every string that held a complete JSON
// document still holds one, and no value a key or path rule covers survives
// (the reference of FuzzApplyNested); report shape; shadow mode finds the same and
// changes nothing; a second pass over the output succeeds.
func FuzzApplyDetect(f *testing.F) {
	fuzzSeeds(f, "testdata/apply/*/in.json")
	c := corpus.Generate(7, 25)
	for _, d := range c.Docs {
		f.Add(d)
	}
	for _, sc := range corpus.SpellingCases {
		f.Add([]byte(sc.Body))
	}
	for _, s := range []string{
		`{"a":"4111\u200b1111 1111 1111","b":"alice\u0040example.com","c":"４１１１ １１１１ １１１１ １１１１"}`,
		`{"card":4111111111111111,"n":[5555555555554444,-1,1e5],"public":"bob@example.com"}`,
		`{"payload":"{\"user\":{\"email\":\"x@example.com\",\"name\":\"Ann\"},\"l\":[\"[1,2]\",\"{\\\"email\\\":\\\"y@example.org\\\"}\"]}"}`,
		`{"server":{"ip":"10.0.0.1"},"client":"10.0.0.2","notes":["EMP-123456","ACC0000000018"]}`,
		`["{", "[1,", " {\"a\":1} ", "\t[]", "{\"x\":\"\\ud83d\\ude00 a@b.co\"}"]`,
		`"call +44 20 7946 0958 or mail z@example.co.uk"`,
		`{"args":"\u007b\"card\": 4111111111111111, \"n\": [5555555555554444]}","b":"\ufeff\"{\\\"name\\\":1}\""}`,
	} {
		f.Add([]byte(s))
	}
	p := mustCompile(f, fuzzDetectRules)
	// a set-level shadow finds what the set would with every rule enforcing
	enforceAll := mustCompile(f, strings.Replace(fuzzDetectRules, "mode: shadow, ", "", 1))
	spec := decodeSpec(f, fuzzDetectRules)
	shadow := mustCompile(f, "mode: shadow\n"+fuzzDetectRules)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, rep, err := p.Apply(in, Input{Direction: Request})
		valid := json.Valid(in)
		switch {
		case err != nil:
			if out != nil || !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("unexpected error %v (out %q)", err, out)
			}
			if valid && !errors.Is(err, ErrTooDeep) {
				t.Fatalf("valid JSON rejected: %v", err)
			}
			return
		case !valid:
			t.Fatalf("invalid JSON accepted: %q", in)
		case !json.Valid(out):
			t.Fatalf("invalid output %q from %q", out, in)
		}
		checkReport(t, rep)
		if utf8.Valid(in) {
			// every string that held a complete document still holds one,
			// and no value a key or path rule covers survives, at any level
			checkDocsKept(t, parseTree(t, in), parseTree(t, out))
			ref := reference{spec: spec, t: t, count: map[string]int{}, inStrings: true}
			ref.walkNested(parseTree(t, out), nil, true)
		}
		// shadow mode finds the same and changes nothing
		sout, srep, err := shadow.Apply(in, Input{Direction: Request})
		if err != nil || !bytes.Equal(sout, in) {
			t.Fatalf("shadow changed the body or failed: %v", err)
		}
		_, erep, _ := enforceAll.Apply(in, Input{Direction: Request})
		if a, b := erep.Total(), srep.Total(); a != b {
			t.Fatalf("shadow found %d, enforce %d", b, a)
		}
		// A second pass need not be a fixed point (RATIONALE.md: a
		// replacement changes a neighbour's context), but it must succeed.
		again, rep2, err := p.Apply(out, Input{Direction: Request})
		if err != nil || !json.Valid(again) {
			t.Fatalf("second pass over %s: %v", out, err)
		}
		checkReport(t, rep2)
	})
}

// checkReport checks a report's shape: counts, paths, detectors and
// evidence agree.
func checkReport(t *testing.T, rep Report) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Count < 1 || len(f.Paths) != min(f.Count, maxReportPaths) {
			t.Fatalf("finding %+v: count and paths disagree", f)
		}
		if f.Detectors != nil && len(f.Detectors) != len(f.Paths) {
			t.Fatalf("finding %+v: detectors and paths disagree", f)
		}
		if len(f.Evidence) != len(f.Detectors) {
			t.Fatalf("finding %+v: evidence and detectors disagree", f)
		}
		for i, e := range f.Evidence {
			if (e == "") != (f.Detectors[i] == "") {
				t.Fatalf("finding %+v: evidence %q for detector %q", f, e, f.Detectors[i])
			}
		}
		for _, p := range f.Paths {
			if len(p) == 0 || p[0] != '$' {
				t.Fatalf("finding %+v: bad path %q", f, p)
			}
		}
	}
}
