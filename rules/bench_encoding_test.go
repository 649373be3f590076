package rules

import (
	"fmt"
	"strings"
	"testing"
)

// encodedBenchBody returns a JSON array of about size bytes of user
// records, one email in each to redact.
func encodedBenchBody(size int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"user %d","email":"user%d@example.com","note":"ordered %d items, shipped to warehouse %d"}`, i, i, i, i%7, i%13)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// BenchmarkEncodedApply: a gzip body decoded, rewritten and encoded again
// (what the plugin does with recode: same) against the same body applied
// in identity, in the same run; allocations per body with a reused Codec.
func BenchmarkEncodedApply(b *testing.B) {
	p := mustCompile(b, "rules: [{ id: email, select: { keys: [email] }, action: redact }]\nlimits: { max_decoded_bytes: 1048576 }\n")
	in := Input{Direction: Response}
	for _, size := range []int{16 << 10, 256 << 10} {
		body := encodedBenchBody(size)
		encoded := gzipOf(body)
		b.Run(fmt.Sprintf("identity/%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := p.Apply(body, in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("gzip/%dKB", size>>10), func(b *testing.B) {
			var c Codec
			enc, _ := p.Encoding([]string{"gzip"})
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				decoded, form, err := c.Decode(enc, encoded, p.DecodedLimit(len(encoded)))
				if err != nil {
					b.Fatal(err)
				}
				out, _, err := p.Apply(decoded, in)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Encode(form, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
