package rules

import (
	"bytes"
	"errors"
)

// ApplyFunc is Program.Apply's signature; ApplyAs takes one so that an
// embedding program can wrap Apply (the plugin's fault injection does).
type ApplyFunc func(body []byte, in Input) ([]byte, Report, error)

// ApplyAs applies the rules to a whole body of the given kind with apply
// (normally p.Apply):
//   - BodyJSON: apply itself, strict.
//   - BodyJSONLines, BodyJSONSeq: each record on its own (ApplyRecords).
//   - BodySniff: a body that is not a JSON candidate (Sniff) returns
//     ErrNotJSON; a UTF-16/32 candidate ErrInvalidJSON; a UTF-8 candidate is
//     applied like labelled JSON (after a UTF-8 byte-order mark, which is
//     kept), and when it is not valid JSON the error is ErrInvalidJSON if it
//     is almost JSON (AlmostJSON) and ErrNotJSON if not.
//   - BodyForm: read as members (form.go), or as a sniffed body when its
//     bytes are JSON.
//   - BodyMultipart: part by part (multipart.go), its boundary read from
//     in.ContentType.
//   - BodySkip: ErrNotJSON.
//
// As with Apply, an unchanged body is returned as is.
func (p *Program) ApplyAs(kind BodyKind, body []byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	switch kind {
	case BodyJSON:
		return apply(body, in)
	case BodyJSONLines:
		return p.ApplyRecords(body, '\n', in, apply)
	case BodyJSONSeq:
		return p.ApplyRecords(body, 0x1e, in, apply)
	case BodySniff:
		return applySniffed(body, in, apply)
	case BodyForm:
		return p.applyFormBody(body, in, apply)
	case BodyMultipart:
		return p.applyMultipart(body, in, apply)
	}
	return body, Report{}, ErrNotJSON
}

// applySniffed is ApplyAs for BodySniff.
func applySniffed(body []byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	switch Sniff(body, true) {
	case SniffText:
		return body, Report{}, ErrNotJSON
	case SniffWide:
		return nil, Report{}, ErrInvalidJSON
	}
	value := body
	if bytes.HasPrefix(body, []byte(utf8BOM)) {
		value = body[len(utf8BOM):]
	}
	out, report, err := apply(value, in)
	switch {
	case errors.Is(err, ErrInvalidJSON) && !AlmostJSON(value):
		return body, Report{}, ErrNotJSON
	case err != nil:
		return nil, Report{}, err
	case len(value) == len(body):
		return out, report, nil
	case sameSlice(out, value):
		return body, report, nil
	}
	return append([]byte(utf8BOM), out...), report, nil
}

// ApplyRecords applies the rules to each record of a record stream: the
// body split after each sep byte ('\n' for NDJSON and JSON Lines, RS 0x1E
// for json-seq, RFC 7464). Each record is applied on its own with apply,
// separators and whitespace around it kept; a record that is not valid
// JSON (a blank line, a text line, a truncated record) passes unchanged,
// except a line that opens a value lenient parsers read across lines
// (valueAcrossLines): that value is the record.
// A record nested too deep fails the body (ErrTooDeep), as would any other
// error. The reports of all records are merged into one (mergeReport).
func (p *Program) ApplyRecords(body []byte, sep byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	var out []byte // nil until a record changes
	var report Report
	from := 0 // body[:from] is accounted for in out
	for start := 0; start < len(body); {
		end := len(body)
		if i := bytes.IndexByte(body[start:], sep); i >= 0 {
			end = start + i + 1
		}
		record := body[start:end]
		if sep == 0x1e && record[len(record)-1] == sep {
			record = record[:len(record)-1] // json-seq: RS starts the next record
		}
		if len(bytes.TrimSpace(record)) > 0 {
			rewritten, rep, err := apply(record, in)
			if errors.Is(err, ErrInvalidJSON) && sep == '\n' {
				if valueEnd, ok := valueAcrossLines(body, start, end); ok {
					end = valueEnd
					record = body[start:end]
					if rewritten, rep, err = apply(record, in); err != nil {
						return nil, Report{}, err // almost JSON across lines
					}
				}
			}
			switch {
			case errors.Is(err, ErrTooDeep):
				return nil, Report{}, err
			case errors.Is(err, ErrInvalidJSON):
			case err != nil:
				return nil, Report{}, err
			default:
				report = p.mergeReport(report, rep)
				if !sameSlice(rewritten, record) {
					out = append(append(out, body[from:start]...), rewritten...)
					from = start + len(record)
				}
			}
		}
		start = end
	}
	if out == nil {
		return body, report, nil
	}
	return append(out, body[from:]...), report, nil
}

// valueAcrossLines reports whether the line body[start:end] (a record that
// is not valid JSON) opens an object or array that lenient parsers read on
// across the following lines, such as a pretty-printed document under a
// record-stream label, and where that value ends. Such a value is one
// record: rewritten when it is valid JSON, invalid_json when it is only
// almost JSON, so a label cannot hide a document from the filter.
func valueAcrossLines(body []byte, start, end int) (valueEnd int, ok bool) {
	i := skipWS(body[:end], start)
	if i >= end || body[i] != '{' && body[i] != '[' {
		return 0, false
	}
	l := lenient{b: body}
	valueEnd, ok = l.value(i, 0)
	if l.tooDeep {
		return len(body), true
	}
	return valueEnd, ok && valueEnd > end
}

// mergeReport adds the findings of one record to those of the records
// before it: counts add up, paths (and their detectors) are kept up to
// maxReportPaths per rule, findings stay in rule order.
func (p *Program) mergeReport(acc, r Report) Report {
	if len(acc.Findings) == 0 {
		return r
	}
	added := false
	for _, f := range r.Findings {
		i := 0
		for i < len(acc.Findings) && acc.Findings[i].Rule != f.Rule {
			i++
		}
		if i == len(acc.Findings) {
			acc.Findings = append(acc.Findings, f)
			added = true
			continue
		}
		g := &acc.Findings[i]
		g.Count += f.Count
		room := min(maxReportPaths-len(g.Paths), len(f.Paths))
		if room > 0 && (len(g.Detectors) > 0 || len(f.Detectors) > 0) {
			g.Detectors = append(padDetectors(g.Detectors, len(g.Paths)), padDetectors(f.Detectors, len(f.Paths))[:room]...)
		}
		g.Paths = append(g.Paths, f.Paths[:max(room, 0)]...)
	}
	if added {
		order := make(map[string]int, len(p.rules))
		for i := range p.rules {
			order[p.rules[i].id] = i
		}
		sortFindings(acc.Findings, order)
	}
	return acc
}

// padDetectors returns d extended with "" to n entries (a finding without
// detectors has none).
func padDetectors(d []string, n int) []string {
	for len(d) < n {
		d = append(d, "")
	}
	return d
}

// sortFindings orders findings by their rule's position (insertion sort:
// a handful of findings).
func sortFindings(fs []Finding, order map[string]int) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && order[fs[j].Rule] < order[fs[j-1].Rule]; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// sameSlice reports whether out is in itself (Apply returns its input when
// nothing changed).
func sameSlice(out, in []byte) bool {
	return len(out) == len(in) && (len(out) == 0 || &out[0] == &in[0])
}
