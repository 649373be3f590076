package pseudo

import (
	"bytes"
	"encoding/base64"
	"slices"

	"github.com/tink-crypto/tink-go/v2/daead/subtle"
)

// b64 is the token alphabet's codec: base64url without padding, strict, so
// that a token altered in its last character (non-zero trailing bits) is
// refused instead of decoding to the same bytes.
var b64 = base64.RawURLEncoding.Strict()

// sivOverhead is the synthetic IV that AES-SIV puts before the ciphertext.
const sivOverhead = 16

// MinTokenBody is the shortest base64url run a token can carry after its
// marker (prefix, key id and "."): the 16-byte synthetic IV of an empty
// plaintext, unpadded (TestMinTokenBody checks it).
const MinTokenBody = 22

// Sealer makes deterministic reversible tokens with AES-SIV for one key id,
// key and context: token = prefix + keyID + "." + base64url(SIV ‖ ciphertext)
// without padding. The AES-256-SIV key is Subkey(key, "siv", context, 64)
// and the associated data is the context (one component; never empty, a
// "\x00" stands for an empty context). Safe for concurrent use.
type Sealer struct {
	marker string // prefix + keyID + "."
	prefix string
	keyID  string
	ad     []byte
	siv    *subtle.AESSIV
}

// NewSealer returns a Sealer. keyID is 1–16 of [a-z0-9]; prefix may be empty
// (but an Opener refuses such a Sealer). It panics on a bad keyID or a key
// shorter than MinKeyBytes.
func NewSealer(keyID string, key []byte, context, prefix string) *Sealer {
	checkKey(key)
	if !validKeyID(keyID) {
		panic("pseudo: key id must be 1–16 of [a-z0-9]")
	}
	siv, err := subtle.NewAESSIV(Subkey(key, "siv", context, 64))
	if err != nil {
		panic("pseudo: " + err.Error())
	}
	ad := []byte(context)
	if len(ad) == 0 {
		ad = []byte{0}
	}
	return &Sealer{marker: prefix + keyID + ".", prefix: prefix, keyID: keyID, ad: ad, siv: siv}
}

// validKeyID reports whether id is 1–16 of [a-z0-9].
func validKeyID(id string) bool {
	if len(id) < 1 || len(id) > 16 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isKeyIDByte(id[i]) {
			return false
		}
	}
	return true
}

// isKeyIDByte reports whether c may appear in a key id.
func isKeyIDByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// isB64Byte reports whether c belongs to the base64url alphabet.
func isB64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// AppendToken appends the token of value to dst.
func (s *Sealer) AppendToken(dst, value []byte) []byte {
	ct, err := s.siv.EncryptDeterministically(value, s.ad)
	if err != nil {
		panic("pseudo: " + err.Error()) // only for values near math.MaxInt bytes
	}
	dst = append(dst, s.marker...)
	return b64.AppendEncode(dst, ct)
}

// Open appends the plaintext of token (the whole token, prefix included) to
// dst; ok is false when token was not made by this Sealer or was altered
// (any character changed, dropped or added), and dst is then returned
// unchanged.
func (s *Sealer) Open(dst, token []byte) (out []byte, ok bool) {
	body, found := bytes.CutPrefix(token, []byte(s.marker))
	if !found || len(body) < MinTokenBody {
		return dst, false
	}
	n := b64.DecodedLen(len(body))
	dst = slices.Grow(dst, n)
	ct := dst[len(dst) : len(dst)+n]
	if m, err := b64.Decode(ct, body); err != nil || m != n {
		return dst, false
	}
	pt, err := s.siv.DecryptDeterministically(ct, s.ad)
	if err != nil {
		return dst, false
	}
	return append(dst, pt...), true
}

