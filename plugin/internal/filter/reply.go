package filter

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/veilproxy/veil/rules"
)

// responseRejectStatus answers every response-side reject: the upstream
// answered, but not with a body the filter may let through.
const responseRejectStatus = 502

// defaultBlockStatus answers a request-side block whose rule names no status.
const defaultBlockStatus = 400

// jsonHeaders are the headers of every local reply.
var jsonHeaders = [][2]string{{"content-type", "application/json"}}

// rejection is a prepared local reply for one failure kind.
type rejection struct {
	requestStatus uint32
	body          []byte
}

// failureKinds lists every kind a body can fail with.
var failureKinds = [...]rules.FailureKind{rules.InvalidJSON, rules.Oversize, rules.Encoded, rules.InternalError, rules.InvalidPath, rules.WorkBudget}

// prepareRejections builds the local replies at plugin start, so a reject
// costs no formatting per request.
func prepareRejections(ruleSet string) map[rules.FailureKind]rejection {
	out := make(map[rules.FailureKind]rejection, len(failureKinds))
	for _, kind := range failureKinds {
		body, _ := json.Marshal(struct {
			Error   string `json:"error"`
			RuleSet string `json:"rule_set"`
		}{kind.String(), ruleSet})
		out[kind] = rejection{requestStatus: uint32(kind.RejectStatus(rules.Request)), body: body}
	}
	return out
}

// blockedError is the "error" of a block rule's local reply.
const blockedError = "blocked"

// appendBlockReply appends the body of the local reply a block rule's
// finding f answers with:
//
//	{"error":"blocked","rule_set":…,"rule":…,"count":N,"detectors":{"aws_access_key":1,…}}
//
// count is the exact number of values the rule found; detectors, left out
// when no detector found anything (the rule selected values by key or
// path), counts the spans per detector kind among the reported paths (the
// first 64, see rules.Finding.Paths). It names kinds and counts, never a
// value. It is appended by hand, as the audit line is, to stay cheap in the VM.
func appendBlockReply(dst []byte, ruleSet string, f *rules.Finding) []byte {
	dst = append(dst, `{"error":"`+blockedError+`","rule_set":`...)
	dst = rules.AppendQuoted(dst, ruleSet)
	dst = append(dst, `,"rule":`...)
	dst = rules.AppendQuoted(dst, f.Rule)
	dst = append(dst, `,"count":`...)
	dst = strconv.AppendInt(dst, int64(f.Count), 10)
	first := true
	for i, det := range f.Detectors {
		if det == "" || slices.Contains(f.Detectors[:i], det) {
			continue // a whole value, or a kind already written
		}
		if first {
			dst = append(dst, `,"detectors":{`...)
			first = false
		} else {
			dst = append(dst, ',')
		}
		dst = rules.AppendQuoted(dst, det)
		dst = append(dst, ':')
		n := 0
		for _, d := range f.Detectors[i:] {
			if d == det {
				n++
			}
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	if !first {
		dst = append(dst, '}')
	}
	return append(dst, '}')
}
