package rules

import (
	"github.com/veilproxy/veil/rules/internal/detect"
	"go.yaml.in/yaml/v3"
)

// Minimization (`minimize:`) forwards only the members a route declares.
// Each list's allowed paths compile into an automaton of their own (the
// rules' construction, with every path "deciding"): a member or element
// reached in a deciding state is allowed and kept whole; one reached in a
// dead state (no allowed path below) is removed; one in any other state is
// an ancestor of allowed paths when it is an object or array (kept, and
// minimized inside) and removed when it is a scalar. Apply minimizes first,
// then runs the rules on what remains.

// minimizeSpec is a decoded minimize list.
type minimizeSpec struct {
	id                string
	cond              *ruleCond
	request, response bool
	sels              []selSpec
}

// allowList is a compiled minimize list.
type allowList struct {
	id                string
	cond              *ruleCond // nil: every exchange
	request, response bool
	a                 *automaton
}

// Minimized is what one minimize list removed from one body.
type Minimized struct {
	// ID is the list's id.
	ID string
	// Count is the number of members and array elements removed (a removed
	// object counts one, whatever it held).
	Count int
	// Paths are the paths of the first removed values, at most 64, spelled
	// like Finding.Paths.
	Paths []string
}

// decodeMinimize reads `minimize:`.
func (d *decoder) decodeMinimize(n *yaml.Node, c *condSpec) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "minimize: want a list, got %s", kindName(n))
		return
	}
	first := map[string]int{}
	for _, ln := range n.Content {
		ln = resolve(ln)
		m := minimizeSpec{response: true}
		var allow, when, unless *yaml.Node
		ok := d.fields(ln, "minimize", []string{"id", "when", "unless", "direction", "allow"}, func(key string, _, v *yaml.Node) {
			switch key {
			case "id":
				id, ok := d.str(v, "minimize.id")
				if !ok || !d.checkName(v, "minimize.id", id) {
					return
				}
				if line, dup := first[id]; dup {
					d.errorf(v, "minimize.id: duplicate id %q (first defined on line %d)", id, line)
					return
				}
				first[id] = v.Line
				m.id = id
			case "when":
				when = v
			case "unless":
				unless = v
			case "direction":
				m.request, m.response = d.decodeDirection(v, "minimize.direction", "response")
			case "allow":
				allow = v
			}
		})
		if !ok {
			continue
		}
		if field(ln, "id") == nil {
			d.errorf(ln, "minimize: missing field \"id\"")
		}
		if when != nil || unless != nil {
			m.cond = &ruleCond{}
			if when != nil {
				m.cond.when = d.decodeCond(when, "when", c, false)
			}
			if unless != nil {
				m.cond.unless = d.decodeCond(unless, "unless", c, false)
			}
		}
		switch {
		case allow == nil:
			d.errorf(ln, "minimize: missing field \"allow\"")
		case allow.Kind == yaml.SequenceNode && len(allow.Content) == 0:
			d.errorf(allow, "minimize.allow: empty list (a list that allows nothing would empty every body)")
		default:
			for _, it := range d.stringList(allow, "minimize.allow") {
				steps, perr := parsePath(it.Value)
				switch {
				case perr != nil:
					d.errorAt(it, perr.off, "minimize.allow: path %q: %s", it.Value, perr.msg)
				case d.foldPath(it, "minimize.allow: path", steps, false):
					m.sels = append(m.sels, selSpec{steps, it.Value, posOf(it)})
				}
			}
		}
		c.minimize = append(c.minimize, m)
	}
}

// compileMinimize builds the automaton of each minimize list; it reports
// false after recording mistakes in d.
func (p *Program) compileMinimize(specs []minimizeSpec, d *decoder) bool {
	for _, m := range specs {
		sels := make([]selector, len(m.sels))
		for i, s := range m.sels {
			sels[i] = selector{rule: 0, selSpec: s}
		}
		a, err := buildAutomaton(newClassifier(sels), sels, nil, newDetContexts(nil, nil, nil))
		if err != nil {
			for _, s := range err.sels {
				d.addAt(sels[s].at, "", "minimize %q: path %q: %v; use fewer recursive descents", m.id, sels[s].text, err)
			}
			return false
		}
		p.minimize = append(p.minimize, allowList{id: m.id, cond: m.cond, request: m.request, response: m.response, a: a})
	}
	return true
}

