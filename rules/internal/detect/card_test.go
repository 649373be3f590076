package detect

import "testing"

func TestCreditCard(t *testing.T) {
	runCases(t, []detectCase{
		{"card 4111.1111.1111.1111.", []string{"credit_card=4111.1111.1111.1111"}},
		{"visa 4111111111111111", []string{"credit_card=4111111111111111"}},
		{"4111 1111 1111 1111 exp 12/27", []string{"credit_card=4111 1111 1111 1111"}},
		{"mc 5555-5555-5555-4444.", []string{"credit_card=5555-5555-5555-4444"}},
		{"mc2 2223003122003222", []string{"credit_card=2223003122003222"}},
		{"amex 3782 822463 10005", []string{"credit_card=3782 822463 10005"}},
		{"amex 371449635398431", []string{"credit_card=371449635398431"}},
		{"discover 6011111111111117", []string{"credit_card=6011111111111117"}},
		{"jcb 3530111333300000", []string{"credit_card=3530111333300000"}},
		{"diners 3056 9309 0259 04", []string{"credit_card=3056 9309 0259 04"}},
		{"unionpay 6200000000000005", []string{"credit_card=6200000000000005"}},
		{"maestro 6759649826438453", []string{"credit_card=6759649826438453"}},
		{"visa13 4222222222222", []string{"credit_card=4222222222222"}},
		{"zw 4111\u200b1111 1111 1111", []string{"credit_card=4111\u200b1111 1111 1111"}},
		{"fw ４１１１ １１１１ １１１１ １１１１", []string{"credit_card=４１１１ １１１１ １１１１ １１１１"}},
		{"arabic-indic ٤١١١١١١١١١١١١١١١", []string{"credit_card=٤١١١١١١١١١١١١١١١"}},
		{"soft\u00ad hyphen 4111\u00ad1111\u00ad1111\u00ad1111", []string{"credit_card=4111\u00ad1111\u00ad1111\u00ad1111"}},
		// cards one after another, each in its own grouping
		{"4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881", []string{"credit_card=4012888888881881", "credit_card=4012-8888-8888-1881", "credit_card=4012 8888 8888 1881"}},
		{"4111 1111 1111 1111 5555 5555 5555 4444", []string{"credit_card=4111 1111 1111 1111", "credit_card=5555 5555 5555 4444"}},
		{"4111-1111-1111-1111 5555-5555-5555-4444 4012-8888-8888-1881.", []string{"credit_card=4111-1111-1111-1111", "credit_card=5555-5555-5555-4444", "credit_card=4012-8888-8888-1881"}},
		{"4111 1111 1111 1111 4012 8888 8888 1881 4111 1111 1111 1111 5555 5555 5555 4444", []string{"credit_card=4111 1111 1111 1111", "credit_card=4012 8888 8888 1881", "credit_card=4111 1111 1111 1111", "credit_card=5555 5555 5555 4444"}},
		// negatives
		{"4111 1111 1111 1111 5555 5555 5555 4445", nil},      // the next block is no card
		{"4111 1111 1111 1111 5555 5555 5555 4444 1234", nil}, // a group left over
		{"1234 4111 1111 1111 1111 5555 5555 5555 4444", nil}, // blocks not aligned
		{"order 4111111111111112", nil},                       // Luhn
		{"id 1234567812345670", nil},                          // passes Luhn, no issuer
		{"tracking 9400 1000 0000 0000 0000 00", nil},         // longer grouping
		{"SKU-4111111111111111", nil},                         // glued to a word
		{"amex length 37144963539843", nil},                   // 14 digits
		{"0000 0000 0000 0000", nil},                          // no issuer
		{"uuid 41111111-1111-1111-1111-111111111111", nil},    // wrong shape
		{"4111 1111 1111 1111 1111 1111 1111 1111 1111", nil}, // runs on
	})
}

func TestValidCard(t *testing.T) {
	for _, d := range []string{"4111111111111111", "5105105105105100", "2720992720992729", "6221260000000000", "3566002020360505", "36227206271667", "5018000000000009"} {
		if !validCard([]byte(d)) {
			t.Errorf("validCard(%s) = false", d)
		}
	}
	for _, d := range []string{"4111111111111", "411111111111111", "5105105105105106", "1111111111111117", "601111111111111"} {
		if validCard([]byte(d)) {
			t.Errorf("validCard(%s) = true", d)
		}
	}
}
