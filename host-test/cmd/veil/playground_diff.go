package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The playground shows a forwarded body with what the filter changed
// highlighted. It compares the body as it reached the filter with the body
// as it left: structurally when both are JSON (member by member, element by
// element; a string's changed middle only), line by line otherwise. Each
// change is then tied to the audit findings whose paths name it, so the page
// can say which rule, detector and evidence changed it.

// segment is a piece of the displayed body: plain text, a changed span
// (Change, 1-based, indexes bodyView.Changes), or a ghost that stands for
// something the filter removed and is not part of the body (Removed).
type segment struct {
	Text    string `json:"t"`
	Change  int    `json:"c,omitempty"`
	Removed bool   `json:"r,omitempty"`
}

// change is one changed, added or removed value of a body.
type change struct {
	// Path is the value's normalized JSON path ($.a['b c'][0]), or "line N"
	// in a body compared as text.
	Path string `json:"path"`
	// Kind is "changed", "added" or "removed".
	Kind string `json:"kind"`
	// By lists the findings that name the path (or a path inside or around
	// it), first the exact ones.
	By []changeCause `json:"by,omitempty"`

	segs []pathSeg
	// records are, for a line of a body compared as text that holds a JSON
	// record (an SSE data: line, an NDJSON line), the paths that changed
	// inside the record: the findings of a stream name those.
	records [][]pathSeg
}

// changeCause is the rule (or minimize list) that an audit finding says
// acted at a change's path, with the detector and evidence it names there.
type changeCause struct {
	Rule      string `json:"rule"`
	Action    string `json:"action"`
	Mode      string `json:"mode,omitempty"`
	Detector  string `json:"detector,omitempty"`
	Evidence  string `json:"evidence,omitempty"`
	Path      string `json:"path"`
	Direction string `json:"-"`
}

// bodyView is one forwarded body as the page shows it.
type bodyView struct {
	// Format is "json" (shown re-indented) or "text" (as forwarded).
	Format   string    `json:"format"`
	Segments []segment `json:"segments"`
	Changes  []change  `json:"changes"`
}

// pathSeg is one step of a JSON path: a member name, an array index, any
// member name (a report's [<name>], a name that looked like personal data),
// or the step into a string walked as JSON (<json>).
type pathSeg struct {
	kind  byte // 'n' name, 'i' index, '*' any name, 'j' into JSON text
	name  string
	index int
}

// jnode is a JSON value that keeps its members in document order (and
// repeated names), as the filter sees them.
type jnode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'l' other literal
	keys []string
	kids []*jnode
	text string // a string's value, a literal's JSON text
}

// parseJSONOrdered parses one JSON document into a jnode tree; trailing
// data after it is an error.
func parseJSONOrdered(b []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &jnode{kind: 'a'}
		if t == '{' {
			n.kind = 'o'
		}
		for dec.More() {
			if n.kind == 'o' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			kid, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &jnode{kind: 's', text: t}, nil
	case json.Number:
		return &jnode{kind: 'l', text: t.String()}, nil
	case bool:
		return &jnode{kind: 'l', text: strconv.FormatBool(t)}, nil
	default:
		return &jnode{kind: 'l', text: "null"}, nil
	}
}

// encodeJSONString returns s as a JSON string literal, without HTML escaping.
func encodeJSONString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// differ renders the output body and records the changes against the input.
type differ struct {
	segs    []segment
	changes []change
}

// text appends plain text (or text of change c), merging with the last segment.
func (d *differ) text(s string, c int) {
	if s == "" {
		return
	}
	if n := len(d.segs); n > 0 && d.segs[n-1].Change == c && !d.segs[n-1].Removed {
		d.segs[n-1].Text += s
		return
	}
	d.segs = append(d.segs, segment{Text: s, Change: c})
}

// newChange records a change and returns its 1-based index.
func (d *differ) newChange(path []pathSeg, kind string) int {
	d.changes = append(d.changes, change{Path: formatPath(path), Kind: kind, segs: append([]pathSeg(nil), path...)})
	return len(d.changes)
}

// diffJSON renders out (indented by two spaces) with what differs from in.
func diffJSON(in, out *jnode) *bodyView {
	d := &differ{}
	d.node(in, out, nil, "")
	return &bodyView{Format: "json", Segments: d.segs, Changes: d.changes}
}

