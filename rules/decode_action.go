package rules

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"

	"github.com/veilproxy/veil/rules/internal/pseudo"
	"github.com/veilproxy/veil/rules/internal/standin"
	"go.yaml.in/yaml/v3"
)

var actionList = []string{"redact", "mask", "remove", "keep", "hash", "encrypt", "fpe", "generalize", "synthetic", "block", "reveal"}

// The defaults of the keyed actions' options.
const (
	defaultHashPrefix  = "h_"
	defaultHashLength  = 16
	maxHashLength      = 43 // base64url characters of a SHA-256 digest
	defaultTokenPrefix = "veil_"
	maxPrefixLen       = 16
	defaultBlockStatus = 400
)

// redactedText is the replacement of redact without options, and of a value
// fpe or generalize cannot act on.
const redactedText = `"[REDACTED]"`

var (
	hashFields      = []string{"key", "prefix", "length", "context"}
	encryptFields   = []string{"key", "prefix", "context"}
	fpeFields       = []string{"key", "alphabet", "keep_first", "keep_last", "context"}
	syntheticFields = []string{"key", "kind", "context"}
	generalizeKinds = []string{"date", "ip", "postal", "number", "age", "email"}
)

// decodeAction reads rule r's `action:` in its short (`redact`) or long
// (`{mask: {…}}`) form; keyed actions look their key up in s.keys.
func (d *decoder) decodeAction(n *yaml.Node, r *ruleSpec, s *setSpec) action {
	name, opts := "", (*yaml.Node)(nil)
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		name = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		name, opts = resolve(n.Content[0]).Value, resolve(n.Content[1])
		n = resolve(n.Content[0])
	case n.Kind == yaml.MappingNode:
		d.errorf(n, "action: want exactly one of %s, got %d fields", orList(actionList), len(n.Content)/2)
		return action{}
	default:
		d.errorf(n, "action: want a string or a mapping, got %s", kindName(n))
		return action{}
	}
	if opts != nil && opts.ShortTag() == "!!null" {
		opts = nil
	}
	switch name {
	case "redact":
		return d.decodeRedact(opts)
	case "mask":
		return d.decodeMask(opts)
	case "remove", "keep":
		if opts != nil {
			d.errorf(n, "action: %s takes no options (write `action: %s`)", name, name)
		}
		if name == "remove" {
			return action{kind: actRemove}
		}
		return action{kind: actKeep}
	case "hash", "encrypt", "fpe", "synthetic":
		if opts == nil {
			d.errorf(n, "action: %s needs options, at least the key (write `action: { %s: { key: ID } }`)", name, name)
			return action{}
		}
		return d.decodeKeyed(name, opts, r, s)
	case "generalize":
		return d.decodeGeneralize(n, opts)
	case "block":
		return d.decodeBlock(opts)
	case "reveal":
		r.revealAt = n
		if opts != nil {
			d.fields(opts, "reveal", []string{"from"}, func(_ string, _, v *yaml.Node) {
				r.revealFrom = d.stringList(v, "reveal.from")
				if len(r.revealFrom) == 0 {
					d.errorf(v, "reveal.from: empty list (omit it to reveal the tokens of every encrypt rule)")
				}
			})
		}
		return action{kind: actReveal} // rw set by linkReveals
	}
	d.errorf(n, "action: unknown action %q (want %s)%s", name, orList(actionList), didYouMean(name, actionList))
	return action{}
}

// decodeRedact reads redact's options.
func (d *decoder) decodeRedact(opts *yaml.Node) action {
	with := []byte(redactedText)
	if opts != nil {
		d.fields(opts, "redact", []string{"with"}, func(_ string, _, v *yaml.Node) {
			if j, ok := d.jsonValue(v, "redact.with"); ok {
				with = j
			}
		})
	}
	return action{kind: actRedact, rw: newRedact(with)}
}

