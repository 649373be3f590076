package rules

import (
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestProgramSettings(t *testing.T) {
	p := mustCompile(t, `
version: 1
name: orders-api
mode: shadow
match:
  content_types: ["application/json", "application/*+json", "text/*"]
  paths: ["/api/**", "/v*/users/*"]
  methods: [get, POST]
limits: { max_body_bytes: 4096 }
on: { invalid_json: pass, encoded: pass, error: reject }
report_header: X-Veil
rules:
  - { id: a, select: { keys: [a] }, direction: request, action: redact }
  - { id: b, select: { keys: [b] }, direction: [response], mode: enforce, action: { mask: {} } }
`)
	if p.Name() != "orders-api" || !p.Shadow() || p.MaxBodyBytes() != 4096 || p.ReportHeader() != "x-veil" {
		t.Errorf("settings: %q %v %d %q", p.Name(), p.Shadow(), p.MaxBodyBytes(), p.ReportHeader())
	}
	want := []RuleInfo{
		{ID: "a", Action: "redact", Shadow: true, Request: true},
		{ID: "b", Action: "mask", Shadow: true, Response: true},
	}
	if got := p.Rules(); !reflect.DeepEqual(got, want) {
		t.Errorf("Rules() = %+v", got)
	}
	for k, want := range map[FailureKind]FailureAction{InvalidJSON: Pass, Oversize: Reject, Encoded: Pass, InternalError: Reject, 9: Reject} {
		if got := p.OnFailure(k); got != want {
			t.Errorf("OnFailure(%v) = %v, want %v", k, got, want)
		}
	}
	if InvalidJSON.String() != "invalid_json" || InternalError.String() != "error" || Pass.String() != "pass" || Reject.String() != "reject" || Request.String() != "request" {
		t.Error("String methods")
	}
	scope := []struct {
		method, path, ct string
		want             bool
	}{
		{"GET", "/api", "application/json", true},
		{"get", "/api/orders/1?x=/y", "Application/JSON; charset=utf-8", true},
		{"POST", "/v2/users/7", "application/vnd.api+json", true},
		{"POST", "/v2/users/7/x", "application/json", false},
		{"POST", "/apiary", "application/json", false},
		{"DELETE", "/api", "application/json", false},
		{"GET", "/api", "text/html", true},
		{"GET", "/api", "application/xml", false},
		{"GET", "/api", "", false},
		// spellings an upstream may route the same way do not leave the scope
		{"POST", "//v2/users/7", "application/json", true},
		{"POST", "/x/../v2/users/7", "application/json", true},
		{"POST", "/V2/Users/7", "application/json", true},
		{"POST", "/v2/%75sers/7", "application/json", true},
		{"POST", "/v2%2Fusers%2F7", "application/json", true},
		{"POST", "\\v2\\users\\7", "application/json", true},
		{"POST", "/v2/./users/7/", "application/json", true},
		{"POST", "/v2/users/7/%2e%2e/8", "application/json", true},
		{"POST", "/v2/users/7/x/..%2f..%2fy", "application/json", true}, // /v2/users/y
		{"POST", "/v2/users/7/..%2f..%2fy", "application/json", false},  // /v2/y
		{"POST", "/apiary/../apiary", "application/json", false},
	}
	for _, s := range scope {
		var labels []string
		if s.ct != "" {
			labels = []string{s.ct}
		}
		if got := p.InScope(s.method, s.path) && p.BodyKind(labels) == BodyJSON; got != s.want {
			t.Errorf("InScope(%q, %q, %q) = %v", s.method, s.path, s.ct, got)
		}
	}
}

func TestDefaults(t *testing.T) {
	p := mustCompile(t, `{"rules": [{"id": "a", "select": {"keys": ["a"]}, "direction": "response", "action": "keep"}]}`)
	if p.Name() != "veil" || p.Shadow() || p.MaxBodyBytes() != DefaultMaxBodyBytes || p.ReportHeader() != "" || p.OnFailure(Oversize) != Reject {
		t.Error("defaults")
	}
	if p.Applies(Request) || !p.Applies(Response) || p.Applies(0) {
		t.Error("Applies")
	}
	for ct, want := range map[string]bool{"application/json": true, "application/problem+json": true, "text/plain": false, "application/jsonx": false} {
		if (p.InScope("PATCH", "/anything") && p.BodyKind([]string{ct}) == BodyJSON) != want {
			t.Errorf("default scope for %q", ct)
		}
	}
}

func TestMatchSegments(t *testing.T) {
	for _, c := range []struct {
		glob, path string
		want       bool
	}{
		{"/**", "/", true}, {"/**", "/a/b", true}, {"/a/**", "/a", true}, {"/a/**", "/a/", true},
		{"/a/**/z", "/a/z", true}, {"/a/**/z", "/a/b/c/z", true}, {"/a/**/z", "/a/b/c/y", false},
		{"/a/*", "/a/b", true}, {"/a/*", "/a/b/c", false}, {"/a/*.json", "/a/x.json", true},
		{"/**/x/**/y", "/q/x/r/x/s/y", true}, {"/a", "/a/", false}, {"/a*b", "/axxb", true},
	} {
		if got := matchSegments(strings.Split(c.glob, "/"), c.path); got != c.want {
			t.Errorf("%q ~ %q = %v", c.glob, c.path, got)
		}
	}
}

// TestPureGo keeps rules pure Go: it imports neither proxy-wasm nor wazero,
// so it builds natively and for wasip1 alike.
func TestPureGo(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "proxy-wasm") || strings.Contains(dep, "wazero") {
			t.Errorf("rules depends on %s", dep)
		}
	}
}

// TestBuildsForWasip1 checks the package builds for the plugin's target.
func TestBuildsForWasip1(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package for wasip1")
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 GOARCH=wasm go build: %v\n%s", err, out)
	}
}

func TestRedactSpan(t *testing.T) {
	for with, want := range map[string]string{`"[X]"`: `[X]`, `{"a":"b"}`: `{\"a\":\"b\"}`} {
		if got := newRedact([]byte(with)).text(nil, []byte("secret"), nil); string(got) != want {
			t.Errorf("span of %s = %s, want %s", with, got, want)
		}
	}
}
