package envoy

// The Envoy bootstraps (envoy.yaml, envoy-1.33.yaml, jwt/envoy.yaml) are
// parsed into Envoy's own API types from go-control-plane (strict: an
// unknown field is an error), validated with the constraints Envoy applies
// (protoc-gen-validate, inside every typed_config too), and their wiring
// and embedded rule set checked. go-control-plane is imported only here, in
// a _test.go file: it never reaches the plugin or the CLI.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	jwtv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3" // jwks cluster's UpstreamTlsContext
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
	"github.com/veilproxy/veil/rules"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// bootstrap is one Envoy bootstrap file and the example its rule set is
// taken from.
type bootstrap struct {
	file, example string
	// reportHeader: the deployment adds `report_header: x-veil` to the
	// example (so the file needs Envoy ≥ 1.35).
	reportHeader bool
	// jwt: jwt_authn runs before Veil.
	jwt bool
}

var bootstraps = []bootstrap{
	{file: "envoy.yaml", example: "pseudonyms", reportHeader: true},
	{file: "envoy-1.33.yaml", example: "pseudonyms"},
	{file: "jwt/envoy.yaml", example: "views-support", jwt: true},
}

// parseBootstrap reads a YAML bootstrap the way Envoy does (YAML → JSON →
// proto3 JSON mapping), refusing unknown fields.
func parseBootstrap(t *testing.T, name string, src []byte) (*bootstrapv3.Bootstrap, error) {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var b bootstrapv3.Bootstrap
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(js, &b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := validateDeep(&b, "bootstrap"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &b, nil
}

// validator is what protoc-gen-validate generates on every Envoy message.
type validator interface{ ValidateAll() error }

// validateDeep runs ValidateAll on m and on the message inside every Any
// below it (typed_config, configuration): ValidateAll itself stops at an
// Any, whose content Envoy validates when it instantiates the extension.
func validateDeep(m proto.Message, at string) error {
	var errs []error
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", at, err))
		}
	}
	var visit func(r protoreflect.Message, at string)
	visit = func(r protoreflect.Message, at string) {
		if a, ok := r.Interface().(*anypb.Any); ok {
			inner, err := a.UnmarshalNew()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", at, err))
				return
			}
			if err := validateDeep(inner, at+"<"+a.GetTypeUrl()+">"); err != nil {
				errs = append(errs, err)
			}
			return
		}
		r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			name := at + "." + string(fd.Name())
			switch {
			case fd.IsMap():
				if fd.MapValue().Message() != nil {
					v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
						visit(e.Message(), fmt.Sprintf("%s[%v]", name, k))
						return true
					})
				}
			case fd.IsList():
				if fd.Message() != nil {
					for i := range v.List().Len() {
						visit(v.List().Get(i).Message(), fmt.Sprintf("%s[%d]", name, i))
					}
				}
			case fd.Message() != nil:
				visit(v.Message(), name)
			}
			return true
		})
	}
	visit(m.ProtoReflect(), at)
	return errors.Join(errs...)
}

// TestBootstrapsValid: every bootstrap is accepted by Envoy's API types and
// their validation rules.
func TestBootstrapsValid(t *testing.T) {
	for _, b := range bootstraps {
		if _, err := parseBootstrap(t, b.file, read(t, b.file)); err != nil {
			t.Error(err)
		}
	}
}

