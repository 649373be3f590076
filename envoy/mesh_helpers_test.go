package envoy

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/veilproxy/veil/envoy/oci"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
	"go.yaml.in/yaml/v3"
	k8sjson "sigs.k8s.io/json"
	k8syaml "sigs.k8s.io/yaml"
)

// meshExample is the example whose rule set the Istio and Envoy Gateway
// files carry, with its inline demo key replaced by an environment key.
const meshExample = "../examples/pseudonyms/rules.yaml"

// readAsJSON reads a one-document YAML file as JSON, refusing duplicate keys
// (which Kubernetes would resolve silently, last one wins).
func readAsJSON(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	j, err := k8syaml.YAMLToJSONStrict(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return j
}

// strictJSON decodes JSON into v as the API server does with strict field
// validation: field names case-sensitive (encoding/json would take
// "hostkeys" for hostKeys), unknown and duplicate fields refused.
func strictJSON(b []byte, v any) error {
	strict, err := k8sjson.UnmarshalStrict(b, v, k8sjson.DisallowDuplicateFields, k8sjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// decodeStrict decodes JSON into v with strictJSON or fails t.
func decodeStrict(t *testing.T, name string, b []byte, v any) {
	t.Helper()
	if err := strictJSON(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// generic decodes JSON into maps, lists and float64s.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// compileMeshRuleSet compiles the rule set as the plugin receives it (JSON)
// with a fresh random 32-byte key for each variable in hostKeys, the
// environment the deployment gives the VM; a variable the rule set needs
// that is not listed there fails the compile.
func compileMeshRuleSet(t *testing.T, name string, config []byte, hostKeys []string) {
	t.Helper()
	env := map[string]string{}
	for _, k := range hostKeys {
		key := make([]byte, 32)
		rand.Read(key)
		env[k] = base64.StdEncoding.EncodeToString(key)
	}
	_, err := rules.Compile(config, rules.Options{Filename: name, Env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatalf("%s: rule set refused:\n%v", name, err)
	}
}

// checkSameAsExample checks that a deployed rule set (JSON) is the example's
// rule set except for crypto_keys, where every key must come from an
// environment variable (never inline) listed in hostKeys.
func checkSameAsExample(t *testing.T, name string, config []byte, hostKeys []string) {
	t.Helper()
	b, err := os.ReadFile(meshExample)
	if err != nil {
		t.Fatal(err)
	}
	var ex map[string]any
	if err := yaml.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	exJSON, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	want := generic(t, exJSON).(map[string]any)
	got := generic(t, config).(map[string]any)
	keys, _ := got["crypto_keys"].(map[string]any)
	var envs []string
	for id, k := range keys {
		spec, _ := k.(map[string]any)
		env, ok := spec["env"].(string)
		if !ok || len(spec) != 1 {
			t.Errorf("%s: crypto_keys.%s = %v, want only {env: NAME}: deployed keys come from the environment", name, id, k)
		}
		envs = append(envs, env)
	}
	slices.Sort(envs)
	if !slices.Equal(envs, slices.Sorted(slices.Values(hostKeys))) {
		t.Errorf("%s: crypto_keys read %v, the VM is given %v", name, envs, hostKeys)
	}
	if len(keys) != len(want["crypto_keys"].(map[string]any)) {
		t.Errorf("%s: %d keys, the example has %d", name, len(keys), len(want["crypto_keys"].(map[string]any)))
	}
	delete(got, "crypto_keys")
	delete(want, "crypto_keys")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the rule set differs from %s (beyond crypto_keys)", name, meshExample)
	}
}

var (
	buildOnce   sync.Once
	buildDigest string
	buildErr    error
)

// currentDigest builds the plugin from this tree as `make wasm` does and
// returns the hex manifest digest of its image, what `make oci` prints.
func currentDigest(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "veil-oci")
		if err != nil {
			buildErr = err
			return
		}
		defer os.RemoveAll(dir)
		wasmFile, err := testmodule.Plugin(dir)
		if err != nil {
			buildErr = err
			return
		}
		wasm, err := os.ReadFile(wasmFile)
		if err != nil {
			buildErr = err
			return
		}
		img, err := oci.Image(wasm)
		if err != nil {
			buildErr = err
			return
		}
		d, err := img.Digest()
		buildDigest, buildErr = d.Hex, err
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDigest
}

// hex64 is a sha256 digest in hex.
var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkPinned checks a pinned digest: the format, then equality with the
// image of the current build. The module's bytes, and so the digest, depend
// on the Go release that builds it: the pins are those of go.mod's `go`
// release, and another toolchain checks the format only.
func checkPinned(t *testing.T, name, where, hex string) {
	t.Helper()
	if !hex64.MatchString(hex) {
		t.Fatalf("%s: %s pins %q, not a sha256 digest", name, where, hex)
	}
	if pinned := goModRelease(t); runtime.Version() != pinned {
		t.Logf("%s: built with %s, pins are of %s: digest equality not checked", name, runtime.Version(), pinned)
		return
	}
	if want := currentDigest(t); hex != want {
		t.Errorf("%s: %s pins sha256:%s, but the image of this tree's plugin is sha256:%s;\n"+
			"after a change to the plugin run: make wasm cli && build/veil oci --pin envoy/istio/wasmplugin.yaml --pin envoy/gateway/extension-policy.yaml",
			name, where, hex, want)
	}
}

// goModRelease returns the Go release go.mod names ("go1.26.8").
func goModRelease(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return "go" + v
		}
	}
	t.Fatal("go.mod names no go release")
	return ""
}

// goModDir returns the module cache directory of a module this build uses.
func goModDir(module string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// statNamesIn returns the metric names a Go file defines with
// proxywasm.Define*Metric("veil.NAME"…), each up to its first dynamic part.
func statNamesIn(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`Define\w*Metric\("(veil\.[a-z_.]+)"`).FindAllSubmatch(b, -1) {
		names = append(names, string(m[1]))
	}
	if len(names) == 0 {
		t.Fatalf("%s: no metric definitions found", file)
	}
	return names
}
