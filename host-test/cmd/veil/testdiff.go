package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// canonicalJSON returns a JSON document in one spelling, so that two
// bodies differing only in formatting compare equal: members sorted by
// name (stably: duplicate names stay, in their order), two-space
// indentation, strings re-escaped. Numbers keep their spelling. ok is
// false when b is not one JSON value.
func canonicalJSON(b []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data
	}
	var buf bytes.Buffer
	writeJSON(&buf, v, "")
	buf.WriteByte('\n')
	return buf.Bytes(), true
}

// jsonMember is one member of an object as read, duplicates kept.
type jsonMember struct {
	name  string
	value any
}

// readJSON reads one value: []jsonMember for an object, []any for an
// array, else the token.
func readJSON(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		var obj []jsonMember
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			obj = append(obj, jsonMember{k.(string), v})
		}
		_, err := dec.Token()
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	case json.Delim('}'), json.Delim(']'):
		return nil, errors.New("unexpected delimiter")
	}
	return t, nil
}

// writeJSON writes v as canonicalJSON spells it.
func writeJSON(w *bytes.Buffer, v any, indent string) {
	switch t := v.(type) {
	case []jsonMember:
		if len(t) == 0 {
			w.WriteString("{}")
			return
		}
		sorted := slices.Clone(t)
		slices.SortStableFunc(sorted, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
		w.WriteString("{\n")
		for i, m := range sorted {
			w.WriteString(indent + "  ")
			writeString(w, m.name)
			w.WriteString(": ")
			writeJSON(w, m.value, indent+"  ")
			if i < len(sorted)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteString("[\n")
		for i, e := range t {
			w.WriteString(indent + "  ")
			writeJSON(w, e, indent+"  ")
			if i < len(t)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "]")
	case string:
		writeString(w, t)
	case json.Number:
		w.WriteString(string(t))
	case bool:
		fmt.Fprint(w, t)
	case nil:
		w.WriteString("null")
	}
}

// writeString writes s as a JSON string, without HTML escaping.
func writeString(w *bytes.Buffer, s string) { w.WriteString(encodeJSONString(s)) }

// textLines splits text into lines without their "\n"; a last line
// without one is marked as diff(1) does.
func textLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		if strings.HasSuffix(l, "\n") {
			lines[i] = l[:len(l)-1]
		} else {
			lines[i] = l + "\n\\ No newline at end of file"
		}
	}
	return lines
}

// unifiedDiff returns the unified diff (diffContext lines of context)
// turning want into got, headed `--- wantName` and `+++ gotName`; "" when
// they are equal.
func unifiedDiff(wantName, gotName, want, got string) string {
	ops := lineDiff(textLines(want), textLines(got))
	hs := hunks(ops)
	if len(hs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", wantName, gotName)
	for _, h := range hs {
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(h.aStart, h.aLen), hunkRange(h.bStart, h.bLen))
		for _, op := range ops[h.from:h.to] {
			b.WriteByte(op.kind)
			b.WriteString(op.line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
