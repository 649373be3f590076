package corpus

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The quality gates both quality tests (package detect on its own, package
// rules through Program.Apply) hold the detectors to.
const (
	// MinRecallChecksummed is the recall gate of checksummed detectors
	// (credit_card, iban) and of the credentials with a fixed prefix or
	// context (credentialDetectors).
	MinRecallChecksummed = 0.99
	// MinRecall is the recall gate of the other detectors.
	MinRecall = 0.97
	// MinDecoySurvival is the share of the decoys of each kind that must
	// survive untouched.
	MinDecoySurvival = 0.99
	// MinIntegerIDSurvival is the survival gate of integer_id: random
	// integer ids under identifier and quantity keys, of which at most
	// 0.5 % may change.
	MinIntegerIDSurvival = 0.995
)

// minRecallFreeText are the recall gates of FreeTextDetectors.
var minRecallFreeText = map[string]float64{"person_name": 0.85, "street_address": 0.90, "date_of_birth": 0.95}

// MinRecallFor returns the recall gate of a detector.
func MinRecallFor(detector string) float64 {
	if r, ok := minRecallFreeText[detector]; ok {
		return r
	}
	if detector == "credit_card" || detector == "iban" || slices.Contains(credentialDetectors, detector) {
		return MinRecallChecksummed
	}
	return MinRecall
}

// MinSurvivalFor returns the survival gate of a decoy kind.
func MinSurvivalFor(kind string) float64 {
	if kind == "integer_id" {
		return MinIntegerIDSurvival
	}
	return MinDecoySurvival
}

// Occurrences returns the byte ranges of s in text, overlapping ones included.
func Occurrences(text, s string) [][2]int {
	var out [][2]int
	for off := 0; ; {
		k := strings.Index(text[off:], s)
		if k < 0 {
			return out
		}
		out = append(out, [2]int{off + k, off + k + len(s)})
		off += k + 1
	}
}

// OverlapsPlant reports whether the range o of text overlaps an occurrence of
// a value planted in document doc (a decoy that happens to sit inside a
// planted value is not the decoy's failure).
func (c *Corpus) OverlapsPlant(doc int, text string, o [2]int) bool {
	for _, p := range c.Plants {
		if p.Doc != doc {
			continue
		}
		for _, po := range Occurrences(text, p.Value) {
			if po[0] < o[1] && o[0] < po[1] {
				return true
			}
		}
	}
	return false
}

// Tally counts the values of one detector or decoy kind: how many were
// planted, and how many came out right (found, or left alone).
type Tally struct{ Planted, OK int }

// Add counts one more planted value (or decoy), right when ok.
func (t *Tally) Add(ok bool) {
	t.Planted++
	if ok {
		t.OK++
	}
}

// Rate is the share that came out right.
func (t Tally) Rate() float64 { return float64(t.OK) / float64(t.Planted) }

// Tallies holds a Tally per detector or decoy kind.
type Tallies map[string]*Tally

// Of returns the Tally of kind, adding it when it is new.
func (ts Tallies) Of(kind string) *Tally {
	t := ts[kind]
	if t == nil {
		t = &Tally{}
		ts[kind] = t
	}
	return t
}

// Add counts one more value of kind, right when ok; an empty kind (a value
// planted without a spelling, say) is not counted.
func (ts Tallies) Add(kind string, ok bool) {
	if kind != "" {
		ts.Of(kind).Add(ok)
	}
}

// DecoyTable renders decoy survival per kind (with its gate), then for all
// decoys, as the Markdown table the quality documents show.
func DecoyTable(decoys Tallies) string {
	var b strings.Builder
	b.WriteString("| decoy kind | planted | survived | survival | gate |\n|---|---:|---:|---:|---:|\n")
	for _, k := range slices.Sorted(maps.Keys(decoys)) {
		d := decoys[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.3f |\n", k, d.Planted, d.OK, d.Rate(), MinSurvivalFor(k))
	}
	all := sum(decoys)
	fmt.Fprintf(&b, "| **all decoys** | %d | %d | %.4f | |\n", all.Planted, all.OK, all.Rate())
	return b.String()
}

// GateFailures lists the quality gates missed: a detector of Detectors whose
// recall is below MinRecallFor (or that has nothing planted), a decoy kind
// whose survival is below MinSurvivalFor (or, of ContextDecoys, that has
// nothing planted).
func GateFailures(recall, decoys Tallies) []string {
	var out []string
	for _, name := range Detectors {
		switch r := recall[name]; {
		case r == nil || r.Planted == 0:
			out = append(out, name+": nothing planted")
		case r.Rate() < MinRecallFor(name):
			out = append(out, fmt.Sprintf("%s: recall %.4f below %.2f", name, r.Rate(), MinRecallFor(name)))
		}
	}
	for _, k := range ContextDecoys {
		if d := decoys[k]; d == nil || d.Planted == 0 {
			out = append(out, "decoy "+k+": nothing planted")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(decoys)) {
		if d := decoys[k]; d.Planted > 0 && d.Rate() < MinSurvivalFor(k) {
			out = append(out, fmt.Sprintf("decoy %s: survival %.4f below %.3f", k, d.Rate(), MinSurvivalFor(k)))
		}
	}
	return out
}

// sum adds up tallies.
func sum(ts Tallies) (all Tally) {
	for _, t := range ts {
		all.Planted += t.Planted
		all.OK += t.OK
	}
	return all
}

// SpellingTable renders, per spelling of Spellings, the recall of the values
// planted in it and the survival of the decoys written the same way, as the
// Markdown table the quality documents show.
func SpellingTable(spellings []string, recall, decoys Tallies) string {
	var b strings.Builder
	b.WriteString("| spelling | planted | found | recall | decoys | survived | survival |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range spellings {
		r, d := recall.Of(s), decoys.Of(s)
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %d | %d | %.4f |\n", s, r.Planted, r.OK, r.Rate(), d.Planted, d.OK, d.Rate())
	}
	return b.String()
}

// SpellingGateFailures lists the spellings of Spellings with nothing
// planted, recall below MinRecallSpelled or decoy survival below
// MinDecoySurvival.
func SpellingGateFailures(spellings []string, recall, decoys Tallies) []string {
	var out []string
	for _, s := range spellings {
		r, d := recall[s], decoys[s]
		switch {
		case r == nil || r.Planted == 0:
			out = append(out, "spelling "+s+": nothing planted")
		case r.Rate() < MinRecallSpelled:
			out = append(out, fmt.Sprintf("spelling %s: recall %.4f below %.2f", s, r.Rate(), MinRecallSpelled))
		}
		if d != nil && d.Planted > 0 && d.Rate() < MinDecoySurvival {
			out = append(out, fmt.Sprintf("spelling %s: decoy survival %.4f below %.2f", s, d.Rate(), MinDecoySurvival))
		}
	}
	return out
}
