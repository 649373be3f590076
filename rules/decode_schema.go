package rules

import (
	"slices"
	"strings"

	"github.com/veilproxy/veil/rules/internal/detect"
	"go.yaml.in/yaml/v3"
)

// setSpec is a decoded rule set, before compilation.
type setSpec struct {
	name         string
	shadow       bool
	scope        scope
	maxBodyBytes int
	onFailure    [numFailureKinds]FailureAction
	reportHeader string
	rules        []ruleSpec
	// content detectors (decode_detectors.go)
	custom        map[string]detect.Custom
	detectorsAt   srcPos // the `detectors:` key, zero when absent
	includeAt     srcPos // the `include:` key, zero when absent
	jsonInStrings bool
	// jsonInStringsSet records that the set wrote json_in_strings itself, so
	// an included pack's json_in_strings does not override it.
	jsonInStringsSet bool
	// crypto_keys (decode_keys.go), by id
	keys     map[string]*cryptoKey
	badKeys  []string      // ids under crypto_keys whose entry has a mistake
	warnings []string      // for Program.Warnings
	tokens   *revealAction // opens the tokens of every encrypt rule (Program.Reveal); nil without one
	// conditions (decode_cond.go), minimize lists and their settings
	cond condSpec

	// record streams: limits.max_record_bytes (0 unset) and stream_text
	maxRecordBytes int
	streamText     []textSelector
	streamTextSet  bool // the set wrote stream_text: packs add none
	// encodings and the decoded-size limits (encoding_schema.go)
	enc encodingSpec
}

// ruleSpec is a decoded rule.
type ruleSpec struct {
	id                string
	sels              []selSpec
	request, response bool
	act               action
	shadow            bool
	detect            []*yaml.Node    // detector names of select.detect (checked by checkDetectorNames)
	within            []selSpec       // select.within, nil for the whole body
	evidence          detect.Evidence // select.evidence: the kinds a span needs one of (0: any)
	caseSensitive     bool            // case_sensitive: names compare with case
	headers           headerSelect    // select.headers (header_rules_decode.go); empty for a body rule
	cond              *ruleCond       // when/unless; nil for a rule that always applies
	// reveal: the rules named by reveal.from (nil: every encrypt rule), and
	// the action node, for linkReveals
	revealFrom []*yaml.Node
	revealAt   *yaml.Node
	// encrypt: the context and prefix its tokens are made with, for reveal
	sealContext, sealPrefix string
	// fpe: the radix it enciphers in and the symbols it keeps in clear,
	// for checkFPEDomains
	fpeRadix, fpeKept int
	// at is where the compile step's diagnostics about the rule point: its
	// `select:`, or for a rule of an included pack the `include:` entry
	// naming the pack (pack is then the pack's name).
	at   srcPos
	pack string
}

// selSpec is one decoded selector (an entry of paths or within, or the keys
// list): its steps, and its spelling and position for diagnostics.
type selSpec struct {
	steps []step
	text  string // as written: a path, or keys [a, b]
	at    srcPos
}

var (
	setFields = []string{"version", "name", "mode", "match", "limits", "on", "report_header", "rules", "include", "detectors", "json_in_strings", "crypto_keys",
		"jwt", "trust_headers", "consent", "minimize", "mark_responses",
		"stream_text", "encodings"}
	ruleFields   = []string{"id", "select", "direction", "action", "mode", "case_sensitive", "when", "unless"}
	selectFields = []string{"paths", "keys", "detect", "within", "evidence", "headers"}
	matchFields  = []string{"content_types", "never_sniff", "paths", "methods", "forms", "query"}
	maskFields   = []string{"keep_first", "keep_last", "char"}
)

