package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// teaserJS is the teaser beside the launcher: its text and centre, null
// while none shows.
const teaserJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	const t = h && h.shadowRoot && h.shadowRoot.querySelector('.q');
	if (!t || t.hidden) return null;
	const r = t.querySelector('.qt').getBoundingClientRect();
	return r.width > 0 ? {text: t.querySelector('.qt').textContent, x: r.left + r.width / 2, y: r.top + r.height / 2} : null;
})()`

// parleyStorageJS lists the loader's keys in the shop's storage.
const parleyStorageJS = `Object.keys(localStorage).filter(k => k.startsWith('parley:')).join(',')`

type teaserState struct {
	Text string  `json:"text"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
}

// TestBrowserAnnouncementWindow: an announcement in its window shows as a
// teaser beside the launcher (writing nothing) and as a banner at the top
// of the open chat; past and future ones show nowhere; one whose window
// starts while the chat is open appears then.
func TestBrowserAnnouncementWindow(t *testing.T) {
	requireBrowserTests(t)
	src := axeSource(t)
	const (
		nowText    = "Winter sale: <b>20%</b> off all beans"
		pastText   = "Autumn sale, long over"
		futureText = "Summer sale, years away"
		soonText   = "Starting any moment now"
	)
	past := parley.Announcement{Text: pastText, From: "2020-01-01", Until: "2020-12-31", Teaser: true}
	future := parley.Announcement{Text: futureText, From: "2098-01-01", Teaser: true}
	m := startDemo(t, func(s *parley.Site) {
		s.Proactive.Enabled = false // no greeting writing storage
		s.Announcements = []parley.Announcement{past, future,
			{Text: nowText, Link: "https://shop.example/sale", From: "2020-01-01", Until: "2099-12-31", Teaser: true}}
	})
	agentOnline(t, m)
	b := newBrowser(t, nil)

	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	v.launcher(t)
	var teaser teaserState
	poll(t, v.ctx, 10*time.Second, "the teaser beside the launcher", teaserJS, &teaser)
	if teaser.Text != nowText {
		t.Errorf("teaser %q, want %q", teaser.Text, nowText)
	}
	var keys string
	step(t, v.ctx, 5*time.Second, "reading the shop's storage", chromedp.Evaluate(parleyStorageJS, &keys))
	if keys != "" {
		t.Errorf("showing the teaser wrote storage: %s", keys)
	}
	if reqs := v.net.To(m.Server.URL() + chatPath); len(reqs) != 0 {
		t.Errorf("the teaser loaded the chat: %+v", reqs)
	}
	// The shop page is the shop's: axe looks at the loader's part only.
	var axeOut []axeViolation
	step(t, v.ctx, 10*time.Second, "loading axe-core into the shop page", chromedp.Evaluate(src+";true", nil))
	step(t, v.ctx, 30*time.Second, "running axe-core on the launcher and teaser", awaitJS(
		`axe.run({include: [['div[data-parley]']]}, {resultTypes: ['violations']}).then(r => r.violations)`, &axeOut))
	for _, v := range axeOut {
		t.Errorf("axe on the launcher and teaser: %s", v)
	}

	// A click on the teaser opens the chat, whose banner says it all.
	step(t, v.ctx, 5*time.Second, "clicking the teaser", chromedp.MouseClickXY(teaser.X, teaser.Y))
	chat, _ := v.chat(t)
	poll(t, v.ctx, 10*time.Second, "the panel open", panelOpenJS, nil)
	var banner struct {
		Text, Href, Target, Rel string
	}
	poll(t, chat, 10*time.Second, "the announcement banner", `(() => {
		const b = document.querySelector('#announcement');
		if (!b) return null;
		const a = b.querySelector('a');
		return {text: b.querySelector('.announcement-text span').textContent, href: a.href, target: a.target, rel: a.rel};
	})()`, &banner)
	if banner.Text != nowText || banner.Href != "https://shop.example/sale" || banner.Target != "_blank" || !strings.Contains(banner.Rel, "noopener") {
		t.Errorf("banner %+v, want %q linking to the sale in a new tab, noopener", banner, nowText)
	}
	var body string
	step(t, chat, 5*time.Second, "reading the widget", chromedp.Evaluate(`document.body.textContent`, &body))
	for _, s := range []string{pastText, futureText} {
		if strings.Contains(body, s) {
			t.Errorf("the widget shows %q, outside its window", s)
		}
	}
	checkAxe(t, chat, src, "the widget with an announcement")
	step(t, chat, 5*time.Second, "dismissing the banner", chromedp.Click(".announcement-close", chromedp.ByQuery))
	poll(t, chat, 5*time.Second, "the banner gone", `!document.querySelector('#announcement')`, nil)

	// On the next page the teaser is back; its × hides it for the day, and
	// only that writes storage.
	step(t, v.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	v.launcher(t)
	poll(t, v.ctx, 10*time.Second, "the teaser on the next page", teaserJS, &teaser)
	step(t, v.ctx, 5*time.Second, "dismissing the teaser", chromedp.Evaluate(
		`document.querySelector('div[data-parley]').shadowRoot.querySelector('.q button[aria-label="Dismiss"]').click(), true`, nil))
	poll(t, v.ctx, 5*time.Second, "the teaser gone", `!(`+teaserJS+`)`, nil)
	step(t, v.ctx, 5*time.Second, "reading the shop's storage", chromedp.Evaluate(parleyStorageJS, &keys))
	if keys != "parley:"+web.DemoSiteID+":teaser" {
		t.Errorf("after the ×, storage holds %q, want the teaser's key only", keys)
	}
	step(t, v.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	v.launcher(t)
	step(t, v.ctx, 5*time.Second, "waiting a moment", chromedp.Sleep(time.Second))
	var again *teaserState
	step(t, v.ctx, 5*time.Second, "looking for the teaser", chromedp.Evaluate(teaserJS, &again))
	if again != nil {
		t.Errorf("a teaser dismissed today shows again after a reload")
	}

	// Only past and future announcements, and one starting soon: nothing
	// shows, until the soon one starts while the chat is open.
	site := mustSite(t, m)
	loc, err := time.LoadLocation(site.Zone())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(40 * time.Second).Truncate(time.Second)
	site.Announcements = []parley.Announcement{past, future,
		{Text: soonText, From: start.In(loc).Format("2006-01-02T15:04:05")}}
	if err := m.DB.PutSite(site); err != nil {
		t.Fatal(err)
	}
	v2 := b.newVisitor("visitor 2")
	step(t, v2.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/products/espresso"))
	at := v2.launcher(t)
	step(t, v2.ctx, 5*time.Second, "waiting a moment", chromedp.Sleep(time.Second))
	var none *teaserState
	step(t, v2.ctx, 5*time.Second, "looking for a teaser", chromedp.Evaluate(teaserJS, &none))
	if none != nil {
		t.Errorf("a teaser shows outside every window: %+v", none)
	}
	step(t, v2.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	chat2, _ := v2.chat(t)
	if time.Until(start) > 2*time.Second {
		var shown bool
		step(t, chat2, 5*time.Second, "looking for a banner", chromedp.Evaluate(`!!document.querySelector('#announcement')`, &shown))
		if shown {
			t.Errorf("a banner shows before its window (starting at %v)", start)
		}
	} else {
		t.Logf("the chat opened after the soon announcement started (%v): its absence before is not checked", start)
	}
	poll(t, chat2, time.Until(start)+20*time.Second, "the banner of the announcement starting while the chat is open",
		`(document.querySelector('#announcement .announcement-text span') || {}).textContent === `+jsString(soonText), nil)
	if time.Now().Before(start) {
		t.Errorf("the banner showed before its start, %v", start)
	}
}

// TestBrowserContactFallback: when the chat cannot load, the launcher's
// panel offers the shop's email and phone: at once when the shop's CSP
// refuses the chat's frame, or the browser is offline at the click.
func TestBrowserContactFallback(t *testing.T) {
	requireBrowserTests(t)
	// A shop whose CSP allows no frames, the snippet pasted all the same.
	var snippet atomic.Value
	strict := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "frame-src 'none'")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>Strict shop</title></head><body><main><h1>Strict shop</h1></main>%s</body></html>`, snippet.Load())
	}))
	t.Cleanup(strict.Close)
	m := startDemo(t, func(s *parley.Site) {
		s.Proactive.Enabled = false
		s.AllowedOrigins = append(s.AllowedOrigins, strict.URL)
		s.Contact = parley.Contact{Email: "help@shop.example", Phone: "+48 123 456 789"}
	})
	snippet.Store(web.Snippet(m.Server.URL(), web.DemoSiteID))
	b := newBrowser(t, nil)
	contactJS := `(() => {
		const h = document.querySelector('div[data-parley]');
		const s = h && h.shadowRoot && h.shadowRoot.querySelector('.s.sf');
		if (!s || !s.offsetParent) return null;
		return [...s.querySelectorAll('.f a')].map(a => a.getAttribute('href') + ' ' + a.textContent).join(', ');
	})()`
	want := "mailto:help@shop.example help@shop.example, tel:+48123456789 +48 123 456 789"

	v := b.newVisitor("strict")
	step(t, v.ctx, 20*time.Second, "opening the strict shop", chromedp.Navigate(strict.URL+"/"))
	at := v.launcher(t)
	clicked := time.Now()
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	var got string
	poll(t, v.ctx, 8*time.Second, "the contact details in the launcher's panel", contactJS, &got)
	if got != want {
		t.Errorf("frame refused: contact links %q, want %q", got, want)
	}
	t.Logf("frame refused by the shop's CSP: contact details after %v", time.Since(clicked).Round(time.Millisecond))

	// Offline when the visitor clicks: at once, not after the loader's wait.
	v2 := b.newVisitor("offline")
	step(t, v2.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at = v2.launcher(t)
	step(t, v2.ctx, 10*time.Second, "going offline", network.Enable(),
		network.EmulateNetworkConditions(true, 0, -1, -1))
	clicked = time.Now()
	step(t, v2.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	poll(t, v2.ctx, 8*time.Second, "the contact details at once", contactJS, &got)
	if got != want {
		t.Errorf("offline: contact links %q, want %q", got, want)
	}
	t.Logf("offline: contact details after %v", time.Since(clicked).Round(time.Millisecond))
}

// TestBrowserAnnouncementSettings: an owner adds an announcement, its
// Polish text (in the Translations section) and the contact details in
// the console; a bad value is refused with the server's message, and the
// section passes axe.
func TestBrowserAnnouncementSettings(t *testing.T) {
	requireBrowserTests(t)
	src := axeSource(t)
	m := startDemo(t, nil)
	b := newBrowser(t, nil)
	a := b.agentTab()
	consoleLogin(t, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	step(t, a.ctx, 20*time.Second, "opening Settings", chromedp.Navigate(m.Server.URL()+"/console/settings"),
		chromedp.WaitVisible("#announcement-add", chromedp.ByQuery),
		chromedp.Click("#announcement-add", chromedp.ByQuery),
		chromedp.WaitVisible("#ann-0-text", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-text", "Free shipping until Sunday", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-link", "https://shop.example/shipping", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-from", "2026-12-01", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-until", "2026-12-24T18:00", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-pages", "/products/*", chromedp.ByQuery),
		chromedp.Click("#ann-0-teaser", chromedp.ByQuery),
		chromedp.WaitVisible("#ann-0-lang", chromedp.ByQuery),
		chromedp.SendKeys("#ann-0-lang", "Darmowa dostawa do niedzieli", chromedp.ByQuery),
		chromedp.SendKeys("#site-contact-email", "help@shop.example", chromedp.ByQuery),
		chromedp.SendKeys("#site-contact-phone", "+48 12", chromedp.ByQuery),
		chromedp.Click("#save-site", chromedp.ByQuery))
	var msg string
	poll(t, a.ctx, 10*time.Second, "the phone refused", `(document.querySelector('.save-error') || {}).textContent`, &msg)
	if !strings.Contains(msg, "is not a phone number") {
		t.Errorf("saving a short phone: %q, want the server's message", msg)
	}
	step(t, a.ctx, 10*time.Second, "fixing the phone and saving",
		chromedp.SendKeys("#site-contact-phone", "3 456 789", chromedp.ByQuery),
		chromedp.Click("#save-site", chromedp.ByQuery))
	poll(t, a.ctx, 10*time.Second, "the settings saved", `!!document.querySelector('.save-ok')`, nil)
	site := mustSite(t, m)
	want := parley.Announcement{Text: "Free shipping until Sunday", Link: "https://shop.example/shipping",
		From: "2026-12-01", Until: "2026-12-24T18:00", PagePattern: "/products/*", Teaser: true,
		Texts: map[string]string{"pl": "Darmowa dostawa do niedzieli"}}
	if len(site.Announcements) != 1 || fmt.Sprint(site.Announcements[0]) != fmt.Sprint(want) {
		t.Errorf("stored announcements %+v, want %+v", site.Announcements, want)
	}
	if c := (parley.Contact{Email: "help@shop.example", Phone: "+48 123 456 789"}); site.Contact != c {
		t.Errorf("stored contact %+v, want %+v", site.Contact, c)
	}
	checkAxe(t, a.ctx, src, "the console's settings with an announcement")
}
