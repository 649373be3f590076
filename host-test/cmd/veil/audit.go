package main

import (
	"encoding/json"
	"strings"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// auditPrefix starts the plugin's audit log line (filter.AuditPrefix).
const auditPrefix = "veil audit "

// audit is what one exchange (or, natively, one document) changed, in the
// shape of the plugin's audit line: per rule the count and the JSON paths,
// never values. run reads it from the audit line the plugin logged; redact
// builds it from the rules.Report of each document.
type audit struct {
	RequestID string           `json:"request_id,omitempty"`
	RuleSet   string           `json:"rule_set"`
	Findings  []auditFinding   `json:"findings"`
	Minimized []auditMinimized `json:"minimized,omitempty"`
}

// auditFinding is one rule's finding in one direction (rules.Finding).
type auditFinding struct {
	Direction string `json:"direction"`
	Rule      string `json:"rule"`
	Action    string `json:"action"`
	// Mode is "enforce", or "shadow" when nothing was changed.
	Mode      string   `json:"mode"`
	Count     int      `json:"count"`
	Failed    int      `json:"failed,omitempty"`
	Paths     []string `json:"paths"`
	Detectors []string `json:"detectors,omitempty"`
	Evidence  []string `json:"evidence,omitempty"`
}

// auditMinimized is what one minimize list removed in one direction (rules.Minimized).
type auditMinimized struct {
	Direction string   `json:"direction"`
	AllowList string   `json:"allow_list"`
	Count     int      `json:"count"`
	Paths     []string `json:"paths"`
}

// auditFromLogs parses the audit line among a result's logs; ok is false
// when the plugin logged none (nothing was found) or the line does not parse.
func auditFromLogs(logs []hosttest.LogEntry) (a audit, ok bool) {
	for _, e := range logs {
		if line, found := strings.CutPrefix(e.Message, auditPrefix); found {
			return a, json.Unmarshal([]byte(line), &a) == nil
		}
	}
	return a, false
}

// add appends what a native Apply reported for one body in direction dir.
func (a *audit) add(dir rules.Direction, r rules.Report) {
	for _, f := range r.Findings {
		mode := "enforce"
		if f.Shadow {
			mode = "shadow"
		}
		a.Findings = append(a.Findings, auditFinding{
			Direction: dir.String(), Rule: f.Rule, Action: f.Action, Mode: mode,
			Count: f.Count, Failed: f.Failed, Paths: f.Paths, Detectors: f.Detectors, Evidence: f.Evidence,
		})
	}
	for _, m := range r.Minimized {
		a.Minimized = append(a.Minimized, auditMinimized{Direction: dir.String(), AllowList: m.ID, Count: m.Count, Paths: m.Paths})
	}
}

// total returns the number of values acted on and members removed.
func (a *audit) total() int {
	n := 0
	for _, f := range a.Findings {
		n += f.Count
	}
	for _, m := range a.Minimized {
		n += m.Count
	}
	return n
}
