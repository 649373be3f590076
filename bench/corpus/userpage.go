package corpus

import (
	"fmt"
	"strings"
)

// UserPage returns a page of user records of about size bytes: ids, names,
// emails, phones, addresses, cards, SSNs, tags and notes. The rules
// benchmarks, the per-exchange cost test and bench/v8/users.mjs (which
// writes the same bytes) all take their figures on this one document.
func UserPage(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"page":1,"total":9000,"users":[`)
	for i := 0; b.Len() < size-500 || i == 0; i++ {
		if i > 0 {
			b.WriteString(",\n  ")
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"User Number %d","email":"user%d@example.com","phone":"+1 (555) 010-%04d",`+
			`"address":{"street":"%d Main Street","city":"Springfield","zip":"%05d","country":"US"},`+
			`"card_number":"4111 1111 1111 %04d","ssn":"123-45-%04d","created_at":"2024-01-02T03:04:05Z",`+
			`"tags":["vip","beta"],"score":%d.5,"active":true,"notes":"Called about order \"%d\", wants a refund."}`,
			i, i, i, i%10000, i, i%100000, i%10000, i%10000, i%100, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}