// node renders out at path, in being the input value at the same place (nil: none).
func (d *differ) node(in, out *jnode, path []pathSeg, indent string) {
	switch {
	case in == nil:
		d.whole(out, d.newChange(path, "added"), indent)
	case in.kind != out.kind || (out.kind == 'l' && in.text != out.text):
		d.whole(out, d.newChange(path, "changed"), indent)
	case out.kind == 's':
		if in.text == out.text {
			d.text(encodeJSONString(out.text), 0)
			return
		}
		d.changedText(encodeJSONString(in.text), encodeJSONString(out.text), d.newChange(path, "changed"))
	case out.kind == 'l':
		d.text(out.text, 0)
	default:
		d.container(in, out, path, indent)
	}
}

// container renders an object or array member by member.
func (d *differ) container(in, out *jnode, path []pathSeg, indent string) {
	open, closer := "[", "]"
	if out.kind == 'o' {
		open, closer = "{", "}"
	}
	// match pairs each output member with its input member: by name and
	// occurrence for objects, by index for arrays; -1 when none.
	match := make([]int, len(out.kids))
	used := make([]bool, len(in.kids))
	for i := range out.kids {
		match[i] = -1
		if out.kind == 'a' {
			if i < len(in.kids) {
				match[i], used[i] = i, true
			}
			continue
		}
		for j, k := range in.keys {
			if !used[j] && k == out.keys[i] {
				match[i], used[j] = j, true
				break
			}
		}
	}
	if len(out.kids) == 0 && !anyUnused(used) {
		d.text(open+closer, 0)
		return
	}
	inner := indent + "  "
	d.text(open, 0)
	first := true
	next := 0 // input members before next are placed
	ghosts := func(upto int) {
		for ; next < upto; next++ {
			if used[next] {
				continue
			}
			c := d.newChange(append(path, memberSeg(in, next)), "removed")
			label := fmt.Sprintf("removed: element %d", next)
			if in.kind == 'o' {
				label = "removed: " + encodeJSONString(in.keys[next])
			}
			d.text("\n"+inner, 0)
			d.segs = append(d.segs, segment{Text: label, Change: c, Removed: true})
		}
	}
	for i, kid := range out.kids {
		if !first {
			d.text(",", 0)
		}
		first = false
		if match[i] >= 0 {
			ghosts(match[i])
		}
		d.text("\n"+inner, 0)
		seg := memberSeg(out, i)
		var inKid *jnode
		if match[i] >= 0 {
			inKid = in.kids[match[i]]
		}
		if out.kind == 'o' {
			if inKid == nil {
				c := d.newChange(append(path, seg), "added")
				d.text(encodeJSONString(out.keys[i])+": ", c)
				d.whole(kid, c, inner)
				continue
			}
			d.text(encodeJSONString(out.keys[i])+": ", 0)
		}
		d.node(inKid, kid, append(path, seg), inner)
	}
	ghosts(len(in.kids))
	d.text("\n"+indent+closer, 0)
}

func anyUnused(used []bool) bool {
	for _, u := range used {
		if !u {
			return true
		}
	}
	return false
}

// memberSeg is the path step to member i of container n.
func memberSeg(n *jnode, i int) pathSeg {
	if n.kind == 'o' {
		return pathSeg{kind: 'n', name: n.keys[i]}
	}
	return pathSeg{kind: 'i', index: i}
}

// whole renders n in full as part of change c.
func (d *differ) whole(n *jnode, c int, indent string) {
	switch n.kind {
	case 's':
		d.text(encodeJSONString(n.text), c)
	case 'l':
		d.text(n.text, c)
	default:
		open, closer := "[", "]"
		if n.kind == 'o' {
			open, closer = "{", "}"
		}
		if len(n.kids) == 0 {
			d.text(open+closer, c)
			return
		}
		d.text(open, c)
		for i, kid := range n.kids {
			if i > 0 {
				d.text(",", c)
			}
			d.text("\n"+indent+"  ", c)
			if n.kind == 'o' {
				d.text(encodeJSONString(n.keys[i])+": ", c)
			}
			d.whole(kid, c, indent+"  ")
		}
		d.text("\n"+indent+closer, c)
	}
}

