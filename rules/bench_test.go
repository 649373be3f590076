package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
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
func decoyRules(from, n int) string {
	var b strings.Builder
	for i := from; i < n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "  - {id: d%d, select: {keys: [decoy_%d, other-%d]}, action: redact}\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "  - {id: d%d, select: {paths: [\"$.users[*].decoy_%d\", \"$..x%d\"]}, action: redact}\n", i, i, i)
		}
	}
	return b.String()
}

// benchPayload returns a page of user records of about size bytes.
func benchPayload(size int) []byte {
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

var benchSizes = []struct {
	name string
	size int
}{{"1KB", 1 << 10}, {"16KB", 16 << 10}, {"256KB", 256 << 10}, {"4MB", 4 << 20}}

func BenchmarkApply(b *testing.B) {
	for _, sz := range benchSizes {
		body := benchPayload(sz.size)
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
		body := benchPayload(sz.size)
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

// BenchmarkBaselineJSON: encoding/json into any, walk, marshal.
func BenchmarkBaselineJSON(b *testing.B) {
	for _, sz := range benchSizes {
		body := benchPayload(sz.size)
		for _, n := range []int{1, 10, 100} {
			_, fields := benchRules(n)
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := baselineJSON(body, fields, max(n-len(fields), 0)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func baselineJSON(body []byte, fields []benchField, decoys int) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	users, _ := doc.(map[string]any)["users"].([]any)
	for _, f := range fields {
		parent, name, _ := strings.Cut(f.field, ".")
		for _, u := range users {
			obj, _ := u.(map[string]any)
			if name != "" {
				obj, _ = obj[parent].(map[string]any)
			} else {
				name = parent
			}
			v, ok := obj[name]
			if !ok {
				continue
			}
			switch f.action {
			case "redact":
				obj[name] = "[REDACTED]"
			case "remove":
				delete(obj, name)
			case "mask":
				obj[name] = naiveMask(fmt.Sprint(v), f.first, f.last)
			}
		}
	}
	for i := range decoys { // decoy rules still look at every user
		key := "decoy_" + strconv.Itoa(i)
		for _, u := range users {
			if obj, _ := u.(map[string]any); obj != nil {
				if _, ok := obj[key]; ok {
					obj[key] = "[REDACTED]"
				}
			}
		}
	}
	return json.Marshal(doc)
}

func naiveMask(s string, first, last int) string {
	r := []rune(s)
	for i := first; i < len(r)-last; i++ {
		if isMaskable(r[i]) {
			r[i] = '*'
		}
	}
	return string(r)
}

// BenchmarkBaselineGJSON: per rule, one gjson lookup, then sjson.SetBytes (or
// DeleteBytes) for each value found. It is quadratic in the number of matches,
// so it stops at 256 KB.
func BenchmarkBaselineGJSON(b *testing.B) {
	for _, sz := range benchSizes[:3] {
		body := benchPayload(sz.size)
		for _, n := range []int{1, 10, 100} {
			_, fields := benchRules(n)
			b.Run(fmt.Sprintf("size=%s/rules=%d", sz.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := baselineGJSON(body, fields, max(n-len(fields), 0)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func baselineGJSON(body []byte, fields []benchField, decoys int) ([]byte, error) {
	out := append([]byte(nil), body...)
	for _, f := range fields {
		found := gjson.GetBytes(out, "users.#."+f.field).Array()
		for i := len(found) - 1; i >= 0; i-- { // from the end, so removals keep indexes
			path := "users." + strconv.Itoa(i) + "." + f.field
			var err error
			switch f.action {
			case "redact":
				out, err = sjson.SetBytes(out, path, "[REDACTED]")
			case "remove":
				out, err = sjson.DeleteBytes(out, path)
			case "mask":
				out, err = sjson.SetBytes(out, path, naiveMask(found[i].String(), f.first, f.last))
			}
			if err != nil {
				return nil, err
			}
		}
	}
	for i := range decoys {
		if r := gjson.GetBytes(out, "users.#.decoy_"+strconv.Itoa(i)); len(r.Array()) > 0 {
			return nil, fmt.Errorf("decoy matched")
		}
	}
	return out, nil
}

// BenchmarkRuleCount isolates the cost of the number of rules: one rule acts
// (redacts the email of every user) and 0, 9 or 99 decoys select nothing, so
// the output is the same for every count.
func BenchmarkRuleCount(b *testing.B) {
	for _, sz := range benchSizes[1:3] {
		body := benchPayload(sz.size)
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
