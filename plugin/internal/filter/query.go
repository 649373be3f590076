package filter

import (
	"errors"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// rewriteQuery applies the request rules to the query string of an
// in-scope request (match.query) and replaces :path when they changed it;
// the path before the '?' is never touched. The query's findings join the
// request headers' (headerReports): they count in the metrics now and join
// the body's report for the audit line. A query that cannot be read
// gets the rule set's on.* choice like a body; a block rule that finds
// anything refuses the request.
func (s *stream) rewriteQuery() types.Action {
	p := s.plugin.program
	if !p.Query() || !p.Applies(rules.Request) || !p.InScope(s.method, s.path) {
		return types.ActionContinue
	}
	path, report, err := p.ApplyQuery(s.path, rules.Input{Direction: rules.Request, Request: s.attrs})
	switch {
	case errors.Is(err, rules.ErrWorkBudget):
		return s.fail(rules.Request, rules.WorkBudget)
	case errors.Is(err, rules.ErrInvalidJSON), errors.Is(err, rules.ErrTooDeep):
		return s.fail(rules.Request, rules.InvalidJSON)
	case err != nil:
		return s.fail(rules.Request, rules.InternalError)
	}
	s.headerReports[rules.Request] = p.MergeReports(s.headerReports[rules.Request], report)
	s.plugin.metrics.recordFindings(rules.Request, report)
	if f := report.Blocked(); f != nil {
		return s.block(rules.Request, "query", f)
	}
	if path != s.path {
		if err := proxywasm.ReplaceHttpRequestHeader(":path", path); err != nil {
			return s.fail(rules.Request, rules.InternalError)
		}
	}
	return types.ActionContinue
}
