package rules

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// condSpec holds what the rule set's conditions share: the interned atoms,
// and the top-level settings they read.
type condSpec struct {
	atoms   []atom
	atomIDs map[string]int32 // by atomKey
	jwtKey  string           // jwt.provider_metadata_key
	jwtAt   bool             // jwt: was written
	trusted map[string]bool  // trust_headers, lower-case
	consent *consentSource   // consent: (the purposes' cookie or header)
	// minimize: and the nodes of the top-level fields conditions need,
	// decoded once every top-level field is known
	minimizeNode *yaml.Node
	minimize     []minimizeSpec
	marks        bool // mark_responses
}

var (
	condFields     = []string{"method", "path", "host", "header", "principal", "claim", "consent", "status"}
	matchValFields = []string{"equals", "glob", "present"}
)

// weakening reports whether an action lowers protection, so that a header
// condition turning it on must name a trusted header: keep, mask and fpe
// (show part of the value), generalize (shows a coarser value) and reveal
// (puts originals back).
func weakening(k actionKind) bool {
	return k == actKeep || k == actMask || k == actFPE || k == actGeneralize || k == actReveal
}

// decodeJWT reads `jwt:`.
func (d *decoder) decodeJWT(n *yaml.Node, c *condSpec) {
	c.jwtAt = true
	d.fields(n, "jwt", []string{"provider_metadata_key"}, func(_ string, _, v *yaml.Node) {
		if k, ok := d.str(v, "jwt.provider_metadata_key"); ok {
			if k == "" {
				d.errorf(v, "jwt.provider_metadata_key: empty")
				return
			}
			c.jwtKey = k
		}
	})
	if c.jwtKey == "" && n.Kind == yaml.MappingNode && field(n, "provider_metadata_key") == nil {
		d.errorf(n, "jwt: missing field \"provider_metadata_key\"")
	}
}

// decodeTrust reads `trust_headers:`.
func (d *decoder) decodeTrust(n *yaml.Node, c *condSpec) {
	c.trusted = map[string]bool{}
	for _, it := range d.stringList(n, "trust_headers") {
		if !isToken(it.Value) {
			d.errorf(it, "trust_headers: %q is not a header name", it.Value)
			continue
		}
		c.trusted[strings.ToLower(it.Value)] = true
	}
}

// decodeConsent reads the top-level `consent:` (where purposes are read).
func (d *decoder) decodeConsent(n *yaml.Node, c *condSpec) {
	src := &consentSource{}
	set := 0
	d.fields(n, "consent", []string{"cookie", "header"}, func(key string, _, v *yaml.Node) {
		name, ok := d.str(v, "consent."+key)
		if !ok {
			return
		}
		set++
		if !isToken(name) {
			d.errorf(v, "consent.%s: %q is not a %s name", key, name, key)
			return
		}
		src.cookie = key == "cookie"
		src.name = name
		if !src.cookie {
			src.name = strings.ToLower(name)
		}
	})
	switch {
	case n.Kind != yaml.MappingNode:
	case set != 1:
		d.errorf(n, "consent: want exactly one of cookie or header")
	default:
		c.consent = src
	}
}

