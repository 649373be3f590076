package report_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veilproxy/veil/bench/report"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the generator's output (go test ./bench/report -update rewrites it); got:\n%s", p, got)
	}
}

// The tables and the chart of a fixed suite output (testdata/suite.txt:
// two payload kinds, three sizes, two rule sets, every runtime, one
// configuration run three times) are the golden files.
func TestGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "suite.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := report.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "suite.md.golden", res.Markdown("throughput.svg"))
	golden(t, "suite.svg.golden", res.SVG())
}

// Parse takes the median of repeated runs and the run's configuration
// lines (the last loadavg-end).
func TestParse(t *testing.T) {
	in := strings.Join([]string{
		"loadavg-start: 1 2 3",
		"BenchmarkSuite/payload=p/size=1KB/rules=paths/runtime=native-2  10  300 ns/op  3.33 MB/s",
		"BenchmarkSuite/payload=p/size=1KB/rules=paths/runtime=native-2  10  100 ns/op  10.0 MB/s",
		"BenchmarkSuite/payload=p/size=1KB/rules=paths/runtime=native-2  10  200 ns/op  5.00 MB/s",
		"BenchmarkSuite/payload=p/size=1KB/rules=paths/runtime=v8  1  250 ns/op",
		"loadavg-end: 4 5 6",
		"loadavg-end: 7 8 9",
	}, "\n")
	res, err := report.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || res.Results[0].NsPerOp != 200 || res.Results[0].MBPerS != 5 {
		t.Errorf("results %+v, want the median run of native, then v8", res.Results)
	}
	if v8 := res.Results[1]; v8.Runtime != "v8" || v8.MBPerS != 1024/250.0*1e3 {
		t.Errorf("v8 without MB/s: %+v, want the nominal size at its ns/op", v8)
	}
	if res.Config["loadavg-start"] != "1 2 3" || res.Config["loadavg-end"] != "7 8 9" {
		t.Errorf("config %v", res.Config)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"PASS\nok x 1s\n",
		"BenchmarkSuite/payload=p/size=1KB/rules=a/runtime=native  10  fast ns/op",
		"BenchmarkSuite/payload=p/size=1KB/rules=a/runtime=native  10  3 MB/s  4 B/op",
	} {
		if _, err := report.Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

// Splice replaces what lies between the markers, and only that.
func TestSplice(t *testing.T) {
	doc := "# Benchmarks\n\nintro\n" + report.BeginMarker + "\nold tables\n" + report.EndMarker + "\n\n## Kept\n"
	got, err := report.Splice(doc, "new tables\n")
	if want := "# Benchmarks\n\nintro\n" + report.BeginMarker + "\nnew tables\n" + report.EndMarker + "\n\n## Kept\n"; err != nil || got != want {
		t.Errorf("Splice = %q, %v; want %q", got, err, want)
	}
	if _, err := report.Splice("# no markers\n", "x"); err == nil {
		t.Error("Splice without markers: no error")
	}
}
