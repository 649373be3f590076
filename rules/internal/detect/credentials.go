package detect

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Credentials recognized by their context rather than by a prefix of their
// own: slack_webhook and url_credentials in URLs ("scheme://"), and
// password_assignment after a password word and a separator.
//
//   - slack_webhook: http(s)://hooks.slack.com/services/…, /workflows/… or
//     /triggers/… with at least 20 characters of [A-Za-z0-9/_-] after that
//     segment; the span is the whole URL.
//   - url_credentials: scheme://user:password@host (user may be empty, the
//     password not, and not a placeholder); the span is the whole authority
//     "user:password@host:port" (the host too: an email detector would
//     otherwise claim "password@host" as an address).
//   - password_assignment: password, passwd, passphrase or pwd (any case, as
//     the end of a longer name too: DB_PASSWORD, userPassword), optionally
//     quoted, then '=', ':', ":=", "==" or "=>" (and "pass" before '='), then
//     the value: quoted, or up to a space or one of "'`,;&()[]{}<>\ (a
//     trailing '.', '!' or '?' is taken with it: it may belong to the
//     password). The span is the value, of at least 3 bytes. A placeholder
//     (see placeholder) is not a password, nor a path after "pwd" (the
//     working directory); after ':' an unquoted value of letters only (a
//     word of prose, as in "Forgot password: click here") counts only when
//     it ends its line or text.

// colonSecrets looks at the ':' at t[i]: a URL's "://" or a password
// assignment.
func (sc *scanner) colonSecrets(i int) int {
	t := sc.t
	if at(t, i+1) == '/' && at(t, i+2) == '/' {
		if sc.on(kURLCredentials) || sc.on(kSlackWebhook) {
			return sc.url(i)
		}
		return i + 3
	}
	if !sc.on(kPassword) {
		return i + 1
	}
	end := i + 1
	if at(t, end) == '=' {
		end++
	}
	return sc.password(i, end, end == i+1)
}

// passwordEquals looks at the '=' at t[i] for a password assignment ("=",
// "==", "=>"; ":=" is the colon's).
func (sc *scanner) passwordEquals(i int) int {
	t := sc.t
	switch at(t, i-1) {
	case ':', '=', '!', '<', '>':
		return i + 1
	}
	end := i + 1
	if c := at(t, end); c == '=' || c == '>' {
		end++
	}
	return sc.password(i, end, false)
}

// maxPasswordLen is the longest value password_assignment takes: longer
// values are keys, blobs or prose, which other detectors cover.
const maxPasswordLen = 256

// passwordWords are the names a password assignment ends with, lower-case.
var passwordWords = []string{"password", "passwd", "passphrase", "pwd"}

// password reports a password assigned by the separator t[sep:end] and
// returns where to continue. colon is set for a plain ':' separator.
func (sc *scanner) password(sep, end int, colon bool) int {
	t := sc.t
	k := sep
	for k > 0 && (t[k-1] == ' ' || t[k-1] == '\t') {
		k--
	}
	for n := 0; n < 2 && k > 0 && (t[k-1] == '"' || t[k-1] == '\'' || t[k-1] == '\\'); n++ {
		k--
	}
	sc.meter.add(sep - k + 16) // the spaces and quotes before, the word
	word := passwordWord(t[:k])
	if word == "" && !colon && t[sep] == '=' && endsWithFold(t[:k], "pass") && !isAlpha(at(t, k-5)) {
		word = "pass" // user_pass=…, DB_PASS=…; not bypass= or compass=
	}
	if word == "" {
		return end
	}
	v := end
	for v < len(t) && (t[v] == ' ' || t[v] == '\t') {
		v++
	}
	if at(t, v) == '\\' && isQuote(at(t, v+1)) {
		v++ // an escaped quote: JSON text inside a string
	}
	// The value is read at most maxPasswordLen bytes far, so text made of
	// one assignment after another ("password=password=…") costs linear
	// time; a longer value is not a password.
	limit := min(len(t), v+1+maxPasswordLen+1)
	var vs, ve int
	quoted := false
	if q := at(t, v); isQuote(q) {
		vs = v + 1
		ve = vs
		for ve < limit && t[ve] != q && t[ve] != '\n' {
			ve++
		}
		if at(t, ve) == q {
			quoted = true
			if ve > vs && t[ve-1] == '\\' {
				ve--
			}
		}
	}
	if !quoted {
		vs = v
		if isQuote(at(t, v)) {
			vs++ // an open quote never closed: a value cut short (a stream chunk)
		}
		// A trailing '.', '!' or '?' goes too: it may be the password's. The
		// run is read on from where the last one ended when it started
		// inside it ("pass=pass=pass=…" reads each byte once, not once per
		// assignment up to maxPasswordLen bytes back).
		from := vs
		if vs >= sc.bare.start && vs < sc.bare.end {
			from = sc.bare.end
		}
		ve = sc.runOf(t[:limit], min(from, limit), isBareValueByte)
		sc.bare = group{vs, ve}
	}
	sc.meter.add(ve - end)
	if ve-vs > maxPasswordLen {
		return end
	}
	val := t[vs:ve]
	if !quoted {
		if j := bytes.IndexAny(val, "=:"); j >= 0 && passwordWord(val[:j]) != "" {
			return end // "password= password=x": the second one is the assignment
		}
	}
	switch {
	case len(val) < 3, placeholder(val),
		word == "pwd" && (val[0] == '/' || val[0] == '~'), // the working directory
		colon && !quoted && !passwordLike(val) && !endsLine(t, ve):
		return max(end, ve)
	}
	sc.emit(kPassword, vs, ve)
	return ve
}

