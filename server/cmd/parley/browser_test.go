package main

// Real-browser end-to-end tests: Debian's chromium, driven by chromedp, on
// the demo shop (http://127.0.0.1:PORT) and Parley (http://localhost:PORT),
// two sites, so the widget runs in a real cross-site, out-of-process iframe.
// They run with PARLEY_BROWSER_TESTS=1 (make test sets it) after `make build`:
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run Browser -v ./server/cmd/parley/

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

func TestBrowserVisitorAgentRoundTrip(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	agentOnline(t, m)
	b := newBrowser(t, nil)
	parleyURL := m.Server.URL()
	question := "Do you ship whole beans to Lisbon? " + t.Name()
	reply := "We do, within three days."

	// Before intent the shop page loads the loader and nothing else of Parley.
	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "idling on the shop page", chromedp.Sleep(500*time.Millisecond))
	reqs := v.net.To(parleyURL + "/")
	loaderURL := parleyURL + "/s/" + web.DemoSiteID + "/widget.js"
	if len(reqs) != 1 || reqs[0].URL != loaderURL {
		var urls []string
		for _, r := range reqs {
			urls = append(urls, r.URL)
		}
		t.Fatalf("before any interaction the shop page requested from Parley:\n%s\nwant only %s", strings.Join(urls, "\n"), loaderURL)
	}
	if r := reqs[0]; r.Done {
		t.Logf("loader: %s, %.0f bytes transferred (headers included), Content-Encoding %q, status %d", r.URL, r.Size, r.Encoding, r.Status)
	}
	var hasFrame bool
	step(t, v.ctx, 5*time.Second, "looking for an iframe", chromedp.Evaluate(
		`!!document.querySelector('div[data-parley]').shadowRoot.querySelector('iframe')`, &hasFrame))
	if hasFrame {
		t.Fatalf("the loader created the chat iframe before any intent")
	}

	// A cold click: the iframe is created now. The pointer arrives with the
	// press, so the launcher's pointerenter creates the frame a moment before
	// the click handler runs; it is not ready yet, so this is not prefetched.
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	cold := v.waitTiming(t)
	t.Logf("cold click → interactive: %.0f ms (timing.prefetched=%v)", cold.Ms, cold.Prefetched)
	if cold.Prefetched {
		t.Errorf("window.Parley.timing.prefetched = true for a cold click, want false")
	}
	chat, chatID := v.chat(t)
	logTransfer(t, chat, "cold widget load")
	poll(t, v.ctx, 5*time.Second, "the chat panel to be open", panelOpenJS, nil)
	send(t, chat, "the visitor", question)
	poll(t, chat, 10*time.Second, "the visitor's message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", question), nil)

	// The agent, in the default browser context, logs in and answers.
	a := b.agentTab()
	step(t, a.ctx, 30*time.Second, "logging in to the console",
		chromedp.Navigate(parleyURL+"/console"),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", browserAgentEmail, chromedp.ByQuery),
		chromedp.SendKeys("#password", browserAgentPass, chromedp.ByQuery),
		chromedp.Click("#login", chromedp.ByQuery),
	)
	itemJS := fmt.Sprintf(`[...document.querySelectorAll('.inbox-item')].find(e => e.textContent.includes(%s))`, jsString(question))
	poll(t, a.ctx, 15*time.Second, "the conversation in the inbox", "!!"+itemJS, nil)
	step(t, a.ctx, 5*time.Second, "opening the conversation", chromedp.Click(itemJS, chromedp.ByJSPath))
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	send(t, a.ctx, "the agent", reply)
	waitMessage(t, chat, "the visitor", ".msg-agent", reply)

	// A reload brings the open conversation back with its history.
	step(t, v.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	var flag string
	step(t, v.ctx, 5*time.Second, "reading the loader's flags", chromedp.Evaluate(
		`localStorage.getItem('parley:`+web.DemoSiteID+`:conv') || ''`, &flag))
	if flag != "1" {
		t.Errorf("after a conversation started, localStorage parley:%s:conv = %q, want \"1\" (the iframe posts {type:'conversation', open:true})", web.DemoSiteID, flag)
	}
	chat2, _ := v.chat(t, chatID)
	waitMessage(t, chat2, "the visitor after a reload", ".msg-visitor", question)
	waitMessage(t, chat2, "the visitor after a reload", ".msg-agent", reply)

	// The console is installable.
	requireInstallable(t, a.ctx)

	// Hover prefetches the chat: a click then finds it ready. Until the
	// click, the warm chat holds no socket and stores no token.
	p := b.newVisitor("visitor2")
	step(t, p.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at = p.launcher(t)
	sockets := visitorSockets(t, m)
	step(t, p.ctx, 5*time.Second, "listening for the chat's ready event", chromedp.Evaluate(
		`window.__parleyReady = false; Parley('on', 'ready', () => { window.__parleyReady = true }); true`, nil))
	step(t, p.ctx, 5*time.Second, "hovering the launcher", chromedp.MouseEvent(input.MouseMoved, at.X, at.Y))
	poll(t, p.ctx, 30*time.Second, "the prefetched chat to be ready", `window.__parleyReady === true`, nil)
	var open bool
	step(t, p.ctx, 5*time.Second, "checking the panel", chromedp.Evaluate(panelOpenJS, &open))
	if open {
		t.Fatalf("hovering the launcher opened the chat; it should only prefetch it")
	}
	warmID, err := p.t.WaitFrame(10*time.Second, chatPath)
	if err != nil {
		t.Fatalf("finding the warm chat's iframe: %v", err)
	}
	var stored string
	step(t, p.frame(warmID), 5*time.Second, "reading the warm chat's storage", chromedp.Evaluate(`JSON.stringify(Object.keys(localStorage))`, &stored))
	if n := visitorSockets(t, m); n != sockets || stored != "[]" {
		t.Fatalf("after a hover, before any click: %d visitor sockets (want %d, as before the hover) and the chat's storage holds %s (want nothing)", n, sockets, stored)
	}
	step(t, p.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	warm := p.waitTiming(t)
	t.Logf("prefetched click → interactive: %.0f ms (timing.prefetched=%v)", warm.Ms, warm.Prefetched)
	if !warm.Prefetched {
		t.Errorf("window.Parley.timing.prefetched = false after a hover had made the chat ready, want true")
	}
	chat3, _ := p.chat(t)
	logTransfer(t, chat3, "prefetched widget load")
	deadline := time.Now().Add(10 * time.Second)
	for visitorSockets(t, m) <= sockets {
		if time.Now().After(deadline) {
			t.Fatalf("the opened chat did not connect: %d visitor sockets, as before the click", sockets)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// visitorSockets is the number of greeted visitor sockets the server holds.
func visitorSockets(tb testing.TB, m *Main) int64 {
	tb.Helper()
	rec := httptest.NewRecorder()
	m.Server.DebugHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/stats", nil))
	var st web.DebugStats
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		tb.Fatalf("reading /debug/stats: %v (%s)", err, rec.Body)
	}
	return st.VisitorSockets
}

// logTransfer logs what the widget page loaded, from its own resource
// timing (same-origin, so transfer sizes are visible).
func logTransfer(tb testing.TB, chat context.Context, what string) {
	tb.Helper()
	var r struct {
		N     int     `json:"n"`
		Total float64 `json:"total"`
		Wasm  float64 `json:"wasm"`
	}
	step(tb, chat, 5*time.Second, "reading resource timing", chromedp.Evaluate(`(() => {
		let n = 0, total = 0, wasm = 0;
		for (const e of performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))) {
			n++; total += e.transferSize;
			if (e.name.includes('.wasm')) wasm += e.transferSize;
		}
		return {n, total, wasm};
	})()`, &r))
	tb.Logf("%s: %d requests, %.0f KB transferred, of which wasm %.0f KB", what, r.N, r.Total/1024, r.Wasm/1024)
}

// requireInstallable waits until chromium has no installability error for
// the console: manifest, icons and service worker must have loaded.
func requireInstallable(tb testing.TB, ctx context.Context) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var errs []*page.InstallabilityError
		step(tb, ctx, 10*time.Second, "asking for installability errors", chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			errs, err = page.GetInstallabilityErrors().Do(ctx)
			return err
		}))
		if len(errs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			var list []string
			for _, e := range errs {
				s := e.ErrorID
				for _, a := range e.ErrorArguments {
					s += fmt.Sprintf(" %s=%s", a.Name, a.Value)
				}
				list = append(list, s)
			}
			tb.Fatalf("the console is not installable after 20 s: %s", strings.Join(list, "; "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestBrowserProactiveGreeting(t *testing.T) {
	requireBrowserTests(t)
	var greeting string
	m := startDemo(t, func(s *parley.Site) {
		s.Proactive.Enabled = true
		s.Proactive.DelaySeconds = 1
		s.Proactive.PagePattern = "*/products/*"
		greeting = s.Proactive.Message
	})
	b := newBrowser(t, nil)
	answer := "A fine grind for a moka pot, please."

	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening a product page", chromedp.Navigate(m.ShopURL+"/products/espresso"))
	v.launcher(t)
	// No click: the greeting opens the chat by itself.
	chat, chatID := v.chat(t)
	waitMessage(t, chat, "the visitor", ".msg-site", greeting)
	poll(t, v.ctx, 10*time.Second, "the greeting to open the panel", panelOpenJS, nil)
	send(t, chat, "the visitor", answer)
	poll(t, chat, 10*time.Second, "the answer to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", answer), nil)

	conv, msgs := transcript(t, m, 2)
	type row struct {
		seq        uint64
		kind, text string
	}
	want := []row{{1, parley.AuthorSite, greeting}, {2, parley.AuthorVisitor, answer}}
	var got []row
	for _, msg := range msgs {
		got = append(got, row{msg.Seq, msg.From.Kind, msg.Text})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("transcript of conversation %d:\n got %v\nwant %v", conv, got, want)
	}

	// At most once a day: a reload brings the conversation back but no new
	// greeting, even well after the delay.
	step(t, v.ctx, 20*time.Second, "reloading the product page", chromedp.Reload())
	var greeted string
	step(t, v.ctx, 5*time.Second, "reading the loader's flags", chromedp.Evaluate(
		`localStorage.getItem('parley:`+web.DemoSiteID+`:greeted') || ''`, &greeted))
	if today := time.Now().Format(time.DateOnly); greeted != today {
		t.Errorf("localStorage parley:%s:greeted = %q, want today, %q", web.DemoSiteID, greeted, today)
	}
	chat2, _ := v.chat(t, chatID)
	waitMessage(t, chat2, "the visitor after a reload", ".msg-visitor", answer)
	step(t, v.ctx, 10*time.Second, "staying on the page past the greeting's delay", chromedp.Sleep(2500*time.Millisecond))
	var open bool
	step(t, v.ctx, 5*time.Second, "checking the panel", chromedp.Evaluate(panelOpenJS, &open))
	if open {
		t.Errorf("after a reload on the day of the greeting, the chat opened by itself again")
	}
	if _, msgs := transcript(t, m, 2); len(msgs) != 2 {
		t.Errorf("after the reload the transcript holds %d messages, want 2", len(msgs))
	}
}

func TestBrowserWidgetRefusedOnForeignOrigin(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	b := newBrowser(t, nil)
	// Another loopback origin, not among the demo site's allowed origins. It
	// pastes the snippet, and also frames the chat page directly while
	// claiming to be the allowed shop.
	spoof := m.Server.URL() + chatPath + "?origin=" + m.ShopURL
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Elsewhere</title></head><body>
<button id="b" type="button" style="position:fixed;left:20px;top:20px;width:200px;height:60px">Count</button>
<output id="n">0</output>
<iframe id="spoof" src="%s" style="position:fixed;left:20px;top:120px;width:300px;height:300px"></iframe>
<script>
  window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments); };
  Parley('open');
  window.__spoofLoaded = false;
  document.getElementById('spoof').addEventListener('load', function () { window.__spoofLoaded = true; });
  document.getElementById('b').addEventListener('click', function () {
    var n = document.getElementById('n'); n.textContent = String(+n.textContent + 1);
  });
</script>
%s
</body></html>`, spoof, web.Snippet(m.Server.URL(), web.DemoSiteID))
	}))
	t.Cleanup(foreign.Close)
	if strings.Contains(strings.Join(mustSite(t, m).AllowedOrigins, " "), foreign.URL) {
		t.Fatalf("%s is among the allowed origins; the test needs a foreign one", foreign.URL)
	}

	v := b.newVisitor("foreigner")
	step(t, v.ctx, 20*time.Second, "opening the foreign page", chromedp.Navigate(foreign.URL+"/"))
	// The loader says why it draws nothing.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.logs.String(), "is not allowed") {
		if time.Now().After(deadline) {
			t.Fatalf("no console warning from the loader about the foreign origin after 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	poll(t, v.ctx, 10*time.Second, "the spoofing iframe's load event", `window.__spoofLoaded === true`, nil)

	var state struct {
		Host   bool `json:"host"`
		Frames int  `json:"frames"`
	}
	step(t, v.ctx, 5*time.Second, "inspecting the page", chromedp.Evaluate(
		`({host: !!document.querySelector('[data-parley]'), frames: document.querySelectorAll('iframe').length})`, &state))
	if state.Host || state.Frames != 1 {
		t.Errorf("on a foreign origin: launcher host drawn = %v, iframes = %d; want no launcher and only the page's own iframe", state.Host, state.Frames)
	}
	infos, err := chromedp.Targets(v.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Chromium keeps a target for the refused frame, with the chat's URL,
	// but its document must be the error page, not the chat's shell.
	for _, in := range infos {
		if in.BrowserContextID != v.bcid || in.Type != "iframe" {
			continue
		}
		ctx := v.frame(in.TargetID) // closed with the tab: closing an iframe target closes its page
		var doc struct {
			URL   string `json:"url"`
			Shell bool   `json:"shell"`
		}
		step(t, ctx, 10*time.Second, "inspecting the framed page "+in.URL, chromedp.Evaluate(
			`({url: location.href, shell: !!document.querySelector('#app-wasm-loader, script[src*="wasm_exec"]')})`, &doc))
		t.Logf("iframe target %s holds %s", in.URL, doc.URL)
		if doc.Shell || strings.Contains(doc.URL, chatPath) {
			t.Errorf("a foreign page could frame the chat: its iframe holds %s (chat shell present: %v)", doc.URL, doc.Shell)
		}
	}

	// The page itself still works.
	step(t, v.ctx, 5*time.Second, "clicking the page's own button", chromedp.MouseClickXY(120, 50))
	var n string
	step(t, v.ctx, 5*time.Second, "reading the counter", chromedp.Text("#n", &n, chromedp.ByQuery))
	if n != "1" {
		t.Errorf("the page's own button counted %q after one click, want \"1\"", n)
	}
}

func mustSite(tb testing.TB, m *Main) parley.Site {
	tb.Helper()
	s, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestBrowserSurvivesBlockedStorage(t *testing.T) {
	requireBrowserTests(t)
	// Online, so that the chat is open; assigning by hand, so that the
	// log holds the one message.
	m := startDemo(t, func(s *parley.Site) { s.Routing.Manual = true })
	agentOnline(t, m)
	// "Block all site data": localStorage throws, in the shop page and in
	// the widget's iframe alike.
	b := newBrowser(t, map[string]any{
		"profile": map[string]any{"default_content_setting_values": map[string]any{"cookies": 2}},
	})
	v := b.agentTab() // preferences apply to the default browser context
	v.name = "visitor"
	text := "Is my order on its way? " + t.Name()

	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	var blocked bool
	step(t, v.ctx, 5*time.Second, "probing storage", chromedp.Evaluate(
		`(() => { try { localStorage.setItem('probe', '1'); return false } catch (e) { return true } })()`, &blocked))
	if !blocked {
		t.Fatalf("localStorage works on the shop page: the site-data block did not take effect, the test would prove nothing")
	}
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	tm := v.waitTiming(t)
	t.Logf("blocked storage: click → interactive %.0f ms", tm.Ms)
	chat, _ := v.chat(t)
	send(t, chat, "the visitor", text)
	poll(t, chat, 10*time.Second, "the message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", text), nil)
	if _, msgs := transcript(t, m, 1); len(msgs) != 1 || msgs[0].Text != text {
		t.Errorf("stored transcript %+v, want the one message %q", msgs, text)
	}
}
