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
// halves fit in 128 bits (radix 10: 76 numerals, radix 62: 42) take an
// allocation-free path; longer ones use math/big. Safe for concurrent use.
type ff1 struct {
	block cipher.Block
	radix uint64
	tweak []byte
	// ciphP holds CIPH(P) by numeral string length below cachedLengths:
	// P depends only on the radix, the length and the tweak's length, so
	// each call saves one AES block (of 11).
	ciphP [cachedLengths][16]byte
}

// cachedLengths bounds the lengths whose CIPH(P) newFF1 precomputes.
const cachedLengths = 48

// newFF1 returns an FF1 cipher; key is 16, 24 or 32 bytes, radix 2…256.
func newFF1(key []byte, radix int, tweak []byte) *ff1 {
	if radix < 2 || radix > 256 {
		panic("pseudo: FF1 radix out of 2…256")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("pseudo: " + err.Error())
	}
	c := &ff1{block: block, radix: uint64(radix), tweak: tweak}
	for n := range c.ciphP {
		c.ciphP[n] = c.blockP(n)
	}
	return c
}

// blockP returns CIPH(P) for numeral strings of length n.
func (c *ff1) blockP(n int) [16]byte {
	var p [16]byte
	p[0], p[1], p[2] = 1, 2, 1
	p[3], p[4], p[5] = byte(c.radix>>16), byte(c.radix>>8), byte(c.radix)
	p[6], p[7] = 10, byte(n/2)
	binary.BigEndian.PutUint32(p[8:], uint32(n))
	binary.BigEndian.PutUint32(p[12:], uint32(len(c.tweak)))
	c.block.Encrypt(p[:], p[:])
	return p
}

// ff1Scratch holds the blocks of one FF1 call; pooled because the AES block
// is an interface, which makes stack buffers escape.
type ff1Scratch struct {
	p    [16]byte // CIPH(P), the CBC-MAC state after P
	r    [16]byte
	t    [16]byte
	q    []byte
	nums [MaxSymbols]byte // numerals of one value (FPE)
}

var ff1Scratches = sync.Pool{New: func() any { return new(ff1Scratch) }}

// u128 is an unsigned 128-bit integer, for numeral strings whose halves
// fit (up to 76 digits or 42 letters and digits in all).
type u128 struct{ hi, lo uint64 }

// less reports x < y.
func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// add returns x + y and the carry out.
func (x u128) add(y u128) (u128, uint64) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c
}

// sub returns x - y modulo 2^128.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

// mulAdd returns x*m + a and whether it overflowed 128 bits.
func (x u128) mulAdd(m, a uint64) (u128, bool) {
	h1, lo := bits.Mul64(x.lo, m)
	h2, hi := bits.Mul64(x.hi, m)
	hi, c := bits.Add64(hi, h1, 0)
	lo, c2 := bits.Add64(lo, a, 0)
	hi, c3 := bits.Add64(hi, 0, c2)
	return u128{hi, lo}, h2 != 0 || c != 0 || c3 != 0
}

// pow returns radix^m and whether it fits in 128 bits.
func pow(radix uint64, m int) (u128, bool) {
	p := u128{0, 1}
	for range m {
		var over bool
		if p, over = p.mulAdd(radix, 0); over {
			return u128{}, false
		}
	}
	return p, true
}

// bitLen returns the bit length of x.
func (x u128) bitLen() int {
	if x.hi != 0 {
		return 64 + bits.Len64(x.hi)
	}
	return bits.Len64(x.lo)
}

// numBytes returns b = ceil(ceil(v*log2(radix))/8): the bytes of the largest
// v-numeral value, radix^v - 1.
func numBytes(radix uint64, v int) int {
	if p, ok := pow(radix, v); ok {
		return (p.sub(u128{0, 1}).bitLen() + 7) / 8
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
	if n < cachedLengths {
		s.p = c.ciphP[n]
	} else {
		s.p = c.blockP(n)
	}
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
	if okU && okV {
		c.crypt128(s, x, u, v, b, d, modU, modV, inverse)
		return
	}
	c.cryptBig(s, x, u, v, b, d, inverse)
}

// crypt128 is crypt when radix^v fits in 128 bits (then b ≤ 16, d ≤ 20).
func (c *ff1) crypt128(s *ff1Scratch, x []byte, u, v, b, d int, modU, modV u128, inverse bool) {
	a, bn := c.num128(x[:u]), c.num128(x[u:])
	var sb [32]byte
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
		var nb [16]byte
		binary.BigEndian.PutUint64(nb[:8], in.hi)
		binary.BigEndian.PutUint64(nb[8:], in.lo)
		copy(s.q[len(s.q)-b:], nb[16-b:])
		y := rem128(c.prf(s, i, b, d, sb[:0]), mod)
		if !inverse {
			sum, carry := a.add(y)
			if carry != 0 || !sum.less(mod) {
				sum = sum.sub(mod)
			}
			a, bn = bn, sum
		} else {
			diff := bn.sub(y)
			if bn.less(y) {
				diff = mod.sub(y.sub(bn))
			}
			a, bn = diff, a
		}
	}
	c.str128(x[:u], a)
	c.str128(x[u:], bn)
}

// rem128 returns the big-endian number s modulo m: whole 64-bit words while
// m fits in 64 bits, else bit by bit (shift in, subtract m when reached).
func rem128(s []byte, m u128) u128 {
	if m.hi == 0 {
		var r uint64
		if head := len(s) % 8; head > 0 {
			var w uint64
			for _, c := range s[:head] {
				w = w<<8 | uint64(c)
			}
			r = w % m.lo
			s = s[head:]
		}
		for ; len(s) > 0; s = s[8:] {
			r = bits.Rem64(r, binary.BigEndian.Uint64(s), m.lo)
		}
		return u128{0, r}
	}
	var r u128
	for _, c := range s {
		for j := 7; j >= 0; j-- {
			top := r.hi >> 63
			r = u128{r.hi<<1 | r.lo>>63, r.lo<<1 | uint64(c>>j&1)}
			if top != 0 || !r.less(m) {
				r = r.sub(m)
			}
		}
	}
	return r
}

// num128 returns NUM_radix(x) for a string whose value fits in 128 bits.
func (c *ff1) num128(x []byte) u128 {
	var n u128
	for _, d := range x {
		n, _ = n.mulAdd(c.radix, uint64(d))
	}
	return n
}

// str128 writes STR^len(x)_radix(n) into x.
func (c *ff1) str128(x []byte, n u128) {
	for i := len(x) - 1; i >= 0; i-- {
		var r uint64
		n.hi, r = bits.Div64(0, n.hi, c.radix)
		n.lo, r = bits.Div64(r, n.lo, c.radix)
		x[i] = byte(r)
	}
}

// cryptBig is crypt with math/big, for numeral strings too long for crypt128.
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
