package filter

import (
	"errors"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// Header rules (`select: { headers: [...] }`) run in the headers callbacks,
// the only moment Envoy lets a filter write headers: for every exchange in
// match's scope, whether or not a body follows and whether or not the body
// is read. Their report is kept apart from the body's (headerReports) and
// joins it for the audit line and the report header (rules.MergeReports);
// their values are counted at once.

// headerWrites are the host calls that write one direction's header map.
type headerWrites struct {
	remove func(name string) error
	add    func(name, value string) error
}

// headerWriteCalls is indexed by rules.Direction.
var headerWriteCalls = [3]headerWrites{
	rules.Request:  {remove: proxywasm.RemoveHttpRequestHeader, add: proxywasm.AddHttpRequestHeader},
	rules.Response: {remove: proxywasm.RemoveHttpResponseHeader, add: proxywasm.AddHttpResponseHeader},
}

// applyHeaderRules applies the header rules of direction d to its header
// map and writes what they changed. answered is true when the exchange was
// answered (a block rule found something, or a failure rejected it); the
// callback then returns action.
func (s *stream) applyHeaderRules(d rules.Direction, headers [][2]string) (action types.Action, answered bool) {
	p := s.plugin.program
	if !p.HeaderRules(d) || !p.InScope(s.method, s.path) {
		return types.ActionContinue, false
	}
	edits, report, err := p.ApplyHeaders(headers, rules.Input{Direction: d, Request: s.attrs, Status: s.status})
	if err != nil {
		action = s.fail(d, headerFailure(err))
		return action, s.replied
	}
	s.headerReports[d] = report
	s.plugin.metrics.recordFindings(d, report)
	if f := report.Blocked(); f != nil {
		return s.blockHeaders(d, f), true
	}
	w := headerWriteCalls[d]
	for _, e := range edits {
		// Remove every value, then add the new ones: Envoy removes all
		// values of a name at once (a second remove finds nothing and
		// succeeds), the SDK's emulator one per call.
		for range countHeader(headers, e.Name) {
			if err := w.remove(e.Name); err != nil {
				return s.fail(d, rules.InternalError), s.replied
			}
		}
		for _, v := range e.Values {
			if err := w.add(e.Name, v); err != nil {
				return s.fail(d, rules.InternalError), s.replied
			}
		}
	}
	if d == rules.Response && foundPersonalData(report) {
		if err := s.markHeaderFindings(headers, report); err != nil {
			return s.fail(d, rules.InternalError), s.replied
		}
	}
	return types.ActionContinue, false
}

// headerFailure names the failure kind of an ApplyHeaders error.
func headerFailure(err error) rules.FailureKind {
	switch {
	case errors.Is(err, rules.ErrWorkBudget):
		return rules.WorkBudget
	case errors.Is(err, rules.ErrInvalidJSON), errors.Is(err, rules.ErrTooDeep):
		return rules.InvalidJSON // a JSON document in a header nested too deep
	}
	return rules.InternalError
}

// markHeaderFindings writes the report header and mark_responses'
// Cache-Control for what the header rules changed in a response: a body
// held for the report (finish) writes them again with both reports.
func (s *stream) markHeaderFindings(headers [][2]string, report rules.Report) error {
	p := s.plugin.program
	if name := p.ReportHeader(); name != "" {
		if summary := reportSummary(report); summary != "" {
			if err := proxywasm.ReplaceHttpResponseHeader(name, summary); err != nil {
				return err
			}
		}
	}
	if p.MarkResponses() && foundPersonalData(report) {
		if values := appendHeaderValues(nil, headers, "cache-control"); !noStore(values) {
			return proxywasm.ReplaceHttpResponseHeader("cache-control", markedCacheControl(values))
		}
	}
	return nil
}

// blockHeaders refuses the exchange because block rule finding f found
// something in direction d's headers, as block does for a body: the
// rule's status on the request side, 502 on the response side.
func (s *stream) blockHeaders(d rules.Direction, f *rules.Finding) types.Action {
	p := s.plugin
	p.metrics.recordBlocked(d, f.Rule)
	proxywasm.LogWarnf("veil: rule set %q: %s headers: blocked by rule %q", p.program.Name(), d, f.Rule)
	status := uint32(responseRejectStatus)
	if d == rules.Request {
		status = p.blockStatus(f.Rule)
	}
	return s.reply(status, appendBlockReply(nil, p.program.Name(), f))
}

// joinHeaderReports merges each direction's header report into its body
// report, for the audit line.
func (s *stream) joinHeaderReports() {
	for _, d := range directions {
		if reported(&s.headerReports[d]) {
			s.bodies[d].report = s.plugin.program.MergeReports(s.headerReports[d], s.bodies[d].report)
		}
	}
}

// countHeader returns how many values of the lower-case name headers holds.
func countHeader(headers [][2]string, name string) int {
	n := 0
	for _, kv := range headers {
		if strings.EqualFold(kv[0], name) {
			n++
		}
	}
	return n
}
