package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/veilproxy/veil/examples"
	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/rules"
)

// playgroundRequest is what the page sends to /api/run: the rule set and
// one exchange, every field as typed.
type playgroundRequest struct {
	Rules    string          `json:"rules"`
	Request  playgroundInput `json:"request"`
	Response playgroundInput `json:"response"`
	// Properties are run's --property values, one name=value a line.
	Properties string `json:"properties"`
	// Chunk splits each body into DATA frames of this many bytes (0: one frame).
	Chunk int `json:"chunk"`
}

// playgroundInput is one direction of the exchange. An empty body is a
// message without body.
type playgroundInput struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Status int    `json:"status,omitempty"`
	// Headers are "name: value", one a line.
	Headers string `json:"headers"`
	Body    string `json:"body"`
}

// playgroundResult is /api/run's answer.
type playgroundResult struct {
	// Diagnostics are rules.Lint's errors and warnings, by position.
	Diagnostics []playgroundDiag `json:"diagnostics"`
	// InputErrors name a request attribute that could not be read (a
	// header without ':', a property without '=').
	InputErrors []string `json:"input_errors,omitempty"`
	// Notes say what the playground did on the user's behalf (placeholder keys).
	Notes []string `json:"notes,omitempty"`
	// Ran is false when the rule set did not compile (or an input error
	// stopped the run): nothing below is set.
	Ran bool `json:"ran"`
	// StartError is the plugin's refusal to start with the rule set.
	StartError string            `json:"start_error,omitempty"`
	Request    *playgroundOutput `json:"request,omitempty"`
	Response   *playgroundOutput `json:"response,omitempty"`
	LocalReply *playgroundReply  `json:"local_reply,omitempty"`
	// Audit is the plugin's audit line, parsed; nil when it logged none.
	Audit   *audit             `json:"audit,omitempty"`
	Metrics []playgroundMetric `json:"metrics,omitempty"`
	// Logs are the plugin's log lines (never values) other than the audit line.
	Logs   []playgroundLog `json:"logs,omitempty"`
	Errors []string        `json:"errors,omitempty"`
	Reset  string          `json:"reset,omitempty"`
	// Timing is the VM start (rule set compiled by the plugin) and the
	// exchange, in milliseconds.
	Timing map[string]float64 `json:"timing,omitempty"`
}

