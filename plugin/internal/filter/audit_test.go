package filter

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules"
)

// auditRecord is the audit line's JSON as a reader decodes it.
type auditRecord struct {
	RequestID string `json:"request_id"`
	RuleSet   string `json:"rule_set"`
	Findings  []struct {
		Direction string   `json:"direction"`
		Rule      string   `json:"rule"`
		Action    string   `json:"action"`
		Mode      string   `json:"mode"`
		Count     int      `json:"count"`
		Failed    int      `json:"failed"`
		Paths     []string `json:"paths"`
		Detectors []string `json:"detectors"`
		Evidence  []string `json:"evidence"`
	} `json:"findings"`
	Minimized []struct {
		Direction string   `json:"direction"`
		AllowList string   `json:"allow_list"`
		Count     int      `json:"count"`
		Paths     []string `json:"paths"`
	} `json:"minimized"`
}

// decodeAudit checks that line is the prefix and one strict JSON object,
// and decodes it.
func decodeAudit(t *testing.T, line []byte) auditRecord {
	t.Helper()
	body, ok := bytes.CutPrefix(line, []byte(AuditPrefix))
	if !ok {
		t.Fatalf("no %q prefix: %q", AuditPrefix, line)
	}
	if !json.Valid(body) {
		t.Fatalf("not valid JSON: %q", body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var rec auditRecord
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return rec
}

// The audit line carries every string exactly, whatever it holds: request
// ids come from the client, rule ids and paths may hold any character.
func TestAuditLineRoundTrips(t *testing.T) {
	awkward := []string{
		"", "plain", `quote " and backslash \`, "new\nline\r\ttab", "\x00\x01\x1f\x7f",
		"\b\f", "<script>&amp;", "\u2028\u2029", "émoji 😀", "bad \xff\xfe utf-8", "$.users[<name>]",
		`$.a['b\'c']`, strings.Repeat("x", 300),
	}
	for _, s := range awkward {
		var bodies [3]bodyState
		bodies[rules.Request].report = rules.Report{Findings: []rules.Finding{
			{Rule: s, Action: "redact", Count: 2, Paths: []string{s, "$.b"}, Detectors: []string{"email", s}, Evidence: []string{"format", s}},
		}}
		bodies[rules.Response].report = rules.Report{Findings: []rules.Finding{
			{Rule: "r2", Action: "mask", Shadow: true, Count: 1, Paths: []string{"$.c"}},
		}}
		line, ok := appendAuditLine([]byte("kept"), s, s, &bodies)
		if !ok || !bytes.HasPrefix(line, []byte("kept")) {
			t.Fatalf("%q: ok %v, line %q", s, ok, line)
		}
		rec := decodeAudit(t, line[len("kept"):])
		want := validUTF8(s)
		if rec.RequestID != want || rec.RuleSet != want || len(rec.Findings) != 2 {
			t.Fatalf("%q: decoded %+v", s, rec)
		}
		f, g := rec.Findings[0], rec.Findings[1]
		if f.Direction != "request" || f.Rule != want || f.Mode != "enforce" || f.Count != 2 ||
			!reflect.DeepEqual(f.Paths, []string{want, "$.b"}) || !reflect.DeepEqual(f.Detectors, []string{"email", want}) ||
			!reflect.DeepEqual(f.Evidence, []string{"format", want}) {
			t.Errorf("%q: first finding %+v", s, f)
		}
		if g.Direction != "response" || g.Mode != "shadow" || g.Detectors != nil || g.Evidence != nil || !reflect.DeepEqual(g.Paths, []string{"$.c"}) {
			t.Errorf("%q: second finding %+v", s, g)
		}
	}
}

// validUTF8 is s as a JSON reader sees it: each byte of invalid UTF-8 is U+FFFD.
func validUTF8(s string) string { return string([]rune(s)) }

// A stream that found nothing writes no line and leaves the buffer alone.
func TestAuditLineOnlyWhenFound(t *testing.T) {
	var bodies [3]bodyState
	line, ok := appendAuditLine([]byte("kept"), "set", "id", &bodies)
	if ok || string(line) != "kept" {
		t.Fatalf("ok %v, line %q", ok, line)
	}
}

// FuzzAuditLine: whatever the strings, the line is one valid JSON object
// that decodes back to them.
func FuzzAuditLine(f *testing.F) {
	f.Add("id-1", "set", "rule", "$.a.b", "email")
	f.Add("\x00\"\\", "\xff", "\u2028", "$['x']", "")
	f.Fuzz(func(t *testing.T, requestID, ruleSet, rule, path, detector string) {
		var bodies [3]bodyState
		bodies[rules.Response].report = rules.Report{Findings: []rules.Finding{
			{Rule: rule, Action: "redact", Count: 1, Paths: []string{path}, Detectors: []string{detector}},
		}}
		line, ok := appendAuditLine(nil, ruleSet, requestID, &bodies)
		if !ok {
			t.Fatal("no line for a finding")
		}
		rec := decodeAudit(t, line)
		if rec.RequestID != validUTF8(requestID) || rec.RuleSet != validUTF8(ruleSet) || len(rec.Findings) != 1 ||
			rec.Findings[0].Rule != validUTF8(rule) || rec.Findings[0].Paths[0] != validUTF8(path) || rec.Findings[0].Detectors[0] != validUTF8(detector) {
			t.Fatalf("decoded %+v", rec)
		}
	})
}

// A stream whose only news is a minimization still gets its line, with the
// lists of both directions in order and their paths exactly; a stream
// without findings or minimizations gets none.
func TestAuditLineMinimized(t *testing.T) {
	var bodies [3]bodyState
	if _, ok := appendAuditLine(nil, "s", "r", &bodies); ok {
		t.Fatal("a line for a stream that found nothing")
	}
	awkward := `$.a['b\'c"']`
	bodies[rules.Request].report = rules.Report{Minimized: []rules.Minimized{{ID: "in", Count: 1, Paths: []string{"$.x"}}}}
	bodies[rules.Response].report = rules.Report{Minimized: []rules.Minimized{
		{ID: "public-profile", Count: 70, Paths: []string{"$.email", awkward}}, {ID: "second", Count: 2, Paths: []string{"$.y", "$.z"}}}}
	line, ok := appendAuditLine(nil, "s", "r", &bodies)
	if !ok {
		t.Fatal("no line for a minimized stream")
	}
	rec := decodeAudit(t, line)
	if len(rec.Findings) != 0 || len(rec.Minimized) != 3 {
		t.Fatalf("line %s", line)
	}
	got := rec.Minimized
	if got[0].Direction != "request" || got[0].AllowList != "in" || got[0].Count != 1 ||
		got[1].Direction != "response" || got[1].AllowList != "public-profile" || got[1].Count != 70 ||
		!reflect.DeepEqual(got[1].Paths, []string{"$.email", awkward}) || got[2].AllowList != "second" {
		t.Errorf("minimized %+v", got)
	}
	bodies[rules.Request].report = rules.Report{Findings: []rules.Finding{{Rule: "e", Action: "redact", Count: 1, Paths: []string{"$.e"}}}}
	bodies[rules.Response].report = rules.Report{}
	line, _ = appendAuditLine(nil, "s", "r", &bodies)
	if bytes.Contains(line, []byte("minimized")) {
		t.Errorf("minimized written without a minimization: %s", line)
	}
}
