package rules

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// encodingRules redacts the planted values of the encoding tests.
const encodingRules = `
rules:
  - { id: email, select: { keys: [email] }, action: redact }
  - { id: ssn, select: { detect: [us_ssn] }, action: redact }
`

// encodingBody plants an email (by key) and an SSN (by detector).
const encodingBody = `{"user":{"email":"alice@example.com","note":"ssn 123-45-6789 on file"},"items":[1,2,3]}`

// planted are the values no rewritten body may hold.
var planted = []string{"alice@example.com", "123-45-6789"}

// Test encoders, from the standard library's writers: independent of
// Codec.Encode.
func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func rawFlateOf(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// multiMember writes b as two gzip members split in the middle of the JSON.
func multiMember(b []byte) []byte {
	return append(gzipOf(b[:len(b)/2]), gzipOf(b[len(b)/2:])...)
}

// readWith decodes b with a standard-library reader of the form named.
func readWith(t *testing.T, form string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	var err error
	switch form {
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(b))
	case "zlib":
		r, err = zlib.NewReader(bytes.NewReader(b))
	case "raw":
		r = flate.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatalf("%s reader: %v", form, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s reader: %v", form, err)
	}
	return out
}

// applyEncoded is the plugin's path natively: read the codings, decode,
// apply, re-encode in the form read; an unchanged body is returned as is.
func applyEncoded(p *Program, c *Codec, values []string, body []byte) ([]byte, error) {
	enc, ok := p.Encoding(values)
	if !ok {
		return nil, ErrUndecodable
	}
	decoded, form, err := c.Decode(enc, body, p.DecodedLimit(len(body)))
	if err != nil {
		return nil, err
	}
	out, _, err := p.ApplyAs(BodySniff, decoded, Input{Direction: Request}, p.Apply)
	if errors.Is(err, ErrNotJSON) {
		return body, nil
	}
	if err != nil || sameSlice(out, decoded) {
		return body, err
	}
	return c.Encode(form, out)
}

// TestParseEncoding: every content-encoding value counts, in order; names
// are case-insensitive, whitespace, empty entries and identity ignored;
// anything unreadable or too deep is not ok.
func TestParseEncoding(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   []coding // nil with ok false
		ok     bool
	}{
		{nil, []coding{}, true},
		{[]string{"identity"}, []coding{}, true},
		{[]string{"gzip"}, []coding{codingGzip}, true},
		{[]string{"x-gzip"}, []coding{codingGzip}, true},
		{[]string{"GZIP"}, []coding{codingGzip}, true},
		{[]string{" gzip "}, []coding{codingGzip}, true},
		{[]string{"X-Gzip"}, []coding{codingGzip}, true},
		{[]string{"deflate"}, []coding{codingDeflate}, true},
		{[]string{"Deflate"}, []coding{codingDeflate}, true},
		{[]string{"identity, gzip"}, []coding{codingGzip}, true},
		{[]string{"gzip,,"}, []coding{codingGzip}, true},
		{[]string{"gzip, gzip"}, []coding{codingGzip, codingGzip}, true},
		{[]string{"deflate", "gzip"}, []coding{codingDeflate, codingGzip}, true},
		{[]string{"identity", "gzip"}, []coding{codingGzip}, true},
		{[]string{"gzip, deflate, x-gzip"}, []coding{codingGzip, codingDeflate, codingGzip}, true},
		{[]string{"gzip, gzip, gzip, gzip"}, nil, false},
		{[]string{"br"}, nil, false},
		{[]string{"zstd"}, nil, false},
		{[]string{"compress"}, nil, false},
		{[]string{"x-compress"}, nil, false},
		{[]string{"gzip, br"}, nil, false},
		{[]string{"gzip", "br"}, nil, false},
		{[]string{"gzip;q=1"}, nil, false},
		{[]string{"g zip"}, nil, false},
		{[]string{"gzipx"}, nil, false},
	} {
		e, ok := ParseEncoding(c.values)
		if ok != c.ok || ok && !slices.Equal(e.codings[:e.n], c.want) {
			t.Errorf("ParseEncoding(%q) = %v %v, want %v %v", c.values, e.codings[:e.n], ok, c.want, c.ok)
		}
		if ok && e.Identity() != (len(c.want) == 0) {
			t.Errorf("ParseEncoding(%q).Identity() = %v", c.values, e.Identity())
		}
	}
	p := mustCompile(t, "encodings: { decode: [deflate] }\n"+encodingRules)
	for _, c := range []struct {
		value string
		ok    bool
	}{{"deflate", true}, {"identity", true}, {"gzip", false}, {"x-gzip", false}} {
		if _, ok := p.Encoding([]string{c.value}); ok != c.ok {
			t.Errorf("decode [deflate]: Encoding(%q) ok = %v, want %v", c.value, ok, c.ok)
		}
	}
	p = mustCompile(t, "encodings: { decode: [] }\n"+encodingRules)
	for _, v := range []string{"gzip", "x-gzip", "deflate"} {
		if _, ok := p.Encoding([]string{v}); ok {
			t.Errorf("decode []: Encoding(%q) ok, want every coding on.encoded", v)
		}
	}
	if e, ok := p.Encoding([]string{"identity"}); !ok || !e.Identity() {
		t.Error("decode []: identity must stay readable")
	}
}

