package pseudo

import "github.com/veilproxy/veil/rules/internal/luhn"

// FPE enciphers the digits (radix 10) or ASCII letters and digits (radix 62)
// of a value with FF1, keeping every other character in place, and the first
// keepFirst and the last keepLast symbols in clear. The symbols in between
// are enciphered as one FF1 numeral string under the AES-256 key
// Subkey(key, "ff1", context, 32) with an empty tweak (the subkey is already
// bound to the context).
//
// Radix 62 numbers the symbols 0-9, A-Z, a-z: a letter may come out as a
// digit or in the other case, and Decrypt restores the exact original.
//
// For radix 10 the Luhn validity of the whole digit string (kept digits
// included) is preserved by cycle walking: the enciphered part is enciphered
// again until the Luhn class matches the input's, and Decrypt deciphers until
// it matches again. This is a permutation of each class, so a Luhn-valid card
// number stays Luhn-valid (and a card with its last four kept keeps them).
// The walk always ends, because the cycle through the input comes back to
// it; it takes about 10 steps for Luhn-valid input, about 1.1 otherwise.
// Safe for concurrent use.
type FPE struct {
	ff1        *ff1
	alnum      bool
	keepFirst  int
	keepLast   int
	minSymbols int // the fewest enciphered symbols reaching MinDomain
}

// NewFPE returns an FPE for key and context. alnum selects radix 62 (ASCII
// letters and digits) instead of radix 10 (digits). It panics when key is
// shorter than MinKeyBytes or keepFirst or keepLast is negative.
func NewFPE(key []byte, context string, alnum bool, keepFirst, keepLast int) *FPE {
	checkKey(key)
	if keepFirst < 0 || keepLast < 0 {
		panic("pseudo: negative keep count")
	}
	radix := 10
	if alnum {
		radix = 62
	}
	minSymbols := 1
	for d := radix; d < MinDomain; d *= radix {
		minSymbols++
	}
	return &FPE{
		ff1:        newFF1(Subkey(key, "ff1", context, 32), radix, nil),
		alnum:      alnum,
		keepFirst:  keepFirst,
		keepLast:   keepLast,
		minSymbols: minSymbols,
	}
}

// Encrypt appends the enciphered value to dst; ErrDomain when the part to
// encipher is below MinDomain, ErrTooLong when it has more than MaxSymbols
// symbols (dst is then returned unchanged).
func (f *FPE) Encrypt(dst, value []byte) ([]byte, error) { return f.crypt(dst, value, false) }

// Decrypt reverses Encrypt, with the same ErrDomain and ErrTooLong rules.
func (f *FPE) Decrypt(dst, value []byte) ([]byte, error) { return f.crypt(dst, value, true) }

// crypt appends value to dst and enciphers (or deciphers) its symbols there.
func (f *FPE) crypt(dst, value []byte, inverse bool) ([]byte, error) {
	count := 0
	for _, c := range value {
		if f.numeral(c) >= 0 {
			count++
		}
	}
	k := count - f.keepFirst - f.keepLast
	if k < f.minSymbols {
		return dst, ErrDomain
	}
	if k > MaxSymbols {
		return dst, ErrTooLong
	}
	s := ff1Scratches.Get().(*ff1Scratch)
	nums := s.nums[:0]
	start := len(dst)
	dst = append(dst, value...)
	out := dst[start:]
	seen := 0
	for _, c := range value {
		if d := f.numeral(c); d >= 0 {
			if seen >= f.keepFirst && seen < f.keepFirst+k {
				nums = append(nums, byte(d))
			}
			seen++
		}
	}
	want := !f.alnum && luhn.Valid(out)
	for {
		f.ff1.crypt(s, nums, inverse)
		f.write(out, nums)
		if f.alnum || luhn.Valid(out) == want {
			ff1Scratches.Put(s)
			return dst, nil
		}
	}
}

// write puts the numerals nums back in the enciphered positions of out.
func (f *FPE) write(out, nums []byte) {
	seen, j := 0, 0
	for i, c := range out {
		if f.numeral(c) < 0 {
			continue
		}
		if seen >= f.keepFirst && j < len(nums) {
			out[i] = f.symbol(nums[j])
			j++
		}
		seen++
	}
}

// numeral returns the numeral of symbol c, or -1 when c is not a symbol.
func (f *FPE) numeral(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case !f.alnum:
		return -1
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// symbol returns the symbol of numeral d.
func (f *FPE) symbol(d byte) byte {
	switch {
	case d < 10:
		return '0' + d
	case d < 36:
		return 'A' + d - 10
	}
	return 'a' + d - 36
}
