package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Tests for json_in_strings (issue 10, section 5): every spelling of a JSON
// document inside a string is walked, a complete document that breaks a limit
// fails the body, and replacements leave every inner document valid.

// nestedRules selects by key, by path and by detector, with mask and redact,
// so that numbers meet every kind of replacement.
const nestedRules = `
json_in_strings: true
rules:
  - {id: email, select: {keys: [email]}, action: redact}
  - {id: pan, select: {keys: [pan]}, action: {mask: {keep_last: 4}}}
  - {id: card, select: {keys: [card]}, action: {redact: {with: "[card]"}}}
  - {id: acct, select: {paths: ["$.payload.acct", "$.payload.user.acct"]}, action: {mask: {keep_first: 1}}}
  - {id: cc, select: {detect: [credit_card], within: ["$.payload.masked"]}, action: {mask: {keep_last: 4}}}
  - {id: cc-label, select: {detect: [credit_card]}, action: {redact: {with: "[cc]"}}}
  - {id: mail, select: {detect: [email]}, action: {redact: {with: "[mail]"}}}
`

// secretDoc holds one value for each rule of nestedRules, most of them numbers.
const secretDoc = `{"email":"ann@example.com","pan":4111111111111111,"card":5555555555554444,"acct":98765432,` +
	`"masked":{"n":4012888888881881},"n":[378282246310005,6011111111111117],"user":{"acct":"ZX-12345","note":"mail bob@example.org"},"keep":"visible"}`

// secretValues must not survive at any level of a rewritten secretDoc.
var secretValues = append([]string{"98765432", "12345"}, unpathedSecrets...)

// unpathedSecrets are the values of secretDoc that rules other than paths
// select: those that go wherever the document sits.
var unpathedSecrets = []string{"ann@example.com", "4111111111111111", "5555555555554444", "4012888888881881", "378282246310005", "6011111111111117", "bob@example.org"}

// encodeN JSON-encodes doc as a string n times.
func encodeN(doc string, n int) string {
	for range n {
		b, _ := json.Marshal(doc)
		doc = string(b)
	}
	return doc
}

// payload is a body holding lit, a JSON string literal, under "payload",
// with a member after it.
func payload(lit string) string { return `{"payload":` + lit + `,"after":"visible"}` }

// respell rewrites the first occurrence of old in the string literal lit.
func respell(lit, old, new string) string { return strings.Replace(lit, old, new, 1) }

// decodeDoc decodes s as a JSON document after leading whitespace and byte
// order marks; ok is false when s is not one.
func decodeDoc(s string) (v any, ok bool) {
	s = strings.TrimLeft(s, " \t\r\n\uFEFF")
	if s == "" || !strings.ContainsRune("{[\"", rune(s[0])) {
		return nil, false
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&v) != nil || d.InputOffset() != int64(len(strings.TrimRight(s, " \t\r\n"))) {
		return nil, false
	}
	if t, isStr := v.(string); isStr {
		if _, inner := decodeDoc(t); !inner {
			return nil, false
		}
	}
	return v, true
}

// texts returns every string and number at every level of v, decoding the
// strings that are documents.
func texts(v any) []string {
	switch v := v.(type) {
	case map[string]any:
		var out []string
		for k, c := range v {
			out = append(out, k)
			out = append(out, texts(c)...)
		}
		return out
	case []any:
		var out []string
		for _, c := range v {
			out = append(out, texts(c)...)
		}
		return out
	case string:
		if d, ok := decodeDoc(v); ok {
			return append(texts(d), v)
		}
		return []string{v}
	case json.Number:
		return []string{string(v)}
	}
	return nil
}

// checkPayload checks out, the rewritten body: the payload is still a
// document levels deep (each level valid JSON), no secret survives at any
// level, and the values no rule selects are still there.
func checkPayload(t *testing.T, out []byte, levels int, gone []string) {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatalf("output %s: %v", out, err)
	}
	v := body["payload"]
	for l := range levels {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("level %d is %T, want a string in %s", l, v, out)
		}
		if v, ok = decodeDoc(s); !ok {
			t.Fatalf("level %d is no longer a JSON document: %q", l+1, s)
		}
	}
	all := strings.Join(texts(body), "\x00")
	for _, g := range gone {
		if strings.Contains(all, g) {
			t.Errorf("%q survives in %s", g, out)
		}
	}
	if !strings.Contains(all, "visible") {
		t.Errorf("unselected values lost: %s", out)
	}
}

