package detect

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestMatchNumberHints checks JSON numbers under member names: a phone only
// under a phone name, a card unless an identifier or quantity name says
// otherwise, and the evidence of each.
func TestMatchNumberHints(t *testing.T) {
	s, err := NewSet([]string{"phone", "credit_card"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, num, want string
		ev             Evidence
	}{
		// phones: only under a phone key, 8 to 15 digits
		{"phone", "14155552671", "phone", EvKey | EvFormat},
		{"telefono", "612345678", "phone", EvKey},
		{"mobile_number", "1.4155552671e10", "phone", EvKey | EvFormat},
		{"Handynummer", "1512345678", "phone", EvKey},
		{"téléphone", "612345678", "phone", EvKey},
		{"phone", "1234567", "", 0},
		{"phone", "1234567890123456", "", 0},
		{"phone", "-14155552671", "", 0},
		{"value", "14155552671", "", 0},
		{"order_id", "14155552671", "", 0},
		{"", "447700900123", "", 0},
		// cards: Luhn and issuer, vetoed under id and quantity keys
		{"", "4111111111111111", "credit_card", EvChecksum},
		{"card_number", "4111111111111111", "credit_card", EvChecksum | EvKey},
		{"order_id", "4111111111111111", "", 0},
		{"orderId", "4111111111111111", "", 0},
		{"ids", "4111111111111111", "", 0},
		{"seq", "4111111111111111", "", 0},
		{"total_count", "4111111111111111", "", 0},
		{"created_at", "4111111111111111", "", 0},
		{"timestamp", "4111111111111111", "", 0},
		{"card_id", "4111111111111111", "credit_card", EvChecksum | EvKey},
		{"kreditkarte", "4111111111111111", "credit_card", EvChecksum | EvKey},
		{"numero_tarjeta", "-4111111111111111", "credit_card", EvChecksum | EvKey},
		// UATP needs a card key
		{"", "122000000000003", "", 0},
		{"card", "122000000000003", "credit_card", EvChecksum | EvKey},
	} {
		det, ev, ok := s.MatchNumberIn([]byte(c.num), s.all, KeyHint([]byte(c.key)))
		got := ""
		if ok {
			got = s.names[det]
		}
		if got != c.want || ev != c.ev {
			t.Errorf("%q: %s = %q %v, want %q %v", c.key, c.num, got, ev, c.want, c.ev)
		}
	}
}

// TestIntegerIds measures how many random integer ids of 10 to 16 digits
// MatchNumberIn takes for a card or a phone: at most 0.5 % under identifier
// and quantity member names (the target), and it logs the share
// under a neutral name ("value"), where a Luhn-valid number in an issuer
// range is still a card.
func TestIntegerIds(t *testing.T) {
	s, err := NewSet([]string{"phone", "credit_card"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(17, 17))
	const n = 20000
	for _, key := range []string{"id", "ids", "order_id", "orderId", "userID", "seq", "count", "amount", "total",
		"created_at", "timestamp", "duration_ms", "value"} {
		h := KeyHint([]byte(key))
		changed := 0
		for k := 0; k < n; k++ {
			digits := 10 + r.IntN(7)
			num := strconv.FormatUint(pow10[digits-1]+r.Uint64N(9*pow10[digits-1]), 10)
			if _, _, ok := s.MatchNumberIn([]byte(num), s.all, h); ok {
				changed++
			}
		}
		rate := float64(changed) / n
		t.Logf("%-12s %.4f changed", key, rate)
		if h&(HintIdentifier|HintQuantity) != 0 && rate > 0.005 {
			t.Errorf("%s: %.4f of random integer ids changed, want at most 0.005", key, rate)
		}
	}
}

var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()
