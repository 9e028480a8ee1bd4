package main

// Helpers of the real-browser tests (browser_test.go): a Parley started as
// `parley -demo` does it, Debian's chromium driven by chromedp, one browser
// context per visitor and the widget's cross-site iframe reached as its own
// target.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

const (
	browserTestsEnv   = "PARLEY_BROWSER_TESTS"
	browserAgentEmail = "demo@parley.local"
	browserAgentPass  = "browser-test-password"
	// browserBudget bounds one test's browser, whatever hangs.
	browserBudget = 90 * time.Second
	// chatPath is in the URL of the widget's iframe.
	chatPath = "/chat/" + web.DemoSiteID
)

// requireBrowserTests skips unless PARLEY_BROWSER_TESTS=1. When it is set, a
// missing chromium fails: `make test` must not pass without the browser.
func requireBrowserTests(tb testing.TB) string {
	tb.Helper()
	if os.Getenv(browserTestsEnv) != "1" {
		tb.Skipf("real-browser test: run with %s=1 (make test sets it); needs Debian's chromium and `make build`", browserTestsEnv)
	}
	exe, err := exec.LookPath("chromium")
	if err != nil {
		tb.Fatalf("%s=1 but chromium is not on PATH (%v): install Debian's chromium package (bash .ci/run does)", browserTestsEnv, err)
	}
	return exe
}

// lockedBuffer collects log output from goroutines that may outlive a test
// step; it is printed only when the test fails.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDemo runs Parley as `parley -demo -addr 127.0.0.1:0 -shop-addr
// 127.0.0.1:0` does: Parley on http://localhost:PORT, the shop on
// http://127.0.0.1:PORT2, two sites. edit, if set, changes the demo site
// before any browser has loaded its loader.
func startDemo(tb testing.TB, edit func(*parley.Site)) *Main {
	tb.Helper()
	logs := &lockedBuffer{}
	m := NewMain()
	m.Stdout = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m.Config = Config{
		Addr:         "127.0.0.1:0",
		DataDir:      tb.TempDir(),
		Demo:         true,
		ShopAddr:     "127.0.0.1:0",
		DemoPassword: browserAgentPass,
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatalf("starting Parley: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("closing Parley: %v", err)
		}
		if tb.Failed() {
			tb.Logf("Parley's log:\n%s", logs.String())
		}
	})
	if !strings.HasPrefix(m.Server.URL(), "http://localhost:") || !strings.HasPrefix(m.ShopURL, "http://127.0.0.1:") {
		tb.Fatalf("Parley at %q and the shop at %q: want http://localhost:PORT and http://127.0.0.1:PORT, two sites", m.Server.URL(), m.ShopURL)
	}
	if edit != nil {
		site, err := m.DB.Site(web.DemoSiteID)
		if err != nil {
			tb.Fatalf("demo site: %v", err)
		}
		edit(&site)
		if err := m.DB.PutSite(site); err != nil {
			tb.Fatalf("changing the demo site: %v", err)
		}
	}
	requireBuilt(tb, m)
	return m
}

// requireBuilt fails, never skips, when `make build` has not produced the
// loader and both wasm apps: the server then answers 503.
func requireBuilt(tb testing.TB, m *Main) {
	tb.Helper()
	for _, c := range []struct{ path, what string }{
		{"/s/" + web.DemoSiteID + "/widget.js", "widget loader (assets/dist)"},
		{chatPath + "?origin=" + url.QueryEscape(m.ShopURL), "widget wasm (assets/dist/widget.wasm)"},
		{"/console", "console wasm (assets/dist/console.wasm)"},
	} {
		resp, err := http.Get(m.Server.URL() + c.path)
		if err != nil {
			tb.Fatalf("GET %s: %v", c.path, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			tb.Fatalf("the %s is not built into the test binary (GET %s: 503 %q): run `make build` before the browser tests", c.what, c.path, strings.TrimSpace(string(body)))
		}
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s: status %d %q, want 200", c.path, resp.StatusCode, strings.TrimSpace(string(body)))
		}
	}
}

// browser is one chromium process. Its first tab, ctx, lives in the default
// (non-incognito) browser context: the agent's console needs it to be
// installable. Visitors get browser contexts of their own.
type browser struct {
	tb   testing.TB
	ctx  context.Context
	logs *lockedBuffer // console messages of every page and iframe, printed on failure
}

