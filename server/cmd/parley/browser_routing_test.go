package main

// Routing in a real browser: the visitor picks a topic in the pre-chat
// form, waits with a position shown, is assigned to the online agent of
// the topic's team, who answers and transfers to another team, whose
// agent the visitor then sees answering.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run Routing -v ./server/cmd/parley/

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

func TestBrowserRouting(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	b := newBrowser(t, nil)
	parleyURL := m.Server.URL()
	ctx := context.Background()

	// The demo's teams, narrowed: Returns is the demo agent's, Orders is
	// Ola's. The demo agent takes one chat at a time.
	owner := mustAgentID(t, m, browserAgentEmail)
	ola := mustAgentID(t, m, "ola@parley.local")
	const olaPass = "ola's browser password"
	hash, err := web.HashPassword(olaPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.SetAgentPassword(ola, hash); err != nil {
		t.Fatal(err)
	}
	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		t.Fatal(err)
	}
	site.Routing.PreChat = parley.PreChat{Enabled: true, Topic: parley.FieldRequired, Name: parley.FieldOptional}
	site.Routing.Teams[0].Members = []uint64{ola}   // orders
	site.Routing.Teams[1].Members = []uint64{owner} // returns
	if err := m.DB.PutSite(site); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.SetAgentCapacity(owner, 1); err != nil {
		t.Fatal(err)
	}

	// Both agents' consoles are open; the demo agent is busy with a chat.
	agent := b.agentTab()
	consoleLogin(t, agent, parleyURL, browserAgentEmail, browserAgentPass)
	olaTab := b.newVisitor("ola")
	consoleLogin(t, olaTab, parleyURL, "ola@parley.local", olaPass)
	other, err := m.DB.CreateVisitor(web.DemoSiteID, web.TokenHash(web.NewToken()))
	if err != nil {
		t.Fatal(err)
	}
	busy, err := m.DB.Append(ctx, store.Append{Visitor: other.ID, Site: web.DemoSiteID, From: parley.Author{Kind: parley.AuthorVisitor, ID: other.ID},
		ID: "busy-1", Text: "I want to return a grinder", Team: "returns", Topic: "returns"})
	if err != nil {
		t.Fatal(err)
	}
	waitAssigned := func(conv, to uint64, what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			c, err := m.DB.Conversation(conv)
			if err == nil && c.Assignee == to {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: conversation %+v, %v; want it assigned to %d", what, c, err, to)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitAssigned(busy.Conv.ID, owner, "the busy chat")

	// The visitor opens the chat: the pre-chat form, a topic and the
	// first message in one step.
	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	v.waitTiming(t)
	chat, _ := v.chatShowing(t, "#prechat-topic")
	question := "My parcel came broken, can I return it? " + t.Name()
	// Typing on a focused select picks the option, as a keyboard user does.
	step(t, chat, 10*time.Second, "choosing the topic Returns", chromedp.SendKeys("#prechat-topic", "Returns", chromedp.ByQuery))
	step(t, chat, 10*time.Second, "typing a name", chromedp.SendKeys("#prechat-name", "Kim", chromedp.ByQuery))
	step(t, chat, 10*time.Second, "typing the question", chromedp.SendKeys("#prechat-text", question, chromedp.ByQuery))
	step(t, chat, 10*time.Second, "sending the form", chromedp.Click("#prechat-send", chromedp.ByQuery))
	var line string
	poll(t, chat, 15*time.Second, "the visitor's place in line",
		`(() => { const w = document.querySelector('#wait'); return w && w.textContent.includes("You're next") ? w.textContent : '' })()`, &line)
	t.Logf("the queue line: %q", line)

	var conv parley.Conversation
	{
		open, err := m.DB.OpenConversations(web.DemoSiteID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range open {
			if c.ID != busy.Conv.ID {
				conv = c
			}
		}
		if conv.Topic != "returns" || conv.Team != "returns" || conv.Status != parley.StatusQueued || conv.VisitorName != "Kim" {
			t.Fatalf("the visitor's conversation: %+v", conv)
		}
	}

	// The demo agent finishes the other chat: the visitor's is his now.
	if _, err := m.DB.SetStatus(busy.Conv.ID, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	waitAssigned(conv.ID, owner, "after the busy chat was resolved")
	poll(t, chat, 15*time.Second, "the visitor to see who answers",
		`(() => { const a = document.querySelector('#agent'); return !!a && a.textContent.includes('Demo Agent is answering') })()`, nil)

	// He answers, then hands it to Orders with a reason.
	reply := "Sorry about that! Is the order number on the box?"
	step(t, agent.ctx, 15*time.Second, "opening the conversation",
		chromedp.Navigate(parleyURL+fmt.Sprintf("/console/c/%d", conv.ID)))
	poll(t, agent.ctx, 15*time.Second, "the conversation's transcript", messageJS(".msg-visitor", question), nil)
	send(t, agent.ctx, "the agent", reply)
	waitMessage(t, chat, "the visitor", ".msg-agent", reply)
	step(t, agent.ctx, 10*time.Second, "transferring to Orders",
		chromedp.Click("#transfer", chromedp.ByQuery),
		chromedp.WaitVisible("#transfer-team", chromedp.ByQuery),
		chromedp.SendKeys("#transfer-team", "Orders", chromedp.ByQuery),
		chromedp.SendKeys("#transfer-reason", "She has an order number: Orders checks the parcel", chromedp.ByQuery),
		chromedp.Click("#transfer-send", chromedp.ByQuery),
	)
	waitAssigned(conv.ID, ola, "after the transfer")
	poll(t, chat, 15*time.Second, "the visitor to see Ola answering",
		`(() => { const a = document.querySelector('#agent'); return !!a && a.textContent.includes('Ola Nowak is answering') })()`, nil)
	poll(t, chat, 10*time.Second, "the move in the visitor's transcript",
		`[...document.querySelectorAll('#messages .msg-event')].some(e => e.textContent.includes('Moved to Orders'))`, nil)
	var leaked string
	poll(t, chat, 5*time.Second, "the widget's text",
		`document.body.textContent.includes('Orders checks the parcel') ? 'leaked' : 'clean'`, &leaked)
	if leaked != "clean" {
		t.Errorf("the visitor's widget shows the transfer's internal reason")
	}
	poll(t, olaTab.ctx, 15*time.Second, "the chat in Ola's inbox",
		fmt.Sprintf(`!!document.querySelector('.inbox-item[data-conv="%d"]')`, conv.ID), nil)
}
