package hosttest_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	hosttest "github.com/veilproxy/veil/host-test"
)

// outcome is what both hosts can report about one exchange.
type outcome struct {
	reqHeaders, respHeaders hosttest.Headers
	reqBody, respBody       []byte
	reply                   *hosttest.LocalReply // status, body, headers only
}

// crossCase is one exchange run through this host and through the SDK's
// proxytest.NewWasmVMContext (an independent wazero host with wazero's stock
// WASI). agree lists the parts both model, which must be equal; hostOnly
// says what only this host models, which is therefore asserted elsewhere.
type crossCase struct {
	name     string
	module   string // "veil" or a test module
	config   []byte
	reqType  string // request content-type
	req      []byte
	resp     []byte
	chunk    int
	agree    []string // of "request", "response", "reply"
	hostOnly string
}

func crossCases(t *testing.T) []crossCase {
	ex := examples(t)[0]
	return []crossCase{
		{name: "example, one chunk", module: "veil", config: ex.rules, reqType: "application/json",
			req: ex.request, resp: ex.reply, agree: []string{"request", "response", "reply"}},
		{name: "example, 7-byte chunks", module: "veil", config: ex.rules, reqType: "application/json",
			req: ex.request, resp: ex.reply, chunk: 7, agree: []string{"request", "response", "reply"}},
		{name: "out-of-scope content type", module: "veil", config: ex.rules, reqType: "text/plain",
			req: []byte(`{"email":"a@b.c"}`), resp: ex.reply, agree: []string{"request", "response", "reply"}},
		{name: "invalid JSON is rejected", module: "veil", config: ex.rules, reqType: "application/json",
			req: []byte(`{"email": `), agree: []string{"reply"},
			hostOnly: "the reply passing back through on_response_*: proxytest does not encode local replies through the filter (TestPluginLocalReplyReentry)"},
		{name: "behave: upper-case bodies in 3-byte chunks", module: "behave", config: []byte(`{"upper":true,"tag":"x"}`),
			reqType: "application/json", req: []byte(`{"a":"b"}`), resp: []byte(`{"c":"d"}`), chunk: 3,
			agree: []string{"request", "response", "reply"}},
		{name: "behave: late header write", module: "behave", config: []byte(`{"late_write":true}`),
			reqType: "application/json", req: []byte(`{}`), agree: []string{"reply"},
			hostOnly: "the refusal: proxytest accepts header writes at any time, Envoy answers BAD_ARGUMENT (TestLateHeaderWrite)"},
		{name: "behave: local reply from request headers", module: "behave", config: []byte(`{"local_reply":"request_headers"}`),
			reqType: "application/json", req: []byte(`{}`), agree: []string{"reply"},
			hostOnly: "re-entry into on_response_* (TestLocalReply)"},
	}
}

// TestCrossCheckProxytest runs the table through both hosts. proxytest holds
// a process-wide lock: these cases must not run in parallel.
func TestCrossCheckProxytest(t *testing.T) {
	log.SetOutput(io.Discard) // proxytest logs every guest log line
	defer log.SetOutput(os.Stderr)
	sdkVMs := map[string]proxytest.WasmVMContext{}
	defer func() {
		for _, vm := range sdkVMs {
			vm.Close()
		}
	}()
	for _, c := range crossCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if c.hostOnly != "" {
				t.Logf("only host-test models: %s", c.hostOnly)
			}
			sdkVM := sdkVMs[c.module]
			if sdkVM == nil {
				var err error
				if sdkVM, err = proxytest.NewWasmVMContext(wasmOf(t, c.module)); err != nil {
					t.Fatal(err)
				}
				sdkVMs[c.module] = sdkVM
			}
			ours := viaHost(t, c)
			theirs := viaProxytest(t, sdkVM, c)
			for _, part := range c.agree {
				var a, b string
				switch part {
				case "request":
					a, b = fmt.Sprintf("%q %q", ours.reqHeaders, ours.reqBody), fmt.Sprintf("%q %q", theirs.reqHeaders, theirs.reqBody)
				case "response":
					a, b = fmt.Sprintf("%q %q", ours.respHeaders, ours.respBody), fmt.Sprintf("%q %q", theirs.respHeaders, theirs.respBody)
				case "reply":
					a, b = replyString(ours.reply), replyString(theirs.reply)
				}
				if a != b {
					t.Errorf("%s differs:\nhost-test: %s\nproxytest: %s", part, a, b)
				}
			}
		})
	}
}

