package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// TestBrowserWidgetHome: a visitor chats and the agent resolves; the
// visitor comes back to the widget's home with the past conversation,
// starts a new one, which the agent gets as a second conversation of the
// same visitor; back home, the visitor opens the first one and reads its
// history. The home passes axe-core.
func TestBrowserWidgetHome(t *testing.T) {
	m, a, v := demoAgentAndVisitor(t)
	axe := axeSource(t)
	first := "Is the Kenya roast still on sale? " + t.Name()
	reply := "It is, until Sunday."
	second := "Another thing: can you gift wrap? " + t.Name()

	openShopChat(t, m, v)
	chat, chatID := v.chat(t)
	send(t, chat, "the visitor", first)
	poll(t, chat, 10*time.Second, "the visitor's message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", first), nil)
	openInboxItem(t, a, first)
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", first)
	send(t, a.ctx, "the agent", reply)
	waitMessage(t, chat, "the visitor", ".msg-agent", reply)
	conv1, _ := transcript(t, m, 2)
	step(t, a.ctx, 5*time.Second, "resolving the conversation", chromedp.Click("#resolve", chromedp.ByQuery))
	waitConv(t, m, conv1, "resolved", func(c parley.Conversation) bool { return c.Status == parley.StatusResolved })
	c1, err := m.DB.Conversation(conv1)
	if err != nil {
		t.Fatal(err)
	}

	// Back on the shop: the widget opens on the home.
	step(t, v.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	var open bool
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "checking the panel", chromedp.Evaluate(panelOpenJS, &open))
	if !open {
		step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	}
	home, homeID := v.chatShowing(t, "#"+visitor.HomeNewID, chatID)
	row1 := "#" + visitor.HomeRowID(conv1)
	poll(t, home, 10*time.Second, "the past conversation on the home",
		fmt.Sprintf(`(() => { const r = document.querySelector(%s); return !!r && r.textContent.includes(%s) && r.textContent.includes('Resolved') })()`,
			jsString(row1), jsString(reply)), nil)
	if n := countJS(t, home, `document.querySelectorAll('.home-row').length`); n != 1 {
		t.Errorf("the home lists %d conversations, want 1", n)
	}

	// "New conversation": the composer, and a new conversation.
	step(t, home, 5*time.Second, "clicking New conversation", chromedp.Click("#"+visitor.HomeNewID, chromedp.ByQuery))
	send(t, home, "the visitor", second)
	poll(t, home, 10*time.Second, "the new message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", second), nil)
	if ok := countJS(t, home, "+"+messageJS(".msg-visitor", first)); ok != 0 {
		t.Errorf("the new conversation's thread shows the first conversation's message")
	}
	// The agent gets it as a second conversation of the same visitor.
	openInboxItem(t, a, second)
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", second)
	convs, err := m.DB.VisitorConversations(c1.Visitor)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 2 || convs[1].ID != conv1 || !convs[0].IsOpen() || convs[0].LastText != second {
		t.Fatalf("the visitor's conversations: %+v; want a new open one with the second question, and %d", convs, conv1)
	}
	conv2 := convs[0].ID

	// Back home: both, the open one first; the first one's history.
	step(t, home, 5*time.Second, "going back home", chromedp.Click("#back", chromedp.ByQuery))
	poll(t, home, 10*time.Second, "both conversations on the home",
		`document.querySelectorAll('.home-row').length === 2`, nil)
	var firstRow string
	step(t, home, 5*time.Second, "reading the first row", chromedp.Evaluate(`document.querySelector('.home-row').id`, &firstRow))
	if firstRow != visitor.HomeRowID(conv2) {
		t.Errorf("the first row is %q, want the open conversation %q", firstRow, visitor.HomeRowID(conv2))
	}
	checkAxe(t, home, axe, "the widget's home")
	emulateDark(t, home)
	poll(t, home, 5*time.Second, "the home in its dark theme", `getComputedStyle(document.documentElement).colorScheme === 'dark'`, nil)
	checkAxe(t, home, axe, "the widget's home, dark")
	// After a reload the past conversation is not replayed until opened:
	// opening it replays its history.
	step(t, v.ctx, 20*time.Second, "reloading the shop page", chromedp.Reload())
	at = v.launcher(t)
	step(t, v.ctx, 5*time.Second, "checking the panel", chromedp.Evaluate(panelOpenJS, &open))
	if !open {
		step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	}
	home, _ = v.chatShowing(t, "#"+visitor.HomeNewID, chatID, homeID)
	poll(t, home, 10*time.Second, "both conversations on the home after a reload",
		`document.querySelectorAll('.home-row').length === 2`, nil)
	// Keyboard: the row is a button that takes focus and opens on Enter.
	step(t, home, 5*time.Second, "opening the past conversation from the keyboard",
		chromedp.Focus(row1, chromedp.ByQuery),
		chromedp.KeyEvent("\r"),
	)
	waitMessage(t, home, "the visitor in the past conversation", ".msg-visitor", first)
	waitMessage(t, home, "the visitor in the past conversation", ".msg-agent", reply)
	if ok := countJS(t, home, "+"+messageJS(".msg-visitor", second)); ok != 0 {
		t.Errorf("the first conversation's thread shows the second conversation's message")
	}
}

// countJS evaluates js, a number, in ctx.
func countJS(tb testing.TB, ctx context.Context, js string) int {
	tb.Helper()
	var n int
	step(tb, ctx, 5*time.Second, "evaluating "+js, chromedp.Evaluate(js, &n))
	return n
}