// TestNestedSpellings: the document is walked however its start is spelled.
func TestNestedSpellings(t *testing.T) {
	p := mustCompile(t, nestedRules)
	lit := encodeN(secretDoc, 1)
	arr := encodeN("["+secretDoc+"]", 1)
	cases := []struct{ name, lit string }{
		{"plain", lit},
		{"array", arr},
		{"escaped {", respell(lit, `"{`, `"\u007b`)},
		{"escaped { upper case", respell(lit, `"{`, `"\u007B`)},
		{"escaped [", respell(arr, `"[`, `"\u005b`)},
		{"escaped [ then escaped {", respell(arr, `"[{`, `"\u005b\u007b`)},
		{"escaped space", respell(lit, `"{`, `"\u0020{`)},
		{"escaped newline", respell(lit, `"{`, `"\u000a{`)},
		{"short escapes", respell(lit, `"{`, `"\t\r\n {`)},
		{"escaped tab and escaped {", respell(lit, `"{`, `"\u0009\u007b`)},
		{"escaped BOM", respell(lit, `"{`, `"\ufeff{`)},
		{"literal BOM", respell(lit, `"{`, "\"\uFEFF{")},
		{"BOM, space, escaped {", respell(lit, `"{`, `"\uFEFF\u0020\u007b`)},
		{"space then BOM", respell(lit, `"{`, "\" \uFEFF{")},
		{"trailing whitespace", respell(lit, `}"`, `}\u0020\n"`)},
		{"escaped member quote", respell(lit, `{\"`, `{\u0022`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, rep, err := p.Apply([]byte(payload(c.lit)), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			gone := secretValues
			if strings.Contains(c.name, "[") || c.name == "array" {
				gone = unpathedSecrets // $.payload[0].acct is not $.payload.acct
			}
			checkPayload(t, out, 1, gone)
			if rep.Total() < 7 {
				t.Errorf("report %+v", rep)
			}
		})
	}
}

// TestNestedEncodedTwice: a string holding a JSON-encoded string of a
// document (double, triple encoding, with the spellings above inside).
func TestNestedEncodedTwice(t *testing.T) {
	p := mustCompile(t, nestedRules)
	cases := []struct {
		name   string
		lit    string
		levels int
	}{
		{"double", encodeN(secretDoc, 2), 2},
		{"triple", encodeN(secretDoc, 3), 3},
		{"quadruple", encodeN(secretDoc, 4), 4},
		{"double, inner quote escaped", respell(encodeN(secretDoc, 2), `"\"`, `"\u0022`), 2},
		{"double, space before the inner string", respell(encodeN(secretDoc, 2), `"\"`, `" \"`), 2},
		{"double, inner { escaped twice", respell(encodeN(secretDoc, 2), `"\"{`, `"\"\\u007b`), 2},
		{"double, BOM inside", respell(encodeN(secretDoc, 2), `"\"{`, `"\"\\ufeff{`), 2},
		{"triple, array", encodeN("["+secretDoc+"]", 3), 3},
		{"double inside a document", encodeN(`{"x":1,"inner":`+encodeN(secretDoc, 2)+`}`, 1), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := p.Apply([]byte(payload(c.lit)), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			gone := secretValues
			if strings.Contains(c.name, "array") || strings.Contains(c.name, "inside") {
				gone = unpathedSecrets
			}
			checkPayload(t, out, c.levels, gone)
		})
	}
}

// TestNestedTextStaysText: strings that only start like a document are
// text: detectors scan them, nothing fails, nothing else changes.
func TestNestedTextStaysText(t *testing.T) {
	p := mustCompile(t, nestedRules)
	deep := strings.Repeat("[", 300)
	for _, s := range []string{
		`{not json, mail ann@example.com`,
		`\"quoted\" ann@example.com`,
		`\"{\\\"email\\\": 1\" ann@example.com`,
		`[1,2] and ann@example.com`,
		`\u007b ann@example.com`,
		deep + ` ann@example.com`,
		deep + strings.Repeat("]", 300) + ` ann@example.com`,
		`\ufeff\ufeff{\"a\":` + deep + `, ann@example.com`,
	} {
		t.Run(s[:min(len(s), 20)], func(t *testing.T) {
			out, _, err := p.Apply([]byte(payload(`"`+s+`"`)), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), "ann@example.com") || !strings.Contains(string(out), "[mail]") {
				t.Errorf("got %s", out)
			}
		})
	}
}

