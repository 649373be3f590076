package rules

import (
	"errors"
	"strings"
)

// ErrNotJSON is returned by ApplyAs for a sniffed body that is neither JSON
// nor almost JSON: it is forwarded as is, and nothing claimed it was JSON.
var ErrNotJSON = errors.New("not json")

// BodyKind says how a body of an in-scope exchange is read. It is decided
// per body from all of its content-type header values (Program.BodyKind).
type BodyKind uint8

// The body kinds.
const (
	// BodySkip is a body never looked at: its single label is listed in
	// match.never_sniff.
	BodySkip BodyKind = iota
	// BodyJSON is labelled JSON (a type in match.content_types): strict,
	// anything but valid JSON is invalid_json.
	BodyJSON
	// BodyJSONLines is a labelled stream of newline-delimited records
	// (application/x-ndjson, application/jsonl).
	BodyJSONLines
	// BodyJSONSeq is a labelled stream of RS-delimited records
	// (application/json-seq, RFC 7464).
	BodyJSONSeq
	// BodySniff is anything else, whatever its label: read as JSON when its
	// bytes say so (Sniff).
	BodySniff
	// BodyEventStream is a labelled stream of server-sent events
	// (text/event-stream): the JSON in each event's data is a record.
	BodyEventStream
	// BodyForm is an application/x-www-form-urlencoded body read as
	// members (match.forms).
	BodyForm
	// BodyMultipart is a multipart/form-data or multipart/mixed body read
	// part by part.
	BodyMultipart
)

var bodyKindNames = [...]string{"skip", "json", "json-lines", "json-seq", "sniff", "event-stream", "form", "multipart"}

// String returns the kind's name: "skip", "json", "json-lines",
// "json-seq", "sniff", "event-stream", "form" or "multipart".
func (k BodyKind) String() string {
	if int(k) < len(bodyKindNames) {
		return bodyKindNames[k]
	}
	return "unknown"
}

// recordTypes are the labels of record streams and their kinds.
var recordTypes = map[string]BodyKind{
	"application/x-ndjson": BodyJSONLines,
	"application/ndjson":   BodyJSONLines,
	"application/jsonl":    BodyJSONLines,
	"application/x-jsonl":  BodyJSONLines,
	"application/json-seq": BodyJSONSeq,
	"text/event-stream":    BodyEventStream,
}

// BodyKind decides how a body is read from every value of its content-type
// header, in order (Envoy keeps repeated headers apart; read them all). Only
// a single, well-formed media type is a label: it is a record stream when
// it names one, labelled JSON when it matches match.content_types, skipped
// when it matches match.never_sniff (record streams too), and sniffed
// otherwise. No header, two headers, a list ("text/plain,
// application/json") or a malformed value ("json") is no label: sniffed.
func (p *Program) BodyKind(contentTypes []string) BodyKind {
	if len(contentTypes) != 1 {
		return BodySniff
	}
	mediaType, ok := parseMediaType(contentTypes[0])
	if !ok {
		return BodySniff
	}
	s := &p.scope
	if matchAny(s.neverSniff, mediaType) {
		return BodySkip
	}
	if kind, ok := recordTypes[mediaType]; ok {
		return kind
	}
	if matchAny(s.contentTypes, mediaType) {
		return BodyJSON
	}
	return BodySniff
}

// parseMediaType returns the lower-cased type/subtype of one content-type
// value, parameters cut, and whether the value is a single well-formed
// media type (token "/" token; a ',' anywhere outside a quoted parameter
// makes it a list).
func parseMediaType(v string) (string, bool) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && quoted:
			i++
		case c == ',' && !quoted:
			return "", false
		}
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	typ, sub, ok := strings.Cut(v, "/")
	if !ok || !isToken(typ) || !isToken(sub) {
		return "", false
	}
	return lowerASCII(v), true // tokens are ASCII
}

// lowerASCII returns s with ASCII letters lower-cased, s itself (no copy)
// when it has none in upper case, as a content-type usually has not.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// matchAny reports whether a lower-case media type matches one of the
// patterns of match.content_types or match.never_sniff.
func matchAny(patterns []string, mediaType string) bool {
	for _, pat := range patterns {
		if matchGlob(pat, mediaType, true) {
			return true
		}
	}
	return false
}

// IdentityEncoding reports whether a body with these content-encoding
// header values (every value, in order) is unencoded: each coding of each
// value, a comma-separated list, is "identity" (case-insensitive) or empty.
// Two headers or a list ("identity, gzip") are encoded unless every coding
// is identity.
func IdentityEncoding(values []string) bool {
	for _, v := range values {
		for coding := range strings.SplitSeq(v, ",") {
			if c := strings.TrimSpace(coding); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}
