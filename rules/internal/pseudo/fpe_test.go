package pseudo

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/veilproxy/veil/rules/internal/luhn"
	"math/rand/v2"
	"strings"
	"testing"
)

// symbolsOf returns the symbols of v in order (digits, or letters and
// digits) and the other bytes with their positions, as a format string.
func symbolsOf(v []byte, alnum bool) (symbols []byte, format string) {
	f := &FPE{alnum: alnum}
	form := bytes.Clone(v)
	for i, c := range v {
		if f.numeral(c) >= 0 {
			symbols = append(symbols, c)
			form[i] = '#'
		}
	}
	return symbols, string(form)
}

// TestFPE covers round trips, kept format, kept symbols and determinism on
// numbers in their usual spellings.
func TestFPE(t *testing.T) {
	for _, c := range []struct {
		name                string
		alnum               bool
		keepFirst, keepLast int
		values              []string
	}{
		{"digits", false, 0, 0, []string{"0123456789", "000000", "999999", "123456", "+33 6 12 34 56 78", "(555) 123-4567", "1-800-555-0199", "SSN 123-45-6789", "١٢٣ 1234567 é"}},
		{"card last 4", false, 0, 4, []string{"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004", "378282246310005", "4111111111111112"}},
		{"card bin and last 4", false, 6, 4, []string{"4111111111111111", "4111 1111 1111 1111", "6011111111111117"}},
		{"long digits (big path)", false, 2, 2, []string{"1234567890123456789012345678901234567890123"}},
		{"alnum", true, 0, 0, []string{"AB12", "ab-12", "FR76 3000 6000 0112 3456 7890 189", "GB82WEST12345698765432", "passport X1234567", "Zz9a"}},
		{"alnum keep", true, 2, 2, []string{"FR7630006000011234567890189", "DE89 3704 0044 0532 0130 00"}},
		{"alnum long (big path)", true, 0, 0, []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := NewFPE(testKey, "ctx", c.alnum, c.keepFirst, c.keepLast)
			f2 := NewFPE(testKey, "ctx", c.alnum, c.keepFirst, c.keepLast)
			other := NewFPE(testKey, "ctx2", c.alnum, c.keepFirst, c.keepLast)
			for _, v := range c.values {
				enc, err := f.Encrypt([]byte("p:"), []byte(v))
				if err != nil {
					t.Fatalf("%q: %v", v, err)
				}
				enc = enc[2:]
				inSym, inForm := symbolsOf([]byte(v), c.alnum)
				outSym, outForm := symbolsOf(enc, c.alnum)
				if inForm != outForm {
					t.Errorf("%q → %q: format changed", v, enc)
				}
				n := len(inSym)
				if !bytes.Equal(inSym[:c.keepFirst], outSym[:c.keepFirst]) || !bytes.Equal(inSym[n-c.keepLast:], outSym[n-c.keepLast:]) {
					t.Errorf("%q → %q: kept symbols changed", v, enc)
				}
				if bytes.Equal(inSym, outSym) {
					t.Errorf("%q: unchanged", v)
				}
				if !c.alnum && luhn.Valid(inSym) != luhn.Valid(outSym) {
					t.Errorf("%q → %q: Luhn class changed", v, enc)
				}
				if again, _ := f2.Encrypt(nil, []byte(v)); !bytes.Equal(again, enc) {
					t.Errorf("%q: second FPE %q, first %q", v, again, enc)
				}
				if o, _ := other.Encrypt(nil, []byte(v)); bytes.Equal(o, enc) {
					t.Errorf("%q: other context, same output %q", v, o)
				}
				dec, err := f.Decrypt([]byte("p:"), enc)
				if err != nil || string(dec[2:]) != v {
					t.Fatalf("%q → %q → %q, %v", v, enc, dec, err)
				}
			}
		})
	}
}

// TestFPEDomain checks the MinDomain floor: 6 digits or 4 letters and digits
// to encipher at least; dst unchanged on ErrDomain.
func TestFPEDomain(t *testing.T) {
	for _, c := range []struct {
		alnum               bool
		keepFirst, keepLast int
		value               string
		short               bool
	}{
		{false, 0, 0, "12345", true},
		{false, 0, 0, "12-34-5", true},
		{false, 0, 0, "123456", false},
		{false, 0, 4, "123456789", true},
		{false, 0, 4, "1234567890", false},
		{false, 3, 3, "123456", true},
		{false, 0, 0, "", true},
		{false, 0, 0, "abcdefgh", true},
		{true, 0, 0, "aB3", true},
		{true, 0, 0, "a-B-3", true},
		{true, 0, 0, "aB3d", false},
		{true, 1, 1, "aB3d", true},
	} {
		f := NewFPE(testKey, "ctx", c.alnum, c.keepFirst, c.keepLast)
		for _, op := range []func([]byte, []byte) ([]byte, error){f.Encrypt, f.Decrypt} {
			out, err := op([]byte("dst"), []byte(c.value))
			if c.short != errors.Is(err, ErrDomain) {
				t.Errorf("%+v: err %v", c, err)
			}
			if c.short && string(out) != "dst" {
				t.Errorf("%+v: dst %q on ErrDomain", c, out)
			}
		}
	}
}

