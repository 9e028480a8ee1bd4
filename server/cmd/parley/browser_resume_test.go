package main

// Continuity across devices in a real browser: the agent's reply arrives
// as an email whose resume link, opened in a fresh browser profile, opens
// the shop page with the chat on that conversation and its history; what
// is typed there lands in the same conversation. A used link offers a new
// one by email, and a conversation whose page is not the shop's opens on
// Parley's hosted chat page.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run BrowserResume -v ./server/cmd/parley/

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/web"
)

func TestBrowserResumeLink(t *testing.T) {
	requireBrowserTests(t)
	var ahead atomic.Int64
	m := startDemoClock(t, nil, func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) })
	b := newBrowser(t, nil)
	parleyURL := m.Server.URL()
	wsURL := "ws" + strings.TrimPrefix(parleyURL, "http") + "/ws"
	question := "Is the espresso blend good for a moka pot? " + t.Name()
	reply := "It is: grind it a little coarser than for espresso."
	typed := "Thanks, ordering two bags from my phone."

	// Visitor A, on their first device (the Go client), asks on a product
	// page and leaves an email; then goes away.
	shopPage := m.ShopURL + "/products/espresso"
	hello := parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: web.DemoSiteID,
		Page: &parley.Page{URL: shopPage, Title: "Espresso Blend"}}
	a := startFaultClient(t, wsURL, hello, nil, nil)
	a.c.Send(0, question, false)
	if !faultWaitFor(10*time.Second, func() bool { return a.conv() != 0 }) {
		t.Fatal("visitor A's question was not acknowledged")
	}
	conv := a.conv()
	a.c.SendControl(parley.Frame{Type: parley.TypeContact, Conv: conv, Email: "kim@example.com"})
	waitConv(t, m, conv, "the email on record", func(c parley.Conversation) bool { return c.Email == "kim@example.com" })

	// The agent answers (a console of its own: the Go client).
	agent := startFaultClient(t, wsURL, parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent}, loginAt(t, parleyURL, browserAgentEmail, browserAgentPass), nil)
	if !faultWaitFor(10*time.Second, func() bool { return agent.welcome.Load() > 0 }) {
		t.Fatal("the agent was not welcomed")
	}
	agent.c.Send(conv, reply, false)
	if !faultWaitFor(10*time.Second, func() bool { acks, _, _ := agent.snapshot(); return len(acks) > 0 }) {
		t.Fatal("the agent's reply was not acknowledged")
	}

	// Unseen, it is mailed after the site's delay: the outbox's clock is
	// moved past it.
	ahead.Store(int64(6 * time.Minute))
	m.outbox.Kick()
	mail := waitMail(t, m, "the reply", subjectStarts("New reply from"))
	if !strings.Contains(mail.Text, reply) {
		t.Fatalf("the mail lacks the reply:\n%s", mail.Text)
	}
	link := linkIn(t, mail, parleyURL+"/r/")

	// A fresh profile opens the link: the shop page, the chat open on the
	// conversation with its history, the token gone from the address bar.
	phone := b.newVisitor("phone")
	step(t, phone.ctx, 20*time.Second, "opening the resume link", chromedp.Navigate(link))
	chat, chatID := phone.chat(t)
	waitMessage(t, chat, "the phone", ".msg-visitor", question)
	waitMessage(t, chat, "the phone", ".msg-agent", reply)
	poll(t, phone.ctx, 5*time.Second, "the chat panel to be open", panelOpenJS, nil)
	var where struct {
		Top, Frame string
	}
	step(t, phone.ctx, 5*time.Second, "reading the shop page's address", chromedp.Evaluate(`location.href`, &where.Top))
	step(t, chat, 5*time.Second, "reading the chat's address", chromedp.Evaluate(`location.href`, &where.Frame))
	if where.Top != shopPage || strings.Contains(where.Frame, "parley-resume") {
		t.Errorf("after the link: the shop page at %q, the chat at %q; want %q and no token in either", where.Top, where.Frame, shopPage)
	}

	// What the phone types arrives in the same conversation, as Kim's.
	send(t, chat, "the phone", typed)
	if !faultWaitFor(10*time.Second, func() bool {
		_, msgs, _ := a.snapshot()
		for _, f := range msgs {
			if f.Conv == conv && f.Text == typed {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("visitor A's first device never got %q in conversation %d", typed, conv)
	}

	// From then on the phone is Kim: a reload, without any link, brings
	// the same chat back.
	step(t, phone.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	chat2, _ := phone.chat(t, chatID)
	waitMessage(t, chat2, "the phone after a reload", ".msg-visitor", typed)
	waitMessage(t, chat2, "the phone after a reload", ".msg-agent", reply)

	// Kim moves to a page that is not the shop's (the phone leaves the
	// shop, or its page would be the conversation's again): a link now opens
	// Parley's hosted chat page. The used link says so and mails a new one.
	step(t, phone.ctx, 10*time.Second, "leaving the shop on the phone", chromedp.Navigate("about:blank"))
	a.c.Page(parley.Page{URL: "https://elsewhere.example/", Title: "Elsewhere"})
	waitConv(t, m, conv, "the new page", func(c parley.Conversation) bool { return c.Page.URL == "https://elsewhere.example/" })
	laptop := b.newVisitor("laptop")
	step(t, laptop.ctx, 20*time.Second, "opening the used link", chromedp.Navigate(link))
	poll(t, laptop.ctx, 10*time.Second, "the used link's page", `document.body.innerText.includes('This link was already used')`, nil)
	step(t, laptop.ctx, 10*time.Second, "asking for a new link", chromedp.Click(`form button`, chromedp.ByQuery))
	pollAcrossNavigation(t, laptop.ctx, 10*time.Second, "the new link's confirmation", `document.body.innerText.includes("We've sent a new link to k***@example.com")`)
	fresh := linkIn(t, waitMail(t, m, "the new link", subjectStarts("Your new link")), parleyURL+"/r/")
	if fresh == link {
		t.Fatal("the new link is the used one")
	}
	step(t, laptop.ctx, 20*time.Second, "opening the new link", chromedp.Navigate(fresh))
	poll(t, laptop.ctx, 30*time.Second, "the hosted chat", "!!document.querySelector('#composer')", nil)
	waitMessage(t, laptop.ctx, "the laptop", ".msg-agent", reply)
	waitMessage(t, laptop.ctx, "the laptop", ".msg-visitor", typed)
	var hosted string
	step(t, laptop.ctx, 5*time.Second, "reading the hosted page's address", chromedp.Evaluate(`location.href`, &hosted))
	if hosted != parleyURL+chatPath {
		t.Errorf("the hosted chat at %q, want %q without the token", hosted, parleyURL+chatPath)
	}
}

// pollAcrossNavigation waits, up to d, for js to be true in the tab of
// ctx while it navigates: an evaluation that meets the old document's end
// is tried again.
func pollAcrossNavigation(tb testing.TB, ctx context.Context, d time.Duration, what, js string) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		var ok bool
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := chromedp.Run(sctx, chromedp.Evaluate(js, &ok))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitConv polls the store until conversation id satisfies ok.
func waitConv(tb testing.TB, m *Main, id uint64, what string, ok func(parley.Conversation) bool) {
	tb.Helper()
	var c parley.Conversation
	if !faultWaitFor(10*time.Second, func() bool {
		var err error
		c, err = m.DB.Conversation(id)
		return err == nil && ok(c)
	}) {
		tb.Fatalf("conversation %d never showed %s: %+v", id, what, c)
	}
}

// linkIn returns the first link in mail's text that starts with prefix.
func linkIn(tb testing.TB, mail outbound.Mail, prefix string) string {
	tb.Helper()
	i := strings.Index(mail.Text, prefix)
	if i < 0 {
		tb.Fatalf("no %s link in the mail:\n%s", prefix, mail.Text)
	}
	return strings.Fields(mail.Text[i:])[0]
}
