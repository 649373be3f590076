// Package baseline holds the naive implementations Veil's benchmarks are
// measured against in the same run, each doing the work of a rule set
// (corpus.RuleSet) the obvious way:
//
//   - JSON: encoding/json decodes the body into any, a walk edits it (paths
//     followed from the root, member names looked up in a map at every
//     level, the stand-in regexps of DetectRegexps applied to every string
//     when the rule set runs detectors), and json.Marshal writes it back;
//   - GJSON: per path, gjson finds each value and sjson rewrites (or
//     deletes) it in place, one call per value, so it is quadratic in the
//     number of values; it cannot express member names at any depth or
//     detectors.
//
// They are benchmark support, imported by the benchmarks of rules and bench.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"github.com/veilproxy/veil/bench/corpus"
)

// Redacted replaces a redacted value.
const Redacted = "[REDACTED]"

// DetectRegexps are the baselines' stand-ins for Veil's detectors (shape
// only: no Luhn, mod-97 or area checks, which makes them cheaper): email,
// phone, card number, IBAN, US SSN, IPv4, AWS key id, GitHub token, JWT.
var DetectRegexps = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
	regexp.MustCompile(`\+?[0-9][0-9 ().-]{7,}[0-9]`),
	regexp.MustCompile(`\b(?:[0-9][ -]?){12,18}[0-9]\b`),
	regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`),
	regexp.MustCompile(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`),
	regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`),
	regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`),
	regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b`),
	regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
}

// ErrUnsupported is GJSON's answer for a rule set it cannot express.
var ErrUnsupported = errors.New("baseline: gjson+sjson cannot express member names at any depth or detectors")

// JSON applies rs to body with encoding/json: decode into any, walk, edit,
// marshal.
func JSON(body []byte, rs corpus.RuleSet) ([]byte, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // card numbers stay digits
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	for _, t := range rs.Paths {
		doc = applyPath(doc, t.Path, t)
	}
	for _, p := range rs.DecoyPaths {
		doc = applyPath(doc, p, corpus.Target{Action: "redact"})
	}
	if len(rs.Keys)+len(rs.DecoyKeys) > 0 || rs.Detect {
		keys := make(map[string]bool, len(rs.Keys)+len(rs.DecoyKeys))
		for _, k := range rs.Keys {
			keys[k] = true
		}
		for _, k := range rs.DecoyKeys {
			keys[k] = true
		}
		doc = walk(doc, keys, rs.Detect)
	}
	return json.Marshal(doc)
}

// applyPath follows path from v and applies t's action to what it reaches;
// it returns v, or its replacement when path is empty.
func applyPath(v any, path []string, t corpus.Target) any {
	if len(path) == 0 {
		return act(v, t)
	}
	switch c := v.(type) {
	case []any:
		if path[0] == "*" {
			for i := range c {
				c[i] = applyPath(c[i], path[1:], t)
			}
		}
	case map[string]any:
		x, ok := c[path[0]]
		switch {
		case !ok:
		case len(path) == 1 && t.Action == "remove":
			delete(c, path[0])
		default:
			c[path[0]] = applyPath(x, path[1:], t)
		}
	}
	return v
}

// act returns what v becomes under t.
func act(v any, t corpus.Target) any {
	if t.Action == "mask" {
		return Mask(fmt.Sprint(v), t.KeepFirst, t.KeepLast)
	}
	return Redacted
}

// walk redacts the members named in keys at every depth and, with detect,
// rewrites every match of DetectRegexps in every string.
func walk(v any, keys map[string]bool, detect bool) any {
	switch c := v.(type) {
	case string:
		if detect {
			for _, re := range DetectRegexps {
				c = re.ReplaceAllString(c, Redacted)
			}
		}
		return c
	case []any:
		for i := range c {
			c[i] = walk(c[i], keys, detect)
		}
	case map[string]any:
		for k, x := range c {
			if keys[k] {
				c[k] = Redacted
			} else {
				c[k] = walk(x, keys, detect)
			}
		}
	}
	return v
}

// Mask replaces every letter and digit of s but the first keepFirst and the
// last keepLast characters with '*'.
func Mask(s string, keepFirst, keepLast int) string {
	r := []rune(s)
	for i := keepFirst; i < len(r)-keepLast; i++ {
		if unicode.IsLetter(r[i]) || unicode.IsDigit(r[i]) {
			r[i] = '*'
		}
	}
	return string(r)
}

// GJSON applies rs to body with gjson and sjson: every value a path
// reaches is found with gjson and rewritten with one sjson call (from the
// last array element to the first, so that removals keep the indexes);
// each decoy path and decoy member name (looked up in every record of the
// payload's list) costs one gjson lookup per record. It returns
// ErrUnsupported for member names to act on at any depth and for detectors.
func GJSON(body []byte, rs corpus.RuleSet) ([]byte, error) {
	if len(rs.Keys) > 0 || rs.Detect {
		return nil, ErrUnsupported
	}
	out := append([]byte(nil), body...)
	var err error
	for _, t := range rs.Paths {
		if out, err = gjsonPath(out, "", t.Path, t); err != nil {
			return nil, err
		}
	}
	decoys := rs.DecoyPaths
	for _, k := range rs.DecoyKeys {
		decoys = append(decoys, []string{rs.List, "*", k})
	}
	for _, p := range decoys {
		if out, err = gjsonPath(out, "", p, corpus.Target{Action: "redact"}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gjsonPath applies t to the values path reaches below the gjson path at.
// From the root it first asks gjson, in one query, whether the path reaches
// anything (a path with wildcards would otherwise cost one lookup per
// element even where nothing is found).
func gjsonPath(out []byte, at string, path []string, t corpus.Target) ([]byte, error) {
	if at == "" && !found(gjson.GetBytes(out, query(path))) {
		return out, nil
	}
	join := func(name string) string {
		if at == "" {
			return name
		}
		return at + "." + name
	}
	if len(path) == 0 {
		r := gjson.GetBytes(out, at)
		switch {
		case !r.Exists():
			return out, nil
		case t.Action == "remove":
			return sjson.DeleteBytes(out, at)
		case t.Action == "mask":
			return sjson.SetBytes(out, at, Mask(r.String(), t.KeepFirst, t.KeepLast))
		}
		return sjson.SetBytes(out, at, Redacted)
	}
	if path[0] != "*" {
		return gjsonPath(out, join(escape(path[0])), path[1:], t)
	}
	var err error
	for i := gjson.GetBytes(out, join("#")).Int() - 1; i >= 0 && err == nil; i-- {
		out, err = gjsonPath(out, join(strconv.FormatInt(i, 10)), path[1:], t)
	}
	return out, err
}

// query spells path as one gjson query: "#" for each wildcard.
func query(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		if p == "*" {
			parts[i] = "#"
		} else {
			parts[i] = escape(p)
		}
	}
	return strings.Join(parts, ".")
}

// found reports whether a query's result holds a value (its wildcards
// give arrays, empty where nothing was found).
func found(r gjson.Result) bool {
	if !r.IsArray() {
		return r.Exists()
	}
	for _, x := range r.Array() {
		if found(x) {
			return true
		}
	}
	return false
}

// escape writes a member name as a gjson path component.
func escape(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`.*?|#@\!=<>%`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
