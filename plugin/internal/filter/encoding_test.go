package filter

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// gzipString compresses s with the standard library's writer.
func gzipString(s string) string {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(s))
	w.Close()
	return buf.String()
}

// gunzipString decompresses s, "" when it is not gzip.
func gunzipString(s string) string {
	r, err := gzip.NewReader(bytes.NewReader([]byte(s)))
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

// Encoded bodies through the SDK's emulator, natively and as .wasm (the
// full table runs in host-test/encoding_test.go): a gzip body is rewritten
// and compressed again, recode: identity forwards it decoded without its
// content-encoding, strip_accept_encoding drops accept-encoding, br is
// encoded.
func TestEncodingsThroughProxytest(t *testing.T) {
	gzipped := [2]string{"content-encoding", "gzip"}
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, emailRules)
		r := run(host, exchange{requestHeaders: jsonRequest("", gzipped), requestBody: gzipString(`{"email":"a@b.c"}`)})
		assertJSON(t, "gzip request", gunzipString(r.requestBody), `{"email":"[REDACTED]"}`)
		if !hasHeader(r.requestHeaders, "content-encoding") || hasHeader(r.requestHeaders, "content-length") {
			t.Errorf("gzip request headers %q", r.requestHeaders)
		}
		r = run(host, exchange{requestHeaders: jsonRequest("", [2]string{"content-encoding", "br"}), requestBody: "\x1b\x00"})
		if r.localReply == nil || r.localReply.StatusCode != 415 {
			t.Errorf("br: reply %+v, want 415", r.localReply)
		}
	})
	// one host per runner: proxytest holds a global lock until cleanup
	forEachRunner(t, func(t *testing.T, vm types.VMContext) {
		host := startPlugin(t, vm, ruleSetWith("encodings: { recode: identity, strip_accept_encoding: true }\n"))
		r := run(host, exchange{
			requestHeaders:  jsonRequest("", [2]string{"accept-encoding", "gzip, br"}),
			requestBody:     `{"a":1}`,
			responseHeaders: jsonResponse(gzipped),
			responseBody:    gzipString(`{"email":"a@b.c"}`),
		})
		if hasHeader(r.requestHeaders, "accept-encoding") {
			t.Errorf("accept-encoding kept: %q", r.requestHeaders)
		}
		assertJSON(t, "identity response", r.responseBody, `{"email":"[REDACTED]"}`)
		if hasHeader(r.responseHeaders, "content-encoding") {
			t.Errorf("content-encoding kept under recode identity: %q", r.responseHeaders)
		}
	})
}
