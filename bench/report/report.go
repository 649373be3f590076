// Package report turns the output of BenchmarkSuite (go test -bench, the
// benchstat format) into the tables of docs/benchmarks.md and an SVG chart
// of throughput against body size.
package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Runtimes are the runtimes of the suite in the order the tables show
// them, with the names the tables give them.
var Runtimes = []struct{ Key, Title string }{
	{"native", "Veil native"},
	{"wazero", "Veil .wasm (wazero)"},
	{"v8", "Veil .wasm (V8)"},
	{"json", "encoding/json"},
	{"gjson", "gjson+sjson"},
	{"fast-redact", "fast-redact"},
}

// Result is the median figure of one configuration of the suite.
type Result struct {
	Payload, Size, Rules, Runtime string
	NsPerOp                       float64 // median over the runs of the configuration
	MBPerS                        float64 // as reported with NsPerOp (from the body's size); else the nominal size at NsPerOp
	AllocsPerOp                   float64 // -1 when not reported
}

// Results are a suite run: its configuration lines and its figures, in
// the order the run printed them.
type Results struct {
	Config  map[string]string // benchstat configuration lines: goos, cpu, go, wazero, node, loadavg-start, …
	Results []Result
	Sizes   []string // in the order of the run
	Rules   []string
	Payload []string
}

var (
	configLine = regexp.MustCompile(`^([a-z][a-zA-Z0-9_-]*): (.*)$`)
	suiteName  = regexp.MustCompile(`^BenchmarkSuite/payload=([^/]+)/size=([^/]+)/rules=([^/]+)/runtime=([^/]+?)(?:-\d+)?$`)
)

// Parse reads a suite run. Lines other than configuration lines and
// BenchmarkSuite results are ignored; a configuration repeated (-count)
// gets the median of its runs.
func Parse(r io.Reader) (*Results, error) {
	res := &Results{Config: map[string]string{}}
	type key struct{ payload, size, rules, runtime string }
	runs := map[key][][3]float64{} // ns/op, MB/s, allocs/op
	var order []key
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := configLine.FindStringSubmatch(line); m != nil {
			if _, seen := res.Config[m[1]]; !seen || strings.HasSuffix(m[1], "-end") {
				res.Config[m[1]] = strings.TrimSpace(m[2])
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		m := suiteName.FindStringSubmatch(f[0])
		if m == nil {
			continue
		}
		k := key{m[1], m[2], m[3], m[4]}
		ns, mbs, allocs := math.NaN(), math.NaN(), -1.0
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a number", f[0], f[i])
			}
			switch f[i+1] {
			case "ns/op":
				ns = v
			case "MB/s":
				mbs = v
			case "allocs/op":
				allocs = v
			}
		}
		if math.IsNaN(ns) {
			return nil, fmt.Errorf("%s: no ns/op", f[0])
		}
		if _, ok := runs[k]; !ok {
			order = append(order, k)
		}
		if math.IsNaN(mbs) { // no SetBytes: the nominal size
			mbs = float64(sizeBytes(k.size)) / ns * 1e3
		}
		runs[k] = append(runs[k], [3]float64{ns, mbs, allocs})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no BenchmarkSuite results")
	}
	for _, k := range order {
		r := runs[k]
		slices.SortFunc(r, func(a, b [3]float64) int { return compare(a[0], b[0]) })
		mid := r[len(r)/2]
		res.Results = append(res.Results, Result{k.payload, k.size, k.rules, k.runtime, mid[0], mid[1], mid[2]})
		res.Payload = appendNew(res.Payload, k.payload)
		res.Sizes = appendNew(res.Sizes, k.size)
		res.Rules = appendNew(res.Rules, k.rules)
	}
	return res, nil
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// sizeBytes reads a size name of the suite (1KB, 16KB, 4MB).
func sizeBytes(name string) int {
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"B", 1}} {
		if n, ok := strings.CutSuffix(name, u.suffix); ok {
			v, err := strconv.Atoi(n)
			if err == nil {
				return v * u.mult
			}
		}
	}
	return 0
}

// find returns the result of one configuration.
func (r *Results) find(payload, size, rules, runtime string) (Result, bool) {
	for _, x := range r.Results {
		if x.Payload == payload && x.Size == size && x.Rules == rules && x.Runtime == runtime {
			return x, true
		}
	}
	return Result{}, false
}

// runtimes returns the runtimes the run measured, in table order.
func (r *Results) runtimes() []int {
	var out []int
	for i, rt := range Runtimes {
		if slices.ContainsFunc(r.Results, func(x Result) bool { return x.Runtime == rt.Key }) {
			out = append(out, i)
		}
	}
	return out
}

