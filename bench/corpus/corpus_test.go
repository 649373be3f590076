package corpus

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a, b := Generate(1, 25), Generate(1, 25)
	for i := range a.Docs {
		if !bytes.Equal(a.Docs[i], b.Docs[i]) {
			t.Fatalf("doc %d differs between runs", i)
		}
	}
	if !slices.Equal(a.Plants, b.Plants) || !slices.Equal(a.Decoys, b.Decoys) {
		t.Fatal("ground truth differs between runs")
	}
	if c := Generate(2, 25); bytes.Equal(c.Docs[0], a.Docs[0]) {
		t.Error("seeds 1 and 2 give the same first document")
	}
}

func TestEveryDetectorPlanted(t *testing.T) {
	c := Generate(3, 50)
	seen := map[string]bool{}
	for _, d := range c.Docs {
		if !json.Valid(d) {
			t.Fatalf("invalid JSON: %s", d)
		}
	}
	// TestQuality (package detect) checks that each planted value occurs in
	// the decoded string values of its document.
	for _, p := range c.Plants {
		seen[p.Detector] = true
	}
	for _, d := range Detectors {
		if !seen[d] {
			t.Errorf("no %s planted in 50 documents", d)
		}
	}
	if len(Chat(1, 4096)) < 4096 {
		t.Error("Chat shorter than asked")
	}
}

// TestSpellingsPlanted checks that every spelling gets values and decoys,
// and that each spelled value and decoy occurs in a string of its document
// (a decoy recorded but left out would count as one that survived).
func TestSpellingsPlanted(t *testing.T) {
	c := Generate(5, 300)
	texts := make([]string, len(c.Docs))
	for i, d := range c.Docs {
		var v any
		if err := json.Unmarshal(d, &v); err != nil {
			t.Fatal(err)
		}
		texts[i] = strings.Join(stringsOf(v), "\n")
	}
	plants, decoys := map[string]int{}, map[string]int{}
	for _, p := range c.Plants {
		if p.Spelling != "" {
			plants[p.Spelling]++
			if !strings.Contains(texts[p.Doc], p.Value) {
				t.Errorf("doc %d: %s value %q missing", p.Doc, p.Spelling, p.Value)
			}
		}
	}
	for _, d := range c.Decoys {
		if d.Spelling != "" {
			decoys[d.Spelling]++
			if !strings.Contains(texts[d.Doc], d.Value) {
				t.Errorf("doc %d: %s decoy %q missing", d.Doc, d.Spelling, d.Value)
			}
		}
	}
	for _, s := range Spellings {
		if plants[s] == 0 || decoys[s] == 0 {
			t.Errorf("spelling %s: %d values, %d decoys in 300 documents", s, plants[s], decoys[s])
		}
	}
}

// stringsOf returns the string values of a decoded JSON document.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, stringsOf(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, stringsOf(x)...)
		}
		return out
	}
	return nil
}

// TestNames checks the member-name corpus: deterministic, valid, every
// class planted with several spellings and a near miss.
func TestNames(t *testing.T) {
	a, b := Names(1, 40), Names(1, 40)
	classes := map[string]bool{}
	for i, d := range a.Docs {
		if !json.Valid(d) {
			t.Fatalf("invalid JSON: %s", d)
		}
		if !bytes.Equal(d, b.Docs[i]) {
			t.Fatalf("doc %d differs between runs", i)
		}
	}
	for _, p := range a.Plants {
		classes[p.Class] = true
		if !bytes.Contains(a.Docs[p.Doc], []byte(`"`+p.Spelling+`":"`+p.Value+`"`)) {
			t.Fatalf("plant %+v not in its document", p)
		}
	}
	for _, c := range NameClasses {
		if !classes[c.Class] {
			t.Errorf("class %s not planted in 40 documents", c.Class)
		}
		if len(c.Match)+len(c.KeyOnly) < 3 || len(c.Miss) == 0 {
			t.Errorf("class %s: want several spellings and a near miss", c.Class)
		}
	}
	for _, kind := range []string{"keys", "paths"} {
		if !strings.Contains(NameRules(kind), "id: "+kind) {
			t.Errorf("NameRules(%s):\n%s", kind, NameRules(kind))
		}
	}
}

