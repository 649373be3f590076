package rules

import "bytes"

// Claim conditions read the verified JWT payload (RequestAttributes.JWTClaims):
// validated once per exchange, each distinct claim path looked up once.

// claim evaluates a claim atom against the verified JWT payload.
func (e *condEnv) claim(a *atom) tri {
	if !e.claimsValid() {
		return triUnknown
	}
	sl := e.claimSlot(a)
	switch {
	case !sl.ok:
		return triUnknown
	case a.vm.present != 0:
		return yesIf(sl.found == (a.vm.present > 0))
	}
	for _, el := range (*e.elems)[sl.first:sl.end] {
		if testValue(&a.vm, el.text) {
			return triYes
		}
	}
	return triNo
}

// claimsValid reports whether the request has claims that are a valid
// JSON object (checked on first use). The check also finds, for each claim
// path, its top-level member (claimSlot.at), or that it is repeated.
func (e *condEnv) claimsValid() bool {
	r := e.req
	if r == nil || len(r.JWTClaims) == 0 {
		return false
	}
	if e.claims == claimsUnchecked {
		e.claims = claimsInvalid
		if e.scanClaims(r.JWTClaims) {
			e.claims = claimsValid
		}
	}
	return e.claims == claimsValid
}

// scanClaims validates the claims object b and records where the
// top-level member of each claim path is.
func (e *condEnv) scanClaims(b []byte) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		ke, esc := scanString(b, i)
		if ke < 0 {
			return false
		}
		name := b[i+1 : ke-1]
		if esc && len(name) <= len(e.buf) {
			name = appendUnescaped(e.buf[:0], name)
		}
		if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
			return false
		}
		vs := skipWS(b, i+1)
		end := skipValue(b, vs, maxClaimDepth-1)
		if end < 0 {
			return false
		}
		for s, path := range e.claimPaths {
			if string(name) == path[0] {
				if sl := &e.slots[s]; sl.at != 0 {
					sl.dup = true
				} else {
					sl.at = vs + 1
				}
			}
		}
		i = skipWS(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		return i < len(b) && b[i] == '}' && skipWS(b, i+1) == len(b)
	}
}

// claimSlot returns the lookup of a's claim path in the valid claims,
// done on first use.
func (e *condEnv) claimSlot(a *atom) *claimSlot {
	sl := &e.slots[a.slot]
	if !sl.done {
		sl.done = true
		var v []byte
		switch {
		case sl.dup:
		case sl.at == 0:
			sl.ok = true
		default:
			v, sl.found, sl.ok = lookupClaim(e.req.JWTClaims[sl.at-1:], a.claim[1:], &e.buf)
		}
		sl.first = len(*e.elems)
		if sl.found {
			*e.elems = appendClaimElems(*e.elems, v)
		}
		sl.end = len(*e.elems)
	}
	return sl
}

// appendClaimElems appends the values of a claim's JSON value v that
// conditions compare: a string by its text, a number, true, false or null
// by its spelling, an array by each of its scalar elements ("roles
// contains support"); an object, or an object or array inside an array,
// adds nothing.
func appendClaimElems(dst []claimElem, v []byte) []claimElem {
	add := func(val []byte) {
		switch val[0] {
		case '{', '[':
		case '"':
			raw := val[1 : len(val)-1]
			if bytes.IndexByte(raw, '\\') >= 0 {
				raw = appendUnescaped(nil, raw) // rare: allocates
			}
			dst = append(dst, claimElem{raw})
		default:
			dst = append(dst, claimElem{val})
		}
	}
	if v[0] != '[' {
		add(v)
		return dst
	}
	i := skipWS(v, 1)
	for i < len(v) && v[i] != ']' {
		end := skipValue(v, i, maxClaimDepth)
		add(v[i:end])
		i = skipWS(v, end)
		if i < len(v) && v[i] == ',' {
			i = skipWS(v, i+1)
		}
	}
	return dst
}

// maxClaimDepth bounds the nesting of a JWT payload (deeper: invalid).
const maxClaimDepth = 32

// skipValue returns the offset after the JSON value at b[i], validated,
// or -1 when it is not valid JSON or nests more than room containers deep.
func skipValue(b []byte, i, room int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		end, _ := scanString(b, i)
		return end
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(b, i)
		if !ok {
			return -1
		}
		return end
	case c == '{' || c == '[':
		if room <= 0 {
			return -1
		}
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return -1
				}
				ke, _ := scanString(b, i)
				if ke < 0 {
					return -1
				}
				if i = skipWS(b, ke); i >= len(b) || b[i] != ':' {
					return -1
				}
				i = skipWS(b, i+1)
			}
			end := skipValue(b, i, room-1)
			if end < 0 {
				return -1
			}
			i = skipWS(b, end)
			if i < len(b) && b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if i < len(b) && b[i] == closer {
				return i + 1
			}
			return -1
		}
	}
	end, ok := scanLiteral(b, i)
	if !ok {
		return -1
	}
	return end
}

// lookupClaim finds the member at the dotted path in the valid JSON object
// b. found is false when a step is missing (or not an object); ok is false
// when the path is ambiguous (a member name repeated on the way).
func lookupClaim(b []byte, path []string, buf *[maxNameLen]byte) (v []byte, found, ok bool) {
	i := skipWS(b, 0)
	for _, name := range path {
		if b[i] != '{' {
			return nil, false, true
		}
		at := -1
		j := skipWS(b, i+1)
		for j < len(b) && b[j] == '"' {
			ke, esc := scanString(b, j)
			raw := b[j+1 : ke-1]
			if esc && len(raw) <= len(buf) {
				raw = appendUnescaped(buf[:0], raw)
			}
			j = skipWS(b, skipWS(b, ke)+1)
			if string(raw) == name {
				if at >= 0 {
					return nil, false, false
				}
				at = j
			}
			j = skipWS(b, skipValue(b, j, maxClaimDepth))
			if j < len(b) && b[j] == ',' {
				j = skipWS(b, j+1)
			}
		}
		if at < 0 {
			return nil, false, true
		}
		i = at
	}
	return b[i:skipValue(b, i, maxClaimDepth)], true, true
}
