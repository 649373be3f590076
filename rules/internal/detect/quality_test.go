package detect_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/rules/internal/detect"
)

// The corpus TestQuality measures on. It checks the share of planted values
// fully covered by spans, per detector, and the share of decoys no span
// touches, against the gates in package corpus.
const (
	qualitySeed = 42
	qualityDocs = 1500
)

// leaf is a string value (or number literal) of a document.
type leaf struct {
	text   string
	number bool
}

func leaves(t testing.TB, doc []byte) []leaf {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var out []leaf
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, leaf{text: v})
		case json.Number:
			out = append(out, leaf{text: string(v), number: true})
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
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

func TestQuality(t *testing.T) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := corpus.Generate(qualitySeed, qualityDocs)
	docs := make([][]found, len(c.Docs))
	for i, d := range c.Docs {
		for _, l := range leaves(t, d) {
			f := found{leaf: l}
			if l.number {
				if det, ok := set.MatchNumber([]byte(l.text), 0); ok {
					f.spans = []detect.Span{{Start: 0, End: len(l.text), Detector: det}}
				}
			} else {
				f.spans = set.FindString([]byte(l.text), nil)
			}
			docs[i] = append(docs[i], f)
		}
	}
	spelled, spelledDecoys := corpus.Tallies{}, corpus.Tallies{}
	rows := map[string]*qualityRow{}
	for _, name := range corpus.Detectors {
		rows[name] = &qualityRow{}
	}
	for _, p := range c.Plants {
		det, _ := set.Index(p.Detector)
		r := rows[p.Detector]
		r.Planted++
		seen, ok, byDet := false, true, false
		for _, f := range docs[p.Doc] {
			if f.leaf.number != p.Number {
				continue
			}
			for _, o := range corpus.Occurrences(f.leaf.text, p.Value) {
				seen = true
				all, by := covered(f.spans, o[0], o[1], det)
				ok = ok && all
				byDet = byDet || by
			}
		}
		if !seen {
			t.Fatalf("doc %d: planted %s %q not in the document", p.Doc, p.Detector, p.Value)
		}
		if ok {
			r.OK++
		} else if testing.Verbose() {
			t.Logf("missed %s %q", p.Detector, p.Value)
		}
		spelled.Add(p.Spelling, ok)
		if ok && byDet {
			r.attributed++
		}
	}
	decoys := corpus.Tallies{}
	for _, d := range c.Decoys {
		hit := ""
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
					}
				}
			}
		}
		decoys.Add(d.Kind, hit == "")
		spelledDecoys.Add(d.Spelling, hit == "")
		if hit != "" && testing.Verbose() {
			t.Logf("decoy %s %q hit by %s", d.Kind, d.Value, hit)
		}
	}
	table := qualityTable(rows, decoys) + "\n" + corpus.SpellingTable(corpus.Spellings, spelled, spelledDecoys)
	t.Log("\n" + table)
	if path := os.Getenv("VEIL_QUALITY_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	recall := corpus.Tallies{}
	for name, r := range rows {
		recall[name] = &r.Tally
	}
	for _, f := range append(corpus.GateFailures(recall, decoys), corpus.SpellingGateFailures(corpus.Spellings, spelled, spelledDecoys)...) {
		t.Error(f)
	}
}

func qualityTable(rows map[string]*qualityRow, decoys corpus.Tallies) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| detector | planted | found | recall | by this detector |\n|---|---:|---:|---:|---:|\n")
	for _, name := range corpus.Detectors {
		r := rows[name]
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %d |\n", name, r.Planted, r.OK, r.Rate(), r.attributed)
	}
	b.WriteString("\n" + corpus.DecoyTable(decoys))
	return b.String()
}
