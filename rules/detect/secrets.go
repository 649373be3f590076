package detect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// secrets runs the credential detectors whose trigger bytes occur in the
// text. Each format is matched exactly; none is reported inside a longer
// word.
//
//   - aws_access_key_id: AKIA, ASIA, ABIA or ACCA then 16 of [A-Z0-9];
//   - google_api_key: AIza then 35 of [A-Za-z0-9_-];
//   - github_token: ghp_, gho_, ghu_, ghs_ or ghr_ then 36 of [A-Za-z0-9],
//     or github_pat_ then 82 of [A-Za-z0-9_];
//   - stripe_key: sk_live_, sk_test_, rk_live_ or rk_test_ then at least 16
//     of [A-Za-z0-9], or a webhook signing secret: whsec_ then at least 24
//     of [A-Za-z0-9+/=];
//   - slack_token: xoxb-, xoxp-, xoxa-, xoxo-, xoxr- or xoxs- then at least
//     10 of [A-Za-z0-9-] with at least one more dash;
//   - jwt: three dot-separated base64url segments, the first starting "eyJ"
//     and decoding to a JSON object with an "alg" member, the signature
//     non-empty unless alg is "none";
//   - private_key: a PEM block "-----BEGIN … PRIVATE KEY-----" through its
//     END line (whatever lies between, such as the literal "\n" of a key
//     stored escaped twice), or through the end of its base64 body when the
//     END line is missing.
func (sc *scanner) secrets() {
	f := &sc.f
	if f.n[clUpperA] > 0 && (sc.on(kAWS) || sc.on(kGoogle)) {
		sc.eachByte('A', sc.awsOrGoogle)
	}
	if f.n[clUnderscore] > 0 && (sc.on(kGitHub) || sc.on(kStripe)) {
		sc.eachByte('_', sc.githubOrStripe)
	}
	if f.n[clLowerX] > 0 && f.n[clDash] >= 2 && sc.on(kSlack) {
		sc.eachByte('x', sc.slack)
	}
	if f.n[clUpperJ] > 0 && f.n[clDot] >= 2 && sc.on(kJWT) {
		sc.eachByte('J', sc.jwt)
	}
	if f.n[clDash] >= 10 && sc.on(kPrivateKey) {
		sc.privateKeys()
	}
}

// eachByte calls fn with each index of b in the text; fn returns where to
// continue.
func (sc *scanner) eachByte(b byte, fn func(i int) int) {
	t := sc.t
	for off := 0; off < len(t); {
		k := bytes.IndexByte(t[off:], b)
		if k < 0 {
			return
		}
		off = max(fn(off+k), off+k+1)
	}
}

func isTokenByte(b byte) bool { return isAlnum(b) || b == '_' || b == '-' }

// run returns the end of the run of bytes accepted by ok from t[i].
func run(t []byte, i int, ok func(byte) bool) int {
	for i < len(t) && ok(t[i]) {
		i++
	}
	return i
}

func isUpperOrDigit(b byte) bool { return isUpper(b) || isDigit(b) }
func isB64URL(b byte) bool       { return isAlnum(b) || b == '_' || b == '-' }

func hasPrefixAt(t []byte, i int, p string) bool {
	return i >= 0 && i+len(p) <= len(t) && string(t[i:i+len(p)]) == p
}

func (sc *scanner) awsOrGoogle(i int) int {
	t := sc.t
	if isTokenByte(at(t, i-1)) {
		return i + 1
	}
	switch {
	case hasPrefixAt(t, i, "AKIA"), hasPrefixAt(t, i, "ASIA"), hasPrefixAt(t, i, "ABIA"), hasPrefixAt(t, i, "ACCA"):
		if e := run(t, i+4, isUpperOrDigit); e == i+20 && !isTokenByte(at(t, e)) {
			sc.emit(kAWS, i, e)
			return e
		}
	case hasPrefixAt(t, i, "AIza"):
		if e := run(t, i+4, isB64URL); e == i+39 {
			sc.emit(kGoogle, i, e)
			return e
		}
	}
	return i + 1
}

func (sc *scanner) githubOrStripe(i int) int {
	t := sc.t
	switch {
	case i >= 3 && t[i-3] == 'g' && t[i-2] == 'h' && bytes.IndexByte([]byte("pousr"), t[i-1]) >= 0 && !isTokenByte(at(t, i-4)):
		if e := run(t, i+1, isAlnum); e == i+37 && !isTokenByte(at(t, e)) {
			sc.emit(kGitHub, i-3, e)
			return e
		}
	case hasPrefixAt(t, i-6, "github_pat_") && !isTokenByte(at(t, i-7)):
		if e := run(t, i+5, func(b byte) bool { return isAlnum(b) || b == '_' }); e == i+5+82 && !isTokenByte(at(t, e)) {
			sc.emit(kGitHub, i-6, e)
			return e
		}
	case (hasPrefixAt(t, i-2, "sk_") || hasPrefixAt(t, i-2, "rk_")) && !isTokenByte(at(t, i-3)) &&
		(hasPrefixAt(t, i+1, "live_") || hasPrefixAt(t, i+1, "test_")):
		if e := run(t, i+6, isAlnum); e-(i+6) >= 16 && !isTokenByte(at(t, e)) {
			sc.emit(kStripe, i-2, e)
			return e
		}
	case hasPrefixAt(t, i-5, "whsec_") && !isTokenByte(at(t, i-6)):
		if e := run(t, i+1, isB64Byte); e-(i+1) >= 24 && !isTokenByte(at(t, e)) {
			sc.emit(kStripe, i-5, e)
			return e
		}
	}
	return i + 1
}

