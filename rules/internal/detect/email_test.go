package detect

import "testing"

func TestEmail(t *testing.T) {
	runCases(t, []detectCase{
		{"mail alice@example.com.", []string{"email=alice@example.com"}},
		{"Bob.Smith+news@mail.example.co.uk, thanks", []string{"email=Bob.Smith+news@mail.example.co.uk"}},
		{"<o'brien@example.ie>", []string{"email=o'brien@example.ie"}},
		{"'quoted@example.org'", []string{"email=quoted@example.org"}},
		{"mailto:x_y-z%1@sub-domain.example.io?subject=hi", []string{"email=x_y-z%1@sub-domain.example.io"}},
		{"zoë.müller@exämple.de", []string{"email=zoë.müller@exämple.de"}},
		{"a@b.xn--p1ai", []string{"email=a@b.xn--p1ai"}},
		{"two: a@example.com,b@example.com", []string{"email=a@example.com", "email=b@example.com"}},
		{"ali\u200bce@example.com", []string{"email=ali\u200bce@example.com"}},
		{"ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", []string{"email=ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"}},
		// negatives
		{"@alice and user@localhost", nil},
		{"icon@2x.png react@18.2.0 a@b.c", nil},
		{"double..dot@example.com .lead@example.com", []string{"email=lead@example.com"}},
		{"x@-bad.com x@bad-.com x@.com", nil},
		{"name at example dot com", nil},
	})
}
