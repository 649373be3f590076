// Package pseudo holds the keyed transformations behind Veil's pseudonymizing
// actions: subkey derivation (HKDF-SHA256), keyed hash pseudonyms
// (HMAC-SHA256), deterministic reversible tokens (AES-SIV, RFC 5297) and
// format-preserving encryption (FF1, NIST SP 800-38G). It knows nothing of
// JSON: callers hand it unescaped text and escape what it returns.
//
// Every value is bound to a context (a rule id or a named domain): the same
// key and value under two contexts give unrelated outputs, because every
// transformation runs under its own subkey Subkey(key, purpose, context).
//
// Everything is deterministic and allocation-light; nothing here reads files,
// starts goroutines or arms timers, so it runs inside the Wasm plugin. The
// constructors panic on arguments the rules compiler must have refused
// (short keys, bad key ids, lengths out of range).
package pseudo

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
)

// MinKeyBytes is the shortest key material accepted (256 bits).
const MinKeyBytes = 32

// ErrDomain is returned by FPE when the enciphered part of a value is too
// small for FF1 (fewer than MinDomain possible values).
var ErrDomain = errors.New("value too short for format-preserving encryption")

// ErrTooLong is returned by FPE when the part of a value to encipher has
// more than MaxSymbols symbols: FF1's cost grows with the square of the
// length, and no identifier Veil enciphers comes near it.
var ErrTooLong = errors.New("value too long for format-preserving encryption")

// MaxSymbols is the most symbols FPE enciphers in one value.
const MaxSymbols = 128

// MinDomain is FF1's domain floor: radix^length must reach it (NIST SP
// 800-38G Rev. 1 draft).
const MinDomain = 1_000_000

// subkeySalt is the fixed HKDF salt of every subkey; bump its version to
// rotate every derived key at once.
const subkeySalt = "veil/pseudo/v1"

// Subkey derives n bytes for one purpose ("hash", "siv", "ff1", …) and
// context from key: HKDF-SHA256 (RFC 5869) with salt "veil/pseudo/v1" and
// info purpose + 0x00 + context (purposes hold no 0x00, so the split is
// unambiguous). It panics when n exceeds HKDF's limit (255*32 bytes).
func Subkey(key []byte, purpose, context string, n int) []byte {
	out, err := hkdf.Key(sha256.New, key, []byte(subkeySalt), purpose+"\x00"+context, n)
	if err != nil {
		panic("pseudo: " + err.Error())
	}
	return out
}

// checkKey panics when key is shorter than MinKeyBytes.
func checkKey(key []byte) {
	if len(key) < MinKeyBytes {
		panic("pseudo: key shorter than 32 bytes")
	}
}
