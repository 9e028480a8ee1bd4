package main

// Contact notes and canned cards in a real browser.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run 'BrowserContactNotes|BrowserCannedCard' -v ./server/cmd/parley/

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// TestBrowserContactNotes: the agent adds a note about the contact in the
// panel beside a visitor's second conversation; it shows there at once,
// and beside their first, resolved, opened from the panel's past
// conversations (its messages are there to read), after a reload too.
// The widget never shows it.
func TestBrowserContactNotes(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	question := "Can I change my order? " + t.Name()
	send(t, chat, "the visitor", question)
	conv, _ := transcript(t, m, 1)
	c, err := m.DB.Conversation(conv)
	if err != nil {
		t.Fatal(err)
	}
	// That conversation is resolved, and the visitor starts another.
	if _, err := m.DB.SetStatus(conv, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	later := "And which grinder for a moka pot?"
	ap, err := m.DB.Append(context.Background(), store.Append{Site: web.DemoSiteID, Visitor: c.Visitor,
		From: parley.Author{Kind: parley.AuthorVisitor, ID: c.Visitor}, ID: "later-1", Text: later})
	if err != nil || ap.Conv.ID == conv {
		t.Fatalf("the second conversation: %+v, %v", ap.Conv, err)
	}

	openInboxItem(t, a, "which grinder")
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", later)
	note := "VIP, prefers email " + t.Name()
	step(t, a.ctx, 10*time.Second, "writing a note",
		chromedp.WaitVisible("#note-text", chromedp.ByQuery),
		chromedp.SendKeys("#note-text", note, chromedp.ByQuery),
		chromedp.Click("#note-add", chromedp.ByQuery))
	noteJS := fmt.Sprintf(`[...document.querySelectorAll('#context #notes .note')].some(e => e.textContent.includes(%s) && e.textContent.includes('(you)'))`, jsString(note))
	poll(t, a.ctx, 10*time.Second, "the note in the panel", noteJS, nil)
	poll(t, a.ctx, 5*time.Second, "the note box emptied", `document.querySelector('#note-text').value === ''`, nil)
	if notes, err := m.DB.ContactNotes(c.Visitor); err != nil || len(notes) != 1 || notes[0].Text != note {
		t.Errorf("stored notes: %+v, %v", notes, err)
	}

	// The first conversation, from the panel: its messages and the note.
	step(t, a.ctx, 10*time.Second, "opening the past conversation",
		chromedp.Click(fmt.Sprintf(`#context .context-past a[href="/console/c/%d"]`, conv), chromedp.ByQuery))
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	poll(t, a.ctx, 10*time.Second, "the note beside the first conversation", noteJS, nil)
	step(t, a.ctx, 20*time.Second, "reloading the console", chromedp.Reload())
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	poll(t, a.ctx, 15*time.Second, "the note after a reload", noteJS, nil)

	// The widget never shows it.
	var shown bool
	step(t, chat, 5*time.Second, "reading the widget's page",
		chromedp.Evaluate(fmt.Sprintf(`document.body.textContent.includes(%s)`, jsString("VIP, prefers email")), &shown))
	if shown {
		t.Errorf("the widget shows the contact note")
	}
}

// TestBrowserCannedCard: a canned reply with a product card and quick
// replies, inserted with /shortcut, shows its card above the composer;
// Send sends text, card and buttons as one message, and the widget shows
// the card and the quick-reply buttons; × sends the text alone. An
// agent's own reply with a card, added in Settings → My replies, is
// offered at once.
func TestBrowserCannedCard(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	if err := m.DB.PutCannedReplies(web.DemoSiteID, []parley.CannedReply{{
		Shortcut: "espresso", Text: "Hi {{contact.name}}, this one is our favourite:",
		Card:    &parley.Card{Title: "Espresso Blend", Price: "€14.90", URL: m.ShopURL + "/products/espresso"},
		Replies: []string{"Add to cart", "Something milder"},
	}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, nil)
	a := b.agentTab()
	consoleLogin(t, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	v := b.newVisitor("visitor")
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	question := "Which beans for espresso? " + t.Name()
	send(t, chat, "the visitor", question)
	openInboxItem(t, a, "beans for espresso")
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)

	step(t, a.ctx, 10*time.Second, "typing /esp", chromedp.SendKeys("#composer", "/esp", chromedp.ByQuery))
	poll(t, a.ctx, 10*time.Second, "/espresso offered",
		`(() => { const l = [...document.querySelectorAll('#completions .completion')]; return l.length === 1 && l[0].dataset.label === 'espresso' })()`, nil)
	step(t, a.ctx, 10*time.Second, "Enter picks /espresso", chromedp.KeyEvent("\r"))
	var attached string
	poll(t, a.ctx, 10*time.Second, "the card above the composer",
		`(() => { const e = document.querySelector('#canned-attach'); return e ? e.innerText : '' })()`, &attached)
	if !strings.Contains(attached, "Espresso Blend") || !strings.Contains(attached, "Add to cart") {
		t.Errorf("attached: %q", attached)
	}
	step(t, a.ctx, 10*time.Second, "Enter sends it", chromedp.KeyEvent("\r"))
	poll(t, chat, 15*time.Second, "the card in the widget",
		`!!document.querySelector('.msg-agent .msg-card a.msg-card-title') && document.querySelector('.msg-agent .msg-card-price').textContent === '€14.90'`, nil)
	waitMessage(t, chat, "the visitor", ".msg-agent", "this one is our favourite:")
	poll(t, a.ctx, 5*time.Second, "the attachment gone", `!document.querySelector('#canned-attach')`, nil)
	step(t, chat, 10*time.Second, "tapping a quick reply",
		chromedp.Click(`//button[contains(@class,"msg-reply") and text()="Something milder"]`, chromedp.BySearch))
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", "Something milder")

	// × takes the card away: the text goes alone.
	step(t, a.ctx, 10*time.Second, "typing /esp again", chromedp.SendKeys("#composer", "/esp", chromedp.ByQuery))
	poll(t, a.ctx, 10*time.Second, "/espresso offered again", `!!document.querySelector('#completions .completion')`, nil)
	step(t, a.ctx, 10*time.Second, "Tab picks it", chromedp.KeyEvent("\t"))
	poll(t, a.ctx, 10*time.Second, "the card attached", `!!document.querySelector('#canned-attach')`, nil)
	step(t, a.ctx, 10*time.Second, "removing the card", chromedp.Click("#canned-attach-remove", chromedp.ByQuery))
	poll(t, a.ctx, 5*time.Second, "the attachment gone", `!document.querySelector('#canned-attach')`, nil)
	step(t, a.ctx, 10*time.Second, "sending the text", chromedp.Click("#send", chromedp.ByQuery))
	conv, _ := transcript(t, m, 1)
	var agents []parley.Frame
	if !faultWaitFor(10*time.Second, func() bool {
		agents = nil
		m.DB.Messages(conv, 0, 0, func(frame []byte) error {
			var f parley.Frame
			if json.Unmarshal(frame, &f) == nil && f.From != nil && f.From.Kind == parley.AuthorAgent && f.Text != "" {
				agents = append(agents, f)
			}
			return nil
		})
		return len(agents) == 2
	}) {
		t.Fatalf("the agent's messages: %+v, want 2", agents)
	}
	if first := agents[0]; first.Card == nil || first.Card.Title != "Espresso Blend" || len(first.Replies) != 2 || !strings.Contains(first.Text, "our favourite") {
		t.Errorf("the card message: %+v", first)
	}
	if last := agents[1]; !strings.Contains(last.Text, "our favourite") || last.Card != nil || len(last.Replies) != 0 {
		t.Errorf("the last message: %+v, want the text alone", last)
	}

	// My replies: the agent's own, with a card, from Settings; back in
	// the conversation the composer offers it, its card attached.
	step(t, a.ctx, 10*time.Second, "opening Settings",
		chromedp.Click(`a.nav-link[href="/console/settings"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#my-canned-form", chromedp.ByQuery))
	step(t, a.ctx, 10*time.Second, "adding /grinder to My replies",
		chromedp.SendKeys("#my-canned-shortcut", "grinder", chromedp.ByQuery),
		chromedp.SendKeys("#my-canned-text", "My pick:", chromedp.ByQuery),
		chromedp.SendKeys("#my-canned-card-title", "Hand grinder", chromedp.ByQuery),
		chromedp.SendKeys("#my-canned-card-url", m.ShopURL+"/products/grinder", chromedp.ByQuery),
		chromedp.Click("#my-canned-add", chromedp.ByQuery))
	poll(t, a.ctx, 10*time.Second, "/grinder in My replies",
		`!!document.querySelector('#my-canned-list [data-shortcut="grinder"]')`, nil)
	if list, err := m.DB.CannedReplies(web.DemoSiteID); err != nil || len(list) != 2 || list[1].Shortcut != "grinder" || list[1].Agent == 0 || list[1].Card == nil {
		t.Errorf("stored canned replies: %+v, %v", list, err)
	}
	step(t, a.ctx, 10*time.Second, "back to the conversation",
		chromedp.Click(fmt.Sprintf(`.inbox-item[data-conv="%d"]`, conv), chromedp.ByQuery),
		chromedp.WaitVisible("#composer", chromedp.ByQuery),
		chromedp.SendKeys("#composer", "/grin", chromedp.ByQuery))
	poll(t, a.ctx, 10*time.Second, "/grinder offered",
		`(() => { const l = [...document.querySelectorAll('#completions .completion')]; return l.length === 1 && l[0].dataset.label === 'grinder' })()`, nil)
	step(t, a.ctx, 10*time.Second, "Enter picks /grinder", chromedp.KeyEvent("\r"))
	poll(t, a.ctx, 10*time.Second, "its card attached",
		`(() => { const e = document.querySelector('#canned-attach'); return !!e && e.innerText.includes('Hand grinder') })()`, nil)
}
