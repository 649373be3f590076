package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

const runSynopsis = `run [--plugin FILE] --rules FILE [--request-body FILE] [--response-body FILE]
            [--method M] [--path P] [-H 'name: value']... [--response-header 'name: value']... [--status N]
            [--property name=value]... [--env NAME=VALUE]... [--chunk N] [--frames] [--envoy RELEASE] [--json]
            [--decode] [--allow-on-headers-stop-iteration] [--flags FILE] [--diff] [-q]

Runs one HTTP exchange through the plugin in host-test's Envoy emulation, the
rule file as plugin configuration. Prints the request body as the upstream
receives it, then the response body as the client receives it (each only
where given). A local reply prints its status and body and exits 3. A
record stream (--response-header 'content-type: text/event-stream', or
application/x-ndjson) split with --chunk is rewritten as it arrives:
--frames shows what left the filter after each body callback. A
compressed body is given as is with its header, e.g.
--response-header 'content-encoding: gzip' --response-body x.json.gz;
--decode prints the forwarded bodies decompressed.

Standard output holds only the bodies (pipes and scripts read them as
before). What the rule set changed is reported on standard error after
them, from the plugin's audit line: per rule and direction the action,
the count and the JSON paths (never a value), with the detector and its
evidence for what a detector found; members a remove rule or a minimize
list took out marked REMOVED; a shadow rule's findings marked "would
have"; a local reply named. -q leaves the report out; --json carries it
as data instead ("audit", and per body "findings" and "minimized").
--diff prints, instead of the bodies, a diff of each body as given and as
forwarded (JSON pretty-printed, so that each changed value is one line);
it is coloured when standard output is a terminal and NO_COLOR is unset.`

func runCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("run", runSynopsis, stderr)
	plugin := fs.String("plugin", "", pluginFlagUsage)
	rulesFile := fs.String("rules", "", "rule set `file` (YAML or JSON), passed as plugin configuration")
	reqBody := fs.String("request-body", "", "request body `file` (\"-\" for stdin); none: a request without body")
	respBody := fs.String("response-body", "", "response body `file` (\"-\" for stdin); none: a response without body")
	method := fs.String("method", "", "request method (default POST with a request body, else GET)")
	path := fs.String("path", "/", "request path")
	status := fs.Int("status", 200, "upstream response status")
	chunk := fs.Int("chunk", 0, "split bodies into DATA frames of `N` bytes (0: one frame)")
	envoy := fs.String("envoy", "1.33", envoyFlagUsage)
	asJSON := fs.Bool("json", false, "print one JSON object {request, response, local_reply, logs, metrics}")
	decode := fs.Bool("decode", false, "print forwarded bodies decompressed per their content-encoding (gzip, x-gzip, deflate)")
	frames := fs.Bool("frames", false, "print what left the filter after each body callback (with --json: a frames list per message)")
	diff := fs.Bool("diff", false, "print a diff of each body as given and as forwarded instead of the bodies")
	var quiet bool
	fs.BoolVar(&quiet, "quiet", false, "do not report what changed on stderr")
	fs.BoolVar(&quiet, "q", false, "short for --quiet")
	var filter filterFlags
	filter.define(fs)
	var reqHeaders, respHeaders, props, env multi
	fs.Var(&reqHeaders, "H", "request header 'name: value' (repeatable)")
	fs.Var(&respHeaders, "response-header", "response header 'name: value' (repeatable)")
	fs.Var(&props, "property", "property `name=value` (repeatable); name splits on '.', or on '/' when it has one;\n"+
		"value is JSON when it parses as JSON, else a string (e.g. connection.mtls=true,\n"+
		"metadata/filter_metadata/envoy.filters.http.jwt_authn/payload='{\"sub\":\"alice\"}')")
	fs.Var(&env, "env", "VM environment variable `NAME=VALUE` (repeatable)")
	flagsFile := fs.String("flags", "", "read more flags from `file`, one argument a line (--name=value), # comments;\n"+
		"how an example names the identity and request it runs with (examples/*/flags)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fail(2, "unexpected argument %q", fs.Arg(0))
	}
	if *flagsFile != "" {
		more, err := readFlagsFile(*flagsFile)
		if err != nil {
			return err
		}
		if err := parse(fs, more, stdout); err != nil {
			return err
		}
		if fs.NArg() != 0 {
			return fail(2, "%s: unexpected argument %q", *flagsFile, fs.Arg(0))
		}
	}
	if *rulesFile == "" {
		return fail(2, "--rules is required")
	}
	if *diff && (*asJSON || *frames) {
		return fail(2, "--diff does not combine with --json or --frames")
	}
	profile, err := hosttest.ParseProfile(*envoy)
	if err != nil {
		return fail(2, "%v", err)
	}
	ex := hosttest.Exchange{Method: *method, Path: *path, Status: *status, ChunkSize: *chunk}
	for _, h := range reqHeaders {
		kv, err := header(h)
		if err != nil {
			return fail(2, "-H: %v", err)
		}
		ex.RequestHeaders = append(ex.RequestHeaders, kv)
	}
	for _, h := range respHeaders {
		kv, err := header(h)
		if err != nil {
			return fail(2, "--response-header: %v", err)
		}
		ex.ResponseHeaders = append(ex.ResponseHeaders, kv)
	}
	cfg := hosttest.Config{}
	for _, p := range props {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return fail(2, "--property %q: want name=value", p)
		}
		cfg.Properties = append(cfg.Properties, hosttest.Property{Path: hosttest.ParseProperty(name), Value: propertyValue(value)})
	}
	for _, e := range env {
		if name, _, ok := strings.Cut(e, "="); !ok || !validEnvName(name) {
			return fail(2, "--env: want NAME=VALUE (the value is not shown: it may be key material)")
		}
		cfg.Env = append(cfg.Env, e)
	}
	if cfg.PluginConfig, err = os.ReadFile(*rulesFile); err != nil {
		return err
	}
	filter.apply(&cfg)
	warnHeldHeaders(stderr, "run", cfg)
	if *reqBody != "" {
		if ex.RequestBody, err = readBody(*reqBody, stdin); err != nil {
			return err
		}
		addContentType(&ex.RequestHeaders, ex.RequestBody)
	}
	if *respBody != "" {
		if ex.ResponseBody, err = readBody(*respBody, stdin); err != nil {
			return err
		}
		addContentType(&ex.ResponseHeaders, ex.ResponseBody)
	}
	wasm, name, err := pluginModule(*plugin)
	if err != nil {
		return err
	}
	mod, err := hosttest.Load(ctx, wasm, hosttest.Options{Profile: profile, CacheDir: cacheDir()})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer mod.Close(ctx)
	vm, err := mod.Start(ctx, cfg)
	if err != nil {
		return err
	}
	res := vm.Do(ex)
	given := [2]hosttest.Message{{Headers: ex.RequestHeaders, Body: ex.RequestBody}, {Headers: ex.ResponseHeaders, Body: ex.ResponseBody}}
	if *decode {
		for _, m := range []*hosttest.Message{&res.Request, &res.Response} {
			if err := decodeBody(m); err != nil {
				return fail(1, "--decode: %v", err)
			}
		}
		for i := range given {
			_ = decodeBody(&given[i]) // a body that does not decode is compared as given
		}
	}
	a, _ := auditFromLogs(res.Logs)
	switch {
	case *asJSON:
		if err := printJSON(stdout, res, mod.Metrics(), *frames); err != nil {
			return err
		}
	case *diff:
		printDiff(stdout, res, given, *reqBody != "", *respBody != "", useColor(stdout))
	default:
		printText(stdout, res, *reqBody != "", *respBody != "", *frames)
	}
	if !quiet && !*asJSON && res.VMError == nil { // a failed VM reports nothing: outcome says why
		if a.RuleSet == "" {
			a.RuleSet = ruleSetName(cfg)
		}
		s := summary{title: "veil run", audit: a, notes: runNotes(res)}
		s.write(stderr, useColor(stderr))
	}
	return outcome(res, stderr)
}