// TestNestedTooDeep: a complete document nested too deep fails the body
// wherever the deep part is, however many strings down; the same text cut
// short (not a document) does not.
func TestNestedTooDeep(t *testing.T) {
	p := mustCompile(t, nestedRules)
	arrays := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	deepDoc := func(deep string) string { return `{"a":` + deep + `,"email":"ann@example.com"}` }
	cases := []struct {
		name string
		body string
		fail bool
	}{
		// body root 0, payload string 1, its document 2: arrays from 3
		{"level 1, at the limit", payload(encodeN(deepDoc(arrays(125)), 1)), false},
		{"level 1, one past the limit", payload(encodeN(deepDoc(arrays(126)), 1)), true},
		{"level 1, 200 arrays", payload(encodeN(deepDoc(arrays(200)), 1)), true},
		{"level 1, 200 objects", payload(encodeN(deepDoc(objects(200)), 1)), true},
		{"level 1, 5000 arrays", payload(encodeN(deepDoc(arrays(5000)), 1)), true},
		{"level 1, deep after the value", payload(encodeN(`{"email":"ann@example.com","a":`+arrays(200)+`}`, 1)), true},
		{"level 2", payload(encodeN(`{"x":`+encodeN(deepDoc(arrays(200)), 1)+`,"email":"ann@example.com"}`, 1)), true},
		{"level 2, double encoded", payload(encodeN(deepDoc(arrays(200)), 2)), true},
		{"level 3", payload(encodeN(`{"y":`+encodeN(`{"x":`+encodeN(deepDoc(arrays(200)), 1)+`}`, 1)+`}`, 1)), true},
		{"level 2, escaped {", payload(encodeN(`{"x":`+respell(encodeN(deepDoc(arrays(200)), 1), `"{`, `"\u007b`)+`}`, 1)), true},
		{"level 2, BOM", payload(encodeN(`{"x":`+respell(encodeN(deepDoc(arrays(200)), 1), `"{`, `"\ufeff {`)+`}`, 1)), true},
		{"string at the limit", strings.Repeat("[", 128) + `"{\"email\":1}"` + strings.Repeat("]", 128), true},
		{"text at the limit", strings.Repeat("[", 128) + `"{\"email\":1"` + strings.Repeat("]", 128), false},
		{"level 2, cut short", payload(encodeN(`{"x":`+encodeN(`{"a":`+arrays(200), 1)+`,"email":"ann@example.com"}`, 1)), false},
		{"level 2, trailing text", payload(encodeN(`{"x":`+encodeN(deepDoc(arrays(200))+" x", 1)+`,"email":"ann@example.com"}`, 1)), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, rep, err := p.Apply([]byte(c.body), Input{Direction: Request})
			switch {
			case c.fail && (!errors.Is(err, ErrTooDeep) || out != nil):
				t.Fatalf("want ErrTooDeep and no output, got %v, %d findings, %.200s", err, rep.Total(), out)
			case !c.fail && err != nil:
				t.Fatal(err)
			case !c.fail && strings.Contains(string(out), "ann@example.com"):
				t.Errorf("email survives: %.300s", out)
			}
		})
	}
}

// TestNestedDepthCountsStrings: each string walked as JSON is one level.
func TestNestedDepthCountsStrings(t *testing.T) {
	p, err := Compile([]byte("json_in_strings: true\nrules: [{id: k, select: {keys: [a]}, action: redact}]"), Options{MaxDepth: 6})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 5; n++ {
		doc := `{"a":1}`
		for range n {
			doc = `{"s":` + encodeN(doc, 1) + `}`
		}
		// n objects around strings, n strings, the innermost object: 2n+1 levels
		_, _, err := p.Apply([]byte(doc), Input{Direction: Request})
		if tooDeep := 2*n+1 > 6; tooDeep != errors.Is(err, ErrTooDeep) {
			t.Errorf("%d strings deep: %v", n, err)
		}
	}
}

