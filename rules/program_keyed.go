package rules

import (
	"errors"
	"fmt"
)

// Warnings returns what the plugin should log at start about the set, such
// as keys given inline (`insecure_inline`), which are for tests and examples
// only.
func (p *Program) Warnings() []string { return p.warnings }

// Pseudonym returns what value (plain text, not JSON) becomes under rule
// ruleID when the rule's action is hash, encrypt, fpe or synthetic: the
// stand-in an operator looks up for an access or erasure request without
// storing plaintext. Other actions are an error, and so is a value fpe
// cannot encipher (it would be redacted).
func (p *Program) Pseudonym(ruleID, value string) (string, error) {
	r, err := p.rule(ruleID)
	if err != nil {
		return "", err
	}
	switch r.act.kind {
	case actHash, actEncrypt, actFPE, actSynthetic:
	default:
		return "", fmt.Errorf("rule %q: its action is %s; pseudonyms come from hash, encrypt, fpe and synthetic", ruleID, r.act.kind)
	}
	var x scratchpad
	out := r.act.rw.value(nil, AppendQuoted(nil, value), &x)
	if x.failed > 0 {
		return "", fmt.Errorf("rule %q: value too short for fpe (the filter redacts it)", ruleID)
	}
	return string(x.textOf(out)), nil
}

// Reveal returns the original of an encrypt token made under one of the
// set's keys (it carries its key id; ruleID ""), or of a value fpe
// enciphered under rule ruleID (FPE output carries no marker, so the rule
// must be named). A token that was altered or made under another key is an
// error.
func (p *Program) Reveal(ruleID, token string) (string, error) {
	if ruleID == "" {
		if p.tokens == nil {
			return "", errors.New("the rule set has no encrypt rule: only fpe values reveal, with a rule named")
		}
		plain, start, end, found, ok := p.tokens.o.Next(nil, []byte(token), 0)
		switch {
		case !found || start != 0 || end != len(token):
			return "", fmt.Errorf("%q is not a token of this rule set's keys", token)
		case !ok:
			return "", fmt.Errorf("%q does not open: altered, or made under another key or rule set", token)
		}
		return string(plain), nil
	}
	r, err := p.rule(ruleID)
	if err != nil {
		return "", err
	}
	if rw, ok := r.act.rw.(standInRewriter); ok {
		switch a := rw.s.(type) {
		case *fpeAction:
			out, err := a.f.Decrypt(nil, []byte(token))
			if err != nil {
				return "", fmt.Errorf("rule %q: %v", ruleID, err)
			}
			return string(out), nil
		case *encryptAction:
			out, ok := a.s.Open(nil, []byte(token))
			if !ok {
				return "", fmt.Errorf("rule %q: %q does not open: altered, or made under another key or context", ruleID, token)
			}
			return string(out), nil
		}
	}
	return "", fmt.Errorf("rule %q: its action is %s; values reveal under encrypt and fpe rules", ruleID, r.act.kind)
}

// rule returns the compiled rule with id ruleID.
func (p *Program) rule(ruleID string) (*rule, error) {
	for i := range p.rules {
		if p.rules[i].id == ruleID {
			return &p.rules[i], nil
		}
	}
	return nil, fmt.Errorf("no rule %q in rule set %q", ruleID, p.name)
}
