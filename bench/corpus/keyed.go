package corpus

import (
	"fmt"
	"strings"
)

// KeyedValues is how many values each keyed-action benchmark body holds.
const KeyedValues = 100

// keyedKey is the inline test key (32 bytes, base64) of the keyed-action
// benchmarks: never a production key.
const keyedKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// KeyedCase is one keyed-action benchmark: an action on values of one kind.
type KeyedCase struct {
	Name   string // benchmark name
	Action string // the rule's action, YAML flow syntax
	Kind   string // email, card, date or name
}

// KeyedCases are the keyed-action benchmarks, redact and mask first (the
// baselines of the same run).
var KeyedCases = []KeyedCase{
	{"redact", "redact", "email"},
	{"mask", "{ mask: { keep_last: 4 } }", "email"},
	{"hash", "{ hash: { key: a } }", "email"},
	{"encrypt", "{ encrypt: { key: a } }", "email"},
	{"fpe-card", "{ fpe: { key: a, keep_last: 4 } }", "card"},
	{"generalize-date", "{ generalize: date }", "date"},
	{"synthetic-name", "{ synthetic: { key: a, kind: name } }", "name"},
}

// KeyedBody returns {"v":[…]} holding KeyedValues values of kind c.Kind.
func (c KeyedCase) KeyedBody() []byte {
	var b strings.Builder
	b.WriteString(`{"v":[`)
	for i := range KeyedValues {
		if i > 0 {
			b.WriteByte(',')
		}
		var v string
		switch c.Kind {
		case "card":
			v = fmt.Sprintf("4111 1111 1111 %04d", i)
		case "date":
			v = fmt.Sprintf("19%02d-05-17", i%100)
		case "name":
			v = fmt.Sprintf("Ann Lee%d", i)
		default:
			v = fmt.Sprintf("user%d.name@example.com", i)
		}
		fmt.Fprintf(&b, "%q", v)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// KeyedRules returns a rule set applying c.Action to member v, with the
// inline benchmark key a.
func (c KeyedCase) KeyedRules() string {
	return "crypto_keys:\n  a: { inline: \"" + keyedKey + "\", insecure_inline: true }\n" +
		"rules: [{ id: r, select: { keys: [v] }, action: " + c.Action + " }]\n"
}

// RevealRules encrypts emails on the request and reveals them in
// $.choices[*].message.content on the response, with the benchmark key.
const RevealRules = "crypto_keys:\n  a: { inline: \"" + keyedKey + "\", insecure_inline: true }\n" + `rules:
  - { id: contact, direction: request, select: { detect: [email] }, action: { encrypt: { key: a } } }
  - { id: restore, direction: response, select: { paths: ["$.choices[*].message.content"] }, action: reveal }
`

// RevealPrompt returns a chat request whose one message holds KeyedValues emails.
func RevealPrompt() []byte {
	var b strings.Builder
	b.WriteString(`{"messages":[{"role":"user","content":"`)
	for i := range KeyedValues {
		fmt.Fprintf(&b, "mail user%d@example.com ", i)
	}
	b.WriteString(`"}]}`)
	return []byte(b.String())
}

// RevealResponse returns a model response whose content is the (encrypted)
// content of req, a request made from RevealPrompt.
func RevealResponse(req []byte) []byte {
	const open, end = `{"messages":[{"role":"user","content":"`, `"}]}`
	content := strings.TrimSuffix(strings.TrimPrefix(string(req), open), end)
	return []byte(`{"choices":[{"message":{"role":"assistant","content":"` + content + `"}}]}`)
}
