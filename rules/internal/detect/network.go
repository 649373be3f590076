package detect

import (
	"bytes"
	"net/netip"
)

// ipv4s finds dotted-quad addresses in a chain: exactly four groups of one to
// three digits joined by single dots, each at most 255 and without leading
// zeros, not part of a longer dotted run ("1.2.3.4.5" is a version string)
// and not glued to a word ("v1.2.3.4") or to a "::" (no address form
// continues that way, and reporting the quad alone would leave an IPv6-shaped
// rest that a second pass finds: "0.0.0.0::0:0"). A version word as one of
// the two words right before it ("version", "release", "build", "v",
// "Versión", "révision", …, see context.go), or a version member name
// ("client_version"), vetoes it, unless an IP word or member name says
// otherwise.
func (sc *scanner) ipv4s(c *chain) {
	sc.meter.add(4 * c.n)
	versionKey := sc.hint&HintVersion != 0 && sc.hint&HintIP == 0
	for i := 0; i < c.n; {
		j := i
		for j+1 < c.n && sepIs(c.sep(j+1), '.') {
			j++
		}
		// a path may follow an address: "http://10.0.0.1/admin"
		if j-i == 3 && (i > 0 || !c.gluedL) && (j < c.n-1 || !c.gluedR || at(c.t, c.g[j].end) == '/') &&
			!bytes.HasPrefix(c.t[c.g[j].end:], doubleColon) && octets(c, i, j) && !versionKey {
			pos := c.g[i].start
			if cx := sc.context(pos); cx.near&cxVersion == 0 || cx.all&cxIP != 0 {
				sc.emitEvidence(kIPv4, pos, c.g[j].end, EvFormat|sc.hintEvidence(HintIP)|sc.ctxEvidence(pos, cxIP))
			}
		}
		i = j + 1
	}
}

var doubleColon = []byte("::")

func octets(c *chain, i, j int) bool {
	for k := i; k <= j; k++ {
		d := c.t[c.g[k].start:c.g[k].end]
		if len(d) > 3 || (len(d) > 1 && d[0] == '0') || atoi(d) > 255 {
			return false
		}
	}
	return true
}

func isIPv6Byte(b byte) bool { return isHex(b) || b == ':' || b == '.' }

// ipv6s finds IPv6 addresses: maximal runs of hex digits, colons and dots
// around a colon, not glued to a word, shaped like an address (eight groups,
// or "::" with at least two groups and a decimal digit, or "::" and a dotted
// quad, so "std::vector", "dead::beef" and "::1" are not reported) and
// accepted by net/netip. An IPv4 address written in IPv6 form
// ("::ffff:10.0.0.1", "::192.168.1.1") is one span, and a zone after the
// address ("fe80::1%eth0", "%25eth0" in a URL) belongs to it. A prefix length
// after it ("/64") does not: it names no host, and leaving it out keeps one
// address one value whether or not a prefix follows (the same token when
// the address is hashed or tokenized).
func (sc *scanner) ipv6s() {
	t := sc.t
	for off := 0; off < len(t); {
		k := bytes.IndexByte(t[off:], ':')
		if k < 0 {
			sc.meter.add(len(t) - off)
			return
		}
		s, e := off+k, off+k
		for s > 0 && isIPv6Byte(t[s-1]) {
			s--
		}
		colons := 0
		for e < len(t) && isIPv6Byte(t[e]) {
			if t[e] == ':' {
				colons++
			}
			e++
		}
		sc.meter.add(k + 1 + e - s)
		off = e
		if colons < 2 {
			continue // every shape ipv6Shape accepts has two colons or more
		}
		for e > s && t[e-1] == '.' {
			e--
		}
		if isAlnum(at(t, s-1)) || at(t, s-1) == '_' || isAlnum(at(t, e)) || at(t, e) == '_' {
			continue
		}
		if ipv6Shape(t[s:e]) {
			if a, err := netip.ParseAddr(string(t[s:e])); err == nil && a.Is6() {
				z := zoneEnd(t, e)
				sc.meter.add(z - e)
				sc.emitEvidence(kIPv6, s, z, EvFormat|sc.hintEvidence(HintIP)|sc.ctxEvidence(s, cxIP))
				off = max(off, z)
			}
		}
	}
}

// zoneEnd returns the end of the zone that follows an IPv6 address ending at
// t[e]: '%' and a run of [A-Za-z0-9_.-] not ending in '.' or '-' (sentence
// punctuation); or e when there is none.
func zoneEnd(t []byte, e int) int {
	if at(t, e) != '%' {
		return e
	}
	z := e + 1
	for z < len(t) && (isAlnum(t[z]) || t[z] == '_' || t[z] == '.' || t[z] == '-') {
		z++
	}
	for z > e+1 && (t[z-1] == '.' || t[z-1] == '-') {
		z--
	}
	if z == e+1 {
		return e
	}
	return z
}