// ratio is a configuration's time over native's, or NaN without native.
func (r *Results) ratio(x Result) float64 {
	n, ok := r.find(x.Payload, x.Size, x.Rules, "native")
	if !ok {
		return math.NaN()
	}
	return x.NsPerOp / n.NsPerOp
}

// geomean returns the geometric mean of xs (NaN when empty).
func geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}

// Markdown returns the generated part of docs/benchmarks.md: how the run
// was made, a summary (per size and rule set, each runtime's time over
// native's, geometric mean over the payload kinds), and one table per
// payload kind with µs per exchange, MB/s and the ratio to native beside
// every figure. svg, when not empty, is the chart's link.
func (r *Results) Markdown(svg string) string {
	var b strings.Builder
	c := func(k string) string {
		if v := r.Config[k]; v != "" {
			return v
		}
		return "unknown"
	}
	fmt.Fprintf(&b, "Run: %s, %s/%s, %s, Go %s, wazero %s, node %s; load average %s at the start, %s at the end (1, 5, 15 min; 2 cores shared with other work).\n\n",
		c("date"), c("goos"), c("goarch"), c("cpu"), strings.TrimPrefix(c("go"), "go"), c("wazero"), c("node"), c("loadavg-start"), c("loadavg-end"))
	if cmd := r.Config["command"]; cmd != "" {
		fmt.Fprintf(&b, "```\n%s\n```\n\n", cmd)
	}
	rts := r.runtimes()
	b.WriteString("Time over native's in the same run (geometric mean over the payload kinds; below 1 is faster than native):\n\n")
	b.WriteString("| size | rules |")
	for _, i := range rts[1:] {
		b.WriteString(" " + Runtimes[i].Title + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(rts)-1) + "\n")
	for _, size := range r.Sizes {
		for _, rules := range r.Rules {
			fmt.Fprintf(&b, "| %s | %s |", size, rules)
			for _, i := range rts[1:] {
				var ratios []float64
				for _, p := range r.Payload {
					if x, ok := r.find(p, size, rules, Runtimes[i].Key); ok && !math.IsNaN(r.ratio(x)) {
						ratios = append(ratios, r.ratio(x))
					}
				}
				if len(ratios) == 0 {
					b.WriteString(" — |")
				} else {
					fmt.Fprintf(&b, " %s× |", num(geomean(ratios)))
				}
			}
			b.WriteString("\n")
		}
	}
	if svg != "" {
		fmt.Fprintf(&b, "\n![Throughput against body size, one line per runtime and rule set (geometric mean over the payload kinds)](%s)\n", svg)
	}
	b.WriteString("\nPer payload kind: µs per exchange (one body in and out), MB/s, and in parentheses the time over native's.\n")
	b.WriteString("— : not measured (the .wasm above the filter's 1 MiB body limit, gjson+sjson above 256 KB or for rule sets it cannot express, a runtime whose tool is absent).\n")
	for _, p := range r.Payload {
		fmt.Fprintf(&b, "\n#### %s\n\n| size | rules |", p)
		for _, i := range rts {
			b.WriteString(" " + Runtimes[i].Title + " |")
		}
		b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(rts)) + "\n")
		for _, size := range r.Sizes {
			for _, rules := range r.Rules {
				fmt.Fprintf(&b, "| %s | %s |", size, rules)
				for _, i := range rts {
					x, ok := r.find(p, size, rules, Runtimes[i].Key)
					switch {
					case !ok:
						b.WriteString(" — |")
					case Runtimes[i].Key == "native":
						fmt.Fprintf(&b, " %s µs · %s MB/s |", num(x.NsPerOp/1e3), num(x.MBPerS))
					default:
						fmt.Fprintf(&b, " %s µs · %s MB/s (%s×) |", num(x.NsPerOp/1e3), num(x.MBPerS), num(r.ratio(x)))
					}
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// num formats a figure with three significant digits (thousands
// separated), or "?" for NaN.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "?"
	case v >= 1000:
		s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// Markers delimit the generated part of docs/benchmarks.md.
const (
	BeginMarker = "<!-- benchsuite:begin (generated by go run ./bench/cmd/benchsuite report; do not edit) -->"
	EndMarker   = "<!-- benchsuite:end -->"
)

// Splice returns doc with the text between its markers replaced by
// generated.
func Splice(doc, generated string) (string, error) {
	i, j := strings.Index(doc, BeginMarker), strings.Index(doc, EndMarker)
	if i < 0 || j < i {
		return "", fmt.Errorf("the document lacks the markers %q … %q", BeginMarker, EndMarker)
	}
	return doc[:i+len(BeginMarker)] + "\n" + generated + doc[j:], nil
}
