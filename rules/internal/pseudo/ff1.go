package pseudo

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math/big"
	"math/bits"
	"sync"
)

// ff1 is the FF1 mode of NIST SP 800-38G over numeral strings (each byte a
// numeral 0…radix-1) for one AES key, radix and tweak. Numeral strings whose
// halves fit in uint64 take an allocation-free path; longer ones use
// math/big. Safe for concurrent use.
type ff1 struct {
	block cipher.Block
	radix uint64
	tweak []byte
}

// newFF1 returns an FF1 cipher; key is 16, 24 or 32 bytes, radix 2…256.
func newFF1(key []byte, radix int, tweak []byte) *ff1 {
	if radix < 2 || radix > 256 {
		panic("pseudo: FF1 radix out of 2…256")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("pseudo: " + err.Error())
	}
	return &ff1{block: block, radix: uint64(radix), tweak: tweak}
}

// ff1Scratch holds the blocks of one FF1 call; pooled because the AES block
// is an interface, which makes stack buffers escape.
type ff1Scratch struct {
	p    [16]byte // CIPH(P), the CBC-MAC state after P
	r    [16]byte
	t    [16]byte
	q    []byte
	nums [64]byte // numerals of one value (FPE)
}

var ff1Scratches = sync.Pool{New: func() any { return new(ff1Scratch) }}

// pow returns radix^m and whether it fits in uint64.
func pow(radix uint64, m int) (uint64, bool) {
	p := uint64(1)
	for range m {
		hi, lo := bits.Mul64(p, radix)
		if hi != 0 {
			return 0, false
		}
		p = lo
	}
	return p, true
}

// numBytes returns b = ceil(ceil(v*log2(radix))/8): the bytes of the largest
// v-numeral value, radix^v - 1.
func numBytes(radix uint64, v int) int {
	if p, ok := pow(radix, v); ok {
		return (bits.Len64(p-1) + 7) / 8
	}
	p := new(big.Int).Exp(new(big.Int).SetUint64(radix), big.NewInt(int64(v)), nil)
	return (p.Sub(p, big.NewInt(1)).BitLen() + 7) / 8
}

// setup computes the lengths of one call and CIPH(P) into s.p, and sizes
// s.q for Q = T ‖ 0^pad ‖ i ‖ NUM(B).
func (c *ff1) setup(s *ff1Scratch, n int) (u, v, b, d int) {
	u, v = n/2, n-n/2
	b = numBytes(c.radix, v)
	d = 4*((b+3)/4) + 4
	t := len(c.tweak)
	p := s.p[:]
	p[0], p[1], p[2] = 1, 2, 1
	p[3], p[4], p[5] = byte(c.radix>>16), byte(c.radix>>8), byte(c.radix)
	p[6], p[7] = 10, byte(u)
	binary.BigEndian.PutUint32(p[8:], uint32(n))
	binary.BigEndian.PutUint32(p[12:], uint32(t))
	c.block.Encrypt(p, p)
	pad := ((-t-b-1)%16 + 16) % 16
	qlen := t + pad + 1 + b
	if cap(s.q) < qlen {
		s.q = make([]byte, qlen)
	}
	s.q = s.q[:qlen]
	copy(s.q, c.tweak)
	clear(s.q[t : t+pad])
	return u, v, b, d
}

// prf sets Q's round number (the caller has put NUM(B) in its last b bytes),
// computes R = PRF(P ‖ Q) and returns S, the first d bytes of
// R ‖ CIPH(R ⊕ [1]) ‖ CIPH(R ⊕ [2]) ‖ …, in out.
func (c *ff1) prf(s *ff1Scratch, round, b, d int, out []byte) []byte {
	q := s.q
	q[len(q)-b-1] = byte(round)
	r := s.r[:]
	copy(r, s.p[:])
	for len(q) > 0 {
		for j := range 16 {
			r[j] ^= q[j]
		}
		c.block.Encrypt(r, r)
		q = q[16:]
	}
	out = append(out[:0], r...)
	for j := uint64(1); len(out) < d; j++ {
		t := s.t[:]
		copy(t, r)
		var jb [8]byte
		binary.BigEndian.PutUint64(jb[:], j)
		for k := range 8 {
			t[8+k] ^= jb[k]
		}
		c.block.Encrypt(t, t)
		out = append(out, t...)
	}
	return out[:d]
}

// encrypt enciphers the numeral string x in place.
func (c *ff1) encrypt(x []byte) {
	s := ff1Scratches.Get().(*ff1Scratch)
	c.crypt(s, x, false)
	ff1Scratches.Put(s)
}

// decrypt deciphers the numeral string x in place.
func (c *ff1) decrypt(x []byte) {
	s := ff1Scratches.Get().(*ff1Scratch)
	c.crypt(s, x, true)
	ff1Scratches.Put(s)
}