// runNotes are the notes of run's report: the plugin's warnings (a
// failure of the rule set, passed or rejected; they never hold a value)
// and the local reply or reset that ended the exchange.
func runNotes(res *hosttest.Result) []string {
	var notes []string
	for _, e := range res.Logs {
		if e.Level >= hosttest.LogWarn {
			notes = append(notes, e.Message)
		}
	}
	if lr := res.LocalReply; lr != nil {
		note := fmt.Sprintf("local reply %d", lr.Status)
		if lr.Details != "" {
			note += " " + lr.Details
		}
		notes = append(notes, note+" from "+lr.From)
	}
	if res.Reset != "" {
		notes = append(notes, "stream reset: "+res.Reset)
	}
	return notes
}

// printDiff is printText for --diff: a diff of each body as given and as
// forwarded; a local reply or reset is printed as printText prints it.
func printDiff(w io.Writer, res *hosttest.Result, given [2]hosttest.Message, req, resp, color bool) {
	if res.Reset != "" || res.LocalReply != nil {
		printText(w, res, req, resp, false)
		return
	}
	if req {
		writeDiff(w, "request", given[0].Body, res.Request.Body, color)
	}
	if resp {
		writeDiff(w, "response", given[1].Body, res.Response.Body, color)
	}
}

// ruleSetName is the name of cfg's rule set for the report when the plugin
// logged no audit line (nothing found), compiled natively with cfg's
// environment; "" when it does not compile natively.
func ruleSetName(cfg hosttest.Config) string {
	prog, err := compileConfig(cfg)
	if err != nil {
		return ""
	}
	return prog.Name()
}

// outcome turns a result into the exit status: exchange errors and VM
// failures exit 1, a local reply 3.
func outcome(res *hosttest.Result, stderr io.Writer) error {
	for _, e := range res.Errors {
		fmt.Fprintf(stderr, "veil run: exchange error: %s\n", e)
	}
	switch {
	case res.VMError != nil:
		return fail(1, "wasm vm failed: %v", res.VMError)
	case len(res.Errors) > 0:
		return &exitError{1, ""}
	case res.Reset != "":
		return fail(1, "stream reset: %s", res.Reset)
	case res.LocalReply != nil:
		return &exitError{3, ""}
	}
	return nil
}

func printText(w io.Writer, res *hosttest.Result, req, resp, frames bool) {
	if res.Reset != "" {
		return // the client got no response; outcome reports the reset
	}
	if lr := res.LocalReply; lr != nil {
		fmt.Fprintln(w, strings.TrimSpace(fmt.Sprintf("local reply %d %s", res.Response.Status, lr.Details)))
		writeBody(w, res.Response.Body)
		return
	}
	if req {
		writeMessage(w, "request", res.Request, frames)
	}
	if resp {
		writeMessage(w, "response", res.Response, frames)
	}
}

// writeMessage prints the body of m, or with frames each piece of it as it
// left the filter, after a line naming the body callback: nothing left
// after a callback that paused (buffering) or held all its frame (a record
// stream waiting for a record's end).
func writeMessage(w io.Writer, what string, m hosttest.Message, frames bool) {
	if !frames {
		writeBody(w, m.Body)
		return
	}
	for i, f := range m.Frames {
		fmt.Fprintf(w, "--- %s frame %d: %d bytes left the filter\n", what, i+1, len(f))
		if len(f) > 0 {
			writeBody(w, f)
		}
	}
}

// writeBody prints a body followed by a newline unless it ends with one.
func writeBody(w io.Writer, b []byte) {
	_, _ = w.Write(b)
	if len(b) == 0 || b[len(b)-1] != '\n' {
		fmt.Fprintln(w)
	}
}

type jsonMessage struct {
	Status   int              `json:"status,omitempty"`
	Headers  hosttest.Headers `json:"headers"`
	Body     string           `json:"body"`
	Trailers hosttest.Headers `json:"trailers,omitempty"`
	// Frames (--frames) are the pieces of Body as they left the filter, one
	// per body callback.
	Frames []string `json:"frames,omitempty"`
	// Findings and Minimized are the audit's entries of this direction:
	// what the rule set changed in this message.
	Findings  []auditFinding   `json:"findings"`
	Minimized []auditMinimized `json:"minimized,omitempty"`
}

