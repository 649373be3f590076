package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	hosttest "github.com/veilproxy/veil/host-test"
	"github.com/veilproxy/veil/host-test/testmodule"
)

// The browser tests drive headless Chromium (Debian's chromium; .ci/run
// installs it) through the Chrome DevTools Protocol. They are long tests
// (make test-long) and skip when no Chromium is installed.

// chromiumPath returns the first Chromium or Chrome on PATH, or skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium, chromium-browser or google-chrome on PATH: the playground's browser tests need one (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

// startPlaygroundServer runs the playground in process on a free loopback
// port with the test module and returns its URL; it stops with the test.
func startPlaygroundServer(t *testing.T) string {
	t.Helper()
	if err := testmodule.RecordInputs(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runPlayground(ctx, &playgroundConfig{listen: "127.0.0.1:0", plugin: pluginPath, profile: hosttest.Envoy133}, io.Discard, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("playground: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a + "/"
	case err := <-done:
		t.Fatalf("playground: %v", err)
		return ""
	}
}

// newBrowser starts headless Chromium at a fixed window size and records
// the URL of every request the page makes.
func newBrowser(t *testing.T, width, height int) (context.Context, func() []string) {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(width, height),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-device-scale-factor", "1"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(urls)
	}
}

// waitJS polls a JavaScript expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))
}

// setField replaces an input's value as a paste would and lets the page see it.
func setField(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(sel), value),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event("input", {bubbles: true}))`, sel)),
	)
}

// js evaluates a JavaScript expression.
func js(expr string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](expr) }

// eval returns the value of a JavaScript expression.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// statusOK waits for the page's status to report a finished run.
const statusOK = `document.getElementById("status").dataset.kind === "ok"`

func TestLongPlaygroundBrowser(t *testing.T) {
	ctx, requests := newBrowser(t, 1400, 900)
	url := startPlaygroundServer(t)
	const rulesText = "version: 1\nname: try\nrules:\n  - id: mail\n    select: { keys: [email] }\n    action: redact\n"
	const body = `{"user": {"name": "Ann Lee", "email": "ann@example.com"}}`
	const nameMark = `#out-request mark.chg[data-path="$.user.name"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		js(`window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective));`),
		// the first example loads and runs by itself
		waitJS(statusOK+` && document.querySelectorAll("#out-request mark.chg").length > 0`),
		setField("#rules", rulesText),
		setField("#req-body", body),
		waitJS(statusOK+` && document.querySelector('#out-request mark.chg[data-path="$.user.email"]') !== null`),
	)
	if err != nil {
		t.Fatal(err)
	}
	nameBefore := eval[string](t, ctx, `JSON.parse(document.getElementById("out-request").textContent).user.name`)

	// edit a rule as a person would: type a new one at the end of the set
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("rules")),
		js(`(() => { const ta = document.getElementById("rules"); ta.setSelectionRange(ta.value.length, ta.value.length); })()`),
		chromedp.SendKeys(chromedp.ID("rules"), "  - id: hide-name\n    select: { keys: [name] }\n    action: redact\n"),
		waitJS(statusOK+` && document.querySelector('`+nameMark+`') !== null`),
	)
	if err != nil {
		t.Fatal(err)
	}
	markText := eval[string](t, ctx, `document.querySelector('`+nameMark+`').textContent`)
	markTitle := eval[string](t, ctx, `document.querySelector('`+nameMark+`').title`)
	if nameBefore != "Ann Lee" || markText != "[REDACTED]" || !strings.Contains(markTitle, "hide-name (redact)") {
		t.Errorf("before the edit the name was %q; after it the highlight reads %q titled %q", nameBefore, markText, markTitle)
	}
	if row := eval[string](t, ctx, `document.querySelector("#changes tbody").textContent`); !strings.Contains(row, "$.user.name") || !strings.Contains(row, "hide-name") {
		t.Errorf("changes table %q does not name $.user.name and hide-name", row)
	}

	// break a rule: its diagnostic shows at its line, the output goes stale
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("rules"), "  - id: broken\n    select: { keys: [x] }\n    action: nope\n"),
		waitJS(`document.querySelectorAll("#rules-gutter .ln.diag-error").length > 0 && document.getElementById("out-request").classList.contains("stale")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	gutterLines := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#rules-gutter .ln.diag-error")).map(e => e.dataset.line)`)
	listLines := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#diagnostics li.diag-error")).map(e => e.dataset.line)`)
	// rulesText is 6 lines, hide-name 3 more: "action: nope" is line 12
	if !slices.Equal(gutterLines, []string{"12"}) || !slices.Equal(listLines, []string{"12"}) {
		t.Errorf("error marked at lines %v (gutter), %v (list), want [12]", gutterLines, listLines)
	}
	if status := eval[string](t, ctx, `document.getElementById("status").textContent`); !strings.Contains(status, "error") {
		t.Errorf("status %q does not say the rule set has an error", status)
	}

	// share: the state goes into the fragment; a fresh load restores it
	err = chromedp.Do(ctx,
		js(`(() => { const ta = document.getElementById("rules"); ta.value = ta.value.replace(/  - id: broken[\s\S]*$/, ""); ta.dispatchEvent(new Event("input", {bubbles: true})); })()`),
		waitJS(statusOK),
		chromedp.Click(chromedp.ID("share")),
		waitJS(`location.hash.length > 1`),
	)
	if err != nil {
		t.Fatal(err)
	}
	hash := eval[string](t, ctx, `location.hash`)
	if !strings.HasPrefix(hash, "#v1.z.") {
		t.Errorf("shared fragment %.20q…, want #v1.z. (compressed)", hash)
	}
	if csp := eval[[]string](t, ctx, `window.__csp`); len(csp) > 0 {
		t.Errorf("the page violated its Content-Security-Policy: %q", csp)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(url+hash),
		waitJS(statusOK+` && document.querySelector('`+nameMark+`') !== null`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if restored := eval[string](t, ctx, `document.getElementById("rules").value`); !strings.Contains(restored, "id: hide-name") || strings.Contains(restored, "id: broken") {
		t.Errorf("restored rule set:\n%s", restored)
	}
	reqs := requests()
	if !slices.Contains(reqs, url+"api/run") {
		t.Errorf("no request to %sapi/run among %q", url, reqs)
	}
	for _, u := range reqs {
		if !strings.HasPrefix(u, url) && u != "about:blank" && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s", u)
		}
		if strings.Contains(u, "#") {
			t.Errorf("the fragment left the browser: %.60s", u)
		}
	}
}

