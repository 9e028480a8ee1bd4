package web_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// newScopedAgent logs agent i in and connects it with scope
// "conversations", following the conversations of since.
func (env *sockEnv) newScopedAgent(tb testing.TB, name string, i int, since ...parley.ResumeFrom) (*sockClient, parley.Frame) {
	tb.Helper()
	c := env.dial(tb, name, loginAgent(tb, env, env.agents[i].Email))
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: parley.ScopeConversations, Since: since})
	w := c.next()
	if w.Type != parley.TypeWelcome || w.Agent == nil || w.Agent.ID != env.agents[i].ID {
		tb.Fatalf("%s: got %+v, want the welcome of agent %d", name, w, env.agents[i].ID)
	}
	c.author = &parley.Author{Kind: parley.AuthorAgent, ID: w.Agent.ID, Name: w.Agent.Name}
	return c, w
}

// convIDs lists the ids of conversations.
func convIDs(cs []parley.Conversation) []uint64 {
	ids := make([]uint64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// frameConv is the conversation a frame is about, 0 for none.
func frameConv(f parley.Frame) uint64 {
	if f.Conversation != nil {
		return f.Conversation.ID
	}
	return f.Conv
}

// checkOnly fails if c has read a frame about a conversation not in convs.
func checkOnly(tb testing.TB, c *sockClient, convs ...uint64) {
	tb.Helper()
	for _, f := range c.seen {
		if id := frameConv(f); id != 0 && !slices.Contains(convs, id) {
			tb.Errorf("%s got %s frame of conversation %d, want only %v: %+v", c.name, f.Type, id, convs, f)
		}
	}
}

// barrier sends a message as v on conv and waits until c has it. Frames
// to one connection are ordered: whatever was published before, and was
// meant for c, has arrived by then.
func barrier(tb testing.TB, v, c *sockClient, conv uint64, id string) {
	tb.Helper()
	v.say(conv, id, "barrier")
	c.until("msg "+id, func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == id })
}

func TestSocketScopedAgentGetsOnlyItsConversation(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	inbox, _ := env.newAgent(t, "inbox agent", 0)
	alice, aw := env.newVisitor(t, "alice")
	mine := alice.say(0, "a-0", "my order is late").Conv
	bob, _ := env.newVisitor(t, "bob")
	theirs := bob.say(0, "b-0", "do you ship to Oslo?").Conv

	scoped, w := env.newScopedAgent(t, "scoped agent", 1, parley.ResumeFrom{Conv: mine})
	if got := convIDs(w.Conversations); !slices.Equal(got, []uint64{mine}) {
		t.Fatalf("scoped welcome lists conversations %v, want only %d", got, mine)
	}
	if replay := scoped.msgs(mine, 1); replay[0].ID != "a-0" {
		t.Errorf("replay got %+v, want a-0", replay[0])
	}
	if s := scoped.untilType(parley.TypeSynced); s.Conv != mine || s.Seq != 1 {
		t.Errorf("synced %+v, want conversation %d at 1", s, mine)
	}

	// Both visitors talk, pipelined, and type.
	const n = 20
	for i := 1; i <= n; i++ {
		alice.sendFrame(parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("a-", i), Conv: mine, Text: fmt.Sprint("alice ", i)})
		bob.sendFrame(parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("b-", i), Conv: theirs, Text: fmt.Sprint("bob ", i)})
	}
	for i := 1; i <= n; i++ {
		alice.ack(fmt.Sprint("a-", i))
		bob.ack(fmt.Sprint("b-", i))
	}
	bob.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: theirs, On: true})
	alice.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: mine, On: true})

	// The scoped agent gets Alice's messages in order, and her typing.
	got := scoped.msgs(mine, n)
	if want := seqRange(2, n+1); !slices.Equal(seqs(got), want) {
		t.Fatalf("scoped agent got seqs %v, want %v", seqs(got), want)
	}
	typing := scoped.untilType(parley.TypeTyping)
	if typing.Conv != mine || !typing.On || typing.From == nil || typing.From.ID != aw.Visitor.ID {
		t.Errorf("typing %+v from %+v, want Alice typing", typing, typing.From)
	}

	// The inbox agent still sees everything, Bob's typing included.
	inbox.msgs(mine, n+1)
	inbox.msgs(theirs, n+1)
	inbox.until("bob typing", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && f.Conv == theirs })

	// Bob's typing was published before this: had it been meant for the
	// scoped agent, it would be read by now. None of Bob's frames were.
	barrier(t, alice, scoped, mine, "a-last")
	checkOnly(t, scoped, mine)
	var convFrames int
	for _, f := range scoped.seen {
		if f.Type == parley.TypeConv {
			convFrames++
		}
	}
	// A msg says what changed: no conv frame follows each message.
	if convFrames != 0 {
		t.Errorf("scoped agent got %d conv frames for %d messages to an open conversation, want none", convFrames, n)
	}
}

