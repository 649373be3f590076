package rules

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Forms and query strings (match.forms, match.query).
//
// A form (an application/x-www-form-urlencoded body, or the query string of
// a request target) is read as members: each name=value pair is one
// top-level member of a JSON document synthesized for the purpose, its name
// read as nested members when written in bracket or dot notation
// ("user[email]" is {"user":{"email":…}}). The document goes through Apply
// like any body, so every action, condition, minimize list and detector
// works unchanged; the output is read back member by member and only the
// pairs whose member changed are re-encoded. Unchanged pairs keep their
// bytes, escapes included.

const (
	// maxFormNesting bounds the steps read from one field name: past it,
	// the rest of the name is one more member name, as qs does past its
	// depth limit.
	maxFormNesting = 32
	// maxFormIndex is the largest array index read as one ("a[20]"); a
	// larger one is a member name ("a[21]" is {"a":{"21":…}}), as qs does
	// past its arrayLimit of 20. The indexes of one name add up to at most
	// this too (an index past it is a member name), so that the nulls
	// written before elements keep the synthesized document small.
	maxFormIndex = 20
)

// formStep is one step of a field name read as nested members.
type formStep struct {
	name  string // member name (decoded); unused for an array step
	array bool   // "[]" or "[n]": an element of an array
	index int    // the element's index ("[]" is 0)
	dot   bool   // written ".name" rather than "[name]"
}

// formPair is one name=value pair of a form.
type formPair struct {
	raw    []byte     // the pair as written, without its '&'
	rawEnd int        // len of the name as written in raw (the '=' or the end)
	steps  []formStep // the name read as nested members, steps[0] the top level
	value  []byte     // the value: form text to decode when raw is set, else its text
	member [2]int     // the pair's member in the synthesized document
}

// formPieces splits a form at '&' into its pieces, empty ones included, so
// that joining them with '&' gives the form back.
func formPieces(form []byte) [][]byte {
	return bytes.Split(form, []byte{'&'})
}

// readPair decodes one non-empty piece of a form: '+' is a space, %XX a
// byte (an invalid escape is kept as written, as PHP and most servers keep
// it), in the name as in the value; a piece without '=' has an empty value.
func (p *Program) readPair(raw []byte, meter *detect.Meter) formPair {
	name, value, _ := bytes.Cut(raw, []byte{'='})
	return formPair{
		raw:    raw,
		rawEnd: len(name),
		steps:  p.formSteps(decodeFormText(nil, name), meter),
		value:  value,
	}
}

// formSteps reads a decoded field name as nested members (splitFormName),
// except a name in which a detector finds something ("ann.lee@x.com",
// "10.0.0.1", a JWT): it stays one member, so that the detectors of the
// rules read it whole, as they read a JSON member name, and no split
// hides it from them. The detectors' work is charged to meter.
func (p *Program) formSteps(name []byte, meter *detect.Meter) []formStep {
	if !bytes.ContainsAny(name, "[.") {
		return []formStep{{name: string(name)}}
	}
	var spans []detect.Span
	if p.names.personal(name, &spans, meter) {
		return []formStep{{name: string(name)}}
	}
	return splitFormName(string(name))
}

