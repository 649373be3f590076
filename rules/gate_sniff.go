package rules

// Content sniffing: a body whose label does not say JSON is read as JSON
// when its bytes say so (SYNTAX.md, "How bodies are recognized").

// Sniffed is what the first bytes of a body say about it.
type Sniffed uint8

// The sniff verdicts.
const (
	// SniffMore: the bytes so far are a byte-order mark, whitespace or
	// comments (or fewer than four bytes that may open a candidate): read
	// more before deciding.
	SniffMore Sniffed = iota
	// SniffText: not a JSON candidate; forward it untouched.
	SniffText
	// SniffJSON: a candidate in UTF-8 (its first significant character is
	// '{' or '['): buffer it and parse it.
	SniffJSON
	// SniffWide: a candidate in UTF-16 or UTF-32: almost JSON.
	SniffWide
)

// textEncoding is a Unicode encoding form, as told by a byte-order mark or
// by the NUL pattern of the first four bytes (RFC 4627, section 3).
type textEncoding uint8

const (
	utf8Text textEncoding = iota
	utf16BE
	utf16LE
	utf32BE
	utf32LE
)

// unitSize is the size of one code unit of each encoding.
var unitSize = [...]int{utf8Text: 1, utf16BE: 2, utf16LE: 2, utf32BE: 4, utf32LE: 4}

// sniffPrefix is how many bytes detectEncoding needs to decide.
const sniffPrefix = 4

// Sniff reads the start of a body: it skips a UTF-8, UTF-16 or UTF-32
// byte-order mark, ASCII whitespace and "//…" or "/*…*/" comments, detects
// UTF-16 and UTF-32 without a mark by their NUL pattern, and reports a
// candidate when the next character is '{' or '['. prefix is the body so
// far; complete says it is the whole body (then the answer is never
// SniffMore). It does not allocate.
func Sniff(prefix []byte, complete bool) Sniffed {
	if len(prefix) < sniffPrefix && !complete {
		if len(prefix) > 0 && !mayOpenCandidate(prefix[0]) {
			return SniffText
		}
		return SniffMore
	}
	enc, i := detectEncoding(prefix)
	unit := unitSize[enc]
	undecided := SniffMore
	if complete {
		undecided = SniffText
	}
	for {
		c, ok := charAt(prefix, i, enc)
		if !ok {
			return undecided
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			i += unit
		case '{', '[':
			if enc == utf8Text {
				return SniffJSON
			}
			return SniffWide
		case '/':
			next, ok := charAt(prefix, i+unit, enc)
			if !ok {
				return undecided
			}
			switch next {
			case '/':
				i = skipLineComment(prefix, i+2*unit, enc)
			case '*':
				i = skipBlockComment(prefix, i+2*unit, enc)
			default:
				return SniffText
			}
			if i < 0 {
				return undecided
			}
		default:
			return SniffText
		}
	}
}

// mayOpenCandidate reports whether a body starting with byte c may be a
// candidate. Any other first byte decides at once, in every encoding: it is
// no byte-order mark or NUL, so the first code unit is that byte's
// character (UTF-8, or the low byte of UTF-16LE/32LE), which is neither
// whitespace, '/', '{' nor '['.
func mayOpenCandidate(c byte) bool {
	switch c {
	case 0, 0xef, 0xfe, 0xff, ' ', '\t', '\n', '\r', '/', '{', '[':
		return true
	}
	return false
}

// detectEncoding returns the encoding of a body's first bytes and the
// offset after its byte-order mark.
func detectEncoding(b []byte) (textEncoding, int) {
	var x [4]byte
	copy(x[:], b)
	n := len(b)
	switch {
	case n >= 3 && x[0] == 0xef && x[1] == 0xbb && x[2] == 0xbf:
		return utf8Text, 3
	case n >= 4 && x == [4]byte{0, 0, 0xfe, 0xff}:
		return utf32BE, 4
	case n >= 4 && x == [4]byte{0xff, 0xfe, 0, 0}:
		return utf32LE, 4
	case n >= 2 && x[0] == 0xfe && x[1] == 0xff:
		return utf16BE, 2
	case n >= 2 && x[0] == 0xff && x[1] == 0xfe:
		return utf16LE, 2
	case n >= 4 && x[0] == 0 && x[1] == 0 && x[2] == 0:
		return utf32BE, 0
	case n >= 4 && x[1] == 0 && x[2] == 0 && x[3] == 0:
		return utf32LE, 0
	case n >= 2 && x[0] == 0:
		return utf16BE, 0
	case n >= 2 && x[1] == 0:
		return utf16LE, 0
	}
	return utf8Text, 0
}