// playgroundDiag is one lint diagnostic, placed by line and column.
type playgroundDiag struct {
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Code     string `json:"code,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Message  string `json:"message"`
}

// playgroundOutput is one forwarded message: sent or not, its headers,
// its body and how it differs from the input.
type playgroundOutput struct {
	Sent bool `json:"sent"`
	// Rejected is set on the request when the filter answered it with a
	// local reply: whatever passed before, the exchange ended there.
	Rejected bool             `json:"rejected,omitempty"`
	Status   int              `json:"status,omitempty"`
	Headers  hosttest.Headers `json:"headers,omitempty"`
	// HeaderChanges name the headers the filter added, changed or removed
	// (the pseudo-headers and content-length, which the host sets, left out).
	HeaderChanges []headerChange `json:"header_changes,omitempty"`
	Body          string         `json:"body"`
	View          *bodyView      `json:"view,omitempty"`
}

// headerChange is one header the filter added, changed or removed.
type headerChange struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// playgroundReply is the local reply the filter sent instead of forwarding.
type playgroundReply struct {
	Status  int              `json:"status"`
	Details string           `json:"details"`
	From    string           `json:"from"`
	Headers hosttest.Headers `json:"headers,omitempty"`
	Body    string           `json:"body"`
}

// playgroundLog is one line the plugin logged.
type playgroundLog struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// playgroundMetric is how much one metric moved during the exchange.
type playgroundMetric struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Delta int64  `json:"delta"`
	// Samples are a histogram's values recorded during the exchange.
	Samples []uint64 `json:"samples,omitempty"`
}

// playgroundRunner runs exchanges through one loaded module, one at a
// time (the module's metrics are shared: deltas need the module to itself).
type playgroundRunner struct {
	mod *hosttest.Module
	mu  sync.Mutex
	// keys are the placeholder keys made for crypto_keys variables, per
	// name, for this process: pseudonyms stay stable while it runs.
	keys map[string]string
}

func newPlaygroundRunner(mod *hosttest.Module) *playgroundRunner {
	return &playgroundRunner{mod: mod, keys: map[string]string{}}
}

// placeholderKey returns this process's random key for variable name.
func (r *playgroundRunner) placeholderKey(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.keys[name]
	if !ok {
		b := make([]byte, 32)
		rand.Read(b)
		k = base64.StdEncoding.EncodeToString(b)
		r.keys[name] = k
	}
	return k
}

// jsonError answers with status and {"error": msg}.
func jsonError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (r *playgroundRunner) serveRun(w http.ResponseWriter, req *http.Request) {
	if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		jsonError(w, http.StatusUnsupportedMediaType, "send the exchange as application/json")
		return
	}
	var in playgroundRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxPlaygroundRequest))
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("input too large: the playground takes a rule set of up to %d KiB and bodies of up to %d KiB each",
				maxPlaygroundRules>>10, maxPlaygroundBody>>10))
			return
		}
		jsonError(w, http.StatusBadRequest, "cannot read the exchange: malformed JSON") // the decoder's text may quote input
		return
	}
	if msg := in.tooLarge(); msg != "" {
		jsonError(w, http.StatusRequestEntityTooLarge, msg)
		return
	}
	res := r.run(req.Context(), &in)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// tooLarge names the first field over its limit, "" when all fit.
func (in *playgroundRequest) tooLarge() string {
	type field struct {
		name  string
		size  int
		limit int
	}
	for _, f := range []field{
		{"the rule set", len(in.Rules), maxPlaygroundRules},
		{"the request body", len(in.Request.Body), maxPlaygroundBody},
		{"the response body", len(in.Response.Body), maxPlaygroundBody},
		{"the request method", len(in.Request.Method), maxPlaygroundAttrs},
		{"the request path", len(in.Request.Path), maxPlaygroundAttrs},
		{"the request headers", len(in.Request.Headers), maxPlaygroundAttrs},
		{"the response headers", len(in.Response.Headers), maxPlaygroundAttrs},
		{"the property list", len(in.Properties), maxPlaygroundAttrs},
	} {
		if f.size > f.limit {
			return fmt.Sprintf("%s is too large: %d KiB, the playground takes up to %d KiB", f.name, (f.size+1023)>>10, f.limit>>10)
		}
	}
	return ""
}

// run lints the rule set and, when it compiles, runs the exchange through
// a fresh VM started with it.
func (r *playgroundRunner) run(ctx context.Context, in *playgroundRequest) *playgroundResult {
	res := &playgroundResult{Diagnostics: []playgroundDiag{}}
	var missing []string
	env := func(name string) (string, bool) {
		if !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return r.placeholderKey(name), true
	}
	_, warnings, err := rules.Lint([]byte(in.Rules), rules.Options{Filename: "rules.yaml", Env: env})
	var ce *rules.CompileError
	switch {
	case errors.As(err, &ce):
		res.addDiags(ce.Diagnostics)
	case err != nil:
		res.Diagnostics = append(res.Diagnostics, playgroundDiag{Line: 1, Col: 1, Severity: "error", Message: err.Error()})
	}
	res.addDiags(warnings)
	cfg := hosttest.Config{PluginConfig: []byte(in.Rules)}
	for _, name := range missing {
		cfg.Env = append(cfg.Env, name+"="+r.placeholderKey(name))
		res.Notes = append(res.Notes, fmt.Sprintf("variable %s: a random key made for this playground session (restarting it makes another)", name))
	}
	ex, inputErrs := in.exchange(&cfg)
	res.InputErrors = inputErrs
	if err != nil || len(inputErrs) > 0 {
		return res
	}
	// the plugin's own reading of report_header and mark_responses needs it
	cfg.AllowOnHeadersStopIteration = true

	r.mu.Lock()
	defer r.mu.Unlock()
	t0 := time.Now()
	vm, err := r.mod.Start(ctx, cfg)
	if err != nil {
		res.StartError = err.Error()
		return res
	}
	defer vm.Close(context.Background())
	t1 := time.Now()
	before := r.mod.Metrics()
	out := vm.Do(ex)
	t2 := time.Now()
	res.Metrics = metricDeltas(before, r.mod.Metrics())
	res.Ran = true
	res.Timing = map[string]float64{"start_ms": ms(t1.Sub(t0)), "exchange_ms": ms(t2.Sub(t1))}
	res.fill(&ex, out)
	return res
}

func (res *playgroundResult) addDiags(list []rules.Diagnostic) {
	for _, d := range list {
		res.Diagnostics = append(res.Diagnostics, playgroundDiag{
			Line: d.Line, Col: d.Col, Severity: d.Severity.String(), Code: d.Code, Rule: d.Rule, Message: d.Message,
		})
	}
}

// exchange builds the exchange and adds the properties to cfg; it returns
// a message per attribute it cannot read (never quoting a value).
func (in *playgroundRequest) exchange(cfg *hosttest.Config) (hosttest.Exchange, []string) {
	var errs []string
	ex := hosttest.Exchange{
		Method: strings.TrimSpace(in.Request.Method), Path: strings.TrimSpace(in.Request.Path),
		Status: in.Response.Status, ChunkSize: in.Chunk,
	}
	if ex.Status != 0 && (ex.Status < 100 || ex.Status > 999) {
		errs = append(errs, "response status: want 100 to 999")
	}
	if ex.ChunkSize < 0 {
		errs = append(errs, "chunk: want 0 (one frame) or more")
	}
	if ex.Path != "" && !strings.HasPrefix(ex.Path, "/") {
		errs = append(errs, "request path: want a path starting with /")
	}
	var err error
	if ex.RequestHeaders, err = headerLines(in.Request.Headers); err != nil {
		errs = append(errs, "request headers: "+err.Error())
	}
	if ex.ResponseHeaders, err = headerLines(in.Response.Headers); err != nil {
		errs = append(errs, "response headers: "+err.Error())
	}
	for i, line := range strings.Split(in.Properties, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || name == "" {
			errs = append(errs, fmt.Sprintf("properties line %d: want name=value", i+1))
			continue
		}
		cfg.Properties = append(cfg.Properties, hosttest.Property{Path: hosttest.ParseProperty(name), Value: propertyValue(value)})
	}
	if in.Request.Body != "" {
		ex.RequestBody = []byte(in.Request.Body)
		addContentType(&ex.RequestHeaders, ex.RequestBody)
	}
	if in.Response.Body != "" {
		ex.ResponseBody = []byte(in.Response.Body)
		addContentType(&ex.ResponseHeaders, ex.ResponseBody)
	}
	return ex, errs
}

// headerLines parses "name: value" lines; blank lines and # comments are skipped.
func headerLines(text string) (hosttest.Headers, error) {
	var h hosttest.Headers
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("line %d: want 'name: value'", i+1)
		}
		h = append(h, [2]string{name, strings.TrimSpace(value)})
	}
	return h, nil
}

// fill sets what the exchange produced: each forwarded body against its
// input, the local reply, the audit line and the other logs.
func (res *playgroundResult) fill(ex *hosttest.Exchange, out *hosttest.Result) {
	res.Errors, res.Reset = out.Errors, out.Reset
	if out.VMError != nil {
		res.Errors = append(res.Errors, "wasm vm failed: "+out.VMError.Error())
	}
	for _, l := range out.Logs {
		if a, ok := auditFromLogs([]hosttest.LogEntry{l}); ok {
			res.Audit = &a
			continue
		}
		res.Logs = append(res.Logs, playgroundLog{Level: l.Level.String(), Message: l.Message})
	}
	res.Request = outputOf(out.Request, ex.RequestHeaders, ex.RequestBody, "request", res.Audit)
	if lr := out.LocalReply; lr != nil && strings.HasPrefix(lr.From, "proxy_on_request") {
		res.Request = &playgroundOutput{Rejected: true}
	}
	if out.LocalReply != nil {
		lr := out.LocalReply
		res.LocalReply = &playgroundReply{Status: out.Response.Status, Details: lr.Details, From: lr.From,
			Headers: out.Response.Headers, Body: string(out.Response.Body)}
		if res.LocalReply.Status == 0 {
			res.LocalReply.Status = lr.Status
		}
		return
	}
	res.Response = outputOf(out.Response, ex.ResponseHeaders, ex.ResponseBody, "response", res.Audit)
}

// outputOf is one forwarded message with its headers and body compared to
// the input's.
func outputOf(m hosttest.Message, inHeaders hosttest.Headers, input []byte, dir string, a *audit) *playgroundOutput {
	o := &playgroundOutput{Sent: m.Sent, Status: m.Status, Headers: m.Headers}
	if !m.Sent {
		return o
	}
	o.HeaderChanges = headerChanges(inHeaders, m.Headers)
	o.Body = string(m.Body)
	if input != nil || len(m.Body) > 0 {
		o.View = viewBody(input, m.Body)
		attribute(o.View, dir, a)
	}
	return o
}

// headerChanges compares the headers given with those forwarded, by name;
// the pseudo-headers and content-length, which the host sets, are left out.
func headerChanges(in, out hosttest.Headers) []headerChange {
	skip := func(name string) bool { return strings.HasPrefix(name, ":") || name == "content-length" }
	values := func(h hosttest.Headers, name string) []string {
		var v []string
		for _, kv := range h {
			if kv[0] == name {
				v = append(v, kv[1])
			}
		}
		return v
	}
	var changes []headerChange
	seen := map[string]bool{}
	for _, kv := range out {
		name := kv[0]
		if skip(name) || seen[name] {
			continue
		}
		seen[name] = true
		switch before := values(in, name); {
		case len(before) == 0:
			changes = append(changes, headerChange{name, "added"})
		case !slices.Equal(before, values(out, name)):
			changes = append(changes, headerChange{name, "changed"})
		}
	}
	for _, kv := range in {
		if !skip(kv[0]) && !seen[kv[0]] {
			seen[kv[0]] = true
			changes = append(changes, headerChange{kv[0], "removed"})
		}
	}
	return changes
}

// metricDeltas lists the metrics that moved between two snapshots, by name.
func metricDeltas(before, after map[string]hosttest.Metric) []playgroundMetric {
	var out []playgroundMetric
	for name, m := range after {
		b := before[name]
		d := playgroundMetric{Name: name, Type: m.Type.String(), Delta: m.Value - b.Value}
		if len(m.Samples) > len(b.Samples) {
			d.Samples = m.Samples[len(b.Samples):]
		}
		if d.Delta != 0 || len(d.Samples) > 0 {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b playgroundMetric) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// playgroundExample is one bundled example as the page loads it.
type playgroundExample struct {
	Name       string          `json:"name"`
	Rules      string          `json:"rules"`
	Request    playgroundInput `json:"request"`
	Response   playgroundInput `json:"response"`
	Properties string          `json:"properties"`
	Chunk      int             `json:"chunk,omitempty"`
}

// playgroundExamples reads the embedded examples, each with the attributes
// its flags file names.
func playgroundExamples(fsys fs.FS) ([]playgroundExample, error) {
	rulesFiles, err := fs.Glob(fsys, "*/rules.yaml")
	if err != nil {
		return nil, err
	}
	var out []playgroundExample
	for _, rf := range rulesFiles {
		dir := path.Dir(rf)
		read := func(name string) string {
			b, _ := fs.ReadFile(fsys, dir+"/"+name) // a missing file is an empty field
			return string(b)
		}
		ex := playgroundExample{Name: dir, Rules: read("rules.yaml")}
		ex.Request.Body = read("request.json")
		ex.Response.Body = read("response.json")
		if ex.Response.Body == "" {
			ex.Response.Body = read("response.sse")
		}
		if err := ex.applyFlags(read("flags")); err != nil {
			return nil, fmt.Errorf("examples/%s/flags: %w", dir, err)
		}
		out = append(out, ex)
	}
	return out, nil
}

// applyFlags sets the attributes an example's flags file gives, the way
// `veil run --flags` reads them.
func (ex *playgroundExample) applyFlags(text string) error {
	var reqH, respH, props []string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimLeft(line, "-"), "=")
		if !ok {
			return fmt.Errorf("line %q: want --name=value", line)
		}
		switch name {
		case "method":
			ex.Request.Method = value
		case "path":
			ex.Request.Path = value
		case "H":
			reqH = append(reqH, value)
		case "response-header":
			respH = append(respH, value)
		case "property":
			props = append(props, value)
		case "status", "chunk":
			n, err := strconv.Atoi(value)
			if err != nil {
				return fmt.Errorf("--%s: want a number", name)
			}
			if name == "status" {
				ex.Response.Status = n
			} else {
				ex.Chunk = n
			}
		default:
			return fmt.Errorf("--%s: the playground has no such attribute", name)
		}
	}
	ex.Request.Headers = strings.Join(reqH, "\n")
	ex.Response.Headers = strings.Join(respH, "\n")
	ex.Properties = strings.Join(props, "\n")
	return nil
}

// bundledExamples are the examples the binary embeds, read once.
var bundledExamples = sync.OnceValues(func() ([]playgroundExample, error) { return playgroundExamples(examples.FS) })

func (r *playgroundRunner) serveExamples(w http.ResponseWriter, _ *http.Request) {
	list, err := bundledExamples()
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}
