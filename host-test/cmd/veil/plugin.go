package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"os"
)

// embedded holds this directory's README and, after `make cli`, the module
// it built (embedded/veil.wasm, ignored by git).
//
//go:embed embedded
var embedded embed.FS

// embeddedPlugin returns the module `make cli` embedded, nil when this
// binary was built without one.
func embeddedPlugin() []byte {
	b, err := embedded.ReadFile("embedded/veil.wasm")
	if err != nil {
		return nil
	}
	return b
}

// embeddedSHA256 returns the hex SHA-256 of the embedded module, "" without one.
func embeddedSHA256() string {
	b := embeddedPlugin()
	if b == nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// errNoPlugin is what pluginModule returns when neither --plugin nor an
// embedded module names the plugin.
var errNoPlugin = errors.New("no plugin module: give --plugin FILE (this veil was built without one; `make cli` embeds build/veil.wasm)")

// pluginModule returns the plugin's bytes and a name for messages: the file
// --plugin names when it is set, else the embedded module.
func pluginModule(path string) (wasm []byte, name string, err error) {
	if path != "" {
		wasm, err = os.ReadFile(path)
		return wasm, path, err
	}
	if wasm = embeddedPlugin(); wasm != nil {
		return wasm, "embedded module", nil
	}
	return nil, "", fail(2, "%v", errNoPlugin)
}

// pluginFlagUsage is the usage of every command's --plugin flag.
const pluginFlagUsage = "the plugin `module` (default: the module embedded by make cli)"
