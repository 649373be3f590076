package bench_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veilproxy/veil/bench"
	"github.com/veilproxy/veil/bench/baseline"
	"github.com/veilproxy/veil/bench/corpus"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// tmpDir holds the plugin built for this test binary.
var tmpDir string

// TestMain prints, before and after a benchmark run, configuration lines
// (benchstat's "key: value") the report records: Go and wazero versions,
// node's, and the load average.
func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "veil-bench")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpDir = d
	flag.Parse()
	benchmarking := flag.Lookup("test.bench").Value.String() != ""
	if benchmarking {
		fmt.Printf("go: %s\nwazero: %s\nnode: %s\nloadavg-start: %s\n", runtime.Version(), moduleVersion("github.com/tetratelabs/wazero"), nodeVersion(), loadAverage())
	}
	code := m.Run()
	if benchmarking {
		fmt.Printf("loadavg-end: %s\n", loadAverage())
	}
	os.RemoveAll(d)
	os.Exit(code)
}

// moduleVersion returns the version go.mod requires of a module.
func moduleVersion(path string) string {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return "unknown"
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == path {
			return f[1]
		}
	}
	return "unknown"
}

// nodeVersion returns node's version, or "none".
func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "none"
	}
	return strings.TrimSpace(string(out))
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// BenchmarkSuite measures every payload kind at every size under every rule
// set (bench/corpus), one body in and out per op, with each runtime:
//
//   - native: rules.Program.Apply;
//   - wazero: one exchange through the plugin built from this tree, in
//     host-test (hosttest.VM.Do); bodies up to 1 MiB, the filter's limit;
//   - json and gjson: the naive baselines of bench/baseline;
//   - v8 and fast-redact: bench/v8/bench.mjs and bench/v8/fast-redact.mjs
//     run by node through the `veil bench` interface (bench.Tool), when
//     both node and the scripts are present; their ns/op is the median run.
//
// Besides ns/op and MB/s each reports µs/exchange and, beside native,
// x-native: its time over native's in the same run. -short skips what
// takes long and says little: the wazero runs of the 1000-rule sets (whose
// compilation inside the VM takes seconds) and gjson+sjson at 256 KB
// (quadratic).
func BenchmarkSuite(b *testing.B) {
	s := &suite{}
	defer s.close()
	for _, kind := range corpus.Payloads {
		b.Run("payload="+kind, func(b *testing.B) {
			s.forKind(kind)
			for _, size := range corpus.Sizes {
				b.Run("size="+size.Name, func(b *testing.B) {
					body := corpus.Payload(kind, bench.Seed, size.Bytes)
					for _, name := range corpus.RuleSets {
						b.Run("rules="+name, func(b *testing.B) { s.config(b, kind, name, body) })
					}
				})
			}
		})
	}
}

// suite holds what the configurations of one payload kind share: compiled
// programs and started VMs per rule set (closed when the kind changes, so
// that at most one kind's VMs are alive), and the plugin module.
type suite struct {
	programs map[string]*rules.Program
	vms      map[string]*hosttest.VM

	loadOnce sync.Once
	module   *hosttest.Module
	plugin   string // the plugin's path
	loadErr  error
}

// forKind drops the programs and VMs of the previous kind.
func (s *suite) forKind(string) {
	for _, vm := range s.vms {
		vm.Close(context.Background())
	}
	s.programs, s.vms = map[string]*rules.Program{}, map[string]*hosttest.VM{}
}

func (s *suite) close() {
	s.forKind("")
	if s.module != nil {
		s.module.Close(context.Background())
	}
}