// TestEncodedRoundTrip: each coding and spelling, built by the standard
// library's writers, is decoded, rewritten and re-encoded in the form read;
// the output decodes to what the identity path writes, and holds no planted
// value in any layer.
func TestEncodedRoundTrip(t *testing.T) {
	p := mustCompile(t, encodingRules)
	body := []byte(encodingBody)
	want, _, err := p.Apply(body, Input{Direction: Request})
	if err != nil || sameSlice(want, body) {
		t.Fatalf("identity path: %s %v", want, err)
	}
	c := new(Codec)
	for _, tc := range []struct {
		name    string
		values  []string
		encoded []byte
		forms   []string // readers that undo the output, outermost first
	}{
		{"gzip", []string{"gzip"}, gzipOf(body), []string{"gzip"}},
		{"x-gzip", []string{"x-gzip"}, gzipOf(body), []string{"gzip"}},
		{"GZIP", []string{"GZIP"}, gzipOf(body), []string{"gzip"}},
		{"spaces", []string{" gzip "}, gzipOf(body), []string{"gzip"}},
		{"identity, gzip", []string{"identity, gzip"}, gzipOf(body), []string{"gzip"}},
		{"identity header then gzip header", []string{"identity", "gzip"}, gzipOf(body), []string{"gzip"}},
		{"multi-member gzip", []string{"gzip"}, multiMember(body), []string{"gzip"}},
		{"deflate as zlib", []string{"deflate"}, zlibOf(body), []string{"zlib"}},
		{"deflate raw", []string{"deflate"}, rawFlateOf(body), []string{"raw"}},
		{"Deflate raw", []string{"Deflate"}, rawFlateOf(body), []string{"raw"}},
		{"gzip, gzip", []string{"gzip, gzip"}, gzipOf(gzipOf(body)), []string{"gzip", "gzip"}},
		{"two gzip headers", []string{"gzip", "gzip"}, gzipOf(gzipOf(body)), []string{"gzip", "gzip"}},
		{"deflate then gzip", []string{"deflate", "gzip"}, gzipOf(zlibOf(body)), []string{"gzip", "zlib"}},
		{"raw deflate then gzip", []string{"deflate, x-gzip"}, gzipOf(rawFlateOf(body)), []string{"gzip", "raw"}},
		{"gzip then deflate", []string{"gzip", "deflate"}, zlibOf(gzipOf(body)), []string{"zlib", "gzip"}},
		{"three stacked", []string{"gzip, gzip, deflate"}, zlibOf(gzipOf(gzipOf(body))), []string{"zlib", "gzip", "gzip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := applyEncoded(p, c, tc.values, tc.encoded)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range tc.forms {
				for _, v := range planted {
					if bytes.Contains(out, []byte(v)) {
						t.Fatalf("%q survives in a layer", v)
					}
				}
				out = readWith(t, form, out)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("decoded output %s\nwant %s", out, want)
			}
		})
	}
}

// TestEncodedUnchanged: a body with nothing to rewrite is returned as it
// came, not re-encoded.
func TestEncodedUnchanged(t *testing.T) {
	p := mustCompile(t, encodingRules)
	c := new(Codec)
	for _, in := range [][]byte{gzipOf([]byte(`{"a":1}`)), rawFlateOf([]byte(`{"b":[true]}`)), multiMember([]byte(`{"plain":"text"}`)), gzipOf([]byte("not json at all"))} {
		values := []string{"gzip"}
		if in[0] != 0x1f {
			values = []string{"deflate"}
		}
		out, err := applyEncoded(p, c, values, in)
		if err != nil || !sameSlice(out, in) {
			t.Errorf("%q: got a new body (%v)", values, err)
		}
	}
}