// TestNestedNumbers: a number replaced inside inner JSON becomes a string,
// under key and path rules and under detectors, with mask and redact, at
// every level and spelling, so every inner document stays valid.
func TestNestedNumbers(t *testing.T) {
	p := mustCompile(t, nestedRules)
	docs := []struct {
		doc  string
		gone []string
	}{
		{`{"pan":4111111111111111}`, []string{"4111111111111111"}},
		{`{"pan":-4111111111111111.0}`, []string{"4111111111111111"}},
		{`{"card":4111111111111111}`, []string{"4111111111111111"}},
		{`{"card":[1,2.5e3,{"x":-0.1}]}`, []string{"2.5e3", "-0.1"}},
		{`{"acct":1234567}`, []string{"1234567"}},
		{`{"user":{"acct":12e34}}`, []string{"12e34"}},
		{`{"masked":[4111111111111111,5555555555554444]}`, []string{"4111111111111111", "5555555555554444"}},
		{`{"n":4111111111111111,"m":[4012888888881881]}`, []string{"4111111111111111", "4012888888881881"}},
		{`[4111111111111111]`, []string{"4111111111111111"}},
		{`{"x":4.111111111111111e15}`, []string{"4.111111111111111e15"}},
	}
	spell := []struct {
		name   string
		lit    func(doc string) string
		levels int
	}{
		{"plain", func(d string) string { return encodeN(d, 1) }, 1},
		{"escaped first", func(d string) string {
			return strings.NewReplacer(`"{`, `"\u007b`, `"[`, `"\u005b`).Replace(encodeN(d, 1)[:2]) + encodeN(d, 1)[2:]
		}, 1},
		{"BOM", func(d string) string { return `"\ufeff` + encodeN(d, 1)[1:] }, 1},
		{"double", func(d string) string { return encodeN(d, 2) }, 2},
		{"triple", func(d string) string { return encodeN(d, 3) }, 3},
	}
	for _, d := range docs {
		for _, s := range spell {
			t.Run(fmt.Sprintf("%s %s", s.name, d.doc), func(t *testing.T) {
				out, rep, err := p.Apply([]byte(`{"payload":`+s.lit(d.doc)+`,"after":"visible"}`), Input{Direction: Request})
				if err != nil {
					t.Fatal(err)
				}
				checkPayload(t, out, s.levels, d.gone)
				if rep.Total() == 0 {
					t.Error("nothing reported")
				}
			})
		}
	}
}

// TestNestedApplyNeverSucceedsWithAnError: the body that used to pass
// (issue 10): a deep document inside a document inside a string.
func TestNestedApplyNeverSucceedsWithAnError(t *testing.T) {
	p := mustCompile(t, nestedRules)
	inner := encodeN(`{"a":`+strings.Repeat("[", 200)+strings.Repeat("]", 200)+`,"email":"ann@example.com"}`, 1)
	body := `{"payload":` + encodeN(`{"x":`+inner+`,"email":"ann@example.com"}`, 1) + `}`
	out, rep, err := p.Apply([]byte(body), Input{Direction: Request})
	if !errors.Is(err, ErrTooDeep) || out != nil || rep.Total() != 0 {
		t.Fatalf("got %v, %+v, %.100s", err, rep, out)
	}
	// the error names each string on the way, outermost last
	if want := "(in the JSON document held in the string at offset 5) (in the JSON document held in the string at offset 11)"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error %q, want it to end with %q", err, want)
	}
}

