package pseudo

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/daead/subtle"
)

// TestAESSIVRFC5297 checks a minimal reference AES-SIV (refSIV, written
// from RFC 5297) against RFC 5297 A.1, then tink's AES-256-SIV and the
// Sealer against the reference on 64-byte keys (tink refuses A.1's 32-byte
// key).
func TestAESSIVRFC5297(t *testing.T) {
	key := unhex(t, "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff")
	ad := unhex(t, "10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627")
	pt := unhex(t, "11223344 55667788 99aabbcc ddee")
	want := unhex(t, "85632d07 c6e8f37f 950acd32 0a2ecc93 40c02b96 90c4dc04 daef7f6a fe5c")
	if got := refSIV(key, ad, pt); !bytes.Equal(got, want) {
		t.Fatalf("reference AES-SIV = %x, want %x", got, want)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 200 {
		key := make([]byte, 64)
		for j := range key {
			key[j] = byte(rng.Uint32())
		}
		ad := make([]byte, 1+rng.IntN(40))
		pt := make([]byte, rng.IntN(70))
		for j := range ad {
			ad[j] = byte(rng.Uint32())
		}
		for j := range pt {
			pt[j] = byte(rng.Uint32())
		}
		siv, err := subtle.NewAESSIV(key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := siv.EncryptDeterministically(pt, ad)
		if want := refSIV(key, ad, pt); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("case %d: tink %x, %v; reference %x", i, got, err, want)
		}
	}
	s := NewSealer("k1", testKey, "users.email", "tok_")
	tok := s.AppendToken(nil, []byte("alice@example.com"))
	wantTok := "tok_k1." + b64.EncodeToString(refSIV(Subkey(testKey, "siv", "users.email", 64), []byte("users.email"), []byte("alice@example.com")))
	if string(tok) != wantTok {
		t.Fatalf("Sealer token %s, reference %s", tok, wantTok)
	}
}

// refSIV is RFC 5297 SIV-ENCRYPT with one associated data component,
// written from the RFC for TestAESSIVRFC5297 only.
func refSIV(key, ad, pt []byte) []byte {
	macKey, ctrKey := key[:len(key)/2], key[len(key)/2:]
	mac, _ := aes.NewCipher(macKey)
	dbl := func(b []byte) []byte {
		out := make([]byte, 16)
		for i := range 16 {
			out[i] = b[i] << 1
			if i < 15 {
				out[i] |= b[i+1] >> 7
			}
		}
		if b[0]&0x80 != 0 {
			out[15] ^= 0x87
		}
		return out
	}
	xor := func(a, b []byte) []byte {
		out := bytes.Clone(a)
		for i := range b {
			out[i] ^= b[i]
		}
		return out
	}
	cmac := func(m []byte) []byte {
		l := make([]byte, 16)
		mac.Encrypt(l, l)
		k1 := dbl(l)
		k2 := dbl(k1)
		n := (len(m) + 15) / 16
		var last []byte
		if n > 0 && len(m)%16 == 0 {
			last = xor(m[(n-1)*16:], k1)
		} else {
			if n == 0 {
				n = 1
			}
			p := append(bytes.Clone(m[(n-1)*16:]), 0x80)
			p = append(p, make([]byte, 16-len(p))...)
			last = xor(p, k2)
		}
		x := make([]byte, 16)
		for i := 0; i < n-1; i++ {
			x = xor(x, m[i*16:i*16+16])
			mac.Encrypt(x, x)
		}
		x = xor(x, last)
		mac.Encrypt(x, x)
		return x
	}
	d := cmac(make([]byte, 16))
	d = xor(dbl(d), cmac(ad))
	var tIn []byte
	if len(pt) >= 16 {
		tIn = bytes.Clone(pt)
		copy(tIn[len(pt)-16:], xor(pt[len(pt)-16:], d))
	} else {
		p := append(bytes.Clone(pt), 0x80)
		p = append(p, make([]byte, 16-len(p))...)
		tIn = xor(dbl(d), p)
	}
	v := cmac(tIn)
	q := bytes.Clone(v)
	q[8] &= 0x7f
	q[12] &= 0x7f
	ctr, _ := aes.NewCipher(ctrKey)
	ct := make([]byte, len(pt))
	cipher.NewCTR(ctr, q).XORKeyStream(ct, pt)
	return append(bytes.Clone(v), ct...)
}

// sealValues are plaintexts every Sealer test round-trips.
var sealValues = []string{
	"", "a", "alice@example.com", "+33 6 12 34 56 78", "Zoë Ñúñez 山田太郎 🙂",
	"with \"quotes\" and \\ and \x00 nul", "\xff\xfe invalid utf-8",
	strings.Repeat("1 KB of text. ", 74),
}

// TestSealerRoundTrip covers the token grammar, Open(AppendToken(x)) == x
// and determinism across instances.
func TestSealerRoundTrip(t *testing.T) {
	s := NewSealer("k1", testKey, "users.email", "tok_")
	s2 := NewSealer("k1", testKey, "users.email", "tok_")
	for _, v := range sealValues {
		tok := s.AppendToken([]byte("pre"), []byte(v))[3:]
		if !bytes.HasPrefix(tok, []byte("tok_k1.")) {
			t.Fatalf("token %q lacks tok_k1.", tok)
		}
		body := tok[len("tok_k1."):]
		if len(body) != b64.EncodedLen(16+len(v)) {
			t.Fatalf("token body %d chars for %d bytes", len(body), len(v))
		}
		for _, c := range body {
			if !isB64Byte(c) {
				t.Fatalf("token %q: %q outside base64url", tok, c)
			}
		}
		if again := s2.AppendToken(nil, []byte(v)); !bytes.Equal(again, tok) {
			t.Fatalf("second Sealer: %q, first %q", again, tok)
		}
		out, ok := s2.Open([]byte("keep:"), tok)
		if !ok || string(out) != "keep:"+v {
			t.Fatalf("Open = %q, %v; want keep:%q", out, ok, v)
		}
	}
}

// TestSealerSeparation checks that key, context, key id and prefix each
// change the token and that no other Sealer opens it.
func TestSealerSeparation(t *testing.T) {
	s := NewSealer("k1", testKey, "users.email", "tok_")
	tok := s.AppendToken(nil, []byte("alice@example.com"))
	others := map[string]*Sealer{
		"key":     NewSealer("k1", otherKey, "users.email", "tok_"),
		"context": NewSealer("k1", testKey, "users.phone", "tok_"),
		"empty":   NewSealer("k1", testKey, "", "tok_"),
		"key id":  NewSealer("k2", testKey, "users.email", "tok_"),
		"prefix":  NewSealer("k1", testKey, "users.email", "tik_"),
	}
	for name, o := range others {
		if bytes.Equal(o.AppendToken(nil, []byte("alice@example.com")), tok) {
			t.Errorf("other %s: same token", name)
		}
		if out, ok := o.Open(nil, tok); ok || len(out) != 0 {
			t.Errorf("other %s opens the token: %q", name, out)
		}
	}
	if bytes.Equal(s.AppendToken(nil, []byte("alice@example.org")), tok) {
		t.Error("two values, one token")
	}
}

// TestSealerTamper alters a token at every position (each character swapped
// for every other base64url or marker character), truncates and extends it:
// every variant must fail and leave dst alone.
func TestSealerTamper(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	s := NewSealer("k1", testKey, "ctx", "tok_")
	for _, v := range []string{"", "4111111111111111", "alice@example.com"} {
		tok := s.AppendToken(nil, []byte(v))
		check := func(what string, bad []byte) {
			t.Helper()
			if out, ok := s.Open([]byte("d"), bad); ok || string(out) != "d" {
				t.Fatalf("%s %q opened: %q", what, bad, out)
			}
		}
		for i := range tok {
			for j := range alphabet {
				if alphabet[j] == tok[i] {
					continue
				}
				bad := bytes.Clone(tok)
				bad[i] = alphabet[j]
				check("altered", bad)
			}
		}
		for n := range len(tok) {
			check("truncated", tok[:n])
		}
		for _, tail := range []string{"A", "AA", "AAA", "AAAA", "=", "==", " ", "."} {
			check("extended", append(bytes.Clone(tok), tail...))
			check("prepended", append([]byte(tail), tok...))
		}
	}
}

func TestMinTokenBody(t *testing.T) {
	if n := b64.EncodedLen(sivOverhead); n != MinTokenBody {
		t.Errorf("MinTokenBody = %d, the SIV's base64url length is %d", MinTokenBody, n)
	}
}
