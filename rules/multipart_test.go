package rules

import (
	"errors"
	"strings"
	"testing"
)

// mp builds a multipart body from lines joined by nl.
func mp(nl string, lines ...string) string { return strings.Join(lines, nl) }

// applyMP applies p to a multipart body under content type ct.
func applyMP(p *Program, ct, body string) (string, Report, error) {
	out, rep, err := p.ApplyAs(p.BodyKind([]string{ct}), []byte(body), Input{Direction: Request, ContentType: ct}, p.Apply)
	return string(out), rep, err
}

func TestMultipart(t *testing.T) {
	p := mustCompile(t, formRules)
	const ct = `multipart/form-data; boundary=XyZ`
	jsonPart := func(nl, label, body string) string {
		return mp(nl, "--XyZ", `Content-Disposition: form-data; name="meta"`, label, "", body, "--XyZ--", "")
	}
	tests := []struct{ name, ct, in, want string }{
		{"json part CRLF", ct, jsonPart("\r\n", "Content-Type: application/json", `{"email":"a@b.com"}`),
			jsonPart("\r\n", "Content-Type: application/json", `{"email":"[REDACTED]"}`)},
		{"json part LF", ct, jsonPart("\n", "Content-Type: application/json", `{"email":"a@b.com"}`),
			jsonPart("\n", "Content-Type: application/json", `{"email":"[REDACTED]"}`)},
		{"json part labelled text/plain", ct, jsonPart("\r\n", "Content-Type: text/plain", `{"email":"a@b.com"}`),
			jsonPart("\r\n", "Content-Type: text/plain", `{"email":"[REDACTED]"}`)},
		{"json part with BOM", ct, jsonPart("\r\n", "Content-Type: application/octet-stream", "\ufeff{\"email\":\"a@b.com\"}"),
			jsonPart("\r\n", "Content-Type: application/octet-stream", "\ufeff{\"email\":\"[REDACTED]\"}")},
		{"quoted boundary", `multipart/form-data; boundary="XyZ"`, jsonPart("\r\n", "X-A: 1", `{"email":"a"}`),
			jsonPart("\r\n", "X-A: 1", `{"email":"[REDACTED]"}`)},
		{"mixed, boundary case-insensitive param", `Multipart/Mixed; BOUNDARY=XyZ; charset=utf-8`, jsonPart("\r\n", "X-A: 1", `{"email":"a"}`),
			jsonPart("\r\n", "X-A: 1", `{"email":"[REDACTED]"}`)},
		{"text field", ct, mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="email"`, "", "a@b.com", "--XyZ", `Content-Disposition: form-data; name="x"`, "", "1", "--XyZ--"),
			mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="email"`, "", "[REDACTED]", "--XyZ", `Content-Disposition: form-data; name="x"`, "", "1", "--XyZ--")},
		{"nested text field, detector", ct, mp("\r\n", "preamble", "--XyZ", `content-disposition: form-data; name="user[note]"`, "Content-Type: text/plain; charset=utf-8", "", "ssn 123-45-6789", "--XyZ--", "epilogue"),
			mp("\r\n", "preamble", "--XyZ", `content-disposition: form-data; name="user[note]"`, "Content-Type: text/plain; charset=utf-8", "", "ssn [ssn]", "--XyZ--", "epilogue")},
		{"renamed field", ct, mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="123-45-6789"`, "", "1", "--XyZ--"),
			mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="[ssn]"`, "", "1", "--XyZ--")},
		{"removed field", ct, mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="a"`, "", "1", "--XyZ", `Content-Disposition: form-data; name="notes"`, "", "x", "--XyZ--"),
			mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="a"`, "", "1", "--XyZ--")},
		{"file upload untouched", ct, mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="email"; filename="a.txt"`, "Content-Type: text/plain", "", "a@b.com", "--XyZ--"),
			mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="email"; filename="a.txt"`, "Content-Type: text/plain", "", "a@b.com", "--XyZ--")},
		{"content-length of a part follows", ct, mp("\r\n", "--XyZ", "Content-Type: application/json", "Content-Length: 13", "", `{"email":"a"}`, "--XyZ--"),
			mp("\r\n", "--XyZ", "Content-Type: application/json", "Content-Length: 22", "", `{"email":"[REDACTED]"}`, "--XyZ--")},
		{"nested multipart", ct, mp("\r\n", "--XyZ", "Content-Type: multipart/mixed; boundary=in", "", "--in", "Content-Type: application/json", "", `{"email":"a"}`, "--in--", "--XyZ--"),
			mp("\r\n", "--XyZ", "Content-Type: multipart/mixed; boundary=in", "", "--in", "Content-Type: application/json", "", `{"email":"[REDACTED]"}`, "--in--", "--XyZ--")},
		{"form part", ct, mp("\r\n", "--XyZ", "Content-Type: application/x-www-form-urlencoded", "", "email=a%40b&x=1", "--XyZ--"),
			mp("\r\n", "--XyZ", "Content-Type: application/x-www-form-urlencoded", "", "email=%5BREDACTED%5D&x=1", "--XyZ--")},
		{"ndjson part", ct, mp("\r\n", "--XyZ", "Content-Type: application/x-ndjson", "", "{\"email\":1}\n{\"email\":2}", "--XyZ--"),
			mp("\r\n", "--XyZ", "Content-Type: application/x-ndjson", "", "{\"email\":\"[REDACTED]\"}\n{\"email\":\"[REDACTED]\"}", "--XyZ--")},
		{"empty part and padding", ct, mp("\r\n", "--XyZ  ", "", "", "--XyZ", "Content-Type: application/json", "", `{"email":"a"}`, "--XyZ--"),
			mp("\r\n", "--XyZ  ", "", "", "--XyZ", "Content-Type: application/json", "", `{"email":"[REDACTED]"}`, "--XyZ--")},
		{"unchanged", ct, mp("\r\n", "--XyZ", "", "hello", "--XyZ--"), mp("\r\n", "--XyZ", "", "hello", "--XyZ--")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := applyMP(p, tc.ct, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if out != tc.want {
				t.Errorf("got  %q\nwant %q", out, tc.want)
			}
		})
	}
}