// passwordWord returns the word of passwordWords t ends with, or "".
func passwordWord(t []byte) string {
	for _, w := range passwordWords {
		if endsWithFold(t, w) {
			return w
		}
	}
	return ""
}

func isQuote(b byte) bool { return b == '"' || b == '\'' || b == '`' }

// isBareValueByte reports whether b may be part of an unquoted password.
func isBareValueByte(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', ',', ';', '&', '(', ')', '[', ']', '{', '}', '<', '>', '\\', 0:
		return false
	}
	return true
}

// passwordLike reports whether an unquoted value after ':' is more than a
// word of prose: it has a digit or symbol, or a capital after its first
// letter.
func passwordLike(v []byte) bool {
	for i, c := range v {
		if !isAlpha(c) || (i > 0 && isUpper(c)) {
			return true
		}
	}
	return false
}

// endsLine reports whether only spaces lie between t[i] and the end of its
// line or of t (a literal "\n", a line break escaped twice, counts).
func endsLine(t []byte, i int) bool {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i == len(t) || t[i] == '\n' || t[i] == '\r' || (t[i] == '\\' && (at(t, i+1) == 'n' || at(t, i+1) == 'r'))
}

// endsWithFold reports whether t ends with the lower-case ASCII word w, in
// any case.
func endsWithFold(t []byte, w string) bool {
	if len(t) < len(w) {
		return false
	}
	t = t[len(t)-len(w):]
	for i := range len(w) {
		if lower(t[i]) != w[i] {
			return false
		}
	}
	return true
}

// placeholderWords are values that stand for a password rather than being
// one (compared in any case).
var placeholderWords = []string{
	"password", "passwd", "pass", "pwd", "null", "nil", "none", "true", "false", "undefined", "empty",
	"redacted", "hidden", "masked", "required", "optional", "string", "example", "placeholder",
	"your_password", "yourpassword", "your-password",
}

// placeholder reports whether a password value is a placeholder: one
// repeated mask character ("****", "xxxx", "••••"), a template ("<password>",
// "${DB_PASS}", "$DB_PASS", "{{pass}}", "{pass}", "%s", "%(pw)s"), a label
// already put there by a redaction ("[REDACTED]", "[secret]"), or one of
// placeholderWords.
func placeholder(v []byte) bool {
	switch first, last := v[0], v[len(v)-1]; {
	case first == '<' && last == '>', first == '{' && last == '}', first == '[' && last == ']':
		return true
	case len(v) > 1 && first == '$' && (v[1] == '{' && last == '}' || isEnvName(v[1:])):
		return true
	case string(v) == "%s", len(v) > 2 && first == '%' && v[1] == '(' && last == 's':
		return true
	}
	if r, _ := utf8.DecodeRune(v); strings.ContainsRune("*xX•.#-_?", r) && repeats(v, r) {
		return true
	}
	for _, w := range placeholderWords {
		if len(v) == len(w) && endsWithFold(v, w) {
			return true
		}
	}
	return false
}

