package rules

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Multipart bodies (RFC 2046, RFC 7578): read part by part. Each part is
// read by its own labels as a body would be (Program.BodyKind: JSON,
// record stream, form, nested multipart, never_sniff, or sniffed); with
// match.forms the text fields of a multipart/form-data body are members
// like a form's pairs. Only the bodies of parts that changed are replaced:
// boundaries, preamble, epilogue and part headers keep their bytes.

// ErrEncodedPart is returned (wrapped) by ApplyAs for a multipart body with
// a part whose content-transfer-encoding (base64, quoted-printable, …) or
// content-encoding the filter does not read: the body is `encoded`.
var ErrEncodedPart = errors.New("multipart part encoded")

// maxMultipartDepth bounds multipart bodies nested in parts.
const maxMultipartDepth = 8

// multipartTypes are the multipart media types read part by part.
var multipartTypes = map[string]bool{
	"multipart/form-data":   true,
	"multipart/mixed":       true,
	"multipart/related":     true,
	"multipart/alternative": true,
}

// formKind returns the kind of a body whose lower-case media type names a
// multipart body (always read) or a form (read with match.forms).
func formKind(mediaType string, forms bool) (BodyKind, bool) {
	switch {
	case multipartTypes[mediaType]:
		return BodyMultipart, true
	case forms && mediaType == "application/x-www-form-urlencoded":
		return BodyForm, true
	}
	return 0, false
}

// errMultipart builds the error of a body that cannot be split into parts:
// it is invalid_json ("a body that cannot be parsed").
func errMultipart(format string, args ...any) error {
	return fmt.Errorf("%w: multipart: %s", ErrInvalidJSON, fmt.Sprintf(format, args...))
}

// applyMultipart is ApplyAs for BodyMultipart.
func (p *Program) applyMultipart(body []byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	return p.rewriteMultipart(body, in.ContentType, in, apply, 0)
}

// mpHeader is one header line of a part: where its value starts and its
// line (without the line break) ends.
type mpHeader struct {
	name              string // lower-case
	value             string
	lineStart, valEnd int
}

// mpPart is one part of a multipart body, by offsets into the body.
type mpPart struct {
	start              int // its delimiter "--boundary"
	bodyStart, bodyEnd int
	headers            []mpHeader
}

// rewriteMultipart splits body by the boundary of contentType and rewrites
// its parts (see the top of this file); depth counts the multipart bodies
// around it.
func (p *Program) rewriteMultipart(body []byte, contentType string, in Input, apply ApplyFunc, depth int) ([]byte, Report, error) {
	if depth >= maxMultipartDepth {
		return nil, Report{}, errMultipart("nested deeper than %d", maxMultipartDepth)
	}
	boundary, ok := multipartBoundary(contentType)
	if !ok {
		return nil, Report{}, errMultipart("no valid boundary parameter")
	}
	parts, closeAt, err := splitMultipart(body, boundary)
	if err != nil {
		return nil, Report{}, err
	}
	mediaType, _ := parseMediaType(contentType)
	meter := detect.Meter{Limit: p.WorkBudget(len(body))} // for the field names (formSteps)
	formData := mediaType == "multipart/form-data"
	var (
		report Report
		edits  []mpEdit
		fields []formPair
		owners []int // owners[k] is the part of fields[k]
	)
	for i := range parts {
		pt := &parts[i]
		partBody := body[pt.bodyStart:pt.bodyEnd]
		var cts, ces, ctes []string
		for _, h := range pt.headers {
			switch h.name {
			case "content-type":
				cts = append(cts, h.value)
			case "content-encoding":
				ces = append(ces, h.value)
			case "content-transfer-encoding":
				ctes = append(ctes, h.value)
			}
		}
		kind := p.BodyKind(cts)
		if kind == BodySkip {
			continue
		}
		for _, cte := range ctes { // every value counts, as for content-encoding
			switch strings.ToLower(strings.TrimSpace(cte)) {
			case "", "7bit", "8bit", "binary":
			default:
				return nil, Report{}, fmt.Errorf("%w: content-transfer-encoding %q", ErrEncodedPart, cte)
			}
		}
		if !IdentityEncoding(ces) {
			return nil, Report{}, fmt.Errorf("%w: content-encoding %q", ErrEncodedPart, strings.Join(ces, ", "))
		}
		if len(partBody) == 0 {
			continue
		}
		var out []byte
		var rep Report
		switch kind {
		case BodyMultipart:
			out, rep, err = p.rewriteMultipart(partBody, cts[0], in, apply, depth+1)
		case BodySniff:
			out, rep, err = applySniffed(partBody, in, apply)
			if errors.Is(err, ErrNotJSON) {
				err = nil
				if name, ok := formField(pt.headers, cts); ok && formData && p.scope.forms {
					fields = append(fields, formPair{steps: p.formSteps([]byte(name), &meter), value: partBody})
					owners = append(owners, i)
				}
				continue
			}
		default:
			out, rep, err = p.ApplyAs(kind, partBody, in, apply)
			if errors.Is(err, ErrNotJSON) {
				err = nil
				continue
			}
		}
		if err != nil {
			return nil, Report{}, err
		}
		report = p.MergeReports(report, rep)
		if !sameSlice(out, partBody) {
			edits = append(edits, bodyEdits(pt, out)...)
		}
	}
	if meter.Exhausted() {
		return nil, Report{}, fmt.Errorf("%w: reading the field names of a multipart body", ErrWorkBudget)
	}
	if len(fields) > 0 {
		fieldEdits, rep, err := p.applyFields(parts, closeAt, fields, owners, in, apply)
		if err != nil {
			return nil, Report{}, err
		}
		report = p.MergeReports(report, rep)
		edits = append(edits, fieldEdits...)
	}
	if len(edits) == 0 {
		return body, report, nil
	}
	return applyEdits(body, edits), report, nil
}

