package main

import (
	"bytes"
	"slices"
	"testing"
)

func TestPathList(t *testing.T) {
	for _, tc := range []struct {
		name             string
		count            int
		paths, det, evid []string
		want             string
	}{
		{"one", 1, []string{"$.email"}, nil, nil, "$.email"},
		{"three", 3, []string{"$.a", "$.b", "$.c"}, nil, nil, "$.a, $.b, $.c"},
		{"more than shown", 5, []string{"$.a", "$.b", "$.c", "$.d", "$.e"}, nil, nil, "$.a, $.b, $.c, … +2 more"},
		{"more than reported", 100, []string{"$.a", "$.b"}, nil, nil, "$.a, $.b, … +98 more"},
		{"repeated path", 3, []string{"$.note", "$.note", "$.x"}, nil, nil, "$.note ×2, $.x"},
		{"detector and evidence", 2, []string{"$.note", "$.id"}, []string{"email", ""}, []string{"format+key", ""},
			"$.note (email, format+key), $.id"},
		{"detector without evidence", 1, []string{"$.note"}, []string{"phone"}, nil, "$.note (phone)"},
		{"two spans, two detectors", 2, []string{"$.note", "$.note"}, []string{"email", "phone"}, []string{"format", "format"},
			"$.note (email, format), $.note (phone, format)"},
	} {
		if got := pathList(tc.count, tc.paths, tc.det, tc.evid); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// testAudit holds one of each kind of line a summary prints.
var testAudit = audit{RuleSet: "shop", Findings: []auditFinding{
	{Direction: "request", Rule: "contact-email", Action: "redact", Mode: "enforce", Count: 5,
		Paths: []string{"$.users[0].email", "$.users[1].email", "$.users[2].email", "$.users[3].email", "$.users[4].email"}},
	{Direction: "request", Rule: "pii-scan", Action: "redact", Mode: "enforce", Count: 2,
		Paths: []string{"$.note", "$.bio"}, Detectors: []string{"email", "phone"}, Evidence: []string{"format", "format+key"}},
	{Direction: "request", Rule: "card", Action: "fpe", Mode: "enforce", Count: 2, Failed: 1, Paths: []string{"$.pan", "$.pan2"}},
	{Direction: "response", Rule: "notes", Action: "remove", Mode: "enforce", Count: 1, Paths: []string{"$.internal_notes"}},
	{Direction: "response", Rule: "phone", Action: "mask", Mode: "shadow", Count: 1, Paths: []string{"$.phone"}},
}, Minimized: []auditMinimized{
	{Direction: "response", AllowList: "public-profile", Count: 2, Paths: []string{"$.debug", "$.trace"}},
}}

// The summary's layout, plain and coloured (testdata/summary*.golden).
func TestSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     summary
		color bool
	}{
		{"summary.golden", summary{title: "veil run", audit: testAudit, notes: []string{"local reply 502 veil_rejected from on_http_response_body"}}, false},
		{"summary-color.golden", summary{title: "veil run", audit: testAudit}, true},
		{"summary-nothing.golden", summary{title: "veil redact: a.json", audit: audit{RuleSet: "shop"}}, false},
	} {
		var buf bytes.Buffer
		tc.s.write(&buf, tc.color)
		golden(t, tc.name, buf.String())
	}
}

// mergeAudit sums a rule's findings over NDJSON lines, paths prefixed,
// detectors kept beside their paths.
func TestMergeAudit(t *testing.T) {
	var total audit
	mergeAudit(&total, audit{RuleSet: "s", Findings: []auditFinding{{Direction: "request", Rule: "r", Mode: "enforce", Count: 1, Paths: []string{"$.a"}}}}, "line 1 ")
	mergeAudit(&total, audit{RuleSet: "s", Findings: []auditFinding{{Direction: "request", Rule: "r", Mode: "enforce", Count: 2,
		Paths: []string{"$.b", "$.c"}, Detectors: []string{"email", ""}, Evidence: []string{"format", ""}}},
		Minimized: []auditMinimized{{Direction: "request", AllowList: "l", Count: 1, Paths: []string{"$.x"}}}}, "line 3 ")
	mergeAudit(&total, audit{RuleSet: "s", Minimized: []auditMinimized{{Direction: "request", AllowList: "l", Count: 1, Paths: []string{"$.y"}}}}, "line 4 ")
	f := total.Findings
	if total.RuleSet != "s" || len(f) != 1 || f[0].Count != 3 ||
		!slices.Equal(f[0].Paths, []string{"line 1 $.a", "line 3 $.b", "line 3 $.c"}) ||
		!slices.Equal(f[0].Detectors, []string{"", "email", ""}) || !slices.Equal(f[0].Evidence, []string{"", "format", ""}) {
		t.Errorf("findings %+v", f)
	}
	if m := total.Minimized; len(m) != 1 || m[0].Count != 2 || !slices.Equal(m[0].Paths, []string{"line 3 $.x", "line 4 $.y"}) {
		t.Errorf("minimized %+v", m)
	}
}