// newJSONMessage is m as printJSON prints it, with its frames when asked
// and the findings of a of direction dir.
func newJSONMessage(m hosttest.Message, frames bool, a *audit, dir string) *jsonMessage {
	out := &jsonMessage{Status: m.Status, Headers: m.Headers, Body: string(m.Body), Trailers: m.Trailers, Findings: []auditFinding{}}
	if frames {
		for _, f := range m.Frames {
			out.Frames = append(out.Frames, string(f))
		}
	}
	if a != nil {
		for _, f := range a.Findings {
			if f.Direction == dir {
				out.Findings = append(out.Findings, f)
			}
		}
		for _, m := range a.Minimized {
			if m.Direction == dir {
				out.Minimized = append(out.Minimized, m)
			}
		}
	}
	return out
}

func printJSON(w io.Writer, res *hosttest.Result, metrics map[string]hosttest.Metric, frames bool) error {
	out := struct {
		Request    *jsonMessage               `json:"request"`
		Response   *jsonMessage               `json:"response"`
		LocalReply *jsonLocalReply            `json:"local_reply"`
		Logs       []hosttest.LogEntry        `json:"logs"`
		Metrics    map[string]hosttest.Metric `json:"metrics"`
		Errors     []string                   `json:"errors,omitempty"`
		Reset      string                     `json:"reset,omitempty"`
		// Audit is the plugin's audit line, parsed; null when it logged
		// none (nothing was found).
		Audit *audit `json:"audit"`
	}{Logs: res.Logs, Metrics: metrics, Errors: res.Errors, Reset: res.Reset}
	if a, ok := auditFromLogs(res.Logs); ok {
		out.Audit = &a
	}
	if res.Request.Sent {
		out.Request = newJSONMessage(res.Request, frames, out.Audit, "request")
		out.Request.Status = 0
	}
	if res.Response.Sent {
		out.Response = newJSONMessage(res.Response, frames, out.Audit, "response")
	}
	if lr := res.LocalReply; lr != nil {
		out.LocalReply = &jsonLocalReply{*lr, string(lr.Body)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

type jsonLocalReply struct {
	hosttest.LocalReply
	Body string `json:"body"`
}

// decodeBody replaces a forwarded body by its decompressed bytes, per the
// content-encoding values it was forwarded with (rules.Codec, as the plugin
// reads them).
func decodeBody(m *hosttest.Message) error {
	var values []string
	for _, kv := range m.Headers {
		if strings.EqualFold(kv[0], "content-encoding") {
			values = append(values, kv[1])
		}
	}
	enc, ok := rules.ParseEncoding(values)
	if !ok {
		return fmt.Errorf("cannot decode content-encoding %q", values)
	}
	var c rules.Codec
	body, _, err := c.Decode(enc, m.Body, maxDecoded)
	if err != nil {
		return err
	}
	m.Body = bytes.Clone(body)
	return nil
}

// maxDecoded bounds what --decode decompresses.
const maxDecoded = 1 << 30

func readBody(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

// addContentType labels a JSON-looking body application/json unless a
// content-type was given.
func addContentType(h *hosttest.Headers, body []byte) {
	if _, ok := h.Get("content-type"); ok {
		return
	}
	ct := "text/plain"
	if json.Valid(body) {
		ct = "application/json"
	}
	*h = append(*h, [2]string{"content-type", ct})
}

// propertyValue reads a --property value: JSON when it parses (objects as
// maps, numbers as doubles, as Envoy's Struct metadata holds them; a null
// anywhere fails to serialize, as in Envoy), else the raw string.
func propertyValue(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	return jsonToProperty(v)
}

func jsonToProperty(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonToProperty(e)
		}
	case []any:
		for i, e := range t {
			t[i] = jsonToProperty(e)
		}
	}
	return v
}

// cacheDir is where compiled modules are kept between runs; "" (no disk
// cache) when the user cache directory is unknown.
func cacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "veil", "wazero")
}
