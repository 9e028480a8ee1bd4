package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/chromium"
)

// demoSite is the site `parley -demo` creates; its shop page carries the
// snippet.
const demoSite = "demo"

// runWidget measures what the widget costs a shop page, in headless
// chromium with site isolation: the shop on 127.0.0.1, Parley on
// localhost, two sites, so the chat is a real cross-site iframe.
func runWidget(ctx context.Context, cfg config, sec *section) error {
	runs := 5
	if cfg.quick {
		runs = 2
	}
	sec.title = "Widget cost"
	sec.browser = true
	exe, err := chromium.LookPath()
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, cfg, serverOptions{demo: true})
	if err != nil {
		return err
	}
	defer srv.stop()

	// Sizes over the wire, per encoding.
	loaderURL := srv.url + "/s/" + demoSite + "/widget.js"
	var loader [3]int
	for i, enc := range []string{"identity", "gzip", "br"} {
		if loader[i], err = bodySize(ctx, loaderURL, enc); err != nil {
			return err
		}
	}
	page, err := fetch(ctx, srv.url+"/chat/"+demoSite+"?origin="+url.QueryEscape(srv.shopURL), "identity")
	if err != nil {
		return err
	}
	wasmPath := regexp.MustCompile(`/assets/widget\.[A-Za-z0-9_.-]+\.wasm`).Find(page)
	if wasmPath == nil {
		return errors.New("no widget wasm URL in the widget page")
	}
	var wasm [2]int
	for i, enc := range []string{"identity", "br"} {
		if wasm[i], err = bodySize(ctx, srv.url+string(wasmPath), enc); err != nil {
			return err
		}
	}

	br, err := chromium.Start(chromium.Options{Exe: exe, Budget: 5 * time.Minute})
	if err != nil {
		return err
	}
	defer br.Close()

	// Before intent: the shop page, idle for a second, no pointer near the
	// launcher.
	before, frames, err := beforeIntent(br, srv)
	if err != nil {
		return err
	}
	var urls []string
	var onWire float64
	for _, r := range before {
		urls = append(urls, strings.TrimPrefix(r.URL, srv.url))
		onWire += r.Size
	}
	onlyLoader := len(before) == 1 && before[0].URL == loaderURL && frames == 0
	sec.add("requests to Parley before intent", fmt.Sprintf("%d: %s", len(before), strings.Join(urls, ", ")), "only widget.js", judge(onlyLoader))
	sec.add("bytes from Parley before intent", kb(onWire)+" on the wire, headers included", "≤ 5 KB", judge(onlyLoader && onWire <= 5*1024))
	sec.add("widget.js raw / gzip / brotli", fmt.Sprintf("%s / %s / %s", kb(float64(loader[0])), kb(float64(loader[1])), kb(float64(loader[2]))), "", noTarget)
	sec.add("widget wasm raw / brotli", fmt.Sprintf("%s / %s", kb(float64(wasm[0])), kb(float64(wasm[1]))), "", noTarget)

	// The demo asks for a topic first, and with nobody online for an email:
	// its chat page then waits for the app, composer disabled. The figures
	// are of a site that answers, without a form.
	stopAgent, err := shopAnswers(ctx, srv)
	if err != nil {
		return fmt.Errorf("turning the demo's pre-chat form off, its agent online: %w", err)
	}
	defer stopAgent()

	var cold, warm []clickRun
	for range runs {
		tm, err := clickToInteractive(br, srv, false, nil)
		if err != nil {
			return fmt.Errorf("cold click: %w", err)
		}
		cold = append(cold, tm)
	}
	for range runs {
		tm, err := clickToInteractive(br, srv, true, nil)
		if err != nil {
			return fmt.Errorf("click after hover: %w", err)
		}
		warm = append(warm, tm)
	}
	clickMs := func(r clickRun) float64 { return r.Ms }
	coldMed, warmMed := median(cold, clickMs), median(warm, clickMs)
	sec.add(fmt.Sprintf("click → interactive, cold (median of %d)", runs), fmt.Sprintf("%.0f ms", coldMed), "≤ 0.6 s", judge(coldMed <= 600))
	sec.add(fmt.Sprintf("click → interactive, after hover prefetch (median of %d)", runs), fmt.Sprintf("%.0f ms", warmMed), "≤ 0.15 s", judge(warmMed <= 150))
	// The page arrives drawn and its composer works before the wasm
	// (issue 9): timing.ms is click → composer usable, timing.app click →
	// the app running.
	appMs := func(r clickRun) float64 { return r.App }
	sec.add(fmt.Sprintf("click → composer usable, desktop cold (median of %d)", runs), fmt.Sprintf("%.0f ms (app running at %.0f ms)", coldMed, median(cold, appMs)), "≤ 0.3 s", judge(coldMed <= 300))
	// Slow 4G, 4× CPU: throttling applies per target and an out-of-process
	// iframe escapes its tab's, so this browser keeps iframes in their
	// page's renderer (as Android's Chrome does for most sites).
	sbr, err := chromium.Start(chromium.Options{Exe: exe, Budget: 10 * time.Minute, SharedIframes: true})
	if err != nil {
		return err
	}
	defer sbr.Close()
	var slow []clickRun
	for range runs {
		c := chromium.Slow4G
		tm, err := clickToInteractive(sbr, srv, false, &c)
		if err != nil {
			return fmt.Errorf("cold click on Slow 4G: %w", err)
		}
		slow = append(slow, tm)
	}
	slowMed := median(slow, clickMs)
	sec.add(fmt.Sprintf("click → composer usable, Slow 4G ×4 CPU (median of %d)", runs), fmt.Sprintf("%.0f ms (app running at %.0f ms)", slowMed, median(slow, appMs)), "≤ 1 s", judge(slowMed <= 1000))

	sec.setup = append(sec.setup, fmt.Sprintf(
		"Headless Debian chromium (%s) with site isolation, the flags of the browser tests (`server/internal/chromium`). "+
			"Parley on `http://localhost:PORT`, the demo shop on `http://127.0.0.1:PORT3`: two sites, so the chat is a cross-site, out-of-process iframe. "+
			"Every page load is in a fresh browser context (its own HTTP cache: a cold load, as on a shop the visitor never chatted on). "+
			"Click → interactive is `window.Parley.timing.ms`, measured by the loader from the click to the chat's ready message, which the chat's page "+
			"(drawn by the server) posts as soon as its composer takes input, before the wasm runs; \"app running\" is `timing.app`, the click to the wasm app's own message. "+
			"The Slow 4G row throttles the shop's tab as DevTools does (Lighthouse's mobileSlow4G: 562.5 ms latency, 1,474.56 kbps down, 675 kbps up, CPU ×4) "+
			"in a browser that keeps iframes in their page's renderer, so that the tab's throttling covers the chat. "+
			"For the prefetched case the pointer first hovers the launcher, the chat loads hidden, then the click. "+
			"Sizes by encoding are the body lengths of GET requests with `Accept-Encoding: identity`, `gzip` and `br`. "+
			"Server: `%s`.", chromiumVersion(br), srv.command()))
	row := func(ts []clickRun) string {
		var s []string
		for _, t := range ts {
			p := ""
			if t.Prefetched {
				p = " (prefetched)"
			}
			s = append(s, fmt.Sprintf("%.0f ms%s", t.Ms, p))
		}
		return strings.Join(s, ", ")
	}
	sec.details = append(sec.details, mdTable([]string{"run", "click → interactive, each run"},
		[][]string{{"cold", row(cold)}, {"after hover", row(warm)}, {chromium.Slow4G.Name + ", cold", row(slow)}}))
	doc := median(cold, func(r clickRun) float64 { return r.frame.Doc })
	wasmEnd := median(cold, func(r clickRun) float64 { return r.frame.WasmEnd })
	wasmWire := median(cold, func(r clickRun) float64 { return r.frame.WasmSize })
	sec.details = append(sec.details, fmt.Sprintf("Where a cold click's time goes (medians, from the chat iframe's own performance timeline, "+
		"which starts when the loader creates the iframe, at the click): the chat page's HTML is in at %.0f ms, drawn, its composer taking input "+
		"(interactive, %.0f ms after the click); the wasm (%s on the wire, "+
		"decompressed and compiled by the browser as it streams in) has been read by %.0f ms; the remaining %.0f ms until the app runs are the end of "+
		"compilation, starting the Go runtime and go-app, the first render and the app's message.",
		doc, coldMed, kb(wasmWire), wasmEnd, median(cold, appMs)-wasmEnd))
	if coldMed > 600 {
		sec.note("The cold target is missed. Over loopback the network is not the cost: the wasm response, read as the browser decompresses and compiles it, "+
			"ends at %.0f ms; compiling %s of WebAssembly, starting the Go runtime and go-app and the first render take the time, "+
			"on two cores shared with the server and everything else on the machine "+
			"(the design notes measured 0.4–0.6 s on a desktop). Here the pointer arrives with the press, the worst case (a tap on a touch screen); "+
			"a mouse reaches the launcher a few hundred milliseconds before it presses, and the loader's hover prefetch starts then, which the second row shows "+
			"removes nearly all of the wait. Lowering the cold figure itself means less for the browser to compile and run before the first render: "+
			"a smaller widget binary, or less work in the widget's start-up (a CPU profile of the iframe would say which).",
			wasmEnd, kb(float64(wasm[0])))
	}
	for _, r := range cold {
		if r.Prefetched {
			sec.note("A cold run reported `prefetched: true`: the chat was ready before the click, so that run does not measure a cold load.")
			break
		}
	}
	for _, r := range warm {
		if !r.Prefetched {
			sec.note("A run after hover reported `prefetched: false`: the hover did not make the chat ready before the click.")
			break
		}
	}
	return nil
}

