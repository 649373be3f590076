package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	hosttest "github.com/veilproxy/veil/host-test"
)

const serveSynopsis = `serve [--plugin FILE] --rules FILE [--listen 127.0.0.1:10000] [--admin 127.0.0.1:9901] (--upstream URL | --demo)
            [--envoy RELEASE] [--workers N] [--env NAME=VALUE]... [--allow-on-headers-stop-iteration]
            [--examples DIR]

An HTTP reverse proxy that runs every exchange through the plugin in
host-test's Envoy emulation, the rule file as plugin configuration: request
headers and body chunks as they arrive from the client, the upstream's
response headers and body chunks as they arrive from it, each forwarded as
soon as it leaves the filter (a record stream such as text/event-stream
flows record by record). One VM per worker, as Envoy runs one per worker
thread; a client connection stays on one worker. One access-log line per
request on stderr (method, path without query, status, duration, the
plugin's audit line: counts and JSON paths, never values). The admin
address serves /stats and /stats/prometheus (the module's metrics, summed
over workers). --demo starts a built-in upstream: /echo/... answers with
the request body it got, /examples/NAME with examples/NAME's response.
SIGINT or SIGTERM stops accepting and lets exchanges under way finish.`

// serveConfig is a parsed serve command line.
type serveConfig struct {
	plugin, rulesFile string
	listen, admin     string
	upstream          string
	demo              bool
	examples          string
	profile           hosttest.Profile
	workers           int
	env               []string
	filter            filterFlags // Wasm filter settings shared with run
}

func parseServe(args []string, stdout, stderr io.Writer) (*serveConfig, error) {
	fs := newFlags("serve", serveSynopsis, stderr)
	c := &serveConfig{}
	fs.StringVar(&c.plugin, "plugin", "", pluginFlagUsage)
	fs.StringVar(&c.rulesFile, "rules", "", "rule set `file` (YAML or JSON), passed as plugin configuration")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:10000", "proxy listen `address`")
	fs.StringVar(&c.admin, "admin", "127.0.0.1:9901", "admin listen `address` (/stats, /stats/prometheus); empty: none")
	fs.StringVar(&c.upstream, "upstream", "", "upstream base `URL` (http://host:port)")
	fs.BoolVar(&c.demo, "demo", false, "use the built-in demo upstream instead of --upstream")
	fs.StringVar(&c.examples, "examples", "examples", "`directory` of the examples the demo upstream serves")
	envoy := fs.String("envoy", "1.33", envoyFlagUsage)
	fs.IntVar(&c.workers, "workers", defaultWorkers(), "worker VMs (Envoy's --concurrency)")
	var env multi
	fs.Var(&env, "env", "VM environment variable `NAME=VALUE` (repeatable), as vm_config.environment_variables")
	c.filter.define(fs)
	if err := parse(fs, args, stdout); err != nil {
		return nil, err
	}
	var err error
	switch {
	case fs.NArg() != 0:
		return nil, fail(2, "unexpected argument %q", fs.Arg(0))
	case c.rulesFile == "":
		return nil, fail(2, "--rules is required")
	case c.demo == (c.upstream != ""):
		return nil, fail(2, "give exactly one of --upstream and --demo")
	case c.workers < 1:
		return nil, fail(2, "--workers: want at least 1")
	}
	if c.upstream != "" {
		u, err := url.Parse(c.upstream)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fail(2, "--upstream %q: want http://host:port", c.upstream)
		}
	}
	if c.profile, err = hosttest.ParseProfile(*envoy); err != nil {
		return nil, fail(2, "%v", err)
	}
	for _, e := range env {
		if name, _, ok := strings.Cut(e, "="); !ok || !validEnvName(name) {
			return nil, fail(2, "--env: want NAME=VALUE (the value is not shown: it may be key material)")
		}
		c.env = append(c.env, e)
	}
	return c, nil
}

func serveCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	c, err := parseServe(args, stdout, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, c, stderr, nil)
}

