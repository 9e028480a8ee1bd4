package web_test

import (
	"fmt"
	"testing"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestSocketAgentsOnlyEntries: notes and internal events reach agents
// only — live, in a replay, in a welcome, in conv frames — and the
// visitor's stream has no false gap where they sit.
func TestSocketAgentsOnlyEntries(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "Where is my parcel?").Conv // 1
	agent.msgs(conv, 1)

	ctx := t.Context()
	secret := "refund fraud suspected, do not ship"
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorAgent, ID: env.agents[0].ID, Name: env.agents[0].Name}, ID: "n-1", Text: secret, Kind: parley.KindNote}); err != nil {
		t.Fatal(err) // 2
	}
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent, Event: parley.EventRated, Internal: true}); err != nil {
		t.Fatal(err) // 3
	}
	agent.say(conv, "a-1", "It left our warehouse today.") // 4

	// Live: the agent gets 2, 3 (and its own 4 as an ack); the visitor gets
	// 4, which says it follows 1.
	if got := agent.msgs(conv, 3); got[0].Seq != 2 || got[0].Kind != parley.KindNote || !got[0].Internal || got[1].Event != parley.EventRated {
		t.Errorf("agent got %+v", got)
	}
	m := v.msgs(conv, 2)[1]
	if m.Seq != 4 || m.PrevSeq() != 1 {
		t.Errorf("visitor got seq %d after %d, want 4 after 1", m.Seq, m.PrevSeq())
	}

	// The visitor's own next send is acked with its place in their stream.
	ack := v.say(conv, "v-2", "Thanks")
	if ack.Seq != 5 || ack.PrevSeq() != 4 {
		t.Errorf("ack seq %d prev %d, want 5 after 4", ack.Seq, ack.PrevSeq())
	}
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorAgent, ID: env.agents[0].ID}, ID: "n-2", Text: secret, Kind: parley.KindNote}); err != nil {
		t.Fatal(err) // 6: the newest entry is agents-only
	}
	agent.msgs(conv, 1)

	// A reconnecting visitor: the welcome, the replay and synced speak of
	// their stream only.
	v.ws.Close(websocket.StatusNormalClosure, "")
	back := env.dial(t, "visitor back", nil)
	wb := back.visitorHello(env.site.ID, w.Token, parley.ResumeFrom{Conv: conv, After: 0})
	if c := wb.Conversations[0]; c.LastSeq != 5 || c.LastText != "Thanks" || c.PublicSeq != 0 || c.AgentRead > 5 {
		t.Errorf("visitor's welcome conversation %+v, want lastSeq 5 and no agents-only trace", c)
	}
	var replay []uint64
	var prev uint64
	for {
		f := back.next()
		if f.Type == parley.TypeSynced {
			if f.Seq != 5 {
				t.Errorf("visitor's synced at %d, want 5", f.Seq)
			}
			break
		}
		if f.Type != parley.TypeMsg || f.PrevSeq() != prev {
			t.Fatalf("replay frame %+v: want a msg following %d", f, prev)
		}
		prev = f.Seq
		replay = append(replay, f.Seq)
	}
	if fmt.Sprint(replay) != "[1 4 5]" {
		t.Errorf("visitor's replay %v, want [1 4 5]", replay)
	}

	// An agent's replay has everything.
	again, _ := env.newAgent(t, "agent again", 1, parley.ResumeFrom{Conv: conv})
	if got := seqs(again.msgs(conv, 6)); fmt.Sprint(got) != "[1 2 3 4 5 6]" {
		t.Errorf("agent's replay %v", got)
	}
	if s := again.untilType(parley.TypeSynced); s.Seq != 6 {
		t.Errorf("agent's synced at %d, want 6", s.Seq)
	}

	// Resolving sends the conversation to both: the visitor's copy has no
	// trace of the note.
	agent.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	vc := back.untilType(parley.TypeConv).Conversation
	ac := again.untilType(parley.TypeConv).Conversation
	if vc.LastSeq != 5 || vc.LastText != "Thanks" || vc.PublicText != "" || vc.Status != parley.StatusResolved {
		t.Errorf("visitor's conv frame %+v", vc)
	}
	if ac.LastSeq != 6 || ac.LastText != secret {
		t.Errorf("agents' conv frame %+v", ac)
	}
	for _, f := range append(back.seen, v.seen...) {
		if f.Internal || f.Kind == parley.KindNote || f.Text == secret || (f.Conversation != nil && f.Conversation.LastText == secret) {
			t.Errorf("the visitor received an agents-only entry: %+v", f)
		}
	}
}

// TestSocketSendIsAChatMessage: nobody makes a note, an event, an edit or a
// deletion by dressing up a send; the refusal stores nothing.
func TestSocketSendIsAChatMessage(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "hello").Conv
	for i, f := range []parley.Frame{
		{Kind: parley.KindNote},
		{Internal: true},
		{Kind: parley.KindEdit, Ref: 1},
		{Kind: parley.KindDelete, Ref: 1},
		{Kind: parley.KindEvent, Event: parley.EventResolved},
		{Kind: "poll"},
	} {
		for _, c := range []*sockClient{v, agent} {
			f.Type, f.ID, f.Conv, f.Text = parley.TypeSend, fmt.Sprint("x-", i), conv, "sneaky"
			c.sendFrame(f)
			if e := c.untilError(); e.Code != parley.EInvalid || e.ID != f.ID {
				t.Errorf("%s sending %+v: got %+v, want invalid", c.name, f, e)
			}
		}
	}
	if got := env.stored(t, conv); len(got) != 1 {
		t.Errorf("the conversation holds %d entries, want 1", len(got))
	}
}