// TestBootstrapParserStrict: the parser used above refuses what Envoy
// refuses, so passing it means something: an unknown field, a value out of
// range, and a mistake inside a typed_config.
func TestBootstrapParserStrict(t *testing.T) {
	src := string(read(t, "envoy.yaml"))
	for _, c := range []struct{ name, from, to, want string }{
		{"unknown field", "per_connection_buffer_limit_bytes:", "per_connection_buffer_limit:", "unknown field"},
		{"out of range", "port_value: 10000", "port_value: 70000", "PortValue"},
		{"inside typed_config", "stat_prefix: ingress_http", `stat_prefix: ""`, "StatPrefix"},
		{"wasm field unknown", "allow_on_headers_stop_iteration:", "allow_on_header_stop_iteration:", "unknown field"},
		{"unknown filter type", "http_connection_manager.v3.HttpConnectionManager", "http_connection_manager.v3.Nope", "not found"},
	} {
		if !strings.Contains(src, c.from) {
			t.Fatalf("%s: envoy.yaml lacks %q", c.name, c.from)
		}
		_, err := parseBootstrap(t, c.name, []byte(strings.Replace(src, c.from, c.to, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// TestBootstrapWiring: listener → HCM → [jwt_authn →] wasm → router →
// cluster on 127.0.0.1:8080, admin on loopback, the buffer limit at least
// the rule set's body limit, the headers switch exactly where the rule
// set holds response headers, keys only from the environment.
func TestBootstrapWiring(t *testing.T) {
	for _, b := range bootstraps {
		t.Run(b.file, func(t *testing.T) {
			boot, err := parseBootstrap(t, b.file, read(t, b.file))
			if err != nil {
				t.Fatal(err)
			}
			if a := boot.GetAdmin().GetAddress().GetSocketAddress(); a.GetAddress() != "127.0.0.1" || a.GetPortValue() != 9901 {
				t.Errorf("admin on %s:%d, want 127.0.0.1:9901", a.GetAddress(), a.GetPortValue())
			}
			if len(boot.GetStatsConfig().GetStatsTags()) == 0 {
				t.Error("no stats_config.stats_tags")
			}
			listeners := boot.GetStaticResources().GetListeners()
			if len(listeners) != 1 || len(listeners[0].GetFilterChains()) != 1 || len(listeners[0].GetFilterChains()[0].GetFilters()) != 1 {
				t.Fatalf("want one listener with one filter chain holding one filter")
			}
			l := listeners[0]
			if a := l.GetAddress().GetSocketAddress(); a.GetAddress() != "127.0.0.1" || a.GetPortValue() != 10000 {
				t.Errorf("listener on %s:%d, want 127.0.0.1:10000", a.GetAddress(), a.GetPortValue())
			}
			var hcm hcmv3.HttpConnectionManager
			if err := l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(&hcm); err != nil {
				t.Fatalf("network filter: %v", err)
			}
			filters := hcm.GetHttpFilters()
			want := []string{"envoy.filters.http.wasm", "envoy.filters.http.router"}
			if b.jwt {
				want = append([]string{"envoy.filters.http.jwt_authn"}, want...)
			}
			var names []string
			for _, f := range filters {
				names = append(names, f.GetName())
			}
			if strings.Join(names, " ") != strings.Join(want, " ") {
				t.Fatalf("http_filters %q, want %q", names, want)
			}
			if !filters[len(filters)-1].GetTypedConfig().MessageIs(&routerv3.Router{}) {
				t.Error("the last HTTP filter is not the router")
			}
			checkRoutes(t, boot, &hcm)
			var w wasmfilterv3.Wasm
			if err := filters[len(filters)-2].GetTypedConfig().UnmarshalTo(&w); err != nil {
				t.Fatalf("wasm filter: %v", err)
			}
			prog := checkWasm(t, b, w.GetConfig())
			if limit := l.GetPerConnectionBufferLimitBytes().GetValue(); limit < uint32(prog.MaxBodyBytes()) {
				t.Errorf("per_connection_buffer_limit_bytes %d is below the rule set's max_body_bytes %d: Envoy would answer 413 first",
					limit, prog.MaxBodyBytes())
			}
			if b.jwt {
				var j jwtv3.JwtAuthentication
				if err := filters[0].GetTypedConfig().UnmarshalTo(&j); err != nil {
					t.Fatalf("jwt_authn: %v", err)
				}
				checkJWT(t, boot, &j, prog)
			}
		})
	}
}

// checkRoutes: every route leads to a defined cluster, and the catch-all
// one to the upstream on 127.0.0.1:8080.
func checkRoutes(t *testing.T, boot *bootstrapv3.Bootstrap, hcm *hcmv3.HttpConnectionManager) {
	t.Helper()
	clusters := map[string]string{}
	for _, c := range boot.GetStaticResources().GetClusters() {
		for _, e := range c.GetLoadAssignment().GetEndpoints() {
			for _, lb := range e.GetLbEndpoints() {
				a := lb.GetEndpoint().GetAddress().GetSocketAddress()
				clusters[c.GetName()] = fmt.Sprintf("%s:%d", a.GetAddress(), a.GetPortValue())
			}
		}
	}
	vhosts := hcm.GetRouteConfig().GetVirtualHosts()
	if len(vhosts) == 0 {
		t.Fatal("no virtual host")
	}
	for _, vh := range vhosts {
		for _, r := range vh.GetRoutes() {
			c := r.GetRoute().GetCluster()
			if _, ok := clusters[c]; !ok {
				t.Errorf("route to undefined cluster %q", c)
			}
			if r.GetMatch().GetPrefix() == "/" && clusters[c] != "127.0.0.1:8080" {
				t.Errorf("catch-all route to %q at %s, want the upstream 127.0.0.1:8080", c, clusters[c])
			}
		}
	}
}

// checkWasm checks the Veil filter's PluginConfig and returns its compiled
// rule set.
func checkWasm(t *testing.T, b bootstrap, pc *wasmv3.PluginConfig) *rules.Program {
	t.Helper()
	vm := pc.GetVmConfig()
	if vm.GetRuntime() != "envoy.wasm.runtime.v8" {
		t.Errorf("runtime %q, want envoy.wasm.runtime.v8 (the one official Envoy builds carry)", vm.GetRuntime())
	}
	if f := vm.GetCode().GetLocal().GetFilename(); f != "build/veil.wasm" {
		t.Errorf("code %q, want build/veil.wasm (what make wasm writes)", f)
	}
	if pc.GetFailurePolicy() != wasmv3.FailurePolicy_FAIL_CLOSED {
		t.Errorf("failure_policy %v, want FAIL_CLOSED", pc.GetFailurePolicy())
	}
	if pc.GetName() != "veil" || pc.GetRootId() != "veil" || vm.GetVmId() != "veil" {
		t.Errorf("name %q, root_id %q, vm_id %q: want veil (the plugin_name the host-test emulates)", pc.GetName(), pc.GetRootId(), vm.GetVmId())
	}
	// The configuration reaches the plugin as the StringValue's raw bytes.
	var text wrapperspb.StringValue
	if err := pc.GetConfiguration().UnmarshalTo(&text); err != nil {
		t.Fatalf("configuration must be a google.protobuf.StringValue (raw text reaches the plugin): %v", err)
	}
	src := []byte(text.GetValue())
	example := read(t, filepath.Join("..", "examples", b.example, "rules.yaml"))
	if want := deploymentRuleSet(t, example, b.reportHeader); !bytes.Equal(src, want) {
		t.Errorf("the rule set differs from examples/%s/rules.yaml (comments dropped, inline keys from the environment%s):\n got:\n%s\nwant:\n%s",
			b.example, map[bool]string{true: ", report_header: x-veil added"}[b.reportHeader], src, want)
	}
	// Keys: the rule set compiles only with the VM environment, and only with
	// the variables the file hands the VM.
	env := vm.GetEnvironmentVariables()
	given := map[string]bool{}
	for _, k := range env.GetHostEnvKeys() {
		given[k] = true
	}
	if len(env.GetKeyValues()) > 0 {
		t.Errorf("key_values %v: key material would be written in the file; use host_env_keys", env.GetKeyValues())
	}
	lookup := func(name string) (string, bool) {
		if !given[name] {
			return "", false
		}
		return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true // 32 bytes, test only
	}
	if _, err := rules.Compile(src, rules.Options{Filename: b.file}); err == nil {
		t.Error("the rule set compiles without its environment: a key is inline")
	}
	prog, err := rules.Compile(src, rules.Options{Filename: b.file, Env: lookup})
	if err != nil {
		t.Fatalf("rule set refused with the environment the file gives the VM:\n%v", err)
	}
	holds := prog.ReportHeader() != "" || prog.MarkResponses()
	if allow := pc.GetAllowOnHeadersStopIteration().GetValue(); allow != holds {
		t.Errorf("allow_on_headers_stop_iteration %t, but the rule set holds response headers: %t", allow, holds)
	}
	if b.reportHeader != (prog.ReportHeader() != "") {
		t.Errorf("report_header %q", prog.ReportHeader())
	}
	if !holds && pc.GetAllowOnHeadersStopIteration() != nil {
		t.Error("allow_on_headers_stop_iteration is set: Envoy 1.33–1.34 do not know it")
	}
	return prog
}

// checkJWT: every provider writes its payload where the rule set reads
// claims, its JWKS cluster exists, and a missing token is let through (the
// rule set decides what an anonymous caller sees).
func checkJWT(t *testing.T, boot *bootstrapv3.Bootstrap, j *jwtv3.JwtAuthentication, prog *rules.Program) {
	t.Helper()
	if prog.JWTMetadataKey() == "" {
		t.Fatal("the rule set reads no JWT claims")
	}
	clusters := map[string]bool{}
	for _, c := range boot.GetStaticResources().GetClusters() {
		clusters[c.GetName()] = true
	}
	if len(j.GetProviders()) == 0 {
		t.Fatal("no jwt provider")
	}
	for name, p := range j.GetProviders() {
		if p.GetPayloadInMetadata() != prog.JWTMetadataKey() {
			t.Errorf("provider %s: payload_in_metadata %q, the rule set's jwt.provider_metadata_key %q",
				name, p.GetPayloadInMetadata(), prog.JWTMetadataKey())
		}
		if c := p.GetRemoteJwks().GetHttpUri().GetCluster(); p.GetLocalJwks() == nil && !clusters[c] {
			t.Errorf("provider %s: JWKS cluster %q undefined", name, c)
		}
	}
	if len(j.GetRules()) == 0 {
		t.Error("jwt_authn has no rules: no token is ever verified")
	}
}

// deploymentRuleSet is an example's rule set as a deployment file carries
// it: comment lines dropped, each inline key read from the VM environment
// as VEIL_KEY_<ID> instead, and with report a report header after the name.
func deploymentRuleSet(t *testing.T, example []byte, report bool) []byte {
	t.Helper()
	inline := regexp.MustCompile(`^  ([a-z0-9]+): \{ inline: "[^"]*", insecure_inline: true \}$`)
	var out bytes.Buffer
	for line := range strings.Lines(string(example)) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		if m := inline.FindStringSubmatch(line); m != nil {
			line = fmt.Sprintf("  %s: { env: VEIL_KEY_%s }", m[1], strings.ToUpper(m[1]))
		}
		out.WriteString(line + "\n")
		if report && strings.HasPrefix(line, "name: ") {
			out.WriteString("report_header: x-veil\n")
		}
	}
	if bytes.Contains(out.Bytes(), []byte("insecure_inline")) {
		t.Fatal("an inline key is left in the deployment rule set")
	}
	return out.Bytes()
}

// TestStatsTagsShared: every bootstrap carries the stats_tags that
// TestStatsTags checks on envoy.yaml.
func TestStatsTagsShared(t *testing.T) {
	want, err := parseBootstrap(t, "envoy.yaml", read(t, "envoy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bootstraps[1:] {
		got, err := parseBootstrap(t, b.file, read(t, b.file))
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got.GetStatsConfig(), want.GetStatsConfig()) {
			t.Errorf("%s: stats_config differs from envoy.yaml's", b.file)
		}
	}
}

// heavy are module paths that must never reach the .wasm: Envoy's API
// types and what they pull in (gRPC, protobuf, validation, CEL), and the
// other deployment tooling's libraries.
var heavy = []string{
	"github.com/envoyproxy/", "github.com/cncf/xds", "google.golang.org/grpc", "google.golang.org/protobuf",
	"google.golang.org/genproto", "github.com/golang/protobuf", "cel.dev/", "github.com/planetscale/vtprotobuf",
	"istio.io/", "k8s.io/", "sigs.k8s.io/", "github.com/google/go-containerregistry",
}

// TestPluginDependencies: the plugin, as built for Envoy, depends on none of
// the heavy packages the deployment tests use; and go-control-plane is a
// test-only dependency of the whole module.
func TestPluginDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	plugin := goList(t, []string{"GOOS=wasip1", "GOARCH=wasm"}, "./plugin/...")
	if !strings.Contains(plugin, "github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm\n") {
		t.Fatalf("go list -deps ./plugin/... lacks the SDK: %s", plugin)
	}
	for _, p := range strings.Split(plugin, "\n") {
		for _, h := range heavy {
			if strings.HasPrefix(p, h) {
				t.Errorf("the plugin depends on %s", p)
			}
		}
	}
	for _, p := range strings.Split(goList(t, nil, "./..."), "\n") {
		if strings.HasPrefix(p, "github.com/envoyproxy/") {
			t.Errorf("a non-test package of the module depends on %s (keep go-control-plane in _test.go files)", p)
		}
	}
}

// goList runs `go list -deps` at the module root.
func goList(t *testing.T, env []string, pattern string) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pattern)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps %s: %v\n%s", pattern, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pattern, err)
	}
	return string(out)
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