func (sc *scanner) slack(i int) int {
	t := sc.t
	if !hasPrefixAt(t, i, "xox") || bytes.IndexByte([]byte("bpaors"), at(t, i+3)) < 0 || at(t, i+4) != '-' || isTokenByte(at(t, i-1)) {
		return i + 1
	}
	e := run(t, i+5, func(b byte) bool { return isAlnum(b) || b == '-' })
	for e > i+5 && t[e-1] == '-' {
		e--
	}
	if e-(i+5) >= 10 && bytes.IndexByte(t[i+5:e], '-') >= 0 && at(t, e) != '_' {
		sc.emit(kSlack, i, e)
		return e
	}
	return i + 1
}

func (sc *scanner) jwt(j int) int {
	t := sc.t
	s := j - 2
	if !hasPrefixAt(t, s, "eyJ") || isB64URL(at(t, s-1)) || at(t, s-1) == '.' {
		return j + 1
	}
	d1 := run(t, s, isB64URL)
	if at(t, d1) != '.' {
		return j + 1
	}
	d2 := run(t, d1+1, isB64URL)
	if d2-(d1+1) < 2 || at(t, d2) != '.' {
		return j + 1
	}
	e := run(t, d2+1, isB64URL)
	if at(t, e) == '.' && isB64URL(at(t, e+1)) {
		return j + 1 // more than three segments
	}
	alg, ok := jwtHeader(t[s:d1])
	if !ok || (e == d2+1 && alg != "none") {
		return j + 1
	}
	sc.emit(kJWT, s, e)
	return e
}

// jwtHeader decodes a JWT header segment and returns its "alg".
func jwtHeader(seg []byte) (string, bool) {
	var buf [512]byte
	if base64.RawURLEncoding.DecodedLen(len(seg)) > len(buf) {
		return "", false
	}
	n, err := base64.RawURLEncoding.Decode(buf[:], seg)
	if err != nil {
		return "", false
	}
	h := buf[:n]
	if !json.Valid(h) || h[0] != '{' {
		return "", false
	}
	k := bytes.Index(h, []byte(`"alg"`))
	if k < 0 {
		return "", false
	}
	if bytes.Contains(h[k:], []byte(`"none"`)) {
		return "none", true
	}
	return "", true
}

// privateKeys finds PEM private-key blocks.
func (sc *scanner) privateKeys() {
	t := sc.t
	const begin = "-----BEGIN "
	for off := 0; off < len(t); {
		k := bytes.Index(t[off:], []byte(begin))
		if k < 0 {
			return
		}
		s := off + k
		off = s + len(begin)
		le := bytes.Index(t[off:min(len(t), off+64)], []byte("-----"))
		if le < 0 {
			continue
		}
		label := t[off : off+le]
		if !bytes.HasSuffix(label, []byte("PRIVATE KEY")) && !bytes.HasSuffix(label, []byte("PRIVATE KEY BLOCK")) {
			continue
		}
		body := off + le + 5
		var e int
		end := "-----END " + string(label) + "-----"
		if k := bytes.Index(t[body:min(len(t), body+maxPEMBody)], []byte(end)); k >= 0 {
			e = body + k + len(end)
		} else {
			e = pemBodyEnd(t, body)
			for e > body && !isB64Byte(t[e-1]) {
				e--
			}
		}
		sc.emit(kPrivateKey, s, e)
		off = e
	}
}

// maxPEMBody bounds the search for a PEM block's END line (an 8192-bit RSA
// key is about 6.4 KB).
const maxPEMBody = 16 << 10

func isB64Byte(b byte) bool { return isAlnum(b) || b == '+' || b == '/' || b == '=' }

// pemBodyEnd returns the end of the PEM body (base64 lines, and header lines
// such as "Proc-Type: 4,ENCRYPTED") starting at t[i]: the next "-----" or
// the first byte that cannot be in a body. A literal "\n" or "\r" (a key
// escaped twice) counts as a line break.
func pemBodyEnd(t []byte, i int) int {
	for i < len(t) {
		switch b := t[i]; {
		case isB64Byte(b), b == '\n', b == '\r', b == ' ', b == '\t', b == ':', b == ',':
		case b == '\\' && (at(t, i+1) == 'n' || at(t, i+1) == 'r'):
			i++
		case b == '-' && !hasPrefixAt(t, i, "-----"):
		default:
			return i
		}
		i++
	}
	return i
}
