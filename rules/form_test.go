package rules

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// formRules is the rule set of the form and query tests: a key rule, a
// path rule into nesting, a detector rule, and a remove rule.
const formRules = `
match: { forms: true, query: true }
rules:
  - { id: email-key, select: { keys: [email] }, action: redact }
  - { id: card-path, select: { paths: ["$.user.card", "$.cards[*]"] }, action: { mask: { keep_last: 4 } } }
  - { id: notes, select: { keys: [notes] }, action: remove }
  - { id: ssn-anywhere, select: { detect: [us_ssn] }, action: { redact: { with: "[ssn]" } } }
`

// formCases are the attacker spellings of a form (and of a query): each
// must come out with the planted value rewritten.
var formCases = []struct {
	name, in, want string
}{
	{"plain", "email=a%40b.com&x=1", "email=%5BREDACTED%5D&x=1"},
	{"raw at sign", "x=1&email=a@b.com", "x=1&email=%5BREDACTED%5D"},
	{"escaped name", "e%6Dail=a%40b.com", "e%6Dail=%5BREDACTED%5D"},
	{"upper case name", "EMAIL=a%40b.com&y=2", "EMAIL=%5BREDACTED%5D&y=2"},
	{"dashed name", "e-mail=a%40b.com", "e-mail=%5BREDACTED%5D"},
	{"plus in name", "e+mail=a%40b.com", "e+mail=%5BREDACTED%5D"},
	{"bracket nesting", "user[email]=a%40b.com&user[name]=ann", "user[email]=%5BREDACTED%5D&user[name]=ann"},
	{"escaped brackets", "user%5Bemail%5D=a%40b.com", "user%5Bemail%5D=%5BREDACTED%5D"},
	{"array of objects", "user[][email]=a%40b.com&user[][email]=c%40d.com", "user[][email]=%5BREDACTED%5D&user[][email]=%5BREDACTED%5D"},
	{"dotted nesting", "user.email=a%40b.com", "user.email=%5BREDACTED%5D"},
	{"path into brackets", "user[card]=4111111111111111&user[x]=1", "user[card]=************1111&user[x]=1"},
	{"path into dots", "user.card=4111+1111+1111+1111", "user.card=****+****+****+1111"},
	{"path into array", "cards[]=4111111111111111&cards[3]=5500000000000004", "cards[]=************1111&cards[3]=************0004"},
	{"duplicates", "email=a&email=b&EMAIL=c", "email=%5BREDACTED%5D&email=%5BREDACTED%5D&EMAIL=%5BREDACTED%5D"},
	{"space as plus and %20", "note=ssn+123-45-6789&n2=ssn%20123-45-6789", "note=ssn+%5Bssn%5D&n2=ssn+%5Bssn%5D"},
	{"%2B and = inside value", "q=a%2Bb=c&email=x=y", "q=a%2Bb=c&email=%5BREDACTED%5D"},
	{"double encoded", "note=123%252D45%252D6789", "note=%5Bssn%5D"},
	{"empty value", "email=&x=1", "email=%5BREDACTED%5D&x=1"},
	{"pair without =", "email&x=1", "email=%5BREDACTED%5D&x=1"},
	{"empty pieces kept", "&&email=a&&", "&&email=%5BREDACTED%5D&&"},
	{"remove drops the pair", "a=1&notes=secret&b=2", "a=1&b=2"},
	{"remove first and last", "notes=1&a=1&notes=2", "a=1"},
	{"remove nested", "x[notes]=1&email=e", "email=%5BREDACTED%5D"},
	{"invalid escapes kept", "x=%zz%4&email=%", "x=%zz%4&email=%5BREDACTED%5D"},
	{"invalid utf-8 kept", "x=%ff%fe&note=%ff123-45-6789", "x=%ff%fe&note=%FF%5Bssn%5D"},
	{"member name detector", "123-45-6789=1", "%5Bssn%5D=1"},
	{"dotted name holding a value", "123.45.6789=1&x[123.45.6789]=2", "%5Bssn%5D=1&x%5B%5Bssn%5D%5D=2"},
	{"unchanged", "a=1&b=%41+c", "a=1&b=%41+c"},
}

