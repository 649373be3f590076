package filter

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"
)

// pairs encodes kv as Envoy's pairs serialization.
func pairs(kv ...[2]string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(kv)))
	for _, p := range kv {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[1])))
	}
	for _, p := range kv {
		b = append(append(b, p[0]...), 0)
		b = append(append(b, p[1]...), 0)
	}
	return b
}

// list encodes elements as Envoy encodes a CEL list.
func list(elems ...string) string {
	kv := make([][2]string, len(elems))
	for i, e := range elems {
		kv[i] = [2]string{e, ""}
	}
	return string(pairs(kv...))
}

func double(f float64) string {
	return string(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)))
}

func TestClaimsJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		want string // "" for unreadable
	}{
		{"string claim", pairs([2]string{"sub", "alice"}), `{"sub":"alice"}`},
		{"roles list", pairs([2]string{"roles", list("support", "billing")}), `{"roles":["support","billing"]}`},
		{"one-role list", pairs([2]string{"roles", list("support")}), `{"roles":["support"]}`},
		{"8-char string stays a string", pairs([2]string{"tier", "external"}), `{"tier":"external"}`},
		{"integer number", pairs([2]string{"exp", double(1733000000)}), `{"exp":1733000000}`},
		{"small number", pairs([2]string{"level", double(3)}), `{"level":3}`},
		{"fraction", pairs([2]string{"score", double(0.1)}), `{"score":0.1}`},
		{"negative", pairs([2]string{"n", double(-2)}), `{"n":-2}`},
		{"bools", pairs([2]string{"a", "\x01"}, [2]string{"b", "\x00"}), `{"a":true,"b":false}`},
		{"one-char string", pairs([2]string{"c", "x"}), `{"c":"x"}`},
		{"empty string", pairs([2]string{"e", ""}), `{"e":""}`},
		{"nested object", pairs([2]string{"realm_access", string(pairs([2]string{"roles", list("admin")}))}),
			`{"realm_access":{"roles":["admin"]}}`},
		{"list of objects", pairs([2]string{"orgs", list(string(pairs([2]string{"id", "o1"})))}), `{"orgs":[{"id":"o1"}]}`},
		{"escapes", pairs([2]string{`q"k`, "a\\b\n"}), `{"q\"k":"a\\b\n"}`},
		{"unicode", pairs([2]string{"name", "Zoë"}), `{"name":"Zoë"}`},
		{"empty payload", pairs(), `{}`},
		{"not pairs", []byte("alice"), ""},
		{"truncated", pairs([2]string{"sub", "alice"})[:20], ""},
		{"trailing bytes", append(pairs([2]string{"sub", "alice"}), 'x'), ""},
		{"huge count", []byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0}, ""},
		{"invalid utf-8 string", pairs([2]string{"sub", "\xff\xfe\xfd"}), ""},
		{"NaN", pairs([2]string{"n", double(math.NaN())}), ""},
		{"binary junk with NUL", pairs([2]string{"x", "ab\x00cd"}), ""},
		{"invalid utf-8 key", pairs([2]string{"\xff", "v"}), ""},
		{"empty", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := claimsJSON(tc.raw)
			if tc.want == "" {
				if got != nil {
					t.Fatalf("got %s, want unreadable (nil)", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecodeURISANs(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		want []string
	}{
		{"one SAN as Envoy returns it", []byte("spiffe://cluster.local/ns/billing/sa/api"), []string{"spiffe://cluster.local/ns/billing/sa/api"}},
		{"list of SANs", []byte(list("spiffe://a/x", "spiffe://b/y")), []string{"spiffe://a/x", "spiffe://b/y"}},
		{"empty", nil, nil},
		{"control characters", []byte("spiffe://a/\nx"), nil},
		{"invalid utf-8", []byte("spiffe://a/\xff"), nil},
		{"list with a value", pairs([2]string{"spiffe://a/x", "v"}), nil},
		{"list with an empty SAN", []byte(list("")), nil},
		{"list with a binary SAN", []byte(list("spiffe://a/\x01")), nil},
		{"empty list", pairs(), nil},
		{"not pairs", []byte("\x00\x01"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeURISANs(tc.raw)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestMarkedCacheControl(t *testing.T) {
	for _, tc := range []struct {
		values  []string
		noStore bool
		want    string
	}{
		{nil, false, "no-store"},
		{[]string{"public, max-age=60"}, false, "public, max-age=60, no-store"},
		{[]string{"private", "max-age=0"}, false, "private, max-age=0, no-store"},
		{[]string{"No-Store"}, true, ""},
		{[]string{"max-age=0, no-store"}, true, ""},
		{[]string{"no-storex"}, false, "no-storex, no-store"},
	} {
		if got := noStore(tc.values); got != tc.noStore {
			t.Errorf("noStore(%q) = %v, want %v", tc.values, got, tc.noStore)
		}
		if !tc.noStore {
			if got := markedCacheControl(tc.values); got != tc.want {
				t.Errorf("markedCacheControl(%q) = %q, want %q", tc.values, got, tc.want)
			}
		}
	}
}

// FuzzClaimsJSON: whatever the property bytes, claimsJSON never panics and
// returns nil or a valid JSON object.
func FuzzClaimsJSON(f *testing.F) {
	f.Add(pairs([2]string{"roles", list("support")}, [2]string{"exp", double(1e9)}))
	f.Add(pairs([2]string{"a", string(pairs([2]string{"b", "\x01"}))}))
	f.Add([]byte("spiffe://x"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := claimsJSON(raw)
		if out == nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("claimsJSON(%q) = %s: not a JSON object: %v", raw, out, err)
		}
		decodeURISANs(raw)
	})
}