// serve runs the proxy (and the demo upstream, and the admin server) until
// ctx ends, then shuts down gracefully. ready, when set, receives the
// proxy's and the admin's addresses once they listen.
func serve(ctx context.Context, c *serveConfig, logw io.Writer, ready func(proxy, admin string)) error {
	p, err := newProxy(ctx, c, logw)
	if err != nil {
		return err
	}
	defer p.close(context.Background())
	logger := log.New(logw, "", log.LstdFlags|log.LUTC)
	p.log = logger

	var servers []*http.Server
	listen := func(addr string, h http.Handler) (string, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: logger}
		if h == p {
			srv.ConnContext = p.assignWorker
		}
		servers = append(servers, srv)
		go srv.Serve(ln)
		return ln.Addr().String(), nil
	}
	defer func() {
		// Graceful: stop accepting, let exchanges under way finish (at most
		// shutdownGrace), then close what is left.
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		for _, s := range servers {
			if s.Shutdown(sctx) != nil {
				s.Close()
			}
		}
	}()
	if c.demo {
		if _, err := os.Stat(c.examples); err != nil {
			logger.Printf("veil serve: --demo: %v: only /echo/ answers (run from the repository root, or give --examples)", err)
		}
		addr, err := listen("127.0.0.1:0", demoUpstream(c.examples))
		if err != nil {
			return err
		}
		p.upstream = &url.URL{Scheme: "http", Host: addr}
	}
	proxyAddr, err := listen(c.listen, p)
	if err != nil {
		return err
	}
	adminAddr := ""
	if c.admin != "" {
		if adminAddr, err = listen(c.admin, adminHandler(p.mod)); err != nil {
			return err
		}
	}
	logger.Printf("veil serve: proxy on http://%s → %s, %d workers, admin on %s", proxyAddr, p.upstream, len(p.workers), or(adminAddr, "(none)"))
	if ready != nil {
		ready(proxyAddr, adminAddr)
	}
	<-ctx.Done()
	logger.Printf("veil serve: shutting down")
	return nil
}

// defaultWorkers is GOMAXPROCS, as Envoy's --concurrency defaults to the
// number of hardware threads.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// shutdownGrace bounds how long shutdown waits for exchanges under way.
const shutdownGrace = 10 * time.Second

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// proxy is the reverse proxy: the module, its worker VMs and the upstream.
type proxy struct {
	mod       *hosttest.Module
	workers   []*worker
	next      atomic.Uint32
	upstream  *url.URL
	transport *http.Transport
	log       *log.Logger
}

// worker is one VM and the lock that serializes every call into it. The
// streams of its connections interleave between calls, as on an Envoy
// worker's event loop.
type worker struct {
	mu sync.Mutex
	vm *hosttest.VM
}

// newProxy starts the worker VMs; notes about the configuration go to
// stderr.
func newProxy(ctx context.Context, c *serveConfig, stderr io.Writer) (*proxy, error) {
	rules, err := os.ReadFile(c.rulesFile)
	if err != nil {
		return nil, err
	}
	wasm, name, err := pluginModule(c.plugin)
	if err != nil {
		return nil, err
	}
	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: c.profile, CacheDir: cacheDir()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &proxy{mod: mod, transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // bodies go through as the upstream encoded them
	}}
	if c.upstream != "" {
		p.upstream, _ = url.Parse(c.upstream)
	}
	cfg := hosttest.Config{PluginConfig: rules, Env: c.env}
	c.filter.apply(&cfg)
	warnHeldHeaders(stderr, "serve", cfg)
	for range c.workers {
		vm, err := mod.Start(ctx, cfg)
		if err != nil {
			p.close(ctx)
			return nil, err
		}
		p.workers = append(p.workers, &worker{vm: vm})
	}
	return p, nil
}

func (p *proxy) close(ctx context.Context) {
	p.transport.CloseIdleConnections()
	for _, w := range p.workers {
		w.vm.Close(ctx)
	}
	p.mod.Close(ctx)
}

type workerKey struct{}

// assignWorker gives each client connection a worker, round robin, as
// Envoy's listener hands a connection to one worker for its lifetime.
func (p *proxy) assignWorker(ctx context.Context, _ net.Conn) context.Context {
	w := p.workers[int(p.next.Add(1)-1)%len(p.workers)]
	return context.WithValue(ctx, workerKey{}, w)
}