// decodeSet reads the top level of a rule set.
func (d *decoder) decodeSet(n *yaml.Node) *setSpec {
	s := &setSpec{name: "veil", maxBodyBytes: DefaultMaxBodyBytes, enc: encodingSpec{decode: decodeAll}}
	s.scope.contentTypes = defaultContentTypes
	s.cond.atomIDs = map[string]int32{}
	var rulesNode, includeNode *yaml.Node
	ok := d.fields(n, "rule set", setFields, func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			if ver, ok := d.integer(v, "version"); ok && ver != 1 {
				d.errorf(v, "version: unsupported version %d (want 1)", ver)
			}
		case "name":
			if name, ok := d.str(v, "name"); ok && d.checkName(v, "name", name) {
				s.name = name
			}
		case "mode":
			m, _ := d.enum(v, "mode", "enforce", "shadow")
			s.shadow = m == "shadow"
		case "match":
			d.decodeMatch(v, &s.scope)
		case "limits":
			d.fields(v, "limits", []string{"max_body_bytes", "max_record_bytes", "max_decoded_bytes", "max_decoded_ratio"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "max_record_bytes":
					s.maxRecordBytes = d.byteLimit(v, "max_record_bytes")
					return
				case "max_decoded_bytes", "max_decoded_ratio":
					d.decodeEncodingLimit(key, v, &s.enc)
					return
				}
				if n := d.byteLimit(v, "max_body_bytes"); n > 0 {
					s.maxBodyBytes = n
				}
			})
		case "on":
			d.fields(v, "on", failureKindNames[:], func(key string, _, v *yaml.Node) {
				a, _ := d.enum(v, "on."+key, "reject", "pass")
				for kind, name := range failureKindNames {
					if name == key && a == "pass" {
						s.onFailure[kind] = Pass
					}
				}
			})
		case "report_header":
			if h, ok := d.str(v, "report_header"); ok {
				d.checkReportHeader(v, h)
				s.reportHeader = strings.ToLower(h)
			}
		case "rules":
			rulesNode = v
		case "include":
			includeNode = v
			s.includeAt = posOf(k)
		case "detectors":
			s.custom = d.decodeDetectors(v)
			s.detectorsAt = posOf(k)
		case "crypto_keys":
			d.decodeCryptoKeys(v, s)
		case "json_in_strings":
			s.jsonInStrings, _ = d.boolean(v, "json_in_strings")
			s.jsonInStringsSet = true
		case "jwt":
			d.decodeJWT(v, &s.cond)
		case "trust_headers":
			d.decodeTrust(v, &s.cond)
		case "consent":
			d.decodeConsent(v, &s.cond)
		case "minimize":
			s.cond.minimizeNode = v
		case "mark_responses":
			s.cond.marks, _ = d.boolean(v, "mark_responses")
		case "stream_text":
			s.streamText, s.streamTextSet = d.decodeStreamText(v), true
		case "encodings":
			d.decodeEncodings(v, &s.enc)
		}
	})
	if !ok {
		return s
	}
	switch {
	case rulesNode == nil && (includeNode != nil || s.cond.minimizeNode != nil):
	case rulesNode == nil:
		d.errorf(n, "missing field \"rules\"")
	case rulesNode.Kind != yaml.SequenceNode:
		d.errorf(rulesNode, "rules: want a list, got %s", kindName(rulesNode))
	case len(rulesNode.Content) == 0:
		d.errorf(rulesNode, "rules: empty list")
	default:
		first := map[string]int{}
		s.rules = make([]ruleSpec, 0, len(rulesNode.Content))
		for _, rn := range rulesNode.Content {
			r := d.decodeRule(resolve(rn), first, s)
			r.shadow = r.shadow || s.shadow
			s.rules = append(s.rules, r)
		}
	}
	if s.cond.minimizeNode != nil {
		d.decodeMinimize(s.cond.minimizeNode, &s.cond)
	}
	d.checkDetectorNames(s)
	d.linkReveals(s)
	d.checkFPEDomains(s)
	if includeNode != nil {
		d.include(includeNode, s)
	}
	return s
}

// decodeMatch reads `match:`.
func (d *decoder) decodeMatch(n *yaml.Node, sc *scope) {
	d.fields(n, "match", matchFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "forms":
			sc.forms, _ = d.boolean(v, "match.forms")
			return
		case "query":
			sc.query, _ = d.boolean(v, "match.query")
			return
		}
		items := d.stringList(v, "match."+key)
		switch key {
		case "content_types":
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				d.errorf(v, "match.content_types: empty list (omit it for the JSON default, or write [\"*/*\"])")
			}
			sc.contentTypes = d.mediaTypes(items, "match.content_types")
		case "never_sniff":
			sc.neverSniff = d.mediaTypes(items, "match.never_sniff")
		case "paths":
			for _, it := range items {
				if segs, ok := d.pathGlob(it, "match.paths"); ok {
					sc.paths = append(sc.paths, segs)
				}
			}
		case "methods":
			for _, it := range items {
				if !isToken(it.Value) {
					d.errorf(it, "match.methods: %q is not a method name", it.Value)
					continue
				}
				sc.methods = append(sc.methods, strings.ToUpper(it.Value))
			}
		}
	})
}

// mediaTypes reads the media type patterns of match.content_types or
// match.never_sniff, lower-cased.
func (d *decoder) mediaTypes(items []*yaml.Node, field string) []string {
	var out []string
	for _, it := range items {
		t := strings.ToLower(strings.TrimSpace(it.Value))
		typ, sub, ok := strings.Cut(t, "/")
		if !ok || typ == "" || sub == "" || strings.ContainsAny(t, "; \t") || strings.Contains(sub, "/") {
			d.errorf(it, "%s: %q is not a media type (want type/subtype)", field, it.Value)
			continue
		}
		out = append(out, t)
	}
	return out
}