// newBrowser starts chromium with a fresh profile. prefs, if set, is written
// as the profile's Preferences file before the start.
func newBrowser(tb testing.TB, prefs map[string]any) *browser {
	tb.Helper()
	exe := requireBrowserTests(tb)
	// Not t.TempDir: chromium's helper processes may still be writing the
	// profile for a moment after the browser exited.
	dir, err := os.MkdirTemp("", "parley-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { removeProfile(tb, dir) })
	if prefs != nil {
		b, err := json.Marshal(prefs)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// chromedp's defaults turn site isolation off; shoppers have it, and
		// the widget must run as a real out-of-process iframe.
		chromedp.Flag("disable-features", "Translate"),
		chromedp.Flag("site-per-process", true),
		chromedp.WindowSize(1280, 900),
	)
	b := &browser{tb: tb, logs: &lockedBuffer{}}
	root, cancelRoot := context.WithTimeout(context.Background(), browserBudget)
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx,
		chromedp.WithErrorf(func(f string, a ...any) { b.logs.printf("chromedp: "+f, a...) }),
		chromedp.WithLogf(func(f string, a ...any) { b.logs.printf("chromedp: "+f, a...) }),
	)
	tb.Cleanup(func() {
		// Close gracefully so that the profile is flushed, then make sure.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		chromedp.Cancel(cctx)
		cancel()
		cancelCtx()
		cancelAlloc()
		cancelRoot()
		if tb.Failed() {
			tb.Logf("browser console:\n%s", b.logs.String())
		}
	})
	b.ctx = ctx
	b.listenConsole(ctx, "agent")
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("starting %s: %v", exe, err)
	}
	b.screenshotOnFailure(ctx, "agent")
	return b
}

// removeProfile deletes a chromium profile directory, retrying while the
// browser's last helper processes finish writing into it.
func removeProfile(tb testing.TB, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Logf("removing the chromium profile %s: %v", dir, err)
}

// listenConsole records console calls, exceptions and log entries of the
// page or iframe target behind ctx, under name.
func (b *browser) listenConsole(ctx context.Context, name string) {
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			b.logs.printf("[%s] console.%s %s", name, ev.Type, strings.Join(args, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.logs.printf("[%s] exception %s (%s:%d)", name, msg, d.URL, d.LineNumber)
		case *cdplog.EventEntryAdded:
			b.logs.printf("[%s] log.%s %s %s", name, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		case *network.EventWebSocketCreated:
			b.logs.printf("[%s] websocket %s: created %s", name, ev.RequestID, ev.URL)
		case *network.EventWebSocketHandshakeResponseReceived:
			b.logs.printf("[%s] websocket %s: handshake %d", name, ev.RequestID, ev.Response.Status)
		case *network.EventWebSocketFrameSent:
			b.logs.printf("[%s] websocket %s: sent %.200s", name, ev.RequestID, ev.Response.PayloadData)
		case *network.EventWebSocketFrameReceived:
			b.logs.printf("[%s] websocket %s: received %.200s", name, ev.RequestID, ev.Response.PayloadData)
		case *network.EventWebSocketFrameError:
			b.logs.printf("[%s] websocket %s: error %s", name, ev.RequestID, ev.ErrorMessage)
		case *network.EventWebSocketClosed:
			b.logs.printf("[%s] websocket %s: closed", name, ev.RequestID)
		}
	})
}

// screenshotOnFailure saves the tab of ctx to /tmp and logs its text when
// the test fails. It must be registered after the tab's own cleanup so that
// it runs first.
func (b *browser) screenshotOnFailure(ctx context.Context, name string) {
	tb := b.tb
	tb.Cleanup(func() {
		if !tb.Failed() {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var text, where string
		if err := chromedp.Run(sctx,
			chromedp.Evaluate(`location.href`, &where),
			chromedp.Evaluate(`document.body ? document.body.innerText.slice(0, 2000) : ''`, &text),
		); err != nil {
			tb.Logf("text of %s: %v", name, err)
		} else {
			tb.Logf("%s at %s shows:\n%s", name, where, text)
		}
		var png []byte
		// A tab in a background window draws no frames to capture.
		if err := chromedp.Run(sctx, page.BringToFront(), chromedp.FullScreenshot(&png, 100)); err != nil {
			tb.Logf("screenshot of %s: %v", name, err)
			return
		}
		path := filepath.Join(os.TempDir(), fmt.Sprintf("parley-%s-%s.png", strings.ReplaceAll(tb.Name(), "/", "-"), name))
		if err := os.WriteFile(path, png, 0o644); err == nil {
			tb.Logf("screenshot of %s: %s", name, path)
		}
	})
}

// request is one request a page made, as the network domain saw it.
type request struct {
	id       network.RequestID
	url      string
	status   int64
	encoding string
	size     float64 // bytes on the wire, headers included
	done     bool
}

// netLog records a page target's requests.
type netLog struct {
	mu   sync.Mutex
	reqs []*request
	byID map[network.RequestID]*request
}

func (n *netLog) listen(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if n.byID == nil {
			n.byID = make(map[network.RequestID]*request)
		}
		r := &request{id: ev.RequestID, url: ev.Request.URL}
		n.reqs = append(n.reqs, r)
		n.byID[ev.RequestID] = r
	case *network.EventResponseReceived:
		if r := n.byID[ev.RequestID]; r != nil {
			r.status = ev.Response.Status
			for k, v := range ev.Response.Headers {
				if strings.EqualFold(k, "content-encoding") {
					r.encoding = fmt.Sprint(v)
				}
			}
		}
	case *network.EventLoadingFinished:
		if r := n.byID[ev.RequestID]; r != nil {
			r.size, r.done = ev.EncodedDataLength, true
		}
	}
}