// decodeCond reads a `when:` or `unless:` mapping into atom indexes.
// weakens says the rule's action lowers protection: then (and always under
// unless) a header condition must name a trusted header.
func (d *decoder) decodeCond(n *yaml.Node, what string, c *condSpec, weakens bool) []int32 {
	var ids []int32
	add := func(a atom) {
		k := atomKey(&a)
		id, ok := c.atomIDs[k]
		if !ok {
			id = int32(len(c.atoms))
			c.atoms = append(c.atoms, a)
			c.atomIDs[k] = id
		}
		ids = append(ids, id)
	}
	d.fields(n, what, condFields, func(key string, _, v *yaml.Node) {
		field := what + "." + key
		switch key {
		case "method":
			a := atom{kind: condMethod}
			for _, it := range d.nonEmptyList(v, field) {
				if !isToken(it.Value) {
					d.errorf(it, "%s: %q is not a method name", field, it.Value)
					continue
				}
				a.list = append(a.list, strings.ToUpper(it.Value))
			}
			if a.list != nil {
				add(a)
			}
		case "path":
			a := atom{kind: condPath}
			for _, it := range d.nonEmptyList(v, field) {
				if segs, ok := d.pathGlob(it, field); ok {
					a.paths = append(a.paths, newPathGlob(segs))
				}
			}
			if a.paths != nil {
				add(a)
			}
		case "host":
			a := atom{kind: condHost}
			for _, it := range d.nonEmptyList(v, field) {
				h := strings.TrimSuffix(string(asciiCase(nil, it.Value, 'A', 'Z')), ".")
				if h == "" || len(h) > maxHostLen || !isHostGlob(h) {
					d.errorf(it, "%s: %q is not a host name glob", field, it.Value)
					continue
				}
				a.list = append(a.list, h)
			}
			if a.list != nil {
				add(a)
			}
		case "principal":
			a := atom{kind: condPrincipal, identity: true}
			for _, it := range d.nonEmptyList(v, field) {
				if it.Value == "" {
					d.errorf(it, "%s: empty principal", field)
					continue
				}
				a.list = append(a.list, it.Value)
			}
			if a.list != nil {
				add(a)
			}
		case "header":
			d.eachEntry(v, field, func(k, v *yaml.Node) {
				name := strings.ToLower(k.Value)
				if !isToken(name) {
					d.errorf(k, "%s: %q is not a header name", field, k.Value)
					return
				}
				trusted := c.trusted[name]
				switch {
				case trusted:
				case what == "unless":
					d.errorf(k, "%s: %q is not listed under trust_headers; only a trusted header may turn a rule off", field, k.Value)
					return
				case weakens:
					d.errorf(k, "%s: %q is not listed under trust_headers; a rule that weakens protection (keep, mask, fpe, generalize, reveal) may only depend on a trusted header", field, k.Value)
					return
				}
				if vm, ok := d.valueMatch(v, field+"."+name); ok {
					add(atom{kind: condHeader, identity: trusted, name: name, vm: vm})
				}
			})
		case "claim":
			if !c.jwtAt {
				d.errorf(v, "%s: claims need jwt.provider_metadata_key at the top of the rule set", field)
				return
			}
			d.eachEntry(v, field, func(k, v *yaml.Node) {
				path, ok := d.claimPath(k, field)
				if !ok {
					return
				}
				if vm, ok := d.valueMatch(v, field+"."+k.Value); ok {
					add(atom{kind: condClaim, identity: true, claim: path, vm: vm})
				}
			})
		case "consent":
			d.fields(v, field, []string{"gpc", "purposes"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "gpc":
					if on, ok := d.boolean(v, field+".gpc"); ok {
						add(atom{kind: condGPC, gpc: on})
					}
				case "purposes":
					if c.consent == nil {
						d.errorf(v, "%s.purposes: purposes need a consent cookie or header (consent: {cookie: …}) at the top of the rule set", field)
						return
					}
					a := atom{kind: condPurposes}
					for _, it := range d.nonEmptyList(v, field+".purposes") {
						if it.Value == "" || len(it.Value) > maxPurposeLen || strings.ContainsAny(it.Value, ",|+ :=%") {
							d.errorf(it, "%s.purposes: %q is not a purpose name", field, it.Value)
							continue
						}
						a.list = append(a.list, strings.ToLower(it.Value))
					}
					if a.list != nil {
						add(a)
					}
				}
			})
		case "status":
			a := atom{kind: condStatus}
			items := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				items = v.Content
				if len(items) == 0 {
					d.errorf(v, "%s: empty list", field)
				}
			}
			for _, it := range items {
				it = resolve(it)
				if r, ok := statusRange(it); ok {
					a.status = append(a.status, r)
				} else {
					d.errorf(it, "%s: %s is not a status code (100 to 599) or class (1xx to 5xx)", field, quoteNode(it))
				}
			}
			if a.status != nil {
				add(a)
			}
		}
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		d.errorf(n, "%s: empty (omit it, or list conditions)", what)
	}
	return ids
}

// quoteNode spells a scalar node's value for diagnostics, or its kind.
func quoteNode(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindName(n)
}

// statusRange reads a status condition entry: a code (404, "404") or a
// class ("4xx", case-insensitive).
func statusRange(n *yaml.Node) ([2]int, bool) {
	if n.Kind != yaml.ScalarNode {
		return [2]int{}, false
	}
	s := strings.ToLower(n.Value)
	if len(s) == 3 && s[1:] == "xx" && s[0] >= '1' && s[0] <= '5' {
		lo := int(s[0]-'0') * 100
		return [2]int{lo, lo + 99}, true
	}
	code, err := strconv.Atoi(s)
	if err != nil || len(s) != 3 || code < 100 || code > 599 {
		return [2]int{}, false
	}
	return [2]int{code, code}, true
}

// nonEmptyList reads a string or a non-empty list of strings.
func (d *decoder) nonEmptyList(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "%s: empty list", what)
	}
	return d.stringList(n, what)
}

// eachEntry calls f for each member of mapping n (names are strings;
// duplicates are reported).
func (d *decoder) eachEntry(n *yaml.Node, what string, f func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: want a mapping, got %s", what, kindName(n))
		return
	}
	if len(n.Content) == 0 {
		d.errorf(n, "%s: empty mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, "%s: names must be strings, got %s", what, kindName(k))
		case seen[strings.ToLower(k.Value)]:
			d.errorf(k, "%s: duplicate entry %q", what, k.Value)
		default:
			seen[strings.ToLower(k.Value)] = true
			f(k, v)
		}
	}
}

