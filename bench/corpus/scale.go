package corpus

import (
	"fmt"
	"strings"
)

// Rule sets of many rules, for measuring what compiling them costs
// (rules.BenchmarkCompile, host-test's BenchmarkConfigureWasm). Each shape
// writes rules the way large hand-maintained sets look: fields of records in
// arrays, nested objects, one object per service, key sets of one to three
// names.

// The shapes of ScaleRules.
const (
	ScaleKeys    = "keys"    // key sets only
	ScalePaths   = "paths"   // paths only
	ScaleMixed   = "mixed"   // key sets, paths, and rules with both
	ScaleDescent = "descent" // mixed, with a recursive descent (`..`) in one rule of 50
)

// ScaleShapes lists the shapes of ScaleRules.
var ScaleShapes = []string{ScaleKeys, ScalePaths, ScaleMixed, ScaleDescent}

// scalePaths are the path templates of ScaleRules, by rule number modulo 4.
var scalePaths = []string{
	"$.users[*].field_%d",
	"$.orders[*].items[*].x_%d",
	"$.a.b_%d",
	"$.svc_%d.email",
}

// scaleActions are the actions of ScaleRules, by rule number modulo 4.
var scaleActions = []string{"redact", "{mask: {keep_last: 2}}", "remove", "redact"}

// ScaleRules returns a rule set of n rules of the given shape (one of
// ScaleShapes), ids r0 … r<n-1>, one rule per line.
func ScaleRules(n int, shape string) string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range n {
		var paths, keys []string
		kind := i % 3 // mixed: 0 keys, 1 paths, 2 both
		switch shape {
		case ScaleKeys:
			kind = 0
		case ScalePaths:
			kind = 1
		}
		if kind != 0 {
			paths = append(paths, fmt.Sprintf(scalePaths[i%len(scalePaths)], i))
		}
		if kind != 1 {
			keys = scaleKeys(i)
		}
		if shape == ScaleDescent && i%50 == 0 {
			if i%100 == 0 {
				paths = append(paths, fmt.Sprintf("$.data..secret_%d", i))
			} else {
				paths = append(paths, fmt.Sprintf("$..token_%d", i))
			}
		}
		sel := ""
		if len(paths) > 0 {
			sel = `paths: ["` + strings.Join(paths, `", "`) + `"]`
		}
		if len(keys) > 0 {
			if sel != "" {
				sel += ", "
			}
			sel += "keys: [" + strings.Join(keys, ", ") + "]"
		}
		fmt.Fprintf(&b, "  - {id: r%d, select: {%s}, action: %s}\n", i, sel, scaleActions[i%len(scaleActions)])
	}
	return b.String()
}

// scaleKeys returns the key set of rule i: one to three names.
func scaleKeys(i int) []string {
	keys := []string{fmt.Sprintf("key_%d", i), fmt.Sprintf("alt-key-%d", i), fmt.Sprintf("KeyName%d", i)}
	return keys[:1+i%3]
}

// ScaleSpelling is a body holding the value "PLANT" under a member that
// ScaleRules(1000, ScaleMixed) selects in some spelling (Selected: the
// value must not survive), or under a near miss that no rule selects.
type ScaleSpelling struct {
	Class, Body string
	Selected    bool
}

// ScaleSpellings are the spellings of the key and path names of
// ScaleRules(1000, ScaleMixed) that its rules must select whatever the size
// of the set, and near misses: key lists (rules 3, 5, 998) at any depth,
// case- and separator-insensitively; paths (rules 4, 5, 7, 2) folded but
// keeping separators, at their place only.
var ScaleSpellings = []ScaleSpelling{
	{"key", `{"key_3":"PLANT"}`, true},
	{"key upper case", `{"x":{"KEY_3":"PLANT"}}`, true},
	{"key other separator", `{"a":[{"Key.3":"PLANT"}],"b":1}`, true},
	{"key no separator", `{"key3":"PLANT"}`, true},
	{"key full-width", `{"ｋｅｙ＿３":"PLANT"}`, true},
	{"key escaped", `{"k\u0065y_3":"PLANT"}`, true},
	{"key zero-width", `{"key\u200b_3":"PLANT"}`, true},
	{"key in an array in an array", `[[{"KEY-998":"PLANT"}]]`, true},
	{"key second of a list", `{"deep":{"er":{"ALT_KEY_5":"PLANT"}}}`, true},
	{"key third of a list, spaced", `{"Key Name 5":"PLANT"}`, true},
	{"key near miss", `{"keys_3":"PLANT","key_3x":"PLANT"}`, false},
	{"key of a path rule", `{"field_4":"PLANT"}`, false},
	{"path", `{"users":[{"field_4":"PLANT"}]}`, true},
	{"path upper case", `{"USERS":[{"FIELD_4":"PLANT"}]}`, true},
	{"path full-width", `{"users":[{"ｆｉｅｌｄ_4":"PLANT"}]}`, true},
	{"path escaped", `{"users":[{"fi\u0065ld_4":"PLANT"}]}`, true},
	{"path other separator", `{"users":[{"field-4":"PLANT"}]}`, false},
	{"path elsewhere", `{"people":[{"field_4":"PLANT"}]}`, false},
	{"path in arrays", `{"orders":[{"items":[{"X_5":"PLANT"}]}]}`, true},
	{"path per service", `{"SVC_7":{"Email":"PLANT"}}`, true},
	{"path per service, other service", `{"svc_6":{"email":"PLANT"}}`, false},
	{"path removed", `{"a":{"b_2":"PLANT","c":1}}`, true},
	{"path masked", `{"orders":[{"items":[{"x_1":"PLANT"}]}]}`, true},
}