// to returns copies of the requests whose URL starts with prefix.
func (n *netLog) to(prefix string) []request {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []request
	for _, r := range n.reqs {
		if strings.HasPrefix(r.url, prefix) {
			out = append(out, *r)
		}
	}
	return out
}

// tab is one page: a visitor's shop tab or the agent's console.
type tab struct {
	b    *browser
	name string
	ctx  context.Context
	net  *netLog
	bcid cdp.BrowserContextID
	// frames cancels the contexts of the iframes attached to, after the tab.
	frames []context.CancelFunc
}

// newVisitor opens a tab in a browser context of its own: its own storage
// and HTTP cache, as another shopper's browser would have. The context and
// its window are made here rather than with chromedp.WithNewBrowserContext:
// headless chromium opens a tab in a new browser context only in a new
// window ("Failed to open new tab - no browser is open").
func (b *browser) newVisitor(name string) *tab {
	tb := b.tb
	tb.Helper()
	browserExec := func(ctx context.Context) context.Context {
		return cdp.WithExecutor(ctx, chromedp.FromContext(b.ctx).Browser)
	}
	var bcid cdp.BrowserContextID
	var tid target.ID
	step(tb, b.ctx, 10*time.Second, "creating "+name+"'s browser context", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		if bcid, err = target.CreateBrowserContext().WithDisposeOnDetach(true).Do(browserExec(ctx)); err != nil {
			return err
		}
		tid, err = target.CreateTarget("about:blank").WithBrowserContextID(bcid).WithNewWindow(true).Do(browserExec(ctx))
		return err
	}))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		target.DisposeBrowserContext(bcid).Do(browserExec(ctx))
	})
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(tid))
	v := &tab{b: b, name: name, ctx: ctx, net: &netLog{}, bcid: bcid}
	tb.Cleanup(func() {
		cancel()
		for _, c := range v.frames {
			c()
		}
	})
	chromedp.ListenTarget(ctx, v.net.listen)
	b.listenConsole(ctx, name)
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("opening %s's tab: %v", name, err)
	}
	b.screenshotOnFailure(ctx, name)
	return v
}

// agentTab is the browser's first tab, in the default browser context.
func (b *browser) agentTab() *tab {
	return &tab{b: b, name: "agent", ctx: b.ctx}
}

