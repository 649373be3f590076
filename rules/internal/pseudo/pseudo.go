// Package pseudo holds the keyed transformations behind Veil's pseudonymizing
// actions: subkey derivation (HKDF-SHA256), keyed hash pseudonyms
// (HMAC-SHA256), deterministic reversible tokens (AES-SIV, RFC 5297) and
// format-preserving encryption (FF1, NIST SP 800-38G). It knows nothing of
// JSON: callers hand it unescaped text and escape what it returns.
//
// Every value is bound to a context (a rule id or a named domain): the same
// key and value under two contexts give unrelated outputs.
package pseudo

import "errors"

// MinKeyBytes is the shortest key material accepted (256 bits).
const MinKeyBytes = 32

// ErrDomain is returned by FPE when the enciphered part of a value is too
// small for FF1 (fewer than MinDomain possible values).
var ErrDomain = errors.New("value too short for format-preserving encryption")

// MinDomain is FF1's domain floor: radix^length must reach it (NIST SP
// 800-38G Rev. 1 draft).
const MinDomain = 1_000_000

// Subkey derives n bytes for one purpose ("hash", "siv", "ff1", …) and
// context from key: HKDF-SHA256 with a fixed salt and info
// purpose + 0x00 + context.
func Subkey(key []byte, purpose, context string, n int) []byte { panic("pseudo: not implemented") }

// Hasher makes keyed, irreversible pseudonyms: prefix + the first length
// characters of base64url(HMAC-SHA256(subkey, value)). Safe for concurrent use.
type Hasher struct{}

// NewHasher returns a Hasher for key and context. length is 1…43.
func NewHasher(key []byte, context, prefix string, length int) *Hasher {
	panic("pseudo: not implemented")
}

// Append appends the pseudonym of value to dst.
func (h *Hasher) Append(dst, value []byte) []byte { panic("pseudo: not implemented") }

// Sum appends the full 32-byte HMAC of value to dst (for choosing stand-ins).
func (h *Hasher) Sum(dst, value []byte) []byte { panic("pseudo: not implemented") }

// Sealer makes deterministic reversible tokens with AES-SIV for one key id,
// key and context (the associated data): prefix + keyID + "." +
// base64url(ciphertext), no padding. Safe for concurrent use.
type Sealer struct{}

// NewSealer returns a Sealer. keyID is 1–16 of [a-z0-9]; prefix may be empty.
func NewSealer(keyID string, key []byte, context, prefix string) *Sealer {
	panic("pseudo: not implemented")
}

// AppendToken appends the token of value to dst.
func (s *Sealer) AppendToken(dst, value []byte) []byte { panic("pseudo: not implemented") }

// Open appends the plaintext of token (the whole token, prefix included) to
// dst; ok is false when token was not made by this Sealer or was altered.
func (s *Sealer) Open(dst, token []byte) (out []byte, ok bool) { panic("pseudo: not implemented") }

// Opener finds tokens of a set of Sealers in text and opens them.
type Opener struct{}

// Add registers s; its tokens are found by its prefix and key id.
func (o *Opener) Add(s *Sealer) { panic("pseudo: not implemented") }

// Next finds the first token at or after text[from:] that carries a
// registered prefix and key id. found is false when there is none. When
// found, text[start:end] is the token (its longest base64url run), and ok
// reports whether a registered Sealer opened it; its plaintext is appended to
// dst.
func (o *Opener) Next(dst, text []byte, from int) (out []byte, start, end int, found, ok bool) {
	panic("pseudo: not implemented")
}

// FPE enciphers the digits (radix 10) or letters and digits (radix 62) of a
// value with FF1, keeping every other character, the first keepFirst and the
// last keepLast enciphered symbols in clear; for radix 10 the Luhn validity
// of the digit string is preserved (cycle walking), so a card number stays
// Luhn-valid. Safe for concurrent use.
type FPE struct{}

// NewFPE returns an FPE for key and context.
func NewFPE(key []byte, context string, alnum bool, keepFirst, keepLast int) *FPE {
	panic("pseudo: not implemented")
}

// Encrypt appends the enciphered value to dst; ErrDomain when the part to
// encipher is below MinDomain (dst is then returned unchanged).
func (f *FPE) Encrypt(dst, value []byte) ([]byte, error) { panic("pseudo: not implemented") }

// Decrypt reverses Encrypt.
func (f *FPE) Decrypt(dst, value []byte) ([]byte, error) { panic("pseudo: not implemented") }
