// Package luhn computes the Luhn (mod 10) check that card numbers and other
// identifiers carry, for the detectors that validate them and the actions
// that must keep them valid.
package luhn

// Sum returns the Luhn sum of the ASCII digits of b modulo 10, other bytes
// ignored: 0 for a valid number.
func Sum(b []byte) int {
	sum, double := 0, false
	for i := len(b) - 1; i >= 0; i-- {
		c := b[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum % 10
}

// Valid reports whether the ASCII digits of b (other bytes ignored) pass
// the Luhn check.
func Valid(b []byte) bool { return Sum(b) == 0 }
