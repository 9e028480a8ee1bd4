package store_test

import (
	"cmp"
	"fmt"
	"slices"
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
	if res.Conv.ID != c.ID || res.Conv.Status != parley.StatusQueued || res.Conv.Reopened.IsZero() {
		t.Errorf("after a visitor message: got conversation %d %q (reopened %v), want %d %q, back in the queue", res.Conv.ID, res.Conv.Status, res.Conv.Reopened, c.ID, parley.StatusQueued)
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

// TestOpenPage pages through the open conversations of a site: newest
// first, the higher id first within a millisecond, each exactly once, with
// the counts of every site asked for; a conversation updated between pages
// moves above the cursor and is not listed again.
func TestOpenPage(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "a")
	mustCreateSite(t, d, "b")
	mustCreateSite(t, d, "c")
	var a []uint64
	for i := range 23 {
		v := mustCreateVisitor(t, d, "a")
		a = append(a, mustAppend(t, d, visitorSend(v, 0, fmt.Sprint("a", i), "hi")).Conv.ID)
		if i%4 == 0 {
			time.Sleep(time.Millisecond) // some share a millisecond, some do not
		}
	}
	for i := range 5 {
		v := mustCreateVisitor(t, d, "b")
		mustAppend(t, d, visitorSend(v, 0, fmt.Sprint("b", i), "hi"))
	}
	for _, id := range a[:2] {
		if _, err := d.SetStatus(id, parley.StatusResolved); err != nil {
			t.Fatal(err)
		}
	}

	// The order, worked out here from the records.
	var want []parley.Conversation
	for _, id := range a[2:] {
		c, err := d.Conversation(id)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, c)
	}
	slices.SortFunc(want, func(x, y parley.Conversation) int {
		if x.Updated.Equal(y.Updated) {
			return cmp.Compare(y.ID, x.ID)
		}
		return y.Updated.Compare(x.Updated)
	})

	var got []uint64
	cur := parley.Cursor{}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		p, err := d.OpenPage([]string{"a", "c"}, cur, 5)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(p.BySite) != fmt.Sprint(map[string]int{"a": 21, "c": 0}) {
			t.Errorf("counts: got %v, want a:21 c:0", p.BySite)
		}
		if len(p.Conversations) > 5 {
			t.Fatalf("page of %d, limit 5", len(p.Conversations))
		}
		got = append(got, ids(p.Conversations)...)
		if p.Next.IsZero() {
			break
		}
		if last := p.Conversations[len(p.Conversations)-1]; p.Next != parley.CursorOf(last) {
			t.Errorf("next %v, want the position of the page's last, %v", p.Next, parley.CursorOf(last))
		}
		cur = p.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(ids(want)) {
		t.Errorf("pages: got %v, want %v", got, ids(want))
	}

	// Updated between pages: conversations from the first page and from a
	// later one move to the top, above the cursor. The rest are listed
	// exactly once; the moved ones not again.
	p1, err := d.OpenPage([]string{"a"}, parley.Cursor{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	moved := []uint64{p1.Conversations[1].ID, want[12].ID}
	for i, id := range moved {
		// Times are in milliseconds: the second update must be newer, or
		// the order of the two falls back to their ids.
		time.Sleep(2 * time.Millisecond)
		mustAppend(t, d, agentSend(1, id, fmt.Sprint("r", i), "on it"))
	}
	seen := map[uint64]int{}
	for _, id := range ids(p1.Conversations) {
		seen[id]++
	}
	for cur := p1.Next; !cur.IsZero(); {
		p, err := d.OpenPage([]string{"a"}, cur, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids(p.Conversations) {
			seen[id]++
		}
		cur = p.Next
	}
	for _, c := range want {
		n, wantN := seen[c.ID], 1
		if c.ID == moved[1] {
			wantN = 0 // moved above the cursor before its page was read
		}
		if n != wantN {
			t.Errorf("conversation %d listed %d times, want %d", c.ID, n, wantN)
		}
	}
	top, _ := d.OpenPage([]string{"a"}, parley.Cursor{}, 2)
	if got := ids(top.Conversations); fmt.Sprint(got) != fmt.Sprint([]uint64{moved[1], moved[0]}) {
		t.Errorf("top after the updates: got %v, want %v", got, []uint64{moved[1], moved[0]})
	}

	// No sites, no conversations; a cursor past the end, an empty page.
	if p, _ := d.OpenPage(nil, parley.Cursor{}, 5); len(p.Conversations) != 0 || len(p.BySite) != 0 {
		t.Errorf("no sites: got %v %v", ids(p.Conversations), p.BySite)
	}
	if p, _ := d.OpenPage([]string{"a"}, parley.Cursor{Updated: 1, ID: 1}, 5); len(p.Conversations) != 0 || !p.Next.IsZero() {
		t.Errorf("past the end: got %v, next %v", ids(p.Conversations), p.Next)
	}
}

func BenchmarkOpenPage10k(b *testing.B) {
	d := openTestDB(b)
	mustCreateSite(b, d, "shop")
	for i := range 10000 {
		v := mustCreateVisitor(b, d, "shop")
		a := visitorSend(v, 0, fmt.Sprint("m", i), "hello")
		mustAppend(b, d, a)
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := d.OpenPage([]string{"shop"}, parley.Cursor{}, parley.InboxPageSize)
		if err != nil || len(p.Conversations) != parley.InboxPageSize {
			b.Fatal(len(p.Conversations), err)
		}
	}
}
