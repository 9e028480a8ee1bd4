// Package chromium drives Debian's chromium through chromedp for Parley's
// real-browser tests and the widget benchmark: a browser with a fresh
// profile and the flags a shopper's browser would have (site isolation on),
// visitor tabs in browser contexts of their own, the widget's cross-site
// iframe reached as its own target, and what the loader exposes to pages
// (the launcher, window.Parley.timing).
//
// It may import chromedp, cdproto and the standard library; nothing of
// Parley's, so that the browser side stays a black box to the server.
package chromium

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Exe is the name of Debian's chromium binary.
const Exe = "chromium"

// LookPath finds chromium on PATH.
func LookPath() (string, error) {
	exe, err := exec.LookPath(Exe)
	if err != nil {
		return "", fmt.Errorf("chromium: %w (install Debian's chromium package)", err)
	}
	return exe, nil
}

// Options start a browser.
type Options struct {
	// Exe is the chromium binary; empty looks it up on PATH.
	Exe string
	// Prefs, if set, is written as the profile's Preferences file before
	// the start (for example to block all site data).
	Prefs map[string]any
	// Lang, if set, is the browser's languages ("pl-PL,pl"): its UI
	// language and Accept-Language, and navigator.languages in every
	// browser context, the isolated ones too (Prefs reach only the
	// default one).
	Lang string
	// Logf receives chromedp's log and error lines; nil drops them.
	Logf func(format string, args ...any)
	// Budget bounds the browser's whole life, whatever hangs; 0 means 90 s.
	Budget time.Duration
	// SharedIframes turns site isolation off: a cross-site iframe runs in
	// its page's renderer, as on Android's Chrome for most sites, so that
	// throttling the page (Conditions) throttles the iframe with it.
	SharedIframes bool
}

// Browser is one chromium process with a profile of its own.
type Browser struct {
	// Ctx is the first tab, in the default (non-incognito) browser context:
	// only there is an app installable, and only there do Prefs apply.
	Ctx context.Context

	exe     string
	dir     string
	cancels []context.CancelFunc // innermost first
}

// Start launches chromium with a fresh profile and opens its first tab.
func Start(o Options) (*Browser, error) {
	exe := o.Exe
	if exe == "" {
		var err error
		if exe, err = LookPath(); err != nil {
			return nil, err
		}
	}
	if o.Budget == 0 {
		o.Budget = 90 * time.Second
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	// Not a test's TempDir: chromium's helper processes may still be
	// writing the profile for a moment after the browser exited.
	dir, err := os.MkdirTemp("", "parley-chromium-")
	if err != nil {
		return nil, fmt.Errorf("chromium: profile: %w", err)
	}
	if o.Prefs != nil {
		if err := writePrefs(dir, o.Prefs); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	b := &Browser{exe: exe, dir: dir}
	root, cancelRoot := context.WithTimeout(context.Background(), o.Budget)
	opts := allocatorOptions(exe, dir, !o.SharedIframes)
	if o.Lang != "" {
		first, _, _ := strings.Cut(o.Lang, ",")
		opts = append(opts, chromedp.Flag("lang", first), chromedp.Flag("accept-lang", o.Lang))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx,
		chromedp.WithErrorf(func(f string, a ...any) { logf("chromedp: "+f, a...) }),
		chromedp.WithLogf(func(f string, a ...any) { logf("chromedp: "+f, a...) }),
	)
	b.Ctx = ctx
	b.cancels = []context.CancelFunc{cancelCtx, cancelAlloc, cancelRoot}
	if err := chromedp.Run(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("chromium: starting %s: %w", exe, err)
	}
	return b, nil
}

// allocatorOptions are chromedp's defaults plus what a test machine needs
// (no sandbox as root, no GPU) and what makes the browser quiet, with
// site isolation turned back on.
func allocatorOptions(exe, dir string, isolate bool) []chromedp.ExecAllocatorOption {
	disable := "Translate"
	if !isolate {
		disable += ",site-per-process,IsolateOrigins"
	}
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // tests and benchmarks run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// chromedp's defaults turn site isolation off; shoppers have it, and
		// the widget must run as a real out-of-process iframe.
		chromedp.Flag("disable-features", disable),
		chromedp.Flag("site-per-process", isolate),
		chromedp.Flag("disable-site-isolation-trials", !isolate),
		chromedp.WindowSize(1280, 900),
	)
}

func writePrefs(dir string, prefs map[string]any) error {
	b, err := json.Marshal(prefs)
	if err != nil {
		return fmt.Errorf("chromium: preferences: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
		return fmt.Errorf("chromium: preferences: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), b, 0o600); err != nil {
		return fmt.Errorf("chromium: preferences: %w", err)
	}
	return nil
}

// Close ends the browser, gracefully first so that the profile is flushed,
// and removes the profile.
func (b *Browser) Close() error {
	cctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	chromedp.Cancel(cctx)
	cancel()
	for _, c := range b.cancels {
		c()
	}
	return removeProfile(b.dir)
}

// removeProfile deletes a profile directory, retrying while the browser's
// last helper processes finish writing into it.
func removeProfile(dir string) error {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("chromium: removing the profile %s: %w", dir, err)
}

// Tab is one page target and the chromedp context that drives it.
type Tab struct {
	Ctx context.Context
	// BrowserContext is the tab's own browser context; empty for the
	// browser's first tab.
	BrowserContext cdp.BrowserContextID

	b       *Browser
	cancel  context.CancelFunc
	frames  []context.CancelFunc
	dispose func()
}

// FirstTab is the browser's first tab, in the default browser context.
func (b *Browser) FirstTab() *Tab {
	return &Tab{Ctx: b.Ctx, b: b}
}

// NewIsolatedTab opens a tab in a browser context of its own: its own
// storage and HTTP cache, as another shopper's browser would have. The
// context and its window are made here rather than with
// chromedp.WithNewBrowserContext: headless chromium opens a tab in a new
// browser context only in a new window ("Failed to open new tab - no
// browser is open"). The tab is attached but has not navigated, so
// listeners added now see everything it loads.
func (b *Browser) NewIsolatedTab(timeout time.Duration) (*Tab, error) {
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	var bcid cdp.BrowserContextID
	var tid target.ID
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		exec := b.browserExecutor(ctx)
		var err error
		if bcid, err = target.CreateBrowserContext().WithDisposeOnDetach(true).Do(exec); err != nil {
			return err
		}
		tid, err = target.CreateTarget("about:blank").WithBrowserContextID(bcid).WithNewWindow(true).Do(exec)
		return err
	}))
	t := &Tab{b: b, BrowserContext: bcid}
	if bcid != "" {
		t.dispose = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			target.DisposeBrowserContext(bcid).Do(b.browserExecutor(ctx))
		}
	}
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("chromium: creating a browser context: %w", err)
	}
	t.Ctx, t.cancel = chromedp.NewContext(b.Ctx, chromedp.WithTargetID(tid))
	if err := chromedp.Run(t.Ctx); err != nil {
		t.Close()
		return nil, fmt.Errorf("chromium: attaching to the new tab: %w", err)
	}
	return t, nil
}

