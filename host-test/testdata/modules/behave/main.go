// Command behave is a configurable test filter for host-test. Its plugin
// configuration (JSON) switches on the behaviours the host must judge: body
// buffering with a visible rewrite, writes to headers outside their callback,
// local replies from any callback, pausing on headers, metrics and property
// reads. Every callback logs what it saw, so tests can check what the host
// passed in.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

type config struct {
	// Upper buffers both bodies to end of stream and upper-cases them.
	Upper bool `json:"upper"`
	// Copy buffers both bodies to end of stream and replaces each with a
	// copy of itself: what moving a body into and out of the VM costs.
	Copy bool `json:"copy"`
	// LateWrite adds a request header from the request body callback.
	LateWrite bool `json:"late_write"`
	// LocalReply names the callback that sends a 403 local reply.
	LocalReply string `json:"local_reply"`
	// PauseHeaders returns Pause from on_request_headers and resumes from an
	// http_call response when ResumeViaCall is set.
	PauseHeaders  bool `json:"pause_headers"`
	ResumeViaCall bool `json:"resume_via_call"`
	// FailStart makes on_configure return false.
	FailStart bool `json:"fail_start"`
	// Properties are read in on_request_headers and logged in hex.
	Properties [][]string `json:"properties"`
	// Tag is added as x-behave to request and response headers.
	Tag string `json:"tag"`
	// Suffix is appended to both bodies at end of stream (set_buffer_bytes
	// append); KeepContentLength leaves content-length standing when a body
	// changes.
	Suffix            string `json:"suffix"`
	KeepContentLength bool   `json:"keep_content_length"`
	// IncrementZero increments a counter by 0 in on_request_headers, which
	// Envoy answers BAD_ARGUMENT and the SDK turns into a panic.
	IncrementZero bool `json:"increment_zero"`
	// Getenv names an environment variable logged in on_configure.
	Getenv string `json:"getenv"`
	// SharedKey is written with the VM's context id count at plugin start
	// (read, then set with the read CAS), after one stale-CAS write.
	SharedKey string `json:"shared_key"`
	// HoldHeaders returns Pause from both headers callbacks and, at the end
	// of each body, sets content-length to the final size: the pattern that
	// needs allow_on_headers_stop_iteration.
	HoldHeaders bool `json:"hold_headers"`
	// MetricProbe logs the raw statuses of Envoy's metric rules at start.
	MetricProbe bool `json:"metric_probe"`
	// SetBuffer lists raw proxy_set_buffer_bytes(request body, start,
	// length, data) calls made at the end of the request body; each status
	// is logged.
	SetBuffer []struct {
		Start  uint32 `json:"start"`
		Length uint32 `json:"length"`
		Data   string `json:"data"`
	} `json:"set_buffer"`
}

//go:wasmimport env proxy_increment_metric
func incrementMetric(id uint32, delta int64) uint32

//go:wasmimport env proxy_record_metric
func recordMetric(id uint32, value uint64) uint32

//go:wasmimport env proxy_get_metric
func getMetric(id uint32, value *uint64) uint32

//go:wasmimport env proxy_define_metric
func defineMetric(typ uint32, name *byte, size uint32, id *uint32) uint32

// probeMetrics logs what the host answers to each metric rule.
func probeMetrics() {
	c := uint32(proxywasm.DefineCounterMetric("probe_counter"))
	h := uint32(proxywasm.DefineHistogramMetric("probe_histogram"))
	var v uint64
	var id uint32
	name := []byte("probe_bad")
	proxywasm.LogInfof("probe: increment counter 0 = %d", incrementMetric(c, 0))
	proxywasm.LogInfof("probe: increment counter -1 = %d", incrementMetric(c, -1))
	proxywasm.LogInfof("probe: record counter 5 = %d", recordMetric(c, 5))
	proxywasm.LogInfof("probe: record counter 2 = %d", recordMetric(c, 2))
	st := getMetric(c, &v)
	proxywasm.LogInfof("probe: get counter = %d value %d", st, v)
	proxywasm.LogInfof("probe: increment histogram = %d", incrementMetric(h, 1))
	proxywasm.LogInfof("probe: get histogram = %d", getMetric(h, &v))
	proxywasm.LogInfof("probe: define type 3 = %d", defineMetric(3, &name[0], uint32(len(name)), &id))
	proxywasm.LogInfof("probe: counter id %d histogram id %d", c, h)
}