// decodeMask reads mask's options.
func (d *decoder) decodeMask(opts *yaml.Node) action {
	m := newMask(0, 0, '*')
	if opts != nil {
		d.fields(opts, "mask", maskFields, func(key string, _, v *yaml.Node) {
			switch key {
			case "keep_first", "keep_last":
				k, ok := d.integer(v, "mask."+key)
				if !ok {
					return
				}
				if k < 0 || k > maxMaskKeep {
					d.errorf(v, "mask.%s: want 0 to %d, got %d", key, maxMaskKeep, k)
					return
				}
				if key == "keep_first" {
					m.first = k
				} else {
					m.last = k
				}
			case "char":
				c, ok := d.str(v, "mask.char")
				if ok && utf8.RuneCountInString(c) != 1 {
					d.errorf(v, "mask.char: want exactly one character, got %q", c)
				} else if ok {
					r, _ := utf8.DecodeRuneInString(c)
					*m = *newMask(m.first, m.last, r)
				}
			}
		})
	}
	if m.first+m.last > maxMaskKeep {
		d.errorf(opts, "mask: keep_first + keep_last is %d, at most %d may stay readable", m.first+m.last, maxMaskKeep)
	}
	return action{kind: actMask, rw: m}
}

// keyedOptions are the options of hash, encrypt, fpe and synthetic.
type keyedOptions struct {
	key                 *cryptoKey
	prefix, context     string
	length              int
	alnum               bool
	keepFirst, keepLast int
	kind                standin.Kind
	guess               bool
}

// decodeKeyed reads the options of the keyed action name and builds it.
func (d *decoder) decodeKeyed(name string, opts *yaml.Node, r *ruleSpec, s *setSpec) action {
	o := keyedOptions{context: r.id, length: defaultHashLength, guess: true}
	switch name {
	case "hash":
		o.prefix = defaultHashPrefix
	case "encrypt":
		o.prefix = defaultTokenPrefix
	}
	allowed := map[string][]string{"hash": hashFields, "encrypt": encryptFields, "fpe": fpeFields, "synthetic": syntheticFields}[name]
	mistakes := len(d.list)
	sawKey := false
	ok := d.fields(opts, name, allowed, func(field string, _, v *yaml.Node) {
		what := name + "." + field
		switch field {
		case "key":
			sawKey = true
			o.key = d.keyFor(v, what, s)
		case "prefix":
			if p, ok := d.str(v, what); ok {
				o.prefix = p
				if !isTokenPrefix(p, name == "hash") {
					d.errorf(v, "%s: %q must be up to %d of A-Z a-z 0-9 _ - : ~ (not empty for encrypt, whose tokens reveal finds by it)", what, p, maxPrefixLen)
				}
			}
		case "length":
			if l, ok := d.integer(v, what); ok {
				if l < 8 || l > maxHashLength {
					d.errorf(v, "%s: want 8 to %d characters, got %d", what, maxHashLength, l)
				}
				o.length = l
			}
		case "context":
			if c, ok := d.str(v, what); ok {
				if c == "" {
					d.errorf(v, "%s: empty (omit it to use the rule id)", what)
				}
				o.context = c
			}
		case "alphabet":
			a, _ := d.enum(v, what, "digits", "alnum")
			o.alnum = a == "alnum"
		case "keep_first", "keep_last":
			k, ok := d.integer(v, what)
			if ok && (k < 0 || k > maxMaskKeep) {
				d.errorf(v, "%s: want 0 to %d, got %d", what, maxMaskKeep, k)
				return
			}
			if field == "keep_first" {
				o.keepFirst = k
			} else {
				o.keepLast = k
			}
		case "kind":
			if s, ok := d.str(v, what); ok {
				k, ok := standin.ParseKind(s)
				if !ok {
					d.errorf(v, "%s: unknown kind %q (want %s)", what, s, orList([]string{"name", "email", "phone", "card", "address"}))
				}
				o.kind, o.guess = k, !ok
			}
		}
	})
	if ok && !sawKey {
		d.errorf(opts, "%s: missing field \"key\" (an id of crypto_keys)", name)
	}
	if o.keepFirst+o.keepLast > maxMaskKeep {
		d.errorf(opts, "%s: keep_first + keep_last is %d, at most %d may stay readable", name, o.keepFirst+o.keepLast, maxMaskKeep)
	}
	if o.key == nil || len(d.list) > mistakes {
		return action{} // nothing to build with options in error
	}
	m := o.key.material
	switch name {
	case "hash":
		return action{kind: actHash, rw: newStandIn(&hashAction{pseudo.NewHasher(m, o.context, o.prefix, o.length)})}
	case "encrypt":
		r.sealContext, r.sealPrefix = o.context, o.prefix
		return action{kind: actEncrypt, rw: newStandIn(&encryptAction{pseudo.NewSealer(o.key.id, m, o.context, o.prefix)})}
	case "fpe":
		r.fpeRadix, r.fpeKept = 10, o.keepFirst+o.keepLast
		if o.alnum {
			r.fpeRadix = 62
		}
		return action{kind: actFPE, rw: newStandIn(&fpeAction{pseudo.NewFPE(m, o.context, o.alnum, o.keepFirst, o.keepLast), o.alnum})}
	}
	a := &syntheticAction{h: pseudo.NewHasher(m, "synthetic\x00"+o.context, "", maxHashLength), kind: o.kind, guess: o.guess}
	return action{kind: actSynthetic, rw: newStandIn(a)}
}

