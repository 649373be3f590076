package filter

import (
	"encoding/json"

	"github.com/veilproxy/veil/rules"
)

// responseRejectStatus answers every response-side reject: the upstream
// answered, but not with a body the filter may let through.
const responseRejectStatus = 502

// jsonHeaders are the headers of every local reply.
var jsonHeaders = [][2]string{{"content-type", "application/json"}}

// rejection is a prepared local reply for one failure kind.
type rejection struct {
	requestStatus uint32
	body          []byte
}

// failureKinds lists every kind a body can fail with.
var failureKinds = [...]rules.FailureKind{rules.InvalidJSON, rules.Oversize, rules.Encoded, rules.InternalError, rules.InvalidPath, rules.WorkBudget}

// requestRejectStatus maps a failure kind to the status of a request-side reject.
func requestRejectStatus(kind rules.FailureKind) uint32 {
	switch kind {
	case rules.InvalidJSON, rules.InvalidPath:
		return 400
	case rules.Oversize:
		return 413
	case rules.Encoded:
		return 415
	}
	return 500
}

// prepareRejections builds the local replies at plugin start, so a reject
// costs no formatting per request.
func prepareRejections(ruleSet string) map[rules.FailureKind]rejection {
	out := make(map[rules.FailureKind]rejection, len(failureKinds))
	for _, kind := range failureKinds {
		body, _ := json.Marshal(struct {
			Error   string `json:"error"`
			RuleSet string `json:"rule_set"`
		}{kind.String(), ruleSet})
		out[kind] = rejection{requestStatus: requestRejectStatus(kind), body: body}
	}
	return out
}
