package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSummaryPaths is how many distinct paths a summary line spells; the
// rest are counted ("… +N more").
const maxSummaryPaths = 3

// summary is what run and redact print on stderr after the bodies: a
// title line, then one line per rule and direction that changed (or, in
// shadow mode, would have changed) something, one per minimize list that
// removed members, and notes (a local reply, a failure the rule set
// passed or rejected). Paths and counts only, never a value.
type summary struct {
	// title starts the first line: "veil run", "veil redact: FILE".
	title string
	audit audit
	// notes are lines printed after the findings, each prefixed "note: ".
	notes []string
}

// summaryLine is one finding as printed: its columns, then what follows them.
type summaryLine struct {
	dir, rule, action string
	removed, shadow   bool
	rest              string
}

// write prints the summary; color paints removed members red and shadow
// findings bold.
func (s *summary) write(w io.Writer, color bool) {
	var lines []summaryLine
	changed, removed, would := 0, 0, 0
	for _, f := range s.audit.Findings {
		l := summaryLine{dir: f.Direction, rule: f.Rule, action: f.Action}
		switch {
		case f.Mode == "shadow":
			l.shadow = true
			l.action = "would have: " + f.Action
			would += f.Count
		case f.Action == "remove":
			l.removed = true
			l.action = "REMOVED"
			removed += f.Count
		default:
			changed += f.Count
		}
		l.rest = fmt.Sprintf("%d × %s", f.Count, pathList(f.Count, f.Paths, f.Detectors, f.Evidence))
		if f.Failed > 0 {
			l.rest += fmt.Sprintf(" (%d failed)", f.Failed)
		}
		lines = append(lines, l)
	}
	for _, m := range s.audit.Minimized {
		removed += m.Count
		lines = append(lines, summaryLine{dir: m.Direction, rule: "minimize " + m.AllowList, action: "REMOVED", removed: true,
			rest: fmt.Sprintf("%d × %s", m.Count, pathList(m.Count, m.Paths, nil, nil))})
	}
	title := s.title
	if s.audit.RuleSet != "" {
		title += fmt.Sprintf(": rule set %q", s.audit.RuleSet)
	}
	var counts []string
	if changed > 0 {
		counts = append(counts, fmt.Sprintf("%d changed", changed))
	}
	if removed > 0 {
		counts = append(counts, paint(color, ansiRed+ansiBold, fmt.Sprintf("%d removed", removed)))
	}
	if would > 0 {
		counts = append(counts, paint(color, ansiBold, fmt.Sprintf("%d would have changed (shadow)", would)))
	}
	if len(counts) == 0 {
		counts = append(counts, "nothing changed")
	}
	fmt.Fprintf(w, "%s: %s\n", title, strings.Join(counts, ", "))
	var wd, wr, wa int
	for _, l := range lines {
		wd, wr, wa = max(wd, len(l.dir)), max(wr, len(l.rule)), max(wa, len(l.action))
	}
	for _, l := range lines {
		action := fmt.Sprintf("%-*s", wa, l.action)
		switch {
		case l.removed:
			action = paint(color, ansiRed+ansiBold, action)
		case l.shadow:
			action = paint(color, ansiBold, action)
		}
		fmt.Fprintf(w, "  %-*s  %-*s  %s  %s\n", wd, l.dir, wr, l.rule, action, l.rest)
	}
	for _, n := range s.notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// pathList spells the first maxSummaryPaths distinct paths of a finding
// of count values, each with its detector and evidence when a detector
// found it ("$.note (email, format+key)"), a path found several times
// followed by its count ("$.note ×2"), then "… +N more" for the values not
// spelled (a report keeps at most 64 paths; count is exact).
func pathList(count int, paths, detectors, evidence []string) string {
	type group struct {
		text string
		n    int
	}
	var groups []group
	index := map[string]int{}
	for i, p := range paths {
		text := p
		if i < len(detectors) && detectors[i] != "" {
			text += " (" + detectors[i]
			if i < len(evidence) && evidence[i] != "" {
				text += ", " + evidence[i]
			}
			text += ")"
		}
		if j, ok := index[text]; ok {
			groups[j].n++
			continue
		}
		index[text] = len(groups)
		groups = append(groups, group{text, 1})
	}
	var parts []string
	shown := 0
	for _, g := range groups[:min(len(groups), maxSummaryPaths)] {
		text := g.text
		if g.n > 1 {
			text += fmt.Sprintf(" ×%d", g.n)
		}
		parts = append(parts, text)
		shown += g.n
	}
	if more := count - shown; more > 0 {
		parts = append(parts, fmt.Sprintf("… +%d more", more))
	}
	return strings.Join(parts, ", ")
}

// mergeAudit adds src's findings and minimized lists to dst, each path
// prefixed with prefix (NDJSON: "line 3 "): one entry per rule,
// direction and mode, counts summed.
func mergeAudit(dst *audit, src audit, prefix string) {
	if dst.RuleSet == "" {
		dst.RuleSet = src.RuleSet
	}
	prefixed := func(paths []string) []string {
		out := make([]string, len(paths))
		for i, p := range paths {
			out[i] = prefix + p
		}
		return out
	}
findings:
	for _, f := range src.Findings {
		for i := range dst.Findings {
			if d := &dst.Findings[i]; d.Direction == f.Direction && d.Rule == f.Rule && d.Mode == f.Mode {
				d.Count += f.Count
				d.Failed += f.Failed
				// Detectors and Evidence run beside Paths: keep them aligned.
				if len(d.Detectors) > 0 || len(f.Detectors) > 0 {
					d.Detectors = append(padTo(d.Detectors, len(d.Paths)), padTo(f.Detectors, len(f.Paths))...)
					d.Evidence = append(padTo(d.Evidence, len(d.Paths)), padTo(f.Evidence, len(f.Paths))...)
				}
				d.Paths = append(d.Paths, prefixed(f.Paths)...)
				continue findings
			}
		}
		f.Paths = prefixed(f.Paths)
		dst.Findings = append(dst.Findings, f)
	}
minimized:
	for _, m := range src.Minimized {
		for i := range dst.Minimized {
			if d := &dst.Minimized[i]; d.Direction == m.Direction && d.AllowList == m.AllowList {
				d.Count += m.Count
				d.Paths = append(d.Paths, prefixed(m.Paths)...)
				continue minimized
			}
		}
		m.Paths = prefixed(m.Paths)
		dst.Minimized = append(dst.Minimized, m)
	}
}

// padTo returns s extended with "" to length n.
func padTo(s []string, n int) []string {
	out := make([]string, n)
	copy(out, s)
	return out
}

// useColor reports whether w is a terminal and NO_COLOR is unset
// (https://no-color.org): --diff and the summary colour only then.
func useColor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