//go:wasmimport env proxy_set_buffer_bytes
func setBufferBytes(bufferType, start, length uint32, data *byte, size uint32) uint32

func init() { proxywasm.SetVMContext(&vm{}) }

func main() {}

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext { return &plugin{} }

type plugin struct {
	types.DefaultPluginContext
	cfg      config
	requests proxywasm.MetricCounter
	bytes    proxywasm.MetricHistogram
}

func (p *plugin) OnPluginStart(int) types.OnPluginStartStatus {
	b, err := proxywasm.GetPluginConfiguration()
	if err != nil && err != types.ErrorStatusNotFound {
		proxywasm.LogCriticalf("read configuration: %v", err)
		return types.OnPluginStartStatusFailed
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &p.cfg); err != nil {
			proxywasm.LogCriticalf("bad configuration: %v", err)
			return types.OnPluginStartStatusFailed
		}
	}
	if p.cfg.FailStart {
		proxywasm.LogCritical("refusing to start: fail_start is set")
		return types.OnPluginStartStatusFailed
	}
	if p.cfg.Getenv != "" {
		proxywasm.LogInfof("env %s=%q", p.cfg.Getenv, os.Getenv(p.cfg.Getenv))
	}
	if k := p.cfg.SharedKey; k != "" {
		old, cas, err := proxywasm.GetSharedData(k)
		proxywasm.LogInfof("shared %s = %q err=%v", k, old, err)
		if err == nil {
			proxywasm.LogInfof("stale cas: %v", proxywasm.SetSharedData(k, []byte("stale"), cas+1))
		}
		proxywasm.LogInfof("set: %v", proxywasm.SetSharedData(k, append(old, '+'), cas))
	}
	if p.cfg.MetricProbe {
		probeMetrics()
	}
	p.requests = proxywasm.DefineCounterMetric("behave_requests")
	p.bytes = proxywasm.DefineHistogramMetric("behave_body_bytes")
	return types.OnPluginStartStatusOK
}

func (p *plugin) NewHttpContext(id uint32) types.HttpContext { return &stream{p: p, id: id} }

func (p *plugin) OnHttpCallResponse(int, int, int) {}

type stream struct {
	types.DefaultHttpContext
	p       *plugin
	id      uint32
	replied bool
}

func (s *stream) reply(where string) bool {
	if s.p.cfg.LocalReply != where {
		return false
	}
	if err := proxywasm.SendHttpResponse(403, [][2]string{{"x-reply-from", where}}, []byte("denied by behave"), -1); err != nil {
		proxywasm.LogErrorf("send local reply: %v", err)
	}
	s.replied = true
	return true
}

func (s *stream) OnHttpRequestHeaders(n int, eos bool) types.Action {
	proxywasm.LogInfof("on_request_headers n=%d eos=%t", n, eos)
	s.p.requests.Increment(1)
	if s.p.cfg.IncrementZero {
		s.p.requests.Increment(0)
	}
	for _, path := range s.p.cfg.Properties {
		v, err := proxywasm.GetProperty(path)
		proxywasm.LogInfof("property %s = %x err=%v", strings.Join(path, "."), v, err)
	}
	if s.p.cfg.Tag != "" {
		_ = proxywasm.AddHttpRequestHeader("x-behave", s.p.cfg.Tag)
	}
	if s.p.cfg.rewrites() {
		_ = proxywasm.RemoveHttpRequestHeader("content-length")
	}
	if s.reply("request_headers") {
		return types.ActionPause
	}
	if s.p.cfg.HoldHeaders {
		return types.ActionPause
	}
	if s.p.cfg.PauseHeaders {
		if s.p.cfg.ResumeViaCall {
			id := s.id
			_, err := proxywasm.DispatchHttpCall("auth", [][2]string{{":method", "GET"}, {":path", "/check"}, {":authority", "auth"}}, nil, nil, 1000,
				func(int, int, int) {
					_ = proxywasm.SetEffectiveContext(id)
					proxywasm.LogInfo("http_call answered, resuming")
					_ = proxywasm.ResumeHttpRequest()
				})
			if err != nil {
				proxywasm.LogErrorf("dispatch: %v", err)
			}
		}
		return types.ActionPause
	}
	return types.ActionContinue
}

