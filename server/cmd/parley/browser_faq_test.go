package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// TestBrowserFAQSuggestion: the owner adds an FAQ entry in the console's
// settings (the site has another already); as the visitor
// types "how long does shipping take", the matching entry is suggested
// above the composer; a click opens its answer (its link a link), "That
// helped" is counted; axe finds nothing wrong with the open suggestion.
// Sent anyway, the message waits for a person and the site's bot answers
// with the entry and "Talk to a person".
func TestBrowserFAQSuggestion(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	if err := m.DB.PutFAQ(web.DemoSiteID, []parley.FAQEntry{
		{ID: "returns", Question: "How do I return an item?", Answer: "You have 30 days.", Keywords: []string{"return", "refund"}},
	}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, nil)
	a := b.agentTab()
	consoleLogin(t, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	step(t, a.ctx, 20*time.Second, "adding an FAQ entry in Settings",
		chromedp.Navigate(m.Server.URL()+"/console/settings"),
		chromedp.WaitVisible("#faq-question", chromedp.ByQuery),
		chromedp.SendKeys("#faq-question", "How long does shipping take?", chromedp.ByQuery),
		chromedp.SendKeys("#faq-answer", "Orders ship within 2 working days. Details: https://shop.example/shipping", chromedp.ByQuery),
		chromedp.SendKeys("#faq-keywords", "shipping, delivery", chromedp.ByQuery),
		chromedp.Evaluate(`(s => { s.value = 'en'; s.dispatchEvent(new Event('change', {bubbles: true})); true })(document.querySelector('#faq-lang'))`, nil),
		chromedp.Click("#faq-add", chromedp.ByQuery),
	)
	poll(t, a.ctx, 15*time.Second, "the new entry in the list",
		`[...document.querySelectorAll('#faq-list .faq-row-question')].some(e => e.textContent === 'How long does shipping take?')`, nil)
	// The demo agent takes one chat at a time and has one: the visitor
	// will wait in the queue.
	if _, err := m.DB.SetAgentCapacity(mustAgentID(t, m, browserAgentEmail), 1); err != nil {
		t.Fatal(err)
	}
	other, err := m.DB.CreateVisitor(web.DemoSiteID, web.TokenHash(web.NewToken()))
	if err != nil {
		t.Fatal(err)
	}
	busy, err := m.DB.Append(context.Background(), store.Append{Visitor: other.ID, Site: web.DemoSiteID,
		From: parley.Author{Kind: parley.AuthorVisitor, ID: other.ID}, ID: "busy-1", Text: "Is the grinder in stock?"})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := m.DB.Conversation(busy.Message.Conv); err == nil && c.Assignee != 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the busy chat was not assigned")
		}
	}
	v := b.newVisitor("visitor")
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
		if len(stats) == 1 && stats[0].Shown == 1 && stats[0].Helpful == 1 && faqLang(t, m) == "en" {
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
	poll(t, chat, 20*time.Second, "the bot's answer", messageJS(".msg-site", "Orders ship within 2 working days"), nil)
	poll(t, chat, 10*time.Second, "Talk to a person",
		`[...document.querySelectorAll('.msg-reply')].some(b => b.textContent === 'Talk to a person')`, nil)
	// The owner sees what visitors did with the entry: shown as a
	// suggestion and by the bot, found helpful once.
	step(t, a.ctx, 20*time.Second, "Settings again", chromedp.Navigate(m.Server.URL()+"/console/settings"))
	poll(t, a.ctx, 15*time.Second, "the entry's counters",
		`[...document.querySelectorAll('#faq-list .faq-row-stats')].some(e => e.textContent.startsWith('Shown 2 · helpful 1 · then asked a person 0'))`, nil)
}

func faqLang(t *testing.T, m *Main) string {
	list, err := m.DB.FAQ(web.DemoSiteID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Question == "How long does shipping take?" {
			return e.Lang
		}
	}
	return "missing"
}
