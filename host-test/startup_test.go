package hosttest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
)

// A module whose os.Stat imports fd_filestat_get and path_filestat_get is
// refused by Envoy 1.33–1.38 before it runs, with Envoy's wording and every
// missing import named; Envoy 1.39 links it, and the call fails at run time.
func TestImportRefusal(t *testing.T) {
	ctx := context.Background()
	wasm := wasmOf(t, "statfile")
	_, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: hosttest.Envoy133})
	var le *hosttest.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load under envoy-1.33: err = %v, want *LoadError", err)
	}
	for _, want := range []string{
		"Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.fd_filestat_get",
		"Failed to load Wasm module due to a missing import: wasi_snapshot_preview1.path_filestat_get",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, m := range le.Missing {
		if !strings.HasPrefix(m, "wasi_snapshot_preview1.") {
			t.Errorf("unexpected missing import %s", m)
		}
	}

	vm := start(t, "statfile", hosttest.Envoy139, hosttest.Config{})
	res := vm.Do(hosttest.Exchange{})
	if res.VMError != nil || len(res.Errors) > 0 {
		t.Fatalf("envoy-1.39 exchange: vm error %v, errors %v", res.VMError, res.Errors)
	}
	if !hasLog(res.Logs, "stat: ") {
		t.Errorf("os.Stat should fail and be logged; logs: %v", res.Logs)
	}
}

// A module that armed a runtime timer dies at the next GC under
// envoy-1.33, the way Envoy reports it ("poll_oneoff failed"), and every
// later request gets the fail-closed 503; under envoy-1.39 it survives.
func TestTimerDiesOnEnvoy133(t *testing.T) {
	vm := start(t, "timer", hosttest.Envoy133, hosttest.Config{})
	res := vm.Do(hosttest.Exchange{})
	if res.VMError == nil {
		t.Fatalf("no VM failure; logs: %v", res.Logs)
	}
	if !hasLog(res.Logs, "poll_oneoff failed") {
		t.Errorf("logs lack the Go runtime's poll_oneoff failure: %v", res.Logs)
	}
	if res.Response.Status != 503 || res.LocalReply == nil || res.LocalReply.Details != "wasm_fail_stream" {
		t.Errorf("response %d %+v, want 503 wasm_fail_stream", res.Response.Status, res.LocalReply)
	}
	if again := vm.Do(hosttest.Exchange{}); again.Response.Status != 503 || len(again.Callbacks) != 0 {
		t.Errorf("failed VM: next exchange got %d with callbacks %v, want 503 and none", again.Response.Status, again.Callbacks)
	}

	vm = start(t, "timer", hosttest.Envoy139, hosttest.Config{})
	for i := 0; i < 3; i++ {
		if res := vm.Do(hosttest.Exchange{}); res.VMError != nil || !hasLog(res.Logs, "survived gc") {
			t.Fatalf("envoy-1.39 exchange %d: %v, logs %v", i, res.VMError, res.Logs)
		}
	}
}

// A proxy_* call other than proxy_log during _initialize (Go init) traps
// and the VM fails to start, under both profiles.
func TestInitProxyCallFailsStart(t *testing.T) {
	for _, p := range []hosttest.Profile{hosttest.Envoy133, hosttest.Envoy139} {
		_, err := load(t, "initcall", p).Start(context.Background(), hosttest.Config{})
		var se *hosttest.StartError
		if !errors.As(err, &se) || se.Stage != "_initialize" || !errors.Is(err, hosttest.ErrRestricted) {
			t.Fatalf("%s: err = %v, want a restricted_callback StartError in _initialize", p, err)
		}
		if !strings.Contains(err.Error(), "env.proxy_define_metric") {
			t.Errorf("%s: error does not name the call: %v", p, err)
		}
	}
}

// proxy_on_configure returning false is a start failure carrying the
// plugin's critical log.
func TestConfigureFalseFailsStart(t *testing.T) {
	_, err := load(t, "behave", hosttest.Envoy133).Start(context.Background(),
		hosttest.Config{PluginConfig: []byte(`{"fail_start": true}`)})
	var se *hosttest.StartError
	if !errors.As(err, &se) || se.Stage != "proxy_on_configure" || se.Err != nil {
		t.Fatalf("err = %v, want proxy_on_configure returned false", err)
	}
	if !strings.Contains(err.Error(), "critical: refusing to start: fail_start is set") {
		t.Errorf("error lacks the critical log: %v", err)
	}
}

