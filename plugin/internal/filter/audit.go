package filter

import (
	"strconv"

	"github.com/veilproxy/veil/rules"
)

// AuditPrefix starts every audit log line, so log pipelines can select them.
const AuditPrefix = "veil audit "

// appendAuditLine appends the one audit line of a stream to dst; ok is false
// (and dst unchanged) when neither body found anything. The line is
//
//	veil audit {"request_id":…,"rule_set":…,"findings":[{"direction":…,"rule":…,
//	"action":…,"mode":"enforce"|"shadow","count":…,"failed":…,"paths":[…],"detectors":[…],
//	"evidence":[…]},…],
//	"minimized":[{"direction":…,"allow_list":…,"count":…,"paths":[…]},…]}
//
// with "minimized" present only when a minimize list removed anything
// (its paths are those of the removed members, at most 64 per list);
// with "failed" left out when zero and "detectors" and "evidence" when empty. "failed"
// counts the values the action could not carry out (rules.Finding.Failed:
// an fpe value too short, a token reveal could not open); a block rule's
// finding (action "block", mode "enforce") means the exchange was refused.
// A finding carries counts and JSON paths, never values, and never a member
// name that looks like personal data: package rules writes such a name
// [<name>] in every path, whatever the rule set (see "What Apply reports"
// in rules/SYNTAX.md). Detectors names, per path, the detector that found a
// span there ("" for a value a paths or keys selector picked whole), and
// evidence what supported it ("checksum", "format+key", …; "" likewise).
//
// The line is appended by hand rather than with encoding/json: reflection
// costs tens of microseconds per line inside the VM (docs/benchmarks.md,
// "Per exchange").
func appendAuditLine(dst []byte, ruleSet, requestID string, bodies *[3]bodyState) (line []byte, ok bool) {
	if !reported(&bodies[rules.Request].report) && !reported(&bodies[rules.Response].report) {
		return dst, false
	}
	dst = append(dst, AuditPrefix+`{"request_id":`...)
	dst = rules.AppendQuoted(dst, requestID)
	dst = append(dst, `,"rule_set":`...)
	dst = rules.AppendQuoted(dst, ruleSet)
	dst = append(dst, `,"findings":[`...)
	n := 0
	for _, d := range directions {
		for _, f := range bodies[d].report.Findings {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			mode := "enforce"
			if f.Shadow {
				mode = "shadow"
			}
			dst = append(dst, `{"direction":"`...)
			dst = append(dst, d.String()...)
			dst = append(dst, `","rule":`...)
			dst = rules.AppendQuoted(dst, f.Rule)
			dst = append(dst, `,"action":`...)
			dst = rules.AppendQuoted(dst, f.Action)
			dst = append(dst, `,"mode":"`...)
			dst = append(dst, mode...)
			dst = append(dst, `","count":`...)
			dst = strconv.AppendInt(dst, int64(f.Count), 10)
			if f.Failed > 0 {
				dst = append(dst, `,"failed":`...)
				dst = strconv.AppendInt(dst, int64(f.Failed), 10)
			}
			dst = append(dst, `,"paths":`...)
			dst = appendStrings(dst, f.Paths)
			if len(f.Detectors) > 0 {
				dst = append(dst, `,"detectors":`...)
				dst = appendStrings(dst, f.Detectors)
			}
			if len(f.Evidence) > 0 {
				dst = append(dst, `,"evidence":`...)
				dst = appendStrings(dst, f.Evidence)
			}
			dst = append(dst, '}')
		}
	}
	dst = append(dst, ']')
	n = 0
	for _, d := range directions {
		for _, m := range bodies[d].report.Minimized {
			if n == 0 {
				dst = append(dst, `,"minimized":[`...)
			} else {
				dst = append(dst, ',')
			}
			n++
			dst = append(dst, `{"direction":"`...)
			dst = append(dst, d.String()...)
			dst = append(dst, `","allow_list":`...)
			dst = rules.AppendQuoted(dst, m.ID)
			dst = append(dst, `,"count":`...)
			dst = strconv.AppendInt(dst, int64(m.Count), 10)
			dst = append(dst, `,"paths":`...)
			dst = appendStrings(dst, m.Paths)
			dst = append(dst, '}')
		}
	}
	if n > 0 {
		dst = append(dst, ']')
	}
	return append(dst, '}'), true
}

// reported reports whether a body's report has anything for the audit
// line: a finding or a minimization.
func reported(r *rules.Report) bool {
	return len(r.Findings) > 0 || len(r.Minimized) > 0
}

// appendStrings appends ss as a JSON array of strings (null for none, as
// encoding/json writes a nil slice).
func appendStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = rules.AppendQuoted(dst, s)
	}
	return append(dst, ']')
}