// liveStream is one exchange on a worker: every step takes the worker's lock.
type liveStream struct {
	w *worker
	l *hosttest.Live
}

func (s *liveStream) headers(d hosttest.Direction, h hosttest.Headers, eos bool) (hosttest.Out, bool) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.l.Headers(d, h, eos)
}

func (s *liveStream) data(d hosttest.Direction, b []byte, eos bool) (hosttest.Out, bool) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.l.Data(d, b, eos)
}

func (s *liveStream) result() *hosttest.Result {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.l.Result()
}

func (s *liveStream) close() *hosttest.Result {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.l.Close()
}

// chunkSize is the most a body read hands the filter as one DATA frame,
// Envoy's default read size.
const chunkSize = 16 << 10

// ServeHTTP runs one exchange: request headers and body chunks through the
// filter to the upstream as they leave it, then the upstream's response
// headers and body chunks through the filter to the client, flushed as
// they leave it.
func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	wk, _ := r.Context().Value(workerKey{}).(*worker)
	if wk == nil {
		wk = p.workers[0]
	}
	wk.mu.Lock()
	st := &liveStream{w: wk, l: wk.vm.Open()}
	wk.mu.Unlock()
	x := &exchange{p: p, st: st, w: w, r: r}
	status := x.run()
	res := st.close()
	reset := or(x.reset, res.Reset)
	if reset != "" {
		status = 0
	}
	p.accessLog(r, x.forwardedPath, status, time.Since(start), res, x.reset)
	if reset != "" && x.wroteHeaders {
		panic(http.ErrAbortHandler) // the client sees the stream reset, as from Envoy
	}
}

// exchange is the state of one request through the proxy.
type exchange struct {
	p             *proxy
	st            *liveStream
	w             http.ResponseWriter
	r             *http.Request
	wroteHeaders  bool
	forwardedPath string
	// reset names why the proxy reset the stream (a read error mid-body).
	reset string
}

// run drives the exchange and returns the status the client got (0: none).
func (x *exchange) run() int {
	r := x.r
	x.forwardedPath = r.URL.Path
	noBody := r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0
	out, ok := x.st.headers(hosttest.Request, requestHeaders(r), noBody)
	if !ok {
		return x.replyFromResult()
	}
	up := &upstreamCall{x: x}
	if out.Headers != nil {
		up.start(out.Headers, noBody)
	}
	if !noBody {
		if !x.pump(hosttest.Request, r.Body, func(o hosttest.Out) {
			if o.Headers != nil {
				up.start(o.Headers, false)
			}
			up.write(o.Body)
		}) {
			up.abort()
			if x.reset != "" {
				return 0
			}
			return x.replyFromResult()
		}
		up.finish()
	}
	resp, err := up.wait()
	if err != nil {
		// Envoy's router answers a failed upstream with 503, through the
		// filter chain like any response.
		x.p.log.Printf("veil serve: upstream: %v", err)
		msg := []byte("upstream connect error or disconnect/reset before headers")
		resp = &http.Response{StatusCode: http.StatusServiceUnavailable, ContentLength: int64(len(msg)),
			Header: http.Header{"Content-Type": {"text/plain"}, "Content-Length": {strconv.Itoa(len(msg))}},
			Body:   io.NopCloser(strings.NewReader(string(msg)))}
	}
	defer resp.Body.Close()
	noBody = resp.ContentLength == 0 || r.Method == http.MethodHead || resp.Body == http.NoBody
	out, ok = x.st.headers(hosttest.Response, responseHeaders(resp), noBody)
	if !ok {
		return x.replyFromResult()
	}
	status := 0
	emit := func(o hosttest.Out) {
		if o.Headers != nil {
			status = x.writeHeaders(o.Headers)
		}
		if len(o.Body) > 0 {
			x.w.Write(o.Body)
		}
		if f, ok := x.w.(http.Flusher); ok && x.wroteHeaders {
			f.Flush()
		}
	}
	emit(out)
	if !noBody && !x.pump(hosttest.Response, resp.Body, emit) {
		if x.wroteHeaders || x.reset != "" {
			return status
		}
		return x.replyFromResult()
	}
	return status
}

