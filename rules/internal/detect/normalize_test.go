package detect

import (
	"math/rand/v2"
	"testing"
	"unicode"
)

func TestDigitValue(t *testing.T) {
	for r, want := range map[rune]byte{'０': 0, '９': 9, '٣': 3, '۷': 7, '७': 7, '๕': 5, '𝟖': 8, '𝟘': 0} {
		if got, ok := digitValue(r); !ok || got != want {
			t.Errorf("digitValue(%q) = %d, %v; want %d", r, got, ok, want)
		}
	}
	for _, r := range []rune{'a', 'Ⅳ', '²', '½', '5'} {
		if _, ok := digitValue(r); ok {
			t.Errorf("digitValue(%q) ok", r)
		}
	}
	// The (r-lo)%10 rule needs every Nd range to hold whole sets of ten.
	for _, rg := range unicode.Nd.R16 {
		if (int(rg.Hi)-int(rg.Lo)+1)%10 != 0 || rg.Stride != 1 {
			t.Errorf("Nd range %U..%U is not whole decades", rg.Lo, rg.Hi)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if (int(rg.Hi)-int(rg.Lo)+1)%10 != 0 || rg.Stride != 1 {
			t.Errorf("Nd range %U..%U is not whole decades", rg.Lo, rg.Hi)
		}
	}
}

func TestViewRemap(t *testing.T) {
	in := "a\u200b４\u00adb\u00a0c‐d\xffé"
	var v view
	v.build([]byte(in), 0)
	if got, want := string(v.norm), "a4b c-d\xffé"; got != want {
		t.Fatalf("norm = %q, want %q", got, want)
	}
	spans := []Span{{Start: 0, End: len(v.norm)}, {Start: 1, End: 2}, {Start: 2, End: 3}}
	v.remap(spans)
	if spans[0].Start != 0 || spans[0].End != len(in) {
		t.Errorf("whole span = %v", spans[0])
	}
	if got := in[spans[1].Start:spans[1].End]; got != "４" {
		t.Errorf("digit span covers %q", got)
	}
	if got := in[spans[2].Start:spans[2].End]; got != "b" {
		t.Errorf("letter span covers %q", got)
	}
}

func TestNextDigit(t *testing.T) {
	in := []byte("abcdefghij/:\x80\xb0\xb9 xyz 0 qrstuvwxyz9\xff")
	for i := range in {
		want := i
		for want < len(in) && !isDigit(in[want]) {
			want++
		}
		if got := nextDigit(in, i); got != want {
			t.Errorf("nextDigit(%d) = %d, want %d", i, got, want)
		}
	}
}

// TestScanFeatures checks the eight-bytes-at-a-time prefilter pass against
// a byte-by-byte count, for every byte value at every position of a word.
func TestScanFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		text := make([]byte, n%101)
		for i := range text {
			text[i] = byte(rng.IntN(256))
			if rng.IntN(2) == 0 {
				text[i] = "az .-/:09@AJ_xyB\x80\xff"[rng.IntN(18)]
			}
		}
		var want features
		for _, b := range text {
			want.n[byteClass[b]]++
		}
		got := scanFeatures(text)
		got.n[clOther], want.n[clOther] = 0, 0 // not counted
		if got != want {
			t.Fatalf("scanFeatures(%q) = %v, want %v", text, got.n, want.n)
		}
	}
}

// TestNeedsView checks needsView against build: text needs a view exactly
// when the view differs from it.
func TestNeedsView(t *testing.T) {
	pieces := []string{"a", "7", " ", "é", "€", "名", "\xff", "\xe2\x82", "\u200b", "\u00ad", "４", "٣", "\u00a0", "‐", "12345678",
		"%", "%4", "%40", "%2B", "%2b", "%zz", "%C3%A9", "%7F", "%80"}
	rng := rand.New(rand.NewPCG(3, 4))
	var v view
	for range 5000 {
		var text []byte
		for range rng.IntN(30) {
			text = append(text, pieces[rng.IntN(len(pieces))]...)
		}
		v.build(text, 0)
		if got, want := needsView(text), string(v.norm) != string(text); got != want {
			t.Fatalf("needsView(%q) = %t, want %t", text, got, want)
		}
	}
}

// TestViewGluing: an invisible character between two bytes of words asks
// for a second reading; one beside an emoji or a space does not.
func TestViewGluing(t *testing.T) {
	for in, want := range map[string]bool{
		"4111111111111111\u200bthanks":           true,
		"ok\u2060\u00ad+1 415 555 2671":          true,
		"SKU-\u200b4111111111111111":             true,
		"4111%E2%80%8Bx":                         true,
		"I \u2764\ufe0f it 👨\u200d👩\u200d👧 4111": false,
		"a \u200b b, \u200b\u200b.":              false,
		"café\u200b1":                            false,
	} {
		var v view
		if v.build([]byte(in), 0); v.gluing != want {
			t.Errorf("%q: gluing = %v", in, v.gluing)
		}
	}
}

// AppendASCII copies the run from src[i] up to the next non-ASCII byte or
// stop, appending to what the slices hold, each byte mapped to itself.
func TestAppendASCII(t *testing.T) {
	for _, c := range []struct {
		src  string
		i    int
		stop byte
		want string
	}{
		{"abc", 0, '%', "abc"},
		{"ab%cd", 0, '%', "ab"},
		{"ab%cd", 2, '%', "%cd"}, // src[i] is taken whatever it is
		{"a\\b", 0, '\\', "a"},
		{"xy\u00e9z", 1, '\\', "y"},
		{"x", 0, 0, "x"},
	} {
		text, start, end := []byte("<"), []int32{-1}, []int32{-1}
		j := AppendASCII(&text, &start, &end, []byte(c.src), c.i, c.stop)
		if got := string(text[1:]); got != c.want || j != c.i+len(c.want) {
			t.Errorf("%q from %d: got %q up to %d, want %q", c.src, c.i, got, j, c.want)
			continue
		}
		if len(start) != len(text) || len(end) != len(text) || start[0] != -1 || end[0] != -1 {
			t.Fatalf("%q: offsets %v %v for %q", c.src, start, end, text)
		}
		for k := 1; k < len(text); k++ {
			if int(start[k]) != c.i+k-1 || int(end[k]) != c.i+k {
				t.Errorf("%q: byte %d from [%d, %d)", c.src, k-1, start[k], end[k])
			}
		}
	}
}
