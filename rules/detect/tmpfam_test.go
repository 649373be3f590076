package detect_test

import (
	"testing"

	"github.com/veilproxy/veil/rules/detect"
)

func BenchmarkFamilies(b *testing.B) {
	strs, size := chatStrings(b)
	for _, fam := range [][]string{{"email"}, {"phone", "credit_card", "us_ssn", "iban"}, {"ipv4"}, {"ipv6"}, {"mac_address"}, {"jwt"}, {"aws_access_key_id", "google_api_key"}, {"github_token", "stripe_key"}, {"slack_token"}, {"private_key"}} {
		b.Run(fam[0], func(b *testing.B) {
			set, _ := detect.NewSet(fam, nil)
			var dst []detect.Span
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, s := range strs {
					dst = set.FindString(s, dst[:0])
				}
			}
		})
	}
}
