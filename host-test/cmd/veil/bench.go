package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/veilproxy/veil/bench"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

const benchSynopsis = `bench --rules FILE --in FILE [--iters N] [--max-ms M] [--wasm] [--plugin FILE] [--direction request|response]

Times one document in process, bytes in to bytes out: natively (rules.Program.Apply)
or, with --wasm, one whole exchange per run through the plugin in host-test's
Envoy emulation (the document as the request or response body). Reads the
document once, runs it untimed up to 5 times (the first, "cold", is timed on its
own), then times runs until N runs or M milliseconds of timed runs. Prints one
JSON object as its last line:
  {"runtime":"native"|"wazero","median_ms":…,"ms":[every timed run],"warmup":…,
   "cold":…,"bytes":…,"out_bytes":…,"min_ms":…,"mb_per_s":…}
(times in milliseconds): bench.Result, which bench/v8's scripts print too.`

// benchWarmup is the number of untimed runs, the cold one included.
const benchWarmup = 5

func benchCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("bench", benchSynopsis, stderr)
	rulesFile := fs.String("rules", "", "rule set `file` (YAML or JSON)")
	in := fs.String("in", "", "the JSON document `file` to time")
	iters := fs.Int("iters", 100, "timed runs at most")
	maxMS := fs.Float64("max-ms", 10000, "stop once the timed runs took this many `milliseconds` in all (0: no limit)")
	wasm := fs.Bool("wasm", false, "time the exchange through the plugin under wazero instead of the native engine")
	plugin := fs.String("plugin", "", pluginFlagUsage+" (with --wasm)")
	direction := fs.String("direction", "request", "the document is the request or the response body")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		return fail(2, "unexpected argument %q", fs.Arg(0))
	case *rulesFile == "":
		return fail(2, "--rules is required")
	case *in == "":
		return fail(2, "--in is required")
	case *iters < 1:
		return fail(2, "--iters %d: want at least 1", *iters)
	case *maxMS < 0:
		return fail(2, "--max-ms %v: want 0 (no limit) or more", *maxMS)
	}
	dir, err := parseDirection(*direction)
	if err != nil {
		return err
	}
	prog, err := compile(*rulesFile, os.LookupEnv)
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	want, _, err := prog.Apply(doc, rules.Input{Direction: dir})
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	res := bench.Result{Runtime: "native", Bytes: len(doc)}
	run := func() ([]byte, error) {
		out, _, err := prog.Apply(doc, rules.Input{Direction: dir})
		return out, err
	}
	if *wasm {
		res.Runtime = "wazero"
		exchange, closeVM, err := wasmRunner(ctx, *plugin, *rulesFile, doc, dir)
		if err != nil {
			return err
		}
		defer closeVM()
		run = exchange
	}
	if err := timeRuns(&res, run, want, *iters, *maxMS); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// parseDirection reads --direction.
func parseDirection(s string) (rules.Direction, error) {
	switch s {
	case "request":
		return rules.Request, nil
	case "response":
		return rules.Response, nil
	}
	return 0, fail(2, "--direction %q: want request or response", s)
}

// timeRuns runs run untimed (the first run's time is res.Cold), then timed
// until iters runs or maxMS milliseconds of them; it checks that the first
// output is want, and fills res.
func timeRuns(res *bench.Result, run func() ([]byte, error), want []byte, iters int, maxMS float64) error {
	var warm time.Duration
	for i := 0; i < benchWarmup && (i == 0 || maxMS == 0 || ms(warm) < maxMS); i++ {
		start := time.Now()
		out, err := run()
		d := time.Since(start)
		if err != nil {
			return err
		}
		if i == 0 {
			res.Cold = ms(d)
			res.OutBytes = len(out)
			if !bytes.Equal(out, want) {
				return fmt.Errorf("%s output differs from the native engine's", res.Runtime)
			}
		}
		warm += d
		res.Warmup++
	}
	var total time.Duration
	for len(res.MS) < iters && (maxMS == 0 || len(res.MS) == 0 || ms(total) < maxMS) {
		start := time.Now()
		_, err := run()
		d := time.Since(start)
		if err != nil {
			return err
		}
		total += d
		res.MS = append(res.MS, ms(d))
	}
	sorted := slices.Sorted(slices.Values(res.MS))
	res.MinMS = sorted[0]
	res.MedianMS = sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		res.MedianMS = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	if res.MedianMS > 0 {
		res.MBPerS = float64(res.Bytes) / res.MedianMS / 1e3
	}
	return nil
}

// ms converts a duration to fractional milliseconds.
func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// wasmRunner starts the plugin with the rule file as configuration and
// returns a function running one exchange with doc as the body of the
// direction's message (the other message has none), and one closing the
// module.
func wasmRunner(ctx context.Context, plugin, rulesFile string, doc []byte, dir rules.Direction) (func() ([]byte, error), func(), error) {
	wasm, name, err := pluginModule(plugin)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := os.ReadFile(rulesFile)
	if err != nil {
		return nil, nil, err
	}
	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: hosttest.Envoy133, CacheDir: cacheDir()})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	closeMod := func() { mod.Close(ctx) }
	vm, err := mod.Start(ctx, hosttest.Config{PluginConfig: cfg})
	if err != nil {
		closeMod()
		return nil, nil, err
	}
	jsonType := hosttest.Headers{{"content-type", "application/json"}}
	ex := hosttest.Exchange{Path: "/", RequestHeaders: jsonType, ResponseHeaders: jsonType}
	if dir == rules.Request {
		ex.RequestBody = doc
	} else {
		ex.ResponseBody = doc
	}
	run := func() ([]byte, error) {
		res := vm.Do(ex)
		switch {
		case res.VMError != nil:
			return nil, fmt.Errorf("wasm vm failed: %w", res.VMError)
		case len(res.Errors) > 0:
			return nil, fmt.Errorf("exchange error: %s", res.Errors[0])
		case res.LocalReply != nil:
			return nil, fmt.Errorf("the exchange ended in a local reply %d %s (the filter's body limit is 1 MiB)", res.LocalReply.Status, res.LocalReply.Details)
		case res.Reset != "":
			return nil, fmt.Errorf("stream reset: %s", res.Reset)
		case dir == rules.Request:
			return res.Request.Body, nil
		}
		return res.Response.Body, nil
	}
	return run, closeMod, nil
}
