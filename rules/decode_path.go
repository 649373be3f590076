package rules

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNameLen bounds member names in paths and key names (in bytes), so the
// walk can classify keys in fixed scratch buffers.
const maxNameLen = 256

// stepKind is what one path step matches.
type stepKind uint8

const (
	stepName  stepKind = iota // a member with this name (in path form): .name or ['name']
	stepWild                  // any member or element: .* or [*]
	stepIndex                 // the element at this index: [n]
	stepKeys                  // a member whose key form is in a set (keys: selectors)
)

// step is one segment of a compiled selector. With desc set it matches at any
// depth below the current node (RFC 9535 descendant segment `..`).
type step struct {
	kind  stepKind
	desc  bool
	cs    bool     // names compare with case (a case_sensitive rule)
	name  string   // stepName: the member name in its path form (see form)
	index int      // stepIndex
	keys  []string // stepKeys: key names in their key form
}

// form returns the form a stepName or stepKeys step compares names in.
func (st *step) form() nameForm {
	if st.kind == stepKeys {
		return keyForm(st.cs)
	}
	return pathForm(st.cs)
}

// pathError is a mistake in a path, at a byte offset into the path text.
type pathError struct {
	off int
	msg string
}

// parsePath parses the supported subset of RFC 9535:
// $ .name ['name'] ["name"] [n] [*] .* ..name ..* ..[…]
func parsePath(s string) ([]step, *pathError) {
	p := pathParser{s: s}
	if len(s) == 0 || s[0] != '$' {
		return nil, &pathError{0, "must start with \"$\""}
	}
	p.i = 1
	var steps []step
	for p.i < len(s) {
		st, err := p.segment()
		if err != nil {
			return nil, err
		}
		steps = append(steps, st)
	}
	return steps, nil
}

type pathParser struct {
	s string
	i int
}

func (p *pathParser) errf(off int, format string, args ...any) *pathError {
	return &pathError{off, fmt.Sprintf(format, args...)}
}

func (p *pathParser) segment() (step, *pathError) {
	switch p.s[p.i] {
	case '[':
		return p.bracket(false)
	case '.':
		p.i++
		desc := false
		if p.i < len(p.s) && p.s[p.i] == '.' {
			desc = true
			p.i++
		}
		if p.i >= len(p.s) {
			return step{}, p.errf(p.i, "unexpected end of path after %q", p.s[p.i-1:])
		}
		switch c := p.s[p.i]; {
		case c == '*':
			p.i++
			return step{kind: stepWild, desc: desc}, nil
		case c == '[' && desc:
			return p.bracket(true)
		case isNameFirst(c):
			start := p.i
			for p.i < len(p.s) && isNameChar(p.s[p.i]) {
				p.i++
			}
			return p.nameStep(p.s[start:p.i], start, desc)
		default:
			return step{}, p.errf(p.i, "unexpected %q: want a member name, \"*\" or \"[\"", c)
		}
	default:
		return step{}, p.errf(p.i, "unexpected %q: want \".\", \"..\" or \"[\"", p.s[p.i])
	}
}

func (p *pathParser) nameStep(name string, off int, desc bool) (step, *pathError) {
	if len(name) > maxNameLen {
		return step{}, p.errf(off, "member name longer than %d bytes", maxNameLen)
	}
	return step{kind: stepName, desc: desc, name: name}, nil
}

// bracket parses `[ selector ]` at p.i.
func (p *pathParser) bracket(desc bool) (step, *pathError) {
	open := p.i
	p.i++
	p.space()
	if p.i >= len(p.s) {
		return step{}, p.errf(p.i, "unclosed \"[\"")
	}
	var st step
	var err *pathError
	switch c := p.s[p.i]; {
	case c == '*':
		p.i++
		st = step{kind: stepWild, desc: desc}
	case c == '\'' || c == '"':
		off := p.i
		var name string
		name, err = p.quoted()
		if err == nil {
			st, err = p.nameStep(name, off, desc)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		st, err = p.index(desc)
	case c == '?':
		return step{}, p.errf(p.i, "filter selectors are not supported")
	case c == ':':
		return step{}, p.errf(p.i, "slice selectors are not supported")
	default:
		return step{}, p.errf(p.i, "unexpected %q: want a quoted name, an index or \"*\"", c)
	}
	if err != nil {
		return step{}, err
	}
	p.space()
	if p.i >= len(p.s) {
		return step{}, p.errf(p.i, "unclosed \"[\" at offset %d", open)
	}
	switch p.s[p.i] {
	case ']':
		p.i++
		return st, nil
	case ',':
		return step{}, p.errf(p.i, "union selectors are not supported")
	case ':':
		return step{}, p.errf(p.i, "slice selectors are not supported")
	}
	return step{}, p.errf(p.i, "unexpected %q: want \"]\"", p.s[p.i])
}

func (p *pathParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// maxPathIndex bounds the array indexes of paths, so an index fits the
// classifier's table and the walk's int on every platform.
const maxPathIndex = 1 << 30

// index parses an array index: 0 or a non-negative integer without leading zeros.
func (p *pathParser) index(desc bool) (step, *pathError) {
	start := p.i
	if p.s[p.i] == '-' {
		return step{}, p.errf(start, "negative indexes are not supported")
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	digits := p.s[start:p.i]
	if len(digits) > 1 && digits[0] == '0' {
		return step{}, p.errf(start, "index %q has a leading zero", digits)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxPathIndex {
		return step{}, p.errf(start, "index %q is too large", digits)
	}
	return step{kind: stepIndex, desc: desc, index: n}, nil
}

// quoted parses a single- or double-quoted name with RFC 9535 escapes.
func (p *pathParser) quoted() (string, *pathError) {
	q := p.s[p.i]
	start := p.i
	p.i++
	var b []byte
	for {
		if p.i >= len(p.s) {
			return "", p.errf(start, "unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.errf(p.i, "control character in string")
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		esc := p.i
		p.i++
		if p.i >= len(p.s) {
			return "", p.errf(esc, "unterminated string")
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case '/', '\\':
			b = append(b, e)
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errf(esc, "invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || p.i+1 >= len(p.s) || p.s[p.i] != '\\' || p.s[p.i+1] != 'u' {
					return "", p.errf(esc, "unpaired surrogate in \\u escape")
				}
				p.i += 2
				lo, ok := p.hex4()
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", p.errf(esc, "unpaired surrogate in \\u escape")
				}
				r = utf16.DecodeRune(r, lo)
			}
			b = utf8.AppendRune(b, r)
		default:
			if e != q {
				return "", p.errf(esc, "invalid escape \"\\%c\"", e)
			}
			b = append(b, e)
		}
	}
}

func (p *pathParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// isNameFirst reports whether c may start a member-name shorthand (ALPHA / "_" / non-ASCII).
func isNameFirst(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// isNameChar reports whether c may continue a member-name shorthand.
func isNameChar(c byte) bool { return isNameFirst(c) || c >= '0' && c <= '9' }