// rewrites reports whether bodies may change size, so content-length must go.
func (c *config) rewrites() bool { return (c.Suffix != "" || c.Copy) && !c.KeepContentLength }

func (s *stream) body(dir string, size int, eos bool, get func(int, int) ([]byte, error), replace, appendBody func([]byte) error) types.Action {
	proxywasm.LogInfof("on_%s_body size=%d eos=%t", dir, size, eos)
	if s.reply(dir + "_body") {
		return types.ActionPause
	}
	if dir == "request" && s.p.cfg.LateWrite && eos {
		if err := proxywasm.AddHttpRequestHeader("x-late", "1"); err != nil {
			proxywasm.LogErrorf("late header write: %v", err)
		}
	}
	if s.replied {
		return types.ActionContinue
	}
	if eos && dir == "request" {
		for _, c := range s.p.cfg.SetBuffer {
			d := append([]byte(c.Data), 0) // never a nil pointer
			st := setBufferBytes(0, c.Start, c.Length, &d[0], uint32(len(c.Data)))
			proxywasm.LogInfof("set_buffer_bytes(%d, %d, %q) = %d", c.Start, c.Length, c.Data, st)
		}
	}
	if s.p.cfg.HoldHeaders && !eos {
		return types.ActionPause
	}
	if eos && s.p.cfg.Suffix != "" {
		if err := appendBody([]byte(s.p.cfg.Suffix)); err != nil {
			proxywasm.LogErrorf("append %s body: %v", dir, err)
		}
	}
	if eos && s.p.cfg.HoldHeaders {
		n := strconv.Itoa(size + len(s.p.cfg.Suffix))
		set := proxywasm.ReplaceHttpRequestHeader
		if dir == "response" {
			set = proxywasm.ReplaceHttpResponseHeader
		}
		if err := set("content-length", n); err != nil {
			proxywasm.LogErrorf("set content-length: %v", err)
		}
	}
	if !s.p.cfg.Upper && !s.p.cfg.Copy {
		return types.ActionContinue
	}
	if !eos {
		return types.ActionPause
	}
	b, err := get(0, size)
	if err != nil && err != types.ErrorStatusNotFound {
		proxywasm.LogErrorf("read %s body: %v", dir, err)
		return types.ActionContinue
	}
	s.p.bytes.Record(uint64(len(b)))
	if s.p.cfg.Copy {
		if err := replace(append([]byte(nil), b...)); err != nil {
			proxywasm.LogErrorf("replace %s body: %v", dir, err)
		}
		return types.ActionContinue
	}
	if up := bytes.ToUpper(b); !bytes.Equal(up, b) {
		if err := replace(up); err != nil {
			proxywasm.LogErrorf("replace %s body: %v", dir, err)
		}
	}
	return types.ActionContinue
}

func (s *stream) OnHttpRequestBody(size int, eos bool) types.Action {
	return s.body("request", size, eos, proxywasm.GetHttpRequestBody, proxywasm.ReplaceHttpRequestBody, proxywasm.AppendHttpRequestBody)
}

func (s *stream) OnHttpRequestTrailers(n int) types.Action {
	proxywasm.LogInfof("on_request_trailers n=%d", n)
	return types.ActionContinue
}

func (s *stream) OnHttpResponseHeaders(n int, eos bool) types.Action {
	st, _ := proxywasm.GetHttpResponseHeader(":status")
	proxywasm.LogInfof("on_response_headers n=%d eos=%t status=%s", n, eos, st)
	if s.p.cfg.Tag != "" {
		_ = proxywasm.AddHttpResponseHeader("x-behave", s.p.cfg.Tag)
	}
	if s.p.cfg.rewrites() && !s.replied {
		_ = proxywasm.RemoveHttpResponseHeader("content-length")
	}
	if s.reply("response_headers") || s.p.cfg.HoldHeaders {
		return types.ActionPause
	}
	return types.ActionContinue
}

func (s *stream) OnHttpResponseBody(size int, eos bool) types.Action {
	return s.body("response", size, eos, proxywasm.GetHttpResponseBody, proxywasm.ReplaceHttpResponseBody, proxywasm.AppendHttpResponseBody)
}

func (s *stream) OnHttpStreamDone() {
	proxywasm.LogInfo(fmt.Sprintf("on_log context=%d", s.id))
}
