package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestSocketVisitorHome: a visitor's send with new: true starts another
// conversation while one is open, the agents get it as one more chat of
// that visitor, and beyond parley.MaxOpenPerVisitor open ones it is
// refused with nothing stored. The visitor's welcome lists their own
// conversations only, newest first, as they see them: a note is never
// their preview.
func TestSocketVisitorHome(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	ann, _ := env.newAgent(t, "ann", 0)
	v, w := env.newVisitor(t, "visitor")
	first := v.say(0, "v-1", "Where is my order?").Conv
	ann.msgs(first, 1)
	ann.say(first, "a-1", "It left today.")
	secret := "customer was rude last time"
	ann.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "n-1", Conv: first, Kind: parley.KindNote, Text: secret})
	ann.ack("n-1")

	newSend := func(id, text string) parley.Frame {
		return parley.Frame{Type: parley.TypeSend, ID: id, Conv: 0, New: true, Text: text}
	}
	v.sendFrame(newSend("v-2", "Another question: gift wrap?"))
	second := v.ack("v-2").Conv
	if second == 0 || second == first {
		t.Fatalf("new: true went to conversation %d; want a new one beside %d", second, first)
	}
	if got := ann.msgs(second, 1); got[0].Text != "Another question: gift wrap?" || got[0].From.ID != w.Visitor.ID {
		t.Errorf("agent got %+v in the second conversation", got[0])
	}
	// Without new, conv 0 is the newest open conversation.
	if got := v.say(0, "v-3", "Also, ribbons?").Conv; got != second {
		t.Errorf("conv 0 went to %d, want the newest open %d", got, second)
	}
	// Both are open, both the visitor's.
	for _, id := range []uint64{first, second} {
		c, err := env.db.Conversation(id)
		if err != nil || !c.IsOpen() || c.Visitor != w.Visitor.ID {
			t.Errorf("conversation %d: %+v, %v; want open, of visitor %d", id, c, err, w.Visitor.ID)
		}
	}

	// Bad input: new from an agent, or naming a conversation.
	before := len(env.stored(t, first))
	for _, tt := range []struct {
		by *sockClient
		f  parley.Frame
	}{
		{ann, parley.Frame{Type: parley.TypeSend, ID: "a-new", Conv: first, New: true, Text: "hi"}},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "a-new0", New: true, Text: "hi"}},
		{v, parley.Frame{Type: parley.TypeSend, ID: "v-new1", Conv: first, New: true, Text: "hi"}},
	} {
		tt.by.sendFrame(tt.f)
		if e := tt.by.untilError(); e.Code != parley.EInvalid || e.ID != tt.f.ID {
			t.Errorf("%s's %+v: got %+v, want invalid with the id", tt.by.name, tt.f, e)
		}
	}
	if after := len(env.stored(t, first)); after != before {
		t.Errorf("refused sends stored %d entries", after-before)
	}

	// The limit: the visitor may start conversations up to
	// MaxOpenPerVisitor open ones; the next is refused, nothing stored.
	for i := 3; i <= parley.MaxOpenPerVisitor; i++ {
		v.sendFrame(newSend(fmt.Sprintf("v-new-%d", i), "one more"))
		v.ack(fmt.Sprintf("v-new-%d", i))
	}
	convs, err := env.db.VisitorConversations(w.Visitor.ID)
	if err != nil || len(convs) != parley.MaxOpenPerVisitor {
		t.Fatalf("%d conversations (%v), want %d", len(convs), err, parley.MaxOpenPerVisitor)
	}
	v.sendFrame(newSend("v-over", "flood"))
	if e := v.untilError(); e.Code != parley.EConflict || e.ID != "v-over" || !strings.Contains(e.Message, "open conversations") {
		t.Errorf("over the limit: got %+v, want conflict naming the open conversations", e)
	}
	if after, _ := env.db.VisitorConversations(w.Visitor.ID); len(after) != len(convs) || after[0].LastSeq != convs[0].LastSeq {
		t.Errorf("the refused send stored something: %d conversations", len(after))
	}
	// The server goes on: a message to an open one still goes.
	v.say(first, "v-4", "Thanks!")

	// The welcome lists them, newest first, as the visitor sees them.
	again := env.dial(t, "visitor-again", nil)
	wel := again.visitorHello(env.site.ID, w.Token)
	var ids []uint64
	for _, c := range wel.Conversations {
		ids = append(ids, c.ID)
		if c.Visitor != w.Visitor.ID || c.PublicText != "" || c.PublicSeq != 0 || len(c.Tags) > 0 {
			t.Errorf("welcome's conversation %+v: not the visitor's copy", c)
		}
		if strings.Contains(c.LastText, secret) {
			t.Errorf("welcome's conversation %d previews a note: %q", c.ID, c.LastText)
		}
	}
	want := make([]uint64, 0, len(convs))
	for _, c := range convs {
		want = append(want, c.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("welcome lists %v, want %v (newest first)", ids, want)
	}
	if i := slices.Index(ids, first); i < 0 || wel.Conversations[i].LastText != "Thanks!" {
		t.Errorf("first conversation's preview in the welcome: %+v", wel.Conversations)
	}

	// Another visitor sees none of them, and cannot write to them.
	stranger, sw := env.newVisitor(t, "stranger")
	if len(sw.Conversations) != 0 {
		t.Errorf("a new visitor's welcome lists %+v", sw.Conversations)
	}
	stranger.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "s-1", Conv: second, Text: "hi"})
	if e := stranger.untilError(); e.Code != parley.ENotFound {
		t.Errorf("stranger writing to another visitor's conversation: %+v, want not_found", e)
	}
	// Their new: true is their own first conversation, not counted
	// against the other visitor's limit.
	stranger.sendFrame(newSend("s-2", "my own question"))
	if c := stranger.ack("s-2").Conv; slices.Contains(ids, c) {
		t.Errorf("stranger's new conversation %d is one of the first visitor's", c)
	}
}