// decodeGeneralize reads `generalize: KIND` or `generalize: {KIND: OPTION}`.
func (d *decoder) decodeGeneralize(n, opts *yaml.Node) action {
	kind, option := "", ""
	at := n
	switch {
	case opts == nil:
		d.errorf(n, "action: generalize needs a kind (write `action: { generalize: date }`; kinds %s)", orList(generalizeKinds))
		return action{}
	case opts.Kind == yaml.ScalarNode:
		kind, at = opts.Value, opts
	case opts.Kind == yaml.MappingNode && len(opts.Content) == 2:
		k, v := resolve(opts.Content[0]), resolve(opts.Content[1])
		kind, at = k.Value, k
		if v.Kind != yaml.ScalarNode {
			d.errorf(v, "generalize.%s: want a scalar option, got %s", kind, kindName(v))
			return action{}
		}
		if v.ShortTag() != "!!null" {
			option = v.Value
		}
	default:
		d.errorf(opts, "generalize: want one kind (%s), as `generalize: date` or `generalize: { date: month }`", orList(generalizeKinds))
		return action{}
	}
	if !slices.Contains(generalizeKinds, kind) {
		d.errorf(at, "generalize: unknown kind %q (want %s)", kind, orList(generalizeKinds))
		return action{}
	}
	g, err := standin.NewGeneralizer(kind, option)
	if err != nil {
		d.errorf(at, "generalize.%s: %v", kind, err)
		return action{}
	}
	return action{kind: actGeneralize, rw: newStandIn(&generalizeAction{g})}
}

// decodeBlock reads block's options.
func (d *decoder) decodeBlock(opts *yaml.Node) action {
	a := action{kind: actBlock, rw: newRedact([]byte(redactedText)), blockStatus: defaultBlockStatus}
	if opts != nil {
		d.fields(opts, "block", []string{"status"}, func(_ string, _, v *yaml.Node) {
			if s, ok := d.integer(v, "block.status"); ok {
				if s < 400 || s > 499 {
					d.errorf(v, "block.status: want a client error status 400 to 499, got %d (a response-side block always answers 502)", s)
				}
				a.blockStatus = s
			}
		})
	}
	return a
}

// linkReveals builds the reveal rules of s: each opens the tokens of the
// encrypt rules it names (reveal.from; all of the set's when omitted),
// under every key of the set, retired ones included, so that tokens made
// before a key was rotated still reveal.
func (d *decoder) linkReveals(s *setSpec) {
	byID := map[string]*ruleSpec{}
	var encrypts []*ruleSpec
	for i := range s.rules {
		byID[s.rules[i].id] = &s.rules[i]
		if s.rules[i].act.kind == actEncrypt {
			encrypts = append(encrypts, &s.rules[i])
		}
	}
	if len(encrypts) > 0 {
		s.tokens = newRevealAction(encrypts, s.keys)
	}
	for i := range s.rules {
		r := &s.rules[i]
		if r.revealAt == nil {
			continue
		}
		d.rule = r.id
		var from []*ruleSpec
		if r.revealFrom == nil {
			from = encrypts
			if len(from) == 0 {
				d.errorf(r.revealAt, "reveal: the set has no encrypt rule whose tokens it could reveal")
			}
		}
		for _, n := range r.revealFrom {
			e := byID[n.Value]
			switch {
			case e == nil:
				d.errorf(n, "reveal.from: no rule %q", n.Value)
			case e.act.rw == nil && e.act.kind == actRedact:
				// its action has a mistake of its own, reported there
			case e.act.kind != actEncrypt:
				d.errorf(n, "reveal.from: rule %q does not encrypt (its action is %s)", n.Value, e.act.kind)
			default:
				from = append(from, e)
			}
		}
		if len(r.detect) > 0 {
			d.errorf(r.revealAt, "reveal: select the values to restore with paths or keys, not detect (reveal finds the tokens itself)")
		}
		r.act.rw = newRevealAction(from, s.keys)
	}
	d.rule = ""
}

