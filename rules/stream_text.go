package rules

import (
	"go.yaml.in/yaml/v3"
)

// textSelector is one compiled entry of stream_text: a path of member
// names (path form, case-insensitive), indexes and wildcards, without
// recursive descent.
type textSelector struct {
	steps []step
	text  string // as written
}

// maxStreamText is the most stream_text paths a set may have (a record's
// walk tracks them in one 64-bit mask).
const maxStreamText = 64

// decodeStreamText reads the top-level stream_text list.
func (d *decoder) decodeStreamText(v *yaml.Node) []textSelector {
	var sels []textSelector
	items := d.stringList(v, "stream_text")
	if len(items) > maxStreamText {
		d.errorf(v, "stream_text: %d paths, at most %d", len(items), maxStreamText)
		return nil
	}
	for _, it := range items {
		steps, perr := parsePath(it.Value)
		if perr != nil {
			d.errorAt(it, perr.off, "stream_text: path %q: %s", it.Value, perr.msg)
			continue
		}
		bad := len(steps) == 0
		for _, st := range steps {
			bad = bad || st.desc
		}
		if bad {
			d.errorf(it, "stream_text: path %q: want a path to the text of each record, without recursive descent (..)", it.Value)
			continue
		}
		if d.foldPath(it, "stream_text: path", steps, false) {
			sels = append(sels, textSelector{steps, it.Value})
		}
	}
	return sels
}

// byteLimit reads a limit in bytes, limits.max_body_bytes or
// limits.max_record_bytes: 1 … DefaultMaxBodyBytes; 0 after an error.
func (d *decoder) byteLimit(v *yaml.Node, key string) int {
	n, ok := d.integer(v, key)
	switch {
	case !ok:
	case n <= 0:
		d.errorf(v, "%s: must be positive, got %d", key, n)
	case n > DefaultMaxBodyBytes:
		d.errorf(v, "%s: %d exceeds %d (Envoy's default buffer limit)", key, n, DefaultMaxBodyBytes)
	default:
		return n
	}
	return 0
}

// includeStreamText adds the stream_text paths of an included pack to
// those of s (each once), unless s wrote stream_text itself: then it keeps
// its choice, and `stream_text: []` turns the packs' paths off.
func (d *decoder) includeStreamText(s, pack *setSpec, it *yaml.Node) {
	if s.streamTextSet {
		return
	}
	for _, sel := range pack.streamText {
		dup := false
		for _, have := range s.streamText {
			dup = dup || have.text == sel.text
		}
		if !dup {
			s.streamText = append(s.streamText, sel)
		}
	}
	if len(s.streamText) > maxStreamText {
		d.errorf(it, "include: stream_text: %d paths with the packs', at most %d", len(s.streamText), maxStreamText)
	}
}
