package hosttest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Config is what Envoy hands a plugin VM: its configurations, identity,
// environment and surroundings.
type Config struct {
	// PluginConfig is PluginConfig.configuration, read by the guest in
	// proxy_on_configure. Veil's rule set goes here.
	PluginConfig []byte
	// Env is vm_config.environment_variables as NAME=VALUE; the guest sees
	// exactly these through environ_get (os.Getenv).
	Env []string
	// VMID is vm_config.vm_id: the plugin_vm_id property, and the key of
	// the shared data and queues.
	VMID string
	// BufferLimit is per_connection_buffer_limit_bytes: a paused body that
	// outgrows it gets 413 (request) or 500/reset (response). Zero means
	// Envoy's default, 1 MiB.
	BufferLimit int
	// Properties are attributes of the connection and route (source and
	// destination addresses, mTLS identity, xds.*, metadata such as
	// jwt_authn claims). request.* and response.* come from each Exchange.
	Properties []Property
	// HTTPCall answers proxy_http_call. Without it every call fails with
	// BAD_ARGUMENT, as Envoy does for an unknown cluster.
	HTTPCall HTTPCallHandler
	// AllowOnHeadersStopIteration is PluginConfig.allow_on_headers_stop_iteration
	// (Envoy ≥ 1.35): Pause from a headers callback holds the headers
	// (StopIteration) but lets body callbacks run; the headers stay
	// writable and leave with the first body callback that continues.
	AllowOnHeadersStopIteration bool
}

// defaultBufferLimit is Envoy's default per_connection_buffer_limit_bytes.
const defaultBufferLimit = 1 << 20

// pluginName is the plugin_name property: the name Veil's deployment files
// give the filter.
const pluginName = "veil"

// VM is one started instance of a Module, like one of Envoy's per-worker
// clones: its own linear memory and Go heap, the Module's metrics and shared
// data. A VM is not safe for concurrent use; start one per goroutine.
type VM struct {
	m    *Module
	cfg  Config
	inst api.Module
	ctx  context.Context

	// phase restricts host calls: phaseStart during _initialize,
	// phaseAlloc inside the allocator, phaseRun otherwise.
	phase    phase
	callback string // guest export being run, for messages
	rootID   uint32
	nextID   uint32
	logs     []LogEntry
	failed   error

	// effective is the context whose state host calls act on.
	effective uint32
	streams   map[uint32]*stream
	// config is the buffer readable in the current callback
	// (VM_CONFIGURATION in on_vm_start, PLUGIN_CONFIGURATION in on_configure).
	config map[bufferType][]byte

	metricIDs  map[uint32]*Metric
	nextMetric [3]uint32

	// hold defers pending deliveries (Exchange.SlowCalls).
	hold   bool
	status struct {
		code uint32
		msg  string
	}
	calls   httpCalls
	pending []func()
	exports map[string]*cachedExport
}

type phase uint8

const (
	phaseRun phase = iota
	phaseStart
	phaseAlloc
)

type vmKey struct{}

// StartError is a VM that failed to start as Envoy would report it: a trap
// in _initialize (for example a restricted host call), or false from
// proxy_on_vm_start or proxy_on_configure. Logs holds what the guest logged,
// including its critical explanation.
type StartError struct {
	Stage string // "_initialize", "proxy_on_vm_start" or "proxy_on_configure"
	Err   error  // the trap, or nil when the callback returned false
	Logs  []LogEntry
}

// Error names the stage and the trap, followed by the guest's error and
// critical logs.
func (e *StartError) Error() string {
	var b strings.Builder
	b.WriteString("wasm vm failed to start: ")
	b.WriteString(e.Stage)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	} else {
		b.WriteString(" returned false")
	}
	for _, l := range e.Logs {
		if l.Level >= LogError {
			fmt.Fprintf(&b, "\n%s: %s", l.Level, l.Message)
		}
	}
	return b.String()
}

// Unwrap returns the trap, if any.
func (e *StartError) Unwrap() error { return e.Err }