// TestEncloseDisclose: every inner spelling round-trips, and each is
// spelled as its name says.
func TestEncloseDisclose(t *testing.T) {
	doc := []byte(`{"note":"ann@example.com <b>","n":[1,2]}`)
	want := map[string]string{
		"inner_plain": `"payload":"{\"note\"`, "inner_escaped_start": `"payload":"\u007b\"note\"`,
		"inner_escaped_space": `"payload":"\u0020\u000a{`, "inner_bom": `"payload":"\ufeff{`,
		"inner_twice": `"payload":"\"{\\\"note\\\"`,
	}
	for _, s := range InnerSpellings {
		env := Enclose(doc, s)
		if !json.Valid(env) || !bytes.Contains(env, []byte(want[s])) {
			t.Errorf("%s: %s", s, env)
		}
		got, err := Disclose(env, s)
		if err != nil || !bytes.Equal(got, doc) {
			t.Errorf("%s: disclosed %s, %v", s, got, err)
		}
	}
}

// Payloads are deterministic, valid JSON within half a record of their
// size, with their records under List(kind).
func TestPayloads(t *testing.T) {
	for _, kind := range Payloads {
		for _, size := range []int{1 << 10, 16 << 10, 256 << 10} {
			a, b := Payload(kind, 7, size), Payload(kind, 7, size)
			if !bytes.Equal(a, b) {
				t.Errorf("%s %d: two calls differ", kind, size)
			}
			if bytes.Equal(a, Payload(kind, 8, size)) {
				t.Errorf("%s %d: seeds 7 and 8 give the same document", kind, size)
			}
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(a, &doc); err != nil {
				t.Fatalf("%s %d: %v", kind, size, err)
			}
			if _, ok := doc[List(kind)]; !ok {
				t.Errorf("%s: no %q member", kind, List(kind))
			}
			if len(a) < size/2 || len(a) > size*3/2 {
				t.Errorf("%s: %d bytes for size %d", kind, len(a), size)
			}
		}
	}
}

// TestContextPlanted checks the thread and record: every free-text detector
// and context decoy kind planted in every language, each value in a leaf of
// its document (a decoy recorded but left out would count as one that
// survived).
func TestContextPlanted(t *testing.T) {
	c := Generate(9, 200)
	texts := make([]string, len(c.Docs))
	for i, d := range c.Docs {
		dec := json.NewDecoder(bytes.NewReader(d))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		texts[i] = strings.Join(leavesOf(v), "\n")
	}
	plants, decoys := map[string]int{}, map[string]int{}
	for _, p := range c.Plants {
		if p.Cue == "" {
			continue
		}
		plants[p.Detector+"/"+p.Lang]++
		if !strings.Contains(texts[p.Doc], p.Value) {
			t.Errorf("doc %d: %s %q missing", p.Doc, p.Detector, p.Value)
		}
	}
	for _, d := range c.Decoys {
		if d.Cue == "" {
			continue
		}
		decoys[d.Kind]++
		if !strings.Contains(texts[d.Doc], d.Value) {
			t.Errorf("doc %d: %s decoy %q missing", d.Doc, d.Kind, d.Value)
		}
	}
	for _, det := range FreeTextDetectors {
		for _, l := range languages {
			if plants[det+"/"+l.code] == 0 {
				t.Errorf("no %s in %s in 200 documents", det, l.code)
			}
		}
	}
	if plants["date_of_birth/"] == 0 {
		t.Error("no date_of_birth under a member name in 200 documents")
	}
	labels := map[string]bool{}
	for _, l := range languages {
		for _, c := range append(slices.Clone(l.nameCues), l.titled...) {
			labels[l.code+"/"+c.label] = true
		}
	}
	for k := range gendered {
		if !labels[k] {
			t.Errorf("gendered cue %s is no name cue", k)
		}
	}
	for _, k := range ContextDecoys {
		if decoys[k] < 20 {
			t.Errorf("decoy %s: %d in 200 documents", k, decoys[k])
		}
	}
}

// leavesOf returns the string values and number literals of a document
// decoded with UseNumber.
func leavesOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case json.Number:
		return []string{string(v)}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, leavesOf(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, leavesOf(x)...)
		}
		return out
	}
	return nil
}