// Envoy runs a VM per worker: several instances of one module start the
// same way, keep separate memory and share process-wide metrics.
func TestSeveralVMs(t *testing.T) {
	m := load(t, "behave", hosttest.Envoy133)
	for i := 0; i < 3; i++ {
		vm, err := m.Start(context.Background(), hosttest.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if res := vm.Do(hosttest.Exchange{}); res.VMError != nil {
			t.Fatal(res.VMError)
		}
		if vm.MemorySize() == 0 {
			t.Error("memory size 0")
		}
	}
	if got := m.Metrics()["wasmcustom.behave_requests"]; got.Type != hosttest.Counter || got.Value != 3 {
		t.Errorf("behave_requests = %+v, want counter 3 across VMs", got)
	}
}

// VM environment variables reach os.Getenv through environ_get, and only
// those.
func TestEnvironment(t *testing.T) {
	vm := start(t, "behave", hosttest.Envoy133, hosttest.Config{
		PluginConfig: []byte(`{"getenv": "VEIL_KEY"}`),
		Env:          []string{"VEIL_KEY=s3cret"},
	})
	if !hasLog(vm.Logs(), `env VEIL_KEY="s3cret"`) {
		t.Errorf("logs: %v", vm.Logs())
	}
}

func hasLog(logs []hosttest.LogEntry, sub string) bool {
	for _, l := range logs {
		if strings.Contains(l.Message, sub) {
			return true
		}
	}
	return false
}

// Shared data is keyed by vm_id and shared by every VM of the process, with
// compare-and-swap.
func TestSharedData(t *testing.T) {
	m := load(t, "behave", hosttest.Envoy133)
	cfg := hosttest.Config{VMID: "v", PluginConfig: []byte(`{"shared_key":"k"}`)}
	for i := 0; i < 2; i++ {
		vm, err := m.Start(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{`shared k = "" err=error status returned by host: not found`, "set: <nil>"}
		if i == 1 {
			want = []string{`shared k = "+" err=<nil>`, "stale cas: error status returned by host: cas mismatch", "set: <nil>"}
		}
		for _, w := range want {
			if !hasLog(vm.Logs(), w) {
				t.Errorf("VM %d: logs lack %q: %v", i, w, vm.Logs())
			}
		}
	}
	if v, ok := m.SharedData("v", "k"); !ok || string(v) != "++" {
		t.Errorf("shared data v/k = %q, %t", v, ok)
	}
	if _, ok := m.SharedData("other", "k"); ok {
		t.Error("shared data leaked across vm_ids")
	}
}

// Metrics follow Envoy's rules: a counter only goes up (+0 and -1 are
// BAD_ARGUMENT), record on a counter adds, histograms cannot be incremented
// or read, unknown types are refused, ids carry the type in their low bits,
// and names are stored as wasmcustom.<name>.
func TestMetricRules(t *testing.T) {
	m := load(t, "behave", hosttest.Envoy133)
	vm, err := m.Start(context.Background(), hosttest.Config{PluginConfig: []byte(`{"metric_probe":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"probe: increment counter 0 = 2", "probe: increment counter -1 = 2",
		"probe: record counter 5 = 0", "probe: record counter 2 = 0", "probe: get counter = 0 value 7",
		"probe: increment histogram = 2", "probe: get histogram = 2", "probe: define type 3 = 2",
		"probe: counter id 4 histogram id 6",
	} {
		if !hasLog(vm.Logs(), want) {
			t.Errorf("logs lack %q: %v", want, vm.Logs())
		}
	}
	if got := m.Metrics()["wasmcustom.probe_counter"]; got.Value != 7 {
		t.Errorf("wasmcustom.probe_counter = %+v", got)
	}
}

// Envoy checks the ABI version export first, then links env imports
// against the proxy-wasm host functions of that ABI, signatures included.
func TestLoadChecks(t *testing.T) {
	ctx := context.Background()
	_, err := hosttest.Load(ctx, wasmOf(t, "noabi"), hosttest.Options{})
	if err == nil || err.Error() != "Missing or unknown Proxy-Wasm ABI version" {
		t.Errorf("noabi: %v", err)
	}
	_, err = hosttest.Load(ctx, wasmOf(t, "badenv"), hosttest.Options{Profile: hosttest.Envoy139})
	var le *hosttest.LoadError
	if !errors.As(err, &le) || !slices.Equal(le.Missing, []string{"env.proxy_get_log_level"}) || !slices.Equal(le.Mismatched, []string{"env.proxy_get_status"}) {
		t.Errorf("badenv: %v", err)
	}
}
