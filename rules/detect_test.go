package rules

import (
	"fmt"
	"strings"
	"testing"
)

// applyString applies src to body and returns the output and report.
func applyString(t *testing.T, src, body string) (string, Report) {
	t.Helper()
	out, rep, err := mustCompile(t, src).Apply([]byte(body), Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	return string(out), rep
}

const cardRules = `rules: [{id: card, select: {detect: [credit_card]}, action: {mask: {keep_last: 4}}}]`

// Ways a value could slip past the detectors (zero-width or full-width
// characters, an escaped @, a card as a JSON number or float, JSON inside
// strings, percent escapes, member names), each in its own test.

func TestDetectZeroWidthInCard(t *testing.T) {
	out, rep := applyString(t, cardRules, `{"note":"pay 4111\u200b1111 1111 1111 now"}`)
	if want := `{"note":"pay ****\u200b**** **** 1111 now"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if rep.Total() != 1 || rep.Findings[0].Detectors[0] != "credit_card" {
		t.Errorf("report %+v", rep)
	}
}

func TestDetectEscapedAtInEmail(t *testing.T) {
	out, _ := applyString(t, `rules: [{id: e, select: {detect: [email]}, action: redact}]`,
		`{"m":"mail alice\u0040example.com today"}`)
	if want := `{"m":"mail [REDACTED] today"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestDetectFullWidthDigits(t *testing.T) {
	out, _ := applyString(t, cardRules, `{"m":"card ４１１１ １１１１ １１１１ １１１１."}`)
	if want := `{"m":"card **** **** **** １１１１."}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestDetectCardAsNumber(t *testing.T) {
	out, rep := applyString(t, cardRules, `{"pan":4111111111111111,"qty":4111111111111112,"neg":-4111111111111111}`)
	if want := `{"pan":"************1111","qty":4111111111111112,"neg":"-************1111"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if rep.Total() != 2 || rep.Findings[0].Paths[0] != "$.pan" || rep.Findings[0].Paths[1] != "$.neg" {
		t.Errorf("report %+v", rep)
	}
}

// TestDetectCardAsFloat: a serializer holding the card as a float writes it
// with a fraction or an exponent; the value is the same and must not pass.
func TestDetectCardAsFloat(t *testing.T) {
	out, rep := applyString(t, cardRules, `{"a":4111111111111111.0,"b":4.111111111111111e15,"c":4.1111111111111115e15}`)
	if strings.Contains(out, "4111111111111111") || strings.Contains(out, "4.111111111111111e15") || !strings.Contains(out, `"c":4.1111111111111115e15`) {
		t.Errorf("got %s", out)
	}
	if rep.Total() != 2 {
		t.Errorf("report %+v", rep)
	}
}

// TestDetectNegativeCard: a minus sign in front of a card number written as
// a JSON number does not hide its digits, in any spelling.
func TestDetectNegativeCard(t *testing.T) {
	out, rep := applyString(t, cardRules, `{"a":-4111111111111111,"b":-6011111111111117.0,"c":-4.111111111111111e15,"d":-4111111111111112,"e":[-5555555555554444]}`)
	for _, leak := range []string{"4111111111111111", "6011111111111117", "4.111111111111111e15", "5555555555554444"} {
		if strings.Contains(out, leak) {
			t.Errorf("%s survived: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"d":-4111111111111112`) || rep.Total() != 4 {
		t.Errorf("got %s, report %+v", out, rep)
	}
}

func TestDetectEmailInNestedJSONString(t *testing.T) {
	src := "json_in_strings: true\nrules: [{id: e, select: {detect: [email]}, action: {redact: {with: \"[email]\"}}}]"
	body := `{"event":{"payload":"{\"user\":{\"email\":\"bob@example.com\"},\"n\":1}"}}`
	out, rep := applyString(t, src, body)
	if want := `{"event":{"payload":"{\"user\":{\"email\":\"[email]\"},\"n\":1}"}}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if got := rep.Findings[0].Paths[0]; got != "$.event.payload<json>.user.email" {
		t.Errorf("path %q", got)
	}
	// without the option the text is still scanned, as text
	out, _ = applyString(t, strings.TrimPrefix(src, "json_in_strings: true\n"), body)
	if want := `{"event":{"payload":"{\"user\":{\"email\":\"[email]\"},\"n\":1}"}}`; out != want {
		t.Errorf("without json_in_strings: got %s, want %s", out, want)
	}
}

func TestDetectJSONInStringsPathsAndKeys(t *testing.T) {
	src := `
json_in_strings: true
rules:
  - {id: ssn, select: {keys: [ssn]}, action: remove}
  - {id: name, select: {paths: ["$.args.name"]}, action: {mask: {keep_first: 1}}}
`
	body := `{"args":"{\"name\":\"Alice\",\"ssn\":\"123-45-6789\",\"deep\":\"[{\\\"ssn\\\":1}]\"}","other":"{not json"}`
	out, rep := applyString(t, src, body)
	want := `{"args":"{\"name\":\"A****\",\"deep\":\"[{}]\"}","other":"{not json"}`
	if out != want {
		t.Errorf("got %s\nwant %s", out, want)
	}
	var paths []string
	for _, f := range rep.Findings {
		paths = append(paths, f.Paths...)
	}
	if got := strings.Join(paths, " "); got != "$.args<json>.ssn $.args<json>.deep<json>[0].ssn $.args<json>.name" {
		t.Errorf("paths %s", got)
	}
}

func TestDetectJSONInStringsDepth(t *testing.T) {
	p, err := Compile([]byte("json_in_strings: true\nrules: [{id: k, select: {keys: [a]}, action: redact}]"), Options{MaxDepth: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Apply([]byte(`[["{\"x\":[[1]]}"]]`), Input{Direction: Request}); err == nil {
		t.Error("nesting across a JSON string past the limit accepted")
	}
	if _, _, err := p.Apply([]byte(`["{\"x\":1}"]`), Input{Direction: Request}); err != nil {
		t.Error(err)
	}
}

func TestDetectWholeValueDecides(t *testing.T) {
	src := `
rules:
  - {id: keep, select: {paths: ["$.support"]}, action: keep}
  - {id: contact, select: {keys: [contact]}, action: {redact: {with: "[contact]"}}}
  - {id: email, select: {detect: [email]}, action: {redact: {with: "[email]"}}}
`
	out, rep := applyString(t, src, `{"support":"help@example.com","contact":"a@example.com","x":"b@example.com"}`)
	if want := `{"support":"help@example.com","contact":"[contact]","x":"[email]"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if len(rep.Findings) != 2 || rep.Findings[0].Detectors != nil || rep.Findings[1].Detectors[0] != "email" {
		t.Errorf("report %+v", rep)
	}
}

func TestDetectSpanKeepsEscapesWhole(t *testing.T) {
	// the span starts at an escaped character and ends before an escape
	out, _ := applyString(t, `rules: [{id: e, select: {detect: [email]}, action: redact}]`,
		`["\"\u0061lice@example.com\"\n"]`)
	if want := `["\"[REDACTED]\"\n"]`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestDetectShadow(t *testing.T) {
	body := `{"m":"x@example.com and y@example.com"}`
	out, rep := applyString(t, "mode: shadow\n"+`rules: [{id: e, select: {detect: [email]}, action: redact}]`, body)
	if out != body || rep.Total() != 2 || !rep.Findings[0].Shadow {
		t.Errorf("got %s, %+v", out, rep)
	}
}

func TestDetectInclude(t *testing.T) {
	src := `
include: [pii-basic]
rules:
  - {id: pii-basic-email, select: {detect: [email]}, action: {redact: {with: "[mail]"}}}
`
	p := mustCompile(t, src)
	n := 0
	for _, r := range p.Rules() {
		if r.ID == "pii-basic-email" {
			n++
		}
	}
	if n != 1 || len(p.Rules()) < 5 {
		t.Errorf("rules %+v", p.Rules())
	}
	out, _ := applyString(t, src, `{"a":"x@example.com, 4111 1111 1111 1111","ssn":"123456789"}`)
	if want := `{"a":"[mail], **** **** **** 1111","ssn":"[ssn]"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestDetectNoMatchAllocatesNothing(t *testing.T) {
	p := mustCompile(t, `include: [pii-basic, secrets]
json_in_strings: true
rules: [{id: n, select: {detect: [phone], within: [notes]}, action: redact}]`)
	body := []byte(`{"messages":[{"role":"user","content":"Hello there, my order 12-34 is late by 3 days; see \"ticket\" \u00e9t\u00e9 ok?"},{"content":"{\"a\":[1,2]}"}],"n":12345,"notes":"nothing here"}`)
	in := Input{Direction: Request}
	if out, _, err := p.Apply(body, in); err != nil || &out[0] != &body[0] {
		t.Fatalf("changed or failed: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { p.Apply(body, in) }); n != 0 {
		t.Errorf("%v allocations per Apply without a match", n)
	}
}

// TestDetectPrivateKeyEscapedTwice: a PEM key kept in a JSON config as one
// line with literal "\n" separators arrives with "\\n" in the body; all of
// it must go, not only the BEGIN line.
func TestDetectPrivateKeyEscapedTwice(t *testing.T) {
	body := `{"tls":{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n"}}`
	out, rep := applyString(t, "include: [secrets]", body)
	if want := `{"tls":{"key":"[private-key]\\n"}}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if rep.Total() != 1 {
		t.Errorf("report %+v", rep)
	}
}

// TestDetectPercentEncoded: values in a URL's query, percent-encoded, are
// found and replaced whole.
func TestDetectPercentEncoded(t *testing.T) {
	src := "rules: [{id: pii, select: {detect: [email, phone]}, action: {redact: {with: \"[x]\"}}}]"
	body := `{"redirect":"https://app.example/cb?email=jane.doe%40example.com&tel=%2B1%20415%20555%202671&n=1"}`
	out, rep := applyString(t, src, body)
	if want := `{"redirect":"https://app.example/cb?email=[x]&tel=[x]&n=1"}`; out != want {
		t.Errorf("got %s, want %s", out, want)
	}
	if rep.Total() != 2 {
		t.Errorf("report %+v", rep)
	}
}

// TestDetectInMemberNames: a map keyed by the value itself ({"alice@…": …})
// must not carry it across, and no report path may spell it.
func TestDetectInMemberNames(t *testing.T) {
	src := `
rules:
  - id: pii
    select: { detect: [email, ipv4] }
    action: { redact: { with: "[pii]" } }
  - id: plan
    select: { keys: [plan] }
    action: redact
  - id: drop
    select: { paths: ["$.gone.*"] }
    action: remove
`
	body := `{"users":{"alice@example.com":{"plan":"pro"},"10.1.2.3":5,"bob":1},"gone":{"carol@example.com":1},"esc":{"dave\u0040example.com":true}}`
	out, rep := applyString(t, src, body)
	if want := `{"users":{"[pii]":{"plan":"[REDACTED]"},"[pii]":5,"bob":1},"gone":{},"esc":{"[pii]":true}}`; out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	var paths []string
	for _, f := range rep.Findings {
		paths = append(paths, f.Paths...)
		if f.Rule == "pii" && strings.Join(f.Detectors, ",") != "email,ipv4,email" {
			t.Errorf("pii detectors %q", f.Detectors)
		}
	}
	got := strings.Join(paths, " ")
	if want := "$.users[<name>] $.users[<name>] $.esc[<name>] $.users[<name>].plan $.gone[<name>]"; got != want {
		t.Errorf("paths %q, want %q", got, want)
	}
}

// TestPackPhoneKeys: pii-basic takes a phone key's value whole, so bare
// digits (or a number) under it do not slip past the detector.
func TestPackPhoneKeys(t *testing.T) {
	out, _ := applyString(t, "include: [pii-basic]", `{"user":{"Phone":"4155552671","mobileNumber":4155552671,"contact":{"phone-number":"(415) 555-2671"},"phones_count":2}}`)
	if want := `{"user":{"Phone":"[phone]","mobileNumber":"[phone]","contact":{"phone-number":"[phone]"},"phones_count":2}}`; out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// TestPackSecretKeys: credentials without a recognizable shape go by the key
// that holds them.
func TestPackSecretKeys(t *testing.T) {
	body := `{"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","slackWebhookUrl":"https://hooks.slack.com/services/T0/B0/X","DATABASE_URL":"postgres://u:p@db/app","Token":"abc","tokenCount":3}`
	out, _ := applyString(t, "include: [secrets]", body)
	if want := `{"aws_secret_access_key":"[secret]","slackWebhookUrl":"[secret]","DATABASE_URL":"[secret]","Token":"[secret]","tokenCount":3}`; out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// TestCustomDetectorLimit: 49 custom detectors compile beside the
// built-ins of pii-basic, and a member name any of them matches is hidden
// in report paths; the 50th is refused at the detectors mapping, and more
// than 64 detectors in use are refused with the counts.
func TestCustomDetectorLimit(t *testing.T) {
	set := func(n int) string {
		var b strings.Builder
		b.WriteString("include: [pii-basic]\ndetectors:\n")
		for i := range n {
			fmt.Fprintf(&b, "  c%d: { regex: \"CUST%02d-[0-9]{4}\" }\n", i, i)
		}
		b.WriteString("rules:\n  - {id: plan, select: {keys: [plan]}, action: redact}\n  - {id: custom, select: {detect: [c48]}, action: redact}\n")
		return b.String()
	}
	p := mustCompile(t, set(49))
	out, rep, err := p.Apply([]byte(`{"CUST48-1234":{"plan":1},"note":"id CUST48-9999"}`), Input{Direction: Request})
	if err != nil || string(out) != `{"[REDACTED]":{"plan":"[REDACTED]"},"note":"id [REDACTED]"}` {
		t.Errorf("got %s, %v", out, err)
	}
	for _, f := range rep.Findings {
		for _, path := range f.Paths {
			if strings.Contains(path, "CUST48") {
				t.Errorf("path %q spells a name a custom detector flags", path)
			}
		}
	}
	_, err = Compile([]byte(set(50)), Options{Filename: "r.yaml"})
	if err == nil || !strings.Contains(err.Error(), "r.yaml:3:3: detectors: 50 custom detectors, at most 49") {
		t.Errorf("50 custom detectors: %v", err)
	}
	_, err = Compile([]byte(strings.Replace(set(49), "[pii-basic]", "[pii-basic, secrets]", 1)), Options{})
	if err == nil || !strings.Contains(err.Error(), "the rules use 71 detectors (22 built-in, 49 custom), at most 64") {
		t.Errorf("71 detectors in use: %v", err)
	}
}
