package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/veilproxy/veil/envoy/oci"
)

// ociCmd packages a built module as the Wasm image Istio and Envoy Gateway
// pull (envoy/oci), writes it as an OCI image layout DIR and a docker-style
// tarball DIR.tar, and prints the manifest digest the deployment files pin.
// With --pin it also rewrites the digest in those files.
func ociCmd(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("oci", "oci --wasm FILE --out DIR [--tag REF] [--pin FILE]...", stderr)
	wasmFile := fs.String("wasm", "build/veil.wasm", "the built plugin module")
	out := fs.String("out", "build/oci", "OCI image layout directory to write; the tarball goes to DIR.tar")
	tag := fs.String("tag", "veil:latest", "REPOSITORY:TAG recorded in the tarball; its TAG names the image in the layout index")
	var pins multi
	fs.Var(&pins, "pin", "deployment file whose sha256 digests to replace with the new one (repeatable)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fail(2, "unexpected arguments %q", fs.Args())
	}
	for _, file := range pins {
		if err := pinDigest(file, ""); err != nil {
			return err
		}
	}
	wasm, err := os.ReadFile(*wasmFile)
	if err != nil {
		return err
	}
	img, err := oci.Image(wasm)
	if err != nil {
		return fmt.Errorf("%s: %w", *wasmFile, err)
	}
	digest, err := oci.Write(img, *out, *out+".tar", *tag)
	if err != nil {
		return err
	}
	for _, file := range pins {
		if err := pinDigest(file, digest.Hex); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "veil oci: %s pins %s\n", file, digest)
	}
	fmt.Fprintf(stderr, "veil oci: wrote %s (OCI image layout) and %s.tar; push with: crane push %s.tar REGISTRY/veil:TAG\n", *out, *out, *out)
	fmt.Fprintln(stdout, digest)
	return nil
}

// pinnedDigest matches the digests a deployment file pins: "@sha256:HEX" in
// an image reference and "sha256: HEX" (a YAML field).
var pinnedDigest = regexp.MustCompile(`(@sha256:|sha256: *"?)[0-9a-f]{64}`)

// pinDigest replaces every pinned digest in file by hex; a file that pins
// none is an error, so a wrong path does not pass silently. With hex empty
// it only checks, so that all files are known good before anything is
// written.
func pinDigest(file, hex string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !pinnedDigest.Match(b) {
		return fmt.Errorf("%s: no sha256 digest to pin", file)
	}
	if hex == "" {
		return nil
	}
	b = pinnedDigest.ReplaceAll(b, []byte("${1}"+hex))
	return os.WriteFile(file, b, 0o644)
}