// changedText appends b as change c's text, marking what is not in a: the
// two are compared token by token (words, and each other character or
// escape), then each run of differing tokens character by character, so a
// string with two replacements shows two highlights and a mask only its
// masked characters. A JSON escape (\n, \u00e9) or a UTF-8 sequence is
// never cut in two.
func (d *differ) changedText(a, b string, c int) {
	ta, tb := textTokens(a), textTokens(b)
	var del, add strings.Builder
	flush := func() {
		if del.Len() == 0 && add.Len() == 0 {
			return
		}
		pre, mid, suf := splitChanged(del.String(), add.String())
		d.text(pre, 0)
		if mid == "" { // only removed text: mark the place
			d.segs = append(d.segs, segment{Change: c})
		}
		d.text(mid, c)
		d.text(suf, 0)
		del.Reset()
		add.Reset()
	}
	for _, op := range lineOps(ta, tb) {
		switch op.kind {
		case '=':
			flush()
			d.text(tb[op.j], 0)
		case '-':
			del.WriteString(ta[op.i])
		default:
			add.WriteString(tb[op.j])
		}
	}
	flush()
}

// splitChanged splits b into the prefix and suffix it shares with a and the
// middle that differs, by characters and JSON escapes.
func splitChanged(a, b string) (prefix, middle, suffix string) {
	ua, ub := escapeUnits(a), escapeUnits(b)
	p := 0
	for p < len(ua) && p < len(ub) && ua[p] == ub[p] {
		p++
	}
	s := 0
	for s < len(ua)-p && s < len(ub)-p && ua[len(ua)-1-s] == ub[len(ub)-1-s] {
		s++
	}
	return strings.Join(ub[:p], ""), strings.Join(ub[p:len(ub)-s], ""), strings.Join(ub[len(ub)-s:], "")
}

// textTokens splits text into words (runs of letters, digits, '_', non-ASCII
// characters and \u escapes) and single other characters or escapes.
func textTokens(s string) []string {
	var tokens []string
	word := -1 // start of the word being read, -1 outside one
	i := 0
	for _, u := range escapeUnits(s) {
		w := len(u) > 1 && u[0] != '\\' || len(u) == 6 || len(u) == 1 && (u[0] == '_' || 'a' <= u[0] && u[0] <= 'z' || 'A' <= u[0] && u[0] <= 'Z' || '0' <= u[0] && u[0] <= '9')
		switch {
		case w && word < 0:
			word = i
		case !w && word >= 0:
			tokens = append(tokens, s[word:i])
			word = -1
		}
		if !w {
			tokens = append(tokens, u)
		}
		i += len(u)
	}
	if word >= 0 {
		tokens = append(tokens, s[word:])
	}
	return tokens
}

// escapeUnits splits an encoded JSON string into its characters and escapes.
func escapeUnits(s string) []string {
	var units []string
	for i := 0; i < len(s); {
		n := 1
		switch {
		case s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' && isHex4(s[i+2:i+6]):
			n = 6
		case s[i] == '\\' && i+1 < len(s) && s[i+1] < utf8.RuneSelf:
			n = 2
		default:
			_, n = utf8.DecodeRuneInString(s[i:])
		}
		units = append(units, s[i:i+n])
		i += n
	}
	return units
}

// isHex4 reports whether s is four hex digits.
func isHex4(s string) bool {
	_, err := strconv.ParseUint(s, 16, 16)
	return err == nil && !strings.ContainsAny(s, "+-_")
}

// diffText renders out, a body compared as text, with the lines that differ
// from in: a changed line shows its changed middle, an added line all of
// it, a removed line a ghost.
func diffText(in, out string) *bodyView {
	a, b := strings.SplitAfter(in, "\n"), strings.SplitAfter(out, "\n")
	d := &differ{}
	ops := lineOps(a, b)
	for k := 0; k < len(ops); {
		if ops[k].kind == '=' {
			d.text(b[ops[k].j], 0)
			k++
			continue
		}
		// a run of removed and added lines: pair them, the rest are removed or added
		var del, add []int
		for ; k < len(ops) && ops[k].kind != '='; k++ {
			if ops[k].kind == '-' {
				del = append(del, ops[k].i)
			} else {
				add = append(add, ops[k].j)
			}
		}
		for n, j := range add {
			path := []pathSeg{{kind: 'l', index: j + 1}}
			if n >= len(del) {
				d.text(b[j], d.newChange(path, "added"))
				continue
			}
			c := d.newChange(path, "changed")
			d.changes[c-1].records = recordPaths(a[del[n]], b[j])
			d.changedText(a[del[n]], b[j], c)
		}
		for _, i := range del[min(len(del), len(add)):] {
			c := d.newChange([]pathSeg{{kind: 'l', index: i + 1}}, "removed")
			d.segs = append(d.segs, segment{Text: fmt.Sprintf("removed: input line %d\n", i+1), Change: c, Removed: true})
		}
	}
	return &bodyView{Format: "text", Segments: d.segs, Changes: d.changes}
}