// mpEdit replaces body[start:end] by text.
type mpEdit struct {
	start, end int
	text       []byte
}

// bodyEdits returns the edits that replace a part's body by out, and its
// content-length header's value when it has one.
func bodyEdits(pt *mpPart, out []byte) []mpEdit {
	edits := []mpEdit{{pt.bodyStart, pt.bodyEnd, out}}
	for _, h := range pt.headers {
		if h.name == "content-length" {
			start := h.valEnd - len(h.value)
			edits = append(edits, mpEdit{start, h.valEnd, strconv.AppendInt(nil, int64(len(out)), 10)})
		}
	}
	return edits
}

// applyEdits applies edits (non-overlapping) to body.
func applyEdits(body []byte, edits []mpEdit) []byte {
	slices.SortFunc(edits, func(a, b mpEdit) int { return a.start - b.start })
	out := make([]byte, 0, len(body)+64)
	from := 0
	for _, e := range edits {
		out = append(append(out, body[from:e.start]...), e.text...)
		from = e.end
	}
	return append(out, body[from:]...)
}

// applyFields applies the rules to the text fields of a form-data body as
// the members of one form: a field whose value changed gets the new text
// as its body, a field a rule removed is dropped whole (from its delimiter
// to the next), a field a rule renamed gets a new content-disposition
// line.
func (p *Program) applyFields(parts []mpPart, closeAt int, fields []formPair, owners []int, in Input, apply ApplyFunc) ([]mpEdit, Report, error) {
	doc := appendFormDoc(nil, fields)
	out, report, err := apply(doc, in)
	if err != nil || sameSlice(out, doc) {
		return nil, report, err
	}
	results, err := p.readFormOutput(out, doc, fields)
	if err != nil {
		results = replacedForm(out, fields)
	}
	var edits []mpEdit
	for k, res := range results {
		if res == nil {
			continue
		}
		i := owners[k]
		pt := &parts[i]
		if res.removed {
			end := closeAt
			if i+1 < len(parts) {
				end = parts[i+1].start
			}
			edits = append(edits, mpEdit{pt.start, end, nil})
			continue
		}
		edits = append(edits, bodyEdits(pt, res.value)...)
		if !res.renamed(&fields[k]) {
			continue
		}
		for _, h := range pt.headers {
			if h.name == "content-disposition" {
				line := append([]byte(`Content-Disposition: form-data; name="`), fieldName(&fields[k], res)...)
				edits = append(edits, mpEdit{h.lineStart, h.valEnd, append(line, '"')})
				break
			}
		}
	}
	return edits, report, nil
}

// fieldName spells the name of a renamed field for its
// content-disposition: its steps in bracket (or dot) notation, '"', CR
// and LF percent-encoded as browsers write them (HTML's multipart/form-data
// encoding).
func fieldName(pr *formPair, res *formResult) []byte {
	b := appendFormName(nil, pr, res, func(dst []byte, name string) []byte { return append(dst, name...) })
	r := strings.NewReplacer(`"`, "%22", "\r", "%0D", "\n", "%0A")
	return []byte(r.Replace(string(b)))
}

// formField returns the field name of a form-data part that is a text
// field: a content-disposition of form-data with a name and no filename,
// and no content-type or text/plain.
func formField(headers []mpHeader, contentTypes []string) (string, bool) {
	switch len(contentTypes) {
	case 0:
	case 1:
		if mt, ok := parseMediaType(contentTypes[0]); !ok || mt != "text/plain" {
			return "", false
		}
	default:
		return "", false
	}
	for _, h := range headers {
		if h.name != "content-disposition" {
			continue
		}
		disp, params, _ := strings.Cut(h.value, ";")
		if !strings.EqualFold(strings.TrimSpace(disp), "form-data") {
			return "", false
		}
		name, hasName := mediaParam(params, "name")
		if _, hasFile := mediaParam(params, "filename"); hasFile || !hasName {
			return "", false
		}
		if _, hasFile := mediaParam(params, "filename*"); hasFile {
			return "", false
		}
		return name, true
	}
	return "", false
}

