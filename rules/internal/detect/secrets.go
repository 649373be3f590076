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
//   - slack_token: xoxb-, xoxp-, xoxa-, xoxc-, xoxe-, xoxo-, xoxr- or xoxs-
//     then the segments Slack issues (see slack), or xoxe.xoxp-/xoxe.xoxb-;
//   - jwt: three dot-separated base64url segments, the first starting "eyJ"
//     and decoding to a JSON object with an "alg" member, the signature
//     non-empty unless alg is "none";
//   - private_key: a PEM block "-----BEGIN … PRIVATE KEY-----" through its
//     END line (whatever lies between, such as the literal "\n" of a key
//     stored escaped twice), or through the end of its base64 body when the
//     END line is missing;
//   - openai_key, anthropic_key, gitlab_token (dashTokens), npm_token,
//     huggingface_token (underscoreTokens), slack_webhook, url_credentials
//     and password_assignment (credentials.go).
func (sc *scanner) secrets() {
	f := &sc.f
	if f.n[clUpperA] > 0 && (sc.on(kAWS) || sc.on(kGoogle)) {
		sc.eachByte('A', sc.awsOrGoogle)
	}
	if f.n[clUnderscore] > 0 && (sc.on(kGitHub) || sc.on(kStripe) || sc.on(kNPM) || sc.on(kHuggingFace)) {
		sc.eachByte('_', sc.underscoreTokens)
	}
	if f.n[clDash] > 0 && (sc.on(kOpenAI) || sc.on(kAnthropic) || sc.on(kGitLab)) {
		sc.eachByte('-', sc.dashTokens)
	}
	if f.n[clColon] > 0 && (sc.on(kURLCredentials) || sc.on(kSlackWebhook) || sc.on(kPassword)) {
		sc.eachByte(':', sc.colonSecrets)
	}
	if sc.on(kPassword) {
		sc.eachByte('=', sc.passwordEquals)
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

// dashTokens matches the tokens whose prefix is a lower-case word and a
// dash at t[i]: "sk-" (openai_key, or anthropic_key for "sk-ant-") and the
// GitLab prefixes (gitlab_token).
func (sc *scanner) dashTokens(i int) int {
	t := sc.t
	s := i
	for s > 0 && i-s < 8 && isLower(t[s-1]) {
		s--
	}
	if s == i || isTokenByte(at(t, s-1)) {
		return i + 1
	}
	switch word := t[s:i]; string(word) {
	case "sk":
		if hasPrefixAt(t, i+1, "ant-") {
			// sk-ant-api03-… (about 100 characters), sk-ant-admin01-…, sk-ant-oat01-…
			if e := sc.runOf(t, i+5, isB64URL); e-(i+5) >= 32 && !allLower(t[i+5:e]) {
				sc.emit(kAnthropic, s, e)
				return e
			}
			return i + 1
		}
		// sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…: 32 or more base64url
		if e := sc.runOf(t, i+1, isB64URL); e-(i+1) >= 32 && openAIBody(t[i+1:e]) {
			sc.emit(kOpenAI, s, e)
			return e
		}
	case "glpat", "gldt", "glptt", "glrt", "glcbt", "glimt", "glsoat", "glffct", "glagent", "gloas":
		// 20 base64url (classic) or more, then for a routable token
		// ".<version>.<routing>" segments
		e := sc.runOf(t, i+1, isB64URL)
		if e-(i+1) < 20 || allLower(t[i+1:e]) {
			return i + 1
		}
		for seg := 0; seg < 2 && at(t, e) == '.'; seg++ {
			n := sc.runOf(t, e+1, isAlnum)
			if n == e+1 || n-(e+1) > 16 || isTokenByte(at(t, n)) {
				break
			}
			e = n
		}
		sc.emit(kGitLab, s, e)
		return e
	}
	return i + 1
}

// openAIBody reports whether the characters after "sk-" look like an OpenAI
// key rather than a hyphenated name: the key marker "T3BlbkFJ" (base64 of
// "OpenAI"), or upper-case letters, lower-case letters and digits with few
// dashes, as random base64url has.
func openAIBody(b []byte) bool {
	if bytes.Contains(b, []byte("T3BlbkFJ")) {
		return true
	}
	var upper, lower, digit, dash int
	for _, c := range b {
		switch {
		case isUpper(c):
			upper++
		case isLower(c):
			lower++
		case isDigit(c):
			digit++
		case c == '-':
			dash++
		}
	}
	return upper > 0 && lower > 0 && digit > 0 && dash <= len(b)/10+1
}

// mixedCase reports whether b has both upper- and lower-case letters.
func mixedCase(b []byte) bool {
	return bytes.ContainsFunc(b, func(r rune) bool { return r >= 'A' && r <= 'Z' }) &&
		bytes.ContainsFunc(b, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

// allLower reports whether b holds nothing but lower-case letters, '_' and
// '-' (a word or a slug, not a random token).
func allLower(b []byte) bool {
	for _, c := range b {
		if !isLower(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// eachByte calls fn with each index of b in the text; fn returns where to
// continue.
func (sc *scanner) eachByte(b byte, fn func(i int) int) {
	t := sc.t
	for off := 0; off < len(t); {
		k := bytes.IndexByte(t[off:], b)
		if k < 0 {
			sc.meter.add(len(t) - off)
			return
		}
		sc.meter.add(k + 1)
		off = max(fn(off+k), off+k+1)
	}
}

func isTokenByte(b byte) bool { return isAlnum(b) || b == '_' || b == '-' }

// runOf returns the end of the run of bytes accepted by ok from t[i], and
// charges the bytes read.
func (sc *scanner) runOf(t []byte, i int, ok func(byte) bool) int {
	s := i
	for i < len(t) && ok(t[i]) {
		i++
	}
	sc.meter.add(i - s + 1)
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
		if e := sc.runOf(t, i+4, isUpperOrDigit); e == i+20 && !isTokenByte(at(t, e)) {
			sc.emit(kAWS, i, e)
			return e
		}
	case hasPrefixAt(t, i, "AIza"):
		if e := sc.runOf(t, i+4, isB64URL); e == i+39 {
			sc.emit(kGoogle, i, e)
			return e
		}
	}
	return i + 1
}

// underscoreTokens matches the tokens whose prefix ends in '_' at t[i]:
// github_token, stripe_key, npm_token and huggingface_token.
func (sc *scanner) underscoreTokens(i int) int {
	t := sc.t
	switch {
	case hasPrefixAt(t, i-3, "npm") && !isTokenByte(at(t, i-4)):
		// npm_ + 36 alphanumerics (npm_run_… and npm_config_… are words)
		if e := sc.runOf(t, i+1, isAlnum); e == i+37 && !isTokenByte(at(t, e)) && !allLower(t[i+1:e]) {
			sc.emit(kNPM, i-3, e)
			return e
		}
	case hasPrefixAt(t, i-2, "hf") && !isTokenByte(at(t, i-3)):
		// hf_ + 34 letters and digits of both cases
		if e := sc.runOf(t, i+1, isAlnum); e == i+35 && !isTokenByte(at(t, e)) && mixedCase(t[i+1:e]) {
			sc.emit(kHuggingFace, i-2, e)
			return e
		}
	case hasPrefixAt(t, i-3, "api_org_") && !isTokenByte(at(t, i-4)):
		// a Hugging Face organization token: api_org_ + 34
		if e := sc.runOf(t, i+5, isAlnum); e == i+39 && !isTokenByte(at(t, e)) && mixedCase(t[i+5:e]) {
			sc.emit(kHuggingFace, i-3, e)
			return e
		}
	case i >= 3 && t[i-3] == 'g' && t[i-2] == 'h' && bytes.IndexByte([]byte("pousr"), t[i-1]) >= 0 && !isTokenByte(at(t, i-4)):
		if e := sc.runOf(t, i+1, isAlnum); e == i+37 && !isTokenByte(at(t, e)) {
			sc.emit(kGitHub, i-3, e)
			return e
		}
	case hasPrefixAt(t, i-6, "github_pat_") && !isTokenByte(at(t, i-7)):
		if e := sc.runOf(t, i+5, func(b byte) bool { return isAlnum(b) || b == '_' }); e == i+5+82 && !isTokenByte(at(t, e)) {
			sc.emit(kGitHub, i-6, e)
			return e
		}
	case (hasPrefixAt(t, i-2, "sk_") || hasPrefixAt(t, i-2, "rk_")) && !isTokenByte(at(t, i-3)) &&
		(hasPrefixAt(t, i+1, "live_") || hasPrefixAt(t, i+1, "test_")):
		if e := sc.runOf(t, i+6, isAlnum); e-(i+6) >= 16 && !isTokenByte(at(t, e)) {
			sc.emit(kStripe, i-2, e)
			return e
		}
	case hasPrefixAt(t, i-5, "whsec_") && !isTokenByte(at(t, i-6)):
		if e := sc.runOf(t, i+1, isB64Byte); e-(i+1) >= 24 && !isTokenByte(at(t, e)) {
			sc.emit(kStripe, i-5, e)
			return e
		}
	}
	return i + 1
}

// slack matches a Slack token at the 'x' t[i], in the shapes Slack issues
// them: "xox" and a type letter (a, b, c, e, o, p, r, s), a dash, then
// dash-separated segments: an optional one-digit version ("xoxa-2-",
// "xoxe-1-"), up to four all-digit segments of 6 to 15 digits (workspace,
// user and bot ids), and a last segment of 8 to 200 letters and digits
// with a digit or both cases (the random part), after at least one id
// segment or the version. Configuration tokens "xoxe.xoxp-1-…" and
// "xoxe.xoxb-1-…" are taken whole. A word that merely begins like a token
// ("xoxo-gossip-girl", "xoxb-my-bot-token", "xoxp-1234567890") is not one.
func (sc *scanner) slack(i int) int {
	t := sc.t
	if !hasPrefixAt(t, i, "xox") || isTokenByte(at(t, i-1)) {
		return i + 1
	}
	body := i + 5
	switch {
	case bytes.IndexByte([]byte("abceoprs"), at(t, i+3)) >= 0 && at(t, i+4) == '-':
	case at(t, i+3) == 'e' && at(t, i+4) == '.' && hasPrefixAt(t, i+5, "xox") &&
		(at(t, i+8) == 'b' || at(t, i+8) == 'p') && at(t, i+9) == '-':
		body = i + 10 // a configuration token
	default:
		return i + 1
	}
	e := sc.runOf(t, body, func(b byte) bool { return isAlnum(b) || b == '-' })
	for e > body && t[e-1] == '-' {
		e--
	}
	if at(t, e) == '_' || !slackBody(t[body:e]) {
		return i + 1
	}
	sc.emit(kSlack, i, e)
	return e
}

// slackBody reports whether b, the part of a Slack token after its type and
// dash, has the segments Slack's tokens have (see slack).
func slackBody(b []byte) bool {
	version, ids := false, 0
	for {
		k := bytes.IndexByte(b, '-')
		if k < 0 {
			break
		}
		seg := b[:k]
		b = b[k+1:]
		switch {
		case len(seg) == 1 && isDigit(seg[0]) && !version && ids == 0:
			version = true
		case len(seg) >= 6 && len(seg) <= 15 && allDigits(seg) && ids < 4:
			ids++
		default:
			return false
		}
	}
	if (!version && ids == 0) || len(b) < 8 || len(b) > 200 {
		return false
	}
	var digit, upper, lower bool
	for _, c := range b {
		digit = digit || isDigit(c)
		upper = upper || isUpper(c)
		lower = lower || isLower(c)
	}
	return digit || upper && lower
}

func (sc *scanner) jwt(j int) int {
	t := sc.t
	s := j - 2
	if !hasPrefixAt(t, s, "eyJ") || isB64URL(at(t, s-1)) || at(t, s-1) == '.' {
		return j + 1
	}
	d1 := sc.runOf(t, s, isB64URL)
	if at(t, d1) != '.' {
		return j + 1
	}
	d2 := sc.runOf(t, d1+1, isB64URL)
	if d2-(d1+1) < 2 || at(t, d2) != '.' {
		return j + 1
	}
	e := sc.runOf(t, d2+1, isB64URL)
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

// privateKeys finds PEM private-key blocks. A block ends at the first END
// line after its BEGIN line: the text is searched for END lines once, from
// left to right, however many BEGIN lines it holds.
func (sc *scanner) privateKeys() {
	t := sc.t
	const begin = "-----BEGIN "
	nextEnd := -1 // the first "-----END " at or after searched, -1 when none
	searched := 0
	for off := 0; off < len(t); {
		k := bytes.Index(t[off:], []byte(begin))
		if k < 0 {
			sc.meter.add(len(t) - off)
			return
		}
		sc.meter.add(k + len(begin) + 64)
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
		if nextEnd < body && searched < len(t) {
			from := max(body, searched)
			nextEnd = bytes.Index(t[from:], []byte("-----END "))
			if nextEnd >= 0 {
				nextEnd += from
				searched = nextEnd + 1
			} else {
				searched = len(t)
			}
			sc.meter.add(searched - from)
		}
		var e int
		if nextEnd >= body && nextEnd-body <= maxPEMBody && hasPrefixAt(t, nextEnd+9, string(label)) && hasPrefixAt(t, nextEnd+9+len(label), "-----") {
			e = nextEnd + 9 + len(label) + 5
		} else {
			e = pemBodyEnd(t, body)
			sc.meter.add(e - body)
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