// TestEncodedUndecodable: a body that does not decode completely and
// exactly is ErrUndecodable (on.encoded), whatever the coding.
func TestEncodedUndecodable(t *testing.T) {
	body := []byte(encodingBody)
	gz, zl, raw := gzipOf(body), zlibOf(body), rawFlateOf(body)
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[(i+len(b))%len(b)] ^= 0x55
		return b
	}
	c := new(Codec)
	for _, tc := range []struct {
		name   string
		values string
		in     []byte
	}{
		{"plain JSON labelled gzip", "gzip", body},
		{"plain JSON labelled deflate", "deflate", body},
		{"gzip truncated in the header", "gzip", gz[:5]},
		{"gzip truncated in the data", "gzip", gz[:len(gz)/2]},
		{"gzip without its trailer", "gzip", gz[:len(gz)-8]},
		{"gzip bad CRC", "gzip", flip(gz, -6)},
		{"gzip bad size", "gzip", flip(gz, -1)},
		{"gzip bad magic", "gzip", flip(gz, 0)},
		{"gzip bad method", "gzip", flip(gz, 2)},
		{"gzip trailing garbage", "gzip", append(bytes.Clone(gz), "garbage!!!!"...)},
		{"gzip trailing zeros", "gzip", append(bytes.Clone(gz), make([]byte, 16)...)},
		{"gzip trailing short", "gzip", append(bytes.Clone(gz), 0x1f, 0x8b)},
		{"zlib bad checksum", "deflate", flip(zl, -1)},
		{"zlib truncated", "deflate", zl[:len(zl)-3]},
		{"zlib trailing garbage", "deflate", append(bytes.Clone(zl), "xyz"...)},
		{"raw deflate truncated", "deflate", raw[:len(raw)/2]},
		{"raw deflate trailing garbage", "deflate", append(bytes.Clone(raw), "xyz"...)},
		{"gzip, gzip with one layer", "gzip, gzip", gz},
		{"gzip labelled deflate", "deflate", gz},
		{"deflate labelled gzip", "gzip", zl},
	} {
		enc, ok := ParseEncoding([]string{tc.values})
		if !ok {
			t.Fatalf("%s: %q unreadable", tc.name, tc.values)
		}
		if _, _, err := c.Decode(enc, tc.in, 1<<20); !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s: err %v, want ErrUndecodable", tc.name, err)
		}
	}
}

// TestDecodedLimit: a zip bomb (50 MB of zeros gzipped, and stacked) is
// refused at the limit without holding more than it; max_decoded_bytes
// defaults to max_body_bytes; the ratio limit lowers it for small bodies.
func TestDecodedLimit(t *testing.T) {
	zeros := make([]byte, 50<<20)
	bomb := gzipOf(zeros)
	bomb2 := gzipOf(bomb)
	zeros = nil
	runtime.GC()
	p := mustCompile(t, "limits: { max_body_bytes: 200000 }\n"+encodingRules)
	if p.MaxDecodedBytes() != 200000 || p.DecodedLimit(10) != 200000 {
		t.Fatalf("default max_decoded_bytes = %d", p.MaxDecodedBytes())
	}
	c := new(Codec)
	for _, tc := range []struct {
		name   string
		values string
		in     []byte
	}{{"gzip bomb", "gzip", bomb}, {"stacked bomb", "gzip, gzip", bomb2}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := c.Decode(mustEncoding(t, tc.values), tc.in, p.DecodedLimit(len(tc.in)))
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrDecodedTooLarge) {
			t.Fatalf("%s: err %v, want ErrDecodedTooLarge", tc.name, err)
		}
		// the decoded buffers grow to the limit (doubling), plus the readers
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s of %d bytes: %d bytes allocated to refuse it at %d", tc.name, len(tc.in), alloc, p.MaxDecodedBytes())
		if alloc > 2<<20 {
			t.Errorf("%s: allocated %d bytes for a limit of %d", tc.name, alloc, p.MaxDecodedBytes())
		}
	}
	p = mustCompile(t, "limits: { max_body_bytes: 1000, max_decoded_bytes: 4096, max_decoded_ratio: 10 }\n"+encodingRules)
	if p.MaxDecodedBytes() != 4096 || p.DecodedLimit(100) != 1000 || p.DecodedLimit(1000) != 4096 {
		t.Fatalf("limits: %d %d %d", p.MaxDecodedBytes(), p.DecodedLimit(100), p.DecodedLimit(1000))
	}
	body := []byte(`{"email":"alice@example.com","pad":"` + strings.Repeat("a", 5000) + `"}`)
	if _, err := applyEncoded(p, c, []string{"gzip"}, gzipOf(body)); !errors.Is(err, ErrDecodedTooLarge) {
		t.Errorf("ratio: err %v, want ErrDecodedTooLarge", err)
	}
	body = body[:4000]
	if _, _, err := c.Decode(mustEncoding(t, "deflate"), rawFlateOf(body), 3999); !errors.Is(err, ErrDecodedTooLarge) {
		t.Errorf("limit-1: err %v", err)
	}
	if out, _, err := c.Decode(mustEncoding(t, "deflate"), rawFlateOf(body), 4000); err != nil || !bytes.Equal(out, body) {
		t.Errorf("limit exactly: err %v", err)
	}
}

