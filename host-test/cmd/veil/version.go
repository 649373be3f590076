package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionInfo is what veil version prints.
type versionInfo struct {
	// Version is the main module's version, "(devel)" for a build from a
	// checkout.
	Version string `json:"version"`
	// Revision, Time and Modified are the checkout's commit, its time and
	// whether the tree had changes, when the go command recorded them.
	Revision string `json:"vcs_revision,omitempty"`
	Time     string `json:"vcs_time,omitempty"`
	Modified *bool  `json:"vcs_modified,omitempty"`
	// Go is the toolchain that built veil.
	Go string `json:"go"`
	// Wazero is the version of the Wasm runtime host-test runs the plugin in.
	Wazero string `json:"wazero"`
	// PluginSHA256 is the hex SHA-256 of the module make cli embedded, ""
	// when this veil has none.
	PluginSHA256 string `json:"plugin_sha256"`
}

// wazeroModule is the module path of the Wasm runtime.
const wazeroModule = "github.com/tetratelabs/wazero"

// newVersionInfo reads bi (from debug.ReadBuildInfo; nil when there is
// none) and the embedded module's digest.
func newVersionInfo(bi *debug.BuildInfo, pluginSHA256 string) versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version(), Wazero: "unknown", PluginSHA256: pluginSHA256}
	if bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, d := range bi.Deps {
		if d.Path != wazeroModule {
			continue
		}
		v.Wazero = d.Version
		if d.Replace != nil {
			v.Wazero = d.Replace.Version + " (replacing " + d.Version + ")"
		}
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			m := s.Value == "true"
			v.Modified = &m
		}
	}
	return v
}

// text writes v as aligned lines.
func (v versionInfo) text(w io.Writer) {
	fmt.Fprintf(w, "veil %s\n", v.Version)
	if v.Revision != "" {
		rev := v.Revision
		if v.Time != "" {
			rev += " " + v.Time
		}
		if v.Modified != nil && *v.Modified {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "  commit  %s\n", rev)
	}
	fmt.Fprintf(w, "  go      %s\n", v.Go)
	fmt.Fprintf(w, "  wazero  %s\n", v.Wazero)
	plugin := "none: give --plugin (make cli embeds build/veil.wasm)"
	if v.PluginSHA256 != "" {
		plugin = "sha256:" + v.PluginSHA256 + " (embedded)"
	}
	fmt.Fprintf(w, "  plugin  %s\n", plugin)
}

func versionCmd(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version [--json]\n\nPrints veil's version (the module's, or (devel) with the commit it was built\n"+
		"from), the Go and wazero versions it was built with, and the SHA-256 of the\nplugin module make cli embedded in it.", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object (version, vcs_revision, vcs_time, vcs_modified, go, wazero, plugin_sha256)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fail(2, "want no arguments")
	}
	bi, _ := debug.ReadBuildInfo()
	v := newVersionInfo(bi, embeddedSHA256())
	if *asJSON {
		return json.NewEncoder(stdout).Encode(v)
	}
	v.text(stdout)
	return nil
}