func TestSocketScopeGrowsWithResumeAndSend(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	alice, _ := env.newVisitor(t, "alice")
	first := alice.say(0, "a-0", "hello").Conv
	bob, _ := env.newVisitor(t, "bob")
	replied := bob.say(0, "b-0", "hello").Conv
	carol, _ := env.newVisitor(t, "carol")
	resumed := carol.say(0, "c-0", "hello").Conv
	carol.say(resumed, "c-1", "anyone?")
	dave, _ := env.newVisitor(t, "dave")
	other := dave.say(0, "d-0", "hello").Conv

	scoped, _ := env.newScopedAgent(t, "scoped agent", 0, parley.ResumeFrom{Conv: first, After: 1})
	scoped.untilType(parley.TypeSynced)

	// A reply follows the conversation and takes it (seq 2): the agent's
	// own msg comes back, and then Bob's answer.
	scoped.say(replied, "r-1", "How can I help?")
	if m := scoped.msgs(replied, 2); m[0].Event != parley.EventAssigned || m[1].ID != "r-1" || m[1].Seq != 3 {
		t.Errorf("own reply came back as %+v, want the assignment, then r-1 as seq 3", m)
	}
	bob.say(replied, "b-1", "my parcel")
	if m := scoped.msgs(replied, 1)[0]; m.ID != "b-1" {
		t.Errorf("after replying got %+v, want Bob's b-1", m)
	}

	// A resume follows the conversation: its state first, then the replay
	// and the live messages.
	scoped.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: resumed})
	conv := scoped.until("conv of the resumed conversation", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == resumed
	})
	if conv.Conversation.LastSeq != 2 {
		t.Errorf("resumed conversation's state %+v, want lastSeq 2", conv.Conversation)
	}
	if got := seqs(scoped.msgs(resumed, 2)); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("resume replayed %v, want [1 2]", got)
	}
	if s := scoped.untilType(parley.TypeSynced); s.Conv != resumed || s.Seq != 2 {
		t.Errorf("synced %+v, want %d at 2", s, resumed)
	}
	carol.say(resumed, "c-2", "thanks")
	if m := scoped.msgs(resumed, 1)[0]; m.Seq != 3 {
		t.Errorf("live after resume got seq %d, want 3", m.Seq)
	}

	// Dave's conversation was never named: nothing of it arrives.
	dave.say(other, "d-1", "hello?")
	barrier(t, alice, scoped, first, "a-1")
	checkOnly(t, scoped, first, replied, resumed)
}

func TestSocketScopeRefusals(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	alice, _ := env.newVisitor(t, "alice")
	conv := alice.say(0, "a-0", "hello").Conv

	// Unknown scopes are refused, and so is a scope on a visitor's hello;
	// the hello may then be said again.
	agent := env.dial(t, "agent", loginAgent(t, env, env.agents[0].Email))
	agent.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: "everything"})
	if f := agent.next(); f.Type != parley.TypeError || f.Code != parley.EInvalid {
		t.Errorf("unknown scope: got %+v, want error %s", f, parley.EInvalid)
	}
	agent.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: parley.ScopeInbox})
	if w := agent.next(); w.Type != parley.TypeWelcome || !slices.Equal(convIDs(w.Conversations), []uint64{conv}) {
		t.Errorf("inbox scope: got %+v, want a welcome with every open conversation", w)
	}
	visitor := env.dial(t, "visitor", nil)
	visitor.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Scope: parley.ScopeConversations})
	if f := visitor.next(); f.Type != parley.TypeError || f.Code != parley.EInvalid {
		t.Errorf("visitor with a scope: got %+v, want error %s", f, parley.EInvalid)
	}

	// A conversation that does not exist yet is refused and not followed,
	// even once it does: ids are handed out in order.
	next := conv + 1
	scoped, w := env.newScopedAgent(t, "scoped", 1, parley.ResumeFrom{Conv: conv}, parley.ResumeFrom{Conv: next})
	if got := convIDs(w.Conversations); !slices.Equal(got, []uint64{conv}) {
		t.Errorf("welcome lists %v, want only %d", got, conv)
	}
	if f := scoped.untilError(); f.Code != parley.ENotFound {
		t.Errorf("since a missing conversation: got %+v, want error %s", f, parley.ENotFound)
	}
	bob, _ := env.newVisitor(t, "bob")
	if got := bob.say(0, "b-0", "hello").Conv; got != next {
		t.Fatalf("Bob's conversation is %d, want %d", got, next)
	}
	barrier(t, alice, scoped, conv, "a-1")
	checkOnly(t, scoped, conv)
}