func mustEncoding(t testing.TB, values ...string) Encoding {
	t.Helper()
	e, ok := ParseEncoding(values)
	if !ok {
		t.Fatalf("ParseEncoding(%q) not ok", values)
	}
	return e
}

// TestDecodePrefix: the start of an encoded body decodes for sniffing,
// whatever the coding and however little of it has arrived; corruption in
// the bytes so far is ErrUndecodable.
func TestDecodePrefix(t *testing.T) {
	body := []byte(`{"email":"alice@example.com","pad":"` + strings.Repeat("xy", 4000) + `"}`)
	c := new(Codec)
	for _, tc := range []struct {
		values string
		in     []byte
	}{
		{"gzip", gzipOf(body)}, {"deflate", zlibOf(body)}, {"deflate", rawFlateOf(body)},
		{"gzip, gzip", gzipOf(gzipOf(body))}, {"gzip", multiMember(body)},
	} {
		enc := mustEncoding(t, tc.values)
		prefix, complete, err := c.DecodePrefix(enc, tc.in, 512)
		if err != nil || complete || !bytes.Equal(prefix, body[:512]) {
			t.Errorf("%s whole: %q %v %v", tc.values, prefix, complete, err)
		}
		for _, n := range []int{0, 1, 10, 30} {
			prefix, complete, err := c.DecodePrefix(enc, tc.in[:n], 512)
			if err != nil || complete || !bytes.HasPrefix(body, prefix) {
				t.Errorf("%s first %d bytes: %q %v %v", tc.values, n, prefix, complete, err)
			}
		}
	}
	small := []byte(`{"a":1}`)
	if prefix, complete, err := c.DecodePrefix(mustEncoding(t, "gzip"), gzipOf(small), 512); err != nil || !complete || !bytes.Equal(prefix, small) {
		t.Errorf("small: %q %v %v", prefix, complete, err)
	}
	if _, _, err := c.DecodePrefix(mustEncoding(t, "gzip"), []byte(`{"a":1}`), 512); !errors.Is(err, ErrUndecodable) {
		t.Errorf("not gzip: err %v", err)
	}
}

