package hosttest

import (
	"bytes"
	"encoding/hex"
	"slices"
	"testing"
	"time"
)

func TestPairsRoundTrip(t *testing.T) {
	h := Headers{{":path", "/"}, {"a", ""}, {"a", "2"}}
	if got := decodePairs(encodePairs(h)); !slices.Equal(got, h) {
		t.Errorf("round trip: %q", got)
	}
	if encodePairs(nil) != nil {
		t.Error("an empty map must serialize to nothing (no allocation in the guest)")
	}
}

// Envoy's parser is strict: any malformation yields an empty map.
func TestPairsStrict(t *testing.T) {
	good := encodePairs(Headers{{"k", "v"}})
	for name, b := range map[string][]byte{
		"trailing byte": append(slices.Clone(good), 0),
		"missing NUL":   bytes.Replace(slices.Clone(good), []byte("k\x00"), []byte("kk"), 1),
		"short":         good[:len(good)-1],
		"count too big": append([]byte{0, 4, 0, 0}, good[4:]...),
	} {
		if got := decodePairs(b); got != nil {
			t.Errorf("%s: parsed %q, want empty", name, got)
		}
	}
}

func TestEncodeValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"abc", "616263"},
		{true, "01"},
		{int64(-1), "ffffffffffffffff"},
		{uint64(258), "0201000000000000"},
		{1.5, "000000000000f83f"},
		{time.Duration(3), "0300000000000000"},
		{time.Unix(0, 5), "0500000000000000"},
		{map[string]any{"b": "2", "a": true}, hex.EncodeToString(encodePairs(Headers{{"a", "\x01"}, {"b", "2"}}))},
		{[]any{"x", "y"}, hex.EncodeToString(encodePairs(Headers{{"x", ""}, {"y", ""}}))},
	} {
		b, ok := encodeValue(tc.v)
		if got := hex.EncodeToString(b); !ok || got != tc.want {
			t.Errorf("%#v: %s, want %s", tc.v, got, tc.want)
		}
	}
	if _, ok := encodeValue(struct{}{}); ok {
		t.Error("unsupported type must fail (SERIALIZATION_FAILURE)")
	}
}

func TestProfilesWASISets(t *testing.T) {
	if n := len(wasiFunctions(Envoy133)); n != 18 {
		t.Errorf("envoy-1.33 provides %d WASI functions, want 18", n)
	}
	if n := len(wasiFunctions(Envoy139)); n != 45 {
		t.Errorf("envoy-1.39 provides %d WASI functions, want 45", n)
	}
	for _, p := range []Profile{Envoy133, Envoy139} {
		for _, f := range wasiFunctions(p) {
			if wasiSigs[f] == "" || wasiFuncs[f] == nil {
				t.Errorf("%s: %s lacks a signature or implementation", p, f)
			}
		}
	}
}

// wasiFunctions returns the WASI preview1 functions profile p provides.
func wasiFunctions(p Profile) []string {
	var out []string
	for _, l := range [][]string{wasi115, wasi133Extra, wasi139Extra} {
		for _, n := range l {
			if profiles[p].wasi[n] {
				out = append(out, n)
			}
		}
	}
	return out
}
