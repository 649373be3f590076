package pseudo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	capitalone "github.com/capitalone/fpe/ff1"
)

func BenchmarkHasher(b *testing.B) {
	h := NewHasher(testKey, "users.email", "usr_", 16)
	v, dst := []byte("alice@example.com"), make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst = h.Append(dst[:0], v)
	}
}

func BenchmarkSealer(b *testing.B) {
	s := NewSealer("k1", testKey, "users.email", "tok_")
	v, dst := []byte("alice.b@example.com!"), make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		dst = s.AppendToken(dst[:0], v)
	}
}

func BenchmarkOpen(b *testing.B) {
	s := NewSealer("k1", testKey, "users.email", "tok_")
	tok := s.AppendToken(nil, []byte("alice.b@example.com!"))
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		var ok bool
		if dst, ok = s.Open(dst[:0], tok); !ok {
			b.Fatal("not opened")
		}
	}
}

// BenchmarkOpenerNext scans 1 KB of text holding one token at its end.
func BenchmarkOpenerNext(b *testing.B) {
	o, ss := openerFixture()
	text := []byte(strings.Repeat("plain text, no token here. ", 38) + string(ss["pii"].AppendToken(nil, []byte("alice.b@example.com!"))))
	dst := make([]byte, 0, 128)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		var ok bool
		if dst, _, _, _, ok = o.Next(dst[:0], text, 0); !ok {
			b.Fatal("not opened")
		}
	}
}

// BenchmarkOpenerNoToken scans 1 KB of text without a token.
func BenchmarkOpenerNoToken(b *testing.B) {
	o, _ := openerFixture()
	text := []byte(strings.Repeat("plain text, tok_ no token here. ", 32))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, found, _ := o.Next(nil, text, 0); found {
			b.Fatal("found")
		}
	}
}

func BenchmarkFPE(b *testing.B) {
	for _, c := range []struct {
		name     string
		alnum    bool
		keepLast int
		value    string
	}{
		{"10digits", false, 0, "0612345678"},
		{"iban_alnum", true, 0, "FR76 3000 6000 0112 3456 7890 189"},
		{"max_alnum_128_bigpath", true, 0, strings.Repeat("aZ", MaxSymbols/2)},
		{"max_digits_128_bigpath", false, 0, strings.Repeat("12", MaxSymbols/2)},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := NewFPE(testKey, "ctx", c.alnum, 0, c.keepLast)
			v, dst := []byte(c.value), make([]byte, 0, 64)
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = f.Encrypt(dst[:0], v)
			}
		})
	}
}

// BenchmarkFPECard enciphers 64 random Luhn-valid (or invalid) 16-digit
// cards in turn with the last four kept: the average includes the cycle walk.
func BenchmarkFPECard(b *testing.B) {
	for _, valid := range []bool{true, false} {
		b.Run(map[bool]string{true: "luhn_valid", false: "luhn_invalid"}[valid], func(b *testing.B) {
			rng := rand.New(rand.NewPCG(11, 12))
			cards := make([][]byte, 64)
			for i := range cards {
				cards[i] = luhnComplete([]byte(fmt.Sprintf("4%014d", rng.Uint64N(1e14))))
				if !valid {
					cards[i][15] = '0' + (cards[i][15]-'0'+1)%10
				}
			}
			f := NewFPE(testKey, "cards", false, 0, 4)
			dst := make([]byte, 0, 64)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst, _ = f.Encrypt(dst[:0], cards[i%64])
				i++
			}
		})
	}
}

// BenchmarkFF1 is one FF1 encryption of a 10-digit string, this package.
func BenchmarkFF1(b *testing.B) {
	c := newFF1(Subkey(testKey, "ff1", "ctx", 32), 10, nil)
	x := []byte{0, 6, 1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	for b.Loop() {
		c.encrypt(x)
	}
}

// BenchmarkFF1CapitalOne is BenchmarkFF1 with github.com/capitalone/fpe.
func BenchmarkFF1CapitalOne(b *testing.B) {
	c, err := capitalone.NewCipher(10, 0, Subkey(testKey, "ff1", "ctx", 32), nil)
	if err != nil {
		b.Fatal(err)
	}
	x := "0612345678"
	b.ReportAllocs()
	for b.Loop() {
		if x, err = c.Encrypt(x); err != nil {
			b.Fatal(err)
		}
	}
}
