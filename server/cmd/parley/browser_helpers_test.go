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
	"github.com/parley-chat/parley/server/internal/chromium"
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
	exe, err := chromium.LookPath()
	if err != nil {
		tb.Fatalf("%s=1 but chromium is not on PATH: %v (bash .ci/run installs it)", browserTestsEnv, err)
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
	return startDemoClock(tb, edit, nil)
}

// startDemoClock is startDemo with the outbox on the clock now (nil:
// time.Now).
func startDemoClock(tb testing.TB, edit func(*parley.Site), now func() time.Time) *Main {
	tb.Helper()
	logs := &lockedBuffer{}
	m := NewMain()
	m.outboxNow = now
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
	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		tb.Fatalf("demo site: %v", err)
	}
	// The demo asks for a topic before the first message; these tests type
	// straight into the composer. TestBrowserRouting turns the form on.
	site.Routing.PreChat.Enabled = false
	if edit != nil {
		edit(&site)
	}
	if err := m.DB.PutSite(site); err != nil {
		tb.Fatalf("changing the demo site: %v", err)
	}
	requireBuilt(tb, m)
	return m
}

// demoAgentAndVisitor starts the demo with the demo agent logged in to
// the console (its tab) and a visitor's tab of its own.
func demoAgentAndVisitor(tb testing.TB) (*Main, *tab, *tab) {
	tb.Helper()
	m := startDemo(tb, nil)
	b := newBrowser(tb, nil)
	a := b.agentTab()
	consoleLogin(tb, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	return m, a, b.newVisitor("visitor")
}

// openShopChat opens the demo shop page in v's tab and clicks the
// launcher; the chat's iframe is ready when it returns.
func openShopChat(tb testing.TB, m *Main, v *tab) {
	tb.Helper()
	step(tb, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(tb)
	step(tb, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
}

// openInboxItem opens, in the console of a, the conversation whose inbox
// row holds text.
func openInboxItem(tb testing.TB, a *tab, text string) {
	tb.Helper()
	itemJS := fmt.Sprintf(`[...document.querySelectorAll('.inbox-item')].find(e => e.textContent.includes(%s))`, jsString(text))
	poll(tb, a.ctx, 15*time.Second, "the conversation in the inbox", "!!"+itemJS, nil)
	step(tb, a.ctx, 5*time.Second, "opening the conversation", chromedp.Click(itemJS, chromedp.ByJSPath))
}

// agentOnline keeps the demo agent online, with a console socket of its
// own, until the test ends: the demo site answers chat, and its widget
// shows the composer rather than the offline form.
func agentOnline(tb testing.TB, m *Main) {
	tb.Helper()
	h := loginAt(tb, m.Server.URL(), browserAgentEmail, browserAgentPass)
	a := startFaultClient(tb, "ws"+strings.TrimPrefix(m.Server.URL(), "http")+"/ws", faultAgentHello(), h, nil)
	if !faultWaitFor(10*time.Second, func() bool { return a.online.Load() }) {
		tb.Fatal("the demo agent's socket did not come online")
	}
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
	br   *chromium.Browser
	logs *lockedBuffer // console messages of every page and iframe, printed on failure
}

// newBrowser starts chromium with a fresh profile. prefs, if set, is written
// as the profile's Preferences file before the start.
func newBrowser(tb testing.TB, prefs map[string]any) *browser {
	tb.Helper()
	return newBrowserWith(tb, chromium.Options{Prefs: prefs, Budget: browserBudget})
}

// newBrowserWith is newBrowser with options of its own: a longer budget,
// or iframes in their page's renderer for a throttled measurement.
func newBrowserWith(tb testing.TB, o chromium.Options) *browser {
	tb.Helper()
	exe := requireBrowserTests(tb)
	b := &browser{tb: tb, logs: &lockedBuffer{}}
	// "intl.accept_languages" is the browser's languages: a pref of the
	// default profile, and flags for the visitors' isolated contexts.
	if l, ok := o.Prefs["intl.accept_languages"].(string); ok {
		o.Lang = l
		p := map[string]any{"intl": map[string]any{"accept_languages": l}}
		for k, v := range o.Prefs {
			if k != "intl.accept_languages" {
				p[k] = v
			}
		}
		o.Prefs = p
	}
	o.Exe, o.Logf = exe, b.logs.printf
	br, err := chromium.Start(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := br.Close(); err != nil {
			tb.Log(err)
		}
		if tb.Failed() {
			tb.Logf("browser console:\n%s", b.logs.String())
		}
	})
	b.br, b.ctx = br, br.Ctx
	b.listenConsole(b.ctx, "agent")
	b.screenshotOnFailure(b.ctx, "agent")
	return b
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

// tab is one page: a visitor's shop tab or the agent's console.
type tab struct {
	b    *browser
	name string
	ctx  context.Context
	net  *chromium.Requests
	bcid cdp.BrowserContextID
	t    *chromium.Tab
}

// newVisitor opens a tab in a browser context of its own: its own storage
// and HTTP cache, as another shopper's browser would have.
func (b *browser) newVisitor(name string) *tab {
	tb := b.tb
	tb.Helper()
	t, err := b.br.NewIsolatedTab(10 * time.Second)
	if err != nil {
		tb.Fatalf("opening %s's tab: %v", name, err)
	}
	tb.Cleanup(t.Close)
	v := &tab{b: b, name: name, ctx: t.Ctx, net: &chromium.Requests{}, bcid: t.BrowserContext, t: t}
	chromedp.ListenTarget(v.ctx, v.net.Listen)
	b.listenConsole(v.ctx, name)
	b.screenshotOnFailure(v.ctx, name)
	return v
}

// agentTab is the browser's first tab, in the default browser context.
func (b *browser) agentTab() *tab {
	return &tab{b: b, name: "agent", ctx: b.ctx, t: b.br.FirstTab()}
}

// frame returns a context for an iframe target of this tab, closed with it.
func (v *tab) frame(id target.ID) context.Context {
	return v.t.Frame(id)
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
	step(tb, ctx, d+2*time.Second, "waiting for "+what, chromium.Poll(js, res, d))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// panelOpenJS is true while the chat panel is shown.
const panelOpenJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	return !!(h && h.shadowRoot && h.shadowRoot.querySelector('.p.o'));
})()`

// launcher waits for the launcher and returns its centre.
func (v *tab) launcher(tb testing.TB) chromium.Point {
	tb.Helper()
	var p chromium.Point
	poll(tb, v.ctx, 10*time.Second, "the launcher in the loader's shadow root", chromium.LauncherJS, &p)
	return p
}

// waitTiming waits for window.Parley.timing, set by the loader when a
// click made the chat interactive.
func (v *tab) waitTiming(tb testing.TB) chromium.Timing {
	tb.Helper()
	var tm chromium.Timing
	poll(tb, v.ctx, 30*time.Second, "window.Parley.timing (chat interactive after the click)", chromium.TimingJS, &tm)
	return tm
}

// chat attaches to the widget's iframe in this tab, a target of its own
// (site isolation). Targets in skip (an iframe that was replaced) are
// ignored.
func (v *tab) chat(tb testing.TB, skip ...target.ID) (context.Context, target.ID) {
	tb.Helper()
	return v.chatShowing(tb, "#composer", skip...)
}

// chatShowing is chat waiting for the element sel instead of the composer
// (the pre-chat form, "#prechat").
func (v *tab) chatShowing(tb testing.TB, sel string, skip ...target.ID) (context.Context, target.ID) {
	tb.Helper()
	id, err := v.t.WaitFrame(30*time.Second, chatPath, skip...)
	if err != nil {
		tb.Fatalf("%s's tab: %v", v.name, err)
	}
	ctx := v.frame(id)
	v.b.listenConsole(ctx, v.name+"/iframe")
	if err := chromedp.Run(ctx); err != nil {
		tb.Fatalf("attaching to the widget iframe %s: %v", id, err)
	}
	// The page arrives drawn (.widget-prerendered): the app has taken over
	// when that is gone.
	poll(tb, ctx, 30*time.Second, "the widget app ("+sel+") in the iframe",
		"!!document.querySelector("+jsString(sel)+") && !document.querySelector('.widget-prerendered')", nil)
	return ctx, id
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
		convs, err := m.DB.OpenConversations(web.DemoSiteID)
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