// decodeRule reads one rule; first maps ids to their first line.
func (d *decoder) decodeRule(n *yaml.Node, first map[string]int, s *setSpec) ruleSpec {
	r := ruleSpec{request: true, response: true}
	d.rule = ""
	defer func() { d.rule = "" }()
	if idn := field(n, "id"); idn != nil && idn.Kind == yaml.ScalarNode {
		d.rule = idn.Value
	}
	var sel, act, when, unless *yaml.Node
	hasID := false
	ok := d.fields(n, "rule", ruleFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "id":
			id, ok := d.str(v, "id")
			if !ok || !d.checkName(v, "id", id) {
				return
			}
			hasID = true
			if line, dup := first[id]; dup {
				d.errorf(v, "duplicate rule id (first defined on line %d)", line)
				return
			}
			first[id] = v.Line
			r.id = id
		case "select":
			sel = v
			r.at = posOf(v)
		case "direction":
			r.request, r.response = d.decodeDirection(v, "direction", "both directions")
		case "action":
			act = v
		case "mode":
			m, _ := d.enum(v, "mode", "enforce", "shadow")
			r.shadow = m == "shadow"
		case "case_sensitive":
			r.caseSensitive, _ = d.boolean(v, "case_sensitive")
		case "when":
			when = v
		case "unless":
			unless = v
		}
	})
	if !ok {
		return r
	}
	if !hasID && field(n, "id") == nil {
		d.errorf(n, "missing field \"id\"")
	}
	if act == nil {
		d.errorf(n, "missing field \"action\"")
	} else {
		r.act = d.decodeAction(act, &r, s)
	}
	if act != nil && (when != nil || unless != nil) {
		r.cond = &ruleCond{weakens: weakening(r.act.kind)}
		if when != nil {
			r.cond.when = d.decodeCond(when, "when", &s.cond, r.cond.weakens)
		}
		if unless != nil {
			r.cond.unless = d.decodeCond(unless, "unless", &s.cond, r.cond.weakens)
		}
	}
	if sel == nil {
		d.errorf(n, "missing field \"select\"")
	} else {
		d.decodeSelect(sel, &r, act != nil && r.act.kind == actRemove)
	}
	return r
}

// decodeSelect reads `select:` into r; every entry of paths and keys becomes
// one whole-value selector, detect and within are read by decodeDetect,
// evidence by decodeEvidence.
func (d *decoder) decodeSelect(n *yaml.Node, r *ruleSpec, remove bool) {
	var sels []selSpec
	empty := true
	var detectNode, withinNode, evidenceNode, headersNode *yaml.Node
	ok := d.fields(n, "select", selectFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "detect":
			detectNode = v
		case "within":
			withinNode = v
		case "evidence":
			evidenceNode = v
		case "headers":
			headersNode = v
		}
		if key == "within" || key == "evidence" {
			return
		}
		items := d.stringList(v, "select."+key)
		if len(items) > 0 {
			empty = false
		}
		switch key {
		case "detect":
			r.detect = append(r.detect, items...)
		case "headers":
			r.headers = d.decodeHeaders(items)
		case "paths":
			for _, it := range items {
				steps, perr := parsePath(it.Value)
				switch {
				case perr != nil:
					d.errorAt(it, perr.off, "path %q: %s", it.Value, perr.msg)
				case len(steps) == 0 && remove:
					d.errorf(it, "path %q: remove cannot select the whole body", it.Value)
				case d.foldPath(it, "path", steps, r.caseSensitive):
					sels = append(sels, selSpec{steps, it.Value, posOf(it)})
				}
			}
		case "keys":
			var keys []string
			for _, it := range items {
				if k, ok := d.foldKey(it, r.caseSensitive); ok {
					keys = append(keys, k)
				}
			}
			if len(keys) > 0 {
				st := []step{{kind: stepKeys, desc: true, cs: r.caseSensitive, keys: keys}}
				sels = append(sels, selSpec{st, keysText(items), posOf(v)})
			}
		}
	})
	r.sels = sels
	if !ok {
		return
	}
	if empty {
		d.errorf(n, "empty selector (want paths, keys, headers or detect)")
	}
	if headersNode != nil {
		d.checkHeaderRule(r, headersNode, withinNode)
	}
	d.decodeDetect(r, detectNode, withinNode, remove)
	if evidenceNode != nil {
		d.decodeEvidence(r, evidenceNode, detectNode)
	}
}

