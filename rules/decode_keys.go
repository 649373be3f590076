package rules

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/veilproxy/veil/rules/internal/pseudo"
	"go.yaml.in/yaml/v3"
)

// cryptoKey is one decoded entry of `crypto_keys`.
type cryptoKey struct {
	id       string
	material []byte // at least pseudo.MinKeyBytes
	retired  bool   // reveals old tokens, never makes new ones
	at       srcPos
}

var cryptoKeyFields = []string{"env", "inline", "insecure_inline", "retired"}

// maxKeyIDLen bounds key ids: they are spelled inside every encrypt token.
const maxKeyIDLen = 16

// decodeCryptoKeys reads `crypto_keys:`, a mapping from key id to where its
// material comes from. Material is read from the VM environment (env:,
// looked up with d.env) or, for tests and examples, inline. No message
// spells a key's value, and the source lines of inline keys are never
// quoted in diagnostics.
func (d *decoder) decodeCryptoKeys(n *yaml.Node, s *setSpec) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "crypto_keys: want a mapping from key id to {env: NAME}, got %s", kindName(n))
		return
	}
	// Hide every line of the block before reading it: a mistake anywhere in
	// it (a bad id, a misspelled field) must not quote key material that
	// sits on the same line.
	d.secret(n)
	s.keys = map[string]*cryptoKey{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		id := k.Value
		if !isKeyID(id) {
			d.errorf(k, "crypto_keys: key id %q must be 1 to %d lower-case letters or digits", id, maxKeyIDLen)
			continue
		}
		if s.keys[id] != nil {
			d.errorf(k, "crypto_keys: duplicate key id %q", id)
			continue
		}
		if key, ok := d.decodeCryptoKey(id, v, s); ok {
			s.keys[id] = key
		} else {
			s.badKeys = append(s.badKeys, id)
		}
	}
}

// decodeCryptoKey reads one key's entry.
func (d *decoder) decodeCryptoKey(id string, n *yaml.Node, s *setSpec) (*cryptoKey, bool) {
	key := &cryptoKey{id: id, at: posOf(n)}
	var env, inline *yaml.Node
	insecure := false
	ok := d.fields(n, "crypto_keys."+id, cryptoKeyFields, func(name string, _, v *yaml.Node) {
		switch name {
		case "env":
			env = v
		case "inline":
			inline = v
			d.secret(v)
		case "insecure_inline":
			insecure, _ = d.boolean(v, "crypto_keys."+id+".insecure_inline")
		case "retired":
			key.retired, _ = d.boolean(v, "crypto_keys."+id+".retired")
		}
	})
	if !ok {
		return nil, false
	}
	var text, from string
	switch {
	case env != nil && inline != nil:
		d.errorf(n, "crypto_keys.%s: want env or inline, not both", id)
		return nil, false
	case env != nil:
		name, ok := d.str(env, "crypto_keys."+id+".env")
		if !ok {
			return nil, false
		}
		if name == "" || strings.ContainsAny(name, "=\x00") {
			d.errorf(env, "crypto_keys.%s.env: %q is not an environment variable name", id, name)
			return nil, false
		}
		from = "environment variable " + name
		if d.env != nil {
			text, ok = d.env(name)
		} else {
			ok = false
		}
		if !ok {
			d.errorf(env, "crypto_keys.%s: %s is not set (give the VM base64 key material of at least %d bytes, e.g. vm_config.environment_variables)", id, from, pseudo.MinKeyBytes)
			return nil, false
		}
	case inline != nil:
		v, ok := d.str(inline, "crypto_keys."+id+".inline")
		if !ok {
			return nil, false
		}
		if !insecure {
			d.errorf(inline, "crypto_keys.%s: inline key material is for tests and examples only; write insecure_inline: true to accept it, or take the key from the environment with env: NAME", id)
			return nil, false
		}
		text, from = v, "inline key"
		s.warnings = append(s.warnings, "crypto_keys."+id+": key material is inline in the rule set (insecure_inline); for tests and examples only, take production keys from the environment")
	default:
		d.errorf(n, "crypto_keys.%s: missing field \"env\" (the environment variable holding the key)", id)
		return nil, false
	}
	material, err := decodeKeyMaterial(text)
	switch {
	case err != nil:
		d.errorf(n, "crypto_keys.%s: %s is not base64", id, from)
		return nil, false
	case len(material) < pseudo.MinKeyBytes:
		d.errorf(n, "crypto_keys.%s: %s holds %d bytes, at least %d are needed", id, from, len(material), pseudo.MinKeyBytes)
		return nil, false
	}
	key.material = material
	return key, true
}

// decodeKeyMaterial reads base64 in the standard or URL alphabet, padded or
// not, ignoring whitespace (a mounted secret's trailing newline, the line
// breaks `base64` puts every 76 characters).
func decodeKeyMaterial(text string) ([]byte, error) {
	text = strings.Join(strings.Fields(text), "")
	enc := base64.StdEncoding
	if strings.ContainsAny(text, "-_") {
		enc = base64.URLEncoding
	}
	return enc.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(text, "="))
}

// isKeyID reports whether id can name a key: 1 to 16 of a-z and 0-9.
func isKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// keyFor returns the key named by an action's `key:` option n, reporting an
// unknown key and a retired one (actions make new values; only reveal uses
// retired keys). what is the option's name, as in "hash.key".
func (d *decoder) keyFor(n *yaml.Node, what string, s *setSpec) *cryptoKey {
	id, ok := d.str(n, what)
	if !ok {
		return nil
	}
	key := s.keys[id]
	switch {
	case key == nil && slices.Contains(s.badKeys, id):
		// the key's own mistake is reported at crypto_keys
	case key == nil && len(s.keys) == 0:
		d.errorf(n, "%s: unknown key %q (the set has no crypto_keys)", what, id)
	case key == nil:
		d.errorf(n, "%s: unknown key %q (crypto_keys has %s)", what, id, orList(sortedKeys(s.keys)))
	case key.retired:
		d.errorf(n, "%s: key %q is retired: it reveals old tokens but makes no new ones", what, id)
		return nil
	}
	return key
}

// secret marks the lines of node n and everything under it (key
// material) as never quoted in diagnostics.
func (d *decoder) secret(n *yaml.Node) {
	if d.hidden == nil {
		d.hidden = map[int]bool{}
	}
	for l := n.Line; l <= lastLine(n); l++ {
		d.hidden[l] = true
	}
}

// lastLine returns the last source line node n or its content reaches.
func lastLine(n *yaml.Node) int {
	last := n.Line + strings.Count(n.Value, "\n")
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		last++
	}
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// sortedKeys returns the ids of keys in order.
func sortedKeys(keys map[string]*cryptoKey) []string {
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
