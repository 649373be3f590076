package rules

import (
	"strings"
	"unicode/utf8"
)

// defaultContentTypes is the `match.content_types` used when a rule set sets none.
var defaultContentTypes = []string{"application/json", "application/*+json"}

// scope is the compiled `match:` gate.
type scope struct {
	contentTypes []string   // lower-case patterns; * matches within one part, never "/"
	neverSniff   []string   // match.never_sniff, patterns like contentTypes
	paths        [][]string // glob segments split at "/"; "**" matches any number of segments
	methods      []string   // upper-case; empty means all
	forms        bool       // match.forms: form bodies are read as members (form.go)
	query        bool       // match.query: the request's query string is read as members
}

// InScope reports whether the exchange's route is inspected at all: its
// request method matches `match.methods` and its path matches `match.paths`
// under any reading an upstream router may give it (canonicalPaths, and a
// leading "//" read as an authority too). A path that cannot be
// canonicalized with confidence is in scope. Which bodies of an in-scope
// exchange are read, and how, is BodyKind's decision.
func (p *Program) InScope(method, path string) bool {
	s := &p.scope
	if len(s.methods) > 0 && !containsFold(s.methods, method) {
		return false
	}
	if len(s.paths) == 0 {
		return true
	}
	if rest, ok := networkPath(path); ok && s.pathMatches(rest) {
		return true
	}
	return s.pathMatches(path)
}

// pathMatches reports whether either canonical reading of path matches a
// glob of match.paths, or the path cannot be read with confidence.
func (s *scope) pathMatches(path string) bool {
	strict, literal, sure := canonicalPaths(path)
	if !sure {
		return true
	}
	for _, g := range s.paths {
		if matchSegments(g, strict) || (literal != strict && matchSegments(g, literal)) {
			return true
		}
	}
	return false
}

// networkPath reads a target starting with "//" as a network-path
// reference ("//host/api/x" is "/api/x"), as URI parsers in some
// frameworks do; ok is false for any other target.
func networkPath(path string) (rest string, ok bool) {
	if !strings.HasPrefix(path, "//") {
		return "", false
	}
	if i := strings.IndexByte(path[2:], '/'); i >= 0 {
		return path[2+i:], true
	}
	return "/", true
}

// ValidPath reports whether a request path (query and fragment excluded)
// is free of NUL and control characters (C0, DEL, C1) in its raw form and at
// every depth of percent-decoding. A path that fails is refused for every
// request as `invalid_path`: no router is expected to see such a path, and
// they disagree on what it means.
func ValidPath(path string) bool {
	path = cutQuery(path)
	if !strings.ContainsRune(path, '%') {
		return !hasControl(path)
	}
	return !hasControl(path) && !hasControl(string(decodeFully(nil, path)))
}

// canonicalPath returns the request path as the strictest common upstream
// routes it (see canonicalPaths); the spelling match.paths globs are compared
// with first.
func canonicalPath(path string) string {
	strict, _, _ := canonicalPaths(path)
	return strict
}

// canonicalPaths returns the spellings under which an upstream router may
// see a request path, so that match.paths cannot be sidestepped by
// spelling. Both cut the query and fragment, drop the scheme and authority
// of an absolute-form target ("http://host/api" is "/api"), decode percent
// escapes until none is left ("%2561" is "a"), read '\' as '/', merge runs
// of '/', resolve "." and ".." segments (RFC 3986 5.2.4) and drop a trailing
// '/'. strict also does what the strictest routers do: it maps full-width and
// other compatibility forms of ASCII to ASCII (NFKC: "／" is "/", "ａ" is
// "a"; also "∕" and "⁄") and strips ";" parameters from each segment before
// resolving dots ("/api;v=1/.;/users;jsessionid=x" is "/api/users");
// literal does neither. sure is false when the path cannot be canonicalized
// with confidence: after decoding it is not valid UTF-8 (overlong forms such
// as "%c0%af" among others). A path that needs none of it is returned as
// is, twice, without allocating.
func canonicalPaths(path string) (strict, literal string, sure bool) {
	path = cutQuery(path)
	path = cutAuthority(path)
	if isPlainPath(path) {
		return path, path, true
	}
	decoded := decodeFully(make([]byte, 0, len(path)), path)
	sure = utf8.Valid(decoded)
	literal = resolveSegments(decoded, false)
	strict = resolveSegments(foldCompat(decoded), true)
	return strict, literal, sure
}