func TestFormBody(t *testing.T) {
	p := mustCompile(t, formRules)
	for _, tc := range formCases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := p.ApplyAs(BodyForm, []byte(tc.in), Input{Direction: Request}, p.Apply)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got  %s\nwant %s", out, tc.want)
			}
		})
	}
}

func TestApplyQuery(t *testing.T) {
	p := mustCompile(t, formRules)
	for _, tc := range formCases {
		t.Run(tc.name, func(t *testing.T) {
			path := "/api/x?" + tc.in
			out, _, err := p.ApplyQuery(path, Input{Direction: Request})
			if err != nil {
				t.Fatal(err)
			}
			want := "/api/x?" + queryWant(tc.in, tc.want)
			if tc.in == tc.want {
				want = path
			}
			if out != want {
				t.Errorf("got  %s\nwant %s", out, want)
			}
		})
	}
	for _, path := range []string{"/a", "/a?", "/email?x=1", "/a/%65mail=x"} {
		if out, _, _ := p.ApplyQuery(path, Input{Direction: Request}); out != path {
			t.Errorf("%s: changed to %s", path, out)
		}
	}
	off := mustCompile(t, "rules: [{id: e, select: {keys: [email]}, action: redact}]")
	if out, _, _ := off.ApplyQuery("/a?email=x", Input{Direction: Request}); out != "/a?email=x" {
		t.Errorf("without match.query: %s", out)
	}
}

func TestFormReport(t *testing.T) {
	p := mustCompile(t, formRules)
	_, rep, err := p.ApplyAs(BodyForm, []byte("user[email]=a&x[y][]=1&note=123-45-6789&notes=z"), Input{Direction: Request}, p.Apply)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Rule] = strings.Join(f.Paths, " ")
	}
	want := map[string]string{"email-key": "$.user.email", "ssn-anywhere": "$.note", "notes": "$.notes"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: paths %q, want %q (report %+v)", k, got[k], v, rep)
		}
	}
}

