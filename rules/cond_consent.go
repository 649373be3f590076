package rules

import "strings"

// consentSource is the top-level `consent:` setting: the cookie or header
// whose value lists the purposes the user consented to.
type consentSource struct {
	cookie bool   // a cookie (of the Cookie headers); else a request header
	name   string // the cookie's name (case-sensitive) or the header's (lower-case)
}

// maxPurposeLen bounds a purpose name; a longer one is never granted.
const maxPurposeLen = 64

// granted reports whether every purpose in want (lower-case) is granted by
// the consent value of the request. The value is percent-decoded once and
// split at ",", "|", "+" and spaces; each item is a purpose name, granting
// it, or name:value / name=value, granting it when value is 1, true or yes.
// A consent cookie or header sent more than once, or none, grants nothing.
func (c *consentSource) granted(headers [][2]string, want []string) bool {
	value, n := "", 0
	for _, h := range headers {
		switch {
		case c.cookie && strings.EqualFold(h[0], "cookie"):
			for pair := range strings.SplitSeq(h[1], ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && k == c.name {
					value, n = v, n+1
				}
			}
		case !c.cookie && strings.EqualFold(h[0], c.name):
			value, n = h[1], n+1
		}
	}
	if n != 1 {
		return false
	}
	value = strings.Trim(strings.TrimSpace(value), `"`)
	for _, w := range want {
		if !purposeGranted(value, w) {
			return false
		}
	}
	return true
}

// purposeGranted reports whether the consent value grants purpose want.
func purposeGranted(value, want string) bool {
	var buf [maxPurposeLen + 8]byte
	item, tooLong := buf[:0], false
	flush := func() bool {
		name, val := item, []byte(nil)
		for i, b := range item {
			if b == ':' || b == '=' {
				name, val = item[:i], item[i+1:]
				break
			}
		}
		ok := !tooLong && strings.EqualFold(string(name), want) && (val == nil || grantWord(string(val)))
		item, tooLong = item[:0], false
		return ok
	}
	for i := 0; i < len(value); i++ {
		b := value[i]
		if b == '%' && i+2 < len(value) && isHex(value[i+1]) && isHex(value[i+2]) {
			b = hexValue(value[i+1])<<4 | hexValue(value[i+2])
			i += 2
		}
		switch b {
		case ',', '|', '+', ' ':
			if flush() {
				return true
			}
			continue
		}
		if len(item) == cap(item) {
			tooLong = true // too long to be a purpose: never granted
			continue
		}
		item = append(item, b)
	}
	return flush()
}

// grantWord reports whether a purpose's value grants it.
func grantWord(v string) bool {
	return v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
}