// recordPaths returns the paths that differ between two lines that hold a
// JSON record after the same prefix ("data: " of an event stream, nothing
// for NDJSON); nil when they do not.
func recordPaths(a, b string) [][]pathSeg {
	i := strings.IndexAny(a, "{[")
	if i < 0 || !strings.HasPrefix(b, a[:i]) {
		return nil
	}
	ra, err := parseJSONOrdered([]byte(a[i:]))
	if err != nil {
		return nil
	}
	rb, err := parseJSONOrdered([]byte(b[i:]))
	if err != nil {
		return nil
	}
	var out [][]pathSeg
	for _, ch := range diffJSON(ra, rb).Changes {
		out = append(out, ch.segs)
	}
	return out
}

// lineOp is one step of a line diff: '=' line i of a is line j of b, '-'
// line i of a is gone, '+' line j of b is new.
type lineOp struct {
	kind byte
	i, j int
}

// lineOps is lineDiff's edit script (diff.go) with the index of each line
// in a and b.
func lineOps(a, b []string) []lineOp {
	ops := make([]lineOp, 0, len(a)+len(b))
	i, j := 0, 0
	for _, op := range lineDiff(a, b) {
		switch op.kind {
		case ' ':
			ops = append(ops, lineOp{'=', i, j})
			i++
			j++
		case '-':
			ops = append(ops, lineOp{'-', i, j})
			i++
		default:
			ops = append(ops, lineOp{'+', i, j})
			j++
		}
	}
	return ops
}

// formatPath writes a path as the audit line does (RFC 9535 normalized
// paths: $.name, $['other name'], [n]); a text line as "line N".
func formatPath(path []pathSeg) string {
	if len(path) == 1 && path[0].kind == 'l' {
		return fmt.Sprintf("line %d", path[0].index)
	}
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range path {
		switch s.kind {
		case 'i':
			fmt.Fprintf(&b, "[%d]", s.index)
		case '*':
			b.WriteString("[<name>]")
		case 'j':
			b.WriteString("<json>")
		default:
			if shorthandName(s.name) {
				b.WriteString("." + s.name)
				continue
			}
			b.WriteString("['")
			for _, r := range s.name {
				switch {
				case r == '\'' || r == '\\':
					b.WriteRune('\\')
					b.WriteRune(r)
				case r < 0x20 || r == 0x7f:
					fmt.Fprintf(&b, `\u%04x`, r)
				default:
					b.WriteRune(r)
				}
			}
			b.WriteString("']")
		}
	}
	return b.String()
}

// shorthandName reports whether a member name is written .name in a
// normalized path: a letter, '_' or non-ASCII first, then those or digits.
func shorthandName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 0x80 && r != utf8.RuneError || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

// parseReportPath reads a path of an audit finding ($.a.b[2]['c d'],
// [<name>], <json>) into steps; ok is false for text it cannot read.
func parseReportPath(s string) (segs []pathSeg, ok bool) {
	if !strings.HasPrefix(s, "$") || !utf8.ValidString(s) {
		return nil, false
	}
	s = s[1:]
	for s != "" {
		switch {
		case strings.HasPrefix(s, "<json>"):
			segs, s = append(segs, pathSeg{kind: 'j'}), s[len("<json>"):]
		case strings.HasPrefix(s, "[<name>]"):
			segs, s = append(segs, pathSeg{kind: '*'}), s[len("[<name>]"):]
		case strings.HasPrefix(s, "['"):
			var name strings.Builder
			i := 2
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] != '\\' {
					name.WriteByte(s[i])
					continue
				}
				if i+1 >= len(s) {
					return nil, false
				}
				if s[i+1] == 'u' {
					if i+6 > len(s) {
						return nil, false
					}
					v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
					if err != nil {
						return nil, false
					}
					name.WriteRune(rune(v)) // a lone surrogate reads as U+FFFD: no member has it
					i += 5
					continue
				}
				name.WriteByte(s[i+1])
				i++
			}
			if !strings.HasPrefix(s[i:], "']") {
				return nil, false
			}
			segs, s = append(segs, pathSeg{kind: 'n', name: name.String()}), s[i+2:]
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(s[1:end])
			if err != nil || n < 0 {
				return nil, false
			}
			segs, s = append(segs, pathSeg{kind: 'i', index: n}), s[end+1:]
		case s[0] == '.':
			end := 1
			for end < len(s) && s[end] != '.' && s[end] != '[' && s[end] != '<' {
				end++
			}
			if end == 1 {
				return nil, false
			}
			segs, s = append(segs, pathSeg{kind: 'n', name: s[1:end]}), s[end:]
		default:
			return nil, false
		}
	}
	return segs, true
}