// pump reads body from the network and hands each chunk to the filter as
// it arrives, emitting what leaves; false when the stream ended on the way.
// A read error (client or upstream gone mid-body) never reaches the filter
// as an end of stream, which would pass a truncated body for a whole one:
// the stream is reset instead (x.reset), as Envoy resets it.
func (x *exchange) pump(d hosttest.Direction, body io.Reader, emit func(hosttest.Out)) bool {
	buf := make([]byte, chunkSize)
	for {
		n, err := body.Read(buf)
		if err != nil && err != io.EOF {
			x.reset = map[hosttest.Direction]string{hosttest.Request: "downstream_remote_disconnect",
				hosttest.Response: "upstream_reset_after_response_started"}[d]
			return false
		}
		eos := err == io.EOF
		if n == 0 && !eos {
			continue
		}
		out, ok := x.st.data(d, buf[:n], eos)
		emit(out)
		if !ok || eos {
			return ok
		}
	}
}

// replyFromResult writes the response the stream ended with (a local reply
// encoded through the filter) and returns its status; 0 for a reset.
func (x *exchange) replyFromResult() int {
	res := x.st.result()
	if x.wroteHeaders || !res.Response.Sent {
		return 0
	}
	status := x.writeHeaders(res.Response.Headers)
	x.w.Write(res.Response.Body)
	return status
}

// writeHeaders sends the response headers as they left the filter.
func (x *exchange) writeHeaders(h hosttest.Headers) int {
	status := http.StatusBadGateway
	dst := x.w.Header()
	for _, kv := range h {
		switch {
		case kv[0] == ":status":
			if n, err := strconv.Atoi(kv[1]); err == nil {
				status = n
			}
		case strings.HasPrefix(kv[0], ":"), hopByHop[kv[0]]:
		default:
			dst.Add(kv[0], kv[1])
		}
	}
	x.w.WriteHeader(status)
	x.wroteHeaders = true
	return status
}

// hopByHop are the connection-specific headers a proxy does not forward
// (RFC 9110 §7.6.1).
var hopByHop = map[string]bool{
	"connection": true, "proxy-connection": true, "keep-alive": true, "transfer-encoding": true,
	"te": true, "trailer": true, "upgrade": true, "proxy-authenticate": true, "proxy-authorization": true,
}

// requestHeaders are the request's headers as Envoy hands them to a
// filter: pseudo-headers first, names lower case.
func requestHeaders(r *http.Request) hosttest.Headers {
	h := hosttest.Headers{{":method", r.Method}, {":path", r.URL.RequestURI()}, {":authority", r.Host}, {":scheme", "http"}}
	if r.TLS != nil {
		h[3][1] = "https"
	}
	h = appendHeaders(h, r.Header)
	if _, ok := h.Get("x-request-id"); !ok {
		h = append(h, [2]string{"x-request-id", newRequestID()})
	}
	if r.ContentLength > 0 {
		if _, ok := h.Get("content-length"); !ok {
			h = append(h, [2]string{"content-length", strconv.FormatInt(r.ContentLength, 10)})
		}
	}
	return h
}

// newRequestID is a random UUID (version 4), the x-request-id Envoy's
// connection manager adds to a request that has none.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func responseHeaders(resp *http.Response) hosttest.Headers {
	h := appendHeaders(hosttest.Headers{{":status", strconv.Itoa(resp.StatusCode)}}, resp.Header)
	if resp.ContentLength >= 0 {
		if _, ok := h.Get("content-length"); !ok {
			h = append(h, [2]string{"content-length", strconv.FormatInt(resp.ContentLength, 10)})
		}
	}
	return h
}

func appendHeaders(h hosttest.Headers, src http.Header) hosttest.Headers {
	for name, values := range src {
		name = strings.ToLower(name)
		if hopByHop[name] {
			continue
		}
		for _, v := range values {
			h = append(h, [2]string{name, v})
		}
	}
	return h
}

