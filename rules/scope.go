package rules

import (
	"strconv"
	"strings"
)

// defaultContentTypes is the `match.content_types` used when a rule set sets none.
var defaultContentTypes = []string{"application/json", "application/*+json"}

// scope is the compiled `match:` gate.
type scope struct {
	contentTypes []string   // lower-case patterns; * matches within one part, never "/"
	paths        [][]string // glob segments split at "/"; "**" matches any number of segments
	methods      []string   // upper-case; empty means all
}

// InScope reports whether an exchange is inspected at all: its request method
// and path match `match.methods` and `match.paths`, and contentType (the
// header of the body in question; parameters such as charset ignored, case
// ignored) matches `match.content_types`.
func (p *Program) InScope(method, path, contentType string) bool {
	s := &p.scope
	if len(s.methods) > 0 && !containsFold(s.methods, method) {
		return false
	}
	if len(s.paths) > 0 {
		path = canonicalPath(path)
		ok := false
		for _, g := range s.paths {
			if matchSegments(g, path) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	contentType = strings.TrimSpace(contentType)
	for _, pat := range s.contentTypes {
		if matchGlob(pat, contentType, true) {
			return true
		}
	}
	return false
}

// canonicalPath returns the request path as an upstream server may well
// route it, so that match.paths cannot be sidestepped by spelling: query and
// fragment cut, percent escapes decoded ("%2e", "%2F"), '\\' read as '/',
// runs of '/' merged, "." and ".." segments resolved (RFC 3986 5.2.4), a
// trailing '/' dropped (many routers ignore it). A path that needs none of
// it is returned as is, without allocating.
func canonicalPath(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if strings.HasPrefix(path, "/") && !strings.ContainsAny(path, "%\\") && !strings.Contains(path, "//") &&
		!strings.Contains(path, "/.") && (len(path) == 1 || path[len(path)-1] != '/') {
		return path
	}
	decoded := make([]byte, 0, len(path))
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '%' && i+2 < len(path) {
			if v, err := strconv.ParseUint(path[i+1:i+3], 16, 8); err == nil {
				c = byte(v)
				i += 2
			}
		}
		if c == '\\' {
			c = '/'
		}
		decoded = append(decoded, c)
	}
	var segs []string
	for _, seg := range strings.Split(string(decoded), "/") {
		switch seg {
		case "", ".":
		case "..":
			segs = segs[:max(0, len(segs)-1)]
		default:
			segs = append(segs, seg)
		}
	}
	return "/" + strings.Join(segs, "/")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// matchSegments matches path against glob segments: each segment is a glob
// within one path segment, "**" matches zero or more whole segments. Greedy
// matching with one backtracking point (the last "**") keeps it linear in
// practice and allocation-free.
func matchSegments(glob []string, path string) bool {
	end := len(path) + 1 // offset meaning "no segment left"
	gi, pi := 0, 0
	starG, starP := -1, 0
	for pi < end || gi < len(glob) {
		if gi < len(glob) {
			if glob[gi] == "**" {
				starG, starP = gi, pi
				gi++
				continue
			}
			if pi < end {
				if seg, next := segmentAt(path, pi); matchGlob(glob[gi], seg, true) {
					gi, pi = gi+1, next
					continue
				}
			}
		}
		if starG < 0 || starP >= end {
			return false
		}
		_, starP = segmentAt(path, starP) // the last ** swallows one more segment
		gi, pi = starG+1, starP
	}
	return true
}

// segmentAt returns the path segment starting at byte i and the offset of the
// next one (len(path)+1 after the last).
func segmentAt(path string, i int) (seg string, next int) {
	if j := strings.IndexByte(path[i:], '/'); j >= 0 {
		return path[i : i+j], i + j + 1
	}
	return path[i:], len(path) + 1
}

// matchGlob matches s against pat, where * matches any run of characters
// other than "/". fold compares ASCII letters case-insensitively.
func matchGlob(pat, s string, fold bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pat) && eqByte(pat[pi], s[si], fold):
			pi++
			si++
		case star >= 0 && s[mark] != '/':
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

func eqByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	return a == b
}
