package rules

import (
	"fmt"
	"strings"
	"sync"

	"github.com/veilproxy/veil/rules/packs"
	"go.yaml.in/yaml/v3"
)

// keyPaths warns about the entries of rule i's select.keys (and the key
// entries of its select.within) that look like paths: a key is one member
// name, compared without separators, so `customer.email` matches a member
// named "customerEmail", never the email inside customer.
func (l *linter) keyPaths(i int, n *yaml.Node) {
	sel := get(n, "select")
	if sel == nil {
		return
	}
	id := l.rules[i].id
	cs := l.rules[i].caseSensitive
	for _, it := range scalars(get(sel, "keys")) {
		if looksLikePath(it.Value) {
			l.warn(posOf(it), id, lintKeyPath, "key %q looks like a path; %s", it.Value, pathAdvice(it.Value, cs, "paths"))
		}
	}
	for _, it := range scalars(get(sel, "within")) {
		if !strings.HasPrefix(it.Value, "$") && looksLikePath(it.Value) {
			l.warn(posOf(it), id, lintKeyPath, "within %q looks like a path without its \"$\", so it is read as a key name; %s", it.Value, pathAdvice(it.Value, cs, "within"))
		}
	}
}

// looksLikePath reports whether a key name is spelled like a path.
func looksLikePath(k string) bool {
	return strings.HasPrefix(k, "$") || strings.ContainsAny(k, "./[]")
}

// pathAdvice explains how key k compares and what to write instead, under
// field (paths or within).
func pathAdvice(k string, cs bool, field string) string {
	folded, _ := foldName(k, keyForm(cs))
	var b strings.Builder
	fmt.Fprintf(&b, "a key is one member name at any depth, compared without separators, so this one matches a member named like %q, not a path", folded)
	p := k
	if !strings.HasPrefix(p, "$") {
		p = strings.ReplaceAll(p, "/", ".")
		if strings.HasPrefix(p, "[") {
			p = "$" + p
		} else {
			p = "$." + p
		}
	}
	if _, err := parsePath(p); err == nil {
		fmt.Fprintf(&b, "; write %s: [%q]", field, p)
	} else {
		fmt.Fprintf(&b, "; write a path (\"$.a.b\") under %s", field)
	}
	if last := lastName(k); last != "" && field == "paths" {
		fmt.Fprintf(&b, ", or keys: [%s] for that member at any depth", last)
	}
	return b.String()
}

// lastName returns the last member name spelled in a path-like key ("" when
// it ends in an index or a wildcard).
func lastName(k string) string {
	parts := strings.FieldsFunc(k, func(r rune) bool { return strings.ContainsRune("$./[]'\"", r) })
	if len(parts) == 0 {
		return ""
	}
	last := parts[len(parts)-1]
	if last == "*" || strings.Trim(last, "0123456789") == "" {
		return ""
	}
	return last
}

// didYouMean warns about names one slip away from a name the set or Veil
// knows, where the slip makes the rule silently do something else: a key
// of a built-in pack misspelt, a header condition on a name that is not
// under trust_headers but nearly is, and a rule id shaped like an included
// pack's rule that replaces none.
func (l *linter) didYouMean() {
	pk := packKnowledge()
	for i, n := range l.nodes {
		r := &l.rules[i]
		if sel := get(n, "select"); sel != nil && !r.caseSensitive {
			for _, it := range scalars(get(sel, "keys")) {
				k, _ := foldName(it.Value, formKey)
				if near := nearKey(k, pk.keys); near != "" {
					l.warn(posOf(it), r.id, lintDidYouMean, "key %q is not one a built-in pack protects, but %q is one letter away; did you mean %q?", it.Value, near, near)
				}
			}
		}
		for _, c := range []string{"when", "unless"} {
			l.headerNames(r.id, get(n, c), c)
		}
	}
	l.packIDs(pk)
}

// headerNames warns about the header names of condition c (when or unless)
// that are not under trust_headers but nearly spell a name that is.
func (l *linter) headerNames(id string, c *yaml.Node, what string) {
	h := get(c, "header")
	if h == nil || h.Kind != yaml.MappingNode || len(l.spec.cond.trusted) == 0 {
		return
	}
	trusted := sortedNames(l.spec.cond.trusted)
	for i := 0; i+1 < len(h.Content); i += 2 {
		k := resolve(h.Content[i])
		name := strings.ToLower(k.Value)
		if len(name) < 4 || l.spec.cond.trusted[name] {
			continue
		}
		if near := closest(name, trusted, 2); near != "" {
			l.warn(posOf(k), id, lintDidYouMean, "%s.header: %q is not under trust_headers, so anyone may send it; did you mean the trusted %q?", what, k.Value, near)
		}
	}
}

// packIDs warns about rule ids that start like the rules of an included
// pack but are none of them: a rule replaces a pack rule only by its exact
// id, so the pack rule still applies after it.
func (l *linter) packIDs(pk *packInfo) {
	var included []string
	for _, it := range scalars(get(l.root, "include")) {
		if _, ok := pk.ids[it.Value]; ok {
			included = append(included, it.Value)
		}
	}
	for i, n := range l.nodes {
		id := l.rules[i].id
		for _, p := range included {
			ids := pk.ids[p]
			if !strings.HasPrefix(id, p+"-") || contains(ids, id) {
				continue
			}
			at := n
			if idn := get(n, "id"); idn != nil {
				at = idn
			}
			hint := ""
			if near := closest(id, ids, 3); near != "" {
				hint = fmt.Sprintf("; did you mean %q?", near)
			}
			l.warn(posOf(at), id, lintDidYouMean, "id %q starts like the rules of pack %q but is none of them, so it replaces none (a rule replaces a pack rule by its exact id)%s", id, p, hint)
		}
	}
}

// closest returns the name of names nearest to s within limit edits (the
// first of equals), "" when none is.
func closest(s string, names []string, limit int) string {
	best, bestD := "", limit+1
	for _, n := range names {
		if abs(len(n)-len(s)) >= bestD {
			continue
		}
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// nearKey returns a key of known one edit from k, when k is long enough to
// be a slip (5 characters), unknown, and not the plural or singular of it.
func nearKey(k string, known map[string]bool) string {
	if len(k) < 5 || known[k] {
		return ""
	}
	best := ""
	for c := range known {
		if abs(len(c)-len(k)) > 1 || c+"s" == k || k+"s" == c || editDistance(k, c) != 1 {
			continue
		}
		if best == "" || c < best {
			best = c
		}
	}
	return best
}

// packInfo is what Lint knows of the built-in packs: the key names their
// rules select (key form) and their rule ids, by pack.
type packInfo struct {
	keys map[string]bool
	ids  map[string][]string
}

// packKnowledge returns what the packs hold, decoded once (a function, not
// an initialized variable, so that a program that never lints drops it).
func packKnowledge() *packInfo {
	packInfoOnce.Do(func() {
		pk := &packInfo{keys: map[string]bool{}, ids: map[string][]string{}}
		for _, name := range packs.Names() {
			src, _ := packs.Get(name)
			_, ps := decode("pack "+name, src, nil)
			if ps == nil {
				continue
			}
			for _, r := range ps.rules {
				pk.ids[name] = append(pk.ids[name], r.id)
				for _, s := range r.sels {
					for _, st := range s.steps {
						for _, k := range st.keys {
							pk.keys[k] = true
						}
					}
				}
			}
		}
		packInfoCache = pk
	})
	return packInfoCache
}

var (
	packInfoOnce  sync.Once
	packInfoCache *packInfo
)
