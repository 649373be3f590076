package corpus

import "strings"

// The quality gates both quality tests (package detect on its own, package
// rules through Program.Apply) hold the detectors to.
const (
	// MinRecallChecksummed is the recall gate of checksummed detectors (credit_card, iban).
	MinRecallChecksummed = 0.99
	// MinRecall is the recall gate of the other detectors.
	MinRecall = 0.97
	// MinDecoySurvival is the share of decoys that must survive untouched.
	MinDecoySurvival = 0.99
)

// MinRecallFor returns the recall gate of a detector.
func MinRecallFor(detector string) float64 {
	if detector == "credit_card" || detector == "iban" {
		return MinRecallChecksummed
	}
	return MinRecall
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
