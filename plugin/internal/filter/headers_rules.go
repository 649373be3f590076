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
	remove  func(name string) error
	add     func(name, value string) error
	replace func(name, value string) error
}

// headerWriteCalls is indexed by rules.Direction.
var headerWriteCalls = [3]headerWrites{
	rules.Request: {remove: proxywasm.RemoveHttpRequestHeader, add: proxywasm.AddHttpRequestHeader,
		replace: proxywasm.ReplaceHttpRequestHeader},
	rules.Response: {remove: proxywasm.RemoveHttpResponseHeader, add: proxywasm.AddHttpResponseHeader,
		replace: proxywasm.ReplaceHttpResponseHeader},
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
		return s.block(d, "headers", f), true
	}
	if err := writeHeaderEdits(headerWriteCalls[d], headers, edits); err != nil {
		return s.fail(d, rules.InternalError), s.replied
	}
	if d == rules.Response && foundPersonalData(report) {
		if err := s.markHeaderFindings(headers, report); err != nil {
			return s.fail(d, rules.InternalError), s.replied
		}
	}
	return types.ActionContinue, false
}

// writeHeaderEdits writes the edits of a header map with w. A name sent
// once that keeps one value is replaced in one host call (replace sets the
// name to one value, in Envoy as in the SDK's emulator). Otherwise every
// value is removed, then the new ones added: Envoy removes all values of
// a name at once (a second remove finds nothing and succeeds), the
// emulator one per call, and its replace changes only the first value.
func writeHeaderEdits(w headerWrites, headers [][2]string, edits []rules.HeaderEdit) error {
	for _, e := range edits {
		n := countHeader(headers, e.Name)
		if n == 1 && len(e.Values) == 1 {
			if err := w.replace(e.Name, e.Values[0]); err != nil {
				return err
			}
			continue
		}
		for range n {
			if err := w.remove(e.Name); err != nil {
				return err
			}
		}
		for _, v := range e.Values {
			if err := w.add(e.Name, v); err != nil {
				return err
			}
		}
	}
	return nil
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