// crypt runs FF1 over x in place, forward or inverse, with scratch s (x
// may be s.nums).
func (c *ff1) crypt(s *ff1Scratch, x []byte, inverse bool) {
	n := len(x)
	u, v, b, d := c.setup(s, n)
	modU, okU := pow(c.radix, u)
	modV, okV := pow(c.radix, v)
	if okU && okV && d <= 16 {
		c.crypt64(s, x, u, v, b, d, modU, modV, inverse)
		return
	}
	c.cryptBig(s, x, u, v, b, d, inverse)
}

// crypt64 is crypt when radix^v fits in uint64 (then b ≤ 8 and d ≤ 12).
func (c *ff1) crypt64(s *ff1Scratch, x []byte, u, v, b, d int, modU, modV uint64, inverse bool) {
	a, bn := c.num64(x[:u]), c.num64(x[u:])
	var sb [16]byte
	for k := range 10 {
		i := k
		if inverse {
			i = 9 - k
		}
		mod := modV
		if i%2 == 0 {
			mod = modU
		}
		in := bn // NUM(B) enciphering, NUM(A) deciphering
		if inverse {
			in = a
		}
		var nb [8]byte
		binary.BigEndian.PutUint64(nb[:], in)
		copy(s.q[len(s.q)-b:], nb[8-b:])
		y := remBytes(c.prf(s, i, b, d, sb[:0]), mod)
		if !inverse {
			sum, carry := bits.Add64(a, y, 0)
			if carry != 0 || sum >= mod {
				sum -= mod
			}
			a, bn = bn, sum
		} else {
			diff := bn - y
			if bn < y {
				diff = mod - (y - bn)
			}
			a, bn = diff, a
		}
	}
	c.str64(x[:u], a)
	c.str64(x[u:], bn)
}

// remBytes returns the big-endian number s modulo m.
func remBytes(s []byte, m uint64) uint64 {
	var r uint64
	if head := len(s) % 8; head > 0 {
		var w uint64
		for _, c := range s[:head] {
			w = w<<8 | uint64(c)
		}
		r = w % m
		s = s[head:]
	}
	for ; len(s) > 0; s = s[8:] {
		r = bits.Rem64(r, binary.BigEndian.Uint64(s), m)
	}
	return r
}

// num64 returns NUM_radix(x) for a string whose value fits in uint64.
func (c *ff1) num64(x []byte) uint64 {
	var n uint64
	for _, d := range x {
		n = n*c.radix + uint64(d)
	}
	return n
}

// str64 writes STR^len(x)_radix(n) into x.
func (c *ff1) str64(x []byte, n uint64) {
	for i := len(x) - 1; i >= 0; i-- {
		x[i] = byte(n % c.radix)
		n /= c.radix
	}
}

// cryptBig is crypt with math/big, for numeral strings too long for crypt64.
func (c *ff1) cryptBig(s *ff1Scratch, x []byte, u, v, b, d int, inverse bool) {
	radix := new(big.Int).SetUint64(c.radix)
	modU := new(big.Int).Exp(radix, big.NewInt(int64(u)), nil)
	modV := new(big.Int).Exp(radix, big.NewInt(int64(v)), nil)
	a, bn := c.numBig(x[:u]), c.numBig(x[u:])
	y := new(big.Int)
	sb := make([]byte, 0, d+16)
	for k := range 10 {
		i := k
		if inverse {
			i = 9 - k
		}
		mod := modV
		if i%2 == 0 {
			mod = modU
		}
		in := bn
		if inverse {
			in = a
		}
		in.FillBytes(s.q[len(s.q)-b:])
		y.SetBytes(c.prf(s, i, b, d, sb))
		if !inverse {
			y.Add(y, a).Mod(y, mod)
			a, bn, y = bn, y, a
		} else {
			y.Sub(bn, y).Mod(y, mod) // Mod is Euclidean: never negative
			a, bn, y = y, a, bn
		}
	}
	c.strBig(x[:u], a)
	c.strBig(x[u:], bn)
}

// numBig returns NUM_radix(x).
func (c *ff1) numBig(x []byte) *big.Int {
	n, r, dig := new(big.Int), new(big.Int).SetUint64(c.radix), new(big.Int)
	for _, d := range x {
		n.Mul(n, r).Add(n, dig.SetUint64(uint64(d)))
	}
	return n
}

// strBig writes STR^len(x)_radix(n) into x (n is consumed).
func (c *ff1) strBig(x []byte, n *big.Int) {
	r, m := new(big.Int).SetUint64(c.radix), new(big.Int)
	for i := len(x) - 1; i >= 0; i-- {
		n.QuoRem(n, r, m)
		x[i] = byte(m.Uint64())
	}
}
