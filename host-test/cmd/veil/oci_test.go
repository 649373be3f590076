package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// TestOCI packages the built plugin, checks the printed digest is the
// layout's, and that --pin rewrites exactly the pinned digests of copies of
// the deployment files (both spellings: @sha256:HEX and sha256: HEX).
func TestOCI(t *testing.T) {
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var pins []string
	for _, f := range []string{"envoy/istio/wasmplugin.yaml", "envoy/gateway/extension-policy.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		copyFile := filepath.Join(dir, filepath.Base(f))
		b = pinnedDigest.ReplaceAll(b, []byte("${1}"+strings.Repeat("0", 64)))
		if err := os.WriteFile(copyFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
		pins = append(pins, copyFile)
	}
	out := filepath.Join(dir, "oci")
	stdout, stderr, code := cli(t, "oci", "--wasm", pluginPath, "--out", out, "--pin", pins[0], "--pin", pins[1])
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	digest := strings.TrimSpace(stdout)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(digest) {
		t.Fatalf("stdout %q, want the digest alone", stdout)
	}
	idx, err := layout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 || m.Manifests[0].Digest.String() != digest {
		t.Fatalf("layout index %+v (%v), want one manifest %s", m, err, digest)
	}
	if _, err := os.Stat(out + ".tar"); err != nil {
		t.Error(err)
	}
	hex := strings.TrimPrefix(digest, "sha256:")
	for _, f := range pins {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), strings.Repeat("0", 64)) || !strings.Contains(string(b), hex) {
			t.Errorf("%s: not re-pinned to %s", f, hex)
		}
	}
}

// TestOCIRefuses: a file that is not a module, a --pin file without a
// digest, and an output path that is not an OCI layout fail without
// touching anything.
func TestOCIRefuses(t *testing.T) {
	dir := t.TempDir()
	notWasm := filepath.Join(dir, "rules.yaml")
	os.WriteFile(notWasm, []byte("version: 1\n"), 0o644)
	if _, stderr, code := cli(t, "oci", "--wasm", notWasm, "--out", filepath.Join(dir, "a")); code != 1 || !strings.Contains(stderr, "not a wasm module") {
		t.Errorf("non-module: exit %d, %s", code, stderr)
	}
	if _, stderr, code := cli(t, "oci", "--wasm", pluginPath, "--out", filepath.Join(dir, "b"), "--pin", notWasm); code != 1 || !strings.Contains(stderr, "no sha256 digest to pin") {
		t.Errorf("pin without digest: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("a bad --pin file still let the image be written")
	}
	if _, stderr, code := cli(t, "oci", "--wasm", pluginPath, "--out", dir); code != 1 || !strings.Contains(stderr, "not an OCI image layout") {
		t.Errorf("existing directory: exit %d, %s", code, stderr)
	}
	if b, err := os.ReadFile(notWasm); err != nil || string(b) != "version: 1\n" {
		t.Errorf("file touched: %q %v", b, err)
	}
}