// upstreamCall is the request to the upstream, started once the request
// headers left the filter, its body streamed through a pipe as chunks
// leave the filter.
type upstreamCall struct {
	x       *exchange
	started bool
	pw      *io.PipeWriter
	done    chan struct{}
	resp    *http.Response
	err     error
}

func (u *upstreamCall) start(h hosttest.Headers, noBody bool) {
	if u.started {
		return
	}
	u.started = true
	x := u.x
	method, path, authority := first(h, ":method"), first(h, ":path"), first(h, ":authority")
	x.forwardedPath = path
	target := *x.p.upstream
	ref, err := url.Parse(path)
	if err == nil {
		target.Path = strings.TrimSuffix(target.Path, "/") + ref.Path
		target.RawQuery = ref.RawQuery
	}
	var body io.Reader
	if !noBody {
		var pr *io.PipeReader
		pr, u.pw = io.Pipe()
		body = pr
	}
	req, rerr := http.NewRequestWithContext(x.r.Context(), method, target.String(), body)
	u.done = make(chan struct{})
	if rerr != nil {
		u.err = rerr
		close(u.done)
		return
	}
	req.Host = authority
	for _, kv := range h {
		if !strings.HasPrefix(kv[0], ":") && !hopByHop[kv[0]] && kv[0] != "host" {
			req.Header.Add(kv[0], kv[1])
		}
	}
	req.ContentLength = -1
	if noBody {
		req.ContentLength = 0
	} else if v, ok := h.Get("content-length"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			req.ContentLength = n
		}
	}
	req.Header.Del("content-length")
	go func() {
		defer close(u.done)
		u.resp, u.err = x.p.transport.RoundTrip(req)
		if u.err != nil && u.pw != nil {
			u.pw.CloseWithError(u.err) // unblock the request body's writer
		}
	}()
}

// write forwards body bytes that left the filter.
func (u *upstreamCall) write(b []byte) {
	if len(b) > 0 && u.pw != nil {
		u.pw.Write(b) // an error means the upstream call failed: wait reports it
	}
}

// finish ends the request body.
func (u *upstreamCall) finish() {
	if u.pw != nil {
		u.pw.Close()
	}
}

// abort ends the request body with an error, so the upstream sees a reset.
func (u *upstreamCall) abort() {
	if u.pw != nil {
		u.pw.CloseWithError(errors.New("veil serve: request ended in the filter"))
	}
	if u.started {
		<-u.done
		if u.resp != nil {
			u.resp.Body.Close()
		}
	}
}

// wait returns the upstream's response.
func (u *upstreamCall) wait() (*http.Response, error) {
	if !u.started {
		return nil, errors.New("request headers never left the filter")
	}
	<-u.done
	return u.resp, u.err
}

func first(h hosttest.Headers, name string) string {
	v, _ := h.Get(name)
	return v
}

// accessLog writes one line per request: method, the path as forwarded
// without its query (a query string can carry personal data; the filter's
// query rules may have rewritten it), status (0: reset), duration, and the
// plugin's audit line, which holds counts and JSON paths, never values.
func (p *proxy) accessLog(r *http.Request, path string, status int, d time.Duration, res *hosttest.Result, reset string) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i] + "?…"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d %s", r.Method, path, status, d.Round(time.Microsecond))
	if lr := res.LocalReply; lr != nil {
		fmt.Fprintf(&b, " local_reply=%s", or(lr.Details, strings.TrimPrefix(lr.From, "proxy_")))
	}
	if reset = or(reset, res.Reset); reset != "" {
		fmt.Fprintf(&b, " reset=%s", reset)
	}
	if res.VMError != nil {
		b.WriteString(" vm_failed")
	}
	for _, e := range res.Logs {
		if a, ok := strings.CutPrefix(e.Message, auditPrefix); ok {
			b.WriteString(" audit=" + a)
		}
	}
	for _, e := range res.Errors {
		fmt.Fprintf(&b, " exchange_error=%q", e)
	}
	p.log.Print(b.String())
}
