package envoy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/veilproxy/veil/host-test/testmodule"
	"google.golang.org/protobuf/encoding/protojson"
	extensionsapi "istio.io/api/extensions/v1alpha1"
	meshapi "istio.io/api/mesh/v1alpha1"
	extensions "istio.io/client-go/pkg/apis/extensions/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	k8syaml "sigs.k8s.io/yaml"
)

// istioCRDs is the CRD file istio.io/api ships, from the module cache.
func istioCRDs(t *testing.T) string {
	t.Helper()
	dir, err := goModDir("istio.io/api")
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "kubernetes", "customresourcedefinitions.gen.yaml")
}

// istioWasmPlugin reads envoy/istio/wasmplugin.yaml strictly: the envelope
// into client-go's WasmPlugin (unknown fields refused), the spec with
// protojson into istio.io/api's WasmPlugin message (unknown fields and enum
// names refused: Istio's own UnmarshalJSON would let them through), and the
// whole document against the WasmPlugin CRD schema istio.io/api ships.
func istioWasmPlugin(t *testing.T) (*extensionsapi.WasmPlugin, []byte) {
	t.Helper()
	const name = "istio/wasmplugin.yaml"
	raw := readAsJSON(t, name)
	spec, err := parseWasmPlugin(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	cel := validateAgainstCRD(t, name, crdSchema(t, istioCRDs(t), "WasmPlugin", "v1alpha1"), generic(t, raw))
	t.Logf("%s: valid against Istio's WasmPlugin CRD schema; %d CEL rules met but not evaluated (label keys/values without wildcards, checked below)", name, cel)
	for k, v := range spec.GetSelector().GetMatchLabels() {
		if k == "" || strings.Contains(k+v, "*") {
			t.Errorf("%s: selector label %q=%q breaks the CRD's rules", name, k, v)
		}
	}
	return spec, raw
}

// parseWasmPlugin decodes a WasmPlugin resource (JSON) strictly.
func parseWasmPlugin(raw []byte) (*extensionsapi.WasmPlugin, error) {
	var envelope struct {
		extensions.WasmPlugin
		Spec json.RawMessage `json:"spec"`
	}
	if err := strictJSON(raw, &envelope); err != nil {
		return nil, err
	}
	if envelope.APIVersion != "extensions.istio.io/v1alpha1" || envelope.Kind != "WasmPlugin" {
		return nil, fmt.Errorf("%s %s, want extensions.istio.io/v1alpha1 WasmPlugin", envelope.APIVersion, envelope.Kind)
	}
	if envelope.Name == "" || envelope.Namespace == "" {
		return nil, errors.New("name and namespace must be set")
	}
	spec := &extensionsapi.WasmPlugin{}
	if err := protojson.Unmarshal(envelope.Spec, spec); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return spec, nil
}

// TestIstioStrictParseRefuses: each mistake below, made in a copy of the
// WasmPlugin, is refused by the typed parse, the CRD schema or both, as
// each case says; together they refuse every one. Istio's own UnmarshalJSON
// lets unknown fields through, which is why the spec goes through protojson.
func TestIstioStrictParseRefuses(t *testing.T) {
	good, err := os.ReadFile("istio/wasmplugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema := crdSchema(t, istioCRDs(t), "WasmPlugin", "v1alpha1")
	for _, tc := range []struct {
		name, from, to string
		typed, schema  bool // refused by the typed parse, by the CRD schema
	}{
		{"misspelt field", "failStrategy:", "failStrategyy:", true, true},
		{"field in another case", "  failStrategy:", "  failstrategy:", true, true},
		{"proto field name (protojson takes it, the API server does not)", "  failStrategy:", "  fail_strategy:", false, true},
		{"unknown enum", "phase: AUTHZ", "phase: AUTHORIZATION", true, true},
		{"unknown env source", "        valueFrom: HOST", "        valueFrom: HOSTS", true, true},
		{"unknown metadata field", "  namespace: shop", "  namespace: shop\n  nmespace: x", true, false},
		{"metadata field in another case", "  namespace: shop", "  Namespace: shop", true, false},
		{"wrong kind", "kind: WasmPlugin", "kind: WasmPlugins", true, false},
	} {
		bad := strings.Replace(string(good), tc.from, tc.to, 1)
		if bad == string(good) {
			t.Fatalf("%s: %q not in the file", tc.name, tc.from)
		}
		raw, err := k8syaml.YAMLToJSONStrict([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseWasmPlugin(raw); (err != nil) != tc.typed {
			t.Errorf("%s: typed parse error %v, want refused=%v", tc.name, err, tc.typed)
		}
		if sv := validateResource(schema, generic(t, raw)); (len(sv.errs) != 0) != tc.schema {
			t.Errorf("%s: CRD schema errors %q, want refused=%v", tc.name, sv.errs, tc.schema)
		}
	}
	var lenient extensionsapi.WasmPlugin
	if err := json.Unmarshal([]byte(`{"failStrategyy":"FAIL_OPEN"}`), &lenient); err != nil {
		t.Logf("Istio's UnmarshalJSON now refuses unknown fields too: %v", err)
	}
}

// hostKeys lists the vmConfig.env names taken from the proxy's environment.
func hostKeys(t *testing.T, spec *extensionsapi.WasmPlugin) []string {
	t.Helper()
	var keys []string
	for _, e := range spec.GetVmConfig().GetEnv() {
		if e.GetValueFrom() != extensionsapi.EnvValueSource_HOST {
			t.Errorf("vmConfig.env %s: valueFrom %s, want HOST: an inline value would put the key in the resource", e.GetName(), e.GetValueFrom())
		}
		keys = append(keys, e.GetName())
	}
	return keys
}

// TestIstioWasmPlugin: the WasmPlugin parses into Istio's types and passes
// its CRD schema; it carries the pseudonyms example's rule set, compiled as
// the JSON Istio delivers (Struct → JSON), with keys from the host
// environment; the choices the file explains are the ones it makes; the
// image is pinned by the digest of this tree's build.
func TestIstioWasmPlugin(t *testing.T) {
	const name = "istio/wasmplugin.yaml"
	spec, _ := istioWasmPlugin(t)
	if spec.GetPhase() != extensionsapi.PluginPhase_AUTHZ {
		t.Errorf("phase = %s, want AUTHZ (after authn, before authz: see the file)", spec.GetPhase())
	}
	if spec.GetFailStrategy() != extensionsapi.FailStrategy_FAIL_CLOSE {
		t.Errorf("failStrategy = %s, want FAIL_CLOSE", spec.GetFailStrategy())
	}
	if spec.GetType() != extensionsapi.PluginType_UNSPECIFIED_PLUGIN_TYPE && spec.GetType() != extensionsapi.PluginType_HTTP {
		t.Errorf("type = %s, want HTTP", spec.GetType())
	}
	ref, digest, ok := strings.Cut(spec.GetUrl(), "@sha256:")
	if !ok || !strings.HasPrefix(ref, "oci://") {
		t.Fatalf("url %q: want oci://REPOSITORY@sha256:DIGEST", spec.GetUrl())
	}
	if spec.GetSha256() != "" && spec.GetSha256() != digest {
		t.Errorf("sha256 %s disagrees with the url's digest %s", spec.GetSha256(), digest)
	}
	checkPinned(t, name, "url", digest)

	config, err := protojson.Marshal(spec.GetPluginConfig())
	if err != nil {
		t.Fatal(err)
	}
	keys := hostKeys(t, spec)
	compileMeshRuleSet(t, name, config, keys)
	checkSameAsExample(t, name, config, keys)
}

// TestIstioKeysAndMetrics follows a key from the Secret to the VM: the
// Deployment's istio-proxy container takes each HOST variable of the
// WasmPlugin from the Secret, and nothing else; the pod annotation's
// ProxyConfig parses strictly into Istio's type and its proxyStatsMatcher
// keeps every metric Veil defines.
func TestIstioKeysAndMetrics(t *testing.T) {
	spec, _ := istioWasmPlugin(t)
	keys := hostKeys(t, spec)

	var secret corev1.Secret
	decodeStrict(t, "istio/secret.yaml", readAsJSON(t, "istio/secret.yaml"), &secret)
	if secret.Kind != "Secret" || secret.APIVersion != "v1" {
		t.Fatalf("secret.yaml: %s %s", secret.APIVersion, secret.Kind)
	}
	var deploy appsv1.Deployment
	decodeStrict(t, "istio/deployment-env.yaml", readAsJSON(t, "istio/deployment-env.yaml"), &deploy)
	if deploy.Kind != "Deployment" || deploy.APIVersion != "apps/v1" {
		t.Fatalf("deployment-env.yaml: %s %s", deploy.APIVersion, deploy.Kind)
	}
	if deploy.Namespace != secret.Namespace {
		t.Errorf("the Deployment (namespace %q) cannot read the Secret in %q", deploy.Namespace, secret.Namespace)
	}
	for k, v := range spec.GetSelector().GetMatchLabels() {
		if deploy.Spec.Template.Labels[k] != v {
			t.Errorf("the WasmPlugin selects %s=%s, the pod template does not carry it", k, v)
		}
	}

	pods := deploy.Spec.Template.Spec.Containers
	i := slices.IndexFunc(pods, func(c corev1.Container) bool { return c.Name == "istio-proxy" })
	if i < 0 {
		t.Fatal("deployment-env.yaml: no istio-proxy container to carry the key")
	}
	if pods[i].Image != "auto" {
		t.Errorf("istio-proxy image %q, want auto (keep the injected image)", pods[i].Image)
	}
	var fromSecret []string
	for _, e := range pods[i].Env {
		ref := e.ValueFrom
		if e.Value != "" || ref == nil || ref.SecretKeyRef == nil {
			t.Errorf("istio-proxy env %s: want valueFrom.secretKeyRef, never a literal key", e.Name)
			continue
		}
		if ref.SecretKeyRef.Name != secret.Name {
			t.Errorf("istio-proxy env %s reads Secret %q, secret.yaml is %q", e.Name, ref.SecretKeyRef.Name, secret.Name)
		}
		if _, ok := secret.StringData[ref.SecretKeyRef.Key]; !ok {
			t.Errorf("istio-proxy env %s reads key %q, which secret.yaml does not hold", e.Name, ref.SecretKeyRef.Key)
		}
		fromSecret = append(fromSecret, e.Name)
	}
	slices.Sort(fromSecret)
	if !slices.Equal(fromSecret, slices.Sorted(slices.Values(keys))) {
		t.Errorf("istio-proxy gets %v from the Secret, the WasmPlugin passes %v", fromSecret, keys)
	}
	for _, c := range pods {
		for _, e := range c.Env {
			if c.Name != "istio-proxy" && slices.Contains(keys, e.Name) {
				t.Errorf("container %s also gets the key %s: only the sidecar needs it", c.Name, e.Name)
			}
		}
	}

	annotation := deploy.Spec.Template.Annotations["proxy.istio.io/config"]
	if annotation == "" {
		t.Fatal("deployment-env.yaml: no proxy.istio.io/config annotation")
	}
	pcJSON, err := yaml.ToJSON([]byte(annotation))
	if err != nil {
		t.Fatal(err)
	}
	var pc meshapi.ProxyConfig
	if err := protojson.Unmarshal(pcJSON, &pc); err != nil {
		t.Fatalf("proxy.istio.io/config: %v", err)
	}
	matcher := pc.GetProxyStatsMatcher()
	for _, stat := range veilStatNames(t) {
		full := "wasmcustom." + stat
		if !slices.ContainsFunc(matcher.GetInclusionPrefixes(), func(p string) bool { return strings.HasPrefix(full, p) }) {
			t.Errorf("proxyStatsMatcher drops %s", full)
		}
	}
}

// veilStatNames lists the metric names the plugin defines (without
// "wasmcustom."), from the metrics test's expectation of them.
func veilStatNames(t *testing.T) []string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return statNamesIn(t, filepath.Join(root, "plugin", "internal", "filter", "metrics.go"))
}
