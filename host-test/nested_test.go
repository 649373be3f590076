package hosttest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// json_in_strings through the .wasm (issue 10, section 5): every spelling of
// a JSON document inside a string is walked, numbers replaced inside stay
// valid JSON, and a complete inner document nested too deep is an
// invalid_json failure, never a silent pass.

// nestedHostRules selects by key, path and detector, with mask and redact,
// and the llm-prompts pack for tool-call arguments.
const nestedHostRules = `
name: nested
json_in_strings: true
include: [llm-prompts]
rules:
  - {id: email, select: {keys: [email]}, action: redact}
  - {id: pan, select: {keys: [pan]}, action: {mask: {keep_last: 4}}}
  - {id: acct, select: {paths: ["$.payload.acct", "$.payload[*].acct"]}, action: {mask: {keep_first: 1}}}
  - {id: cc, select: {detect: [credit_card]}, action: {redact: {with: "[cc]"}}}
  - {id: mail, select: {detect: [email]}, action: {redact: {with: "[mail]"}}}
`

const hostSecretDoc = `{"email":"ann@example.com","pan":4111111111111111,"acct":98765432,"n":[5555555555554444],"keep":"visible"}`

var hostSecrets = []string{"ann@example.com", "4111111111111111", "98765432", "5555555555554444"}

// jsonString JSON-encodes s as a string n times.
func jsonString(s string, n int) string {
	for range n {
		b, _ := json.Marshal(s)
		s = string(b)
	}
	return s
}

// innerDoc decodes s as a document after whitespace and byte order marks.
func innerDoc(s string) (any, bool) {
	s = strings.TrimLeft(s, " \t\r\n\uFEFF")
	if s == "" || !strings.ContainsRune("{[\"", rune(s[0])) {
		return nil, false
	}
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&v) != nil || d.InputOffset() != int64(len(strings.TrimRight(s, " \t\r\n"))) {
		return nil, false
	}
	return v, true
}

// allTexts returns every name, string and number at every level of v,
// decoding the strings that hold documents, which docs counts.
func allTexts(v any, docs *int) []string {
	switch v := v.(type) {
	case map[string]any:
		var out []string
		for k, c := range v {
			out = append(append(out, k), allTexts(c, docs)...)
		}
		return out
	case []any:
		var out []string
		for _, c := range v {
			out = append(out, allTexts(c, docs)...)
		}
		return out
	case string:
		if d, ok := innerDoc(v); ok {
			*docs++
			return append(allTexts(d, docs), v)
		}
		return []string{v}
	case json.Number:
		return []string{string(v)}
	}
	return nil
}