// repeats reports whether v is the rune r, once or more, and nothing else.
func repeats(v []byte, r rune) bool {
	for len(v) > 0 {
		c, n := utf8.DecodeRune(v)
		if c != r {
			return false
		}
		v = v[n:]
	}
	return true
}

// isEnvName reports whether v is an environment variable name: upper-case
// letters, digits and '_'.
func isEnvName(v []byte) bool {
	for _, c := range v {
		if !isUpper(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return len(v) > 0
}

// url looks at the URL whose "://" starts at t[i]: a Slack webhook, or user
// information with a password. It returns where to continue.
func (sc *scanner) url(i int) int {
	t := sc.t
	s := i
	for s > 0 && (isAlnum(t[s-1]) || t[s-1] == '+' || t[s-1] == '.' || t[s-1] == '-') {
		s--
	}
	sc.meter.add(i - s)
	if s == i || !isAlpha(t[s]) {
		return i + 3
	}
	a := i + 3
	ae := a
	for ae < len(t) && isAuthorityByte(t[ae]) {
		ae++
	}
	sc.meter.add(2 * (ae - a)) // the authority, then its at sign
	authority := t[a:ae]
	scheme := -1 // where "http" or "https" starts, even glued to a word ("text-https://…")
	switch {
	case endsWithFold(t[s:i], "https"):
		scheme = i - 5
	case endsWithFold(t[s:i], "http"):
		scheme = i - 4
	}
	if sc.on(kSlackWebhook) && scheme >= 0 && equalFold(authority, "hooks.slack.com") {
		for _, seg := range []string{"/services/", "/workflows/", "/triggers/"} {
			if hasPrefixAt(t, ae, seg) {
				e := sc.runOf(t, ae+len(seg), func(b byte) bool { return isAlnum(b) || b == '/' || b == '_' || b == '-' })
				if e-(ae+len(seg)) >= 20 {
					sc.emit(kSlackWebhook, scheme, e)
					return e
				}
			}
		}
	}
	if !sc.on(kURLCredentials) {
		return ae
	}
	k := bytes.LastIndexByte(authority, '@')
	if k < 0 && at(t, ae) == '/' {
		// a '/' in the password (raw, or "%2F" in the normalized view) ends
		// the authority early: "user:pa/ss@host". The '@' must follow in the
		// same word, and what lies between the ':' and the '/' must not be a
		// port ("host:8080/a/@b").
		if c := bytes.IndexByte(authority, ':'); c >= 0 && !allDigits(authority[c+1:]) && ae >= sc.noAtUntil {
			we := sc.runOf(t, ae, func(b byte) bool { return b == '/' || isAuthorityByte(b) })
			sc.meter.add(we - ae)
			k2 := bytes.LastIndexByte(t[ae:we], '@')
			if k2 < 0 {
				// No '@' up to we: a later URL inside this word has none
				// either ("x://a:b/x://a:b/…" is read once, not once per URL).
				sc.noAtUntil = we
			}
			if k2 >= 0 {
				ae += k2 + sc.runOf(t[ae+k2:], 0, isAuthorityByte) // through the host
				authority = t[a:ae]
				k = bytes.LastIndexByte(authority, '@')
			}
		}
	}
	if k < 0 {
		return ae
	}
	user := authority[:k]
	c := bytes.IndexByte(user, ':')
	if c < 0 || c == len(user)-1 || placeholder(user[c+1:]) {
		return ae
	}
	sc.emit(kURLCredentials, a, ae)
	return ae
}

// allDigits reports whether b is one or more ASCII digits.
func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// isAuthorityByte reports whether b may be part of a URL's authority
// (user information, host and port): anything up to '/', '?', '#', a space,
// a quote or a bracket that closes the URL in text.
func isAuthorityByte(b byte) bool {
	switch b {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '\\', '(', ')', '{', '}', ',', 0:
		return false
	}
	return true
}

// equalFold reports whether t equals the lower-case ASCII word w in any case.
func equalFold(t []byte, w string) bool { return len(t) == len(w) && endsWithFold(t, w) }
