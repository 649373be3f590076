package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/corpus"
	"github.com/veilproxy/veil/rules/internal/detect"
)

// qualityRules has one rule per built-in detector, redacting to its name.
func qualityRules() string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for _, name := range detect.Builtins() {
		fmt.Fprintf(&b, "  - {id: %s, select: {detect: [%s]}, action: {redact: {with: \"[%s]\"}}}\n", name, name, name)
	}
	return b.String()
}

// jsonLeaf is a string value or number of a document, in document order.
type jsonLeaf struct {
	text   string
	number bool
}

func jsonLeaves(t *testing.T, doc []byte) []jsonLeaf {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out []jsonLeaf
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case string:
			out = append(out, jsonLeaf{text: v}) // member names too: they pair up in order
		case json.Number:
			out = append(out, jsonLeaf{text: string(v), number: true})
		}
	}
}

// TestEngineQuality measures detector quality through the engine: the corpus
// package detect measures on (bench/corpus) goes through Program.Apply
// with one rule per built-in detector. A planted value is found when no leaf
// of the output that held it still holds it; a decoy survives when every leaf
// that held it (outside planted values) still holds it byte for byte; the
// same per spelling of corpus.Spellings. Run with -v for the tables
// (VEIL_QUALITY_OUT=file writes them).
func TestEngineQuality(t *testing.T) {
	p := mustCompile(t, qualityRules())
	c := corpus.Generate(42, 1500)
	ins := make([][]jsonLeaf, len(c.Docs))
	outs := make([][]jsonLeaf, len(c.Docs))
	reported := map[string]int{}
	for i, d := range c.Docs {
		out, rep, err := p.Apply(d, Input{Direction: Request})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			reported[f.Rule] += f.Count
		}
		ins[i], outs[i] = jsonLeaves(t, d), jsonLeaves(t, out)
		if len(ins[i]) != len(outs[i]) {
			t.Fatalf("doc %d: %d leaves in, %d out", i, len(ins[i]), len(outs[i]))
		}
	}
	rows, decoys, spelled, spelledDecoys := engineTallies(t, c, ins, outs)
	table := engineTable(rows, decoys, reported) + "\n" + corpus.SpellingTable(corpus.Spellings, spelled, spelledDecoys)
	t.Log("\n" + table)
	if path := os.Getenv("VEIL_QUALITY_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range append(corpus.GateFailures(rows, decoys), corpus.SpellingGateFailures(corpus.Spellings, spelled, spelledDecoys)...) {
		t.Error(f)
	}
}

// engineTallies compares the leaves of each document before (ins) and after
// (outs) the engine: per detector, the planted values gone; per decoy kind,
// the decoys kept; and the same per spelling of corpus.Spellings.
func engineTallies(t *testing.T, c *corpus.Corpus, ins, outs [][]jsonLeaf) (rows, decoys, spelled, spelledDecoys corpus.Tallies) {
	rows, decoys, spelled, spelledDecoys = corpus.Tallies{}, corpus.Tallies{}, corpus.Tallies{}, corpus.Tallies{}
	for _, p := range c.Plants {
		gone := true
		for k, l := range ins[p.Doc] {
			if l.number == p.Number && strings.Contains(l.text, p.Value) && strings.Contains(outs[p.Doc][k].text, p.Value) {
				gone = false
			}
		}
		rows.Add(p.Detector, gone)
		if !gone && testing.Verbose() {
			t.Logf("missed %s %q", p.Detector, p.Value)
		}
		spelled.Add(p.Spelling, gone)
	}
	for _, d := range c.Decoys {
		ok := true
		for k, l := range ins[d.Doc] {
			if l.number != d.Number {
				continue
			}
			want := 0
			for _, o := range corpus.Occurrences(l.text, d.Value) {
				if !c.OverlapsPlant(d.Doc, l.text, o) {
					want++
				}
			}
			if want > 0 && strings.Count(outs[d.Doc][k].text, d.Value) < want {
				ok = false
			}
		}
		decoys.Add(d.Kind, ok)
		if !ok && testing.Verbose() {
			t.Logf("decoy %s %q changed", d.Kind, d.Value)
		}
		spelledDecoys.Add(d.Spelling, ok)
	}
	return rows, decoys, spelled, spelledDecoys
}