func TestMultipartRefused(t *testing.T) {
	p := mustCompile(t, formRules)
	const ct = `multipart/form-data; boundary=XyZ`
	invalid := []struct{ name, ct, in string }{
		{"no boundary", "multipart/form-data", mp("\r\n", "--XyZ", "", `{"email":"a"}`, "--XyZ--")},
		{"two boundaries", "multipart/form-data; boundary=XyZ; boundary=Q", mp("\r\n", "--XyZ", "", `{"email":"a"}`, "--XyZ--")},
		{"no close delimiter", ct, mp("\r\n", "--XyZ", "", `{"email":"a"}`)},
		{"no delimiter", ct, `{"email":"a"}`},
		{"boundary inside a part", ct, mp("\r\n", "--XyZ", "", `{"email":"a"} --XyZ`, "--XyZ--")},
		{"delimiter after close", ct, mp("\r\n", "--XyZ", "", "x", "--XyZ--", "--XyZ", "", `{"email":"a"}`)},
		{"malformed delimiter", ct, mp("\r\n", "--XyZjunk", "", "x", "--XyZ--")},
		{"malformed header", ct, mp("\r\n", "--XyZ", "no colon", "", "x", "--XyZ--")},
		{"invalid json part", ct, mp("\r\n", "--XyZ", "Content-Type: application/json", "", `{"email":`, "--XyZ--")},
		{"too deep", ct, strings.Repeat("--XyZ\r\nContent-Type: multipart/mixed; boundary=XyZ\r\n\r\n", 9)},
	}
	for _, tc := range invalid {
		if _, _, err := applyMP(p, tc.ct, tc.in); !errors.Is(err, ErrInvalidJSON) {
			t.Errorf("%s: %v, want invalid json", tc.name, err)
		}
	}
	for _, cte := range []string{"base64", "quoted-printable", "BASE64"} {
		in := mp("\r\n", "--XyZ", "Content-Transfer-Encoding: "+cte, "", "eyJlbWFpbCI6ImEifQ==", "--XyZ--")
		if _, _, err := applyMP(p, ct, in); !errors.Is(err, ErrEncodedPart) {
			t.Errorf("%s: %v, want encoded", cte, err)
		}
	}
	in := mp("\r\n", "--XyZ", "Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: binary", "", "eyJlbWFpbCI6ImEifQ==", "--XyZ--")
	if _, _, err := applyMP(p, ct, in); !errors.Is(err, ErrEncodedPart) {
		t.Errorf("two transfer encodings: %v, want encoded", err)
	}
	in = mp("\r\n", "--XyZ", "Content-Encoding: gzip", "", "x", "--XyZ--")
	if _, _, err := applyMP(p, ct, in); !errors.Is(err, ErrEncodedPart) {
		t.Errorf("gzip part: %v, want encoded", err)
	}
	skip := mustCompile(t, "match: {never_sniff: [\"multipart/*\"]}\nrules: [{id: e, select: {keys: [email]}, action: redact}]")
	if k := skip.BodyKind([]string{ct}); k != BodySkip {
		t.Errorf("never_sniff multipart/*: %v", k)
	}
	noForms := mustCompile(t, "rules: [{id: e, select: {keys: [email]}, action: redact}]")
	if k := noForms.BodyKind([]string{ct}); k != BodyMultipart {
		t.Errorf("multipart is read by default: %v", k)
	}
	field := mp("\r\n", "--XyZ", `Content-Disposition: form-data; name="email"`, "", "a@b.com", "--XyZ--")
	if out, _, err := applyMP(noForms, ct, field); err != nil || out != field {
		t.Errorf("text field without match.forms: %q %v", out, err)
	}
}
