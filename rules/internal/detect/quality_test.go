package detect_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/rules/internal/detect"
)

// The corpus TestQuality measures on. It checks the share of planted values
// fully covered by spans, per detector, and the share of decoys no span
// touches, per kind, against the gates in package corpus.
const (
	qualitySeed = 42
	qualityDocs = 1500
)

// leaf is a string value (or number literal) of a document, with the hint
// of its member names.
type leaf struct {
	text   string
	number bool
	hint   detect.Hint
}

// maxHintNames is how many member names, from the value's own up, keyHint
// reads while they are generic ("value", "number").
const maxHintNames = 3

// keyHint returns the hint of a value under the member names path (outermost
// first, array indices left out), as the rules engine computes it (hintOf in
// package rules): the classes of the nearest name that says more than
// detect.HintGeneric; a generic name defers to its parent's, at most
// maxHintNames names up. A name of no class ends the search with no hint.
func keyHint(path []string) detect.Hint {
	for i := len(path) - 1; i >= 0 && i >= len(path)-maxHintNames; i-- {
		if h := detect.KeyHint([]byte(path[i])); h != detect.HintGeneric {
			return h
		}
	}
	return 0
}

func leaves(t testing.TB, doc []byte) []leaf {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var out []leaf
	var walk func(any, []string)
	walk = func(v any, path []string) {
		switch v := v.(type) {
		case string:
			out = append(out, leaf{text: v, hint: keyHint(path)})
		case json.Number:
			out = append(out, leaf{text: string(v), number: true, hint: keyHint(path)})
		case []any:
			for _, x := range v {
				walk(x, path)
			}
		case map[string]any:
			for k, x := range v {
				walk(x, append(path[:len(path):len(path)], k))
			}
		}
	}
	walk(v, nil)
	return out
}

type found struct {
	leaf  leaf
	spans []detect.Span
}

// covered reports whether spans cover [a, b) entirely, and whether one of
// them came from detector det.
func covered(spans []detect.Span, a, b, det int) (all, byDet bool) {
	pos := a
	for _, sp := range spans {
		if sp.Start < b && a < sp.End && sp.Detector == det {
			byDet = true
		}
		if sp.Start <= pos && sp.End > pos {
			pos = sp.End
		}
	}
	return pos >= b, byDet
}

// qualityRow counts a detector's plants: found, and found by that detector.
type qualityRow struct {
	corpus.Tally
	attributed int
}

// misses counts what went wrong per class (a detector's missed plants, a
// decoy kind's hits) by what surrounded it, with an example of each.
type misses map[string]map[string]*miss

type miss struct {
	n       int
	example string
}

func (m misses) add(class, why, example string) {
	if m[class] == nil {
		m[class] = map[string]*miss{}
	}
	e := m[class][why]
	if e == nil {
		e = &miss{example: example}
		m[class][why] = e
	}
	e.n++
}

// top renders, per class, the most frequent reasons (at most n) with an
// example each.
func (m misses) top(n int) string {
	var b strings.Builder
	for _, class := range slices.Sorted(maps.Keys(m)) {
		whys := slices.SortedFunc(maps.Keys(m[class]), func(a, b string) int {
			return cmp.Or(m[class][b].n-m[class][a].n, strings.Compare(a, b))
		})
		fmt.Fprintf(&b, "%s:\n", class)
		for _, w := range whys[:min(n, len(whys))] {
			fmt.Fprintf(&b, "  %4d  %s  e.g. %s\n", m[class][w].n, w, m[class][w].example)
		}
	}
	return b.String()
}

// snippet returns text around the first occurrence of v, on one line.
func snippet(text, v string) string {
	i := strings.Index(text, v)
	if i < 0 {
		return fmt.Sprintf("%q", v)
	}
	a, b := max(0, i-40), min(len(text), i+len(v)+20)
	for a > 0 && text[a]&0xC0 == 0x80 {
		a--
	}
	for b < len(text) && text[b]&0xC0 == 0x80 {
		b++
	}
	return fmt.Sprintf("%q in %q", v, text[a:b])
}

