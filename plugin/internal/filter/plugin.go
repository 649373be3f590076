// Package filter is Veil's proxy-wasm glue: it compiles the rule set handed
// to the plugin as its configuration and applies it to the JSON bodies of
// each HTTP stream. Every callback is guard → read host data → one rules call
// → write host data → return an action; the work itself lives in package rules.
package filter

import (
	"errors"
	"os"
	"runtime/debug"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/veilproxy/veil/rules"
)

// ConfigName names the plugin configuration in compile diagnostics.
const ConfigName = "plugin-config"

// VM is the proxy-wasm VM context. It holds no state: each plugin
// configuration gets its own plugin context.
type VM struct{}

// gcPercent is the garbage-collection target the plugin sets when the VM's
// environment gives no GOGC: bodies are short-lived garbage over a small live
// heap, and a Wasm VM's linear memory never shrinks, so a tighter target keeps
// each worker's memory small and flat (RATIONALE.md, "Why does the plugin set GOGC=50?").
const gcPercent = 50

// OnVMStart sets the GC target; it runs once per VM instance.
func (*VM) OnVMStart(int) types.OnVMStartStatus {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	return types.OnVMStartStatusOK
}

// NewPluginContext implements types.VMContext.
func (*VM) NewPluginContext(uint32) types.PluginContext {
	p := &pluginContext{}
	if faultInjection {
		p.inject = injectPanics
	}
	return p
}

// ParseConfig compiles the plugin configuration (a rule set in YAML or JSON)
// into a program. The key material its crypto_keys name comes from the VM
// environment (vm_config.environment_variables, read through WASI environ:
// no file access); it never appears in an error. Apart from that lookup it is
// a pure function, tested without a host.
func ParseConfig(config []byte) (*rules.Program, error) {
	if len(config) == 0 {
		return nil, errors.New("plugin configuration is empty: it must be a veil rule set (YAML or JSON)")
	}
	return rules.Compile(config, rules.Options{Filename: ConfigName, Env: os.LookupEnv})
}

// pluginContext owns the compiled program and the metrics of one plugin configuration.
type pluginContext struct {
	types.DefaultPluginContext
	program    *rules.Program
	apply      applyFunc // program.Apply, wrapped by inject when set
	inject     func(applyFunc) applyFunc
	metrics    *metrics
	rejections map[rules.FailureKind]rejection
	// blockStatuses maps each block rule's id to the status of its
	// request-side local reply.
	blockStatuses map[string]uint32
	// auditBuf is reused for each stream's audit line: the VM runs one
	// callback at a time, and the host copies the line out at once.
	auditBuf []byte
	// codec decodes and re-encodes encoded bodies, its readers, compressor
	// and buffers reused from one body to the next (encoding.go).
	codec rules.Codec
}

// OnPluginStart compiles the configuration and defines the metrics; a rule
// set with a mistake refuses the start with a critical log naming it.
func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	config, err := proxywasm.GetPluginConfiguration()
	if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
		proxywasm.LogCriticalf("veil: reading plugin configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	program, err := ParseConfig(config)
	if err != nil {
		proxywasm.LogCriticalf("veil: invalid rule set, refusing to start:\n%v", err)
		return types.OnPluginStartStatusFailed
	}
	p.program = program
	p.apply = program.Apply
	if p.inject != nil {
		p.apply = p.inject(p.apply)
	}
	p.metrics = defineMetrics(program)
	p.rejections = prepareRejections(program.Name())
	p.blockStatuses = blockStatuses(program)
	for _, w := range program.Warnings() {
		proxywasm.LogWarnf("veil: rule set %q: %s", program.Name(), w)
	}
	proxywasm.LogInfof("veil: rule set %q loaded with %d rules", program.Name(), len(program.Rules()))
	return types.OnPluginStartStatusOK
}

// blockStatuses returns the request-side reply status of each block rule of
// p, by rule id.
func blockStatuses(p *rules.Program) map[string]uint32 {
	out := make(map[string]uint32)
	for _, r := range p.Rules() {
		if r.Action == "block" {
			out[r.ID] = uint32(r.BlockStatus)
		}
	}
	return out
}

// blockStatus returns the status a request-side block by rule id answers
// with: the rule's, or 400 when it names none.
func (p *pluginContext) blockStatus(id string) uint32 {
	if status := p.blockStatuses[id]; status != 0 {
		return status
	}
	return defaultBlockStatus
}

// NewHttpContext implements types.PluginContext.
func (p *pluginContext) NewHttpContext(uint32) types.HttpContext {
	return &stream{plugin: p}
}
