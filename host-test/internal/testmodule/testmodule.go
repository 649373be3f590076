// Package testmodule builds the Wasm modules that host-test's tests load: the
// Veil plugin (build/veil.wasm at the repository root, built on demand when
// missing) and the purpose-built modules under host-test/testdata/modules.
package testmodule

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot returns the directory holding the repository's go.mod, found by
// walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Build compiles the Go package pkg (a path relative to the repository root,
// such as "./plugin") for GOOS=wasip1 GOARCH=wasm as a c-shared reactor into
// out, with the given build tags. The Go build cache makes repeated builds quick.
func Build(pkg, out string, tags ...string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-tags="+strings.Join(tags, ","), "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}

// Plugin returns the path of the Veil plugin: build/veil.wasm at the
// repository root when it exists (the Makefile's test target builds it
// first), otherwise a fresh build of ./plugin into tmpDir.
func Plugin(tmpDir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "build", "veil.wasm")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	p = filepath.Join(tmpDir, "veil.wasm")
	return p, Build("./plugin", p)
}

// PluginWithFaults builds the plugin with fault injection (-tags veilfaults:
// a body holding the plugin's fault marker panics inside Apply) into tmpDir.
func PluginWithFaults(tmpDir string) (string, error) {
	p := filepath.Join(tmpDir, "veil-faults.wasm")
	return p, Build("./plugin", p, "veilfaults")
}

// Module builds host-test/testdata/modules/<name> into tmpDir and returns the
// path of the .wasm file.
func Module(name, tmpDir string) (string, error) {
	p := filepath.Join(tmpDir, name+".wasm")
	return p, Build("./host-test/testdata/modules/"+name, p)
}
