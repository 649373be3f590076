package detect

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// vmMatches runs pattern on text with the VM, every match kept (empty ones
// too, as FindAllIndex returns them).
func vmMatches(t testing.TB, pattern, text string, m *Meter) [][]int {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	v, err := compileVM(re)
	if err != nil {
		t.Fatal(err)
	}
	var mc vmMachine
	var out [][]int
	v.findAllFunc(&mc, []byte(text), m, func(s, e int) { out = append(out, []int{s, e}) })
	return out
}

// vmPatterns are patterns of every instruction kind: classes, folds,
// alternations of different priority, greedy and lazy repetition, empty
// width assertions, anchors, prefixes and non-ASCII runes.
var vmPatterns = []string{
	`EMP-[0-9]{6}`, `[0-9]+-[0-9]+|[0-9]{4}`, `a*b|a`, `(?i)acc[0-9]{3,5}`, `\bid[0-9]+\b`,
	`^[a-z]+`, `[a-z]+$`, `(?m)^x.`, `\d{3}(-\d{2})?`, `a+?b`, `[^ ]+@[^ ]+`, `é+[ü-ÿ]`,
	`(?s).{2}z`, `x|xy|xyz`, `(a|ab)(c|bcd)`, `\B[0-9]`, `[[:upper:]]{2}\d`, `.`, `a{0,3}`,
	`(?U)a+`, `\Aab`, `ab\z`, `[^a]`, `(?i)k\x{212A}`,
}

func TestVMMatchesRegexp(t *testing.T) {
	texts := []string{
		"", "a", "EMP-123456 EMP-12345 xEMP-1234567", "11111111-22 1234", "aaab aab ab b",
		"ACC123 acc12345 Acc1", "id12 xid3 id4x", "abc\nxyz\nx1", "123-45 678", "aaabab",
		"a@b c@d", "éééü", "xyzxy", "abcd abcbcd", "12 a3 b4", "AB1 ab2", "\xff\xfeab\xc3",
		"kK\u212a", "a\u200bb",
	}
	for _, p := range vmPatterns {
		re := regexp.MustCompile(p)
		for _, text := range texts {
			want := re.FindAllStringIndex(text, -1)
			if got := vmMatches(t, p, text, nil); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%q on %q: vm %v, regexp %v", p, text, got, want)
			}
		}
	}
}

// FuzzVM checks the VM against regexp.FindAllIndex on any pattern and text.
func FuzzVM(f *testing.F) {
	for i, p := range vmPatterns {
		f.Add(p, strings.Repeat("EMP-123 aab xyz 1111-22 ", i%3+1))
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		re, err := regexp.Compile(pattern)
		if err != nil || len(text) > 512 {
			return
		}
		want := re.FindAllStringIndex(text, -1)
		if got := vmMatches(t, pattern, text, nil); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%q on %q: vm %v, regexp %v", pattern, text, got, want)
		}
	})
}

// TestVMBudgetStops checks that a search stops once its meter runs out.
func TestVMBudgetStops(t *testing.T) {
	text := strings.Repeat("1", 64<<10)
	m := &Meter{Limit: 100_000}
	vmMatches(t, `[0-9]+-[0-9]+|[0-9]{4}`, text, m)
	if !m.Exhausted() || m.Used > m.Limit+len(text)+1000 {
		t.Fatalf("used %d of %d", m.Used, m.Limit)
	}
}

// TestVMPrefixSkipLinear: skipping to a prefix that recurs costs the bytes
// skipped, not the rest of the text each time.
func TestVMPrefixSkipLinear(t *testing.T) {
	text := strings.Repeat("EMP-x ", 20000)
	m := &Meter{}
	vmMatches(t, `EMP-[0-9]{6}`, text, m)
	if m.Used > 8*4*len(text) {
		t.Fatalf("%d steps for %d bytes", m.Used, len(text))
	}
}