func TestPluginNestedJSON(t *testing.T) {
	lit := jsonString(hostSecretDoc, 1)
	deep := func(n int) string {
		return `{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `,"email":"ann@example.com"}`
	}
	cases := []struct {
		class, name, body string
		docs              int // documents held in strings, at every level, in the output
		reject            bool
	}{
		{"deep", "issue example, 200 levels", `{"payload":` + jsonString(deep(200), 1) + `}`, 0, true},
		{"deep", "one past the limit", `{"payload":` + jsonString(deep(126), 1) + `}`, 0, true},
		{"deep", "at the limit", `{"payload":` + jsonString(deep(125), 1) + `}`, 1, false},
		{"deep", "in a document in a document", `{"payload":` + jsonString(`{"x":`+jsonString(deep(200), 1)+`,"email":"ann@example.com"}`, 1) + `}`, 0, true},
		{"deep", "double encoded", `{"payload":` + jsonString(deep(300), 2) + `}`, 0, true},
		{"deep", "text cut short stays text", `{"payload":` + jsonString(`{"a":`+strings.Repeat("[", 300)+` ann@example.com`, 1) + `}`, 0, false},
		{"escaped start", `\u007b`, `{"payload":"\u007b` + lit[2:] + `}`, 1, false},
		{"escaped start", `\u005b`, `{"payload":"\u005b` + jsonString("["+hostSecretDoc+"]", 1)[2:] + `}`, 1, false},
		{"escaped start", `\u005b\u007b`, `{"payload":"\u005b\u007b` + jsonString("["+hostSecretDoc+"]", 1)[3:] + `}`, 1, false},
		{"whitespace and BOM", `\u0020`, `{"payload":"\u0020` + lit[1:] + `}`, 1, false},
		{"whitespace and BOM", `\u000a\t`, `{"payload":"\u000a\t` + lit[1:] + `}`, 1, false},
		{"whitespace and BOM", `\ufeff`, `{"payload":"\ufeff` + lit[1:] + `}`, 1, false},
		{"whitespace and BOM", "literal BOM, space", "{\"payload\":\"\uFEFF " + lit[1:] + `}`, 1, false},
		{"encoded twice", "double", `{"payload":` + jsonString(hostSecretDoc, 2) + `}`, 2, false},
		{"encoded twice", "triple", `{"payload":` + jsonString(hostSecretDoc, 3) + `}`, 3, false},
		{"encoded twice", `double, \u0022`, `{"payload":"\u0022` + jsonString(hostSecretDoc, 2)[3:] + `}`, 2, false},
		{"numbers", "tool-call arguments, escaped {", `{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"pay","arguments":"\u007b\"card\": 4111111111111111, \"pan\": 5555555555554444}"}}]}]}`, 1, false},
		{"numbers", "tool-call arguments, double encoded", `{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"pay","arguments":` + jsonString(`{"card":[4111111111111111]}`, 2) + `}}]}]}`, 2, false},
		{"numbers", "key mask and path mask", `{"payload":` + jsonString(`{"pan":-4111111111111111.0,"acct":98765432}`, 1) + `}`, 1, false},
	}
	for _, choice := range []string{"reject", "pass"} {
		vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: []byte(nestedHostRules + "on: {invalid_json: " + choice + "}\n")})
		for _, c := range cases {
			t.Run(choice+"/"+c.class+"/"+c.name, func(t *testing.T) {
				res := vm.Do(jsonExchange([]byte(c.body), nil, 0))
				if res.VMError != nil || len(res.Errors) > 0 {
					t.Fatalf("vm %v, errors %q", res.VMError, res.Errors)
				}
				if c.reject {
					switch {
					case choice == "reject" && (res.LocalReply == nil || res.LocalReply.Status != 400 || string(res.LocalReply.Body) != `{"error":"invalid_json","rule_set":"nested"}`):
						t.Fatalf("want a 400 invalid_json reply, got %+v", res.LocalReply)
					case choice == "pass" && (res.LocalReply != nil || string(res.Request.Body) != c.body):
						t.Fatalf("pass: reply %+v, body changed %t", res.LocalReply, string(res.Request.Body) != c.body)
					}
					return
				}
				if res.LocalReply != nil {
					t.Fatalf("local reply %+v", res.LocalReply)
				}
				if want := native(t, []byte(nestedHostRules), []byte(c.body), rules.Request); !bytes.Equal(res.Request.Body, want) {
					t.Fatalf("wasm and native differ:\n%s\n%s", res.Request.Body, want)
				}
				var v any
				d := json.NewDecoder(bytes.NewReader(res.Request.Body))
				d.UseNumber()
				if err := d.Decode(&v); err != nil {
					t.Fatalf("output %s: %v", res.Request.Body, err)
				}
				docs := 0
				all := strings.Join(allTexts(v, &docs), "\x00")
				if docs != c.docs {
					t.Errorf("%d documents in strings in %s, want %d", docs, res.Request.Body, c.docs)
				}
				for _, s := range hostSecrets {
					if strings.Contains(all, s) {
						t.Errorf("%s survives in %s", s, res.Request.Body)
					}
				}
			})
		}
	}
}
