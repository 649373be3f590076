package envoy

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"testing"

	k8syaml "sigs.k8s.io/yaml"
)

// crdSchema returns the openAPIV3Schema of kind at version from a file of
// CustomResourceDefinitions.
func crdSchema(t *testing.T, file, kind, version string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Names    struct{ Kind string } `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := k8syaml.Unmarshal([]byte(doc), &crd); err != nil || crd.Kind != "CustomResourceDefinition" || crd.Spec.Names.Kind != kind {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name == version {
				return v.Schema.OpenAPIV3Schema
			}
		}
	}
	t.Fatalf("%s: no CRD schema for %s %s", file, kind, version)
	return nil
}

// schemaValidator checks a document against a CRD's structural schema the
// way the API server does with strict field validation (kubectl's default):
// types, enums, patterns, bounds, required fields, oneOf/anyOf/not, and
// unknown fields refused wherever the schema lists properties and does not
// preserve unknown fields. CEL rules (x-kubernetes-validations) are not
// evaluated: they are collected in celSkipped so a test can say so.
type schemaValidator struct {
	errs       []string
	celSkipped int
}

// annotations are schema keywords that do not constrain a value.
var annotations = []string{
	"description", "format", "title", "default", "example",
	"x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
}

func (sv *schemaValidator) errorf(path, format string, args ...any) {
	sv.errs = append(sv.errs, path+": "+fmt.Sprintf(format, args...))
}

// check validates v (decoded JSON) at path against schema s.
func (sv *schemaValidator) check(path string, s map[string]any, v any) {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if v == nil {
		if s["nullable"] != true {
			sv.errorf(path, "null where the schema does not allow it")
		}
		return
	}
	for _, k := range keys {
		arg := s[k]
		switch k {
		case "type":
			sv.checkType(path, arg.(string), s, v)
		case "properties", "additionalProperties", "required", "maxProperties", "minProperties":
			sv.checkObject(path, k, arg, s, v)
		case "items", "maxItems", "minItems":
			sv.checkArray(path, k, arg, v)
		case "enum":
			if !slices.ContainsFunc(arg.([]any), func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
				sv.errorf(path, "%v is not one of %v", v, arg)
			}
		case "pattern":
			if str, ok := v.(string); ok && !regexp.MustCompile(arg.(string)).MatchString(str) {
				sv.errorf(path, "%q does not match %s", str, arg)
			}
		case "minLength", "maxLength":
			if str, ok := v.(string); ok {
				n, lim := float64(len([]rune(str))), arg.(float64)
				if (k == "minLength" && n < lim) || (k == "maxLength" && n > lim) {
					sv.errorf(path, "length %v outside %s %v", n, k, lim)
				}
			}
		case "minimum", "maximum":
			if n, ok := v.(float64); ok && ((k == "minimum" && n < arg.(float64)) || (k == "maximum" && n > arg.(float64))) {
				sv.errorf(path, "%v outside %s %v", n, k, arg)
			}
		case "oneOf", "anyOf", "allOf":
			passed := 0
			for _, sub := range arg.([]any) {
				inner := &schemaValidator{}
				inner.check(path, sub.(map[string]any), v)
				sv.celSkipped += inner.celSkipped
				if len(inner.errs) == 0 {
					passed++
				} else if k == "allOf" {
					sv.errs = append(sv.errs, inner.errs...)
				}
			}
			if (k == "oneOf" && passed != 1) || (k == "anyOf" && passed == 0) {
				sv.errorf(path, "%s: %d of %d alternatives match", k, passed, len(arg.([]any)))
			}
		case "not":
			inner := &schemaValidator{}
			inner.check(path, arg.(map[string]any), v)
			if len(inner.errs) == 0 {
				sv.errorf(path, "matches a schema it must not match")
			}
		case "x-kubernetes-validations":
			sv.celSkipped += len(arg.([]any))
		case "nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource":
		default:
			if !slices.Contains(annotations, k) {
				sv.errorf(path, "schema keyword %q is not understood by this validator", k)
			}
		}
	}
}

func (sv *schemaValidator) checkType(path, typ string, s map[string]any, v any) {
	ok := false
	switch typ {
	case "object":
		_, ok = v.(map[string]any)
	case "array":
		_, ok = v.([]any)
	case "string":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "number":
		_, ok = v.(float64)
	case "integer":
		n, isNum := v.(float64)
		ok = isNum && n == math.Trunc(n)
		if ok && s["format"] == "int32" && (n < math.MinInt32 || n > math.MaxInt32) {
			sv.errorf(path, "%v overflows int32", n)
		}
	}
	if !ok {
		sv.errorf(path, "%T where the schema wants %s", v, typ)
	}
}

func (sv *schemaValidator) checkObject(path, k string, arg any, s map[string]any, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	switch k {
	case "properties":
		props := arg.(map[string]any)
		for name, val := range m {
			if p, ok := props[name]; ok {
				sv.check(path+"."+name, p.(map[string]any), val)
			} else if s["additionalProperties"] == nil && s["x-kubernetes-preserve-unknown-fields"] != true {
				sv.errorf(path, "unknown field %q", name)
			}
		}
	case "additionalProperties":
		sub, isSchema := arg.(map[string]any)
		props, _ := s["properties"].(map[string]any)
		for name, val := range m {
			if _, declared := props[name]; declared {
				continue
			}
			if isSchema {
				sv.check(path+"."+name, sub, val)
			} else if arg == false {
				sv.errorf(path, "unknown field %q", name)
			}
		}
	case "required":
		for _, r := range arg.([]any) {
			if _, ok := m[r.(string)]; !ok {
				sv.errorf(path, "missing required field %q", r)
			}
		}
	case "maxProperties", "minProperties":
		n, lim := float64(len(m)), arg.(float64)
		if (k == "maxProperties" && n > lim) || (k == "minProperties" && n < lim) {
			sv.errorf(path, "%v fields outside %s %v", n, k, lim)
		}
	}
}

func (sv *schemaValidator) checkArray(path, k string, arg any, v any) {
	l, ok := v.([]any)
	if !ok {
		return
	}
	switch k {
	case "items":
		for i, e := range l {
			sv.check(fmt.Sprintf("%s[%d]", path, i), arg.(map[string]any), e)
		}
	case "maxItems", "minItems":
		n, lim := float64(len(l)), arg.(float64)
		if (k == "maxItems" && n > lim) || (k == "minItems" && n < lim) {
			sv.errorf(path, "%v items outside %s %v", n, k, lim)
		}
	}
}

// validateAgainstCRD fails t with every schema violation of doc (decoded
// JSON) and returns how many CEL rules were met and not evaluated.
func validateAgainstCRD(t *testing.T, name string, schema map[string]any, doc any) int {
	t.Helper()
	sv := validateResource(schema, doc)
	for _, e := range sv.errs {
		t.Errorf("%s: CRD schema: %s", name, e)
	}
	return sv.celSkipped
}

// validateResource validates a whole resource. As the API server does, it
// leaves apiVersion, kind and metadata to the typed envelope where the
// schema does not describe them (Istio's CRDs do not).
func validateResource(schema map[string]any, doc any) *schemaValidator {
	if m, ok := doc.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		rest := map[string]any{}
		for k, v := range m {
			if _, described := props[k]; described || !slices.Contains([]string{"apiVersion", "kind", "metadata"}, k) {
				rest[k] = v
			}
		}
		doc = rest
	}
	sv := &schemaValidator{}
	sv.check("", schema, doc)
	return sv
}

// TestSchemaValidatorRefuses proves the validator is not a rubber stamp:
// each mistake below, made in a copy of the WasmPlugin, is reported.
func TestSchemaValidatorRefuses(t *testing.T) {
	schema := crdSchema(t, istioCRDs(t), "WasmPlugin", "v1alpha1")
	for _, tc := range []struct{ name, yaml string }{
		{"unknown spec field", "spec: {urll: oci://x}"},
		{"unknown top-level field", "spec: {}\nstatuss: {}"},
		{"bad enum", "spec: {phase: AUTHORIZATION}"},
		{"bad type", "spec: {priority: high}"},
		{"pattern", "spec: {sha256: ABC}"},
		{"unknown nested field", "spec: {vmConfig: {env: [{name: K, valueFrom: HOST, from: x}]}}"},
		{"required", "spec: {targetRefs: [{kind: Gateway}]}"},
	} {
		j, err := k8syaml.YAMLToJSON([]byte("apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\n" + tc.yaml))
		if err != nil {
			t.Fatal(err)
		}
		if sv := validateResource(schema, generic(t, j)); len(sv.errs) == 0 {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