// step runs actions under a deadline and fails the test with what on error.
func step(tb testing.TB, ctx context.Context, d time.Duration, what string, actions ...chromedp.Action) {
	tb.Helper()
	sctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Run(sctx, actions...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// poll waits, up to d, for the JavaScript expression js to be truthy in the
// document of ctx and stores its value in res. It polls on a timer, not on
// animation frames: a hidden iframe gets none.
func poll(tb testing.TB, ctx context.Context, d time.Duration, what, js string, res any) {
	tb.Helper()
	step(tb, ctx, d+2*time.Second, "waiting for "+what,
		chromedp.Poll(js, res, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// launcherJS finds the loader's launcher inside the open shadow root of the
// host element it appends to the body, and returns its centre.
const launcherJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	const l = h && h.shadowRoot && h.shadowRoot.querySelector('button.l');
	if (!l) return null;
	const r = l.getBoundingClientRect();
	return r.width > 0 ? {x: r.left + r.width / 2, y: r.top + r.height / 2} : null;
})()`

// panelOpenJS is true while the chat panel is shown.
const panelOpenJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	return !!(h && h.shadowRoot && h.shadowRoot.querySelector('.p.o'));
})()`

type point struct{ X, Y float64 }

// launcher waits for the launcher and returns its centre.
func (v *tab) launcher(tb testing.TB) point {
	tb.Helper()
	var p point
	poll(tb, v.ctx, 10*time.Second, "the launcher in the loader's shadow root", launcherJS, &p)
	return p
}

// timing is window.Parley.timing, set by the loader when a click made the
// chat interactive.
type timing struct {
	Ms         float64 `json:"ms"`
	Prefetched bool    `json:"prefetched"`
}

func (v *tab) waitTiming(tb testing.TB) timing {
	tb.Helper()
	var tm timing
	poll(tb, v.ctx, 30*time.Second, "window.Parley.timing (chat interactive after the click)",
		`window.Parley && window.Parley.timing`, &tm)
	return tm
}

// chat attaches to the widget's iframe in this tab. Site isolation puts the
// cross-site iframe in its own renderer, a separate target of type
// "iframe". Targets in skip (an iframe that was replaced) are ignored.
func (v *tab) chat(tb testing.TB, skip ...target.ID) (context.Context, target.ID) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var seen []string
	for {
		infos, err := chromedp.Targets(v.ctx)
		if err != nil {
			tb.Fatalf("listing targets: %v", err)
		}
		seen = seen[:0]
		for _, in := range infos {
			seen = append(seen, in.Type+" "+in.URL)
			if in.Type != "iframe" || !strings.Contains(in.URL, chatPath) || (v.bcid != "" && in.BrowserContextID != v.bcid) || contains(skip, in.TargetID) {
				continue
			}
			// Cancelled only with the tab (v.ctx is its parent): cancelling
			// it closes the target, and closing an iframe target closes the
			// page around it.
			ctx, cancel := chromedp.NewContext(v.ctx, chromedp.WithTargetID(in.TargetID))
			v.frames = append(v.frames, cancel)
			v.b.listenConsole(ctx, v.name+"/iframe")
			if err := chromedp.Run(ctx); err != nil {
				tb.Fatalf("attaching to the widget iframe %s: %v", in.URL, err)
			}
			poll(tb, ctx, 30*time.Second, "the widget app (#composer) in the iframe", `!!document.querySelector('#composer')`, nil)
			return ctx, in.TargetID
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no out-of-process iframe with %s in %s's tab after 30 s; targets:\n%s", chatPath, v.name, strings.Join(seen, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func contains(ids []target.ID, id target.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// send types text into the composer and presses the send button.
func send(tb testing.TB, ctx context.Context, who, text string) {
	tb.Helper()
	step(tb, ctx, 10*time.Second, who+" sends "+jsString(text),
		chromedp.WaitVisible("#composer", chromedp.ByQuery),
		chromedp.SendKeys("#composer", text, chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
	)
}

// messageJS is true when a message row matching rowSel holds text.
func messageJS(rowSel, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.textContent.includes(%s))`,
		jsString("#messages "+rowSel+" .msg-text"), jsString(text))
}

// waitMessage waits for a message row (rowSel: ".msg-agent", …) with text.
func waitMessage(tb testing.TB, ctx context.Context, who, rowSel, text string) {
	tb.Helper()
	poll(tb, ctx, 15*time.Second, who+" to see "+rowSel+" "+jsString(text), messageJS(rowSel, text), nil)
}

// storedMessage is what the tests read of a stored msg frame.
type storedMessage struct {
	Seq  uint64        `json:"seq"`
	From parley.Author `json:"from"`
	Text string        `json:"text"`
}

// transcript returns the stored messages of the demo site's only open
// conversation once it holds at least n of them.
func transcript(tb testing.TB, m *Main, n int) (uint64, []storedMessage) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		convs, err := m.DB.OpenConversations()
		if err != nil {
			tb.Fatalf("open conversations: %v", err)
		}
		var mine []parley.Conversation
		for _, c := range convs {
			if c.Site == web.DemoSiteID {
				mine = append(mine, c)
			}
		}
		if len(mine) > 1 {
			tb.Fatalf("got %d open conversations of site %s, want 1: %+v", len(mine), web.DemoSiteID, mine)
		}
		if len(mine) == 1 && mine[0].LastSeq >= uint64(n) {
			var msgs []storedMessage
			err := m.DB.Messages(mine[0].ID, 0, 0, func(frame []byte) error {
				var sm storedMessage
				if err := json.Unmarshal(frame, &sm); err != nil {
					return fmt.Errorf("stored frame %q: %w", frame, err)
				}
				msgs = append(msgs, sm)
				return nil
			})
			if err != nil {
				tb.Fatalf("messages of conversation %d: %v", mine[0].ID, err)
			}
			return mine[0].ID, msgs
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after 10 s, open conversations of site %s: %+v; want one with %d messages", web.DemoSiteID, mine, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
