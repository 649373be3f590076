package rules

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkForm16K applies the same rules to the same 16 KB of fields
// written as a form and as a JSON object (compare the two in one run):
// the form's cost over JSON is reading the pairs, synthesizing the
// document and re-encoding the pairs that changed.
func BenchmarkForm16K(b *testing.B) {
	p := mustCompile(b, `
match: { forms: true }
rules:
  - { id: email, select: { keys: [email] }, action: redact }
  - { id: card, select: { paths: ["$.user.card"] }, action: { mask: { keep_last: 4 } } }
  - { id: mail, select: { detect: [email, phone] }, action: { redact: { with: "[pii]" } } }
`)
	var form, js strings.Builder
	js.WriteByte('{')
	for i := 0; form.Len() < 16<<10; i++ {
		name, value := fmt.Sprintf("field_%d", i), fmt.Sprintf("some text value number %d, ok", i)
		switch i % 40 {
		case 0:
			name, value = "email", fmt.Sprintf("user%d@example.com", i)
		case 20:
			name, value = "note", fmt.Sprintf("write to ann%d@example.com today", i)
		}
		if i > 0 {
			form.WriteByte('&')
			js.WriteByte(',')
		}
		form.WriteString(url.QueryEscape(name) + "=" + url.QueryEscape(value))
		fmt.Fprintf(&js, "%q:%q", name, value)
	}
	js.WriteByte('}')
	in := Input{Direction: Request}
	for _, c := range []struct {
		name string
		kind BodyKind
		body []byte
	}{{"form", BodyForm, []byte(form.String())}, {"json", BodyJSON, []byte(js.String())}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.ApplyAs(c.kind, c.body, in, p.Apply); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
