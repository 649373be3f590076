package hosttest

import (
	"slices"
	"testing"
)

// Repeated headers are modelled as Envoy keeps them: separate entries in
// order. proxy_get_header_map_value answers the first value only (Headers.Get),
// proxy_get_header_map_pairs every entry, so a plugin that must see all
// values of content-type or content-encoding reads the map.
func TestRepeatedHeadersAsEnvoy(t *testing.T) {
	h := Headers{{":path", "/"}, {"content-encoding", "identity"}, {"content-type", "text/plain"},
		{"content-encoding", "gzip"}, {"Content-Type", "application/json"}}
	if v, ok := h.Get("content-encoding"); !ok || v != "identity" {
		t.Errorf("get_header_map_value(content-encoding) = %q, %v; want the first value", v, ok)
	}
	if v, _ := h.Get("CONTENT-TYPE"); v != "text/plain" {
		t.Errorf("get_header_map_value(content-type) = %q; want the first value", v)
	}
	pairs := decodePairs(encodePairs(h))
	if !slices.Equal(pairs, h) {
		t.Errorf("get_header_map_pairs = %q, want every entry %q", pairs, h)
	}
	ex := Exchange{RequestHeaders: Headers{{"Content-Encoding", "identity"}, {"content-encoding", "gzip"}}, RequestBody: []byte("x")}
	var got []string
	for _, kv := range ex.requestHeaders() {
		if kv[0] == "content-encoding" {
			got = append(got, kv[1])
		}
	}
	if !slices.Equal(got, []string{"identity", "gzip"}) {
		t.Errorf("request headers keep %q, want both values lower-cased by name", got)
	}
}
