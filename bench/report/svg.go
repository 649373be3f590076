package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart geometry (pixels) and the colours of the runtimes (in the order
// of Runtimes) and dash patterns of the rule sets (in the order of the run).
const (
	chartW, chartH                 = 960, 600
	plotX0, plotY0, plotX1, plotY1 = 80, 40, 640, 540
)

var (
	runtimeColours = []string{"#1f77b4", "#d62728", "#9467bd", "#2ca02c", "#ff7f0e", "#8c564b"}
	ruleDashes     = []string{"", "8 4", "2 3", "12 3 3 3", "4 4", "1 6"}
)

// SVG returns a chart of throughput (MB/s, log scale) against body size
// (log scale): one line per runtime and rule set, each point the geometric
// mean over the payload kinds measured at that size.
func (r *Results) SVG() string {
	type line struct {
		runtime, rules int
		points         [][2]float64 // log2 bytes, log10 MB/s
	}
	var lines []line
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, ri := range r.runtimes() {
		for rj, rules := range r.Rules {
			l := line{runtime: ri, rules: rj}
			for _, size := range r.Sizes {
				var mbs []float64
				for _, p := range r.Payload {
					if x, ok := r.find(p, size, rules, Runtimes[ri].Key); ok {
						mbs = append(mbs, x.MBPerS)
					}
				}
				if len(mbs) == 0 {
					continue
				}
				y := math.Log10(geomean(mbs))
				l.points = append(l.points, [2]float64{math.Log2(float64(sizeBytes(size))), y})
				minY, maxY = math.Min(minY, y), math.Max(maxY, y)
			}
			if len(l.points) > 0 {
				lines = append(lines, l)
			}
		}
	}
	minY, maxY = math.Floor(minY), math.Ceil(maxY)
	if maxY == minY {
		maxY++
	}
	minX, maxX := math.Log2(float64(sizeBytes(r.Sizes[0]))), math.Log2(float64(sizeBytes(r.Sizes[len(r.Sizes)-1])))
	if maxX == minX {
		minX, maxX = minX-1, maxX+1
	}
	px := func(x float64) float64 { return plotX0 + (x-minX)/(maxX-minX)*(plotX1-plotX0) }
	py := func(y float64) float64 { return plotY1 - (y-minY)/(maxY-minY)*(plotY1-plotY0) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15">Throughput against body size (geometric mean over the payload kinds)</text>`+"\n", plotX0)
	// grid and axes: a line per decade of MB/s, a tick per size
	for y := minY; y <= maxY; y++ {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", plotX0, py(y), plotX1, py(y))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", plotX0-6, py(y)+4, decade(y))
	}
	for _, size := range r.Sizes {
		x := px(math.Log2(float64(sizeBytes(size))))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, plotY0, x, plotY1)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, plotY1+18, size)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", plotX0, plotY0, plotX1-plotX0, plotY1-plotY0)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">body size (log scale)</text>`+"\n", (plotX0+plotX1)/2, plotY1+40)
	fmt.Fprintf(&b, `<text transform="translate(24 %d) rotate(-90)" text-anchor="middle">MB/s (log scale)</text>`+"\n", (plotY0+plotY1)/2)
	for _, l := range lines {
		var pts []string
		for _, p := range l.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(p[1])))
		}
		colour := runtimeColours[l.runtime%len(runtimeColours)]
		dash := ruleDashes[l.rules%len(ruleDashes)]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"`, colour, strings.Join(pts, " "))
		if dash != "" {
			fmt.Fprintf(&b, ` stroke-dasharray="%s"`, dash)
		}
		fmt.Fprintf(&b, `><title>%s, rules=%s</title></polyline>`+"\n", Runtimes[l.runtime].Title, r.Rules[l.rules])
		for _, p := range l.points {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", px(p[0]), py(p[1]), colour)
		}
	}
	// legends: colours for runtimes, dashes for rule sets
	y := plotY0 + 10
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">runtime</text>`+"\n", plotX1+30, y)
	for _, ri := range r.runtimes() {
		y += 20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", plotX1+30, y-4, plotX1+60, y-4, runtimeColours[ri%len(runtimeColours)])
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", plotX1+68, y, Runtimes[ri].Title)
	}
	y += 36
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">rule set</text>`+"\n", plotX1+30, y)
	for rj, rules := range r.Rules {
		y += 20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="2"`, plotX1+30, y-4, plotX1+60, y-4)
		if d := ruleDashes[rj%len(ruleDashes)]; d != "" {
			fmt.Fprintf(&b, ` stroke-dasharray="%s"`, d)
		}
		fmt.Fprintf(&b, `/>`+"\n"+`<text x="%d" y="%d">%s</text>`+"\n", plotX1+68, y, ruleLabel(rules))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// decade labels the power of ten y: 0.01, 0.1, 1, 10, 100, 1,000.
func decade(y float64) string {
	if y >= 3 {
		return num(math.Pow(10, y))
	}
	return strconv.FormatFloat(math.Pow(10, y), 'f', -1, 64)
}

// ruleLabel names a rule set in the legend: "100 rules" for a count.
func ruleLabel(name string) string {
	if n, err := strconv.Atoi(name); err == nil {
		if n == 1 {
			return "1 rule"
		}
		return name + " rules"
	}
	return name
}
