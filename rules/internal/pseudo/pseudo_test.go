package pseudo

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// testKey is the 32-byte key of most tests.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// otherKey differs from testKey in one byte.
var otherKey = []byte("0123456789abcdef0123456789abcdeF")

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHKDFRFC5869 checks the stdlib HKDF Subkey builds on against RFC 5869
// test case 1.
func TestHKDFRFC5869(t *testing.T) {
	ikm := bytes.Repeat([]byte{0x0b}, 22)
	salt := unhex(t, "000102030405060708090a0b0c")
	info := string(unhex(t, "f0f1f2f3f4f5f6f7f8f9"))
	want := unhex(t, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
	got, err := hkdf.Key(sha256.New, ikm, salt, info, 42)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("hkdf = %x, %v; want %x", got, err, want)
	}
}

// TestSubkey checks Subkey is HKDF-SHA256 with the documented salt and info,
// pins one output, and that purposes and contexts separate.
func TestSubkey(t *testing.T) {
	want, _ := hkdf.Key(sha256.New, testKey, []byte("veil/pseudo/v1"), "hash\x00users.email", 32)
	got := Subkey(testKey, "hash", "users.email", 32)
	if !bytes.Equal(got, want) {
		t.Fatalf("Subkey = %x, want %x", got, want)
	}
	if g := hex.EncodeToString(got); g != subkeyGolden {
		t.Fatalf("Subkey changed: %s, pinned %s (changing it changes every pseudonym)", g, subkeyGolden)
	}
	seen := map[string]string{}
	for _, c := range []struct{ purpose, context string }{
		{"hash", "a"}, {"siv", "a"}, {"ff1", "a"}, {"hash", "b"}, {"hash", ""}, {"hash", "a\x00"},
	} {
		k := string(Subkey(testKey, c.purpose, c.context, 32))
		if prev, dup := seen[k]; dup {
			t.Errorf("%q and %q derive the same subkey", prev, c.purpose+"/"+c.context)
		}
		seen[k] = c.purpose + "/" + c.context
	}
	if bytes.Equal(Subkey(testKey, "siv", "a", 64)[:32], Subkey(otherKey, "siv", "a", 64)[:32]) {
		t.Error("different keys derive the same subkey")
	}
}

const subkeyGolden = "ce4d104bdc8890d0919239b4e4ce0ccd89b30bc773773d7dfbf5df49366a7f7b"

// TestHasher covers format, determinism across instances and separation by
// key, context and value.
func TestHasher(t *testing.T) {
	h := NewHasher(testKey, "users.email", "usr_", 12)
	a := h.Append(nil, []byte("alice@example.com"))
	if len(a) != len("usr_")+12 || !bytes.HasPrefix(a, []byte("usr_")) {
		t.Fatalf("pseudonym %q: want usr_ + 12 chars", a)
	}
	for _, c := range a[4:] {
		if !isB64Byte(c) {
			t.Fatalf("pseudonym %q has a non-base64url char", a)
		}
	}
	if b := NewHasher(testKey, "users.email", "usr_", 12).Append([]byte("x"), []byte("alice@example.com")); string(b) != "x"+string(a) {
		t.Fatalf("second instance: %q, first %q", b, a)
	}
	full := NewHasher(testKey, "users.email", "", 43).Append(nil, []byte("alice@example.com"))
	if string(full[:12]) != string(a[4:]) || len(full) != 43 {
		t.Fatalf("length 43 %q does not extend length 12 %q", full, a)
	}
	differ := map[string]*Hasher{
		"other key":     NewHasher(otherKey, "users.email", "usr_", 12),
		"other context": NewHasher(testKey, "users.phone", "usr_", 12),
	}
	for name, o := range differ {
		if b := o.Append(nil, []byte("alice@example.com")); bytes.Equal(a, b) {
			t.Errorf("%s gives the same pseudonym %q", name, b)
		}
	}
	if b := h.Append(nil, []byte("alice@example.org")); bytes.Equal(a, b) {
		t.Error("two values give the same pseudonym")
	}
	sum := h.Sum([]byte{1}, []byte("alice@example.com"))
	if len(sum) != 33 || sum[0] != 1 {
		t.Fatalf("Sum = %x: want 1 byte kept + 32", sum)
	}
	if b64.EncodeToString(sum[1:])[:12] != string(a[4:]) {
		t.Error("Sum is not the MAC behind Append")
	}
}

// TestConstructorPanics checks arguments the rules compiler must refuse.
func TestConstructorPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"short key":     func() { NewHasher(testKey[:31], "c", "", 8) },
		"length 0":      func() { NewHasher(testKey, "c", "", 0) },
		"length 44":     func() { NewHasher(testKey, "c", "", 44) },
		"empty key id":  func() { NewSealer("", testKey, "c", "t_") },
		"upper key id":  func() { NewSealer("K1", testKey, "c", "t_") },
		"long key id":   func() { NewSealer("k23456789abcdefgh", testKey, "c", "t_") },
		"dot in key id": func() { NewSealer("k.1", testKey, "c", "t_") },
		"sealer key":    func() { NewSealer("k1", nil, "c", "t_") },
		"fpe key":       func() { NewFPE(testKey[:16], "c", false, 0, 0) },
		"negative keep": func() { NewFPE(testKey, "c", false, -1, 0) },
		"opener no pfx": func() { new(Opener).Add(NewSealer("k1", testKey, "c", "")) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

// TestConcurrentUse runs every type from several goroutines (run with
// -race): pooled states must not be shared between calls.
func TestConcurrentUse(t *testing.T) {
	h := NewHasher(testKey, "c", "h_", 20)
	s := NewSealer("k1", testKey, "c", "t_")
	f := NewFPE(testKey, "c", false, 0, 4)
	var o Opener
	o.Add(s)
	done := make(chan string, 4)
	for g := range 4 {
		go func() {
			for i := range 300 {
				v := []byte(fmt.Sprintf("%d-%d 4111 1111 1111 1111", g, i))
				want := string(NewHasher(testKey, "c", "h_", 20).Append(nil, v))
				if got := string(h.Append(nil, v)); got != want {
					done <- "hasher: " + got + " != " + want
					return
				}
				tok := s.AppendToken(nil, v)
				if out, _, _, _, ok := o.Next(nil, tok, 0); !ok || !bytes.Equal(out, v) {
					done <- "opener: " + string(out)
					return
				}
				enc, err := f.Encrypt(nil, v)
				dec, err2 := f.Decrypt(nil, enc)
				if err != nil || err2 != nil || !bytes.Equal(dec, v) {
					done <- fmt.Sprintf("fpe: %q → %q → %q", v, enc, dec)
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
