package detect_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/rules/internal/detect"
)

// The recognizer test suites of other open-source PII tools, read as facts:
// testdata/recognizers/*.json hold their cases (text, the spans the tool
// expects, whether the text holds personal data of the entity; README.md
// there says how they were extracted and under which licence).
// TestRecognizerSuites applies a Set of every built-in to each case and
// measures per entity how often Veil agrees with the tool, counting only the
// cases where the tool's verdict and the personal-data verdict agree:
//
//   - a positive (the tool reports spans, the text is personal data) agrees
//     when spans of the entity's detectors cover each expected span;
//   - a negative (the tool reports nothing, the text holds no personal data
//     of the entity) agrees when no span of the entity's detectors is found;
//   - the other cases (a weak or low-confidence finding of the tool, an
//     address that identifies no host, a value the tool's pattern rejects
//     for its spelling while the account is valid) are excluded, and logged
//     with what Veil makes of them.
//
// The gate is an agreement of at least 90 % of the cases of all
// suites together, per entity, for cards, SSNs, IBANs, IPs and emails (the
// suites are small: one case of six is 17 %); each suite's own table is
// logged too. Phone, street address and date-of-birth cases are measured and
// logged, not gated.

// recognizerSuite is one file of testdata/recognizers.
type recognizerSuite struct {
	Tool    string           `json:"tool"`
	Repo    string           `json:"repo"`
	Commit  string           `json:"commit"`
	Licence string           `json:"licence"`
	Files   []string         `json:"files"`
	Cases   []recognizerCase `json:"cases"`
}

// recognizerCase is one case of a tool's test: its entity (the tool's
// name), text and expected byte spans, whether the text holds personal data
// of the entity, and why.
type recognizerCase struct {
	Entity   string   `json:"entity"`
	Text     string   `json:"text"`
	Expected [][2]int `json:"expected"`
	Personal bool     `json:"personal"`
	Reason   string   `json:"reason"`
	Source   string   `json:"source"`
}

// recognizerEntity maps a tool's entity to the built-ins that find it.
type recognizerEntity struct {
	detectors []string
	gated     bool
}

var recognizerEntities = map[string]recognizerEntity{
	"CREDIT_CARD":    {detectors: []string{"credit_card"}, gated: true},
	"US_SSN":         {detectors: []string{"us_ssn"}, gated: true},
	"IBAN_CODE":      {detectors: []string{"iban"}, gated: true},
	"IP_ADDRESS":     {detectors: []string{"ipv4", "ipv6"}, gated: true},
	"EMAIL_ADDRESS":  {detectors: []string{"email"}, gated: true},
	"PHONE_NUMBER":   {detectors: []string{"phone"}},
	"STREET_ADDRESS": {detectors: []string{"street_address"}},
	"DATE_OF_BIRTH":  {detectors: []string{"date_of_birth"}},
}

// recognizerGate is the least share of counted cases Veil must agree on, per
// gated entity.
const recognizerGate = 0.90

// recognizerTally counts one entity's cases of one suite.
type recognizerTally struct {
	pos, posAgree, neg, negAgree, excluded, excludedFound int
}

func (t recognizerTally) agreement() float64 {
	if n := t.pos + t.neg; n > 0 {
		return float64(t.posAgree+t.negAgree) / float64(n)
	}
	return 1
}

func loadRecognizerSuites(t *testing.T) map[string]recognizerSuite {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "recognizers", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no suites in testdata/recognizers (%v)", err)
	}
	suites := map[string]recognizerSuite{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s recognizerSuite
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if s.Tool == "" || s.Commit == "" || s.Licence == "" || len(s.Cases) == 0 {
			t.Fatalf("%s: tool, commit, licence and cases are required", f)
		}
		suites[filepath.Base(f)] = s
	}
	return suites
}

// spanCover reports whether the spans of the detectors in dets cover
// [a, b) entirely (spans are sorted by start).
func spanCover(spans []detect.Span, dets []int, a, b int) bool {
	pos := a
	for _, sp := range spans {
		if slices.Contains(dets, sp.Detector) && sp.Start <= pos && sp.End > pos {
			pos = sp.End
		}
	}
	return pos >= b
}