// TestEngineQualityInnerJSON measures the same through documents held in a
// JSON string (json_in_strings), in each spelling of corpus.InnerSpellings:
// plain, first character escaped, escaped whitespace or a byte-order mark
// before it, encoded twice. Per spelling, each detector is held to its own
// recall gate and each decoy kind to its survival gate
// (corpus.GateFailures, as TestEngineQuality does): the free-text
// detectors have lower gates than the structured ones, so one recall over
// all of them would say little. Run with -v for the tables.
func TestEngineQualityInnerJSON(t *testing.T) {
	p := mustCompile(t, "json_in_strings: true\n"+qualityRules())
	c := corpus.Generate(7, 300)
	found, kept := corpus.Tallies{}, corpus.Tallies{}
	recall := map[string]corpus.Tallies{} // by spelling, by detector
	var failures []string
	for _, spelling := range corpus.InnerSpellings {
		ins := make([][]jsonLeaf, len(c.Docs))
		outs := make([][]jsonLeaf, len(c.Docs))
		for i, d := range c.Docs {
			out, _, err := p.Apply(corpus.Enclose(d, spelling), Input{Direction: Request})
			if err != nil {
				t.Fatalf("%s, doc %d: %v", spelling, i, err)
			}
			inner, err := corpus.Disclose(out, spelling)
			if err != nil || !json.Valid(inner) {
				t.Fatalf("%s, doc %d: the document held in the string is no longer one (%v):\n%s", spelling, i, err, out)
			}
			ins[i], outs[i] = jsonLeaves(t, d), jsonLeaves(t, inner)
			if len(ins[i]) != len(outs[i]) {
				t.Fatalf("%s, doc %d: %d leaves in, %d out", spelling, i, len(ins[i]), len(outs[i]))
			}
		}
		rows, decoys, _, _ := engineTallies(t, c, ins, outs)
		recall[spelling] = rows
		f, k := found.Of(spelling), kept.Of(spelling)
		for _, r := range rows {
			f.Planted += r.Planted
			f.OK += r.OK
		}
		for _, r := range decoys {
			k.Planted += r.Planted
			k.OK += r.OK
		}
		for _, msg := range corpus.GateFailures(rows, decoys) {
			failures = append(failures, spelling+": "+msg)
		}
	}
	table := innerRecallTable(recall) + "\n" + corpus.SpellingTable(corpus.InnerSpellings, found, kept)
	t.Log("\n" + table)
	if path := os.Getenv("VEIL_QUALITY_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
}

// innerRecallTable shows the recall of each detector (rows) in each
// spelling of corpus.InnerSpellings (columns), with its gate.
func innerRecallTable(recall map[string]corpus.Tallies) string {
	var b strings.Builder
	b.WriteString("| detector | gate |")
	for _, s := range corpus.InnerSpellings {
		b.WriteString(" " + s + " |")
	}
	b.WriteString("\n|---|---:|" + strings.Repeat("---:|", len(corpus.InnerSpellings)) + "\n")
	for _, name := range corpus.Detectors {
		fmt.Fprintf(&b, "| %s | %.2f |", name, corpus.MinRecallFor(name))
		for _, s := range corpus.InnerSpellings {
			r := recall[s].Of(name)
			fmt.Fprintf(&b, " %d/%d (%.4f) |", r.OK, r.Planted, r.Rate())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func engineTable(rows, decoys corpus.Tallies, reported map[string]int) string {
	var b strings.Builder
	b.WriteString("| detector | planted | gone from output | recall | spans reported by its rule |\n|---|---:|---:|---:|---:|\n")
	for _, name := range corpus.Detectors {
		if r := rows[name]; r != nil {
			fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %d |\n", name, r.Planted, r.OK, r.Rate(), reported[name])
		}
	}
	b.WriteString("\n" + corpus.DecoyTable(decoys))
	return b.String()
}

// TestNameQuality measures key and path selection over member-name
// spellings: the documents of corpus.Names go through the rule sets of
// corpus.NameRules ("keys", then "paths"). A planted value is selected when
// it is gone from the output (redacted); a near miss (and, for paths, a
// spelling with separators) must stay. The gate is 100 % for both.
func TestNameQuality(t *testing.T) {
	c := corpus.Names(42, 1000)
	type row struct{ selected, kept [2]corpus.Tally } // by kind
	rows := map[string]*row{}
	for k, kind := range []string{"keys", "paths"} {
		p := mustCompile(t, corpus.NameRules(kind))
		outs := make([][]byte, len(c.Docs))
		for i, d := range c.Docs {
			out, _, err := p.Apply(d, Input{Direction: Request})
			if err != nil {
				t.Fatalf("doc %d: %v\n%s", i, err, d)
			}
			outs[i] = out
		}
		for _, pl := range c.Plants {
			r := rows[pl.Class]
			if r == nil {
				r = &row{}
				rows[pl.Class] = r
			}
			gone := !bytes.Contains(outs[pl.Doc], []byte(pl.Value))
			tally, ok := &r.selected[k], gone
			if pl.Miss || kind == "paths" && pl.KeyOnly {
				tally, ok = &r.kept[k], !gone
			}
			tally.Add(ok)
			if !ok {
				t.Errorf("%s: %s %q (%s) %s", kind, pl.Class, pl.Spelling, pl.Value, map[bool]string{true: "removed", false: "kept"}[gone])
			}
		}
	}
	var b strings.Builder
	b.WriteString("| class | keys: selected / to select | paths: selected / to select | keys: kept / to keep | paths: kept / to keep |\n|---|---:|---:|---:|---:|\n")
	for _, cl := range corpus.NameClasses {
		r := rows[cl.Class]
		if r == nil || r.selected[0].Planted == 0 {
			t.Errorf("%s: nothing planted", cl.Class)
			continue
		}
		if r.kept[0].Planted == 0 {
			t.Errorf("%s: no near miss planted", cl.Class)
		}
		fmt.Fprintf(&b, "| %s | %d / %d | %d / %d | %d / %d | %d / %d |\n", cl.Class, r.selected[0].OK, r.selected[0].Planted,
			r.selected[1].OK, r.selected[1].Planted, r.kept[0].OK, r.kept[0].Planted, r.kept[1].OK, r.kept[1].Planted)
	}
	t.Log("\n" + b.String())
}