// valueMatch reads the test of a header or claim: a scalar (equals), a
// list of scalars (equals any), or a mapping with exactly one of equals,
// glob (a string or list; "*" matches any run of characters) and present
// (true or false).
func (d *decoder) valueMatch(n *yaml.Node, what string) (valueMatch, bool) {
	var m valueMatch
	scalars := func(n *yaml.Node, what string) ([]string, bool) {
		items := []*yaml.Node{n}
		if n.Kind == yaml.SequenceNode {
			items = n.Content
			if len(items) == 0 {
				d.errorf(n, "%s: empty list", what)
				return nil, false
			}
		}
		var out []string
		for _, it := range items {
			it = resolve(it)
			if it.Kind != yaml.ScalarNode || it.ShortTag() == "!!null" {
				d.errorf(it, "%s: want a string, number or boolean, got %s", what, kindName(it))
				return nil, false
			}
			out = append(out, it.Value)
		}
		return out, true
	}
	if n.Kind != yaml.MappingNode {
		eq, ok := scalars(n, what)
		m.equals = eq
		return m, ok
	}
	set, ok := 0, true
	d.fields(n, what, matchValFields, func(key string, _, v *yaml.Node) {
		set++
		switch key {
		case "equals":
			m.equals, ok = scalars(v, what+".equals")
		case "glob":
			m.globs, ok = scalars(v, what+".glob")
		case "present":
			var on bool
			if on, ok = d.boolean(v, what+".present"); ok {
				m.present = -1
				if on {
					m.present = 1
				}
			}
		}
	})
	if set != 1 {
		d.errorf(n, "%s: want exactly one of equals, glob or present", what)
		return m, false
	}
	return m, ok
}

// pathGlob reads one path glob (match.paths, a path condition).
func (d *decoder) pathGlob(it *yaml.Node, what string) ([]string, bool) {
	if !strings.HasPrefix(it.Value, "/") {
		d.errorf(it, "%s: %q must start with \"/\"", what, it.Value)
		return nil, false
	}
	segs := strings.Split(it.Value, "/")
	for _, seg := range segs {
		if seg != "**" && strings.Contains(seg, "**") {
			d.errorf(it, "%s: %q: \"**\" must be a whole segment", what, it.Value)
			return nil, false
		}
	}
	return segs, true
}

// atomKey spells an atom for interning: equal atoms share one evaluation.
func atomKey(a *atom) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(a.kind)))
	w := func(tag string, list []string) {
		b.WriteString("|" + tag)
		for _, s := range list {
			b.WriteString(strconv.Quote(s))
		}
	}
	w("l", a.list)
	for _, p := range a.paths {
		w("p", p.segs)
	}
	w("n", []string{a.name})
	w("c", a.claim)
	w("e", a.vm.equals)
	if a.vm.globs != nil {
		w("g", a.vm.globs)
	}
	b.WriteString("|" + strconv.Itoa(int(a.vm.present)) + strconv.FormatBool(a.gpc) + strconv.FormatBool(a.identity))
	for _, s := range a.status {
		b.WriteString("|" + strconv.Itoa(s[0]) + "-" + strconv.Itoa(s[1]))
	}
	return b.String()
}

// isHostGlob reports whether h is ASCII letters, digits and "-._:[]*"
// only: a host name (punycode for IDNs), an IP literal, or a glob of them.
func isHostGlob(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._:[]*", c) >= 0) {
			return false
		}
	}
	return true
}

// claimPath reads the name of a claim condition: names joined by "."
// (realm_access.roles), or a JSONPath of member names for names holding a
// dot ($['https://example.com/roles']); names compare exactly.
func (d *decoder) claimPath(k *yaml.Node, field string) ([]string, bool) {
	if !strings.HasPrefix(k.Value, "$") {
		path := strings.Split(k.Value, ".")
		for _, seg := range path {
			if seg == "" {
				d.errorf(k, "%s: %q is not a claim path (want names joined by \".\", or a JSONPath like $['a.b'])", field, k.Value)
				return nil, false
			}
		}
		return path, true
	}
	steps, perr := parsePath(k.Value)
	if perr != nil {
		d.errorAt(k, perr.off, "%s: claim path %q: %s", field, k.Value, perr.msg)
		return nil, false
	}
	var path []string
	for _, st := range steps {
		if st.kind != stepName || st.desc {
			d.errorf(k, "%s: claim path %q: only member names (no wildcards, indexes or descendants)", field, k.Value)
			return nil, false
		}
		path = append(path, st.name)
	}
	if len(path) == 0 {
		d.errorf(k, "%s: claim path %q: names no claim", field, k.Value)
		return nil, false
	}
	return path, true
}
