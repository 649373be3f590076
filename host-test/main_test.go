package hosttest_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// tmpDir holds the modules built for this test binary.
var tmpDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "hosttest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

// built memoizes module builds: each is built (and, through the compilation
// cache, compiled) once per test binary, only when a test needs it.
var built sync.Map // name → *buildResult

type buildResult struct {
	once sync.Once
	wasm []byte
	err  error
}

// wasmOf returns the bytes of a test module, or of the plugin for "veil".
func wasmOf(t testing.TB, name string) []byte {
	t.Helper()
	wasm, err := buildWasm(name)
	if err != nil {
		t.Fatalf("build %s: %v", name, err)
	}
	return wasm
}

// buildWasm builds a test module ("veil": the plugin, "veil-faults": the
// plugin with fault injection) once per test binary and returns its bytes.
func buildWasm(name string) ([]byte, error) {
	v, _ := built.LoadOrStore(name, &buildResult{})
	r := v.(*buildResult)
	r.once.Do(func() {
		var path string
		switch name {
		case "veil":
			path, r.err = testmodule.Plugin(tmpDir)
		case "veil-faults":
			path, r.err = testmodule.PluginWithFaults(tmpDir)
		default:
			path, r.err = testmodule.Module(name, tmpDir)
		}
		if r.err == nil {
			r.wasm, r.err = os.ReadFile(path)
		}
	})
	return r.wasm, r.err
}

// load compiles a module under a profile and closes it with the test.
func load(t testing.TB, name string, p hosttest.Profile) *hosttest.Module {
	t.Helper()
	ctx := context.Background()
	m, err := hosttest.Load(ctx, wasmOf(t, name), hosttest.Options{Profile: p})
	if err != nil {
		t.Fatalf("load %s under %s: %v", name, p, err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	return m
}

// start loads and starts one VM.
func start(t testing.TB, name string, p hosttest.Profile, cfg hosttest.Config) *hosttest.VM {
	t.Helper()
	vm, err := load(t, name, p).Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	return vm
}
