package luhn

import "testing"

func TestValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true}, {"4111 1111 1111 1111", true}, {"4111-1111-1111-1112", false},
		{"378282246310005", true}, {"79927398713", true}, {"79927398710", false}, {"0", true}, {"", true},
	} {
		if got := Valid([]byte(c.in)); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	// the check digit completing 7992739871 is 3: with a 0 in its place the
	// sum is 7, and 10 - 7 is 3
	if s := Sum([]byte("79927398710")); s != 7 {
		t.Errorf("Sum(79927398710) = %d, want 7", s)
	}
}