// minimizer holds the state of minimizing one body with one list.
type minimizer struct {
	a              *automaton
	body, out      []byte // out is nil until the first removal
	from           int    // body[from:] is not yet copied to out
	loc            []pathElem
	t              tally // renders the paths of removed values
	meter          detect.Meter
	count          int
	paths          []string
	exBuf, normBuf [maxNameLen]byte
}

// minimizeBody returns body minimized by list l, and what was removed; it
// returns body itself when nothing was, or when body is not valid JSON
// within maxDepth (the walk then reports the error).
func (p *Program) minimizeBody(body []byte, l *allowList) ([]byte, Minimized) {
	m := &minimizer{a: l.a, body: body, loc: make([]pathElem, p.maxDepth), t: tally{names: p.names}}
	m.meter.Limit = p.WorkBudget(len(body))
	m.t.meter = &m.meter
	res := Minimized{ID: l.id}
	i := skipWS(body, 0)
	if i >= len(body) {
		return body, res
	}
	if m.visit(i, l.a.start, 0) < 0 || m.out == nil {
		return body, res
	}
	res.Count, res.Paths = m.count, m.paths
	return append(m.out, body[m.from:]...), res
}

// visit minimizes the value at body[i], reached in state q (not dead).
func (m *minimizer) visit(i int, q int32, depth int) int {
	if m.a.decide[q] != noRule {
		return skipValue(m.body, i, len(m.loc)-depth)
	}
	switch m.body[i] {
	case '{', '[':
		if depth >= len(m.loc) {
			return -1
		}
		return m.container(i, q, depth, m.body[i] == '{')
	}
	return skipValue(m.body, i, 0)
}

// container minimizes the object or array at body[i] in state q.
func (m *minimizer) container(i int, q int32, depth int, obj bool) int {
	b := m.body
	closer := byte(']')
	if obj {
		closer = '}'
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1
	}
	sep, kept := noComma, 0
	for n := 0; ; n++ {
		start := i
		var next int32
		if obj {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			ke, esc := scanString(b, i)
			if ke < 0 {
				return -1
			}
			next = m.a.member(q, b[i+1:ke-1], esc, &m.exBuf, &m.normBuf)
			m.loc[depth] = pathElem{i + 1, ke - 1}
			if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
				return -1
			}
			i = skipWS(b, i+1)
		} else {
			next = m.a.element(q, n)
			m.loc[depth] = pathElem{arrayElement, n}
		}
		if i >= len(b) {
			return -1
		}
		var end int
		keep := m.a.decide[next] != noRule || !m.a.dead[next] && (b[i] == '{' || b[i] == '[')
		if keep {
			if sep != noComma && kept == 0 {
				m.cut(sep, sep+1)
			}
			kept++
			end = m.visit(i, next, depth+1)
		} else {
			end = m.drop(i, start, sep, depth)
		}
		if end < 0 {
			return end
		}
		i = skipWS(b, end)
		if i < len(b) && b[i] == ',' {
			sep, i = i, skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == closer {
			return i + 1
		}
		return -1
	}
}

// drop removes the value at body[i], whose member or element starts at
// start, with the comma before it at sep (noComma for the first).
func (m *minimizer) drop(i, start, sep, depth int) int {
	end := skipValue(m.body, i, len(m.loc)-depth-1)
	if end < 0 {
		return end
	}
	m.count++
	if len(m.paths) < maxReportPaths {
		m.t.buf = m.t.buf[:0]
		m.t.appendPath([][]byte{m.body}, m.loc[:depth+1])
		m.paths = append(m.paths, string(m.t.buf))
	}
	if sep != noComma {
		start = sep
	}
	m.cut(start, end)
	return end
}

// cut copies the bytes before start to the output and drops body[start:end].
func (m *minimizer) cut(start, end int) {
	if m.out == nil {
		m.out = make([]byte, 0, len(m.body))
	}
	m.out = append(m.out, m.body[m.from:start]...)
	m.from = end
}
