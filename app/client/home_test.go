//go:build !js

package client_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
)

// TestSendNewStartsAnotherConversation: SendNew starts a second
// conversation while one is open; a message typed in either is acked into
// that one; a new send resent after a lost ack is the conversation it
// created, not a third.
func TestSendNewStartsAnotherConversation(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	client.SetProbeTimeout(c, 200*time.Millisecond)
	run(t, c)

	convOf := func(id string) uint64 {
		t.Helper()
		rec.wait(t, "message "+id, func() bool { return rec.hasMsg(id) })
		for _, f := range rec.snapshot() {
			if f.Type == parley.TypeMsg && f.ID == id {
				return f.Conv
			}
		}
		t.Fatalf("no msg %s", id)
		return 0
	}
	a := convOf(c.Send(0, "first chat", false))

	// The ack of the new send is lost: the resend must not start another.
	var dropped bool
	p.setDrop(func(f parley.Frame) bool {
		if f.Type == parley.TypeAck && !dropped {
			dropped = true
			return true
		}
		return false
	})
	newID := c.SendNew("second chat", false, parley.PreChatAnswers{})
	if out := c.Outbox(); len(out) != 1 || !out[0].New || out[0].Conv != 0 {
		t.Fatalf("outbox %+v, want the new send with new: true", out)
	}
	rec.wait(t, "the new send written", func() bool {
		for _, f := range p.clientFrames() {
			if f.ID == newID {
				return true
			}
		}
		return false
	})
	time.Sleep(50 * time.Millisecond) // its ack is on its way, and dropped
	p.stallAll()
	c.Resync()
	b := convOf(newID)
	if b == 0 || b == a {
		t.Fatalf("the new send went to %d; want a conversation beside %d", b, a)
	}
	rec.wait(t, "the outbox empty", rec.outboxEmpty)

	if got := convOf(c.Send(b, "more in the second", false)); got != b {
		t.Errorf("a message of conversation %d was acked into %d", b, got)
	}
	if got := convOf(c.Send(a, "back to the first", false)); got != a {
		t.Errorf("a message of conversation %d was acked into %d", a, got)
	}
	writes := 0
	for _, f := range p.clientFrames() {
		if f.ID == newID {
			writes++
		}
	}
	if writes < 2 {
		t.Errorf("the new send was written %d times, want it resent", writes)
	}
	// Two conversations, not three: the resend was deduplicated.
	seen := map[uint64]bool{}
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeMsg {
			seen[f.Conv] = true
		}
	}
	if len(seen) != 2 {
		t.Errorf("messages in %d conversations, want 2: %v", len(seen), seen)
	}
}

// TestVisitorFollowsPastConversationsOnDemand: a visitor's welcome lists
// past conversations; the client replays the newest and the open ones,
// and a past one only once the app follows it (the widget opening it).
func TestVisitorFollowsPastConversationsOnDemand(t *testing.T) {
	ts := newServer(t)
	rec := newRecorder()
	c := client.New(rec.options(ts.wsURL(), visitorHello()))
	run(t, c)
	msgConv := func(rec *recorder, id string) uint64 {
		t.Helper()
		rec.wait(t, "message "+id, func() bool { return rec.hasMsg(id) })
		for _, f := range rec.snapshot() {
			if f.Type == parley.TypeMsg && f.ID == id {
				return f.Conv
			}
		}
		return 0
	}
	oldID := c.Send(0, "an old question", false)
	old := msgConv(rec, oldID)
	if _, err := ts.db.SetStatus(old, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	newID := c.SendNew("a newer one", false, parley.PreChatAnswers{})
	newer := msgConv(rec, newID)
	if _, err := ts.db.SetStatus(newer, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}

	// Another tab of the same visitor.
	rec2 := newRecorder()
	hello := visitorHello()
	hello.Token = c.Token()
	c2 := client.New(rec2.options(ts.wsURL(), hello))
	run(t, c2)
	if got := msgConv(rec2, newID); got != newer {
		t.Fatalf("the newest conversation's message came in %d, want %d", got, newer)
	}
	if w := rec2.welcomes(); len(w) != 1 || len(w[0].Conversations) != 2 {
		t.Fatalf("welcomes %+v, want one listing both conversations", w)
	}
	if rec2.hasMsg(oldID) || c2.LastSeq(old) != 0 {
		t.Errorf("the past conversation %d was replayed before the app asked", old)
	}
	c2.Follow(old, 0)
	if got := msgConv(rec2, oldID); got != old {
		t.Errorf("the past conversation's message came in %d, want %d", got, old)
	}
}
