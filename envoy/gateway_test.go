package envoy

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "sigs.k8s.io/yaml"
)

// The Envoy Gateway API module (github.com/envoyproxy/gateway) is not
// available to this build, so these types copy the fields of
// api/v1alpha1 (envoyextensionpolicy_types.go, wasm_types.go) that
// gateway/extension-policy.yaml may use, with their JSON names; decoding
// into them strictly refuses any other field.
type (
	egPolicy struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata"`
		Spec              struct {
			TargetRefs []egTargetRef `json:"targetRefs"`
			Wasm       []egWasm      `json:"wasm"`
		} `json:"spec"`
	}
	egTargetRef struct {
		Group       string `json:"group"`
		Kind        string `json:"kind"`
		Name        string `json:"name"`
		SectionName string `json:"sectionName,omitempty"`
	}
	egWasm struct {
		Name     *string         `json:"name,omitempty"`
		RootID   *string         `json:"rootID,omitempty"`
		Code     egCode          `json:"code"`
		Config   json.RawMessage `json:"config,omitempty"`
		FailOpen *bool           `json:"failOpen,omitempty"`
		Env      *struct {
			HostKeys []string `json:"hostKeys,omitempty"`
		} `json:"env,omitempty"`
	}
	egCode struct {
		Type  string `json:"type"`
		Image *struct {
			URL    string  `json:"url"`
			SHA256 *string `json:"sha256"`
		} `json:"image,omitempty"`
		PullPolicy *string `json:"pullPolicy,omitempty"`
	}
)

// TestEnvoyGatewayPolicy: the EnvoyExtensionPolicy parses strictly into the
// fields above and meets the CRD's rules for them (Image code needs image,
// pull policy enum, sha256 pattern); it carries the pseudonyms example's
// rule set, compiled as the JSON Envoy Gateway delivers, keys from
// env.hostKeys; the image is pinned by the digest of this tree's build. Set
// VEIL_EG_CRD to Envoy Gateway's
// gateway.envoyproxy.io_envoyextensionpolicies.yaml to also validate the
// whole file against that schema.
func TestEnvoyGatewayPolicy(t *testing.T) {
	const name = "gateway/extension-policy.yaml"
	raw := readAsJSON(t, name)
	p, err := parseEGPolicy(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.Name == "" || p.Namespace == "" {
		t.Errorf("%s: name and namespace must be set", name)
	}
	if n := len(p.Spec.TargetRefs); n < 1 || n > 16 {
		t.Errorf("%s: %d targetRefs, want 1 to 16", name, n)
	}
	for _, r := range p.Spec.TargetRefs {
		if r.Group != "gateway.networking.k8s.io" || !slices.Contains([]string{"Gateway", "HTTPRoute", "GRPCRoute"}, r.Kind) || r.Name == "" {
			t.Errorf("%s: targetRef %+v", name, r)
		}
	}
	if len(p.Spec.Wasm) != 1 {
		t.Fatalf("%s: %d wasm entries, want 1", name, len(p.Spec.Wasm))
	}
	w := p.Spec.Wasm[0]
	if w.FailOpen == nil || *w.FailOpen {
		t.Errorf("%s: failOpen must be set to false", name)
	}
	if w.Code.Type != "Image" || w.Code.Image == nil {
		t.Fatalf("%s: code %+v, want type Image with image set", name, w.Code)
	}
	if w.Code.PullPolicy != nil && !slices.Contains([]string{"IfNotPresent", "Always"}, *w.Code.PullPolicy) {
		t.Errorf("%s: pullPolicy %q", name, *w.Code.PullPolicy)
	}
	ref, digest, ok := strings.Cut(w.Code.Image.URL, "@sha256:")
	if !ok || ref == "" || strings.Contains(ref, "://") {
		t.Fatalf("%s: image url %q, want REPOSITORY@sha256:DIGEST (no scheme)", name, w.Code.Image.URL)
	}
	if w.Code.Image.SHA256 == nil || *w.Code.Image.SHA256 != digest {
		t.Errorf("%s: image.sha256 must repeat the url's digest %s", name, digest)
	}
	checkPinned(t, name, "image url", digest)

	var keys []string
	if w.Env != nil {
		keys = w.Env.HostKeys
	}
	compileMeshRuleSet(t, name, w.Config, keys)
	checkSameAsExample(t, name, w.Config, keys)

	if crd := os.Getenv("VEIL_EG_CRD"); crd != "" {
		cel := validateAgainstCRD(t, name, crdSchema(t, crd, "EnvoyExtensionPolicy", "v1alpha1"), generic(t, raw))
		t.Logf("%s: valid against %s; %d CEL rules met but not evaluated", name, crd, cel)
	}
}

// parseEGPolicy decodes an EnvoyExtensionPolicy (JSON) strictly into the
// fields above.
func parseEGPolicy(raw []byte) (egPolicy, error) {
	var p egPolicy
	if err := strictJSON(raw, &p); err != nil {
		return p, err
	}
	if p.APIVersion != "gateway.envoyproxy.io/v1alpha1" || p.Kind != "EnvoyExtensionPolicy" {
		return p, fmt.Errorf("%s %s, want gateway.envoyproxy.io/v1alpha1 EnvoyExtensionPolicy", p.APIVersion, p.Kind)
	}
	return p, nil
}

// TestEnvoyGatewayStrictParseRefuses: a misspelt or misplaced field in a
// copy of the policy is refused.
func TestEnvoyGatewayStrictParseRefuses(t *testing.T) {
	good, err := os.ReadFile("gateway/extension-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"misspelt failOpen", "      failOpen: false", "      failOpn: false"},
		{"hostKeys misspelt", "        hostKeys:", "        hostkeys:"},
		{"sha256 under code", "          sha256: ", "        sha256: "},
		{"unknown spec field", "  targetRefs:", "  targetRef:"},
		{"wrong apiVersion", "gateway.envoyproxy.io/v1alpha1", "gateway.envoyproxy.io/v1"},
	} {
		bad := strings.Replace(string(good), tc.from, tc.to, 1)
		if bad == string(good) {
			t.Fatalf("%s: %q not in the file", tc.name, tc.from)
		}
		raw, err := k8syaml.YAMLToJSONStrict([]byte(bad))
		if err != nil {
			continue // refused even earlier, as YAML
		}
		if _, err := parseEGPolicy(raw); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