// pathRelation compares a finding's path f with a change's path c: 0 when
// they name the same value, 1 when f is inside c (a span of a string walked
// as JSON, a member of a replaced object), 2 when c is inside f (a member of
// an object the rule acted on), -1 when unrelated. A [<name>] step of f
// matches any member name.
func pathRelation(f, c []pathSeg) int {
	// <json> steps go inside a string c shows whole: compare only up to them
	var ff []pathSeg
	for _, s := range f {
		if s.kind == 'j' {
			return relationPrefix(ff, c, true)
		}
		ff = append(ff, s)
	}
	return relationPrefix(ff, c, false)
}

func relationPrefix(f, c []pathSeg, inside bool) int {
	n := min(len(f), len(c))
	for i := range n {
		if !stepMatches(f[i], c[i]) {
			return -1
		}
	}
	switch {
	case len(f) == len(c) && !inside:
		return 0
	case len(f) >= len(c):
		return 1
	default:
		return 2
	}
}

func stepMatches(f, c pathSeg) bool {
	switch f.kind {
	case '*':
		return c.kind == 'n'
	case 'i':
		return c.kind == 'i' && c.index == f.index
	default:
		return c.kind == 'n' && c.name == f.name
	}
}

// attribute ties the changes of one direction's body to the findings and
// minimize lists of the audit that name their paths.
func attribute(v *bodyView, dir string, a *audit) {
	if v == nil || a == nil {
		return
	}
	var causes []changeCause
	var paths [][]pathSeg
	add := func(c changeCause) {
		segs, ok := parseReportPath(c.Path)
		if ok {
			causes, paths = append(causes, c), append(paths, segs)
		}
	}
	for _, f := range a.Findings {
		if f.Direction != dir {
			continue
		}
		for i, p := range f.Paths {
			c := changeCause{Rule: f.Rule, Action: f.Action, Mode: f.Mode, Path: p}
			if i < len(f.Detectors) {
				c.Detector = f.Detectors[i]
			}
			if i < len(f.Evidence) {
				c.Evidence = f.Evidence[i]
			}
			add(c)
		}
	}
	for _, m := range a.Minimized {
		if m.Direction != dir {
			continue
		}
		for _, p := range m.Paths {
			add(changeCause{Rule: m.AllowList, Action: "minimize", Path: p})
		}
	}
	for k := range v.Changes {
		ch := &v.Changes[k]
		targets := ch.records
		if v.Format == "json" {
			targets = [][]pathSeg{ch.segs}
		}
		for want := range 3 { // exact first, then inside, then around
			for i, p := range paths {
				for _, t := range targets {
					if pathRelation(p, t) == want && !hasCause(ch.By, causes[i]) {
						ch.By = append(ch.By, causes[i])
					}
				}
			}
			if len(ch.By) > 0 {
				break
			}
		}
	}
}

// hasCause reports whether list already names c's rule with c's detector.
func hasCause(list []changeCause, c changeCause) bool {
	for _, x := range list {
		if x.Rule == c.Rule && x.Detector == c.Detector {
			return true
		}
	}
	return false
}

// viewBody compares a body as it reached the filter with the body as it
// left: as JSON when both parse, else as text.
func viewBody(in, out []byte) *bodyView {
	if json.Valid(in) && json.Valid(out) {
		a, errA := parseJSONOrdered(in)
		b, errB := parseJSONOrdered(out)
		if errA == nil && errB == nil {
			return diffJSON(a, b)
		}
	}
	return diffText(string(in), string(out))
}