// config runs every runtime on one payload kind, size and rule set.
func (s *suite) config(b *testing.B, kind, name string, body []byte) {
	rs := corpus.NewRuleSet(name, kind)
	prog, ok := s.programs[name]
	if !ok {
		var err error
		if prog, err = rules.Compile([]byte(rs.YAML), rules.Options{}); err != nil {
			b.Fatal(err)
		}
		s.programs[name] = prog
	}
	want, _, err := prog.Apply(body, rules.Input{Direction: rules.Request})
	if err != nil {
		b.Fatal(err)
	}
	var nativeNS float64 // ns/op of native, for x-native
	report := func(b *testing.B, ns float64) {
		b.ReportMetric(ns/1e3, "µs/exchange")
		if nativeNS > 0 {
			b.ReportMetric(ns/nativeNS, "x-native")
		}
	}
	b.Run("runtime=native", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := prog.Apply(body, rules.Input{Direction: rules.Request}); err != nil {
				b.Fatal(err)
			}
		}
		nativeNS = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		report(b, nativeNS)
	})
	b.Run("runtime=wazero", func(b *testing.B) {
		switch {
		case len(body) > 1<<20:
			b.Skip("the filter's body limit is 1 MiB")
		case testing.Short() && name == "1000":
			b.Skip("-short: compiling 1000 rules inside the VM takes seconds")
		}
		vm := s.vm(b, name, rs.YAML)
		ex := hosttest.Exchange{Path: "/", RequestHeaders: hosttest.Headers{{"content-type", "application/json"}}, RequestBody: body}
		if res := vm.Do(ex); res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil || !bytes.Equal(res.Request.Body, want) {
			b.Fatalf("the plugin's output differs from native (vm %v, errors %q, local reply %v)", res.VMError, res.Errors, res.LocalReply)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if res := vm.Do(ex); res.VMError != nil {
				b.Fatal(res.VMError)
			}
		}
		report(b, float64(b.Elapsed().Nanoseconds())/float64(b.N))
	})
	b.Run("runtime=json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := baseline.JSON(body, rs); err != nil {
				b.Fatal(err)
			}
		}
		report(b, float64(b.Elapsed().Nanoseconds())/float64(b.N))
	})
	b.Run("runtime=gjson", func(b *testing.B) {
		switch {
		case len(body) > 256<<10:
			b.Skip("quadratic: minutes per op")
		case testing.Short() && len(body) > 16<<10:
			b.Skip("-short: quadratic")
		}
		if _, err := baseline.GJSON(body, rs); err != nil {
			b.Skip(err)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := baseline.GJSON(body, rs); err != nil {
				b.Fatal(err)
			}
		}
		report(b, float64(b.Elapsed().Nanoseconds())/float64(b.N))
	})
	var files struct {
		once        sync.Once
		rules, body string
		err         error
	}
	for _, ext := range []struct{ runtime, script string }{{"v8", "bench.mjs"}, {"fast-redact", "fast-redact.mjs"}} {
		var res *bench.Result // one run of the script per configuration
		b.Run("runtime="+ext.runtime, func(b *testing.B) {
			tool, err := nodeTool(ext.script)
			if err != nil {
				b.Skip(err)
			}
			if res == nil {
				files.once.Do(func() {
					dir := b.TempDir()
					files.rules, files.body = filepath.Join(dir, "rules.yaml"), filepath.Join(dir, "body.json")
					if files.err = os.WriteFile(files.rules, []byte(rs.YAML), 0o644); files.err == nil {
						files.err = os.WriteFile(files.body, body, 0o644)
					}
				})
				if files.err != nil {
					b.Fatal(files.err)
				}
				args := bench.Args{Rules: files.rules, In: files.body, Direction: "request"}
				args.Iters, args.MaxMS = benchtime()
				if ext.runtime == "v8" {
					args.Plugin = s.pluginPath(b)
				}
				r, err := tool.Run(context.Background(), args)
				if err != nil {
					b.Skip(err) // the script cannot run this configuration: its message says why
				}
				res = &r
			}
			ns := res.MedianMS * 1e6
			b.ReportMetric(ns, "ns/op")
			b.ReportMetric(float64(len(body))/ns*1e3, "MB/s")
			b.ReportMetric(float64(len(res.MS)), "runs")
			report(b, ns)
		})
	}
}

// benchtime turns -test.benchtime into the scripts' --iters and --max-ms:
// Nx is N runs, a duration that many milliseconds of runs.
func benchtime() (iters int, maxMS float64) {
	v := "1s"
	if f := flag.Lookup("test.benchtime"); f != nil {
		v = f.Value.String()
	}
	if n, ok := strings.CutSuffix(v, "x"); ok {
		fmt.Sscan(n, &iters)
		return max(iters, 1), 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		d = time.Second
	}
	return 1 << 30, float64(d.Milliseconds())
}

// nodeTool returns the command running a script of bench/v8 with node, or
// why it cannot run.
func nodeTool(script string) (bench.Tool, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not installed: no V8 or fast-redact figures")
	}
	root, err := testmodule.RepoRoot()
	if err != nil {
		return nil, err
	}
	p := filepath.Join(root, "bench", "v8", script)
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("bench/v8/%s is not in this tree: no figures for it", script)
	}
	return bench.Tool{node, p}, nil
}

// pluginPath builds the plugin from this tree's source once per binary.
func (s *suite) pluginPath(b *testing.B) string {
	s.loadOnce.Do(func() {
		if s.plugin, s.loadErr = testmodule.Plugin(tmpDir); s.loadErr != nil {
			return
		}
		wasm, err := os.ReadFile(s.plugin)
		if err != nil {
			s.loadErr = err
			return
		}
		cache := ""
		if d, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(d, "veil", "wazero")
		}
		s.module, s.loadErr = hosttest.Load(context.Background(), wasm, hosttest.Options{Profile: hosttest.Envoy133, CacheDir: cache})
	})
	if s.loadErr != nil {
		b.Fatal(s.loadErr)
	}
	return s.plugin
}

// vm returns the started VM of a rule set of the current kind.
func (s *suite) vm(b *testing.B, name, src string) *hosttest.VM {
	if vm, ok := s.vms[name]; ok {
		return vm
	}
	s.pluginPath(b)
	vm, err := s.module.Start(context.Background(), hosttest.Config{PluginConfig: []byte(src)})
	if err != nil {
		b.Fatal(err)
	}
	s.vms[name] = vm
	return vm
}