func TestQuality(t *testing.T) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := set.MaskAll()
	c := corpus.Generate(qualitySeed, qualityDocs)
	docs := make([][]found, len(c.Docs))
	for i, d := range c.Docs {
		for _, l := range leaves(t, d) {
			f := found{leaf: l}
			if l.number {
				if det, _, ok := set.MatchNumberIn([]byte(l.text), all, l.hint); ok {
					f.spans = []detect.Span{{Start: 0, End: len(l.text), Detector: det}}
				}
			} else {
				f.spans = set.FindStringAt([]byte(l.text), all, l.hint, nil, nil)
			}
			docs[i] = append(docs[i], f)
		}
	}
	spelled, spelledDecoys, byLang := corpus.Tallies{}, corpus.Tallies{}, corpus.Tallies{}
	missed, hits := misses{}, misses{}
	rows := map[string]*qualityRow{}
	for _, name := range corpus.Detectors {
		rows[name] = &qualityRow{}
	}
	for _, p := range c.Plants {
		det, _ := set.Index(p.Detector)
		r := rows[p.Detector]
		r.Planted++
		seen, ok, byDet := false, true, false
		example := ""
		for _, f := range docs[p.Doc] {
			if f.leaf.number != p.Number {
				continue
			}
			for _, o := range corpus.Occurrences(f.leaf.text, p.Value) {
				seen = true
				all, by := covered(f.spans, o[0], o[1], det)
				ok = ok && all
				byDet = byDet || by
				if !all && example == "" {
					example = snippet(f.leaf.text, p.Value)
				}
			}
		}
		if !seen {
			t.Fatalf("doc %d: planted %s %q not in the document", p.Doc, p.Detector, p.Value)
		}
		if ok {
			r.OK++
		} else {
			missed.add(p.Detector, cueOf(p.Lang, p.Cue), example)
			if testing.Verbose() {
				t.Logf("missed %s %s", p.Detector, example)
			}
		}
		spelled.Add(p.Spelling, ok)
		if p.Cue != "" {
			byLang.Add(p.Detector+"\x00"+cmp.Or(p.Lang, "key"), ok)
		}
		if ok && byDet {
			r.attributed++
		}
	}
	decoys := corpus.Tallies{}
	for _, d := range c.Decoys {
		hit, example := "", ""
		for _, f := range docs[d.Doc] {
			if f.leaf.number != d.Number {
				continue
			}
			for _, o := range corpus.Occurrences(f.leaf.text, d.Value) {
				if c.OverlapsPlant(d.Doc, f.leaf.text, o) {
					continue
				}
				for _, sp := range f.spans {
					if sp.Start < o[1] && o[0] < sp.End {
						hit = set.Names()[sp.Detector]
						example = snippet(f.leaf.text, d.Value)
					}
				}
			}
		}
		decoys.Add(d.Kind, hit == "")
		spelledDecoys.Add(d.Spelling, hit == "")
		if hit != "" {
			hits.add(d.Kind, cueOf(d.Lang, d.Cue)+" → "+hit, example)
			if testing.Verbose() {
				t.Logf("decoy %s %s hit by %s", d.Kind, example, hit)
			}
		}
	}
	table := qualityTable(rows, decoys) + "\n" + langTable(byLang) + "\n" +
		corpus.SpellingTable(corpus.Spellings, spelled, spelledDecoys) + "\n" + withoutHints(set, c)
	t.Log("\n" + table)
	t.Log("top misses (count, surroundings, example):\n" + missed.top(8) + "\ntop decoy hits (count, surroundings → detector, example):\n" + hits.top(8))
	recall := corpus.Tallies{}
	for name, r := range rows {
		recall[name] = &r.Tally
	}
	for env, text := range map[string]string{"VEIL_QUALITY_OUT": table, "VEIL_QUALITY_README": readmeTable(recall, decoys)} {
		if path := os.Getenv(env); path != "" {
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range append(corpus.GateFailures(recall, decoys), corpus.SpellingGateFailures(corpus.Spellings, spelled, spelledDecoys)...) {
		t.Error(f)
	}
}

// cueOf names the surroundings of a plant or decoy in the lists of misses.
func cueOf(lang, cue string) string {
	switch {
	case cue == "":
		return "(generated document)"
	case lang == "":
		return cue
	}
	return lang + ": " + cue
}

func qualityTable(rows map[string]*qualityRow, decoys corpus.Tallies) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| detector | planted | found | recall | gate | by this detector |\n|---|---:|---:|---:|---:|---:|\n")
	for _, name := range corpus.Detectors {
		r := rows[name]
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.2f | %d |\n", name, r.Planted, r.OK, r.Rate(), corpus.MinRecallFor(name), r.attributed)
	}
	b.WriteString("\n" + corpus.DecoyTable(decoys))
	return b.String()
}

// langTable renders the recall of the values planted in the thread's
// messages per detector and language, and under member names ("key").
func langTable(byLang corpus.Tallies) string {
	var b strings.Builder
	b.WriteString("| in context | en | de | fr | es | key |\n|---|---:|---:|---:|---:|---:|\n")
	for _, name := range corpus.Detectors {
		var cells []string
		some := false
		for _, l := range []string{"en", "de", "fr", "es", "key"} {
			t := byLang[name+"\x00"+l]
			if t == nil {
				cells = append(cells, "—")
				continue
			}
			some = true
			cells = append(cells, fmt.Sprintf("%d/%d", t.OK, t.Planted))
		}
		if some {
			fmt.Fprintf(&b, "| %s | %s |\n", name, strings.Join(cells, " | "))
		}
	}
	return b.String()
}

// withoutHints says how many integer ids the number detectors would take
// without their member names: what the hint saves.
func withoutHints(set *detect.Set, c *corpus.Corpus) string {
	n, taken := 0, 0
	for _, d := range c.Decoys {
		if d.Kind == "integer_id" {
			n++
			if _, _, ok := set.MatchNumberIn([]byte(d.Value), set.MaskAll(), 0); ok {
				taken++
			}
		}
	}
	return fmt.Sprintf("Without their member names, %d of the %d integer ids (%.2f %%) would be taken for a card or a phone number.\n",
		taken, n, 100*float64(taken)/float64(max(n, 1)))
}

// readmeTable renders every class, detectors then decoy kinds, with its
// measure and gate: the table of the top-level README.
func readmeTable(recall, decoys corpus.Tallies) string {
	var b strings.Builder
	b.WriteString("| class | values | recall (found) or survival (left alone) | gate |\n|---|---:|---:|---:|\n")
	for _, name := range corpus.Detectors {
		r := recall[name]
		fmt.Fprintf(&b, "| `%s` | %d | %.4f | ≥ %.2f |\n", name, r.Planted, r.Rate(), corpus.MinRecallFor(name))
	}
	for _, k := range slices.Sorted(maps.Keys(decoys)) {
		d := decoys[k]
		fmt.Fprintf(&b, "| decoy `%s` | %d | %.4f | ≥ %.3g |\n", k, d.Planted, d.Rate(), corpus.MinSurvivalFor(k))
	}
	return b.String()
}