// TestSocketVisitorWelcomeBounded: a visitor's welcome lists their newest
// parley.VisitorWelcomeSize conversations, however many they have.
func TestSocketVisitorWelcomeBounded(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	_, w := env.newVisitor(t, "visitor")
	var all []uint64
	for i := range parley.VisitorWelcomeSize + 2 {
		// Straight to the store: the socket's rate limits would take
		// seconds.
		res, err := env.db.Append(t.Context(), store.Append{Site: env.site.ID, Visitor: w.Visitor.ID,
			From: parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID}, ID: fmt.Sprintf("v-%d", i), Text: "question"})
		if err != nil {
			t.Fatal(err)
		}
		conv := res.Message.Conv
		all = append(all, conv)
		if _, err := env.db.SetStatus(conv, parley.StatusResolved); err != nil {
			t.Fatal(err)
		}
	}
	again := env.dial(t, "visitor-again", nil)
	wel := again.visitorHello(env.site.ID, w.Token)
	if len(wel.Conversations) != parley.VisitorWelcomeSize {
		t.Fatalf("welcome lists %d conversations, want %d", len(wel.Conversations), parley.VisitorWelcomeSize)
	}
	if got, want := wel.Conversations[0].ID, all[len(all)-1]; got != want {
		t.Errorf("welcome starts with %d, want the newest %d", got, want)
	}
	if got := wel.Conversations[0].Status; got != parley.StatusResolved {
		t.Errorf("newest conversation's status %q, want resolved", got)
	}
}

// TestRoutingVisitorWithSeveralOpenConversations: each of a visitor's open
// conversations is routed on its own: its team's queue, its assignment, its
// queue frames; a new one needs the pre-chat form even while another is
// open; a reconnect's welcome brings each queued one's place again.
func TestRoutingVisitorWithSeveralOpenConversations(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	newDesk(t, env, 1)
	bob, _ := env.newAgent(t, "bob", 1)

	v, w := env.newVisitorOf(t, "v", "desk")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "v-1", Text: "My parcel came broken", Topic: "returns"})
	c1 := v.ack("v-1").Conv
	untilEvent(v, c1, parley.EventAssigned)

	// A new conversation without the form's answers is refused, even
	// though one is open: nothing stored.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "v-2", New: true, Text: "Another thing"})
	if e := v.untilError(); e.Code != parley.EInvalid || e.ID != "v-2" {
		t.Errorf("new without the form: %+v, want invalid with the id", e)
	}
	if convs, _ := env.db.VisitorConversations(w.Visitor.ID); len(convs) != 1 {
		t.Fatalf("the refused new send stored a conversation: %+v", convs)
	}

	// Bob is at capacity: the second returns chat waits; an orders chat
	// waits for nobody online.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "v-3", New: true, Text: "And a second parcel", Topic: "returns"})
	c2 := v.ack("v-3").Conv
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "v-4", New: true, Text: "Where is order 12?", Topic: "order-status"})
	c3 := v.ack("v-4").Conv
	if c1 == c2 || c2 == c3 || c1 == c3 {
		t.Fatalf("conversations %d, %d, %d: want three", c1, c2, c3)
	}
	untilQueue(v, c2, "the second chat first in the returns queue", func(q parley.QueueStatus) bool { return q.Position == 1 && q.Online == 1 })
	untilQueue(v, c3, "the orders chat with nobody online", func(q parley.QueueStatus) bool { return q.Position == 1 && q.Online == 0 })
	for id, team := range map[uint64]string{c1: "returns", c2: "returns", c3: "orders"} {
		if c, err := env.db.Conversation(id); err != nil || c.Team != team || !c.IsOpen() {
			t.Errorf("conversation %d: %+v, %v; want open with team %s", id, c, err, team)
		}
	}

	// Bob resolves the first: the second is his now, not the orders one.
	bob.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: c1})
	if e := untilEvent(v, c2, parley.EventAssigned); e.To == nil || e.To.ID != env.agents[1].ID {
		t.Errorf("the second chat assigned to %+v, want Bob", e.To)
	}
	if c, _ := env.db.Conversation(c3); c.Assignee != 0 || c.Status != parley.StatusQueued {
		t.Errorf("the orders chat: %+v, want still queued", c)
	}

	// Another tab: its welcome lists the three, and the queued one's place
	// comes again.
	again := env.dial(t, "v-again", nil)
	wel := again.visitorHello("desk", w.Token)
	if len(wel.Conversations) != 3 || wel.Conversations[0].ID != c3 || wel.Conversations[2].ID != c1 {
		t.Errorf("welcome lists %+v, want %d, %d, %d", wel.Conversations, c3, c2, c1)
	}
	untilQueue(again, c3, "the orders chat's place after the welcome", func(q parley.QueueStatus) bool { return q.Position == 1 })
}
