// Package oci packages the built plugin as a Wasm image that Istio
// (WasmPlugin) and Envoy Gateway (EnvoyExtensionPolicy, code type Image)
// both pull: the "compat" variant of the Wasm image format, a single-layer
// image whose layer is a gzipped tar holding the module at /plugin.wasm.
//
// The image uses Docker schema 2 media types (manifest
// application/vnd.docker.distribution.manifest.v2+json, layer
// application/vnd.docker.image.rootfs.diff.tar.gzip). Both fetchers (Envoy
// Gateway's internal/wasm/imagefetcher.go is Istio's pkg/wasm code) read a
// Docker manifest as the compat variant and take plugin.wasm from its last
// layer; they also read the OCI media types, but only the Docker ones survive
// a push from a docker-style tarball (crane push FILE.tar rebuilds a Docker
// manifest), so with them the layout directory and the tarball push to the
// same manifest digest, the one the manifests pin. No manifest annotation is
// set for the same reason (a tarball cannot carry one); the tag lives in the
// layout's index.json only (org.opencontainers.image.ref.name, the tag
// alone, as oras and skopeo look it up).
//
// Everything is deterministic: fixed tar header, gzip without a timestamp,
// zero creation times, so the same module always gives the same digest.
package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PluginFile is the module's path inside the image's layer (without the
// leading slash, as tar entries are written).
const PluginFile = "plugin.wasm"

// Image returns the single-layer image holding wasm at /plugin.wasm.
func Image(wasm []byte) (v1.Image, error) {
	if len(wasm) < 4 || !bytes.Equal(wasm[:4], []byte("\x00asm")) {
		return nil, errors.New("not a wasm module (no \\0asm magic)")
	}
	layerBytes, err := layerTarGz(wasm)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.DockerManifestSchema2), types.DockerConfigJSON)
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "wasm", "wasip1"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, err
	}
	return mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.DockerLayer,
		History:   v1.History{CreatedBy: "veil oci: /" + PluginFile},
	})
}

// layerTarGz returns a gzipped tar with one read-only regular file,
// plugin.wasm, and fixed metadata.
func layerTarGz(wasm []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     PluginFile,
		Mode:     0o444,
		Size:     int64(len(wasm)),
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(wasm); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write stores img as an OCI image layout in dir (replacing a layout
// already there, refusing any other existing path) and as a docker-style
// tarball at tarPath, both tagged ref (REPOSITORY:TAG). It returns the
// manifest digest, the value Istio's url (…@sha256:HEX) and Envoy
// Gateway's image.sha256 pin.
func Write(img v1.Image, dir, tarPath, ref string) (v1.Hash, error) {
	tag, err := name.NewTag(ref)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("tag %q: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	if err := clearLayout(dir); err != nil {
		return v1.Hash{}, err
	}
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag.TagStr(),
	})); err != nil {
		return v1.Hash{}, err
	}
	if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
		return v1.Hash{}, err
	}
	return digest, nil
}

// clearLayout removes dir if it is an OCI image layout (it has an
// oci-layout file), so that a new image does not pile onto the old index;
// any other existing path is refused rather than deleted.
func clearLayout(dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
		return fmt.Errorf("%s exists and is not an OCI image layout: refusing to replace it", dir)
	}
	return os.RemoveAll(dir)
}