// TestFPETooLong checks the MaxSymbols ceiling, counted after the kept
// symbols, for both radixes; dst unchanged on ErrTooLong.
func TestFPETooLong(t *testing.T) {
	for _, c := range []struct {
		alnum    bool
		keepLast int
		value    string
		long     bool
	}{
		{false, 0, strings.Repeat("7", MaxSymbols), false},
		{false, 0, strings.Repeat("7", MaxSymbols+1), true},
		{false, 4, strings.Repeat("7", MaxSymbols+4), false},
		{false, 0, strings.Repeat("12-", MaxSymbols/2) + "1", true},
		{true, 0, strings.Repeat("aZ", MaxSymbols/2), false},
		{true, 0, strings.Repeat("aZ ", MaxSymbols/2) + "9", true},
	} {
		f := NewFPE(testKey, "ctx", c.alnum, 0, c.keepLast)
		out, err := f.Encrypt([]byte("dst"), []byte(c.value))
		if c.long != errors.Is(err, ErrTooLong) {
			t.Errorf("alnum %v, %d bytes: err %v", c.alnum, len(c.value), err)
		}
		if c.long && string(out) != "dst" {
			t.Errorf("dst %q on ErrTooLong", out)
		}
		if !c.long {
			if dec, err := f.Decrypt(nil, out[3:]); err != nil || string(dec) != c.value {
				t.Errorf("alnum %v, %d bytes: round trip %v", c.alnum, len(c.value), err)
			}
		}
	}
}

// luhnComplete appends the Luhn check digit to the digits in s.
func luhnComplete(s []byte) []byte {
	for d := byte('0'); d <= '9'; d++ {
		if c := append(bytes.Clone(s), d); luhn.Valid(c) {
			return c
		}
	}
	panic("unreachable")
}

// TestFPELuhn checks the test card 4111111111111111 and 10,000 random
// Luhn-valid 16-digit numbers (and 1,000 invalid ones) with the last four
// kept: Luhn class, last four and round trip hold, and cycle walking ends.
func TestFPELuhn(t *testing.T) {
	f := NewFPE(testKey, "cards", false, 0, 4)
	enc, err := f.Encrypt(nil, []byte("4111111111111111"))
	if err != nil || !luhn.Valid(enc) || string(enc[12:]) != "1111" || string(enc) == "4111111111111111" {
		t.Fatalf("test card → %q, %v", enc, err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 11_000 {
		v := []byte(fmt.Sprintf("%015d", rng.Uint64N(1e15)))
		valid := i < 10_000
		v = luhnComplete(v)
		if !valid {
			v[15] = '0' + (v[15]-'0'+1+byte(rng.IntN(9)))%10
		}
		enc, err := f.Encrypt(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if luhn.Valid(enc) != valid || !bytes.Equal(enc[12:], v[12:]) || len(enc) != 16 {
			t.Fatalf("%s → %s: Luhn or last four broken", v, enc)
		}
		dec, err := f.Decrypt(nil, enc)
		if err != nil || !bytes.Equal(dec, v) {
			t.Fatalf("%s → %s → %s", v, enc, dec)
		}
	}
}

// TestLuhnValid checks the Luhn helper on known numbers.
func TestLuhnValid(t *testing.T) {
	for v, want := range map[string]bool{
		"4111111111111111": true, "4111 1111 1111 1111": true, "79927398713": true,
		"4111111111111112": false, "79927398710": false, "0": true, "": true,
	} {
		if luhn.Valid([]byte(v)) != want {
			t.Errorf("luhn.Valid(%q) != %v", v, want)
		}
	}
}

// FuzzFPE checks round trip and kept format for both radixes.
func FuzzFPE(f *testing.F) {
	f.Add("4111 1111 1111 1111", false, 0, 4)
	f.Add("+33 6 12 34 56 78", false, 2, 0)
	f.Add("FR76 3000 6000 0112 3456 7890 189", true, 4, 0)
	f.Add("aB3d", true, 0, 0)
	f.Fuzz(func(t *testing.T, v string, alnum bool, keepFirst, keepLast int) {
		keepFirst, keepLast = keepFirst&7, keepLast&7
		p := NewFPE(testKey, "fuzz", alnum, keepFirst, keepLast)
		enc, err := p.Encrypt(nil, []byte(v))
		if errors.Is(err, ErrDomain) || errors.Is(err, ErrTooLong) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		inSym, inForm := symbolsOf([]byte(v), alnum)
		outSym, outForm := symbolsOf(enc, alnum)
		if inForm != outForm || len(inSym) != len(outSym) {
			t.Fatalf("%q → %q: format changed", v, enc)
		}
		if !alnum && luhn.Valid(inSym) != luhn.Valid(outSym) {
			t.Fatalf("%q → %q: Luhn class changed", v, enc)
		}
		dec, err := p.Decrypt(nil, enc)
		if err != nil || string(dec) != v {
			t.Fatalf("%q → %q → %q, %v", v, enc, dec, err)
		}
	})
}
