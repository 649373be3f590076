package filter

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/veilproxy/veil/rules"
)

// What conditions read about a request comes from its headers (read once,
// in on_request_headers) and from two Envoy properties, read only when the
// rule set has conditions: the verified peer certificate's URI SAN and the
// verified JWT payload jwt_authn put in the dynamic metadata. Identity
// fails closed: a property that is absent or cannot be read leaves the
// identity absent, and package rules then matches no identity condition.

// peerURISANProperty is the first URI SAN of the verified peer certificate
// (a SPIFFE id in a mesh); absent without mTLS.
var peerURISANProperty = []string{"connection", "uri_san_peer_certificate"}

// jwtAuthnNamespace is jwt_authn's dynamic metadata namespace.
const jwtAuthnNamespace = "envoy.filters.http.jwt_authn"

// requestAttributes collects the attributes of a request for the program's
// conditions from its headers and the identity properties.
func requestAttributes(p *rules.Program, headers [][2]string) *rules.RequestAttributes {
	attrs := &rules.RequestAttributes{
		Method:  firstValue(headers, ":method"),
		Path:    firstValue(headers, ":path"),
		Host:    firstValue(headers, ":authority"),
		Headers: headers,
	}
	if raw, err := proxywasm.GetProperty(peerURISANProperty); err == nil {
		attrs.PeerURISANs = decodeURISANs(raw)
	}
	if key := p.JWTMetadataKey(); key != "" {
		if raw, err := proxywasm.GetProperty([]string{"metadata", "filter_metadata", jwtAuthnNamespace, key}); err == nil {
			attrs.JWTClaims = claimsJSON(raw)
		}
	}
	return attrs
}

// decodeURISANs reads connection.uri_san_peer_certificate: Envoy returns the
// first URI SAN as a string; a list (pairs-encoded, each SAN a key with an
// empty value) is read too. Anything else, a SAN that is not printable
// UTF-8 included, reads as no SAN at all.
func decodeURISANs(raw []byte) []string {
	if len(raw) == 0 {
		return nil
	}
	if printable(raw) {
		return []string{string(raw)}
	}
	pairs, ok := parsePairs(raw)
	if !ok || len(pairs) == 0 {
		return nil
	}
	sans := make([]string, 0, len(pairs))
	for _, kv := range pairs {
		if kv[1] != "" || kv[0] == "" || !printable([]byte(kv[0])) {
			return nil
		}
		sans = append(sans, kv[0])
	}
	return sans
}

// claimsJSON turns the jwt_authn payload property into JSON for
// RequestAttributes.JWTClaims; nil when it cannot be read.
//
// Envoy serializes the payload Struct as a CEL map: pairs of claim name and
// encoded value, where a string is its bytes, a number an 8-byte
// little-endian double, a bool one byte, an object pairs again, and an
// array pairs with each element as key and an empty value (a payload
// holding a null fails to serialize, so never gets here). The types are
// not written down; each value is read as (in this order):
//   - an object or array: it contains a NUL byte and parses as pairs
//     (an array when every value is empty); any other value with a NUL
//     is a double when 8 bytes long, a bool when one byte 0 or 1, and
//     unreadable otherwise;
//   - a double: 8 bytes not all printable;
//   - a string: anything else that is valid UTF-8.
//
// A string of 8 printable characters stays a string ("external" is not
// read as a number); a number whose 8 bytes are all printable (a fraction
// with a full mantissa, never an integer) would read as a string, so a
// claim condition on it does not hold. The top level must be an object.
func claimsJSON(raw []byte) []byte {
	pairs, ok := parsePairs(raw)
	if !ok {
		return nil
	}
	out, ok := appendObject(make([]byte, 0, 2*len(raw)), pairs, 0)
	if !ok {
		return nil
	}
	return out
}

// maxClaimDepth bounds the nesting claimsJSON follows.
const maxClaimDepth = 32

// appendObject appends pairs as a JSON object.
func appendObject(dst []byte, pairs [][2]string, depth int) ([]byte, bool) {
	dst = append(dst, '{')
	for i, kv := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		if !utf8.ValidString(kv[0]) {
			return dst, false
		}
		dst = rules.AppendQuoted(dst, kv[0])
		dst = append(dst, ':')
		var ok bool
		if dst, ok = appendClaimValue(dst, []byte(kv[1]), depth+1); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendClaimValue appends one encoded claim value as JSON (see claimsJSON).
func appendClaimValue(dst []byte, v []byte, depth int) ([]byte, bool) {
	if depth > maxClaimDepth {
		return dst, false
	}
	if hasNUL(v) {
		if pairs, ok := parsePairs(v); ok {
			return appendContainer(dst, pairs, depth)
		}
	}
	switch {
	case len(v) == 8 && !printable(v):
		f := math.Float64frombits(binary.LittleEndian.Uint64(v))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, false
		}
		format := byte('f') // as encoding/json spells numbers
		if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
		return strconv.AppendFloat(dst, f, format, -1, 64), true
	case len(v) == 1 && v[0] <= 1:
		return strconv.AppendBool(dst, v[0] == 1), true
	case hasNUL(v) || !utf8.Valid(v):
		return dst, false
	}
	return rules.AppendQuoted(dst, string(v)), true
}

// appendContainer appends decoded pairs as a JSON array when every value
// is empty (and there is at least one), else as an object.
func appendContainer(dst []byte, pairs [][2]string, depth int) ([]byte, bool) {
	isArray := true
	for _, kv := range pairs {
		isArray = isArray && kv[1] == ""
	}
	if !isArray || len(pairs) == 0 {
		return appendObject(dst, pairs, depth)
	}
	dst = append(dst, '[')
	for i, kv := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendClaimValue(dst, []byte(kv[0]), depth+1); !ok {
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// parsePairs parses Envoy's pairs serialization strictly: a u32 count,
// count (key length, value length) u32 pairs, then each key and value
// followed by a NUL, and nothing after.
func parsePairs(b []byte) ([][2]string, bool) {
	if len(b) < 4 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n > (len(b)-4)/8 {
		return nil, false
	}
	sizes, data := b[4:4+8*n], b[4+8*n:]
	pairs := make([][2]string, n)
	for i := range pairs {
		for j := range 2 {
			size := int(binary.LittleEndian.Uint32(sizes[8*i+4*j:]))
			if size >= len(data) || data[size] != 0 {
				return nil, false
			}
			pairs[i][j] = string(data[:size])
			data = data[size+1:]
		}
	}
	return pairs, len(data) == 0
}

// printable reports whether b is printable ASCII (space to tilde) or
// multi-byte UTF-8: text, not binary.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// hasNUL reports whether b holds a zero byte.
func hasNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}