// Start instantiates a new VM from the module and starts it the way Envoy
// does: _initialize under the start-time allow-list, then the root context,
// proxy_on_vm_start and proxy_on_configure.
func (m *Module) Start(ctx context.Context, cfg Config) (*VM, error) {
	if cfg.BufferLimit == 0 {
		cfg.BufferLimit = defaultBufferLimit
	}
	vm := &VM{
		m: m, cfg: cfg, nextID: 1,
		streams:   map[uint32]*stream{},
		config:    map[bufferType][]byte{},
		metricIDs: map[uint32]*Metric{},
		exports:   map[string]*cachedExport{},
	}
	vm.ctx = context.WithValue(ctx, vmKey{}, vm)
	inst, err := m.runtime.InstantiateModule(vm.ctx, m.compiled,
		wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	vm.inst = inst
	if err := vm.start(); err != nil {
		_ = inst.Close(ctx)
		return nil, err
	}
	return vm, nil
}

func (vm *VM) start() error {
	fail := func(stage string, err error) error {
		return &StartError{Stage: stage, Err: err, Logs: vm.Logs()}
	}
	vm.phase = phaseStart
	starts := []string{"_initialize", "main"}
	if vm.m.profile == Envoy139 {
		starts = append(starts, "__main_void")
	}
	if vm.inst.ExportedFunction("_initialize") == nil {
		starts = []string{"_start"}
	}
	for _, name := range starts {
		if vm.inst.ExportedFunction(name) == nil {
			continue
		}
		args := []uint64{}
		if name == "main" {
			args = []uint64{0, 0}
		}
		if _, _, err := vm.call(name, args...); err != nil {
			return fail(name, err)
		}
		if name == "main" {
			break
		}
	}
	vm.phase = phaseRun
	vm.rootID = vm.newContextID()
	vm.effective = vm.rootID
	if _, _, err := vm.call("proxy_on_context_create", uint64(vm.rootID), 0); err != nil {
		return fail("proxy_on_context_create", err)
	}
	for _, step := range []struct {
		fn  string
		buf bufferType
		b   []byte
	}{
		{"proxy_on_vm_start", bufVMConfiguration, nil},
		{"proxy_on_configure", bufPluginConfiguration, vm.cfg.PluginConfig},
	} {
		vm.config[step.buf] = step.b
		ok, exported, err := vm.call(step.fn, uint64(vm.rootID), uint64(len(step.b)))
		delete(vm.config, step.buf)
		if err != nil {
			return fail(step.fn, err)
		}
		if exported && ok == 0 {
			return fail(step.fn, nil)
		}
	}
	return nil
}

func (vm *VM) newContextID() uint32 {
	id := vm.nextID
	vm.nextID++
	return id
}

// call runs a guest export with i32 arguments and returns its (first)
// result. A missing export is not an error (Envoy treats every callback as
// optional); exported reports whether it existed. A trap fails the VM.
func (vm *VM) call(name string, args ...uint64) (result uint32, exported bool, err error) {
	if vm.failed != nil {
		return 0, false, vm.failed
	}
	f, release := vm.export(name)
	if f == nil {
		return 0, false, nil
	}
	prev := vm.callback
	vm.callback = name
	res, err := f.Call(vm.ctx, args...)
	vm.callback = prev
	release()
	if err != nil {
		vm.failed = fmt.Errorf("%s: %w", name, err)
		return 0, true, vm.failed
	}
	if len(res) > 0 {
		result = uint32(res[0])
	}
	vm.runPending()
	return result, true, vm.failed
}

// export returns the guest export name (nil if there is none) and a func to
// call when the call is over. Each wazero Function owns a call stack, so
// one per export is kept and reused; a nested call of an export already
// running gets a fresh one.
func (vm *VM) export(name string) (f api.Function, release func()) {
	if e, ok := vm.exports[name]; ok && !e.busy {
		if e.f == nil {
			return nil, nil
		}
		e.busy = true
		return e.f, func() { e.busy = false }
	} else if ok {
		return vm.inst.ExportedFunction(name), func() {}
	}
	e := &cachedExport{f: vm.inst.ExportedFunction(name)}
	vm.exports[name] = e
	return vm.export(name)
}

// cachedExport is a guest export and whether a call of it is under way.
type cachedExport struct {
	f    api.Function
	busy bool
}

// runPending delivers what Envoy delivers asynchronously after a VM call
// returns (http_call responses, queue notifications), once the outermost
// callback is done.
func (vm *VM) runPending() {
	if vm.callback != "" || vm.hold {
		return
	}
	for len(vm.pending) > 0 && vm.failed == nil {
		next := vm.pending[0]
		vm.pending = vm.pending[1:]
		next()
	}
}

// Logs returns what the VM logged (proxy_log and fd_write) outside
// exchanges: at start-up and in root-context callbacks. What it logged
// during an exchange is in that exchange's Result.Logs.
func (vm *VM) Logs() []LogEntry { return append([]LogEntry(nil), vm.logs...) }

// MemorySize returns the guest's linear-memory size in bytes, for soak tests.
func (vm *VM) MemorySize() uint32 { return vm.inst.Memory().Size() }

// Close releases the VM's instance.
func (vm *VM) Close(ctx context.Context) error { return vm.inst.Close(ctx) }

// restrictedError is the trap raised for a host call outside the current
// allow-list (cpp-host "restricted_callback").
type restrictedError struct{ fn, during string }

func (e *restrictedError) Error() string {
	return fmt.Sprintf("restricted_callback: %s called during %s", e.fn, e.during)
}

// ErrRestricted matches (errors.Is) a trap from a restricted host call.
var ErrRestricted = errors.New("restricted_callback")

// Is matches ErrRestricted.
func (e *restrictedError) Is(target error) bool { return target == ErrRestricted }

// hostFn implements one host function; stack holds the raw arguments and
// receives the results.
type hostFn func(vm *VM, mod api.Module, stack []uint64)

func (m *Module) instantiateHost(ctx context.Context) error {
	spec := profiles[m.profile]
	env := m.runtime.NewHostModuleBuilder(envModule)
	for name, s := range envSigs {
		export(env, envModule, name, s, envFuncs[name], spec)
	}
	if m.abi == abi021 {
		for name, s := range envSigs021 {
			export(env, envModule, name, s, envFuncs[name], spec)
		}
	}
	if _, err := env.Instantiate(ctx); err != nil {
		return err
	}
	for _, mod := range []string{wasiModule, wasiUnstable} {
		b := m.runtime.NewHostModuleBuilder(mod)
		for name := range spec.wasi {
			export(b, mod, name, wasiSigs[name], wasiFuncs[name], spec)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return err
		}
	}
	return nil
}

func export(b wazero.HostModuleBuilder, module, name string, s sig, fn hostFn, spec profileSpec) {
	if fn == nil {
		panic("hosttest: no implementation for " + module + "." + name)
	}
	key := name
	if module == envModule {
		key = "env." + name
	}
	params, results := s.types()
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		vm := ctx.Value(vmKey{}).(*VM)
		switch {
		case vm.phase == phaseStart && !spec.startAllowed[key]:
			panic(&restrictedError{module + "." + name, vm.callback})
		case vm.phase == phaseAlloc && !spec.allocAllowed[key]:
			panic(&restrictedError{module + "." + name, "the allocator"})
		}
		fn(vm, mod, stack)
	}), params, results).Export(name)
}

