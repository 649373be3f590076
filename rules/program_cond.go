package rules

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// Which rules apply depends on the exchange when some have conditions. The
// automata stay what they are (the first active rule in file order whose
// selector matches decides), built for exactly the rules active on the
// exchange: Apply evaluates each atom once (cond_index.go), reads off which
// of the direction's distinct rule conditions hold as a bit string, and
// takes the automata built for that set of active rules from a cache,
// building them on first use. A set without conditional rules never
// reaches this code.

// maxCachedViews bounds the automata sets a Program caches (each for one
// direction and one set of active conditional rules). Past it, an entry
// is dropped for each one built.
const maxCachedViews = 256

// condSet is the compiled machinery of a rule set with conditional rules:
// what Compile used to build the automata, kept to build them again for
// other sets of active rules.
type condSet struct {
	// by direction: the distinct conditions of its conditional rules, and
	// by rule the index of its condition among them (-1: none)
	conds  [2][]*ruleCond
	condOf [2][]int32
	all    []selector  // every selector, in rule order
	global [2][2][]int // by layer and direction, the detector rules without within
	cls    *classifier
	masks  []detect.Mask // by rule, the detectors of its select.detect

	// cache maps keys to views; readers load it without locking, writers
	// (under mu) replace it by a copy with the new view
	mu    sync.Mutex
	cache atomic.Pointer[map[string]*view]
}

// view is the automata of one direction for one set of active rules.
type view struct {
	enforce, shadow *automaton
	err             error // the set of active rules outgrew maxStates
}

// automata returns the enforcing and shadow automata of direction d for
// the rules active given the atoms' values vals; key is scratch space. The
// key of a view has one bit per distinct condition of the direction, so
// rules sharing a condition cost one evaluation.
func (c *condSet) automata(p *Program, d Direction, vals []tri, key *[]byte) (a, shadow *automaton, err error) {
	conds := c.conds[d-1]
	if len(conds) == 0 {
		return p.automatonFor(d), p.shadowFor(d), nil
	}
	k := append((*key)[:0], byte(d))
	var bits byte
	for i, rc := range conds {
		if rc.active(vals) {
			bits |= 1 << (i & 7)
		}
		if i&7 == 7 {
			k, bits = append(k, bits), 0
		}
	}
	if len(conds)&7 != 0 {
		k = append(k, bits)
	}
	*key = k
	v := (*c.cache.Load())[string(k)]
	if v == nil {
		v = c.build(p, d, k)
	}
	return v.enforce, v.shadow, v.err
}

// build builds (or finds, when another goroutine just did) the view of
// key, and caches it.
func (c *condSet) build(p *Program, d Direction, key []byte) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.cache.Load()
	if v := old[string(key)]; v != nil {
		return v
	}
	active := make([]bool, len(p.rules))
	for r := range active {
		i := c.condOf[d-1][r]
		active[r] = i < 0 || key[1+i/8]&(1<<(i&7)) != 0
	}
	v := &view{}
	autos, err := c.buildFor(p, d, active)
	if err != nil {
		v.err = fmt.Errorf("rules: the rules active on this exchange: %w", err)
	} else {
		v.enforce, v.shadow = autos[layerEnforce], autos[layerShadow]
	}
	cache := make(map[string]*view, len(old)+1)
	for k, v := range old {
		if len(cache) < maxCachedViews-1 {
			cache[k] = v
		}
	}
	cache[string(key)] = v
	c.cache.Store(&cache)
	return v
}

// buildFor builds the automata of both layers of direction d for the rules
// marked active. On failure it also returns the failing layer's selectors
// (for diagnostics).
func (c *condSet) buildFor(p *Program, d Direction, active []bool) ([2]*automaton, *layerError) {
	var out [2]*automaton
	dc := newDetContexts(p.det, c.masks, p.rules)
	for layer := range out {
		var sels []selector
		for _, s := range selectorsOf(c.all, p.rules, layer, d) {
			if active[s.rule] {
				sels = append(sels, s)
			}
		}
		var global []int
		for _, r := range c.global[layer][d-1] {
			if active[r] {
				global = append(global, r)
			}
		}
		a, err := buildAutomaton(c.cls, sels, global, dc)
		if err != nil {
			return out, &layerError{err, sels}
		}
		out[layer] = a
	}
	return out, nil
}

// layerError is a tooComplexError with the selectors its indexes refer to.
type layerError struct {
	*tooComplexError
	layerSels []selector
}

// JWTMetadataKey returns jwt.provider_metadata_key: the key under which
// jwt_authn stores the verified payload in its dynamic metadata
// (metadata.filter_metadata["envoy.filters.http.jwt_authn"][key]); the
// plugin passes that payload, as JSON, in RequestAttributes.JWTClaims.
// "" when the set has no `jwt:`.
func (p *Program) JWTMetadataKey() string { return p.jwtKey }

// MarkResponses reports `mark_responses: true`: a response in which the
// filter found personal data should get `Cache-Control: no-store` (unless
// already stricter).
func (p *Program) MarkResponses() bool { return p.marks }

// Conditional reports whether Apply reads Input.Request or Input.Status
// (some rule or minimize list has conditions); when false the plugin need
// not collect them.
func (p *Program) Conditional() bool { return len(p.atoms) > 0 }

// TrustHeaders returns the lower-case names under trust_headers, sorted.
// The gateway must strip them from outside traffic.
func (p *Program) TrustHeaders() []string { return append([]string(nil), p.trusted...) }

// view evaluates the exchange's conditions for Apply: it returns the
// automata of the rules active on it, and the body minimized by the
// minimize lists that apply (each in file order, on what the previous one
// left), with what each removed.
func (p *Program) view(w *walker, body []byte, in Input) (a, shadow *automaton, out []byte, mins []Minimized, err error) {
	if cap(w.vals) < len(p.atoms) {
		w.vals = make([]tri, len(p.atoms))
	}
	sc := &w.cond
	if cap(sc.slots) < p.claimSlots {
		sc.slots = make([]claimSlot, p.claimSlots)
	}
	if cap(sc.hslots) < p.headerSlots {
		sc.hslots = make([]headerSlot, p.headerSlots)
	}
	sc.slots, sc.hslots = sc.slots[:p.claimSlots], sc.hslots[:p.headerSlots]
	vals := w.vals[:len(p.atoms)]
	p.evalAtoms(in, vals, sc)
	a, shadow = p.automatonFor(in.Direction), p.shadowFor(in.Direction)
	if p.conds != nil {
		if a, shadow, err = p.conds.automata(p, in.Direction, vals, &w.key); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	for i := range p.minimize {
		l := &p.minimize[i]
		if !(in.Direction == Request && l.request || in.Direction == Response && l.response) || l.cond != nil && !l.cond.active(vals) {
			continue
		}
		var m Minimized
		if body, m = p.minimizeBody(body, l); m.Count > 0 {
			mins = append(mins, m)
		}
	}
	return a, shadow, body, mins, nil
}