// shopAnswers turns the demo site's pre-chat form off and keeps its agent
// online (a socket read until stop), as that agent, whose password the
// running server's admin socket sets.
func shopAnswers(ctx context.Context, srv *server) (stop func(), err error) {
	const email = "demo@parley.local"
	if err := srv.admin(ctx, "agent", "passwd", "-email", email, "-data", srv.dir); err != nil {
		return nil, err
	}
	sess, err := srv.login(ctx, email)
	if err != nil {
		return nil, err
	}
	var sites []parley.Site
	if err := srv.api(ctx, sess, http.MethodGet, "/api/sites", nil, &sites); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sites, func(s parley.Site) bool { return s.ID == demoSite })
	if i < 0 {
		return nil, fmt.Errorf("GET /api/sites: no site %q", demoSite)
	}
	site := sites[i]
	site.Routing.PreChat.Enabled = false
	if err := srv.api(ctx, sess, http.MethodPut, "/api/sites/"+demoSite, site, nil); err != nil {
		return nil, err
	}
	c, err := dialSocket(ctx, srv.wsURL, sess.cookie)
	if err != nil {
		return nil, err
	}
	if err := writeFrame(ctx, c, parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent}); err != nil {
		c.CloseNow()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	go func() {
		for {
			if _, _, err := c.Read(rctx); err != nil {
				return
			}
		}
	}()
	return func() { cancel(); c.CloseNow() }, nil
}