// TestFormActions runs every kind of rule on forms: minimize, conditions,
// json_in_strings, a root rule, a renaming detector.
func TestFormActions(t *testing.T) {
	tests := []struct{ name, rules, in, want string }{
		{"minimize", `
match: { forms: true }
minimize: [{ id: m, direction: request, allow: ["$.id", "$.user.name"] }]`, "id=1&email=a&user[name]=n&user[email]=e", "id=1&user[name]=n"},
		{"json in a value", `
match: { forms: true }
json_in_strings: true
rules: [{ id: e, select: { keys: [email] }, action: redact }]`, "data=%7B%22email%22%3A%22a%40b.com%22%7D", "data=%7B%22email%22%3A%22%5BREDACTED%5D%22%7D"},
		{"redact a parent", `
match: { forms: true }
rules: [{ id: u, select: { paths: ["$.user"] }, action: redact }]`, "user[a]=1&user[b][c]=2&x=3", "user[a]=%5BREDACTED%5D&user[b][c]=%5BREDACTED%5D&x=3"},
		{"redact with null", `
match: { forms: true }
rules: [{ id: u, select: { keys: [pin] }, action: { redact: { with: null } } }]`, "pin=1234", "pin="},
		{"index past 20 is a name", `
match: { forms: true }
rules: [{ id: u, select: { paths: ["$.a['21']", "$.a[20]"] }, action: redact }]`, "a[21]=x&a[20]=y&a[19]=z", "a[21]=%5BREDACTED%5D&a[20]=%5BREDACTED%5D&a[19]=z"},
		{"remove by index after nulls", `
match: { forms: true }
rules: [{ id: u, select: { paths: ["$.a[1]"] }, action: remove }]`, "a[1]=x&a[0]=y&a[]=z", "a[0]=y&a[]=z"},
		{"minimize keeps an element after nulls", `
match: { forms: true }
minimize: [{ id: m, direction: request, allow: ["$.a[2]"] }]`, "a[2]=x&a[0]=y", "a[2]=x"},
		{"remove by index", `
match: { forms: true }
rules: [{ id: u, select: { paths: ["$.a[0]"] }, action: remove }]`, "a[0]=x&a[1]=y&b=1", "a[1]=y&b=1"},
		{"hash", `
match: { forms: true }
crypto_keys: { k: { inline: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", insecure_inline: true } }
rules: [{ id: h, select: { keys: [email] }, action: { hash: { key: k, prefix: "" , length: 8} } }]`, "email=a", "email="},
		{"root rule with an object", `
match: { forms: true }
rules: [{ id: all, select: { paths: ["$"] }, action: { redact: { with: { gone: true } } } }]`, "a=1&b[c]=2", "a=%7B%22gone%22%3Atrue%7D&b[c]=%7B%22gone%22%3Atrue%7D"},
		{"remove many", `
match: { forms: true }
rules: [{ id: u, select: { keys: [x] }, action: remove }, { id: e, select: { keys: [e] }, action: redact }]`, "x=1&x=2&e=3&x[a]=4&e&x=5&a=6&x=7", "e=%5BREDACTED%5D&e=%5BREDACTED%5D&a=6"},
		{"root rule", `
match: { forms: true }
rules: [{ id: all, select: { paths: ["$"] }, action: redact }]`, "a=1&b[c]=2", "a=%5BREDACTED%5D&b[c]=%5BREDACTED%5D"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.rules)
			out, _, err := p.ApplyAs(BodyForm, []byte(tc.in), Input{Direction: Request}, p.Apply)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "hash" {
				if !strings.HasPrefix(string(out), "email=") || len(out) != len("email=")+8 {
					t.Errorf("got %s", out)
				}
				return
			}
			if string(out) != tc.want {
				t.Errorf("got  %s\nwant %s", out, tc.want)
			}
		})
	}
}

// TestFormKinds checks how form labels are read: with match.forms as
// forms, without it sniffed (a form is not a JSON candidate: it passes),
// a JSON document under a form label as JSON.
func TestFormKinds(t *testing.T) {
	on := mustCompile(t, formRules)
	off := mustCompile(t, "rules: [{id: e, select: {keys: [email]}, action: redact}]")
	for _, ct := range []string{"application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"} {
		if k := on.BodyKind([]string{ct}); k != BodyForm {
			t.Errorf("%s with forms: %v", ct, k)
		}
		if k := off.BodyKind([]string{ct}); k != BodySniff {
			t.Errorf("%s without forms: %v", ct, k)
		}
	}
	if k := on.BodyKind([]string{"text/plain"}); k != BodySniff {
		t.Errorf("text/plain: %v", k)
	}
	form := []byte("email=a%40b.com")
	if _, _, err := on.ApplyAs(BodySniff, form, Input{Direction: Request}, on.Apply); !errors.Is(err, ErrNotJSON) {
		t.Errorf("form under text/plain: %v, want not json (passes as text)", err)
	}
	if _, _, err := on.ApplyAs(BodyJSON, form, Input{Direction: Request}, on.Apply); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("form under application/json: %v, want invalid json", err)
	}
	out, _, err := on.ApplyAs(BodyForm, []byte(`{"email":"a@b.com"}`), Input{Direction: Request}, on.Apply)
	if err != nil || string(out) != `{"email":"[REDACTED]"}` {
		t.Errorf("JSON under a form label: %s %v", out, err)
	}
	out, _, err = on.ApplyAs(BodyForm, []byte(`[x]=1&email=a`), Input{Direction: Request}, on.Apply)
	if err != nil || string(out) != `[x]=1&email=%5BREDACTED%5D` {
		t.Errorf("form opening like JSON: %s %v", out, err)
	}
	never := mustCompile(t, "match: {forms: true, never_sniff: [application/x-www-form-urlencoded]}\nrules: [{id: e, select: {keys: [email]}, action: redact}]")
	if k := never.BodyKind([]string{"application/x-www-form-urlencoded"}); k != BodySkip {
		t.Errorf("never_sniff: %v", k)
	}
}

