package store_test

import (
	"fmt"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// A visitor's send with New starts a second open conversation; without it,
// a send goes to the newest open one; at parley.MaxOpenPerVisitor open
// conversations New is refused and nothing is stored.
func TestAppendNewConversations(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	other := mustCreateVisitor(t, d, "shop")

	first := mustAppend(t, d, visitorSend(v, 0, "m1", "first"))
	a := visitorSend(v, 0, "m2", "second")
	a.New = true
	second := mustAppend(t, d, a)
	if second.Message.Conv == first.Message.Conv {
		t.Fatalf("New went to conversation %d, the open one", first.Message.Conv)
	}
	// Without New, conv 0 is the newest open conversation.
	if got := mustAppend(t, d, visitorSend(v, 0, "m3", "more")).Message.Conv; got != second.Message.Conv {
		t.Errorf("conv 0 went to %d, want the newest open %d", got, second.Message.Conv)
	}
	// A resend of a New send is the message stored first.
	if got := mustAppend(t, d, a); !got.Dup || got.Message.Conv != second.Message.Conv {
		t.Errorf("resend of a new send: dup %v conv %d, want dup in %d", got.Dup, got.Message.Conv, second.Message.Conv)
	}
	for i := 3; i <= parley.MaxOpenPerVisitor; i++ {
		a := visitorSend(v, 0, fmt.Sprintf("n%d", i), "another")
		a.New = true
		mustAppend(t, d, a)
	}
	convs, err := d.VisitorConversations(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != parley.MaxOpenPerVisitor {
		t.Fatalf("%d conversations, want %d", len(convs), parley.MaxOpenPerVisitor)
	}
	over := visitorSend(v, 0, "over", "one too many")
	over.New = true
	_, err = d.Append(testContext(t), over)
	wantCode(t, err, parley.EConflict)
	if after, _ := d.VisitorConversations(v.ID); len(after) != len(convs) || after[0].LastSeq != convs[0].LastSeq {
		t.Errorf("a refused new conversation stored something: %d conversations, newest at seq %d (was %d)",
			len(after), after[0].LastSeq, convs[0].LastSeq)
	}
	// Without New the visitor still writes to their newest open one.
	if got := mustAppend(t, d, visitorSend(v, 0, "still", "still here")).Message.Conv; got != convs[0].ID {
		t.Errorf("conv 0 at the limit went to %d, want %d", got, convs[0].ID)
	}
	// Once one is resolved, a new one may start.
	if _, err := d.SetStatus(convs[1].ID, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	over.ID = "over-2"
	mustAppend(t, d, over)

	// Another visitor's conversations are theirs: a send of theirs never
	// lands in the first visitor's, and they do not count to their limit.
	o := mustAppend(t, d, visitorSend(other, 0, "m1", "mine"))
	theirs, err := d.VisitorConversations(other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(theirs) != 1 || theirs[0].ID != o.Message.Conv {
		t.Errorf("other visitor's conversations %+v, want only %d", theirs, o.Message.Conv)
	}
	recent, err := d.RecentVisitorConversations(v.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[0].ID <= recent[1].ID || recent[0].Visitor != v.ID {
		t.Errorf("RecentVisitorConversations(2) = %+v, want the two newest of visitor %d, newest first", recent, v.ID)
	}
}
