package rules

import (
	"bytes"
	"errors"
	"slices"
)

// ApplyFunc is Program.Apply's signature; ApplyAs takes one so that an
// embedding program can wrap Apply (the plugin's fault injection does).
type ApplyFunc func(body []byte, in Input) ([]byte, Report, error)

// ApplyAs applies the rules to a whole body of the given kind with apply
// (normally p.Apply):
//   - BodyJSON: apply itself, strict.
//   - BodyJSONLines, BodyJSONSeq, BodyEventStream: each record on its own,
//     through a Stream given the whole body at once (applyStream), so the
//     whole body and its chunks are rewritten by one implementation.
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
	case BodyJSONLines, BodyJSONSeq, BodyEventStream:
		return p.applyStream(kind, body, in, apply)
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

// MergeReports returns the report of one direction of an exchange made of
// two parts (its headers or query string and its body; the parts of a
// multipart body), as mergeReport merges records. Neither a nor b is
// changed.
func (p *Program) MergeReports(a, b Report) Report {
	return p.mergeReport(cloneReport(a), cloneReport(b))
}

// cloneReport returns r with slices of its own, so that appending to the
// copy never writes into r.
func cloneReport(r Report) Report {
	c := Report{Findings: slices.Clone(r.Findings), Minimized: slices.Clone(r.Minimized)}
	for i := range c.Findings {
		f := &c.Findings[i]
		f.Paths, f.Detectors, f.Evidence = slices.Clip(f.Paths), slices.Clip(f.Detectors), slices.Clip(f.Evidence)
	}
	for i := range c.Minimized {
		c.Minimized[i].Paths = slices.Clip(c.Minimized[i].Paths)
	}
	return c
}

// mergeReport adds the findings and minimizations of one record to those
// of the records before it (acc, whose slices it may append to): counts
// add up, paths (and their detectors and evidence) are kept up to maxReportPaths per
// rule and minimize list, findings stay in rule order.
func (p *Program) mergeReport(acc, r Report) Report {
	acc.Minimized = mergeMinimized(acc.Minimized, r.Minimized)
	if len(acc.Findings) == 0 {
		acc.Findings = r.Findings
		return acc
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
			g.Evidence = append(padDetectors(g.Evidence, len(g.Paths)), padDetectors(f.Evidence, len(f.Paths))[:room]...)
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

// mergeMinimized adds the members minimize lists removed from one record
// to acc: counts add up, paths are kept up to maxReportPaths per list.
func mergeMinimized(acc, r []Minimized) []Minimized {
	for _, m := range r {
		i := 0
		for i < len(acc) && acc[i].ID != m.ID {
			i++
		}
		if i == len(acc) {
			acc = append(acc, m)
			continue
		}
		g := &acc[i]
		g.Count += m.Count
		room := max(0, min(maxReportPaths-len(g.Paths), len(m.Paths)))
		g.Paths = append(g.Paths, m.Paths[:room]...)
	}
	return acc
}

// padDetectors returns d extended with "" to n entries (a finding without
// detectors has no Detectors and no Evidence).
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

// applyStream is ApplyAs for a record stream: a Stream given the whole body
// and closed, as Write(body) then Close would, in one call.
func (p *Program) applyStream(kind BodyKind, body []byte, in Input, apply ApplyFunc) ([]byte, Report, error) {
	var s Stream
	s.init(p, kind, in, apply)
	out, err := s.finish(body, true)
	if err != nil {
		return nil, Report{}, err
	}
	if !s.touched {
		return body, s.report, nil
	}
	return out, s.report, nil
}
