// Package hosttest is a proxy-wasm host on wazero that behaves like Envoy
// where it matters to a Go plugin: what it links, what it lets the module do
// at start-up, how it calls an HTTP filter and what each host call returns.
//
// Envoy cannot run in Veil's development and CI environments, so this host is
// the runtime that judges the plugin. Its contract is ENVOY.md in this directory;
// RATIONALE.md explains the choices a newcomer would question.
//
// Use Load to compile and link-check a module under a Profile, Module.Start
// to start a VM instance (as Envoy does for each worker), and VM.Do to run
// one HTTP exchange through it:
//
//	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{})
//	vm, err := mod.Start(ctx, hosttest.Config{PluginConfig: rules})
//	res := vm.Do(hosttest.Exchange{RequestBody: body, ResponseBody: resp})
//
// VM.Open drives the same stream logic one step at a time (Live), for a
// proxy that forwards bodies as they arrive (veil serve).
package hosttest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
)

// Profile names the Envoy release family whose host behaviour is emulated.
type Profile string

// The supported profiles.
const (
	// Envoy133 is Envoy 1.33–1.38 (proxy-wasm-cpp-host c4d7bb0…beb8a4e):
	// 18 WASI functions, poll_oneoff answers ENOSYS. It is Veil's floor and
	// the default.
	Envoy133 Profile = "envoy-1.33"
	// Envoy139 is Envoy 1.39+ (cpp-host 09e5f8d): 45 WASI functions,
	// poll_oneoff succeeds with zero events.
	Envoy139 Profile = "envoy-1.39"
)

// ParseProfile maps an Envoy release to the profile that emulates it: "" (the
// default) and 1.33 to 1.38 give Envoy133, 1.39 and every later 1.x release
// give Envoy139 (a later release is assumed to keep 1.39's WASI set until a
// profile says otherwise). A release may carry an "envoy-" or "v" prefix and
// a patch version: "1.36", "envoy-1.36", "v1.36.2" all give Envoy133. A
// release before 1.33, or text that is not one, is an error.
func ParseProfile(s string) (Profile, error) {
	v := strings.TrimPrefix(strings.TrimPrefix(s, "envoy-"), "v")
	if v == "" && s == "" {
		return Envoy133, nil
	}
	minor, ok := envoyMinor(v)
	switch {
	case !ok:
		return "", fmt.Errorf("envoy release %q: want a 1.x release such as 1.33, 1.36.2 or 1.39 (1.33–1.38 run as envoy-1.33, 1.39 and later as envoy-1.39)", s)
	case minor < 33:
		return "", fmt.Errorf("envoy release %q: Veil needs Envoy 1.33 or later (an older Envoy cannot link a module built by Go)", s)
	case minor < 39:
		return Envoy133, nil
	}
	return Envoy139, nil
}

// envoyMinor returns the minor version of a release written "1.MINOR" or
// "1.MINOR.PATCH", each part decimal digits.
func envoyMinor(v string) (int, bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "1" {
		return 0, false
	}
	minor := 0
	for i, p := range parts[1:] {
		if p == "" || len(p) > 4 {
			return 0, false
		}
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return 0, false
			}
			if i == 0 {
				minor = minor*10 + int(c-'0')
			}
		}
	}
	return minor, true
}

// Options tune Load.
type Options struct {
	// Profile selects the emulated Envoy. Empty means Envoy133.
	Profile Profile
	// CacheDir, when set, keeps compiled code on disk across processes.
	// Without it a process-wide in-memory cache is used, so a test binary
	// compiles each module once.
	CacheDir string
}

var (
	memCache = wazero.NewCompilationCache()

	dirCachesMu sync.Mutex
	dirCaches   = map[string]wazero.CompilationCache{}
)

func compilationCache(dir string) (wazero.CompilationCache, error) {
	if dir == "" {
		return memCache, nil
	}
	dirCachesMu.Lock()
	defer dirCachesMu.Unlock()
	if c, ok := dirCaches[dir]; ok {
		return c, nil
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, err
	}
	dirCaches[dir] = c
	return c, nil
}

// Module is a compiled, link-checked plugin module under one profile. Start
// any number of VM instances from it. Metrics and shared data belong to the
// Module, because Envoy keeps them process-wide across worker VMs.
type Module struct {
	profile  Profile
	runtime  wazero.Runtime
	compiled wazero.CompiledModule
	abi      abiVersion
	alloc    string
	store    *store
}

// Load compiles wasm and checks it the way Envoy does before running
// anything: the ABI version export, every import against the profile's WASI
// set and the proxy-wasm host functions (a *LoadError names each missing
// import), the callback export signatures and the allocator.
func Load(ctx context.Context, wasm []byte, opts Options) (*Module, error) {
	p, err := ParseProfile(string(opts.Profile))
	if err != nil {
		return nil, err
	}
	cache, err := compilationCache(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCompilationCache(cache).
		WithMemoryLimitPages(maxMemoryPages).
		WithCustomSections(false))
	m := &Module{profile: p, runtime: rt, store: newStore()}
	if err := m.load(ctx, wasm); err != nil {
		_ = rt.Close(ctx)
		return nil, err
	}
	return m, nil
}

// maxMemoryPages is V8's per-VM cap in Envoy: 16384 pages, 1 GiB.
const maxMemoryPages = 16384

func (m *Module) load(ctx context.Context, wasm []byte) error {
	compiled, err := m.runtime.CompileModule(ctx, wasm)
	if err != nil {
		return fmt.Errorf("Failed to load Wasm module: %w", err)
	}
	m.compiled = compiled
	if m.abi, err = checkABI(compiled); err != nil {
		return err
	}
	if err := checkImports(compiled, m.profile, m.abi); err != nil {
		return err
	}
	if err := checkExports(compiled); err != nil {
		return err
	}
	if m.alloc, err = allocator(compiled); err != nil {
		return err
	}
	return m.instantiateHost(ctx)
}

// Imports lists the module's function imports as "module.name".
func (m *Module) Imports() []string {
	var out []string
	for _, f := range m.compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		out = append(out, mod+"."+name)
	}
	return out
}

// Metrics returns a snapshot of every metric the module's VMs defined, keyed
// by Envoy's stat name (`wasmcustom.<name>`).
func (m *Module) Metrics() map[string]Metric { return m.store.metricsSnapshot() }

// SharedData returns the value stored under key in the shared data of vmID
// (Envoy keys shared data by vm_id) and whether it exists.
func (m *Module) SharedData(vmID, key string) ([]byte, bool) {
	return m.store.sharedData(vmID, key)
}

// Close releases the module and every VM started from it.
func (m *Module) Close(ctx context.Context) error { return m.runtime.Close(ctx) }
