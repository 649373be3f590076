package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		sha  string
		want string
	}{
		{"no build info", nil, "", "veil (devel)\n  go      " + runtime.Version() + "\n  wazero  unknown\n  plugin  none: give --plugin (make cli embeds build/veil.wasm)\n"},
		{"a release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
			Deps: []*debug.Module{{Path: "example.com/x", Version: "v9"}, {Path: wazeroModule, Version: "v1.12.0"}}}, "ab12",
			"veil v1.4.0\n  go      go1.26.8\n  wazero  v1.12.0\n  plugin  sha256:ab12 (embedded)\n"},
		{"a checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Deps:     []*debug.Module{{Path: wazeroModule, Version: "v1.12.0", Replace: &debug.Module{Path: "../wazero", Version: "v1.13.0-dev"}}},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "9a9705c"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, "",
			"veil (devel)\n  commit  9a9705c 2026-12-01T10:00:00Z (modified)\n  go      go1.26.8\n  wazero  v1.13.0-dev (replacing v1.12.0)\n  plugin  none: give --plugin (make cli embeds build/veil.wasm)\n"},
	} {
		v := newVersionInfo(tc.bi, tc.sha)
		var b bytes.Buffer
		v.text(&b)
		if b.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, b.String(), tc.want)
		}
	}
	if v := newVersionInfo(&debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}}, ""); v.Modified == nil || !*v.Modified {
		t.Errorf("vcs.modified: %v", v.Modified)
	}
}

func TestVersionCLI(t *testing.T) {
	out, stderr, code := cli(t, "version")
	plugin := "none: give --plugin"
	if sum := embeddedSHA256(); sum != "" {
		plugin = "sha256:" + sum
	}
	if code != 0 || !strings.HasPrefix(out, "veil ") || !strings.Contains(out, "go      "+runtime.Version()) ||
		!strings.Contains(out, "wazero  v") || !strings.Contains(out, plugin) {
		t.Errorf("version: exit %d, %q, %q", code, out, stderr)
	}
	out, _, code = cli(t, "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Go != runtime.Version() || !strings.HasPrefix(v.Wazero, "v") || v.PluginSHA256 != embeddedSHA256() {
		t.Errorf("version --json: exit %d, %v, %+v", code, err, v)
	}
	if _, _, code := cli(t, "version", "extra"); code != 2 {
		t.Errorf("version extra: exit %d, want 2", code)
	}
}
