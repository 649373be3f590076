package baseline_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
	"github.com/veilproxy/veil/bench/baseline"
	"github.com/veilproxy/veil/bench/corpus"
)

// query spells a Target path as a gjson query ("#" for wildcards).
func query(path []string) string {
	return strings.ReplaceAll(strings.Join(path, "."), "*", "#")
}

// leaves returns the values a query's result holds, wildcard arrays flattened.
func leaves(r gjson.Result, depth int) []gjson.Result {
	if depth == 0 {
		if r.Exists() {
			return []gjson.Result{r}
		}
		return nil
	}
	var out []gjson.Result
	for _, x := range r.Array() {
		out = append(out, leaves(x, depth-1)...)
	}
	return out
}

// Both baselines do the work of the path rule sets on every payload kind:
// each value a path reaches is redacted, masked (same length, changed) or
// removed, and the documents stay the same size in records.
func TestBaselinesActOnPaths(t *testing.T) {
	for _, kind := range corpus.Payloads {
		body := corpus.Payload(kind, 3, 8<<10)
		for _, name := range []string{"paths", "1", "100"} {
			rs := corpus.NewRuleSet(name, kind)
			for _, impl := range []struct {
				name string
				fn   func([]byte, corpus.RuleSet) ([]byte, error)
			}{{"json", baseline.JSON}, {"gjson", baseline.GJSON}} {
				out, err := impl.fn(body, rs)
				if err != nil {
					t.Fatalf("%s %s %s: %v", impl.name, kind, name, err)
				}
				if n, m := gjson.GetBytes(body, rs.List+".#").Int(), gjson.GetBytes(out, rs.List+".#").Int(); n != m || n == 0 {
					t.Errorf("%s %s %s: %d records in, %d out", impl.name, kind, name, n, m)
				}
				for _, target := range rs.Paths {
					q, depth := query(target.Path), strings.Count(query(target.Path), "#")
					in, got := leaves(gjson.GetBytes(body, q), depth), leaves(gjson.GetBytes(out, q), depth)
					switch target.Action {
					case "remove":
						if len(got) != 0 {
							t.Errorf("%s %s %s: %s left %d values", impl.name, kind, name, q, len(got))
						}
						continue
					}
					if len(got) != len(in) {
						t.Errorf("%s %s %s: %s: %d values in, %d out", impl.name, kind, name, q, len(in), len(got))
						continue
					}
					for i, v := range got {
						switch {
						case target.Action == "redact" && v.String() != baseline.Redacted:
							t.Errorf("%s %s %s: %s = %s, want redacted", impl.name, kind, name, q, v.Raw)
						case target.Action == "mask" && (v.String() == in[i].String() || utf8.RuneCountInString(v.String()) != utf8.RuneCountInString(in[i].String())):
							t.Errorf("%s %s %s: %s: %s masked to %s", impl.name, kind, name, q, in[i].Raw, v.Raw)
						}
					}
				}
			}
		}
	}
}

// The encoding/json baseline redacts member names at any depth and applies
// the detector regexps to every string; gjson+sjson refuses both.
func TestBaselineKeysAndDetectors(t *testing.T) {
	body := corpus.Payload("checkout", 3, 8<<10)
	out, err := baseline.JSON(body, corpus.NewRuleSet("paths+keys", "checkout"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"orders.#.customer.email", "orders.#.customer.ip", "orders.#.payment.card_number"} {
		for _, v := range gjson.GetBytes(out, q).Array() {
			if v.String() != baseline.Redacted {
				t.Errorf("paths+keys: %s holds %s", q, v.Raw)
			}
		}
	}
	out, err = baseline.JSON(corpus.Chat(3, 8<<10), corpus.NewRuleSet("detectors", "chat"))
	if err != nil {
		t.Fatal(err)
	}
	if m := baseline.DetectRegexps[0].Find(out); m != nil {
		t.Errorf("detectors: an email survived: %s", m)
	}
	for _, name := range []string{"paths+keys", "detectors"} {
		if _, err := baseline.GJSON(body, corpus.NewRuleSet(name, "checkout")); !errors.Is(err, baseline.ErrUnsupported) {
			t.Errorf("gjson %s: error %v, want ErrUnsupported", name, err)
		}
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		in          string
		first, last int
		want        string
	}{
		{"4111 1111 1111 1234", 0, 4, "**** **** **** 1234"},
		{"Ada Lovelace", 1, 0, "A** ********"},
		{"ab", 2, 2, "ab"},
		{"Zoë-7", 0, 1, "***-7"},
		{"", 0, 0, ""},
	} {
		if got := baseline.Mask(tc.in, tc.first, tc.last); got != tc.want {
			t.Errorf("Mask(%q, %d, %d) = %q, want %q", tc.in, tc.first, tc.last, got, tc.want)
		}
	}
}
