package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// TestBrowserFAQSuggestion: the demo site has FAQ entries; as the visitor
// types "how long does shipping take", the matching entry is suggested
// above the composer; a click opens its answer (its link a link), "That
// helped" is counted; axe finds nothing wrong with the open suggestion.
// Sent anyway, the message waits for a person and the site's bot answers
// with the entry and "Talk to a person".
func TestBrowserFAQSuggestion(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	entries, err := parley.CheckFAQ([]parley.FAQEntry{
		{ID: "shipping", Question: "How long does shipping take?", Answer: "Orders ship within 2 working days. Details: https://shop.example/shipping", Keywords: []string{"shipping", "delivery"}, Lang: "en"},
		{ID: "returns", Question: "How do I return an item?", Answer: "You have 30 days.", Keywords: []string{"return", "refund"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.PutFAQ(web.DemoSiteID, entries); err != nil {
		t.Fatal(err)
	}
	agentOnline(t, m)
	v := newBrowser(t, nil).newVisitor("visitor")
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	step(t, chat, 10*time.Second, "typing a question",
		chromedp.SendKeys("#composer", "how long does shipping take", chromedp.ByQuery))
	suggestion := `[...document.querySelectorAll('#faq .faq-question')].find(b => b.textContent === 'How long does shipping take?')`
	poll(t, chat, 20*time.Second, "the suggestion", "!!"+suggestion, nil)
	var expanded string
	step(t, chat, 10*time.Second, "opening the suggestion",
		chromedp.Click(suggestion, chromedp.ByJSPath),
		chromedp.WaitVisible(".faq-answer-text", chromedp.ByQuery),
		chromedp.Evaluate(suggestion+`.getAttribute('aria-expanded')`, &expanded))
	if expanded != "true" {
		t.Errorf("aria-expanded = %q", expanded)
	}
	poll(t, chat, 5*time.Second, "the answer with its link",
		`document.querySelector('.faq-answer-text').textContent.includes('Orders ship within 2 working days') && document.querySelector('.faq-answer-text a').href === 'https://shop.example/shipping'`, nil)
	checkAxe(t, chat, axeSource(t), "the widget with a suggestion open")
	step(t, chat, 5*time.Second, "That helped", chromedp.Click(".faq-helped", chromedp.ByQuery))
	poll(t, chat, 10*time.Second, "the thanks", "!!document.querySelector('.faq-thanks')", nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		stats, _ := m.DB.FAQStats(web.DemoSiteID)
		if len(stats) == 1 && stats[0].Entry == "shipping" && stats[0].Shown == 1 && stats[0].Helpful == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", stats)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Sent anyway: queued for a person, the bot answers meanwhile.
	step(t, chat, 10*time.Second, "sending", chromedp.Click("#send", chromedp.ByQuery))
	poll(t, chat, 10*time.Second, "the suggestions to go", `!document.querySelector('#faq .faq-question')`, nil)
	waitMessage(t, chat, "the visitor", ".msg-site", "Orders ship within 2 working days")
	poll(t, chat, 10*time.Second, "Talk to a person",
		`[...document.querySelectorAll('.msg-reply')].some(b => b.textContent === 'Talk to a person')`, nil)
}