// Opener finds tokens of a set of Sealers in text and opens them. Add every
// Sealer before the first Next; Next is then safe for concurrent use. The
// zero value is an empty Opener.
//
// A token in text is prefix + keyID + "." of a registered Sealer followed by
// the longest run of base64url characters [A-Za-z0-9_-], at least 22 of them
// (an empty plaintext's length). Whatever comes before the prefix does not
// matter, and any other character ends the token (".", ",", ")", quotes,
// ":", spaces…); a token directly followed by a letter, digit, "-" or "_" is
// read with it and does not open. A prefix + keyID that is not registered is
// not a token at all (found is false), nor is a marker followed by fewer
// than 22 base64url characters.
type Opener struct {
	groups []prefixGroup
}

// prefixGroup holds the Sealers of one prefix, by key id.
type prefixGroup struct {
	prefix string
	byKey  map[string][]*Sealer
}

// Add registers s; its tokens are found by its prefix and key id. The same
// prefix and key id may be added under several contexts: Next tries each.
// Add panics when s has an empty prefix, since tokens without one cannot be
// told from ordinary text.
func (o *Opener) Add(s *Sealer) {
	if s.prefix == "" {
		panic("pseudo: Opener needs a non-empty token prefix")
	}
	for i := range o.groups {
		if g := &o.groups[i]; g.prefix == s.prefix {
			g.byKey[s.keyID] = append(g.byKey[s.keyID], s)
			return
		}
	}
	o.groups = append(o.groups, prefixGroup{prefix: s.prefix, byKey: map[string][]*Sealer{s.keyID: {s}}})
}

// Next finds the first token at or after text[from:] that carries a
// registered prefix and key id. found is false when there is none. When
// found, text[start:end] is the token (its longest base64url run), and ok
// reports whether a registered Sealer opened it; its plaintext is appended to
// dst. When tokens of two prefixes overlap the one starting first wins, and
// at the same start the longer one; every Sealer whose prefix and key id
// spell the winner's marker is tried.
func (o *Opener) Next(dst, text []byte, from int) (out []byte, start, end int, found, ok bool) {
	from = max(from, 0)
	start, end = -1, -1
	for i := range o.groups {
		limit := len(text) // an occurrence after the best one so far cannot win
		if start >= 0 {
			limit = start
		}
		at, e := o.groups[i].find(text, from, limit)
		if at >= 0 && (start < 0 || at < start || at == start && e > end) {
			start, end = at, e
		}
	}
	if start < 0 {
		return dst, 0, 0, false, false
	}
	for i := range o.groups {
		if ss, e := o.groups[i].sealersAt(text, start); e == end {
			for _, s := range ss {
				if out, ok := s.Open(dst, text[start:end]); ok {
					return out, start, end, true, true
				}
			}
		}
	}
	return dst, start, end, true, false
}

// find returns the bounds of the first token of g that starts in
// text[from:limit+1], or at = -1; looking no further than limit spares
// rescanning text past the best token found so far.
func (g *prefixGroup) find(text []byte, from, limit int) (at, end int) {
	window := text[:min(len(text), limit+len(g.prefix))]
	for from < len(window) {
		i := bytes.Index(window[from:], []byte(g.prefix))
		if i < 0 {
			return -1, 0
		}
		at = from + i
		if _, end = g.sealersAt(text, at); end > 0 {
			return at, end
		}
		from = at + 1
	}
	return -1, 0
}

// sealersAt returns the Sealers of the token of g starting at text[at:] and
// its end, or end = 0 when no token of g starts there: the prefix, a
// registered key id, "." and at least MinTokenBody base64url characters.
func (g *prefixGroup) sealersAt(text []byte, at int) (sealers []*Sealer, end int) {
	if !bytes.HasPrefix(text[at:], []byte(g.prefix)) {
		return nil, 0
	}
	k := at + len(g.prefix)
	idEnd := k
	for idEnd < len(text) && idEnd-k < 16 && isKeyIDByte(text[idEnd]) {
		idEnd++
	}
	if idEnd == k || idEnd >= len(text) || text[idEnd] != '.' {
		return nil, 0
	}
	ss := g.byKey[string(text[k:idEnd])]
	if ss == nil {
		return nil, 0
	}
	end = idEnd + 1
	for end < len(text) && isB64Byte(text[end]) {
		end++
	}
	if end-idEnd-1 < MinTokenBody {
		return nil, 0
	}
	return ss, end
}
