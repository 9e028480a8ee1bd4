package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserEditAndDelete: the visitor edits a message of theirs in the
// widget and the agent sees the new text, marked edited, with the old one
// in its history; the agent deletes a reply of theirs and the widget shows
// it deleted; the store keeps nothing of the deleted reply. On the way,
// the visitor's receipt goes from Delivered (the agent's console is
// connected) to Seen (the agent opened the conversation).
func TestBrowserEditAndDelete(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	first := "I need size 42 " + t.Name()
	fixed := "I need size 43 " + t.Name()
	send(t, chat, "the visitor", first)
	poll(t, chat, 10*time.Second, "the message to be acknowledged", messageJS(".msg-visitor:not(.msg-sending)", first), nil)
	// Receipts: the agent's console is connected but has not opened the
	// conversation: "Delivered", not "Seen" yet.
	poll(t, chat, 10*time.Second, "the visitor's receipt to say Delivered", `(document.querySelector('.msg-mine .msg-receipt') || {}).textContent === 'Delivered'`, nil)

	step(t, chat, 10*time.Second, "editing it",
		chromedp.Click(".msg-mine .msg-edit-button", chromedp.ByQuery),
		chromedp.WaitVisible(".msg-edit-input", chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const e = document.querySelector('.msg-edit-input'); e.value = ''; return true })()`, nil),
		chromedp.SendKeys(".msg-edit-input", fixed, chromedp.ByQuery),
		chromedp.Click(".msg-edit-save", chromedp.ByQuery),
	)
	waitMessage(t, chat, "the visitor", ".msg-visitor", fixed)

	openInboxItem(t, a, "size 4")
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", fixed)
	// Receipts: the agent has the conversation open, so the visitor's
	// message reads "Seen"; the agent's reply will too, once the widget
	// shows it.
	poll(t, chat, 10*time.Second, "the visitor's receipt", `(document.querySelector('.msg-mine .msg-receipt') || {}).textContent === 'Seen'`, nil)
	var history string
	poll(t, a.ctx, 10*time.Second, "the edit's history", `(document.querySelector('.msg-visitor .msg-edited') || {}).title || ''`, &history)
	if !strings.Contains(history, first) {
		t.Errorf("the agent's history of the edit: %q, want the first text", history)
	}

	oops := "Size 43 is sold out " + t.Name()
	send(t, a.ctx, "the agent", oops)
	waitMessage(t, chat, "the visitor", ".msg-agent", oops)
	poll(t, a.ctx, 10*time.Second, "the agent's receipt", `[...document.querySelectorAll('.msg-mine .msg-receipt')].some(e => e.textContent === 'Seen')`, nil)
	step(t, a.ctx, 10*time.Second, "deleting the reply",
		chromedp.Click(".msg-mine .msg-delete-button", chromedp.ByQuery),
		chromedp.Click(".msg-mine .msg-delete-yes", chromedp.ByQuery),
	)
	poll(t, chat, 10*time.Second, "the deletion in the widget", `!!document.querySelector('.msg-agent .msg-deleted')`, nil)
	var shown string
	step(t, chat, 5*time.Second, "reading the widget", chromedp.Evaluate(`document.querySelector('#messages').innerText`, &shown))
	if !strings.Contains(shown, "Message deleted") || strings.Contains(shown, "sold out") {
		t.Errorf("the widget shows:\n%s", shown)
	}
	// The edit keeps the first text for the agents' history; the deletion
	// leaves nothing of the reply.
	_, msgs := transcript(t, m, 1)
	for _, ms := range msgs {
		if strings.Contains(ms.Text, "sold out") {
			t.Errorf("the deleted reply is still stored: %q", ms.Text)
		}
	}
}