// beforeIntent opens the shop page in a fresh browser context, waits for
// the launcher and a second more, and returns the requests made to Parley
// and the number of iframes the loader made.
func beforeIntent(br *chromium.Browser, srv *server) ([]chromium.Request, int, error) {
	t, err := br.NewIsolatedTab(10 * time.Second)
	if err != nil {
		return nil, 0, err
	}
	defer t.Close()
	reqs := &chromium.Requests{}
	chromedp.ListenTarget(t.Ctx, reqs.Listen)
	if err := runFor(t.Ctx, 20*time.Second, chromedp.Navigate(srv.shopURL+"/")); err != nil {
		return nil, 0, fmt.Errorf("opening the shop page: %w", err)
	}
	if _, err := chromium.Launcher(t.Ctx, 10*time.Second); err != nil {
		return nil, 0, err
	}
	var frames int
	if err := runFor(t.Ctx, 5*time.Second, chromedp.Sleep(time.Second), chromedp.Evaluate(
		`(() => { const h = document.querySelector('div[data-parley]'); return h && h.shadowRoot ? h.shadowRoot.querySelectorAll('iframe').length : 0 })()`, &frames)); err != nil {
		return nil, 0, err
	}
	return reqs.To(srv.url + "/"), frames, nil
}

// clickRun is one click on the launcher: the loader's timing, and where
// the chat's iframe spent it, from its own performance timeline (ms after
// the iframe's navigation started).
type clickRun struct {
	chromium.Timing
	frame frameTiming
}

type frameTiming struct {
	Doc      float64 `json:"doc"`      // the chat page's HTML received
	WasmEnd  float64 `json:"wasmEnd"`  // the wasm downloaded
	WasmSize float64 `json:"wasmSize"` // bytes of it on the wire
}

const frameTimingJS = `(() => {
	const n = performance.getEntriesByType('navigation')[0];
	const w = performance.getEntriesByType('resource').find(e => e.name.includes('.wasm'));
	return {doc: n ? n.responseEnd : 0, wasmEnd: w ? w.responseEnd : 0, wasmSize: w ? w.transferSize : 0};
})()`