// envFuncs implements module env.
var envFuncs = map[string]hostFn{
	"proxy_log":                          (*VM).proxyLog,
	"proxy_get_log_level":                (*VM).proxyGetLogLevel,
	"proxy_get_status":                   (*VM).proxyGetStatus,
	"proxy_set_property":                 (*VM).proxySetProperty,
	"proxy_get_property":                 (*VM).proxyGetProperty,
	"proxy_send_local_response":          (*VM).proxySendLocalResponse,
	"proxy_get_shared_data":              (*VM).proxyGetSharedData,
	"proxy_set_shared_data":              (*VM).proxySetSharedData,
	"proxy_register_shared_queue":        (*VM).proxyRegisterSharedQueue,
	"proxy_resolve_shared_queue":         (*VM).proxyResolveSharedQueue,
	"proxy_dequeue_shared_queue":         (*VM).proxyDequeueSharedQueue,
	"proxy_enqueue_shared_queue":         (*VM).proxyEnqueueSharedQueue,
	"proxy_get_header_map_value":         (*VM).proxyGetHeaderMapValue,
	"proxy_add_header_map_value":         (*VM).proxyAddHeaderMapValue,
	"proxy_replace_header_map_value":     (*VM).proxyReplaceHeaderMapValue,
	"proxy_remove_header_map_value":      (*VM).proxyRemoveHeaderMapValue,
	"proxy_get_header_map_pairs":         (*VM).proxyGetHeaderMapPairs,
	"proxy_set_header_map_pairs":         (*VM).proxySetHeaderMapPairs,
	"proxy_get_header_map_size":          (*VM).proxyGetHeaderMapSize,
	"proxy_get_buffer_status":            (*VM).proxyGetBufferStatus,
	"proxy_get_buffer_bytes":             (*VM).proxyGetBufferBytes,
	"proxy_set_buffer_bytes":             (*VM).proxySetBufferBytes,
	"proxy_http_call":                    (*VM).proxyHTTPCall,
	"proxy_grpc_call":                    (*VM).proxyGrpcUnavailable,
	"proxy_grpc_stream":                  (*VM).proxyGrpcUnavailable,
	"proxy_grpc_close":                   (*VM).proxyGrpcUnavailable,
	"proxy_grpc_cancel":                  (*VM).proxyGrpcUnavailable,
	"proxy_grpc_send":                    (*VM).proxyGrpcUnavailable,
	"proxy_set_tick_period_milliseconds": (*VM).proxySetTickPeriod,
	"proxy_get_current_time_nanoseconds": (*VM).proxyGetCurrentTime,
	"proxy_define_metric":                (*VM).proxyDefineMetric,
	"proxy_increment_metric":             (*VM).proxyIncrementMetric,
	"proxy_record_metric":                (*VM).proxyRecordMetric,
	"proxy_get_metric":                   (*VM).proxyGetMetric,
	"proxy_set_effective_context":        (*VM).proxySetEffectiveContext,
	"proxy_done":                         (*VM).proxyDone,
	"proxy_call_foreign_function":        (*VM).proxyCallForeignFunction,
	"proxy_continue_stream":              (*VM).proxyContinueStream,
	"proxy_close_stream":                 (*VM).proxyCloseStream,
	"pthread_equal":                      (*VM).pthreadEqual,
	"emscripten_notify_memory_growth":    (*VM).emscriptenNotifyMemoryGrowth,
}