// multipartBoundary returns the boundary parameter of a multipart
// content-type value: quoted or not, 1 to 200 bytes without line breaks;
// a value with two boundary parameters has none (parsers disagree on it).
func multipartBoundary(contentType string) (string, bool) {
	_, params, _ := strings.Cut(contentType, ";")
	b, ok := mediaParam(params, "boundary")
	if !ok || b == "" || len(b) > 200 || strings.ContainsAny(b, "\r\n") {
		return "", false
	}
	return b, true
}

// mediaParam returns the value of the parameter name (case-insensitive)
// in the parameters of a header value ("; a=1; b=\"x y\""); ok is false
// when it is absent, sent twice or malformed.
func mediaParam(params, name string) (value string, ok bool) {
	found := false
	for params != "" {
		params = strings.TrimLeft(params, " \t;")
		if params == "" {
			break
		}
		key, rest, hasEq := strings.Cut(params, "=")
		if !hasEq {
			return "", false
		}
		rest = strings.TrimLeft(rest, " \t")
		var v string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return "", false
			}
			v, params = b.String(), rest[i+1:]
		} else {
			v, params, _ = strings.Cut(rest, ";")
			v = strings.TrimRight(v, " \t")
		}
		if strings.EqualFold(strings.TrimSpace(key), name) {
			if found {
				return "", false
			}
			value, found = v, true
		}
	}
	return value, found
}

// splitMultipart finds the parts of body delimited by "--"+boundary (RFC
// 2046 5.1.1): a delimiter starts a line (or the body) and is followed by
// "--" (the close delimiter) or by optional spaces and a line break (CRLF
// or LF). The boundary anywhere else, a missing first or close delimiter,
// a delimiter in the epilogue, or a part header line without ':' is an
// error: a body that cannot be split with confidence is not passed unread.
func splitMultipart(body []byte, boundary string) (parts []mpPart, closeAt int, err error) {
	delim := []byte("--" + boundary)
	i := bytes.Index(body, delim)
	for {
		if i < 0 {
			return nil, 0, errMultipart("no close delimiter")
		}
		if i > 0 && body[i-1] != '\n' {
			return nil, 0, errMultipart("boundary inside a part at offset %d", i)
		}
		j := i + len(delim)
		if bytes.HasPrefix(body[j:], []byte("--")) {
			if len(parts) > 0 {
				parts[len(parts)-1].bodyEnd = lineBreakBefore(body, i, parts[len(parts)-1].bodyStart)
			}
			if bytes.Contains(body[j+2:], delim) {
				return nil, 0, errMultipart("boundary after the close delimiter")
			}
			if len(parts) == 0 {
				return nil, 0, errMultipart("no part")
			}
			return parts, i, nil
		}
		for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
			j++
		}
		switch {
		case bytes.HasPrefix(body[j:], []byte("\r\n")):
			j += 2
		case bytes.HasPrefix(body[j:], []byte("\n")):
			j++
		default:
			return nil, 0, errMultipart("malformed delimiter at offset %d", i)
		}
		if len(parts) > 0 {
			parts[len(parts)-1].bodyEnd = lineBreakBefore(body, i, parts[len(parts)-1].bodyStart)
		}
		pt := mpPart{start: i}
		blank, err := readPartHeaders(body, j, &pt)
		if err != nil {
			return nil, 0, err
		}
		next := bytes.Index(body[blank:], delim)
		if next >= 0 {
			next += blank
		}
		parts = append(parts, pt)
		i = next
	}
}

// lineBreakBefore returns where a part's body ends: before the line break
// (CRLF or LF) that precedes its next delimiter at i, not before from.
func lineBreakBefore(body []byte, i, from int) int {
	end := i - 1 // the '\n'
	if end > from && body[end-1] == '\r' {
		end--
	}
	return max(end, from)
}

// readPartHeaders reads the header lines of a part starting at i up to the
// blank line, fills pt.headers and pt.bodyStart, and returns where the
// blank line starts (its line break may precede the next delimiter).
func readPartHeaders(body []byte, i int, pt *mpPart) (blank int, err error) {
	for {
		nl := bytes.IndexByte(body[i:], '\n')
		if nl < 0 {
			return 0, errMultipart("part headers not ended")
		}
		lineEnd := i + nl
		if lineEnd > i && body[lineEnd-1] == '\r' {
			lineEnd--
		}
		line := body[i:lineEnd]
		if len(line) == 0 {
			pt.bodyStart = i + nl + 1
			return i, nil
		}
		if (line[0] == ' ' || line[0] == '\t') && len(pt.headers) > 0 { // folded
			h := &pt.headers[len(pt.headers)-1]
			h.value += " " + strings.TrimSpace(string(line))
			h.valEnd = lineEnd
		} else {
			name, value, ok := bytes.Cut(line, []byte{':'})
			if !ok || !isToken(string(name)) {
				return 0, errMultipart("malformed part header at offset %d", i)
			}
			v := strings.TrimSpace(string(value))
			pt.headers = append(pt.headers, mpHeader{name: strings.ToLower(string(name)), value: v, lineStart: i, valEnd: i + len(bytes.TrimRight(line, " \t"))})
		}
		i += nl + 1
	}
}
