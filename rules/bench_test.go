package rules

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/baseline"
	"github.com/veilproxy/veil/bench/corpus"
)

// Benchmarks: the engine against two naive baselines on the same payloads and
// rules. Run with
//
//	go test ./rules -run '^$' -bench . -benchtime 1x … (see docs/benchmarks.md)

// benchField is one realistic rule: a field of every user, and what to do.
type benchField struct {
	field  string // member of each user; "address.zip" for nested
	action string // redact, mask, remove
	first  int    // mask keep_first
	last   int    // mask keep_last
}

var benchFields = []benchField{
	{"email", "redact", 0, 0},
	{"phone", "mask", 0, 2},
	{"ssn", "redact", 0, 0},
	{"card_number", "mask", 0, 4},
	{"address.street", "redact", 0, 0},
	{"address.zip", "mask", 0, 0},
	{"name", "mask", 1, 0},
	{"notes", "remove", 0, 0},
	{"created_at", "redact", 0, 0},
	{"tags", "redact", 0, 0},
}

// benchRules returns n rules that change the same ten fields of every user:
// for n = 1 one rule redacts them all; otherwise the ten real rules (mixed
// actions) come first, then decoys that select nothing in the payload (half
// key sets, half paths). The returned fields say what the baselines do.
func benchRules(n int) (string, []benchField) {
	var b strings.Builder
	b.WriteString("rules:\n")
	if n == 1 {
		var paths []string
		var fields []benchField
		for _, f := range benchFields {
			paths = append(paths, `"$.users[*].`+f.field+`"`)
			fields = append(fields, benchField{field: f.field, action: "redact"})
		}
		fmt.Fprintf(&b, "  - {id: all, select: {paths: [%s]}, action: redact}\n", strings.Join(paths, ", "))
		return b.String(), fields
	}
	real := benchFields[:min(n, len(benchFields))]
	for i, f := range real {
		fmt.Fprintf(&b, "  - id: r%d\n    select: {paths: [\"$.users[*].%s\"]}\n    action: ", i, f.field)
		if f.action == "mask" {
			fmt.Fprintf(&b, "{mask: {keep_first: %d, keep_last: %d}}\n", f.first, f.last)
		} else {
			b.WriteString(f.action + "\n")
		}
	}
	b.WriteString(decoyRules(len(real), n))
	return b.String(), real
}

// decoyRules returns rules from..n-1, which select nothing in the payload.
func decoyRules(from, n int) string { return corpus.DecoyRules("users", from, n) }

// benchRuleSet spells out what the rules of benchRules do, plus decoys
// decoy rules, for the baselines.
func benchRuleSet(fields []benchField, decoys int) corpus.RuleSet {
	rs := corpus.RuleSet{List: "users"}
	for _, f := range fields {
		path := append([]string{"users", "*"}, strings.Split(f.field, ".")...)
		rs.Paths = append(rs.Paths, corpus.Target{Path: path, Action: f.action, KeepFirst: f.first, KeepLast: f.last})
	}
	for i := range decoys { // decoy rules still look at every user
		rs.DecoyPaths = append(rs.DecoyPaths, []string{"users", "*", "decoy_" + strconv.Itoa(i)})
	}
	return rs
}

var benchSizes = []struct {
	name string
	size int
}{{"1KB", 1 << 10}, {"16KB", 16 << 10}, {"256KB", 256 << 10}, {"4MB", 4 << 20}}

func BenchmarkApply(b *testing.B) {
	for _, sz := range benchSizes {
		body := corpus.UserPage(sz.size)
		for _, n := range []int{1, 10, 100} {
			src, _ := benchRules(n)
			p := mustCompile(b, src)
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := p.Apply(body, Input{Direction: Request}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkApplyNoMatch measures a body no rule touches: it must not allocate.
func BenchmarkApplyNoMatch(b *testing.B) {
	src, _ := benchRules(100)
	src = strings.ReplaceAll(src, "$.users[*].", "$.nobody[*].")
	p := mustCompile(b, src)
	for _, sz := range benchSizes {
		body := corpus.UserPage(sz.size)
		b.Run("size="+sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if out, _, err := p.Apply(body, Input{Direction: Request}); err != nil || len(out) != len(body) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBaselineJSON: encoding/json into any, walk, marshal
// (baseline.JSON).
func BenchmarkBaselineJSON(b *testing.B) {
	for _, sz := range benchSizes {
		body := corpus.UserPage(sz.size)
		for _, n := range []int{1, 10, 100} {
			_, fields := benchRules(n)
			rs := benchRuleSet(fields, max(n-len(fields), 0))
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := baseline.JSON(body, rs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBaselineGJSON: per rule, gjson lookups, then sjson.SetBytes (or
// DeleteBytes) for each value found (baseline.GJSON). It is quadratic in the
// number of matches, so it stops at 256 KB.
func BenchmarkBaselineGJSON(b *testing.B) {
	for _, sz := range benchSizes[:3] {
		body := corpus.UserPage(sz.size)
		for _, n := range []int{1, 10, 100} {
			_, fields := benchRules(n)
			rs := benchRuleSet(fields, max(n-len(fields), 0))
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := baseline.GJSON(body, rs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRuleCount isolates the cost of the number of rules: one rule acts
// (redacts the email of every user) and 0, 9 or 99 decoys select nothing, so
// the output is the same for every count.
func BenchmarkRuleCount(b *testing.B) {
	for _, sz := range benchSizes[1:3] {
		body := corpus.UserPage(sz.size)
		for _, n := range []int{1, 10, 100} {
			p := mustCompile(b, "rules:\n  - {id: email, select: {paths: [\"$.users[*].email\"]}, action: redact}\n"+decoyRules(1, n))
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := p.Apply(body, Input{Direction: Request}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