// clickToInteractive opens the shop page in a fresh browser context and
// clicks the launcher, after hovering it until the chat is ready if
// prefetch is set, and returns the loader's timing.
//
// With throttle set, the tab is throttled once its launcher is drawn (the
// browser must keep iframes in their page's renderer, SharedIframes), and
// the run waits for the app as well as the composer.
func clickToInteractive(br *chromium.Browser, srv *server, prefetch bool, throttle *chromium.Conditions) (clickRun, error) {
	t, err := br.NewIsolatedTab(10 * time.Second)
	if err != nil {
		return clickRun{}, err
	}
	defer t.Close()
	if err := runFor(t.Ctx, 20*time.Second, chromedp.Navigate(srv.shopURL+"/")); err != nil {
		return clickRun{}, fmt.Errorf("opening the shop page: %w", err)
	}
	at, err := chromium.Launcher(t.Ctx, 10*time.Second)
	if err != nil {
		return clickRun{}, err
	}
	if prefetch {
		if err := runFor(t.Ctx, 35*time.Second,
			chromedp.Evaluate(`window.__parleyReady = false; Parley('on', 'ready', () => { window.__parleyReady = true }); true`, nil),
			chromedp.MouseEvent(input.MouseMoved, at.X, at.Y),
			chromium.Poll(`window.__parleyReady === true`, nil, 30*time.Second),
		); err != nil {
			return clickRun{}, fmt.Errorf("hovering until the chat is ready: %w", err)
		}
	}
	if throttle != nil {
		if err := runFor(t.Ctx, 5*time.Second, throttle.Apply()); err != nil {
			return clickRun{}, fmt.Errorf("throttling: %w", err)
		}
	}
	if err := runFor(t.Ctx, 5*time.Second, chromedp.MouseClickXY(at.X, at.Y)); err != nil {
		return clickRun{}, fmt.Errorf("clicking the launcher: %w", err)
	}
	var tm chromium.Timing
	// Until the app runs, for its time too.
	if err := runFor(t.Ctx, 120*time.Second, chromium.Poll(`window.Parley.timing && window.Parley.timing.app !== undefined && window.Parley.timing`, &tm, 118*time.Second)); err != nil {
		return clickRun{}, fmt.Errorf("waiting for the chat and its app: %w", err)
	}
	run := clickRun{Timing: tm}
	if throttle != nil {
		return run, nil // the iframe is no target of its own
	}
	id, err := t.WaitFrame(10*time.Second, "/chat/"+demoSite)
	if err != nil {
		return clickRun{}, err
	}
	if err := runFor(t.Frame(id), 10*time.Second, chromedp.Evaluate(frameTimingJS, &run.frame)); err != nil {
		return clickRun{}, fmt.Errorf("reading the chat's performance timeline: %w", err)
	}
	return run, nil
}

func runFor(ctx context.Context, d time.Duration, actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

// median of what f reads from each run.
func median(runs []clickRun, f func(clickRun) float64) float64 {
	if len(runs) == 0 {
		return 0
	}
	ms := make([]float64, len(runs))
	for i, r := range runs {
		ms[i] = f(r)
	}
	slices.Sort(ms)
	if len(ms)%2 == 1 {
		return ms[len(ms)/2]
	}
	return (ms[len(ms)/2-1] + ms[len(ms)/2]) / 2
}

func chromiumVersion(br *chromium.Browser) string {
	var v string
	if err := runFor(br.Ctx, 5*time.Second, chromedp.Evaluate(`navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] || ''`, &v)); err != nil || v == "" {
		return "version unknown"
	}
	return strings.TrimSuffix(strings.Replace(v, "Chrome/", "version ", 1), ".0.0.0")
}

// fetch GETs u with one Accept-Encoding and returns the body as sent.
func fetch(ctx context.Context, u, enc string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept-Encoding", enc)
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	want := enc
	if enc == "identity" {
		want = ""
	}
	if got := resp.Header.Get("Content-Encoding"); got != want {
		return nil, fmt.Errorf("GET %s with Accept-Encoding %s: Content-Encoding %q", u, enc, got)
	}
	return body, nil
}

func bodySize(ctx context.Context, u, enc string) (int, error) {
	b, err := fetch(ctx, u, enc)
	return len(b), err
}