func TestFormCompileErrors(t *testing.T) {
	_, err := Compile([]byte("match: { forms: yes please }\nrules: [{id: e, select: {keys: [e]}, action: redact}]"), Options{Filename: "r.yaml"})
	if err == nil || !strings.Contains(err.Error(), "r.yaml:1:17: match.forms") {
		t.Errorf("got %v", err)
	}
	_, err = Compile([]byte("match: { query: [1] }\nrules: [{id: e, select: {keys: [e]}, action: redact}]"), Options{Filename: "r.yaml"})
	if err == nil || !strings.Contains(err.Error(), "r.yaml:1:17: match.query") {
		t.Errorf("got %v", err)
	}
}

func TestFormUnchangedIsInput(t *testing.T) {
	p := mustCompile(t, formRules)
	in := []byte("a=1&b=2&c[d]=%41")
	out, _, err := p.ApplyAs(BodyForm, in, Input{Direction: Request}, p.Apply)
	if err != nil || !sameSlice(out, in) {
		t.Errorf("unchanged form not returned as is: %q %v", out, err)
	}
}

func TestSplitFormName(t *testing.T) {
	tests := map[string]string{
		"a":         "a",
		"a[b]":      "a.b",
		"a[b][c]":   "a.b.c",
		"a[]":       "a[0]",
		"a[3][b]":   "a[3].b",
		"a.b.c":     "a.b.c",
		"a[b.c]":    "a.'b.c'",
		"a[b":       "'a[b'",
		"a.":        "'a.'",
		"[a]":       "'[a]'",
		".a":        "'.a'",
		"a[b]junk":  "a.b",
		"a[07]":     "a.'07'",
		"a[][x":     "a[0].'[x'",
		"a..b":      "'a..b'",
		"u.a[b].c":  "u.a.b.c",
		"a[99]":     "a.99",
		"a[-1]":     "a.'-1'",
		"a[b][]":    "a.b[0]",
		"a[ b ]":    "a.' b '",
		"a[b]]":     "a.b",
		"x[y][z][]": "x.y.z[0]",
		"a[15][6]":  "a[15].6",
		"a[15][5]":  "a[15][5]",
	}
	for in, want := range tests {
		var b strings.Builder
		for i, st := range splitFormName(in) {
			switch {
			case st.array:
				b.WriteString("[" + strconv.Itoa(st.index) + "]")
			case i > 0:
				b.WriteByte('.')
				fallthrough
			default:
				if strings.ContainsAny(st.name, ".[] -") || st.name != strings.TrimSpace(st.name) || strings.HasPrefix(st.name, "0") && len(st.name) > 1 {
					b.WriteString("'" + st.name + "'")
				} else {
					b.WriteString(st.name)
				}
			}
		}
		if b.String() != want {
			t.Errorf("%q: got %s, want %s", in, b.String(), want)
		}
	}
	deep := strings.Repeat("[a]", 40)
	if n := len(splitFormName("x" + deep)); n != maxFormNesting+1 {
		t.Errorf("deep name: %d steps", n)
	}
}

// queryWant is the query a form case gives: a re-encoded value spells a
// space "%20" (pairs kept as written keep their '+').
func queryWant(in, want string) string {
	kept := map[string]bool{}
	for _, piece := range strings.Split(in, "&") {
		kept[piece] = true
	}
	pieces := strings.Split(want, "&")
	for i, piece := range pieces {
		if name, value, ok := strings.Cut(piece, "="); ok && !kept[piece] {
			pieces[i] = name + "=" + strings.ReplaceAll(value, "+", "%20")
		}
	}
	return strings.Join(pieces, "&")
}
