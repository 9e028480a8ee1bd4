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
	ann := parley.Author{Kind: parley.AuthorAgent, ID: env.agents[0].ID, Name: env.agents[0].Name}
	if _, err := env.db.Claim(ctx, store.Route{Conv: conv, By: ann, To: &ann, Capacity: 3}); err != nil {
		t.Fatal(err) // 2: "Ann joined", for both sides
	}
	agent.msgs(conv, 1)
	secret := "refund fraud suspected, do not ship"
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: ann, ID: "n-1", Text: secret, Kind: parley.KindNote}); err != nil {
		t.Fatal(err) // 3
	}
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent, Event: parley.EventRated, Internal: true}); err != nil {
		t.Fatal(err) // 4
	}
	agent.say(conv, "a-1", "It left our warehouse today.") // 5

	// Live: the agent gets 3, 4 (and its own 5 as an ack); the visitor gets
	// 2 and 5, which says it follows 2.
	if got := agent.msgs(conv, 3); got[0].Seq != 3 || got[0].Kind != parley.KindNote || !got[0].Internal || got[1].Event != parley.EventRated {
		t.Errorf("agent got %+v", got)
	}
	vm := v.msgs(conv, 3)
	if vm[1].Seq != 2 || vm[1].Event != parley.EventAssigned || vm[2].Seq != 5 || vm[2].PrevSeq() != 2 {
		t.Errorf("visitor got %+v, want the assignment at 2, then 5 after 2", vm[1:])
	}

	// The visitor's own next send is acked with its place in their stream.
	ack := v.say(conv, "v-2", "Thanks")
	if ack.Seq != 6 || ack.PrevSeq() != 5 {
		t.Errorf("ack seq %d prev %d, want 6 after 5", ack.Seq, ack.PrevSeq())
	}
	if _, err := env.db.Append(ctx, store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorAgent, ID: env.agents[0].ID}, ID: "n-2", Text: secret, Kind: parley.KindNote}); err != nil {
		t.Fatal(err) // 7: the newest entry is agents-only
	}
	agent.msgs(conv, 1)

	// A reconnecting visitor: the welcome, the replay and synced speak of
	// their stream only.
	v.ws.Close(websocket.StatusNormalClosure, "")
	back := env.dial(t, "visitor back", nil)
	wb := back.visitorHello(env.site.ID, w.Token, parley.ResumeFrom{Conv: conv, After: 0})
	if c := wb.Conversations[0]; c.LastSeq != 6 || c.LastText != "Thanks" || c.PublicSeq != 0 || c.AgentRead > 6 {
		t.Errorf("visitor's welcome conversation %+v, want lastSeq 6 and no agents-only trace", c)
	}
	var replay []uint64
	var prev uint64
	for {
		f := back.next()
		if f.Type == parley.TypeSynced {
			if f.Seq != 6 {
				t.Errorf("visitor's synced at %d, want 6", f.Seq)
			}
			break
		}
		if f.Type != parley.TypeMsg || f.PrevSeq() != prev {
			t.Fatalf("replay frame %+v: want a msg following %d", f, prev)
		}
		prev = f.Seq
		replay = append(replay, f.Seq)
	}
	if fmt.Sprint(replay) != "[1 2 5 6]" {
		t.Errorf("visitor's replay %v, want [1 2 5 6]", replay)
	}

	// An agent's replay has everything.
	again, _ := env.newAgent(t, "agent again", 1, parley.ResumeFrom{Conv: conv})
	if got := seqs(again.msgs(conv, 7)); fmt.Sprint(got) != "[1 2 3 4 5 6 7]" {
		t.Errorf("agent's replay %v", got)
	}
	if s := again.untilType(parley.TypeSynced); s.Seq != 7 {
		t.Errorf("agent's synced at %d, want 7", s.Seq)
	}

	// Resolving sends the conversation to both: the visitor's copy has no
	// trace of the note.
	agent.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	vc := back.untilType(parley.TypeConv).Conversation
	ac := again.untilType(parley.TypeConv).Conversation
	if vc.LastSeq != 6 || vc.LastText != "Thanks" || vc.PublicText != "" || vc.Status != parley.StatusResolved {
		t.Errorf("visitor's conv frame %+v", vc)
	}
	if ac.LastSeq != 7 || ac.LastText != secret {
		t.Errorf("agents' conv frame %+v", ac)
	}
	for _, f := range append(back.seen, v.seen...) {
		if f.Internal || f.Kind == parley.KindNote || f.Text == secret || (f.Conversation != nil && f.Conversation.LastText == secret) {
			t.Errorf("the visitor received an agents-only entry: %+v", f)
		}
	}
}

// TestSocketSendIsAChatMessage: nobody makes an event, an edit or a
// deletion by dressing up a send; the refusal stores nothing. (Notes are
// sends of kind note, from agents: notes_test.go.)
func TestSocketSendIsAChatMessage(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "hello").Conv
	for i, f := range []parley.Frame{
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
