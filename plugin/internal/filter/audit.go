package filter

import (
	"bytes"
	"encoding/json"
)

// AuditPrefix starts every audit log line, so log pipelines can select them.
const AuditPrefix = "veil audit "

// auditFinding is one rule's finding in one direction. It carries counts and
// JSON paths, never values, and never a member name that looks like personal
// data: package rules writes such a name [<name>] in every path, whatever
// the rule set (see "What Apply reports" in rules/SYNTAX.md).
type auditFinding struct {
	Direction string   `json:"direction"`
	Rule      string   `json:"rule"`
	Action    string   `json:"action"`
	Mode      string   `json:"mode"`
	Count     int      `json:"count"`
	Paths     []string `json:"paths"`
	// Detectors names, per path, the detector that found a span there
	// ("" for a value a paths or keys selector picked whole).
	Detectors []string `json:"detectors,omitempty"`
}

// auditLine formats the one audit line of a stream; ok is false when neither
// body found anything.
func auditLine(ruleSet, requestID string, bodies *[3]bodyState) (line string, ok bool) {
	var findings []auditFinding
	for _, d := range directions {
		for _, f := range bodies[d].report.Findings {
			mode := "enforce"
			if f.Shadow {
				mode = "shadow"
			}
			findings = append(findings, auditFinding{d.String(), f.Rule, f.Action, mode, f.Count, f.Paths, f.Detectors})
		}
	}
	if len(findings) == 0 {
		return "", false
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a log line, not HTML: paths such as $.users[<name>] stay readable
	_ = enc.Encode(struct {
		RequestID string         `json:"request_id"`
		RuleSet   string         `json:"rule_set"`
		Findings  []auditFinding `json:"findings"`
	}{requestID, ruleSet, findings})
	return AuditPrefix + string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), true
}