// ipv6Shape is a cheap test run before netip.ParseAddr.
func ipv6Shape(r []byte) bool {
	colons, groups, digit, dot := 0, 0, false, false
	inGroup := false
	for _, b := range r {
		if b == ':' {
			colons++
			inGroup = false
			continue
		}
		if !inGroup {
			groups++
			inGroup = true
		}
		digit = digit || isDigit(b)
		dot = dot || b == '.'
	}
	if bytes.Contains(r, []byte("::")) {
		return groups >= 2 && digit || dot // ("::" and a dotted quad: "::192.168.1.1")
	}
	return colons == 7 || (colons == 6 && bytes.IndexByte(r, '.') >= 0)
}

// macs finds MAC addresses: six pairs of hex digits joined by one repeated
// ':' or '-' ("00:1A:2B:3C:4D:5E"), or three groups of four joined by dots
// ("001a.2b3c.4d5e"), not glued to a word or to more groups.
func (sc *scanner) macs() {
	f := &sc.f
	if f.n[clColon] >= 5 {
		sc.macsAt(':', 2, 6)
	}
	if f.n[clDash] >= 5 {
		sc.macsAt('-', 2, 6)
	}
	if f.n[clDot] >= 2 {
		sc.macsAt('.', 4, 3)
	}
}

// macsAt tries a MAC address of n groups of w hex digits joined by sep
// before each occurrence of sep.
func (sc *scanner) macsAt(sep byte, w, n int) {
	t := sc.t
	for off := 0; off < len(t); {
		k := bytes.IndexByte(t[off:], sep)
		if k < 0 {
			sc.meter.add(len(t) - off)
			return
		}
		sc.meter.add(k + 1 + w*n + n) // the byte search, the groups
		i := off + k
		off = i + 1
		s := i - w
		if s < 0 || !isHex(t[i-1]) || !macEdge(t, s-1, sep) {
			continue
		}
		if e := macGroups(t, s, n, w, sep); e > 0 && !(sep == '.' && quadsInNumber(t, s, e)) && !(sep != '.' && timeLike(t[s:e])) {
			sc.emit(kMAC, s, e)
			off = e
		}
	}
}

// timeLike reports whether the MAC-shaped pairs of m ("12:30:45:00:11:22")
// are all decimal with values of at most 59: clock readings and durations
// written in pairs, far likelier than a MAC address whose twelve hex digits
// are all decimal and so small (about 1 in 5000 addresses).
func timeLike(m []byte) bool {
	for k := 0; k+1 < len(m); k += 3 {
		if !isDigit(m[k]) || !isDigit(m[k+1]) || m[k] > '5' {
			return false
		}
	}
	return true
}

// quadsInNumber reports whether the dotted MAC-shaped t[s:e] is decimal
// digits only with another digit group beside it, across a break: a number
// written in groups of four ("3742 2513.8585.1335"), more likely than a MAC
// address whose twelve hex digits are all decimal.
func quadsInNumber(t []byte, s, e int) bool {
	for _, b := range t[s:e] {
		if !isDigit(b) && b != '.' {
			return false
		}
	}
	return isBreak(at(t, s-1)) && isDigit(at(t, s-2)) || isBreak(at(t, e)) && isDigit(at(t, e+1))
}

// macEdge reports whether t[i] may precede a MAC address using separator sep.
func macEdge(t []byte, i int, sep byte) bool {
	b := at(t, i)
	return !isAlnum(b) && b != '_' && (!joins(b, sep) || !isHex(at(t, i-1)))
}

// joins reports whether b joins a MAC address using separator sep to a hex
// group beside it: sep itself, or for the dotted form any of "-_./\\" (a
// "3756/2219.2269.8711" is a number in groups of four, not a MAC address).
func joins(b, sep byte) bool {
	return b == sep || sep == '.' && ctype[b]&ctGlue != 0
}

// macGroups parses n groups of w hex digits joined by sep from t[s] and
// returns the end, or -1.
func macGroups(t []byte, s, n, w int, sep byte) int {
	p := s
	for g := 0; g < n; g++ {
		if g > 0 {
			if at(t, p) != sep {
				return -1
			}
			p++
		}
		for k := 0; k < w; k++ {
			if !isHex(at(t, p)) {
				return -1
			}
			p++
		}
	}
	if b := at(t, p); isAlnum(b) || b == '_' || (joins(b, sep) && isHex(at(t, p+1))) {
		return -1
	}
	return p
}