func TestRecognizerSuites(t *testing.T) {
	set, err := detect.NewSet(detect.Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := set.Names()
	suites := loadRecognizerSuites(t)
	pooled := map[string]*recognizerTally{}
	var spans []detect.Span
	for _, file := range slices.Sorted(maps.Keys(suites)) {
		s := suites[file]
		tallies := map[string]*recognizerTally{}
		for _, c := range s.Cases {
			ent, ok := recognizerEntities[c.Entity]
			if !ok {
				t.Fatalf("%s %s: unknown entity %q", file, c.Source, c.Entity)
			}
			var dets []int
			for _, d := range ent.detectors {
				i, _ := set.Index(d)
				dets = append(dets, i)
			}
			for _, m := range []map[string]*recognizerTally{tallies, pooled} {
				if m[c.Entity] == nil {
					m[c.Entity] = &recognizerTally{}
				}
			}
			tl := tallies[c.Entity]
			text := []byte(c.Text)
			spans = set.FindString(text, spans[:0])
			var found []string
			for _, sp := range spans {
				found = append(found, fmt.Sprintf("%s [%d,%d) %q", names[sp.Detector], sp.Start, sp.End, text[sp.Start:sp.End]))
			}
			entityFound := slices.ContainsFunc(spans, func(sp detect.Span) bool { return slices.Contains(dets, sp.Detector) })
			where := fmt.Sprintf("%s %s (%s)", s.Tool, c.Entity, c.Source)
			switch positive := len(c.Expected) > 0; {
			case positive && c.Personal:
				tl.pos++
				agree := true
				for _, e := range c.Expected {
					if !spanCover(spans, dets, e[0], e[1]) {
						agree = false
					}
				}
				if agree {
					tl.posAgree++
				} else {
					t.Logf("disagree %s: %q: expects %v (%s); Veil finds %v", where, c.Text, c.Expected, c.Reason, found)
				}
			case !positive && !c.Personal:
				tl.neg++
				if !entityFound {
					tl.negAgree++
				} else {
					t.Logf("disagree %s: %q: expects nothing (%s); Veil finds %v", where, c.Text, c.Reason, found)
				}
			default:
				tl.excluded++
				if entityFound {
					tl.excludedFound++
				}
				t.Logf("excluded %s: %q: expects %v; %s; Veil finds %v", where, c.Text, c.Expected, c.Reason, found)
			}
		}
		for e, tl := range tallies {
			p := pooled[e]
			p.pos += tl.pos
			p.posAgree += tl.posAgree
			p.neg += tl.neg
			p.negAgree += tl.negAgree
			p.excluded += tl.excluded
			p.excludedFound += tl.excludedFound
		}
		logRecognizerTable(t, fmt.Sprintf("%s at %s (%s)", s.Tool, s.Commit, s.Repo), tallies)
	}
	logRecognizerTable(t, "all suites (the gate)", pooled)
	for _, e := range slices.Sorted(maps.Keys(pooled)) {
		if tl := pooled[e]; recognizerEntities[e].gated && tl.agreement() < recognizerGate {
			t.Errorf("%s: Veil agrees with the suites on %.1f %% of the %d counted cases, want ≥ %.0f %%",
				e, 100*tl.agreement(), tl.pos+tl.neg, 100*recognizerGate)
		}
	}
}

// logRecognizerTable logs the tallies of each entity as a Markdown table
// (testdata/recognizers/README.md shows it).
func logRecognizerTable(t *testing.T, title string, tallies map[string]*recognizerTally) {
	t.Helper()
	t.Logf("%s:", title)
	t.Logf("| entity | Veil detectors | positives agreed | negatives agreed | agreement | gate | excluded (Veil finds) |")
	t.Logf("|---|---|---:|---:|---:|---|---:|")
	for _, e := range slices.Sorted(maps.Keys(tallies)) {
		tl, ent := tallies[e], recognizerEntities[e]
		gate := "not gated"
		if ent.gated {
			gate = fmt.Sprintf("≥ %.0f %%", 100*recognizerGate)
		}
		agreement := "no case counted"
		if tl.pos+tl.neg > 0 {
			agreement = fmt.Sprintf("%.1f %%", 100*tl.agreement())
		}
		t.Logf("| %s | %s | %d/%d | %d/%d | %s | %s | %d (%d) |", e, strings.Join(ent.detectors, ", "),
			tl.posAgree, tl.pos, tl.negAgree, tl.neg, agreement, gate, tl.excluded, tl.excludedFound)
	}
}
