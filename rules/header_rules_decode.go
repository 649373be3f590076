package rules

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Header rules in the rule-set schema: `select: { headers: [...] }` names
// request or response headers whose values the rule acts on (see
// header_rules.go for how they are applied).

// headerSelect is a rule's decoded select.headers.
type headerSelect struct {
	names []string // lower-case header names; "*" for every header that may be rewritten
	at    []srcPos // where each name is written
}

// selects reports whether the rule selects headers at all.
func (h *headerSelect) selects() bool { return len(h.names) > 0 }

// allHeaders is the select.headers entry that selects every header a rule
// may rewrite (never a pseudo-header or a framing header).
const allHeaders = "*"

// unwritableHeaders are the headers no rule may select: they frame the
// message or the connection (rewriting them would corrupt it, and Envoy
// owns them), or name the upstream host. A "*" entry never selects them.
var unwritableHeaders = []string{
	"content-length", "content-type", "content-encoding", "transfer-encoding",
	"connection", "te", "upgrade", "keep-alive", "proxy-connection", "host",
}

// writableHeader reports whether a header of this lower-case name may be
// selected: not a pseudo-header, not a framing or hop-by-hop header.
func writableHeader(name string) bool {
	if strings.HasPrefix(name, ":") {
		return false
	}
	for _, h := range unwritableHeaders {
		if h == name {
			return false
		}
	}
	return true
}

// decodeHeaders reads the entries of select.headers: header names (HTTP
// tokens, stored lower-case) or "*".
func (d *decoder) decodeHeaders(items []*yaml.Node) headerSelect {
	var h headerSelect
	for _, it := range items {
		name := strings.ToLower(strings.TrimSpace(it.Value))
		switch {
		case name == allHeaders:
		case strings.HasPrefix(name, ":"):
			d.errorf(it, "select.headers: %q is a pseudo-header and cannot be selected (the query string of :path is read through match.query)", it.Value)
			continue
		case strings.Contains(name, "*"):
			d.errorf(it, "select.headers: %q: \"*\" stands alone (every header); list the names a glob would cover", it.Value)
			continue
		case !isToken(name):
			d.errorf(it, "select.headers: %q is not a valid header name", it.Value)
			continue
		case !writableHeader(name):
			d.errorf(it, "select.headers: %q frames the message or the connection and cannot be rewritten", it.Value)
			continue
		case len(name) > maxNameLen:
			d.errorf(it, "select.headers: %q is longer than %d bytes", it.Value, maxNameLen)
			continue
		}
		h.names = append(h.names, name)
		h.at = append(h.at, posOf(it))
	}
	return h
}

// checkHeaderRule refuses what a header rule cannot do: select body values
// too (paths, keys), scope its detectors with within (the headers are its
// scope) or compare names with case (header names never do).
func (d *decoder) checkHeaderRule(r *ruleSpec, headersNode, withinNode *yaml.Node) {
	if len(r.sels) > 0 {
		d.errorf(headersNode, "select.headers: a rule selects headers or body values, not both (write one rule for each)")
	}
	if withinNode != nil {
		d.errorf(withinNode, "select.within: does not apply to headers (the detectors look inside the headers listed)")
	}
	if r.caseSensitive {
		d.errorf(headersNode, "select.headers: header names compare case-insensitively; case_sensitive does not apply")
	}
}