// TestEncodingsSchema: the keys, their defaults and every mistake, at its
// position.
func TestEncodingsSchema(t *testing.T) {
	p := mustCompile(t, encodingRules)
	if p.RecodeIdentity() || p.StripAcceptEncoding() || p.MaxDecodedBytes() != DefaultMaxBodyBytes {
		t.Error("defaults")
	}
	p = mustCompile(t, "encodings: { decode: [GZIP], recode: identity, strip_accept_encoding: true }\nlimits: { max_decoded_bytes: 16777216 }\n"+encodingRules)
	if !p.RecodeIdentity() || !p.StripAcceptEncoding() || p.MaxDecodedBytes() != 16<<20 {
		t.Error("settings")
	}
	if _, ok := p.Encoding([]string{"deflate"}); ok {
		t.Error("decode [GZIP] reads deflate")
	}
	for _, c := range []struct{ src, want string }{
		{"encodings: { decode: [gzip, br] }\n", `r.yaml:1:29: encodings.decode: "br" cannot be decoded (want gzip, x-gzip or deflate; others are always on.encoded)`},
		{"encodings: { decode: zstd }\n", `r.yaml:1:22: encodings.decode: "zstd" cannot be decoded`},
		{"encodings: { recode: gzip }\n", `r.yaml:1:22: encodings.recode: unknown value "gzip" (want identity or same)`},
		{"encodings: { strip_accept_encoding: yes please }\n", `r.yaml:1:37: encodings.strip_accept_encoding: want true or false`},
		{"encodings: { accept: x }\n", `r.yaml:1:14: encodings: unknown field "accept" (want decode, recode or strip_accept_encoding)`},
		{"encodings: [gzip]\n", `r.yaml:1:12: encodings: want a mapping`},
		{"limits: { max_decoded_bytes: 0 }\n", `r.yaml:1:30: max_decoded_bytes: must be positive, got 0`},
		{"limits: { max_decoded_bytes: 16777217 }\n", `r.yaml:1:30: max_decoded_bytes: 16777217 exceeds 16777216`},
		{"limits: { max_decoded_ratio: -1 }\n", `r.yaml:1:30: max_decoded_ratio: must be positive, got -1`},
		{"limits: { max_decoded_ratio: 1.5 }\n", `r.yaml:1:30: max_decoded_ratio: want an integer`},
	} {
		_, err := Compile([]byte(c.src+encodingRules), Options{Filename: "r.yaml"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v\nwant %s", c.src, err, c.want)
		}
	}
}

// TestEncodeForms: Encode writes what standard readers read, in each form,
// and reuses its buffers (decode(encode(x)) == x across calls).
func TestEncodeForms(t *testing.T) {
	c := new(Codec)
	for _, x := range [][]byte{nil, []byte("{}"), []byte(encodingBody), bytes.Repeat([]byte(`{"k":"v"},`), 10000)} {
		for _, tc := range []struct {
			enc  Encoding
			form string
		}{
			{Encoding{codings: [MaxCodings]coding{codingGzip}, n: 1}, "gzip"},
			{Encoding{codings: [MaxCodings]coding{codingZlib}, n: 1}, "zlib"},
			{Encoding{codings: [MaxCodings]coding{codingDeflate}, n: 1}, "zlib"},
			{Encoding{codings: [MaxCodings]coding{codingRawFlate}, n: 1}, "raw"},
		} {
			out, err := c.Encode(tc.enc, x)
			if err != nil {
				t.Fatal(err)
			}
			if got := readWith(t, tc.form, out); !bytes.Equal(got, x) {
				t.Errorf("%s: round trip of %d bytes differs", tc.form, len(x))
			}
		}
	}
	if !json.Valid([]byte(encodingBody)) {
		t.Fatal("encodingBody")
	}
}

// FuzzDecodeBody: any bytes under any codings decode without a panic,
// never past the limit; what Encode writes decodes back to its input, in
// every form and stacked; a decodable body re-encoded in the form read
// decodes to the same bytes.
func FuzzDecodeBody(f *testing.F) {
	body := []byte(encodingBody)
	f.Add(gzipOf(body), uint8(1), uint16(1000))
	f.Add(zlibOf(body), uint8(2), uint16(50))
	f.Add(rawFlateOf(body), uint8(2), uint16(4096))
	f.Add(multiMember(body), uint8(1), uint16(90))
	f.Add(gzipOf(gzipOf(body)), uint8(5), uint16(2000))
	f.Add(body, uint8(3), uint16(10))
	var c, check Codec
	headers := []string{"identity", "gzip", "deflate", "x-gzip, deflate", "deflate, deflate", "gzip, gzip", "deflate, gzip", "gzip, deflate, gzip"}
	f.Fuzz(func(t *testing.T, in []byte, which uint8, limit uint16) {
		enc := mustEncoding(t, headers[int(which)%len(headers)])
		out, form, err := c.Decode(enc, in, int(limit))
		switch {
		case errors.Is(err, ErrDecodedTooLarge), errors.Is(err, ErrUndecodable):
			if out != nil {
				t.Fatal("a failed decode returned a body")
			}
		case err != nil:
			t.Fatalf("unexpected error %v", err)
		case len(out) > int(limit) && !enc.Identity(): // identity returns the body itself
			t.Fatalf("decoded %d bytes past the limit %d", len(out), limit)
		default:
			re, err := check.Encode(form, out)
			if err != nil {
				t.Fatal(err)
			}
			back, _, err := check.Decode(form, re, int(limit))
			if err != nil || !bytes.Equal(back, out) {
				t.Fatalf("re-encoding in the form read: %v", err)
			}
		}
		// decode(encode(x)) == x for the fuzzed bytes themselves
		for _, e := range []Encoding{enc, {codings: [MaxCodings]coding{codingRawFlate, codingGzip}, n: 2}} {
			encoded, err := c.Encode(e, in)
			if err != nil {
				t.Fatal(err)
			}
			back, _, err := c.Decode(e, encoded, 2*len(in)+1024) // an inner layer may outgrow x
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("decode(encode(x)) != x under %v: %v", e.codings[:e.n], err)
			}
		}
		if prefix, _, err := c.DecodePrefix(enc, in, 512); err == nil && len(prefix) > 512 {
			t.Fatalf("prefix of %d bytes", len(prefix))
		}
	})
}
