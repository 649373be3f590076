package pseudo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
)

// Hasher makes keyed, irreversible pseudonyms: prefix + the first length
// characters of base64url(HMAC-SHA256(subkey, value)), no padding, where
// subkey = Subkey(key, "hash", context, 32). Safe for concurrent use.
type Hasher struct {
	prefix string
	length int
	// macs pools HMAC states keyed with the subkey; Reset restores the
	// precomputed inner state, so a call costs no allocation.
	macs sync.Pool
}

// NewHasher returns a Hasher for key and context. length is 1…43; it panics
// when length is out of range or key is shorter than MinKeyBytes.
func NewHasher(key []byte, context, prefix string, length int) *Hasher {
	checkKey(key)
	if length < 1 || length > 43 {
		panic("pseudo: hash length out of 1…43")
	}
	sub := Subkey(key, "hash", context, 32)
	h := &Hasher{prefix: prefix, length: length}
	h.macs.New = func() any { return &macState{mac: hmac.New(sha256.New, sub)} }
	return h
}

// macState is one pooled HMAC with room for its sum.
type macState struct {
	mac hash.Hash
	sum [sha256.Size]byte
	b64 [44]byte
}

// mac computes the HMAC of value into a pooled state the caller puts back.
func (h *Hasher) mac(value []byte) *macState {
	m := h.macs.Get().(*macState)
	m.mac.Reset()
	m.mac.Write(value)
	m.mac.Sum(m.sum[:0])
	return m
}

// Append appends the pseudonym of value to dst.
func (h *Hasher) Append(dst, value []byte) []byte {
	m := h.mac(value)
	base64.RawURLEncoding.Encode(m.b64[:], m.sum[:])
	dst = append(dst, h.prefix...)
	dst = append(dst, m.b64[:h.length]...)
	h.macs.Put(m)
	return dst
}

// Sum appends the full 32-byte HMAC of value to dst (for choosing stand-ins).
func (h *Hasher) Sum(dst, value []byte) []byte {
	m := h.mac(value)
	dst = append(dst, m.sum[:]...)
	h.macs.Put(m)
	return dst
}
