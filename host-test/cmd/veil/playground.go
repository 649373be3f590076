package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	hosttest "github.com/veilproxy/veil/host-test"
)

const playgroundSynopsis = `playground [--listen 127.0.0.1:8088] [--plugin FILE] [--envoy RELEASE] [--allow-remote]

Serves one page for trying rule sets: a rule-set editor, a request and a
response (body, method, path, headers, identity properties as run
--property takes them), and what the filter forwards, re-run through the
plugin module on every edit, with the changed values highlighted, the rule,
detector and evidence behind each change, lint diagnostics at their line,
the local reply when the rule set rejects, and the metric deltas. The page
loads no external resource; a shared link keeps its content in the URL
fragment, which the browser never sends. Nothing typed is logged or stored.
Listens on loopback only unless --allow-remote.`

// Playground input limits: a larger field is refused with a message.
const (
	maxPlaygroundRules = 256 << 10 // rule set source
	maxPlaygroundBody  = 1 << 20   // each body
	maxPlaygroundAttrs = 64 << 10  // each of method, path, headers, properties
	// maxPlaygroundRequest bounds the JSON of one /api/run request: the
	// fields above, JSON-escaped (a control character takes six bytes).
	maxPlaygroundRequest = 6*(maxPlaygroundRules+2*maxPlaygroundBody) + 8*maxPlaygroundAttrs
)

// playgroundAssets are the page's files: index.html, app.js, style.css.
//
//go:embed playground
var playgroundAssets embed.FS

// playgroundCSP allows the page its own files and its own API only: no
// inline script or style, no frames, no forms posting elsewhere.
const playgroundCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// playgroundConfig is a parsed playground command line.
type playgroundConfig struct {
	listen      string
	plugin      string
	profile     hosttest.Profile
	allowRemote bool
}

func parsePlayground(args []string, stdout, stderr io.Writer) (*playgroundConfig, error) {
	fs := newFlags("playground", playgroundSynopsis, stderr)
	c := &playgroundConfig{}
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8088", "listen `address` (host:port; port 0 picks a free one)")
	fs.StringVar(&c.plugin, "plugin", "", pluginFlagUsage)
	envoy := fs.String("envoy", "1.33", envoyFlagUsage)
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a --listen address other machines can reach (anyone who reaches it can use the page)")
	if err := parse(fs, args, stdout); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fail(2, "unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.profile, err = hosttest.ParseProfile(*envoy); err != nil {
		return nil, fail(2, "%v", err)
	}
	if !c.allowRemote && !loopbackAddr(c.listen) {
		return nil, fail(2, "--listen %q is not a loopback address: the page runs whatever it is sent; give --allow-remote to serve other machines", c.listen)
	}
	return c, nil
}

// loopbackAddr reports whether a listen address binds to loopback only:
// localhost, 127.0.0.0/8 or ::1 (an empty host binds every interface).
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return loopbackHost(host)
}

// loopbackHost reports whether a host name or address is loopback.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func playgroundCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	c, err := parsePlayground(args, stdout, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runPlayground(ctx, c, stderr, func(addr string) {
		fmt.Fprintf(stdout, "veil playground: http://%s/ (Ctrl-C stops)\n", addr)
	})
}

// runPlayground serves the page until ctx ends. ready, when set, receives
// the address it listens on. logw gets the startup warnings and server
// errors only: never a request, a body or a rule set.
func runPlayground(ctx context.Context, c *playgroundConfig, logw io.Writer, ready func(addr string)) error {
	wasm, name, err := pluginModule(c.plugin)
	if err != nil {
		return err
	}
	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: c.profile, CacheDir: cacheDir()})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer mod.Close(context.Background())
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	if !loopbackAddr(ln.Addr().String()) {
		fmt.Fprintf(logw, "veil playground: warning: listening on %s, which other machines can reach: anyone who reaches it can run rule sets and bodies through this process\n", ln.Addr())
	}
	logger := log.New(logw, "veil playground: ", log.LstdFlags|log.LUTC)
	srv := &http.Server{
		Handler:           newPlaygroundHandler(newPlaygroundRunner(mod), c.allowRemote),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newPlaygroundHandler routes the page, its assets and its API, behind
// the checks every response gets (securityHeaders).
func newPlaygroundHandler(r *playgroundRunner, allowRemote bool) http.Handler {
	assets, _ := fs.Sub(playgroundAssets, "playground") // the directory is embedded
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.FileServerFS(assets))
	for _, f := range []string{"/app.js", "/style.css"} {
		mux.Handle("GET "+f, http.FileServerFS(assets))
	}
	mux.HandleFunc("GET /api/examples", r.serveExamples)
	mux.HandleFunc("POST /api/run", r.serveRun)
	return securityHeaders(mux, allowRemote)
}

// securityHeaders sets the Content-Security-Policy and its companions on
// every response, and refuses requests that name another site: a Host
// that is not loopback (DNS rebinding) unless remote use is allowed, and
// an Origin other than the page's own.
func securityHeaders(next http.Handler, allowRemote bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", playgroundCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		host := req.Host
		if hn, _, err := net.SplitHostPort(host); err == nil {
			host = hn
		}
		if !allowRemote && !loopbackHost(host) {
			http.Error(w, "veil playground answers loopback host names only (localhost, 127.0.0.1, [::1])", http.StatusMisdirectedRequest)
			return
		}
		if o := req.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || u.Host != req.Host {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, req)
	})
}
