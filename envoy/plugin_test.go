package envoy

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	jwtv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestBootstrapsThroughPlugin runs each bootstrap's example through the
// built .wasm in host-test's Envoy emulation, configured as the bootstrap
// configures Envoy: its rule set text, the VM environment it names (holding
// the example's demo key), its vm_id, buffer limit and headers switch, and
// for the JWT file the claims where its jwt_authn provider puts them. The
// bodies must come out exactly as the example's want-*.json: the deployment
// rule set behaves as the example does. With report_header the response
// carries its summary header.
func TestBootstrapsThroughPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	wasmPath, err := testmodule.Plugin(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, b := range bootstraps {
		t.Run(b.file, func(t *testing.T) {
			boot, err := parseBootstrap(t, b.file, read(t, b.file))
			if err != nil {
				t.Fatal(err)
			}
			l := boot.GetStaticResources().GetListeners()[0]
			var hcm hcmv3.HttpConnectionManager
			if err := l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().UnmarshalTo(&hcm); err != nil {
				t.Fatal(err)
			}
			filters := hcm.GetHttpFilters()
			var w wasmfilterv3.Wasm
			if err := filters[len(filters)-2].GetTypedConfig().UnmarshalTo(&w); err != nil {
				t.Fatal(err)
			}
			pc := w.GetConfig()
			var text wrapperspb.StringValue
			if err := pc.GetConfiguration().UnmarshalTo(&text); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("..", "examples", b.example)
			cfg := hosttest.Config{
				PluginConfig:                []byte(text.GetValue()),
				VMID:                        pc.GetVmConfig().GetVmId(),
				BufferLimit:                 int(l.GetPerConnectionBufferLimitBytes().GetValue()),
				AllowOnHeadersStopIteration: pc.GetAllowOnHeadersStopIteration().GetValue(),
			}
			key := demoKey(t, read(t, filepath.Join(dir, "rules.yaml")))
			for _, name := range pc.GetVmConfig().GetEnvironmentVariables().GetHostEnvKeys() {
				cfg.Env = append(cfg.Env, name+"="+key)
			}
			ex := hosttest.Exchange{
				RequestHeaders:  hosttest.Headers{{"content-type", "application/json"}},
				RequestBody:     read(t, filepath.Join(dir, "request.json")),
				ResponseHeaders: hosttest.Headers{{"content-type", "application/json"}},
				ResponseBody:    read(t, filepath.Join(dir, "response.json")),
			}
			if b.jwt {
				var j jwtv3.JwtAuthentication
				if err := filters[0].GetTypedConfig().UnmarshalTo(&j); err != nil {
					t.Fatal(err)
				}
				ex.Path, cfg.Properties = exampleCaller(t, filepath.Join(dir, "flags"), j.GetProviders()["idp"].GetPayloadInMetadata())
			}
			profiles := []hosttest.Profile{hosttest.Envoy133}
			if b.reportHeader {
				profiles = append(profiles, hosttest.Envoy139)
			}
			for _, profile := range profiles {
				mod, err := hosttest.Load(ctx, read(t, wasmPath), hosttest.Options{Profile: profile})
				if err != nil {
					t.Fatal(err)
				}
				defer mod.Close(ctx)
				vm, err := mod.Start(ctx, cfg)
				if err != nil {
					t.Fatalf("%v: the plugin refused the bootstrap's configuration: %v", profile, err)
				}
				res := vm.Do(ex)
				if len(res.Errors) > 0 || res.Reset != "" || res.VMError != nil || res.LocalReply != nil {
					t.Fatalf("%v: errors %q, reset %q, vm %v, local reply %v", profile, res.Errors, res.Reset, res.VMError, res.LocalReply)
				}
				for _, side := range []struct {
					want string
					got  []byte
				}{{"want-request.json", res.Request.Body}, {"want-response.json", res.Response.Body}} {
					if want := read(t, filepath.Join(dir, side.want)); !bytes.Equal(side.got, want) {
						t.Errorf("%v: %s differs from examples/%s/%s:\n got %s\nwant %s", profile, side.want, b.example, side.want, side.got, want)
					}
				}
				report, ok := res.Response.Headers.Get("x-veil")
				if ok != b.reportHeader || (ok && !strings.Contains(report, "card=")) {
					t.Errorf("%v: x-veil %q (present %t), want it %t", profile, report, ok, b.reportHeader)
				}
			}
		})
	}
}

// demoKey is the inline key material of an example's rule set, which the
// deployment file reads from the environment instead.
func demoKey(t *testing.T, example []byte) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  demo: \{ inline: "([^"]+)", insecure_inline: true \}$`).FindSubmatch(example)
	if m == nil {
		t.Fatal("the example has no inline demo key")
	}
	return string(m[1])
}

// exampleCaller reads an example's flags file (--path, the jwt_authn
// payload property) and returns the path and the payload as jwt_authn
// would store it under the given metadata key.
func exampleCaller(t *testing.T, flagsFile, payloadKey string) (string, []hosttest.Property) {
	t.Helper()
	const prefix = "--property=metadata/filter_metadata/envoy.filters.http.jwt_authn/"
	var path string
	var props []hosttest.Property
	for line := range strings.Lines(string(read(t, flagsFile))) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "--path="):
			path = strings.TrimPrefix(line, "--path=")
		case strings.HasPrefix(line, prefix):
			_, value, _ := strings.Cut(strings.TrimPrefix(line, prefix), "=")
			var payload map[string]any
			if err := json.Unmarshal([]byte(value), &payload); err != nil {
				t.Fatal(err)
			}
			props = append(props, hosttest.Property{
				Path:  []string{"metadata", "filter_metadata", "envoy.filters.http.jwt_authn", payloadKey},
				Value: payload,
			})
		}
	}
	if path == "" || len(props) != 1 {
		t.Fatalf("%s: want --path and one jwt_authn payload property", flagsFile)
	}
	return path, props
}