// charAt returns the code unit at offset i as a character (0x100 for
// anything outside ASCII) and false when the unit is not all there.
func charAt(b []byte, i int, enc textEncoding) (rune, bool) {
	if i+unitSize[enc] > len(b) {
		return 0, false
	}
	var c uint32
	switch enc {
	case utf8Text:
		c = uint32(b[i])
	case utf16BE:
		c = uint32(b[i])<<8 | uint32(b[i+1])
	case utf16LE:
		c = uint32(b[i+1])<<8 | uint32(b[i])
	case utf32BE:
		c = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
	case utf32LE:
		c = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
	}
	if c >= 0x80 {
		return 0x100, true
	}
	return rune(c), true
}

// skipLineComment returns the offset after the '\n' ending a "//" comment
// whose text starts at i, or -1 when the bytes end first.
func skipLineComment(b []byte, i int, enc textEncoding) int {
	for {
		c, ok := charAt(b, i, enc)
		if !ok {
			return -1
		}
		i += unitSize[enc]
		if c == '\n' {
			return i
		}
	}
}

// skipBlockComment returns the offset after the "*/" ending a "/*" comment
// whose text starts at i, or -1 when the bytes end first.
func skipBlockComment(b []byte, i int, enc textEncoding) int {
	unit := unitSize[enc]
	for {
		c, ok := charAt(b, i, enc)
		if !ok {
			return -1
		}
		i += unit
		if c == '*' {
			if next, ok := charAt(b, i, enc); ok && next == '/' {
				return i + unit
			}
		}
	}
}

// utf8BOM is the UTF-8 byte-order mark.
const utf8BOM = "\xef\xbb\xbf"

// AlmostJSON reports whether a body that is not valid JSON holds, after an
// optional byte-order mark, whitespace and comments, a value that lenient
// parsers accept: JSON5 (comments, trailing commas, single-quoted strings,
// unquoted member names, NaN, Infinity, hexadecimal and signed numbers,
// more whitespace), Python's True/False/None, JavaScript's undefined. Only
// the first value is read: trailing garbage and further values do not
// matter (parsers that read one value and stop accept them). A body nested
// deeper than DefaultMaxDepth counts as almost JSON.
func AlmostJSON(body []byte) bool {
	if len(body) >= 3 && string(body[:3]) == utf8BOM {
		body = body[3:]
	}
	l := lenient{b: body}
	_, ok := l.value(l.space(0), 0)
	return ok || l.tooDeep
}

// lenient is a recognizer for the almost-JSON grammar of AlmostJSON. Its
// methods take an offset and return the offset after what they read, or
// ok=false.
type lenient struct {
	b       []byte
	tooDeep bool // nesting went past DefaultMaxDepth
}

// lenientLiterals are the words accepted as values.
var lenientLiterals = []string{"true", "false", "null", "NaN", "Infinity", "undefined", "True", "False", "None"}

func (l *lenient) value(i, depth int) (int, bool) {
	if i >= len(l.b) {
		return i, false
	}
	if depth >= DefaultMaxDepth {
		l.tooDeep = true // too deep to tell: counted as almost JSON
		return i, false
	}
	switch c := l.b[i]; {
	case c == '{':
		return l.container(i+1, depth, '}', true)
	case c == '[':
		return l.container(i+1, depth, ']', false)
	case c == '"' || c == '\'':
		return l.str(i)
	case c == '-' || c == '+' || c == '.' || '0' <= c && c <= '9':
		return l.number(i)
	case identStart(c):
		end := l.ident(i)
		for _, lit := range lenientLiterals {
			if string(l.b[i:end]) == lit {
				return end, true
			}
		}
	}
	return i, false
}

