package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

func TestConversationLists(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "a")
	mustCreateSite(t, d, "b")
	va := mustCreateVisitor(t, d, "a")
	vb := mustCreateVisitor(t, d, "b")

	a1 := mustAppend(t, d, visitorSend(va, 0, "a1", "first")).Conv
	b1 := mustAppend(t, d, visitorSend(vb, 0, "b1", "hello")).Conv
	if _, err := d.SetStatus(a1.ID, parley.StatusResolved); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	a2 := mustAppend(t, d, visitorSend(va, 0, "a2", "second")).Conv
	if a2.ID == a1.ID {
		t.Fatalf("a message with conv 0 after resolving reused conversation %d", a1.ID)
	}

	cs, err := d.VisitorConversations(va.ID)
	if err != nil {
		t.Fatalf("VisitorConversations: %v", err)
	}
	if got, want := ids(cs), []uint64{a2.ID, a1.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("VisitorConversations: got %v, want %v (newest first)", got, want)
	}
	if cs, _ := d.VisitorConversations(999); len(cs) != 0 {
		t.Errorf("VisitorConversations of nobody: got %v", ids(cs))
	}

	// b1 becomes the most recently updated. Times are in milliseconds: step
	// past a2's so the order does not fall back to the id.
	time.Sleep(2 * time.Millisecond)
	mustAppend(t, d, agentSend(1, b1.ID, "r1", "how can I help?"))
	open, err := d.OpenConversations("a", "b")
	if err != nil {
		t.Fatalf("OpenConversations: %v", err)
	}
	if got, want := ids(open), []uint64{b1.ID, a2.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OpenConversations: got %v, want %v", got, want)
	}
	// Only the sites asked for.
	if open, _ := d.OpenConversations("a"); fmt.Sprint(ids(open)) != fmt.Sprint([]uint64{a2.ID}) {
		t.Errorf("OpenConversations(a): got %v, want [%d]", ids(open), a2.ID)
	}
	if open, _ := d.OpenConversations(); len(open) != 0 {
		t.Errorf("OpenConversations of no site: got %v", ids(open))
	}

	_, err = d.Conversation(999)
	wantCode(t, err, parley.ENotFound)
	_, err = d.LastSeq(999)
	wantCode(t, err, parley.ENotFound)
	_, err = d.SetStatus(999, parley.StatusResolved)
	wantCode(t, err, parley.ENotFound)
	_, err = d.SetStatus(a2.ID, "archived")
	wantCode(t, err, parley.EInvalid)
}

func ids(cs []parley.Conversation) []uint64 {
	out := make([]uint64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestReopenOnVisitorMessage(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "m1", "hi")).Conv

	resolved, err := d.SetStatus(c.ID, parley.StatusResolved)
	if err != nil || resolved.Status != parley.StatusResolved {
		t.Fatalf("SetStatus: got %q, %v", resolved.Status, err)
	}
	if open, _ := d.OpenConversations("shop"); len(open) != 0 {
		t.Errorf("open after resolving: %v", ids(open))
	}

	// An agent's message leaves it resolved.
	if res := mustAppend(t, d, agentSend(1, c.ID, "r1", "bye")); res.Conv.Status != parley.StatusResolved {
		t.Errorf("status after an agent message: got %q, want %q", res.Conv.Status, parley.StatusResolved)
	}
	// The visitor naming it reopens it.
	res := mustAppend(t, d, visitorSend(v, c.ID, "m2", "one more thing"))
	if res.Conv.ID != c.ID || res.Conv.Status != parley.StatusOpen {
		t.Errorf("after a visitor message: got conversation %d %q, want %d %q", res.Conv.ID, res.Conv.Status, c.ID, parley.StatusOpen)
	}
	if open, _ := d.OpenConversations("shop"); len(open) != 1 || open[0].ID != c.ID {
		t.Errorf("open after reopening: got %v, want [%d]", ids(open), c.ID)
	}
}

func TestReadMarks(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	c := mustAppend(t, d, visitorSend(v, 0, "m1", "one")).Conv // 1
	mustAppend(t, d, visitorSend(v, c.ID, "m2", "two"))        // 2
	c = mustAppend(t, d, visitorSend(v, c.ID, "m3", "three")).Conv
	if c.Unread != 3 || c.AgentRead != 0 || c.VisitorRead != 3 {
		t.Fatalf("after 3 visitor messages: unread %d, agentRead %d, visitorRead %d; want 3, 0, 3", c.Unread, c.AgentRead, c.VisitorRead)
	}

	mark := func(side string, seq uint64, wantRead uint64, wantUnread int) {
		t.Helper()
		c, err := d.MarkRead(c.ID, side, seq)
		if err != nil {
			t.Fatalf("MarkRead(%s, %d): %v", side, seq, err)
		}
		gotRead := c.AgentRead
		if side == parley.AuthorVisitor {
			gotRead = c.VisitorRead
		}
		if gotRead != wantRead || c.Unread != wantUnread {
			t.Errorf("MarkRead(%s, %d): read %d, unread %d; want %d, %d", side, seq, gotRead, c.Unread, wantRead, wantUnread)
		}
	}
	mark(parley.AuthorAgent, 2, 2, 1)
	mark(parley.AuthorAgent, 1, 2, 1)   // never back
	mark(parley.AuthorAgent, 100, 3, 0) // never past the newest

	c = mustAppend(t, d, agentSend(1, c.ID, "r1", "hello")).Conv // 4
	if c.AgentRead != 4 || c.Unread != 0 {
		t.Errorf("after an agent message: agentRead %d, unread %d; want 4, 0", c.AgentRead, c.Unread)
	}
	mustAppend(t, d, visitorSend(v, c.ID, "m4", "four"))  // 5
	mustAppend(t, d, agentSend(2, c.ID, "r2", "yes"))     // 6, resets
	mustAppend(t, d, visitorSend(v, c.ID, "m5", "five"))  // 7
	mustAppend(t, d, agentSend(1, c.ID, "r3", "ok"))      // 8
	mustAppend(t, d, visitorSend(v, c.ID, "m6", "six"))   // 9
	mustAppend(t, d, visitorSend(v, c.ID, "m7", "seven")) // 10

	mark(parley.AuthorAgent, 7, 8, 2) // 8 was read by writing it; 9 and 10 remain
	mark(parley.AuthorAgent, 9, 9, 1)

	mark(parley.AuthorVisitor, 3, 10, 1) // the visitor wrote 10, so has read it
	mark(parley.AuthorVisitor, 200, 10, 1)

	_, err := d.MarkRead(c.ID, "robot", 1)
	wantCode(t, err, parley.EInvalid)
	_, err = d.MarkRead(999, parley.AuthorAgent, 1)
	wantCode(t, err, parley.ENotFound)
}