// decodeFormText appends the decoded form text s to dst: '+' is a space,
// "%XX" the byte XX, and any other '%' stays as it is. Text with nothing to
// decode is returned as is when dst is nil.
func decodeFormText(dst, s []byte) []byte {
	if dst == nil && bytes.IndexByte(s, '+') < 0 && bytes.IndexByte(s, '%') < 0 {
		return s
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			dst = append(dst, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			dst = append(dst, hexValue(s[i+1])<<4|hexValue(s[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// splitFormName reads a decoded field name the way PHP, Rails, qs (with
// allowDots) and Spring bind it: "user[email]", "user.email" and
// "user[address][city]" are nested members, "a[]" and "a[3]" array
// elements. The first step is the text before the first '[' or '.' (a
// name starting with either is one literal member). Inside brackets the
// text is literal (dots included); an unclosed '[' and a '.' followed by
// nothing are kept as text of the step before; text after a ']' that is
// neither '[' nor '.' is ignored, as PHP ignores it.
func splitFormName(name string) []formStep {
	i := strings.IndexAny(name, "[.")
	if i <= 0 {
		return []formStep{{name: name}}
	}
	steps := []formStep{{name: name[:i]}}
	rest := name[i:]
	padding := 0 // the indexes so far
	for rest != "" {
		last := &steps[len(steps)-1]
		if len(steps) == maxFormNesting {
			steps = append(steps, formStep{name: rest})
			break
		}
		switch rest[0] {
		case '[':
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				if last.array { // "a[][x": the text is a member of the element
					steps = append(steps, formStep{name: rest})
				} else {
					last.name += rest
				}
				return steps
			}
			st := bracketStep(rest[1:j])
			if st.array && padding+st.index > maxFormIndex {
				st = formStep{name: rest[1:j]}
			}
			padding += st.index
			steps = append(steps, st)
			rest = rest[j+1:]
		case '.':
			j := strings.IndexAny(rest[1:], "[.")
			if j < 0 {
				j = len(rest) - 1
			}
			if j == 0 {
				if last.array {
					steps = append(steps, formStep{name: rest})
					return steps
				}
				last.name += rest
				return steps
			}
			steps = append(steps, formStep{name: rest[1 : 1+j], dot: true})
			rest = rest[1+j:]
		default:
			return steps
		}
	}
	return steps
}

// bracketStep reads the text between one pair of brackets: empty or a
// small index is an array element, anything else a member name.
func bracketStep(inner string) formStep {
	if inner == "" {
		return formStep{array: true}
	}
	if n, err := strconv.Atoi(inner); err == nil && n >= 0 && n <= maxFormIndex && strconv.Itoa(n) == inner {
		return formStep{array: true, index: n}
	}
	return formStep{name: inner}
}

// appendFormMember appends the pair as one member of the synthesized
// document: its name steps as nested objects and arrays (an element at
// index n after n nulls), its value as a JSON string.
func appendFormMember(doc []byte, pr *formPair) []byte {
	pr.member[0] = len(doc)
	doc = appendJSONText(doc, []byte(pr.steps[0].name))
	doc = append(doc, ':')
	for _, st := range pr.steps[1:] {
		if st.array {
			doc = append(doc, '[')
			for range st.index {
				doc = append(doc, "null,"...)
			}
			continue
		}
		doc = append(doc, '{')
		doc = appendJSONText(doc, []byte(st.name))
		doc = append(doc, ':')
	}
	if pr.raw != nil {
		doc = appendJSONFormText(doc, pr.value)
	} else {
		doc = appendJSONText(doc, pr.value)
	}
	for i := len(pr.steps) - 1; i > 0; i-- {
		if pr.steps[i].array {
			doc = append(doc, ']')
		} else {
			doc = append(doc, '}')
		}
	}
	pr.member[1] = len(doc)
	return doc
}

// appendJSONText appends s as a JSON string. Only what JSON requires is
// escaped; bytes that are not UTF-8 are kept as they are (Apply reads them
// as U+FFFD and copies them through), so a value round-trips byte for byte.
func appendJSONText(dst, s []byte) []byte {
	dst = append(dst, '"')
	for _, c := range s {
		dst = appendJSONByte(dst, c)
	}
	return append(dst, '"')
}

// appendJSONByte appends one byte of a JSON string's text, escaped where
// JSON requires it.
func appendJSONByte(dst []byte, c byte) []byte {
	switch {
	case c == '"' || c == '\\':
		return append(dst, '\\', c)
	case c < 0x20:
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
	}
	return append(dst, c)
}

// appendJSONFormText appends form text s, decoded (decodeFormText), as a
// JSON string (appendJSONText) in one pass.
func appendJSONFormText(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			c = hexValue(s[i+1])<<4 | hexValue(s[i+2])
			i += 2
		}
		dst = appendJSONByte(dst, c)
	}
	return append(dst, '"')
}

// errFormShape is returned by readFormOutput for an output it cannot map
// back to the pairs: an object that replaced the document whole.
var errFormShape = errors.New("rules: form: unexpected rewritten shape")

// formResult is one pair as Apply left it.
type formResult struct {
	removed bool
	names   []string // the steps' member names after the rules ("" for array steps)
	value   []byte   // the new value's text
}

// readFormMember reads the pair pr back from the member of out at
// [nameStart, valueEnd): the name and value of each step, following the
// shape the pair was written in. Where a rule replaced a container whole
// ("[REDACTED]" for {"user":{…}}), that replacement is the value and the
// names below keep their spelling.
func readFormMember(out []byte, name, value jsonSpan, pr *formPair) formResult {
	res := formResult{names: make([]string, len(pr.steps))}
	for i, st := range pr.steps {
		res.names[i] = st.name
	}
	res.names[0] = string(appendUnescaped(nil, out[name.start+1:name.end-1]))
	for i := 1; i < len(pr.steps); i++ {
		st := pr.steps[i]
		switch {
		case !st.array && out[value.start] == '{':
			members := jsonMembers(out, value.start)
			if len(members) == 0 {
				res.removed = true
				return res
			}
			res.names[i] = string(appendUnescaped(nil, out[members[0][0].start+1:members[0][0].end-1]))
			value = members[0][1]
		case st.array && out[value.start] == '[':
			elems := jsonElements(out, value.start)
			last := elems[max(len(elems)-1, 0):]
			switch {
			case len(elems) == st.index+1:
				value = elems[st.index]
			case len(elems) == 0 || out[last[0].start] == 'n':
				res.removed = true // the element, after the nulls before it
				return res
			default: // some of the nulls before the element were removed
				value = last[0]
			}
		default:
			res.value = formValueText(out[value.start:value.end])
			return res
		}
	}
	res.value = formValueText(out[value.start:value.end])
	return res
}

// formValueText turns a JSON value Apply wrote into a field's text: a
// string's text, a number's or a literal's spelling (null: empty), an
// object's or array's JSON text.
func formValueText(v []byte) []byte {
	switch v[0] {
	case '"':
		return appendUnescaped(nil, v[1:len(v)-1])
	case 'n':
		return nil
	}
	return v
}

// jsonSpan is the extent of one value in a JSON text.
type jsonSpan struct{ start, end int }

// jsonMembers returns the name and value spans of the members of the
// (valid) object at b[i].
func jsonMembers(b []byte, i int) [][2]jsonSpan {
	var out [][2]jsonSpan
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != '}' {
		nameEnd, _ := scanString(b, i)
		vs := skipWS(b, skipWS(b, nameEnd)+1)
		ve := skipJSONValue(b, vs)
		out = append(out, [2]jsonSpan{{i, nameEnd}, {vs, ve}})
		i = skipWS(b, ve)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return out
}

// jsonElements returns the spans of the elements of the (valid) array at b[i].
func jsonElements(b []byte, i int) []jsonSpan {
	var out []jsonSpan
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != ']' {
		e := skipJSONValue(b, i)
		out = append(out, jsonSpan{i, e})
		i = skipWS(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return out
}

// skipJSONValue returns the end of the (valid) value at b[i].
func skipJSONValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := scanString(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := scanString(b, j)
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	case 't', 'f', 'n':
		end, _ := scanLiteral(b, i)
		return end
	}
	end, _ := scanNumber(b, i)
	return end
}

// applyForm applies the rules to a form (see the top of this file).
// spacePlus says how a space is written when a value is re-encoded: '+'
// in a form body, "%20" in a query string. An unchanged form is returned
// as is.
func (p *Program) applyForm(form []byte, in Input, apply ApplyFunc, spacePlus bool) ([]byte, Report, error) {
	pieces := formPieces(form)
	pairs := make([]formPair, 0, len(pieces))
	var pieceOf []int // pieceOf[k] is the piece of pairs[k]
	meter := detect.Meter{Limit: p.WorkBudget(len(form))}
	for i, raw := range pieces {
		if len(raw) > 0 {
			pairs = append(pairs, p.readPair(raw, &meter))
			pieceOf = append(pieceOf, i)
		}
	}
	if meter.Exhausted() {
		return nil, Report{}, fmt.Errorf("%w: reading the names of a form", ErrWorkBudget)
	}
	if len(pairs) == 0 {
		return form, Report{}, nil
	}
	doc := appendFormDoc(make([]byte, 0, len(form)+16*len(pairs)), pairs)
	out, report, err := apply(doc, in)
	if err != nil {
		return nil, Report{}, err
	}
	if sameSlice(out, doc) {
		return form, report, nil
	}
	results, err := p.readFormOutput(out, doc, pairs)
	if err != nil { // an object that is not the document: "$" redacted with one
		results = replacedForm(out, pairs)
	}
	changed := false
	for k := range results {
		if results[k] != nil {
			changed = true
		}
	}
	if !changed {
		return form, report, nil
	}
	rewritten := make([]byte, 0, len(form)+64)
	k, first := 0, true
	for i, raw := range pieces {
		var res *formResult
		if k < len(pairs) && pieceOf[k] == i {
			res = results[k]
			k++
		}
		if res != nil && res.removed {
			continue
		}
		if !first {
			rewritten = append(rewritten, '&')
		}
		first = false
		if res == nil {
			rewritten = append(rewritten, raw...)
			continue
		}
		rewritten = appendFormPair(rewritten, &pairs[k-1], res, spacePlus)
	}
	return rewritten, report, nil
}

// readFormOutput maps Apply's output of the synthesized document (built
// by appendFormDoc) back to the pairs: nil for a pair whose member is byte
// for byte as written. A rule that removes a member cuts from the comma
// before it (or from its name, for the first) to the end of its value, and
// never the whitespace after a value: so the '\n' written after each
// member stays in the output, and a run of them after a value (or after
// the '{') counts the members removed there, in order.
func (p *Program) readFormOutput(out, doc []byte, pairs []formPair) ([]*formResult, error) {
	results := make([]*formResult, len(pairs))
	i := skipWS(out, 0)
	if i >= len(out) || out[i] != '{' { // the whole document was replaced
		return replacedForm(out, pairs), nil
	}
	k := 0 // the next pair
	removed := func(from int) int {
		for ; from < len(out) && isJSONSpace(out[from]); from++ {
			if out[from] == '\n' {
				if k >= len(pairs) {
					return -1
				}
				results[k] = &formResult{removed: true}
				k++
			}
		}
		return from
	}
	i = removed(i + 1)
	for i >= 0 && i < len(out) && out[i] == '"' && k < len(pairs) {
		nameEnd, _ := scanString(out, i)
		vs := skipWS(out, skipWS(out, nameEnd)+1)
		ve := skipJSONValue(out, vs)
		pr := &pairs[k]
		if !bytes.Equal(out[i:ve], doc[pr.member[0]:pr.member[1]]) {
			res := readFormMember(out, jsonSpan{i, nameEnd}, jsonSpan{vs, ve}, pr)
			results[k] = &res
		}
		k++
		if ve >= len(out) || out[ve] != '\n' {
			return nil, errFormShape
		}
		i = removed(ve + 1)
		if i >= 0 && i < len(out) && out[i] == ',' {
			i = removed(i + 1)
		}
	}
	if i < 0 || k != len(pairs) || i >= len(out) || out[i] != '}' {
		return nil, errFormShape
	}
	return results, nil
}

// replacedForm reads back a document a rule replaced whole (a rule on
// "$"): every pair keeps its name and gets the replacement as its value.
func replacedForm(out []byte, pairs []formPair) []*formResult {
	results := make([]*formResult, len(pairs))
	i := skipWS(out, 0)
	value := formValueText(out[i:skipJSONValue(out, i)])
	for k := range pairs {
		names := make([]string, len(pairs[k].steps))
		for j, st := range pairs[k].steps {
			names[j] = st.name
		}
		results[k] = &formResult{names: names, value: value}
	}
	return results
}

// isJSONSpace reports whether c is JSON whitespace.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendFormDoc appends the synthesized document of the pairs: an object
// with one member per pair (appendFormMember), each followed by a '\n'
// (see readFormOutput).
func appendFormDoc(doc []byte, pairs []formPair) []byte {
	doc = append(doc, '{')
	for k := range pairs {
		if k > 0 {
			doc = append(doc, ',')
		}
		doc = appendFormMember(doc, &pairs[k])
		doc = append(doc, '\n')
	}
	return append(doc, '}')
}

// renamed reports whether a rule (a detector on member names) renamed a
// step of the pair's name.
func (res *formResult) renamed(pr *formPair) bool {
	for i, st := range pr.steps {
		if !st.array && res.names[i] != st.name {
			return true
		}
	}
	return false
}

// appendFormPair appends a rewritten pair: its name as written unless a
// rule renamed a step (a detector on member names), its value encoded.
func appendFormPair(dst []byte, pr *formPair, res *formResult, spacePlus bool) []byte {
	if !res.renamed(pr) {
		dst = append(dst, pr.raw[:pr.rawEnd]...)
	} else {
		dst = appendFormName(dst, pr, res, func(dst []byte, name string) []byte {
			return appendFormEscaped(dst, name, spacePlus)
		})
	}
	dst = append(dst, '=')
	return appendFormEscaped(dst, string(res.value), spacePlus)
}

// appendFormName appends the name of a pair whose steps res may have
// renamed, in the notation it was written in (brackets or dots), each
// step's name written by appendStep.
func appendFormName(dst []byte, pr *formPair, res *formResult, appendStep func(dst []byte, name string) []byte) []byte {
	for i, st := range pr.steps {
		switch {
		case i == 0:
			dst = appendStep(dst, res.names[0])
		case st.array:
			dst = append(dst, '[')
			if st.index > 0 {
				dst = strconv.AppendInt(dst, int64(st.index), 10)
			}
			dst = append(dst, ']')
		case st.dot:
			dst = appendStep(append(dst, '.'), res.names[i])
		default:
			dst = append(appendStep(append(dst, '['), res.names[i]), ']')
		}
	}
	return dst
}

// appendFormEscaped appends s percent-encoded for a form or query: ASCII
// letters, digits and "-._~*" as they are, a space as '+' (spacePlus) or
// "%20", every other byte as %XX.
func appendFormEscaped(dst []byte, s string, spacePlus bool) []byte {
	const upperHex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~*", c) >= 0:
			dst = append(dst, c)
		case c == ' ' && spacePlus:
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
		}
	}
	return dst
}

// applyFormBody is ApplyAs for BodyForm. A body whose bytes are JSON (a
// JSON document under a form label) is applied as a sniffed body would be;
// anything else is read as a form.
func (p *Program) applyFormBody(body []byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	if Sniff(body, true) != SniffText {
		out, report, err := applySniffed(body, in, apply)
		if !errors.Is(err, ErrNotJSON) {
			return out, report, err
		}
	}
	return p.applyForm(body, in, apply, true)
}

// Query reports whether the rule set reads the request's query string
// (match.query); the plugin then rewrites :path with ApplyQuery.
func (p *Program) Query() bool { return p.scope.query }

// ApplyQuery applies the request rules to the query string of a request
// target (:path) read as a form: the part after the first '?', to the end
// (a '#' and what follows are part of the last value). The path before it
// is untouched. A target without a query, a rule set without match.query,
// or a query no rule changes is returned as is.
func (p *Program) ApplyQuery(path string, in Input) (string, Report, error) {
	i := strings.IndexByte(path, '?')
	if !p.scope.query || i < 0 || i == len(path)-1 {
		return path, Report{}, nil
	}
	query := []byte(path[i+1:])
	out, report, err := p.applyForm(query, in, p.Apply, false)
	if err != nil {
		return path, Report{}, err
	}
	if sameSlice(out, query) {
		return path, report, nil
	}
	return path[:i+1] + string(out), report, nil
}