// decodeDirection reads a `direction:` (a string or a list of request and
// response); what names the field in diagnostics, omitted what omitting it
// means.
func (d *decoder) decodeDirection(v *yaml.Node, what, omitted string) (request, response bool) {
	if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
		d.errorf(v, "%s: empty list (omit it for %s)", what, omitted)
	}
	for _, it := range d.stringList(v, what) {
		switch it.Value {
		case "request":
			request = true
		case "response":
			response = true
		default:
			d.errorf(it, "%s: unknown value %q (want request or response)", what, it.Value)
		}
	}
	return request, response
}

// keysText spells a keys list for diagnostics: keys [a, b].
func keysText(items []*yaml.Node) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Value
	}
	return "keys [" + strings.Join(names, ", ") + "]"
}

// foldPath puts the member names of the steps of a path (the value of it)
// into their path form and marks the steps case-sensitive with cs. It
// reports a name that folds to nothing or outgrows maxNameLen, and returns
// false then.
func (d *decoder) foldPath(it *yaml.Node, what string, steps []step, cs bool) bool {
	ok := true
	for i := range steps {
		st := &steps[i]
		st.cs = cs
		if st.kind != stepName {
			continue
		}
		name, fits := foldName(st.name, st.form())
		switch {
		case !fits:
			d.errorf(it, "%s %q: member name %q: longer than %d bytes once folded", what, it.Value, st.name, maxNameLen)
			ok = false
		case name == "":
			d.errorf(it, "%s %q: member name %q: empty once ignorable characters and marks are dropped", what, it.Value, st.name)
			ok = false
		}
		st.name = name
	}
	return ok
}

// foldKey returns the key form of a key name (the value of it), or reports a
// name that folds to nothing or outgrows maxNameLen.
func (d *decoder) foldKey(it *yaml.Node, cs bool) (string, bool) {
	k, fits := foldName(it.Value, keyForm(cs))
	switch {
	case !fits:
		d.errorf(it, "key %q: longer than %d bytes once folded", it.Value, maxNameLen)
	case k == "":
		d.errorf(it, "key %q: empty once separators, ignorable characters and marks are dropped", it.Value)
	default:
		return k, true
	}
	return "", false
}

// maxIDLen bounds rule ids, set names and custom detector names.
const maxIDLen = 64

// checkName validates a rule id or set name: it appears in metric names and
// reports, so it is limited to letters, digits, "-" and "_".
func (d *decoder) checkName(n *yaml.Node, what, s string) bool {
	ok := s != "" && len(s) <= maxIDLen
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (i > 0 && (c == '-' || c == '_'))
	}
	if !ok {
		d.errorf(n, "%s: %q must be 1 to %d letters, digits, \"-\" or \"_\", starting with a letter or digit", what, s, maxIDLen)
	}
	return ok
}

// isToken reports whether s is an HTTP token (RFC 9110 tchar+).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isHeaderName reports whether s can name a response header.
func isHeaderName(s string) bool { return isToken(s) }

// hopByHopHeaders and framingHeaders are the headers report_header may not
// name (lower-case): writing the summary there would corrupt the
// connection or the message. rules/schema.json lists them too.
var (
	hopByHopHeaders = []string{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
		"upgrade", "proxy-authenticate", "proxy-authorization"}
	framingHeaders = []string{"content-length", "content-type", "content-encoding", "host"}
)

// reservedReportHeader says why report_header may not name a response
// header (lower-case name): "hop-by-hop" or "framing", "" when it may.
func reservedReportHeader(name string) string {
	switch {
	case slices.Contains(hopByHopHeaders, name):
		return "hop-by-hop"
	case slices.Contains(framingHeaders, name):
		return "framing"
	}
	return ""
}

// checkReportHeader refuses a report_header (the value of n) that is not a
// header name, or that names a pseudo-header, a hop-by-hop header or a
// header that frames the message: the summary would overwrite it.
func (d *decoder) checkReportHeader(n *yaml.Node, h string) {
	lower := strings.ToLower(h)
	switch {
	case strings.HasPrefix(h, ":"):
		d.errorf(n, "report_header: %q is a pseudo-header; name a header of your own, such as x-veil", h)
	case !isHeaderName(h):
		d.errorf(n, "report_header: %q is not a valid header name", h)
	case reservedReportHeader(lower) == "hop-by-hop":
		d.errorf(n, "report_header: %q is a hop-by-hop header, which the summary would overwrite; name a header of your own, such as x-veil", h)
	case reservedReportHeader(lower) == "framing":
		d.errorf(n, "report_header: %q frames the response, which the summary would overwrite; name a header of your own, such as x-veil", h)
	}
}
