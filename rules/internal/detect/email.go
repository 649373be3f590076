package detect

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// emails finds addresses around each '@': a local part of letters, digits
// and ._%+-' (at most 64 bytes, no leading, trailing or doubled dot) and a
// domain of at least two dot-separated labels (letters, digits, hyphens, no
// hyphen at either end, at most 63 bytes each, 253 in all) whose last label,
// the TLD, is two or more letters (or an "xn--" IDN label) and not an image
// file extension ("icon@2x.png"). Non-ASCII letters are allowed in both
// parts. A dot or hyphen ending a sentence is not part of the address.
func (sc *scanner) emails() {
	t := sc.t
	last := 0 // addresses do not overlap: never look left of the previous one
	for off := 0; ; {
		k := bytes.IndexByte(t[off:], '@')
		if k < 0 {
			sc.meter.add(len(t) - off)
			return
		}
		sc.meter.add(k + 1)
		a := off + k
		off = a + 1
		start := localStart(t, last, a, sc.meter)
		if start < 0 {
			continue
		}
		end := domainEnd(t, a+1, sc.meter)
		if end < 0 {
			continue
		}
		sc.emit(kEmail, start, end)
		last, off = end, end
	}
}

func isLocalByte(b byte) bool {
	return isAlnum(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\''
}

// localStart returns the start of the local part ending at t[a] (not left of
// floor), or -1.
func localStart(t []byte, floor, a int, m *Meter) int {
	s := a
	for s > floor {
		if isLocalByte(t[s-1]) {
			s--
			continue
		}
		if r, size := utf8.DecodeLastRune(t[floor:s]); size > 1 && unicode.IsLetter(r) {
			s -= size
			continue
		}
		break
	}
	m.add(a - s)
	for s < a && (t[s] == '.' || t[s] == '\'') {
		s++ // a quote or dot before the address is punctuation
	}
	if s == a || a-s > 64 || t[a-1] == '.' || bytes.Contains(t[s:a], []byte("..")) {
		return -1
	}
	return s
}

// domainEnd returns the end of the domain starting at t[i], or -1.
func domainEnd(t []byte, i int, m *Meter) int {
	p := i
	for p < len(t) {
		b := t[p]
		if isAlnum(b) || b == '-' || b == '.' {
			p++
			continue
		}
		if r, size := utf8.DecodeRune(t[p:]); size > 1 && unicode.IsLetter(r) {
			p += size
			continue
		}
		break
	}
	m.add(2 * (p - i)) // the run, then its labels
	for p > i && (t[p-1] == '.' || t[p-1] == '-') {
		p--
	}
	d := t[i:p]
	if len(d) < 4 || len(d) > 253 {
		return -1
	}
	labels, lastDot := 0, -1
	for j := 0; j <= len(d); j++ {
		if j < len(d) && d[j] != '.' {
			continue
		}
		l := d[lastDot+1 : j]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return -1
		}
		labels++
		if j == len(d) && !validTLD(l) {
			return -1
		}
		lastDot = j
	}
	if labels < 2 {
		return -1
	}
	return p
}

var fileExtensions = []string{"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff"}

func validTLD(l []byte) bool {
	if len(l) > 4 && string(l[:4]) == "xn--" {
		return true
	}
	if len(l) < 2 {
		return false
	}
	for _, b := range l {
		if !isAlpha(b) && b < utf8.RuneSelf {
			return false
		}
	}
	for _, ext := range fileExtensions {
		if len(l) == len(ext) && indexFold(l, ext) == 0 {
			return false
		}
	}
	return true
}