// cutQuery cuts the query string and fragment off a request target.
func cutQuery(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		return path[:i]
	}
	return path
}

// cutAuthority turns an absolute-form request target ("https://host:8443/a")
// into its path ("/a"; "/" when it has none). Anything else is returned as is.
func cutAuthority(path string) string {
	i := 0
	for i < len(path) && schemeChar(path[i], i == 0) {
		i++
	}
	if i == 0 || !strings.HasPrefix(path[i:], "://") {
		return path
	}
	rest := path[i+3:]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[j:]
	}
	return "/"
}

// isPlainPath reports whether path is already canonical: absolute, printable
// ASCII, nothing to decode, map, strip or resolve.
func isPlainPath(path string) bool {
	if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") || strings.Contains(path, "/.") ||
		(len(path) > 1 && path[len(path)-1] == '/') {
		return false
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; c < 0x21 || c > 0x7e || c == '%' || c == '\\' || c == ';' {
			return false
		}
	}
	return true
}

// decodeFully appends path to dst with percent escapes decoded until none is
// left, in one pass: each decoded byte is appended and the tail is decoded
// again while it forms an escape, so "%2541" and "%%341" both give "A"
// exactly as repeated decoding would, in linear time. Malformed escapes
// ("%zz", a final "%4") stay as they are.
func decodeFully(dst []byte, path string) []byte {
	for i := 0; i < len(path); i++ {
		dst = append(dst, path[i])
		for n := len(dst); n >= 3 && dst[n-3] == '%' && isHex(dst[n-2]) && isHex(dst[n-1]); n = len(dst) {
			dst = append(dst[:n-3], hexValue(dst[n-2])<<4|hexValue(dst[n-1]))
		}
	}
	return dst
}

// compatASCII maps compatibility characters that NFKC (or a confusable
// reading) turns into ASCII path syntax; U+FF01–U+FF5E (full-width ASCII)
// are mapped arithmetically in foldCompat.
var compatASCII = map[rune]byte{
	'\u2024': '.', '\ufe52': '.', // one dot leader, small full stop
	'\ufe54': ';', '\ufe68': '\\', // small semicolon, small reverse solidus
	'\u2215': '/', '\u2044': '/', '\u29f8': '/', // division slash, fraction slash, big solidus
}

// foldCompat returns b with full-width ASCII and the characters of
// compatASCII replaced by their ASCII form (b itself when it holds none).
func foldCompat(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch c, ok := compatASCII[r]; {
		case ok:
			out = append(out, c)
		case r >= 0xff01 && r <= 0xff5e:
			out = append(out, byte(r-0xfee0))
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// resolveSegments reads '\\' as '/', drops empty and "." segments, resolves
// ".." and, with stripParams, cuts each segment at its first ';' first.
func resolveSegments(b []byte, stripParams bool) string {
	var segs []string
	for _, seg := range strings.FieldsFunc(string(b), func(r rune) bool { return r == '/' || r == '\\' }) {
		if stripParams {
			seg, _, _ = strings.Cut(seg, ";")
		}
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

// hasControl reports whether s holds a NUL or control character: C0, DEL,
// or C1 (U+0080–U+009F) spelled in UTF-8.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return true
		}
	}
	return false
}

// schemeChar reports whether c may appear in a URI scheme (RFC 3986 3.1)
// at that position.
func schemeChar(c byte, first bool) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || !first && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')
}

// hexValue returns the value of a hex digit.
func hexValue(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
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
func matchGlob(pat, s string, fold bool) bool { return glob(pat, s, fold, true) }

// glob matches s against pat, where * matches any run of bytes, not
// crossing "/" when inSegment; fold compares ASCII letters
// case-insensitively.
func glob[T string | []byte](pat string, s T, fold, inSegment bool) bool {
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
		case star >= 0 && !(inSegment && s[mark] == '/'):
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
