package filter

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules"
)

// blockReply is a block rule's local reply body as a client decodes it.
type blockReply struct {
	Error     string         `json:"error"`
	RuleSet   string         `json:"rule_set"`
	Rule      string         `json:"rule"`
	Count     int            `json:"count"`
	Detectors map[string]int `json:"detectors"`
}

// decodeBlockReply checks that body is one strict JSON object with the
// reply's fields only, and decodes it.
func decodeBlockReply(t *testing.T, body []byte) blockReply {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("not valid JSON: %q", body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r blockReply
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return r
}

// A block reply names the rule set, the rule, the exact count and the
// detector kinds with their counts among the reported spans; a finding of
// whole values selected by key or path has no detectors object.
func TestBlockReply(t *testing.T) {
	for _, tc := range []struct {
		name    string
		finding rules.Finding
		want    blockReply
	}{
		{"by key", rules.Finding{Rule: "no-card", Action: "block", Count: 3, Paths: []string{"$.a", "$.b", "$.c"}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "no-card", Count: 3}},
		{"one detector", rules.Finding{Rule: "no-secrets", Action: "block", Count: 1, Paths: []string{"$.m"}, Detectors: []string{"aws_access_key"}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "no-secrets", Count: 1, Detectors: map[string]int{"aws_access_key": 1}}},
		{"several detectors", rules.Finding{Rule: "s", Action: "block", Count: 4, Paths: []string{"$.m", "$.m", "$.n", "$.m"},
			Detectors: []string{"private_key", "aws_access_key", "private_key", "private_key"}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "s", Count: 4, Detectors: map[string]int{"private_key": 3, "aws_access_key": 1}}},
		{"detectors and whole values", rules.Finding{Rule: "mixed", Action: "block", Count: 3, Paths: []string{"$.k", "$.m", "$.k"},
			Detectors: []string{"", "email", ""}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "mixed", Count: 3, Detectors: map[string]int{"email": 1}}},
		{"more spans than paths", rules.Finding{Rule: "many", Action: "block", Count: 100, Paths: []string{"$.m", "$.m"}, Detectors: []string{"email", "email"}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "many", Count: 100, Detectors: map[string]int{"email": 2}}},
		{"awkward names", rules.Finding{Rule: "q\"\\\n\u2028", Action: "block", Count: 1, Paths: []string{"$.m"}, Detectors: []string{"my \"custom\""}},
			blockReply{Error: "blocked", RuleSet: "set", Rule: "q\"\\\n\u2028", Count: 1, Detectors: map[string]int{"my \"custom\"": 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := appendBlockReply([]byte("kept"), "set", &tc.finding)
			if !bytes.HasPrefix(body, []byte("kept")) {
				t.Fatalf("dst not kept: %q", body)
			}
			got := decodeBlockReply(t, body[len("kept"):])
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v\nbody %s", got, tc.want, body)
			}
			for _, p := range tc.finding.Paths {
				if strings.Contains(string(body), p) {
					t.Errorf("reply spells a path %q: %s", p, body)
				}
			}
		})
	}
}

// The audit line carries Failed when there is any, and leaves it out when zero.
func TestAuditLineFailed(t *testing.T) {
	var bodies [3]bodyState
	bodies[rules.Request].report = rules.Report{Findings: []rules.Finding{
		{Rule: "card", Action: "fpe", Count: 3, Failed: 2, Paths: []string{"$.a", "$.b", "$.c"}},
		{Rule: "dob", Action: "generalize", Count: 1, Paths: []string{"$.d"}},
	}}
	bodies[rules.Response].report = rules.Report{Findings: []rules.Finding{
		{Rule: "restore", Action: "reveal", Count: 4, Failed: 1, Paths: []string{"$.e"}, Detectors: []string{""}},
	}}
	line, ok := appendAuditLine(nil, "set", "id", &bodies)
	if !ok {
		t.Fatal("no line")
	}
	rec := decodeAudit(t, line)
	if len(rec.Findings) != 3 || rec.Findings[0].Failed != 2 || rec.Findings[1].Failed != 0 || rec.Findings[2].Failed != 1 {
		t.Fatalf("decoded %+v", rec)
	}
	if n := strings.Count(string(line), `"failed"`); n != 2 {
		t.Errorf("%d \"failed\" members, want 2 (none for zero): %s", n, line)
	}
}

// FuzzBlockReply: whatever the names and detectors, the reply is one valid
// JSON object that decodes back to them, with per-kind counts that add up to
// the spans of the finding.
func FuzzBlockReply(f *testing.F) {
	f.Add("set", "rule", "email", "aws_access_key", 3)
	f.Add("\xff", "\x00\"", "", "\u2028", 0)
	f.Fuzz(func(t *testing.T, ruleSet, rule, det1, det2 string, count int) {
		finding := rules.Finding{Rule: rule, Action: "block", Count: count, Paths: []string{"$.a", "$.b", "$.c"},
			Detectors: []string{det1, det2, det1}}
		got := decodeBlockReply(t, appendBlockReply(nil, ruleSet, &finding))
		if got.Error != "blocked" || got.RuleSet != validUTF8(ruleSet) || got.Rule != validUTF8(rule) || got.Count != count {
			t.Fatalf("decoded %+v", got)
		}
		want := 0
		for _, d := range finding.Detectors {
			if d != "" {
				want++
			}
		}
		total := 0
		for _, n := range got.Detectors {
			total += n
		}
		// Distinct invalid UTF-8 kinds may decode to one name: count the spans, not the names.
		if total > want || (validUTF8(det1) != validUTF8(det2) || det1 == det2) && total != want {
			t.Fatalf("detector counts %v for %q", got.Detectors, finding.Detectors)
		}
	})
}
