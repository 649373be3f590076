package hosttest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
	"github.com/veilproxy/veil/rules"
)

// updateExamples rewrites the generated files of the keyed examples:
// examples/llm-round-trip/response.json (from its template, with the tokens
// the rule set makes) and the want-*.json of both keyed examples, as the
// plugin (the .wasm) writes them.
var updateExamples = flag.Bool("update", false, "rewrite the generated files of examples/llm-round-trip and examples/pseudonyms")

// exampleDir returns examples/<name> of the repository.
func exampleDir(t *testing.T, name string) string {
	t.Helper()
	root, err := testmodule.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "examples", name)
}

// readFile reads a file or fails the test.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generated compares a generated example file with its content, or writes
// it under -update.
func generated(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateExamples {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readFile(t, path); !bytes.Equal(got, want) {
		t.Errorf("%s is stale (go test ./host-test -run TestExample -update):\n got %s\nwant %s", path, got, want)
	}
}

// runExample runs request and response through the example's rule set in
// the .wasm and returns what the upstream and the client receive.
func runExample(t *testing.T, ruleSet, request, response []byte) (upstream, client []byte) {
	t.Helper()
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: ruleSet})
	res := vm.Do(jsonExchange(request, response, 0))
	if res.VMError != nil || len(res.Errors) > 0 || res.LocalReply != nil {
		t.Fatalf("vm %v, errors %q, local reply %+v", res.VMError, res.Errors, res.LocalReply)
	}
	return res.Request.Body, res.Response.Body
}

// placeholderRE finds {{value}} in the llm-round-trip response template.
var placeholderRE = regexp.MustCompile(`\{\{([^}]+)\}\}`)

// examples/llm-round-trip: the provider's response quotes the tokens the
// rule set makes (response.json is its template with real tokens); the
// provider receives no email or phone and one token per person across the
// turns; the client reads the originals and no token.
func TestExampleLLMRoundTrip(t *testing.T) {
	dir := exampleDir(t, "llm-round-trip")
	src := readFile(t, filepath.Join(dir, "rules.yaml"))
	prog, err := rules.Compile(src, rules.Options{Filename: "rules.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := testmodule.RepoRoot()
	tmpl := readFile(t, filepath.Join(root, "host-test", "testdata", "examples", "llm-round-trip-response.json.tmpl"))
	var values []string
	response := placeholderRE.ReplaceAllFunc(tmpl, func(m []byte) []byte {
		v := string(m[2 : len(m)-2])
		values = append(values, v)
		tok, err := prog.Pseudonym("contact", v)
		if err != nil {
			t.Fatalf("token of %q: %v", v, err)
		}
		return []byte(tok)
	})
	generated(t, filepath.Join(dir, "response.json"), response)

	request := readFile(t, filepath.Join(dir, "request.json"))
	upstream, client := runExample(t, src, request, response)
	generated(t, filepath.Join(dir, "want-request.json"), upstream)
	generated(t, filepath.Join(dir, "want-response.json"), client)

	for _, v := range values {
		if bytes.Contains(upstream, []byte(v)) {
			t.Errorf("the provider receives %q", v)
		}
		if !bytes.Contains(client, []byte(v)) {
			t.Errorf("the client does not read %q back", v)
		}
	}
	ann, _ := prog.Pseudonym("contact", "ann.lee@example.com")
	if n := bytes.Count(upstream, []byte(ann)); n != 3 {
		t.Errorf("ann.lee@example.com: %d times as %s in the request, want 3 (user, two turns)", n, ann)
	}
	if bytes.Contains(client, []byte("veil_")) {
		t.Errorf("a token reached the client: %s", client)
	}
	if !json.Valid(upstream) || !json.Valid(client) {
		t.Error("invalid JSON out")
	}
}

// examples/pseudonyms: through the .wasm, no original survives in either
// direction except what generalization keeps on purpose, the card numbers
// stay Luhn-valid with their last four, and the same customer gets the same
// pseudonyms in the request and in the response.
func TestExamplePseudonyms(t *testing.T) {
	dir := exampleDir(t, "pseudonyms")
	src := readFile(t, filepath.Join(dir, "rules.yaml"))
	request, response := readFile(t, filepath.Join(dir, "request.json")), readFile(t, filepath.Join(dir, "response.json"))
	upstream, client := runExample(t, src, request, response)
	generated(t, filepath.Join(dir, "want-request.json"), upstream)
	generated(t, filepath.Join(dir, "want-response.json"), client)

	for _, v := range []string{"C-100482", "C-099117", "Ann Lee", "Bo Park", "ann.lee@example.com", "bo.park@example.net",
		"415 555 2671", "7946 0958", "1987-04-12", "1990-11-30", "203.0.113.47", "198.51.100.9", "94110", "84250", "61000",
		"4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "2001:db8:85a3:8d3"} {
		if bytes.Contains(upstream, []byte(v)) || bytes.Contains(client, []byte(v)) {
			t.Errorf("%q survived", v)
		}
	}
	var req struct {
		Customer map[string]any
		Payment  struct {
			CardNumber string `json:"card_number"`
		}
	}
	var resp struct {
		Customers []struct {
			ID      string `json:"customer_id"`
			Name    string `json:"full_name"`
			Email   string
			Payment struct {
				CardNumber string `json:"card_number"`
			}
		}
	}
	if err := json.Unmarshal(upstream, &req); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(client, &resp); err != nil || len(resp.Customers) != 2 {
		t.Fatalf("%s: %v", client, err)
	}
	ann := resp.Customers[0]
	if req.Customer["customer_id"] != ann.ID || req.Customer["full_name"] != ann.Name || req.Customer["email"] != ann.Email {
		t.Errorf("the same customer got different pseudonyms: request %v, response %+v", req.Customer, ann)
	}
	if !strings.HasPrefix(ann.ID, "cus_") || req.Customer["referred_by"] != resp.Customers[1].ID {
		t.Errorf("customer-ref: %q, referred_by %v vs %q", ann.ID, req.Customer["referred_by"], resp.Customers[1].ID)
	}
	for orig, got := range map[string]string{
		"4111 1111 1111 1111": req.Payment.CardNumber, "5555-5555-5555-4444": ann.Payment.CardNumber, "378282246310005": resp.Customers[1].Payment.CardNumber,
	} {
		if len(got) != len(orig) || got[len(got)-4:] != orig[len(orig)-4:] || !luhn(got) || got == orig {
			t.Errorf("fpe of %s: %s (want same shape, last four, Luhn-valid)", orig, got)
		}
	}
	if req.Customer["birth_date"] != "1987" {
		t.Errorf("birth_date: %v", req.Customer["birth_date"])
	}
	// The same record with an access key in its note is refused with 403.
	vm := start(t, "veil", hosttest.Envoy133, hosttest.Config{PluginConfig: src})
	leaky := bytes.Replace(request, []byte("Prefers email contact."), []byte("aws key AKIAIOSFODNN7EXAMPLE"), 1)
	res := vm.Do(jsonExchange(leaky, response, 0))
	const want = `{"error":"blocked","rule_set":"pseudonyms","rule":"no-secrets","count":1,"detectors":{"aws_access_key_id":1}}`
	if lr := res.LocalReply; lr == nil || lr.Status != 403 || res.Request.Body != nil || string(lr.Body) != want {
		t.Errorf("block: local reply %+v (body %s), upstream got %q; want 403 %s", lr, res.Response.Body, res.Request.Body, want)
	}
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n > 0 && sum%10 == 0
}
