package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// envoyFlagUsage is the usage of every --envoy flag (hosttest.ParseProfile
// reads its value).
const envoyFlagUsage = "emulated Envoy `release`: 1.33–1.38 (run as envoy-1.33) or 1.39 and later (envoy-1.39);\n" +
	"a patch version and an envoy- prefix are accepted (1.36.2, envoy-1.39)"

// filterFlags are the switches that stand for settings of Envoy's Wasm
// filter rather than for the exchange: shared by the commands that run the
// plugin as Envoy would (run, serve), so they spell and mean the same.
type filterFlags struct {
	// allowHeadersStop is PluginConfig.allow_on_headers_stop_iteration.
	allowHeadersStop bool
}

// define defines the filter switches on fs, stored in f.
func (f *filterFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&f.allowHeadersStop, "allow-on-headers-stop-iteration", false,
		"set the Wasm filter's allow_on_headers_stop_iteration (Envoy >= 1.35): a plugin that\n"+
			"pauses in a headers callback still gets the body; report_header and\n"+
			"mark_responses need it (envoy/envoy.yaml sets it)")
}

// apply sets the switches on the VM configuration.
func (f *filterFlags) apply(cfg *hosttest.Config) {
	cfg.AllowOnHeadersStopIteration = f.allowHeadersStop
}

// warnHeldHeaders writes a note to stderr when cfg's rule set holds the
// response headers (report_header, mark_responses) and the switch is off:
// Envoy then stops the response (host-test reports a stalled stream). The
// rule set is compiled natively with cfg's environment; one the plugin will
// refuse gets no note (the plugin's own error says more).
func warnHeldHeaders(stderr io.Writer, cmd string, cfg hosttest.Config) {
	if cfg.AllowOnHeadersStopIteration {
		return
	}
	prog, err := compileConfig(cfg)
	if err != nil {
		return
	}
	var what []string
	if prog.ReportHeader() != "" {
		what = append(what, "report_header")
	}
	if prog.MarkResponses() {
		what = append(what, "mark_responses")
	}
	if len(what) == 0 {
		return
	}
	list := strings.Join(what, " and ")
	fmt.Fprintf(stderr, "veil %s: note: the rule set sets %s, which holds the response headers until the body is rewritten;\n"+
		"  Envoy lets the body through to a filter holding headers only with allow_on_headers_stop_iteration: true\n"+
		"  (Envoy >= 1.35; --allow-on-headers-stop-iteration here). Without it a response the rule set reads\n"+
		"  stalls and the client gets nothing; on Envoy 1.33-1.34, which lack the setting, leave %s out\n"+
		"  (envoy/envoy-1.33.yaml)\n", cmd, list, list)
}

// compileConfig compiles cfg's rule set natively, with the VM environment
// cfg hands the plugin, as the plugin would at start.
func compileConfig(cfg hosttest.Config) (*rules.Program, error) {
	env := map[string]string{}
	for _, e := range cfg.Env {
		name, value, _ := strings.Cut(e, "=")
		env[name] = value
	}
	return rules.Compile(cfg.PluginConfig, rules.Options{Env: func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}})
}