// TestLongPlaygroundScreenshot writes docs/playground.png when
// VEIL_PLAYGROUND_SCREENSHOT names the file:
//
//	VEIL_PLAYGROUND_SCREENSHOT=$PWD/docs/playground.png go test ./host-test/cmd/veil -run TestLongPlaygroundScreenshot
func TestLongPlaygroundScreenshot(t *testing.T) {
	out := os.Getenv("VEIL_PLAYGROUND_SCREENSHOT")
	if out == "" {
		t.Skip("set VEIL_PLAYGROUND_SCREENSHOT=FILE.png to write a screenshot of the playground")
	}
	ctx, _ := newBrowser(t, 1360, 1040)
	url := startPlaygroundServer(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1360, 1040),
		chromedp.Navigate(url),
		waitJS(statusOK+` && document.querySelectorAll("#out-response mark.chg").length > 0`),
		// hover a change so the picture shows the link between output and table
		js(`document.querySelector('#out-request mark.chg').dispatchEvent(new MouseEvent("mouseover", {bubbles: true}))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	small, err := quantizePNG(shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, small, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes (%d before quantizing)", out, len(small), len(shot))
}

// quantizePNG re-encodes a screenshot with a palette of its most used
// colours (a page is mostly flat colour), which keeps it small in git.
func quantizePNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	// colours quantized to 5 bits a channel, by use
	counts := map[color.RGBA]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			counts[color.RGBA{uint8(r>>8) &^ 7, uint8(g>>8) &^ 7, uint8(b>>8) &^ 7, 255}]++
		}
	}
	type use struct {
		c color.RGBA
		n int
	}
	var uses []use
	for c, n := range counts {
		uses = append(uses, use{c, n})
	}
	slices.SortFunc(uses, func(a, b use) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return int(a.c.R)<<16 | int(a.c.G)<<8 | int(a.c.B) - (int(b.c.R)<<16 | int(b.c.G)<<8 | int(b.c.B))
	})
	var pal color.Palette
	for _, u := range uses[:min(256, len(uses))] {
		pal = append(pal, u.c)
	}
	dst := image.NewPaletted(bounds, pal)
	draw.FloydSteinberg.Draw(dst, bounds, img, bounds.Min)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
