package main

// The visitor's context in a real browser: the shop page calls
// Parley('set') and Parley('cart') before the chat has loaded (no iframe
// for them), the visitor then writes, and the agent's console shows the
// attributes and the cart in the panel beside the conversation, the page
// by its real host, and the browser; a later Parley('set') arrives live.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run BrowserContext -v ./server/cmd/parley/

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/server/web"
)

func TestBrowserContextPanel(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "telling the context", chromedp.Evaluate(`
		Parley('set', {plan: 'gold', seats: 3});
		Parley('cart', {items: [{name: 'Espresso <b>beans</b>', qty: 2, price: 9.5, url: 'https://shop.example/espresso'}], total: '19.00', currency: 'EUR'});
		for (let i = 0; i < 25; i++) Parley('track', 'Scrolled ' + i);
		Parley('track', 'Viewed product', {sku: 'ESP-1'});
		true`, nil))
	var frames int
	step(t, v.ctx, 5*time.Second, "counting iframes", chromedp.Evaluate(iframesJS, &frames))
	if frames != 0 {
		t.Errorf("set/cart/track created %d iframes", frames)
	}
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	chat, _ := v.chat(t)
	question := "Is the gold plan shipping free? " + t.Name()
	send(t, chat, "the visitor", question)

	itemJS := fmt.Sprintf(`[...document.querySelectorAll('.inbox-item')].find(e => e.textContent.includes(%s))`, jsString("gold plan"))
	poll(t, a.ctx, 15*time.Second, "the conversation in the inbox", "!!"+itemJS, nil)
	step(t, a.ctx, 5*time.Second, "opening the conversation", chromedp.Click(itemJS, chromedp.ByJSPath))
	var panel string
	want := []string{"plan", "gold", "seats", "3", "Espresso <b>beans</b>", "× 2", "9.5 EUR", "Total 19.00 EUR", "Viewed product", "sku=ESP-1"}
	if !faultWaitFor(15*time.Second, func() bool {
		chromedp.Run(a.ctx, chromedp.Evaluate(`(document.querySelector('#context') || {}).innerText || ''`, &panel))
		for _, w := range want {
			if !strings.Contains(panel, w) {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("the context panel shows:\n%s\nwant each of %q", panel, want)
	}
	shop, _ := url.Parse(m.ShopURL)
	if !strings.Contains(panel, shop.Host+"/") || !strings.Contains(panel, "Chrome") {
		t.Errorf("the panel shows no page on %s or no browser:\n%s", shop.Host, panel)
	}
	// Markup the page wrote stays text: no <b> element in the panel.
	var bold int
	step(t, a.ctx, 5*time.Second, "looking for markup", chromedp.Evaluate(`document.querySelectorAll('#context b').length`, &bold))
	if bold != 0 {
		t.Errorf("the panel rendered the page's markup")
	}

	// The loader kept the last 20 events of the 26 tracked before the chat loaded.
	convs, err := m.DB.OpenConversations(web.DemoSiteID)
	if err != nil || len(convs) != 1 {
		t.Fatalf("open conversations: %d, %v", len(convs), err)
	}
	_, cx, err := m.DB.VisitorWithContext(convs[0].Visitor)
	if err != nil || len(cx.Events) != 20 || cx.Events[0].Name != "Scrolled 6" || cx.Events[19].Name != "Viewed product" {
		t.Errorf("stored events: %d, %v", len(cx.Events), err)
	}

	// Live: a later set reaches the open panel without a reload.
	step(t, v.ctx, 5*time.Second, "upgrading the plan", chromedp.Evaluate(`Parley('set', {plan: 'platinum', seats: null}); true`, nil))
	if !faultWaitFor(15*time.Second, func() bool {
		chromedp.Run(a.ctx, chromedp.Evaluate(`(document.querySelector('#context') || {}).innerText || ''`, &panel))
		return strings.Contains(panel, "platinum") && !strings.Contains(panel, "seats")
	}) {
		t.Errorf("after the upgrade the panel shows:\n%s", panel)
	}

	// A cart line goes to the visitor as a product card, its name as text.
	step(t, a.ctx, 5*time.Second, "sending the cart line", chromedp.Click("#context .cart-send", chromedp.ByQuery))
	var card string
	poll(t, chat, 15*time.Second, "the card in the widget",
		`(() => { const c = document.querySelector('.msg-agent .msg-card'); return c ? c.innerText : '' })()`, &card)
	if !strings.Contains(card, "Espresso <b>beans</b>") || !strings.Contains(card, "9.5 EUR") {
		t.Errorf("the card reads %q", card)
	}
}
