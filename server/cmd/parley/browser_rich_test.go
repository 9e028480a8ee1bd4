package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserProductCardAndQuickReply: the agent sends a product card with
// quick replies from the console; the widget shows the card and the
// buttons; the visitor's tap is their answer, in the console too.
func TestBrowserProductCardAndQuickReply(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	question := "Which beans for a moka pot? " + t.Name()
	send(t, chat, "the visitor", question)

	openInboxItem(t, a, "moka pot")
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	step(t, a.ctx, 10*time.Second, "writing a card",
		chromedp.Click("#rich-open", chromedp.ByQuery),
		chromedp.WaitVisible("#rich-title", chromedp.ByQuery),
		chromedp.SendKeys("#rich-title", "Espresso Blend", chromedp.ByQuery),
		chromedp.SendKeys("#rich-price", "€14.90", chromedp.ByQuery),
		chromedp.SendKeys("#rich-url", m.ShopURL+"/products/espresso", chromedp.ByQuery),
		chromedp.SendKeys("#rich-replies", "Add to cart, Something milder", chromedp.ByQuery),
		chromedp.Click("#rich-send", chromedp.ByQuery),
	)
	poll(t, chat, 15*time.Second, "the card in the widget",
		`!!document.querySelector('.msg-agent .msg-card a.msg-card-title') && document.querySelector('.msg-agent .msg-card-price').textContent === '€14.90'`, nil)
	var href string
	step(t, chat, 5*time.Second, "reading the card's link", chromedp.Evaluate(`document.querySelector('.msg-agent .msg-card a').href`, &href))
	if !strings.HasSuffix(href, "/products/espresso") {
		t.Errorf("the card links to %q", href)
	}
	step(t, chat, 10*time.Second, "tapping a quick reply",
		chromedp.Click(`//button[contains(@class,"msg-reply") and text()="Something milder"]`, chromedp.BySearch))
	waitMessage(t, chat, "the visitor", ".msg-visitor", "Something milder")
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", "Something milder")
	// Answered: the buttons are gone.
	poll(t, chat, 5*time.Second, "the quick replies to go", `!document.querySelector('.msg-reply')`, nil)
}
