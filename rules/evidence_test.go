package rules

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// locOf builds the walk's buffers and location stack for a value of body
// reached by steps: a member name as spelled in the body (escapes and
// all), "[n]" for an array element, "<json>" for the string before it
// walked as JSON.
func locOf(t *testing.T, body string, steps ...string) ([][]byte, []pathElem) {
	t.Helper()
	bufs := [][]byte{[]byte(body)}
	var loc []pathElem
	from := 0
	for _, s := range steps {
		buf := bufs[len(bufs)-1]
		switch {
		case s == "<json>":
			// the string value after the last name, unescaped
			q := bytes.IndexByte(buf[from:], '"') + from
			end, _ := scanString(buf, q)
			bufs = append(bufs, appendUnescaped(nil, buf[q+1:end-1]))
			loc = append(loc, pathElem{jsonMarker, len(bufs) - 1})
			from = 0
		case strings.HasPrefix(s, "["):
			n, _ := strconv.Atoi(strings.Trim(s, "[]"))
			loc = append(loc, pathElem{arrayElement, n})
		default:
			i := bytes.Index(buf[from:], []byte(`"`+s+`"`))
			if i < 0 {
				t.Fatalf("%s: no name %q", body, s)
			}
			i += from
			loc = append(loc, pathElem{i + 1, i + 1 + len(s)})
			from = i + len(s) + 2
		}
	}
	return bufs, loc
}

// TestHintOf: the hint of a value is that of the nearest member name above
// it that says more than "value" or "number", past array elements and
// json_in_strings levels, read unescaped, in any case, at most three names
// up; a name of no class, or one a detector flagged, ends the search.
func TestHintOf(t *testing.T) {
	tests := []struct {
		body  string
		steps []string
		want  detect.Hint
	}{
		{`{"phone":4155552671}`, []string{"phone"}, detect.HintPhone},
		{`{"phone":[4155552671]}`, []string{"phone", "[0]"}, detect.HintPhone},
		{`{"phone":[[1],[4155552671]]}`, []string{"phone", "[1]", "[0]"}, detect.HintPhone},
		{`{"phone":{"number":4155552671}}`, []string{"phone", "number"}, detect.HintPhone},
		{`{"phone":{"value":{"number":1}}}`, []string{"phone", "value", "number"}, detect.HintPhone},
		{`{"phone":{"a":{"value":{"number":1}}}}`, []string{"phone", "a", "value", "number"}, 0},
		{`{"x":{"value":{"data":{"number":1}}}}`, []string{"x", "value", "data", "number"}, 0},
		{`{"\u0070hone":4155552671}`, []string{`\u0070hone`}, detect.HintPhone},
		{`{"PHONE":1}`, []string{"PHONE"}, detect.HintPhone},
		{`{"Phone":1}`, []string{"Phone"}, detect.HintPhone},
		{`{"mobile_number":1}`, []string{"mobile_number"}, detect.HintPhone | detect.HintGeneric},
		{`{"order_id":1}`, []string{"order_id"}, detect.HintIdentifier},
		{`{"orderId":1}`, []string{"orderId"}, detect.HintIdentifier},
		{`{"order\u005fid":1}`, []string{`order\u005fid`}, detect.HintIdentifier},
		{`{"ids":[1,2]}`, []string{"ids", "[1]"}, detect.HintIdentifier},
		{`{"client_version":"1.2.3.4"}`, []string{"client_version"}, detect.HintVersion},
		{`{"phone":{"note":"x"}}`, []string{"phone", "note"}, 0},
		{`{"value":1}`, []string{"value"}, 0},
		{`[4155552671]`, []string{"[0]"}, 0},
		{`{"phone":"{\"value\":4155552671}"}`, []string{"phone", "<json>", "value"}, detect.HintPhone},
		{`{"phone":"[4155552671]"}`, []string{"phone", "<json>", "[0]"}, detect.HintPhone},
		{`{"a":"{\"\\u0070hone\":1}"}`, []string{"a", "<json>", `\u0070hone`}, detect.HintPhone},
	}
	for _, tt := range tests {
		bufs, loc := locOf(t, tt.body, tt.steps...)
		var c hintCache
		if got := hintOf(bufs, loc, &c); got != tt.want {
			t.Errorf("%s at %q: hint %b, want %b", tt.body, tt.steps, got, tt.want)
		}
		if got := hintOf(bufs, loc, &c); got != tt.want { // from the cache
			t.Errorf("%s at %q: hint %b, want %b (cached)", tt.body, tt.steps, got, tt.want)
		}
	}
	var shared hintCache // one cache across bodies, as a walker keeps it
	for range 2 {
		for _, tt := range tests {
			bufs, loc := locOf(t, tt.body, tt.steps...)
			if got := hintOf(bufs, loc, &shared); got != tt.want {
				t.Errorf("%s at %q: hint %b, want %b (shared cache)", tt.body, tt.steps, got, tt.want)
			}
		}
	}
	// a flagged name (a map keyed by a phone number) says nothing
	bufs, loc := locOf(t, `{"phone":{"+1 415 555 2671":1}}`, "phone")
	loc = append(loc, pathElem{detectedName, 0})
	if got := hintOf(bufs, loc, new(hintCache)); got != 0 {
		t.Errorf("under a flagged name: hint %b", got)
	}
	// deeper than maxHintSteps array levels below the name: no hint
	bufs, loc = locOf(t, `{"phone":1}`, "phone")
	for range maxHintSteps {
		loc = append(loc, pathElem{arrayElement, 0})
	}
	if got := hintOf(bufs, loc, new(hintCache)); got != 0 {
		t.Errorf("%d arrays down: hint %b", maxHintSteps, got)
	}
}

