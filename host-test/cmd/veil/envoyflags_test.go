package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --allow-on-headers-stop-iteration is Envoy's allow_on_headers_stop_iteration
// (≥ 1.35): with it a rule set that holds the response headers
// (report_header, mark_responses) gets its response through, summary header
// written; without it the response stalls as in Envoy, and a note on stderr
// says why and what to do. A flags file can carry the switch.
func TestAllowOnHeadersStopIterationFlag(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	body := write("body.json", `{"email":"ann@example.com","id":7}`)
	rulesWith := func(extra string) string {
		return write(strings.NewReplacer(" ", "_", ":", "").Replace(extra)+".yaml",
			"version: 1\nname: held\n"+extra+"rules:\n  - id: mail\n    select: { keys: [email] }\n    action: redact\n")
	}
	switchFile := write("flags", "# Envoy >= 1.35\n--allow-on-headers-stop-iteration\n")
	for _, c := range []struct {
		name, extra, holds string
		wantHeader         [2]string
	}{
		{"report_header", "report_header: x-veil\n", "report_header", [2]string{"x-veil", "mail=1"}},
		{"mark_responses", "mark_responses: true\n", "mark_responses", [2]string{"cache-control", "no-store"}},
		{"both", "report_header: x-veil\nmark_responses: true\n", "report_header and mark_responses", [2]string{"x-veil", "mail=1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"run", "--plugin", pluginPath, "--rules", rulesWith(c.extra), "--response-body", body}
			_, stderr, code := cli(t, args...)
			if code != 1 || !strings.Contains(stderr, "note: the rule set sets "+c.holds+",") ||
				!strings.Contains(stderr, "allow_on_headers_stop_iteration: true") ||
				!strings.Contains(stderr, "--allow-on-headers-stop-iteration") || !strings.Contains(stderr, "Envoy >= 1.35") {
				t.Errorf("without the switch: exit %d, stderr %s", code, stderr)
			}
			for _, on := range [][]string{{"--allow-on-headers-stop-iteration"}, {"--flags", switchFile}} {
				out, stderr, code := cli(t, append(append(args, "--json"), on...)...)
				if code != 0 || strings.Contains(stderr, "note:") {
					t.Fatalf("%s: exit %d, stderr %s", on, code, stderr)
				}
				var res struct {
					Response struct {
						Headers [][2]string
						Body    string
					}
				}
				if err := json.Unmarshal([]byte(out), &res); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, h := range res.Response.Headers {
					found = found || h == c.wantHeader
				}
				if !found || res.Response.Body != `{"email":"[REDACTED]","id":7}` {
					t.Errorf("%s: response %v %s, want header %v", on, res.Response.Headers, res.Response.Body, c.wantHeader)
				}
			}
		})
	}
	// A rule set that holds nothing gets no note, switch or not (-q: no report either).
	for _, on := range [][]string{nil, {"--allow-on-headers-stop-iteration"}} {
		out, stderr, code := cli(t, append([]string{"run", "--plugin", pluginPath, "--rules", rulesWith(""), "--response-body", body, "-q"}, on...)...)
		if code != 0 || stderr != "" || out != "{\"email\":\"[REDACTED]\",\"id\":7}\n" {
			t.Errorf("%q: exit %d, output %q, stderr %q", on, code, out, stderr)
		}
	}
}
