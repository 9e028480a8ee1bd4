package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// waitMail waits for a mail of the demo mailbox that match accepts.
func waitMail(tb testing.TB, m *Main, what string, match func(outbound.Mail) bool) outbound.Mail {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, ml := range m.Mailbox.Mails() {
			if match(ml) {
				return ml
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, ml := range m.Mailbox.Mails() {
				got = append(got, fmt.Sprintf("%v %q", ml.To, ml.Subject))
			}
			tb.Fatalf("no mail: %s; the mailbox holds %v", what, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func subjectStarts(prefix string) func(outbound.Mail) bool {
	return func(ml outbound.Mail) bool { return strings.HasPrefix(ml.Subject, prefix) }
}

func mailTo(addr string) func(outbound.Mail) bool {
	return func(ml outbound.Mail) bool {
		for _, a := range ml.To {
			if a.Address == addr {
				return true
			}
		}
		return false
	}
}

// TestBrowserOfflineFormAndEmail: outside business hours the widget says
// when the shop is back, with the shop's away message, and shows the
// offline form; what the shopper
// sends is a conversation in the console and a mail to the shop at once;
// the agent's answer, unseen, goes to the shopper by email, with a link
// to continue the chat.
func TestBrowserOfflineFormAndEmail(t *testing.T) {
	requireBrowserTests(t)
	var ahead atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	tomorrow := (time.Now().UTC().Weekday() + 1) % 7
	m := startDemoClock(t, func(s *parley.Site) {
		// Open tomorrow from 9 to 17 only: closed now.
		s.Routing.Hours = parley.Hours{Enabled: true, Zone: "UTC"}
		s.Routing.Hours.Week[tomorrow] = []parley.Span{{From: 9 * 60, To: 17 * 60}}
		s.Routing.Offline = parley.OfflineForm
		s.Mail.Notify = "owner@northwind.example"
		s.AwayMessage = "Orders placed today <still> ship tomorrow."
	}, now)
	b := newBrowser(t, nil)
	question := "Can I still order beans for Friday? " + t.Name()
	reply := "Yes, order by Thursday noon."

	v := b.newVisitor("visitor")
	openShopChat(t, m, v)
	chat, _ := v.chatShowing(t, "#prechat-email")
	var header string
	poll(t, chat, 10*time.Second, "the closed header", `(document.querySelector('#hours') || {}).textContent || ''`, &header)
	if want := "We're back tomorrow at 9:00 — leave your email and we'll reply there"; header != want {
		t.Errorf("header %q, want %q", header, want)
	}
	// The shop's own away message, under it, as text.
	var away string
	step(t, chat, 5*time.Second, "reading the away message", chromedp.Evaluate(`(document.querySelector('#away-message.away-message') || {}).textContent || ''`, &away))
	if want := "Orders placed today <still> ship tomorrow."; away != want {
		t.Errorf("away message %q, want %q", away, want)
	}
	step(t, chat, 10*time.Second, "filling in the offline form",
		chromedp.SendKeys("#prechat-name", "Kasia", chromedp.ByQuery),
		chromedp.SendKeys("#prechat-email", "kasia@example.com", chromedp.ByQuery),
		chromedp.SendKeys("#prechat-text", question, chromedp.ByQuery),
		chromedp.Click("#prechat-send", chromedp.ByQuery),
	)
	poll(t, chat, 10*time.Second, "the message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", question), nil)
	conv, msgs := transcript(t, m, 1)
	if msgs[0].Text != question {
		t.Errorf("stored %+v, want %q", msgs, question)
	}
	c, err := m.DB.Conversation(conv)
	if err != nil || c.Email != "kasia@example.com" || c.VisitorName != "Kasia" {
		t.Errorf("conversation %+v, %v; want Kasia's, with her email", c, err)
	}
	// The shop hears of it at once, by email.
	notice := waitMail(t, m, "the shop's notice", mailTo("owner@northwind.example"))
	if !strings.Contains(notice.Text, question) || !strings.Contains(notice.Text, "kasia@example.com") {
		t.Errorf("the shop's notice:\n%s", notice.Text)
	}

	// Kasia leaves; the agent finds the chat in the console and answers.
	step(t, v.ctx, 10*time.Second, "leaving the shop", chromedp.Navigate("about:blank"))
	a := b.agentTab()
	consoleLogin(t, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	openInboxItem(t, a, question)
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	send(t, a.ctx, "the agent", reply)
	if _, msgs := transcript(t, m, 3); msgs[len(msgs)-1].Text != reply {
		t.Fatalf("stored %+v, want the reply last", msgs)
	}

	// Unseen for the site's delay (5 minutes, on the outbox's clock): the
	// reply goes to Kasia by email, with a link to go on.
	ahead.Store(int64(6 * time.Minute))
	m.outbox.Kick()
	answer := waitMail(t, m, "the reply to Kasia", mailTo("kasia@example.com"))
	if !strings.Contains(answer.Text, reply) {
		t.Errorf("the reply mail:\n%s", answer.Text)
	}
	link := linkIn(t, answer, m.Server.URL()+"/r/")

	// The link, opened in a fresh browser profile (Kasia's phone), opens
	// the shop with the chat on her conversation, history and all.
	phone := b.newVisitor("phone")
	step(t, phone.ctx, 20*time.Second, "opening the resume link", chromedp.Navigate(link))
	chat2, _ := phone.chat(t)
	waitMessage(t, chat2, "the phone", ".msg-visitor", question)
	waitMessage(t, chat2, "the phone", ".msg-agent", reply)
}

// TestBrowserSurgeOffer: when the estimated wait passes the site's busy
// threshold, a new visitor sees "We're busy — about N minutes. Wait
// here, or leave your email" with the shop's busy message, keeps the
// queue line, and can leave an email that the conversation keeps.
func TestBrowserSurgeOffer(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, func(s *parley.Site) {
		// One implicit team of everyone; busy past a minute.
		s.Routing.Teams, s.Routing.Topics, s.Routing.DefaultTeam = nil, nil, ""
		s.Routing.BusyMinutes = 1
		s.BusyMessage = "Tracking links are in your order email."
	})
	owner := mustAgentID(t, m, browserAgentEmail)
	if _, err := m.DB.SetAgentCapacity(owner, 3); err != nil {
		t.Fatal(err)
	}
	agentOnline(t, m)

	// Three chats are assigned at once (a measured rate), then the agent
	// is full and fifteen more wait.
	ctx := context.Background()
	newChat := func(i int) uint64 {
		v, err := m.DB.CreateVisitor(web.DemoSiteID, web.TokenHash(web.NewToken()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.DB.Append(ctx, store.Append{Visitor: v.ID, Site: web.DemoSiteID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID},
			ID: fmt.Sprint("rush-", i), Text: fmt.Sprint("Where is order #", 1000+i, "?")})
		if err != nil {
			t.Fatal(err)
		}
		return res.Conv.ID
	}
	for i := range 3 {
		newChat(i)
	}
	deadline := time.Now().Add(15 * time.Second)
	for m.DB.Load(owner) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the agent has %d chats, want 3", m.DB.Load(owner))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 3; i < 18; i++ {
		newChat(i)
	}

	b := newBrowser(t, nil)
	v := b.newVisitor("visitor")
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	send(t, chat, "the visitor", "Is my parcel lost? "+t.Name())
	var offer string
	poll(t, chat, 15*time.Second, "the surge offer",
		`(() => { const s = document.querySelector('#surge:not(.surge-none) .surge-text'); return s && s.textContent.startsWith("We're busy — about ") ? s.textContent : '' })()`, &offer)
	if !strings.Contains(offer, "minute") || !strings.Contains(offer, "leave your email") {
		t.Errorf("surge offer %q", offer)
	}
	var busy string
	step(t, chat, 5*time.Second, "reading the busy message", chromedp.Evaluate(`(document.querySelector('#surge .surge-text + .surge-message') || {}).textContent || ''`, &busy))
	if want := "Tracking links are in your order email."; busy != want {
		t.Errorf("busy message %q, want %q under the headline", busy, want)
	}
	var line string
	step(t, chat, 5*time.Second, "reading the queue line", chromedp.Evaluate(`(document.querySelector('#wait') || {}).textContent || ''`, &line))
	if !strings.Contains(line, "16th in line") {
		t.Errorf("queue line %q, want position 16 (15 waiting before) still shown beside the offer", line)
	}
	step(t, chat, 10*time.Second, "leaving an email",
		chromedp.SendKeys("#surge-email", "ines@example.com", chromedp.ByQuery),
		chromedp.Click("#surge-form button[type=submit]", chromedp.ByQuery),
	)
	poll(t, chat, 10*time.Second, "the offer's confirmation",
		`(document.querySelector('#surge-status') || {textContent: ''}).textContent.includes('ines@example.com')`, nil)
	convs, err := m.DB.OpenConversations(web.DemoSiteID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range convs {
		if c.Email == "ines@example.com" {
			found = c.Status == parley.StatusQueued
		}
	}
	if !found {
		t.Errorf("no queued conversation keeps ines@example.com")
	}
}

// TestBrowserHiddenLauncher: a site in offline mode "hide" shows no
// launcher while nobody answers chat, and shows it once someone does.
func TestBrowserHiddenLauncher(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, func(s *parley.Site) { s.Routing.Offline = parley.OfflineHide })
	b := newBrowser(t, nil)
	v := b.newVisitor("visitor")
	hiddenJS := `(() => { const h = document.querySelector('div[data-parley]'); const l = h && h.shadowRoot.querySelector('.l'); return l ? (l.hidden ? 'hidden' : 'shown') : '' })()`
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	var state string
	poll(t, v.ctx, 10*time.Second, "the launcher drawn", hiddenJS+` !== ''`, nil)
	step(t, v.ctx, 5*time.Second, "waiting for the loader's look", chromedp.Sleep(time.Second))
	step(t, v.ctx, 5*time.Second, "reading the launcher", chromedp.Evaluate(hiddenJS, &state))
	if state != "hidden" {
		t.Errorf("nobody online: launcher %s, want hidden", state)
	}
	agentOnline(t, m)
	// The answer is cached for up to 15 s; a new page view of another
	// shopper asks afresh.
	w := b.newVisitor("second visitor")
	deadline := time.Now().Add(30 * time.Second)
	for {
		step(t, w.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
		poll(t, w.ctx, 10*time.Second, "the launcher drawn", hiddenJS+` !== ''`, nil)
		step(t, w.ctx, 5*time.Second, "waiting for the loader's look", chromedp.Sleep(500*time.Millisecond))
		step(t, w.ctx, 5*time.Second, "reading the launcher", chromedp.Evaluate(hiddenJS, &state))
		if state == "shown" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("with an agent online the launcher stays %s", state)
		}
	}
}
