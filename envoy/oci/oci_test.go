package oci

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// module is a minimal valid Wasm module (magic and version, no sections)
// followed by filler, so that the layer's content is distinctive.
var module = append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("veil"), 1000)...)

// TestWriteOpensAsCompatImage writes the image and reads it back both ways
// a registry push would: the layout opens with go-containerregistry and
// holds one image of one Docker layer whose tar has exactly plugin.wasm with
// the input bytes; the tarball yields the same manifest digest, the one
// Write returns.
func TestWriteOpensAsCompatImage(t *testing.T) {
	img, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	digest, err := Write(img, dir, dir+".tar", "veil:test")
	if err != nil {
		t.Fatal(err)
	}

	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != digest {
		t.Fatalf("layout index = %+v, want one manifest %s", im.Manifests, digest)
	}
	if ref := im.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; ref != "test" {
		t.Errorf("ref name = %q", ref)
	}
	fromLayout, err := idx.Image(digest)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, "layout", fromLayout, digest)

	fromTar, err := tarball.ImageFromPath(dir+".tar", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, "tarball", fromTar, digest)
}

// checkImage checks what Istio's and Envoy Gateway's fetchers check: a
// Docker schema 2 manifest (their compat path) with the expected digest and
// a last layer of the Docker gzip type holding plugin.wasm, here the only
// layer and the only file.
func checkImage(t *testing.T, from string, img v1.Image, want v1.Hash) {
	t.Helper()
	if d, err := img.Digest(); err != nil || d != want {
		t.Fatalf("%s: digest %v (%v), want %v", from, d, err, want)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.DockerManifestSchema2 || m.Config.MediaType != types.DockerConfigJSON {
		t.Errorf("%s: media types %s / %s", from, m.MediaType, m.Config.MediaType)
	}
	if len(m.Annotations) != 0 {
		t.Errorf("%s: manifest annotations %v: a docker-style tarball cannot carry them", from, m.Annotations)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "wasip1" || cfg.Architecture != "wasm" {
		t.Errorf("%s: platform %s/%s, want wasip1/wasm", from, cfg.OS, cfg.Architecture)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%s: %d layers, want 1", from, len(layers))
	}
	if mt, _ := layers[0].MediaType(); mt != types.DockerLayer {
		t.Errorf("%s: layer media type %s, want %s", from, mt, types.DockerLayer)
	}
	r, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tr := tar.NewReader(r)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name != PluginFile || h.Typeflag != tar.TypeReg {
			continue
		}
		got, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, module) {
			t.Errorf("%s: plugin.wasm differs from the input module (%d bytes, want %d)", from, len(got), len(module))
		}
	}
	if len(names) != 1 || names[0] != PluginFile {
		t.Errorf("%s: layer holds %q, want exactly [%s]", from, names, PluginFile)
	}
}

// TestImageIsReproducible: the same module gives the same digest, and a
// different module a different one, so a pinned digest identifies a build.
func TestImageIsReproducible(t *testing.T) {
	digest := func(wasm []byte) v1.Hash {
		img, err := Image(wasm)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := digest(module), digest(bytes.Clone(module))
	if a != b {
		t.Fatalf("two images of one module: %s and %s", a, b)
	}
	if c := digest(append(bytes.Clone(module), 0)); c == a {
		t.Fatalf("a different module kept digest %s", a)
	}
}

// TestBadInputs: a file that is not a Wasm module, a bad tag and an
// existing directory that is not a layout are refused, and the directory is
// left as it was.
func TestBadInputs(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("\x00as"), []byte("{\"version\":1}")} {
		if _, err := Image(in); err == nil {
			t.Errorf("Image(%q) accepted a non-module", in)
		}
	}
	img, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(img, filepath.Join(dir, "oci"), filepath.Join(dir, "oci.tar"), "Not A Tag"); err == nil {
		t.Error("bad tag accepted")
	}
	keep := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(img, dir, dir+".tar", "veil:test"); err == nil {
		t.Error("Write replaced a directory that is not an OCI layout")
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Errorf("existing file touched: %q, %v", b, err)
	}
}

// FuzzImageRoundTrip: any module gives an image whose only layer holds
// exactly plugin.wasm with the module's bytes, and anything without the
// Wasm magic is refused.
func FuzzImageRoundTrip(f *testing.F) {
	f.Add(module)
	f.Add([]byte("\x00asm"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("not wasm"))
	f.Fuzz(func(t *testing.T, wasm []byte) {
		img, err := Image(wasm)
		if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
			if err == nil {
				t.Fatal("accepted bytes without the wasm magic")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%d layers, %v", len(layers), err)
		}
		r, err := layers[0].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		tr := tar.NewReader(r)
		h, err := tr.Next()
		if err != nil || h.Name != PluginFile {
			t.Fatalf("first entry %v, %v", h, err)
		}
		got, err := io.ReadAll(tr)
		if err != nil || !bytes.Equal(got, wasm) {
			t.Fatalf("plugin.wasm differs (%d bytes, want %d), %v", len(got), len(wasm), err)
		}
		if _, err := tr.Next(); err != io.EOF {
			t.Fatalf("more than one entry: %v", err)
		}
	})
}
