package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"

	hosttest "github.com/veilproxy/veil/host-test"
)

// adminHandler serves the module's metrics as Envoy's admin does: /stats
// in text (`wasmcustom.<name>: value`) and /stats/prometheus, where the
// stats_tags of docs/operating.md turn the name's `.tag.value` pairs into
// labels and the `wasmcustom.` namespace is stripped with no `envoy_`
// prefix. The module's store is process-wide, so every value is the sum
// over the worker VMs.
func adminHandler(mod *hosttest.Module) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "text/plain; charset=utf-8")
		writeStatsText(w, mod.Metrics())
	})
	mux.HandleFunc("GET /stats/prometheus", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "text/plain; version=0.0.4; charset=utf-8")
		writePrometheus(w, mod.Metrics())
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "LIVE\n") })
	return mux
}

// writeStatsText writes one `name: value` line per stat, sorted; a
// histogram shows its sample count and quantiles as P50(v) P99(v).
func writeStatsText(w io.Writer, metrics map[string]hosttest.Metric) {
	for _, name := range slices.Sorted(maps.Keys(metrics)) {
		m := metrics[name]
		if m.Type == hosttest.Histogram {
			fmt.Fprintf(w, "%s: count=%d P50(%s) P99(%s)\n", name, len(m.Samples), quantile(m.Samples, 0.5), quantile(m.Samples, 0.99))
			continue
		}
		fmt.Fprintf(w, "%s: %d\n", name, m.Value)
	}
}

func quantile(samples []uint64, q float64) string {
	if len(samples) == 0 {
		return "nan"
	}
	s := slices.Sorted(slices.Values(samples))
	return fmt.Sprint(s[int(math.Ceil(q*float64(len(s))))-1])
}

// statsTag is one bootstrap stats_config.stats_tags entry: the first
// capture group is cut out of the name, the second is the tag's value.
type statsTag struct {
	name string
	re   *regexp.Regexp
}

// veilStatsTags are the stats_tags docs/operating.md ("Metrics") gives
// for Envoy's bootstrap.
var veilStatsTags = []statsTag{
	{"rule_set", regexp.MustCompile(`^wasmcustom\.veil\.\w+(\.rule_set\.([^.]+))`)},
	{"rule", regexp.MustCompile(`^wasmcustom\.veil\.(?:values|bodies_blocked).*?(\.rule\.([^.]+))`)},
	{"action", regexp.MustCompile(`^wasmcustom\.veil\.values.*?(\.action\.([^.]+))`)},
	{"mode", regexp.MustCompile(`^wasmcustom\.veil\.values.*?(\.mode\.([^.]+))`)},
	{"allow_list", regexp.MustCompile(`^wasmcustom\.veil\.values_minimized.*?(\.allow_list\.([^.]+))`)},
	{"kind", regexp.MustCompile(`^wasmcustom\.veil\.failures.*?(\.kind\.([^.]+))`)},
	{"outcome", regexp.MustCompile(`^wasmcustom\.veil\.failures.*?(\.outcome\.([^.]+))`)},
	{"direction", regexp.MustCompile(`^wasmcustom\.veil\..*?(\.direction\.([^.]+))`)},
}

// tagged splits a stat name into its tag-extracted name and labels, as
// Envoy's tag extractors do: every regex runs on the full name, and the
// matched first groups are cut out together.
func tagged(name string) (string, [][2]string) {
	var labels [][2]string
	cut := make([]bool, len(name))
	for _, t := range veilStatsTags {
		m := t.re.FindStringSubmatchIndex(name)
		if m == nil || m[2] < 0 || m[4] < 0 {
			continue
		}
		labels = append(labels, [2]string{t.name, name[m[4]:m[5]]})
		for i := m[2]; i < m[3]; i++ {
			cut[i] = true
		}
	}
	var b strings.Builder
	for i := range len(name) {
		if !cut[i] {
			b.WriteByte(name[i])
		}
	}
	return b.String(), labels
}

// promName is Envoy's Prometheus name of a custom stat: `wasmcustom.`
// stripped, characters outside [a-zA-Z0-9_] as '_'.
func promName(name string) string {
	name = strings.TrimPrefix(name, "wasmcustom.")
	return strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// promBuckets are Envoy's default histogram bucket bounds.
var promBuckets = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000}

// promSeries is one labelled series of a Prometheus family.
type promSeries struct {
	labels [][2]string
	m      hosttest.Metric
}

// writePrometheus writes the metrics in Prometheus' text format, one
// family per tag-extracted name.
func writePrometheus(w io.Writer, metrics map[string]hosttest.Metric) {
	families := map[string][]promSeries{}
	types := map[string]hosttest.MetricType{}
	for name, m := range metrics {
		base, labels := tagged(name)
		fam := promName(base)
		families[fam] = append(families[fam], promSeries{labels, m})
		types[fam] = m.Type
	}
	for _, fam := range slices.Sorted(maps.Keys(families)) {
		series := families[fam]
		slices.SortFunc(series, func(a, b promSeries) int { return strings.Compare(labelText(a.labels, ""), labelText(b.labels, "")) })
		fmt.Fprintf(w, "# TYPE %s %s\n", fam, types[fam])
		for _, s := range series {
			if s.m.Type != hosttest.Histogram {
				fmt.Fprintf(w, "%s%s %d\n", fam, labelText(s.labels, ""), s.m.Value)
				continue
			}
			var sum uint64
			for _, v := range s.m.Samples {
				sum += v
			}
			for _, le := range promBuckets {
				n := 0
				for _, v := range s.m.Samples {
					if float64(v) <= le {
						n++
					}
				}
				fmt.Fprintf(w, "%s_bucket%s %d\n", fam, labelText(s.labels, fmt.Sprint(le)), n)
			}
			fmt.Fprintf(w, "%s_bucket%s %d\n", fam, labelText(s.labels, "+Inf"), len(s.m.Samples))
			fmt.Fprintf(w, "%s_sum%s %d\n%s_count%s %d\n", fam, labelText(s.labels, ""), sum, fam, labelText(s.labels, ""), len(s.m.Samples))
		}
	}
}

// labelText renders {a="x",b="y"} (with le last when given), or "".
func labelText(labels [][2]string, le string) string {
	if le != "" {
		labels = append(slices.Clone(labels), [2]string{"le", le})
	}
	if len(labels) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range labels {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", l[0], l[1])
	}
	b.WriteByte('}')
	return b.String()
}
