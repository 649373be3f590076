package rules

import (
	"math/bits"
	"slices"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// detCtx says which detector rules apply to the values reached in an
// automaton state: the rules without select.within, plus those whose within
// selector matched the value or one of its ancestors. The walk reads it at
// each string and number it does not decide whole.
type detCtx struct {
	mask    detect.Mask // the detectors to run
	numbers bool        // some detector in mask accepts JSON numbers
	rule    []int32     // by detector index: the first rule, in file order, naming it (noRule for none)
	// picks is nil unless a rule of the context asks for evidence
	// (select.evidence); then it lists, by detector index, the rules
	// naming the detector in file order, each with what it asks for
	picks [][]evidencePick
}

// evidencePick is a rule naming a detector in a context, and the evidence
// it asks of the detector's spans (0: any).
type evidencePick struct {
	rule int32
	need detect.Evidence
}

// ruleFor returns the rule that takes a span (or number) detector det found
// on evidence ev: the first rule in file order naming det whose
// select.evidence ev satisfies (any one kind listed), or noRule.
func (c *detCtx) ruleFor(det int, ev detect.Evidence) int {
	if c.picks == nil {
		return int(c.rule[det])
	}
	for _, p := range c.picks[det] {
		if p.need == 0 || p.need&ev != 0 {
			return int(p.rule)
		}
	}
	return noRule
}

// detContexts interns the detector contexts of one automaton. Context 0 is
// the empty one (no detector runs).
type detContexts struct {
	set   *detect.Set
	masks []detect.Mask // by rule: the detectors of its select.detect
	rules []rule        // by rule: its select.evidence (nil: none asks)
	ids   map[string]int32
	list  []detCtx
}

func newDetContexts(set *detect.Set, masks []detect.Mask, rules []rule) *detContexts {
	c := &detContexts{set: set, masks: masks, rules: rules, ids: map[string]int32{}}
	c.intern(nil)
	return c
}

// intern returns the id of the context of the given detector rules.
func (c *detContexts) intern(rules []int) int32 {
	slices.Sort(rules)
	rules = slices.Compact(rules)
	key := make([]byte, 0, 4*len(rules))
	for _, r := range rules {
		key = append(key, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	if id, ok := c.ids[string(key)]; ok {
		return id
	}
	ctx := detCtx{}
	if len(rules) > 0 {
		ctx.rule = make([]int32, detect.MaxDetectors)
		for i := range ctx.rule {
			ctx.rule[i] = noRule
		}
	}
	for _, r := range rules {
		for m := c.masks[r]; m != 0; m &= m - 1 {
			if i := bits.TrailingZeros64(uint64(m)); ctx.rule[i] < 0 {
				ctx.rule[i] = int32(r)
				ctx.mask |= 1 << i
			}
		}
		if c.rules != nil && c.rules[r].evidence != 0 && c.masks[r] != 0 && ctx.picks == nil {
			ctx.picks = make([][]evidencePick, detect.MaxDetectors)
		}
	}
	if ctx.picks != nil {
		for _, r := range rules {
			for m := c.masks[r]; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(uint64(m))
				ctx.picks[i] = append(ctx.picks[i], evidencePick{int32(r), c.rules[r].evidence})
			}
		}
	}
	ctx.numbers = c.set != nil && ctx.mask&c.set.Numbers() != 0
	id := int32(len(c.list))
	c.ids[string(key)] = id
	c.list = append(c.list, ctx)
	return id
}
