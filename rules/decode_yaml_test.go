package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// compileError compiles src and returns its first diagnostic as
// "line:col: message", "" when it compiles.
func compileError(t *testing.T, src string) string {
	t.Helper()
	_, err := Compile([]byte(src), Options{})
	if err == nil {
		return ""
	}
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("error is %T", err)
	}
	d := ce.Diagnostics[0]
	return fmt.Sprintf("%d:%d: %s", d.Line, d.Col, d.Message)
}

// TestYAMLErrorPositions checks that a YAML mistake is reported at the line
// that makes the document fail, and a tab as the cause at its column.
func TestYAMLErrorPositions(t *testing.T) {
	const tab = "invalid yaml: a tab indents this line; YAML indents with spaces"
	cases := []struct{ name, src, want string }{
		{"tab before a list item", "version: 1\nrules:\n\t- id: a\n", "3:1: " + tab},
		{"tab before a key", "version: 1\nrules:\n  - id: a\n    select: { keys: [x] }\n\taction: redact\n", "5:1: " + tab},
		{"tab breaking the indentation", "version: 1\nrules:\n  - id: a\n\t  select: { keys: [x] }\n", "4:1: " + tab},
		{"tab after spaces", "a:\n  b: 1\n  \tc: 2\n", "3:3: " + tab},
		{"tab in a nested mapping", "a:\n  b:\n    c: 1\n\t\td: 2\n", "4:1: " + tab},
		{"tab on the first line", "\tversion: 1\n", "1:1: " + tab},
		{"over-indented key", "version: 1\nrules:\n  - id: a\n    select: { keys: [x] }\n     action: redact\n",
			"5:6: invalid yaml: did not find expected key"},
		{"under-indented key", "version: 1\nrules:\n  - id: a\n    select: { keys: [x] }\n   action: redact\n",
			"5:4: invalid yaml: did not find expected '-' indicator"},
		{"indented top-level key", "version: 1\nname: x\n  rules:\n", "3:3: invalid yaml: mapping values are not allowed in this context"},
		{"nested key too deep", "version: 1\nrules:\n  - id: a\n    select:\n      keys: [x]\n        paths: [y]\n",
			"6:9: invalid yaml: did not find expected key"},
		{"unclosed flow mapping", "version: 1\nrules:\n  - id: a\n    select: { keys: [x]\n    action: redact\n",
			"4:5: invalid yaml: did not find expected ',' or '}'"},
		{"reserved indicator", "version: 1\nname: x\nrules:\n  - { id: a, select: { keys: [@x] }, action: redact }\n",
			"4:31: invalid yaml: found character that cannot start any token (quote a value that starts with \"@\")"},
		{"tab inside a value is fine", "version: 1\nname: x\t\nrules:\n  - { id: a, select: { keys: [\"x\ty\"] }, action: redact }\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := compileError(t, c.src); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestReplacementLimit checks that redact.with is refused past 64 KiB of
// JSON text, whatever its shape, on body and header rules.
func TestReplacementLimit(t *testing.T) {
	with := func(v string) string {
		return "rules:\n  - id: a\n    select: { keys: [x] }\n    action: { redact: { with: " + v + " } }\n"
	}
	header := func(v string) string {
		return "rules:\n  - id: a\n    select: { headers: [x-a] }\n    action: { redact: { with: " + v + " } }\n"
	}
	const refused = "4:31: redact.with: replacement longer than 65536 bytes (64 KiB) as JSON text; each value replaced gets a copy, so write a short marker"
	cases := []struct{ name, src, want string }{
		{"string at the limit", with(`"` + strings.Repeat("a", maxWithBytes-2) + `"`), ""},
		{"string one byte over", with(`"` + strings.Repeat("a", maxWithBytes-1) + `"`), refused},
		{"200,000 characters", with(`"` + strings.Repeat("a", 200000) + `"`), refused},
		{"escapes count as written", with(`"` + strings.Repeat(`\n`, maxWithBytes/2) + `"`), refused},
		{"a list", with("[" + strings.Repeat(`"aaaaaaaaaa",`, 7000) + "1]"), refused},
		{"header rule", header(`"` + strings.Repeat("a", 200000) + `"`), refused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := compileError(t, c.src); got != c.want {
				if len(got) > 200 {
					got = got[:200]
				}
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestReportHeaderReserved checks that report_header refuses the headers
// the summary would overwrite, at the value.
func TestReportHeaderReserved(t *testing.T) {
	const rest = "\nrules:\n  - { id: a, select: { keys: [x] }, action: redact }\n"
	cases := []struct{ header, want string }{
		{"x-veil", ""},
		{"X-Veil-Summary", ""},
		{"content-type", `2:16: report_header: "content-type" frames the response, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"Content-Length", `2:16: report_header: "Content-Length" frames the response, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"content-encoding", `2:16: report_header: "content-encoding" frames the response, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"host", `2:16: report_header: "host" frames the response, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"Transfer-Encoding", `2:16: report_header: "Transfer-Encoding" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"connection", `2:16: report_header: "connection" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"keep-alive", `2:16: report_header: "keep-alive" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"proxy-connection", `2:16: report_header: "proxy-connection" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"te", `2:16: report_header: "te" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"trailer", `2:16: report_header: "trailer" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"upgrade", `2:16: report_header: "upgrade" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"proxy-authenticate", `2:16: report_header: "proxy-authenticate" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{"proxy-authorization", `2:16: report_header: "proxy-authorization" is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil`},
		{`":status"`, `2:16: report_header: ":status" is a pseudo-header; name a header of your own, such as x-veil`},
		{`"x veil"`, `2:16: report_header: "x veil" is not a valid header name`},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			if got := compileError(t, "version: 1\nreport_header: "+c.header+rest); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