// container reads the members (object) or elements (array) after the
// opening bracket, up to and including close; a trailing comma is allowed.
func (l *lenient) container(i, depth int, close byte, object bool) (int, bool) {
	for {
		i = l.space(i)
		if i < len(l.b) && l.b[i] == close {
			return i + 1, true
		}
		var ok bool
		if object {
			if i, ok = l.name(i); !ok {
				return i, false
			}
			if i = l.space(i); i >= len(l.b) || l.b[i] != ':' {
				return i, false
			}
			i = l.space(i + 1)
		}
		if i, ok = l.value(i, depth+1); !ok {
			return i, false
		}
		switch i = l.space(i); {
		case i < len(l.b) && l.b[i] == ',':
			i++
		case i < len(l.b) && l.b[i] == close:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// name reads a member name: a string or an identifier.
func (l *lenient) name(i int) (int, bool) {
	if i < len(l.b) && (l.b[i] == '"' || l.b[i] == '\'') {
		return l.str(i)
	}
	if i < len(l.b) && identStart(l.b[i]) {
		return l.ident(i), true
	}
	return i, false
}

// str reads a string in double or single quotes; any escape and raw
// control characters are allowed.
func (l *lenient) str(i int) (int, bool) {
	quote := l.b[i]
	for i++; i < len(l.b); i++ {
		switch l.b[i] {
		case quote:
			return i + 1, true
		case '\\':
			i++
		}
	}
	return i, false
}

// number reads a signed decimal, hexadecimal, NaN or Infinity.
func (l *lenient) number(i int) (int, bool) {
	if l.b[i] == '-' || l.b[i] == '+' {
		i++
	}
	if i < len(l.b) && identStart(l.b[i]) {
		end := l.ident(i)
		w := string(l.b[i:end])
		return end, w == "Infinity" || w == "NaN"
	}
	if i+1 < len(l.b) && l.b[i] == '0' && l.b[i+1]|0x20 == 'x' {
		start := i + 2
		for i = start; i < len(l.b) && isHex(l.b[i]); i++ {
		}
		return i, i > start
	}
	digits := 0
	for ; i < len(l.b) && ('0' <= l.b[i] && l.b[i] <= '9' || l.b[i] == '.'); i++ {
		if l.b[i] != '.' {
			digits++
		}
	}
	if digits == 0 {
		return i, false
	}
	if i < len(l.b) && l.b[i]|0x20 == 'e' {
		j := i + 1
		if j < len(l.b) && (l.b[j] == '-' || l.b[j] == '+') {
			j++
		}
		start := j
		for ; j < len(l.b) && '0' <= l.b[j] && l.b[j] <= '9'; j++ {
		}
		if j == start {
			return j, false
		}
		i = j
	}
	return i, true
}

// ident reads an identifier (ASCII letters, digits, '_', '$' and any
// non-ASCII byte) starting at an identStart byte.
func (l *lenient) ident(i int) int {
	for i++; i < len(l.b) && (identStart(l.b[i]) || '0' <= l.b[i] && l.b[i] <= '9'); i++ {
	}
	return i
}

func identStart(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_' || c == '$' || c >= 0x80
}

// space skips whitespace (JSON's, '\v', '\f', a byte-order mark, no-break
// space, line and paragraph separators) and comments. An unterminated block
// comment runs to the end.
func (l *lenient) space(i int) int {
	for i < len(l.b) {
		switch b := l.b[i:]; {
		case b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r' || b[0] == '\v' || b[0] == '\f':
			i++
		case len(b) >= 2 && b[0] == 0xc2 && b[1] == 0xa0:
			i += 2
		case len(b) >= 3 && (string(b[:3]) == utf8BOM || string(b[:3]) == "\u2028" || string(b[:3]) == "\u2029"):
			i += 3
		case len(b) >= 2 && b[0] == '/' && b[1] == '/':
			if j := skipLineComment(l.b, i+2, utf8Text); j >= 0 {
				i = j
			} else {
				i = len(l.b)
			}
		case len(b) >= 2 && b[0] == '/' && b[1] == '*':
			if j := skipBlockComment(l.b, i+2, utf8Text); j >= 0 {
				i = j
			} else {
				i = len(l.b)
			}
		default:
			return i
		}
	}
	return i
}
