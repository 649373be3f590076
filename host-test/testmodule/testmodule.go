// Package testmodule is test support: it builds the Wasm modules that tests load — the Veil
// plugin and the purpose-built modules under host-test/testdata/modules —
// from the source in the tree, every time a test binary asks for one.
//
// A test that loads a module does not import the module's packages, so go
// test's cache would not notice when their source changes. Build therefore
// opens, inside the test process, every directory and embedded file the
// module is built from, plus go.mod and go.sum: go test records what a test
// opens and reruns it when any of that changes (for a directory: its
// entries' names, sizes and modification times). The build itself goes
// through the Go build cache, so a module whose source did not change costs
// a go list and a cached go build, well under a second.
package testmodule

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
// out, with the given build tags, and records the files it is built from as
// inputs of the running test.
func Build(pkg, out string, tags ...string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	tagFlag := "-tags=" + strings.Join(tags, ",")
	if err := recordSources(root, pkg, tagFlag); err != nil {
		return err
	}
	_, err = goCommand(root, "build", "-buildmode=c-shared", "-trimpath", tagFlag, "-o", out, pkg)
	return err
}

// Plugin builds the Veil plugin (./plugin) into tmpDir and returns its path.
func Plugin(tmpDir string) (string, error) {
	p := filepath.Join(tmpDir, "veil.wasm")
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

// sources holds every input path recorded so far, for RecordInputs.
var sources struct {
	mu    sync.Mutex
	paths map[string]bool
}

// recordSources lists the non-standard packages pkg is built from (with the
// build's tags, for wasip1) and opens their directories, their embedded
// files, go.mod and go.sum.
func recordSources(root, pkg, tagFlag string) error {
	const format = `{{if not .Standard}}{{.Dir}}{{range .EmbedFiles}}{{"\n"}}{{$.Dir}}/{{.}}{{end}}{{end}}`
	list, err := goCommand(root, "list", "-deps", tagFlag, "-f", format, pkg)
	if err != nil {
		return err
	}
	paths := []string{filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum")}
	for _, p := range strings.Split(list, "\n") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	sources.mu.Lock()
	defer sources.mu.Unlock()
	if sources.paths == nil {
		sources.paths = map[string]bool{}
	}
	for _, p := range paths {
		sources.paths[p] = true
	}
	return openAll(paths)
}

// RecordInputs opens again every source recorded by the builds so far. go
// test's log of opened files starts only with m.Run, so a TestMain that
// builds a module before m.Run calls this from its tests (or a helper they
// all use) to tie their cached results to the module's source.
func RecordInputs() error {
	sources.mu.Lock()
	defer sources.mu.Unlock()
	paths := make([]string, 0, len(sources.paths))
	for p := range sources.paths {
		paths = append(paths, p)
	}
	return openAll(paths)
}

// openAll opens and closes each path; opening is what go test records.
func openAll(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		f.Close()
	}
	return nil
}

// goCommand runs the go command in dir for GOOS=wasip1 GOARCH=wasm and
// returns its standard output. The variables that change what the go command
// builds are read here so that go test records them as the test's inputs.
func goCommand(dir string, args ...string) (string, error) {
	for _, v := range []string{"GOFLAGS", "GOEXPERIMENT", "GOWASM", "GOTOOLCHAIN"} {
		os.Getenv(v)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
