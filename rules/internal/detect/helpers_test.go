package detect

import (
	"slices"
	"testing"
)

// detectCase is one input and the values expected in it, "detector=value".
type detectCase struct {
	in   string
	want []string
}

// runCases checks each case against a Set of all built-ins.
func runCases(t *testing.T, cases []detectCase) {
	t.Helper()
	s, err := NewSet(Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got := describe(s, c.in, s.FindString([]byte(c.in), nil))
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("FindString(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func describe(s *Set, in string, spans []Span) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, s.names[sp.Detector]+"="+in[sp.Start:sp.End])
	}
	return out
}

// checkZeroAllocs fails t for each text on which FindStringAt with all
// built-ins allocates, under each of hints, with a reused dst.
func checkZeroAllocs(t *testing.T, texts []string, hints ...Hint) {
	t.Helper()
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	s, err := NewSet(Builtins(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]Span, 0, 16)
	for _, hint := range hints {
		for _, text := range texts {
			b := []byte(text)
			dst = s.FindStringAt(b, s.all, hint, nil, dst[:0])
			if n := testing.AllocsPerRun(50, func() { dst = s.FindStringAt(b, s.all, hint, nil, dst[:0]) }); n != 0 {
				t.Errorf("%.30q (hint %d): %v allocations", text, hint, n)
			}
		}
	}
}
