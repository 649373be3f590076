package pseudo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	capitalone "github.com/capitalone/fpe/ff1"
)

// alphabet36 is the NIST samples' numeral alphabet.
const alphabet36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func toNumerals(t testing.TB, s string) []byte {
	t.Helper()
	x := make([]byte, len(s))
	for i := range s {
		d := strings.IndexByte(alphabet36, s[i])
		if d < 0 {
			t.Fatalf("%q: bad numeral", s)
		}
		x[i] = byte(d)
	}
	return x
}

func fromNumerals(x []byte) string {
	var b strings.Builder
	for _, d := range x {
		b.WriteByte(alphabet36[d])
	}
	return b.String()
}

// nistFF1 are the FF1 samples 1–9 of NIST SP 800-38G (FF1samples.pdf).
var nistFF1 = []struct {
	radix                  int
	key, tweak, plain, cip string
}{
	{10, "2B7E151628AED2A6ABF7158809CF4F3C", "", "0123456789", "2433477484"},
	{10, "2B7E151628AED2A6ABF7158809CF4F3C", "39383736353433323130", "0123456789", "6124200773"},
	{36, "2B7E151628AED2A6ABF7158809CF4F3C", "3737373770717273373737", "0123456789abcdefghi", "a9tv40mll9kdu509eum"},
	{10, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "", "0123456789", "2830668132"},
	{10, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "39383736353433323130", "0123456789", "2496655549"},
	{36, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "3737373770717273373737", "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"},
	{10, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "", "0123456789", "6657667009"},
	{10, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "39383736353433323130", "0123456789", "1001623463"},
	{36, "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "3737373770717273373737", "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"},
}

// TestFF1NIST checks both directions against the NIST samples.
func TestFF1NIST(t *testing.T) {
	for i, v := range nistFF1 {
		t.Run(fmt.Sprintf("Sample%d", i+1), func(t *testing.T) {
			c := newFF1(unhex(t, v.key), v.radix, unhex(t, v.tweak))
			x := toNumerals(t, v.plain)
			c.encrypt(x)
			if got := fromNumerals(x); got != v.cip {
				t.Fatalf("encrypt = %s, want %s", got, v.cip)
			}
			c.decrypt(x)
			if got := fromNumerals(x); got != v.plain {
				t.Fatalf("decrypt = %s, want %s", got, v.plain)
			}
		})
	}
}

// TestFF1CapitalOne cross-checks random inputs (lengths across the 128-bit
// and math/big paths, radix 10 and 36, AES-128 and AES-256, with and without
// tweak) against github.com/capitalone/fpe.
func TestFF1CapitalOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 600 {
		radix := []int{10, 36}[i%2]
		key := make([]byte, []int{16, 32}[i/2%2])
		for j := range key {
			key[j] = byte(rng.Uint32())
		}
		tweak := make([]byte, rng.IntN(3)*rng.IntN(20))
		for j := range tweak {
			tweak[j] = byte(rng.Uint32())
		}
		n := 6 + rng.IntN(90) // past 76 digits / 48 base-36 numerals: math/big path
		x := make([]byte, n)
		for j := range x {
			x[j] = byte(rng.IntN(radix))
		}
		plain := fromNumerals(x)
		ref, err := capitalone.NewCipher(radix, 64, key, tweak)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.Encrypt(plain)
		if err != nil {
			t.Fatal(err)
		}
		c := newFF1(key, radix, tweak)
		c.encrypt(x)
		if got := fromNumerals(x); got != want {
			t.Fatalf("radix %d n %d tweak %x: %s → %s, capitalone %s", radix, n, tweak, plain, got, want)
		}
		c.decrypt(x)
		if got := fromNumerals(x); got != plain {
			t.Fatalf("radix %d n %d: decrypt %s, want %s", radix, n, got, plain)
		}
	}
}

// TestFF1Radix62 checks radix 62 round trips on both paths (capitalone
// stops at radix 36) and that the big path agrees with itself.
func TestFF1Radix62(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := newFF1(testKey, 62, nil)
	for n := 2; n <= 60; n++ {
		x := make([]byte, n)
		for j := range x {
			x[j] = byte(rng.IntN(62))
		}
		orig := bytes.Clone(x)
		c.encrypt(x)
		for _, d := range x {
			if d >= 62 {
				t.Fatalf("n %d: numeral %d out of radix", n, d)
			}
		}
		if bytes.Equal(x, orig) && n > 3 {
			t.Errorf("n %d: unchanged", n)
		}
		c.decrypt(x)
		if !bytes.Equal(x, orig) {
			t.Fatalf("n %d: round trip %v, want %v", n, x, orig)
		}
	}
}

// TestFF1Paths checks the 128-bit path against the math/big path directly,
// both directions, on every length the 128-bit path takes.
func TestFF1Paths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	checked := 0
	defer func() {
		if checked < 80 {
			t.Errorf("only %d lengths took the 128-bit path", checked)
		}
	}()
	for _, radix := range []int{10, 36, 62} {
		c := newFF1(testKey, radix, []byte("tw"))
		for n := 2; n <= 80; n++ {
			x := make([]byte, n)
			for j := range x {
				x[j] = byte(rng.IntN(radix))
			}
			s := new(ff1Scratch)
			u, v, b, d := c.setup(s, n)
			modU, okU := pow(c.radix, u)
			modV, okV := pow(c.radix, v)
			if !okU || !okV {
				continue
			}
			fast, slow := bytes.Clone(x), bytes.Clone(x)
			c.crypt128(s, fast, u, v, b, d, modU, modV, false)
			c.setup(s, n)
			c.cryptBig(s, slow, u, v, b, d, false)
			if !bytes.Equal(fast, slow) {
				t.Fatalf("radix %d n %d: 128-bit %v, big %v", radix, n, fast, slow)
			}
			c.crypt128(s, fast, u, v, b, d, modU, modV, true)
			c.cryptBig(s, slow, u, v, b, d, true)
			if !bytes.Equal(fast, x) || !bytes.Equal(slow, x) {
				t.Fatalf("radix %d n %d: decrypt 128-bit %v, big %v, want %v", radix, n, fast, slow, x)
			}
			checked++
		}
	}
}
