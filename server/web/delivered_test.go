package web_test

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestSocketDelivered: a delivered mark goes to the other side (and the
// same side's other agents), never to another visitor or another site's
// agent; the visitor's copy never points at a note; a reconnecting client
// finds the marks in its welcome; bad marks are refused, changing nothing.
func TestSocketDelivered(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	bob, _ := env.newAgent(t, "bob", 1)
	cy, _ := env.newAgent(t, "cy", 2)
	v, vw := env.newVisitor(t, "visitor")
	mallory, _ := env.newVisitor(t, "mallory")
	conv := v.say(0, "v-1", "hello").Conv // 1
	ann.msgs(conv, 1)
	ann.say(conv, "a-1", "Hi, how can I help?") // 2 "Ann joined", 3
	v.msgs(conv, 2)
	annAuthor := parley.Author{Kind: parley.AuthorAgent, ID: env.agents[0].ID, Name: env.agents[0].Name}
	if _, err := env.db.Append(t.Context(), store.Append{Conv: conv, From: annAuthor, ID: "n-1", Text: "note", Kind: parley.KindNote}); err != nil {
		t.Fatal(err) // 4: agents only
	}
	ann.msgs(conv, 1)

	// The visitor's widget received up to 3: the agents hear it.
	v.sendFrame(parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 3})
	for _, a := range []*sockClient{ann, bob} {
		f := a.untilType(parley.TypeDelivered)
		if f.Conv != conv || f.Seq != 3 || f.From == nil || f.From.Kind != parley.AuthorVisitor {
			t.Errorf("%s: delivered %+v from %+v, want the visitor's at 3", a.name, f, f.From)
		}
	}
	// Past the visitor's stream (4 is a note): refused.
	v.sendFrame(parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 4})
	if e := v.untilError(); e.Code != parley.EInvalid {
		t.Errorf("a visitor's delivered past their stream: %+v, want invalid", e)
	}

	// Bob's console received the note: Ann hears 4, the visitor 3 only.
	bob.sendFrame(parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 4})
	if f := ann.untilType(parley.TypeDelivered); f.Seq != 4 || f.From.Kind != parley.AuthorAgent {
		t.Errorf("ann got delivered %+v from %+v, want Bob's at 4", f, f.From)
	}
	if f := v.untilType(parley.TypeDelivered); f.Seq != 3 || f.From.Kind != parley.AuthorAgent {
		t.Errorf("the visitor got delivered %+v from %+v, want 3, never the note's 4", f, f.From)
	}
	// Not moving: nobody hears anything (the barrier below would show it).
	ann.sendFrame(parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 2})

	// Bad input: no seq, no conversation, past the last entry, another's
	// conversation (as missing).
	for _, bad := range []struct {
		who  *sockClient
		f    parley.Frame
		code string
	}{
		{ann, parley.Frame{Type: parley.TypeDelivered, Conv: conv}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeDelivered, Seq: 1}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 99}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeDelivered, Conv: 999999, Seq: 1}, parley.ENotFound},
		{cy, parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 1}, parley.ENotFound},
		{mallory, parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 1}, parley.ENotFound},
	} {
		bad.who.sendFrame(bad.f)
		if e := bad.who.untilError(); e.Code != bad.code {
			t.Errorf("%s sending %+v: %+v, want %s", bad.who.name, bad.f, e, bad.code)
		}
	}

	// Barriers: whatever was published before has reached them.
	barrier(t, v, ann, conv, "v-2") // 5
	barrier(t, v, bob, conv, "v-3") // 6
	ann.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "a-2", Conv: conv, Text: "one moment"})
	ann.ack("a-2") // 7
	v.until("msg a-2", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "a-2" })
	mConv := mallory.say(0, "m-1", "hello too").Conv
	ann.say(mConv, "a-m", "Hello Mallory")
	mallory.until("msg a-m", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "a-m" })
	cyConv := func() uint64 {
		o, _ := env.newVisitorOf(t, "other visitor", env.other.ID)
		return o.say(0, "o-1", "hello other").Conv
	}()
	cy.msgs(cyConv, 1)
	for _, c := range []*sockClient{mallory, cy} {
		for _, f := range c.seen {
			if f.Type == parley.TypeDelivered {
				t.Errorf("%s got %+v", c.name, f)
			}
		}
	}
	var delivered int
	for _, f := range v.seen {
		if f.Type == parley.TypeDelivered {
			delivered++
		}
	}
	if delivered != 1 {
		t.Errorf("the visitor got %d delivered frames, want 1 (a mark that does not move is not relayed)", delivered)
	}

	// Reconnecting: the welcome carries the marks, the visitor's clamped.
	v2 := env.dial(t, "visitor again", nil)
	w := v2.visitorHello(env.site.ID, vw.Token)
	if len(w.Conversations) != 1 || w.Conversations[0].AgentDelivered != 3 || w.Conversations[0].VisitorDelivered != 3 {
		t.Errorf("visitor's welcome %+v, want agentDelivered 3 and visitorDelivered 3", w.Conversations)
	}
	_, aw := env.newAgent(t, "ann again", 0)
	for _, c := range aw.Conversations {
		if c.ID == conv && (c.AgentDelivered != 4 || c.VisitorDelivered != 3) {
			t.Errorf("agent's welcome %+v, want agentDelivered 4 and visitorDelivered 3", c)
		}
	}
}
