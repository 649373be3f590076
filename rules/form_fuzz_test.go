package rules

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzFormRules covers a form by key, by path into nesting, by detector,
// and removes a key.
const fuzzFormRules = `
match: { forms: true, query: true }
rules:
  - { id: key, select: { keys: [email] }, action: redact }
  - { id: path, select: { paths: ["$.user.card"] }, action: { mask: { keep_last: 4 } } }
  - { id: gone, select: { keys: [notes] }, action: remove }
  - { id: det, select: { detect: [email] }, action: { redact: { with: "[email]" } } }
`

// plantedForm is a value the detector rule must rewrite wherever it is put.
const plantedForm = "zq7@example.com"

// decodedForm returns every name and value of a form, decoded, one per line.
func decodedForm(form []byte) string {
	var b strings.Builder
	for _, piece := range formPieces(form) {
		b.Write(decodeFormText(nil, piece))
		b.WriteByte('\n')
	}
	return b.String()
}

// FuzzForm: decoding, applying and re-encoding a form never panics, never
// fails, returns an unchanged form as is, gives what applying the rules to
// each pair on its own gives (so removed pairs are found exactly),
// never lets a plantedForm address through whatever name carries it, and is
// stable (a second pass changes nothing).
func FuzzForm(f *testing.F) {
	for _, s := range []string{
		"email=a%40b.com&x=1", "e%6Dail=x", "user[email]=a&user[][email]=b", "user.card=4111111111111111",
		"a=%zz&b=%4", "&&=&", "notes=1&notes", "x=%ff%fe", "a[b][c][]=1", "[a]=1", "a.=1&.b=2", "a+b=c+d%20e",
	} {
		f.Add([]byte(s), "name")
	}
	p, err := Compile([]byte(fuzzFormRules), Options{})
	if err != nil {
		f.Fatal(err)
	}
	in := Input{Direction: Request}
	f.Fuzz(func(t *testing.T, form []byte, name string) {
		out, rep, err := p.applyForm(form, in, p.Apply, true)
		if err != nil {
			t.Fatalf("%q: %v", form, err)
		}
		if len(rep.Findings) == 0 && len(rep.Minimized) == 0 && !sameSlice(out, form) {
			t.Fatalf("%q: nothing found, yet rewritten to %q", form, out)
		}
		again, _, err := p.applyForm(out, in, p.Apply, true)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%q: not stable: %q then %q (%v)", form, out, again, err)
		}
		if want := formPairByPair(t, p, form); string(out) != want {
			t.Fatalf("%q: whole form gives %q, pair by pair %q", form, out, want)
		}
		withPlant := append(append(append([]byte{}, form...), '&'), appendFormEscaped([]byte(name), "", true)...)
		withPlant = append(append(withPlant, "=x%20"...), strings.ReplaceAll(plantedForm, "@", "%40")...)
		out, _, err = p.applyForm(withPlant, in, p.Apply, true)
		if err != nil {
			t.Fatalf("%q: %v", withPlant, err)
		}
		if strings.Contains(decodedForm(out), plantedForm) {
			t.Fatalf("%q: plantedForm value survives in %q", withPlant, out)
		}
	})
}

// formPairByPair applies the rules to each piece of form on its own and
// joins what is left: what applying them to the whole form must give.
func formPairByPair(t *testing.T, p *Program, form []byte) string {
	var kept []string
	for _, piece := range formPieces(form) {
		if len(piece) == 0 {
			kept = append(kept, "")
			continue
		}
		out, _, err := p.applyForm(piece, Input{Direction: Request}, p.Apply, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 0 {
			kept = append(kept, string(out))
		}
	}
	return strings.Join(kept, "&")
}

// FuzzQuery: ApplyQuery never panics, never touches the path before the
// '?', returns an unchanged target as is, and never lets a plantedForm
// address through.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"/a?email=x", "/a", "/a?", "/a?b=1#frag&email=x", "/%3F?e%6Dail=1", "?x", "/a??email=b"} {
		f.Add(s)
	}
	p, err := Compile([]byte(fuzzFormRules), Options{})
	if err != nil {
		f.Fatal(err)
	}
	in := Input{Direction: Request}
	f.Fuzz(func(t *testing.T, path string) {
		out, rep, err := p.ApplyQuery(path, in)
		if err != nil {
			t.Fatalf("%q: %v", path, err)
		}
		head, _, _ := strings.Cut(path, "?")
		if !strings.HasPrefix(out, head) {
			t.Fatalf("%q: path changed: %q", path, out)
		}
		if len(rep.Findings) == 0 && out != path {
			t.Fatalf("%q: nothing found, yet rewritten to %q", path, out)
		}
		target := path + "?&n=" + strings.ReplaceAll(plantedForm, "@", "%40")
		if strings.Contains(path, "?") {
			target = path + "&n=" + strings.ReplaceAll(plantedForm, "@", "%2540")
		}
		out, _, err = p.ApplyQuery(target, in)
		_, query, _ := strings.Cut(out, "?")
		if err != nil || strings.Contains(decodedForm([]byte(query)), plantedForm) || strings.Contains(query, plantedForm) {
			t.Fatalf("%q: plantedForm value survives in %q (%v)", target, out, err)
		}
	})
}

// FuzzMultipart: splitting and rewriting a multipart body never panics,
// fails only as invalid_json or encoded, is stable, and never lets a
// plantedForm address in a JSON part through beside any other part.
func FuzzMultipart(f *testing.F) {
	for _, s := range []string{
		"--B\r\nContent-Type: application/json\r\n\r\n{\"email\":\"a\"}\r\n--B--",
		"--B\nContent-Disposition: form-data; name=\"email\"\n\nx\n--B--\n",
		"pre\r\n--B \r\n\r\n\r\n--B\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\n\r\n[1]\r\n--C--\r\n--B--",
		"--B\r\nContent-Transfer-Encoding: base64\r\n\r\nxx\r\n--B--", "--B--", "--Bx\r\n--B--", "",
	} {
		f.Add([]byte(s), `multipart/form-data; boundary="B"`)
	}
	p, err := Compile([]byte(fuzzFormRules), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		in := Input{Direction: Request, ContentType: ct}
		out, _, err := p.applyMultipart(body, in, p.Apply)
		switch {
		case errors.Is(err, ErrInvalidJSON), errors.Is(err, ErrEncodedPart):
		case err != nil:
			t.Fatalf("%q: %v", body, err)
		default:
			again, _, err := p.applyMultipart(out, in, p.Apply)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("%q: not stable: %q then %q (%v)", body, out, again, err)
			}
		}
		in.ContentType = "multipart/mixed; boundary=Q"
		withPlant := append([]byte("--Q\r\nContent-Type: application/json\r\n\r\n{\"a\":\""+plantedForm+"\"}\r\n--Q\r\n"), body...)
		withPlant = append(withPlant, "\r\n--Q--"...)
		out, _, err = p.applyMultipart(withPlant, in, p.Apply)
		if err == nil && bytes.Contains(out, []byte(plantedForm)) {
			t.Fatalf("%q: plantedForm value survives in %q", withPlant, out)
		}
	})
}
