package rules

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/veilproxy/veil/bench/corpus"
)

// condRules returns benchRules(100) with a condition on every rule, of five
// kinds in turn (method, path, host, trusted header, claim): all distinct,
// or five shared by 20 rules each. Each holds for condRequest, so the same
// rules act as without conditions.
func condRules(distinct bool) string {
	src, _ := benchRules(100)
	n := 0
	src = regexp.MustCompile(`(?m)^  - id: (r\d+)$|^  - \{id: (d\d+),`).ReplaceAllStringFunc(src, func(m string) string {
		n++
		k := n
		if !distinct {
			k = 0 // the same five conditions, each on 20 rules
		}
		var cond string
		switch n % 5 {
		case 0:
			cond = fmt.Sprintf("{method: [GET, M%d]}", k)
		case 1:
			cond = fmt.Sprintf(`{path: ["/api/**", "/x%d/**"]}`, k)
		case 2:
			cond = fmt.Sprintf(`{host: ["api.example.com", "h%d.example.com"]}`, k)
		case 3:
			cond = fmt.Sprintf("{header: {x-tenant: [acme, t%d]}}", k)
		default:
			cond = fmt.Sprintf("{claim: {roles: [support, r%d]}}", k)
		}
		if m[len(m)-1] == ',' { // a flow-style decoy rule
			return m + " when: " + cond + ","
		}
		return m + "\n    when: " + cond
	})
	return "jwt: {provider_metadata_key: payload}\ntrust_headers: [x-tenant]\n" + src
}

// condRequest is the exchange of BenchmarkConditions.
var condRequest = &RequestAttributes{
	Method: "GET", Path: "/api/users?page=3", Host: "api.example.com:443",
	Headers: hdrs(":authority", "api.example.com", "user-agent", "bench/1.0", "accept", "application/json",
		"x-request-id", "0f6b9d1c-6a2e-4c4e-9a43-1d2b3c4d5e6f", "x-tenant", "acme", "cookie", "a=1; b=2"),
	PeerURISANs: []string{"spiffe://cluster.local/ns/web/sa/frontend"},
	JWTClaims:   []byte(`{"iss":"https://idp.example.com","sub":"u-1234","aud":"api","exp":1893456000,"roles":["agent","support"],"tenant":"acme"}`),
}

// BenchmarkConditions compares Apply with 100 rules, unconditioned, each
// under a distinct condition that holds (conditional), and under five
// conditions shared by 20 rules each (shared), on the same bodies in the
// same run (the target: at most 20 % more).
func BenchmarkConditions(b *testing.B) {
	plain, _ := benchRules(100)
	sets := []struct {
		name string
		p    *Program
	}{{"plain", mustCompile(b, plain)}, {"conditional", mustCompile(b, condRules(true))}, {"shared", mustCompile(b, condRules(false))}}
	for _, sz := range benchSizes[:2] {
		body := corpus.UserPage(sz.size)
		for _, s := range sets {
			in := Input{Direction: Response, Request: condRequest, Status: 200}
			want, _, _ := sets[0].p.Apply(body, in)
			if got, _, err := s.p.Apply(body, in); err != nil || string(got) != string(want) {
				b.Fatalf("%s: output differs from the unconditioned set's (%v)", s.name, err)
			}
			b.Run(fmt.Sprintf("size=%s/rules=%s", sz.name, s.name), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := s.p.Apply(body, in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkConditionsPaired runs the three sets of BenchmarkConditions in
// turn within each iteration (order rotating) and reports each
// conditional set's time as a ratio of the unconditioned one's, so that
// load on a shared machine weighs on all three alike.
func BenchmarkConditionsPaired(b *testing.B) {
	plain, _ := benchRules(100)
	sets := []*Program{mustCompile(b, plain), mustCompile(b, condRules(true)), mustCompile(b, condRules(false))}
	in := Input{Direction: Response, Request: condRequest, Status: 200}
	for _, sz := range benchSizes[:2] {
		body := corpus.UserPage(sz.size)
		b.Run("size="+sz.name, func(b *testing.B) {
			var spent [3]time.Duration
			n := 0
			for b.Loop() {
				for k := range sets {
					i := (n + k) % len(sets)
					start := time.Now()
					if _, _, err := sets[i].Apply(body, in); err != nil {
						b.Fatal(err)
					}
					spent[i] += time.Since(start)
				}
				n++
			}
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "conditional/plain")
			b.ReportMetric(float64(spent[2])/float64(spent[0]), "shared/plain")
		})
	}
}
