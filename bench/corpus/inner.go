package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// InnerSpellings name the ways Enclose writes a document inside a JSON
// string (what json_in_strings must read however it is spelled):
//   - inner_plain: the document as a JSON string;
//   - inner_escaped_start: its first character written as an escape (\u007b);
//   - inner_escaped_space: escaped whitespace before it (\u0020\u000a);
//   - inner_bom: a byte-order mark before it (\ufeff);
//   - inner_twice: the JSON string of the document, encoded as a string again.
var InnerSpellings = []string{"inner_plain", "inner_escaped_start", "inner_escaped_space", "inner_bom", "inner_twice"}

// Enclose returns an envelope {"event":"sync","payload":"…"} whose payload
// string holds doc in the given spelling of InnerSpellings.
func Enclose(doc []byte, spelling string) []byte {
	quoted := quote(string(doc))
	switch spelling {
	case "inner_plain":
	case "inner_escaped_start":
		quoted = `"\u00` + fmt.Sprintf("%02x", doc[0]) + quoted[2:]
	case "inner_escaped_space":
		quoted = `"\u0020\u000a` + quoted[1:]
	case "inner_bom":
		quoted = `"\ufeff` + quoted[1:]
	case "inner_twice":
		quoted = quote(quoted)
	default:
		panic("corpus: unknown inner spelling " + spelling)
	}
	return []byte(`{"event":"sync","payload":` + quoted + `}`)
}

// Disclose returns the document an envelope of Enclose holds (as the engine
// left it): the payload decoded, once more for inner_twice, without the
// whitespace or byte-order mark before it.
func Disclose(envelope []byte, spelling string) ([]byte, error) {
	var outer struct{ Payload string }
	if err := json.Unmarshal(envelope, &outer); err != nil {
		return nil, err
	}
	text := outer.Payload
	if spelling == "inner_twice" {
		if err := json.Unmarshal([]byte(text), &text); err != nil {
			return nil, err
		}
	}
	return bytes.TrimLeft([]byte(strings.TrimPrefix(strings.TrimLeft(text, " \n"), "\ufeff")), " \n"), nil
}

// quote returns s as a JSON string without HTML escaping.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