// hintsRead reports whether the detectors of this build read member-name
// hints for JSON numbers (a bare 10-digit number is a phone under a phone
// key only): the tests of the engine's hints check their effect then.
func hintsRead(t *testing.T) bool {
	set, err := detect.NewSet([]string{"phone"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, under := set.MatchNumberIn([]byte("4155552671"), 1, detect.HintPhone)
	_, _, bare := set.MatchNumberIn([]byte("4155552671"), 1, 0)
	return under && !bare
}

// TestHintsReachDetectors: a number is read with the hint of its member
// names through every kind of document the walk reads: a body, a
// json_in_strings document, a form and a header.
func TestHintsReachDetectors(t *testing.T) {
	if !hintsRead(t) {
		t.Skip("the detectors of this build do not read hints for numbers")
	}
	p := mustCompile(t, "json_in_strings: true\nrules: [{id: p, select: {detect: [phone]}, action: {redact: {with: \"[phone]\"}}}]")
	for in, want := range map[string]string{
		`{"phone":4155552671}`:                       `{"phone":"[phone]"}`,
		`{"Phone":[4155552671]}`:                     `{"Phone":["[phone]"]}`,
		`{"\u0070hone":{"number":4155552671}}`:       `{"\u0070hone":{"number":"[phone]"}}`,
		`{"contact":{"phone":{"value":4155552671}}}`: `{"contact":{"phone":{"value":"[phone]"}}}`,
		`{"id":4155552671}`:                          `{"id":4155552671}`,
		`{"n":4155552671}`:                           `{"n":4155552671}`,
		`{"doc":"{\"phone\":4155552671}"}`:           `{"doc":"{\"phone\":\"[phone]\"}"}`,
		`{"phone":"{\"value\":4155552671}"}`:         `{"phone":"{\"value\":\"[phone]\"}"}`,
	} {
		out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
		if err != nil || string(out) != want {
			t.Errorf("%s: got %s, want %s (%v)", in, out, want, err)
		}
		if want != in && (len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Evidence[0], "key")) {
			t.Errorf("%s: report %+v, want key evidence", in, rep.Findings)
		}
	}
}

// TestHintsReachFormsAndHeaders: a form field's name and a header's name
// are the member names of their values.
func TestHintsReachFormsAndHeaders(t *testing.T) {
	if !hintsRead(t) {
		t.Skip("the detectors of this build do not read hints for numbers")
	}
	p := mustCompile(t, `match: { forms: true, query: true }
rules:
  - {id: p, select: {detect: [phone]}, action: {redact: {with: "[phone]"}}}
  - {id: h, select: {headers: ["*"], detect: [phone]}, action: {redact: {with: "[phone]"}}}
`)
	out, _, err := p.ApplyAs(BodyForm, []byte("phone=4155552671&n=4155552671"), Input{Direction: Request}, p.Apply)
	if err != nil || !strings.HasPrefix(string(out), "phone=%5Bphone%5D&") || !strings.HasSuffix(string(out), "&n=4155552671") {
		t.Errorf("form: %s %v", out, err)
	}
	q, _, err := p.ApplyQuery("/a?tel=4155552671&n=4155552671", Input{Direction: Request})
	if err != nil || strings.Count(q, "4155552671") != 1 {
		t.Errorf("query: %s %v", q, err)
	}
	edits, _, err := p.ApplyHeaders([][2]string{{"x-phone", "4155552671"}, {"x-n", "4155552671"}}, Input{Direction: Request})
	if err != nil || len(edits) != 1 || edits[0].Name != "x-phone" {
		t.Errorf("headers: %+v %v", edits, err)
	}
}

// TestEvidenceSelects: select.evidence takes a span only on one of the
// kinds it lists; the next rule naming the detector gets the others, and a
// span no rule takes is left as it is and not reported.
func TestEvidenceSelects(t *testing.T) {
	p := mustCompile(t, `rules:
  - {id: said, select: {detect: [phone], evidence: [key, context]}, action: {redact: {with: "[phone]"}}}
  - {id: cards, select: {detect: [credit_card], evidence: [checksum]}, action: {redact: {with: "[card]"}}}
  - {id: mails, select: {detect: [email], evidence: [key]}, action: redact}
`)
	in := `{"note":"at +1 415 555 2671 or ann@example.com, paid with 4111 1111 1111 1111","n":4111111111111111}`
	out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"note":"at +1 415 555 2671 or ann@example.com, paid with [card]","n":"[card]"}`; string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "cards" || !slices.Equal(rep.Findings[0].Evidence, []string{"checksum", "checksum"}) {
		t.Errorf("report %+v", rep.Findings)
	}

	// without evidence, a later rule takes what the first one leaves
	p = mustCompile(t, `rules:
  - {id: said, select: {detect: [phone], evidence: [context]}, action: {redact: {with: "[phone]"}}}
  - {id: any, select: {detect: [phone]}, action: {redact: {with: "[phone?]"}}}
`)
	out, rep, err = p.Apply([]byte(`{"note":"at +1 415 555 2671"}`), Input{Direction: Request})
	if err != nil || string(out) != `{"note":"at [phone?]"}` || len(rep.Findings) != 1 || rep.Findings[0].Rule != "any" {
		t.Errorf("fallback: %s %+v %v", out, rep.Findings, err)
	}
}

// TestReportEvidence: Evidence runs beside Detectors, "" for a value a key
// selected; merged reports (records, headers and bodies) keep them aligned.
func TestReportEvidence(t *testing.T) {
	p := mustCompile(t, `rules:
  - {id: pii, select: {keys: [ssn], detect: [email, credit_card]}, action: redact}
`)
	_, rep, err := p.Apply([]byte(`{"ssn":"x","a":"ann@example.com","c":4111111111111111}`), Input{Direction: Request})
	if err != nil || len(rep.Findings) != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	f := rep.Findings[0]
	if !slices.Equal(f.Detectors, []string{"", "email", "credit_card"}) || !slices.Equal(f.Evidence, []string{"", "format", "checksum"}) {
		t.Errorf("detectors %q evidence %q", f.Detectors, f.Evidence)
	}
	js, _ := json.Marshal(f)
	if !strings.Contains(string(js), `"Evidence":["","format","checksum"]`) {
		t.Errorf("JSON %s", js)
	}
	_, whole, _ := p.Apply([]byte(`{"ssn":"x"}`), Input{Direction: Request})
	if js, _ := json.Marshal(whole.Findings[0]); strings.Contains(string(js), "Evidence") {
		t.Errorf("a finding without detectors: %s", js)
	}
	m := p.MergeReports(whole, rep)
	if g := m.Findings[0]; !slices.Equal(g.Paths, []string{"$.ssn", "$.ssn", "$.a", "$.c"}) ||
		!slices.Equal(g.Evidence, []string{"", "", "format", "checksum"}) || !slices.Equal(g.Detectors, []string{"", "", "email", "credit_card"}) {
		t.Errorf("merged %+v", g)
	}
	for ev := range detect.Evidence(1 << len(detect.EvidenceNames())) {
		if evidenceName(ev) != ev.String() {
			t.Errorf("evidenceName(%d) = %q", ev, evidenceName(ev))
		}
	}
}

// TestIntegerIDsSurvive measures issue 17's target: random integer ids of
// 10 to 16 digits under identifier and quantity keys (alone, in arrays,
// nested), run through pii-basic and pci, are changed at most 0.5 % of the
// time.
func TestIntegerIDsSurvive(t *testing.T) {
	if !hintsRead(t) {
		t.Skip("the detectors of this build do not read hints for numbers")
	}
	p := mustCompile(t, "include: [pii-basic, pci]")
	keys := []string{"id", "ids", "order_id", "orderId", "seq", "count", "created_at", "timestamp", "user_id", "itemIds"}
	rng := rand.New(rand.NewPCG(17, 2026))
	const n = 24000
	changed := 0
	var body []byte
	for i := range n {
		digits := 10 + rng.IntN(7)
		id := []byte{byte('1' + rng.IntN(9))}
		for range digits - 1 {
			id = append(id, byte('0'+rng.IntN(10)))
		}
		key := keys[i%len(keys)]
		body = body[:0]
		switch i % 3 {
		case 0:
			body = append(append(append(append(body, `{"`...), key...), `":`...), id...)
			body = append(body, '}')
		case 1:
			body = append(append(append(append(body, `{"`...), key...), `":[7,`...), id...)
			body = append(body, "]}"...)
		default:
			body = append(append(append(append(body, `{"order":{"`...), key...), `":`...), id...)
			body = append(body, "}}"...)
		}
		out, _, err := p.Apply(body, Input{Direction: Response})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, body) {
			changed++
			if changed <= 5 {
				t.Logf("changed: %s -> %s", body, out)
			}
		}
	}
	rate := float64(changed) / n
	t.Logf("%d of %d integer ids changed (%.3f %%)", changed, n, 100*rate)
	if rate > 0.005 {
		t.Errorf("%.3f %% of integer ids changed, at most 0.5 %%", 100*rate)
	}
}

// TestMayBeLong: numbers that cannot reach minHintDigits digits skip the
// member names; every spelling that can does not.
func TestMayBeLong(t *testing.T) {
	for num, want := range map[string]bool{
		"0": false, "12.5": false, "-12345": false, "123456": false, "1e7": true, "4E15": true,
		"1234567": true, "-1234567": true, "4155552671": true, "1.4155552671e10": true, "123.456": true,
	} {
		if got := mayBeLong([]byte(num)); got != want {
			t.Errorf("mayBeLong(%s) = %v", num, got)
		}
	}
}

// TestSyntaxEvidenceExample: the rule of SYNTAX.md's select.evidence
// section compiles into a list of rules, and leaves a phone number that
// only its format supports alone.
func TestSyntaxEvidenceExample(t *testing.T) {
	p := mustCompile(t, "rules:\n"+syntaxBlock(t, "### `select.evidence`"))
	in := `{"order":"+1 415 555 2671"}`
	out, rep, err := p.Apply([]byte(in), Input{Direction: Request})
	if err != nil || string(out) != in || len(rep.Findings) != 0 {
		t.Errorf("%s: %s %+v %v", in, out, rep.Findings, err)
	}
}