// newRevealAction returns a reveal that opens the tokens of the encrypt
// rules from under every key of keys.
func newRevealAction(from []*ruleSpec, keys map[string]*cryptoKey) *revealAction {
	a := &revealAction{o: &pseudo.Opener{}}
	type seal struct{ key, context, prefix string }
	seen := map[seal]bool{}
	tries := map[string]int{} // Sealers per marker
	for _, e := range from {
		if e.act.rw == nil {
			continue // its own mistake is reported
		}
		for _, id := range sortedKeys(keys) {
			k := seal{id, e.sealContext, e.sealPrefix}
			if seen[k] {
				continue
			}
			seen[k] = true
			tries[e.sealPrefix+id]++
			a.tries = max(a.tries, tries[e.sealPrefix+id])
			a.o.Add(pseudo.NewSealer(id, keys[id].material, e.sealContext, e.sealPrefix))
			marker := []byte(e.sealPrefix + id + ".")
			if !slices.ContainsFunc(a.markers, func(m []byte) bool { return string(m) == string(marker) }) {
				a.markers = append(a.markers, marker)
			}
		}
	}
	return a
}

// isTokenPrefix reports whether p can start a hash pseudonym or an encrypt
// token: up to 16 of A-Z a-z 0-9 _ - : ~ (characters JSON never escapes
// and tokenizers keep), and at least one for encrypt, whose tokens reveal
// must find.
func isTokenPrefix(p string, mayBeEmpty bool) bool {
	if len(p) > maxPrefixLen || p == "" && !mayBeEmpty {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':' || c == '~') {
			return false
		}
	}
	return true
}

// checkFPEDomains refuses an fpe rule that can never encipher anything: one
// that selects only with custom detectors whose matches are all too short
// for FF1's domain floor once keep_first and keep_last are left in clear
// (a pattern like "[0-9]{5}"). Values of other lengths are checked at run
// time, each one.
func (d *decoder) checkFPEDomains(s *setSpec) {
	defer func() { d.rule = "" }()
	for i := range s.rules {
		r := &s.rules[i]
		if r.act.kind != actFPE || len(r.sels) > 0 || len(r.detect) == 0 {
			continue
		}
		longest := 0
		for _, n := range r.detect {
			c, custom := s.custom[n.Value]
			if !custom {
				longest = -1 // built-in detectors match values long enough
				break
			}
			re, err := syntax.Parse(c.Regex, syntax.Perl)
			if err != nil {
				longest = -1 // reported with the detector
				break
			}
			n := maxRunes(re)
			if n < 0 {
				longest = -1
				break
			}
			longest = max(longest, n)
		}
		if longest < 0 {
			continue
		}
		d.rule = r.id
		if enc := longest - r.fpeKept; domainBelowFloor(r.fpeRadix, enc) {
			d.addAt(r.at, r.id, "fpe: its detectors match at most %d characters, leaving at most %d to encipher after keep_first and keep_last; FF1 needs %d possible values (at least %d symbols), so every value would be redacted", longest, max(enc, 0), pseudo.MinDomain, minSymbols(r.fpeRadix))
		}
	}
}

// domainBelowFloor reports whether n symbols of radix have fewer than
// pseudo.MinDomain values.
func domainBelowFloor(radix, n int) bool { return n < minSymbols(radix) }

// minSymbols returns the fewest symbols of radix whose values reach
// pseudo.MinDomain.
func minSymbols(radix int) int {
	n, v := 0, 1
	for v < pseudo.MinDomain {
		v *= radix
		n++
	}
	return n
}

// maxRunes returns the most characters a match of re can hold, -1 when
// unbounded.
func maxRunes(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpQuest:
		return maxRunes(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			m := maxRunes(sub)
			if m < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				n += m
			} else {
				n = max(n, m)
			}
		}
		return n
	case syntax.OpStar, syntax.OpPlus:
		if maxRunes(re.Sub[0]) == 0 {
			return 0
		}
		return -1
	case syntax.OpRepeat:
		m := maxRunes(re.Sub[0])
		if m == 0 {
			return 0
		}
		if re.Max < 0 || m < 0 {
			return -1
		}
		return re.Max * m
	}
	return 0 // empty match, anchors, word boundaries
}