// TestNestedMaskReachesInside: mask deciding a string that holds a document,
// or a container around such strings, masks the strings and numbers inside
// the document (numbers become strings) instead of its text, so it stays a
// document; member names stay, as under a masked object.
func TestNestedMaskReachesInside(t *testing.T) {
	p := mustCompile(t, `
json_in_strings: true
rules:
  - {id: m, select: {keys: [payload, box]}, action: {mask: {keep_last: 2}}}
`)
	doc := `{"pan":4111111111111111,"name":"Ann Lee","list":[12345,-6.5e3,true,null],"deep":` + encodeN(`{"n":987654}`, 1) + `}`
	for _, c := range []struct {
		name, body string
		levels     int
	}{
		{"string", payload(encodeN(doc, 1)), 1},
		{"escaped {", payload(respell(encodeN(doc, 1), `"{`, `"\u007b`)), 1},
		{"BOM", payload(respell(encodeN(doc, 1), `"{`, `"\ufeff{`)), 1},
		{"double", payload(encodeN(doc, 2)), 2},
		{"string in a masked object", `{"payload":"x","box":{"a":` + encodeN(doc, 1) + `},"after":"visible"}`, 0},
		{"string in a masked array", `{"payload":"x","box":[1,` + encodeN(doc, 2) + `],"after":"visible"}`, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := p.Apply([]byte(c.body), Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			checkPayload(t, out, c.levels, []string{"4111111111111111", "Ann Lee", "12345", "6.5e3", "987654"})
			for _, want := range []string{`pan`, `list`, `deep`, `true`, `null`, `"**************11`} {
				if !strings.Contains(strings.ReplaceAll(string(out), `\`, ""), want) {
					t.Errorf("%s missing from %s", want, out)
				}
			}
		})
	}
}

// TestCompleteDocument: documents at any depth, and text that is not one.
func TestCompleteDocument(t *testing.T) {
	var levels []uint64
	deep := func(open, close string, n int) []byte {
		return []byte(strings.Repeat(open, n) + "1" + strings.Repeat(close, n))
	}
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"100000 arrays", deep("[", "]", 100000), true},
		{"100000 objects", deep(`{"a":`, "}", 100000), true},
		{"mixed, 65 levels (past one stack word)", deep(`[{"a":`, "}]", 65), true},
		{"mismatched at 65 levels", append(deep(`[{"a":`, "}]", 65)[:len(deep(`[{"a":`, "}]", 65))-1], '}'), false},
		{"one closer short", deep("[", "]", 100000)[1:], false},
		{"trailing value", []byte(`{"a":[1]} 2`), false},
		{"trailing whitespace", []byte("[1]\n\t "), true},
		{"cut short", []byte(`{"a":[1,2`), false},
		{"member without value", []byte(`{"a":}`), false},
		{"trailing comma", []byte(`[1,]`), false},
	} {
		if got := completeDocument(c.b, &levels); got != c.want {
			t.Errorf("%s: got %t", c.name, got)
		}
	}
}

// TestNestedNoMatchAllocatesNothing: documents in every spelling, and text
// that only starts like one, cost no allocation when nothing changes.
func TestNestedNoMatchAllocatesNothing(t *testing.T) {
	p := mustCompile(t, nestedRules)
	doc := `{"x":[1,2,{"y":"z"}],"t":"\"quoted\" text"}`
	body := []byte(`{"a":` + encodeN(doc, 1) + `,"b":` + respell(encodeN(doc, 1), `"{`, `"\ufeff\u0020\u007b`) +
		`,"c":` + encodeN(doc, 3) + `,"d":"{not json","e":` + encodeN(`{"a":`+strings.Repeat("[", 200), 1) +
		`,"f":"\"quoted\" text","g":"[1] and more"}`)
	in := Input{Direction: Request}
	if out, _, err := p.Apply(body, in); err != nil || &out[0] != &body[0] {
		t.Fatalf("changed or failed: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { p.Apply(body, in) }); n != 0 {
		t.Errorf("%v allocations per Apply without a match", n)
	}
}

// TestApplyErrorOutlivesWalker: an error Apply returns does not change when
// the walker that produced it is reused.
func TestApplyErrorOutlivesWalker(t *testing.T) {
	p := mustCompile(t, nestedRules)
	deep := payload(encodeN(`{"x":`+encodeN(`{"a":`+strings.Repeat("[", 200)+strings.Repeat("]", 200)+`}`, 1)+`}`, 1))
	_, _, err := p.Apply([]byte(deep), Input{Direction: Request})
	if err == nil {
		t.Fatal("deep body accepted")
	}
	first := err.Error()
	for _, body := range []string{`{"a":`, `[1,]`, payload(encodeN(`{"a":`+strings.Repeat("[", 300)+strings.Repeat("]", 300)+`}`, 1))} {
		_, _, err2 := p.Apply([]byte(body), Input{Direction: Request})
		if err2 == nil {
			t.Fatalf("%s accepted", body)
		}
	}
	if err.Error() != first || !errors.Is(err, ErrTooDeep) {
		t.Errorf("error changed: %q, was %q", err, first)
	}
	if want := "json nesting too deep: more than 128 levels at offset 128 (in the JSON document held in the string at offset 5) (in the JSON document held in the string at offset 11)"; first != want {
		t.Errorf("error %q, want %q", first, want)
	}
	if _, _, err := p.Apply([]byte(`{"a":`), Input{Direction: Request}); err == nil || err.Error() != "invalid json: want a value at offset 5" {
		t.Errorf("error %v", err)
	}
}