// browserExecutor runs commands on the browser rather than on a target.
func (b *Browser) browserExecutor(ctx context.Context) context.Context {
	return cdp.WithExecutor(ctx, chromedp.FromContext(b.Ctx).Browser)
}

// Close closes the tab, the iframes attached to, and its browser context.
func (t *Tab) Close() {
	if t.cancel != nil {
		t.cancel()
	}
	for _, c := range t.frames {
		c()
	}
	if t.dispose != nil {
		t.dispose()
	}
}

// WaitFrame waits up to d for an iframe target of this tab's browser
// context whose URL contains urlPart, ignoring those in skip (an iframe
// that was replaced). Site isolation puts a cross-site iframe in its own
// renderer, a separate target of type "iframe".
func (t *Tab) WaitFrame(d time.Duration, urlPart string, skip ...target.ID) (target.ID, error) {
	deadline := time.Now().Add(d)
	var seen []string
	for {
		infos, err := chromedp.Targets(t.Ctx)
		if err != nil {
			return "", fmt.Errorf("chromium: listing targets: %w", err)
		}
		seen = seen[:0]
		for _, in := range infos {
			seen = append(seen, in.Type+" "+in.URL)
			if in.Type != "iframe" || !strings.Contains(in.URL, urlPart) ||
				(t.BrowserContext != "" && in.BrowserContextID != t.BrowserContext) || contains(skip, in.TargetID) {
				continue
			}
			return in.TargetID, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("chromium: no out-of-process iframe with %s after %s; targets:\n%s", urlPart, d, strings.Join(seen, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Frame returns a context for the iframe target id, not attached yet (run
// it to attach). It is cancelled only with the tab: cancelling it closes the
// target, and closing an iframe target closes the page around it.
func (t *Tab) Frame(id target.ID) context.Context {
	ctx, cancel := chromedp.NewContext(t.Ctx, chromedp.WithTargetID(id))
	t.frames = append(t.frames, cancel)
	return ctx
}

func contains(ids []target.ID, id target.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Poll waits, up to d, for the JavaScript expression js to be truthy and
// stores its value in res. It polls on a timer, not on animation frames: a
// hidden iframe gets none.
func Poll(js string, res any, d time.Duration) chromedp.Action {
	return chromedp.Poll(js, res, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d))
}

// LauncherJS finds the loader's launcher inside the open shadow root of the
// host element it appends to the body, and returns its centre, or null
// while it is not drawn.
const LauncherJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	const l = h && h.shadowRoot && h.shadowRoot.querySelector('button.l');
	if (!l) return null;
	const r = l.getBoundingClientRect();
	return r.width > 0 ? {x: r.left + r.width / 2, y: r.top + r.height / 2} : null;
})()`

// Point is a position in CSS pixels.
type Point struct{ X, Y float64 }

// Launcher waits up to d for the launcher and returns its centre.
func Launcher(ctx context.Context, d time.Duration) (Point, error) {
	var p Point
	err := runFor(ctx, d, Poll(LauncherJS, &p, d))
	if err != nil {
		return p, fmt.Errorf("chromium: waiting for the launcher: %w", err)
	}
	return p, nil
}

// Timing is window.Parley.timing, set by the loader when a click made the
// chat interactive: Ms from the click to a composer the visitor can type
// into (the prerendered page's), whether a hover had already made the chat
// ready, and App from the click to the widget's app running (absent, 0,
// until then).
type Timing struct {
	Ms         float64 `json:"ms"`
	Prefetched bool    `json:"prefetched"`
	App        float64 `json:"app"`
}

// TimingJS reads window.Parley.timing, null until the chat is interactive.
const TimingJS = `window.Parley && window.Parley.timing`

// WaitTiming waits up to d for window.Parley.timing.
func WaitTiming(ctx context.Context, d time.Duration) (Timing, error) {
	var tm Timing
	if err := runFor(ctx, d, Poll(TimingJS, &tm, d)); err != nil {
		return tm, fmt.Errorf("chromium: waiting for window.Parley.timing: %w", err)
	}
	return tm, nil
}

// runFor runs actions with a little more than d, so that a poll's own
// timeout reports first.
func runFor(ctx context.Context, d time.Duration, actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(ctx, d+2*time.Second)
	defer cancel()
	err := chromedp.Run(ctx, actions...)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not within %s", d)
	}
	return err
}
