package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// A compressed body can be tried with `veil run`: given with its
// content-encoding, it is forwarded compressed again, and --decode prints
// it decompressed.
func TestRunEncodedBody(t *testing.T) {
	dir := t.TempDir()
	rulesFile, body := filepath.Join(dir, "rules.yaml"), filepath.Join(dir, "x.json.gz")
	os.WriteFile(rulesFile, []byte("rules: [{ id: e, select: { keys: [email] }, action: redact }]\n"), 0o644)
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(`{"user":{"email":"alice@example.com"}}`))
	w.Close()
	os.WriteFile(body, buf.Bytes(), 0o644)
	args := []string{"run", "--plugin", pluginPath, "--rules", rulesFile, "--response-header", "content-encoding: gzip", "--response-body", body}
	out, stderr, code := cli(t, append(args, "--decode")...)
	if code != 0 || out != "{\"user\":{\"email\":\"[REDACTED]\"}}\n" {
		t.Errorf("--decode: exit %d, output %q, stderr %s", code, out, stderr)
	}
	out, _, code = cli(t, args...)
	if code != 0 || !bytes.HasPrefix([]byte(out), []byte{0x1f, 0x8b}) || bytes.Contains([]byte(out), []byte("alice")) {
		t.Errorf("compressed: exit %d, output %q", code, out)
	}
}