func replyString(r *hosttest.LocalReply) string {
	if r == nil {
		return "none"
	}
	return fmt.Sprintf("%d %q %q", r.Status, r.Body, r.Headers)
}

func crossHeaders(c crossCase, body []byte) hosttest.Headers {
	return hosttest.Headers{{"content-type", c.reqType}, {"content-length", strconv.Itoa(len(body))}}
}

func viaHost(t *testing.T, c crossCase) outcome {
	vm := start(t, c.module, hosttest.Envoy133, hosttest.Config{PluginConfig: c.config})
	ex := hosttest.Exchange{Method: "POST", Path: "/", RequestHeaders: crossHeaders(c, c.req), RequestBody: c.req, ChunkSize: c.chunk}
	if c.resp != nil {
		ex.ResponseHeaders = hosttest.Headers{{"content-type", "application/json"}, {"content-length", strconv.Itoa(len(c.resp))}}
		ex.ResponseBody = c.resp
	}
	res := vm.Do(ex)
	if res.VMError != nil {
		t.Fatal(res.VMError)
	}
	o := outcome{reqHeaders: res.Request.Headers, reqBody: res.Request.Body, respHeaders: res.Response.Headers, respBody: res.Response.Body}
	if lr := res.LocalReply; lr != nil {
		o.reply = &hosttest.LocalReply{Status: lr.Status, Body: lr.Body, Headers: lr.Headers}
	}
	return o
}

func viaProxytest(t *testing.T, vm proxytest.WasmVMContext, c crossCase) outcome {
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration(c.config))
	defer reset()
	if host.StartPlugin() != types.OnPluginStartStatusOK {
		t.Fatal("proxytest: plugin did not start")
	}
	id := host.InitializeHttpContext()
	reqHeaders := append(hosttest.Headers{{":method", "POST"}, {":path", "/"}, {":authority", "example.com"}, {":scheme", "http"}}, crossHeaders(c, c.req)...)
	o := outcome{}
	host.CallOnRequestHeaders(id, reqHeaders, false)
	o.reqHeaders = host.GetCurrentRequestHeaders(id)
	cs := chunks(c.req, c.chunk)
	for i, chunk := range cs {
		if host.GetSentLocalResponse(id) != nil {
			break
		}
		host.CallOnRequestBody(id, chunk, i == len(cs)-1)
	}
	if lr := host.GetSentLocalResponse(id); lr != nil {
		o.reply = &hosttest.LocalReply{Status: int(lr.StatusCode), Body: lr.Data, Headers: lr.Headers}
		host.CompleteHttpContext(id)
		return o
	}
	o.reqBody = host.GetCurrentRequestBody(id)
	if c.resp != nil {
		respHeaders := hosttest.Headers{{":status", "200"}, {"content-type", "application/json"}, {"content-length", strconv.Itoa(len(c.resp))}}
		host.CallOnResponseHeaders(id, respHeaders, false)
		o.respHeaders = host.GetCurrentResponseHeaders(id)
		cs = chunks(c.resp, c.chunk)
		for i, chunk := range cs {
			host.CallOnResponseBody(id, chunk, i == len(cs)-1)
		}
		o.respBody = host.GetCurrentResponseBody(id)
	}
	host.CompleteHttpContext(id)
	return o
}

func chunks(b []byte, n int) [][]byte {
	if n <= 0 {
		n = len(b)
	}
	var out [][]byte
	for len(b) > 0 {
		k := min(n, len(b))
		out, b = append(out, b[:k]), b[k:]
	}
	return out
}
