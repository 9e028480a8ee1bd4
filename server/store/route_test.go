package store_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func agentAuthor(id uint64) *parley.Author {
	return &parley.Author{Kind: parley.AuthorAgent, ID: id, Name: fmt.Sprintf("Agent %d", id)}
}

func claim(d *store.DB, tb testing.TB, conv, agent uint64, capacity int) (parley.Conversation, error) {
	return d.Claim(testContext(tb), store.Route{Conv: conv, By: *agentAuthor(agent), To: agentAuthor(agent), Capacity: capacity})
}

// newQueued starts n conversations of site, each by its own visitor.
func newQueued(tb testing.TB, d *store.DB, site string, n int, team string) []uint64 {
	tb.Helper()
	ids := make([]uint64, n)
	for i := range ids {
		v := mustCreateVisitor(tb, d, site)
		a := visitorSend(v, 0, fmt.Sprint("q", i), "hello")
		a.Team = team
		ids[i] = mustAppend(tb, d, a).Conv.ID
	}
	return ids
}

func TestClaimAssignsOnce(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	conv := newQueued(t, d, "shop", 1, "returns")[0]
	c, err := d.Conversation(conv)
	if err != nil || c.Status != parley.StatusQueued || c.Team != "returns" || c.Queued.IsZero() {
		t.Fatalf("new conversation: %+v, %v; want queued in returns", c, err)
	}

	c, err = claim(d, t, conv, 7, 3)
	if err != nil || c.Assignee != 7 || c.Status != parley.StatusOpen || c.Assigned.IsZero() || c.Team != "returns" {
		t.Fatalf("Claim: %+v, %v", c, err)
	}
	ms := frames(t, d, conv, 1, 0)
	if len(ms) != 1 || ms[0].Kind != parley.KindEvent || ms[0].Event != parley.EventAssigned || ms[0].To == nil || ms[0].To.ID != 7 || ms[0].Text != "Agent 7 joined" || ms[0].Internal {
		t.Fatalf("the assignment entry: %+v", ms)
	}
	if vs := visitorFrames(t, d, conv, 1); len(vs) != 1 || vs[0].Event != parley.EventAssigned {
		t.Errorf("the visitor sees the assignment: %+v", vs)
	}
	_, err = claim(d, t, conv, 8, 3)
	wantCode(t, err, parley.EConflict)
	_, err = claim(d, t, conv, 7, 3)
	wantCode(t, err, parley.EConflict)
	if d.Load(7) != 1 || d.Load(8) != 0 {
		t.Errorf("loads: 7 has %d, 8 has %d; want 1, 0", d.Load(7), d.Load(8))
	}
	// Bad input changes nothing.
	for _, capacity := range []int{0, -1, parley.MaxCapacity + 1} {
		other := newQueued(t, d, "shop", 1, "")[0]
		_, err := claim(d, t, other, 9, capacity)
		wantCode(t, err, parley.EInvalid)
		if c, _ := d.Conversation(other); c.Assignee != 0 || c.LastSeq != 1 {
			t.Errorf("capacity %d refused, yet the conversation changed: %+v", capacity, c)
		}
	}
	_, err = claim(d, t, 999, 7, 3)
	wantCode(t, err, parley.ENotFound)
	_, err = d.Claim(testContext(t), store.Route{Conv: conv, Site: "other", To: agentAuthor(7), Capacity: 3})
	wantCode(t, err, parley.ENotFound)
	_, err = d.Claim(testContext(t), store.Route{Conv: conv})
	wantCode(t, err, parley.EInvalid)
	// The routing events are not for Append.
	_, err = d.Append(testContext(t), store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent, Event: parley.EventAssigned})
	wantCode(t, err, parley.EInvalid)
}

// TestClaimRace: agents claim every conversation of a queue at once. Each
// conversation gets exactly one assignee, and no agent more than its
// capacity, whatever the interleaving (run with -race).
func TestClaimRace(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	const agents, capacity, convs = 12, 3, 30
	ids := newQueued(t, d, "shop", convs, "")
	wins := make([][]uint64, agents)
	var wg sync.WaitGroup
	for a := range agents {
		wg.Go(func() {
			for _, conv := range ids {
				c, err := claim(d, t, conv, uint64(a+1), capacity)
				switch {
				case err == nil:
					if c.Assignee != uint64(a+1) {
						t.Errorf("claim of %d by %d answered %+v", conv, a+1, c)
					}
					wins[a] = append(wins[a], conv)
				case parley.ErrorCode(err) != parley.EConflict:
					t.Errorf("claim of %d by %d: %v", conv, a+1, err)
				}
			}
		})
	}
	wg.Wait()
	owner := make(map[uint64]uint64)
	for a, w := range wins {
		if len(w) > capacity {
			t.Errorf("agent %d won %d claims, capacity %d", a+1, len(w), capacity)
		}
		if d.Load(uint64(a+1)) != len(w) {
			t.Errorf("agent %d: load %d, won %d", a+1, d.Load(uint64(a+1)), len(w))
		}
		for _, conv := range w {
			if prev, ok := owner[conv]; ok {
				t.Errorf("conversation %d won by %d and %d", conv, prev, a+1)
			}
			owner[conv] = uint64(a + 1)
		}
	}
	for _, conv := range ids {
		c, _ := d.Conversation(conv)
		if owner[conv] == 0 && len(owner) < agents*capacity {
			t.Errorf("conversation %d unassigned while capacity was free", conv)
		}
		if c.Assignee != owner[conv] {
			t.Errorf("conversation %d: assignee %d, the winner %d", conv, c.Assignee, owner[conv])
		}
		events := 0
		for _, m := range frames(t, d, conv, 0, 0) {
			if m.Kind == parley.KindEvent {
				events++
			}
		}
		want := 0
		if owner[conv] != 0 {
			want = 1
		}
		if events != want {
			t.Errorf("conversation %d has %d assignment entries, want %d", conv, events, want)
		}
	}
}

func TestCapacityCountsOpenChatsOnly(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	ids := newQueued(t, d, "shop", 3, "")
	if _, err := claim(d, t, ids[0], 7, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := claim(d, t, ids[1], 7, 2); err != nil {
		t.Fatal(err)
	}
	_, err := claim(d, t, ids[2], 7, 2)
	wantCode(t, err, parley.EConflict)
	// Resolving frees a place.
	if _, err := d.SetStatus(ids[0], parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if d.Load(7) != 1 {
		t.Errorf("load after resolving: %d, want 1", d.Load(7))
	}
	if _, err := claim(d, t, ids[2], 7, 2); err != nil {
		t.Fatalf("claim after a place freed: %v", err)
	}
	// Reopening puts the conversation back in the queue, unassigned.
	c, err := d.SetStatus(ids[0], parley.StatusOpen)
	if err != nil || c.Status != parley.StatusQueued || c.Assignee != 0 || c.Reopened.IsZero() {
		t.Fatalf("reopen: %+v, %v", c, err)
	}
	if d.Load(7) != 2 {
		t.Errorf("load after reopening another: %d, want 2", d.Load(7))
	}
}

func TestTransferAndRequeue(t *testing.T) {
	d := openTestDBAt(t, filepath.Join(t.TempDir(), "parley.db"), store.Options{})
	mustCreateSite(t, d, "shop")
	conv := newQueued(t, d, "shop", 1, "returns")[0]
	if _, err := claim(d, t, conv, 7, 3); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	// To another team's queue, with a reason only agents see.
	c, err := d.Transfer(ctx, store.Route{Conv: conv, By: *agentAuthor(7), Team: "orders", TeamName: "Orders", Reason: "It is about an order, not a return"})
	if err != nil || c.Team != "orders" || c.Assignee != 0 || c.Status != parley.StatusQueued || !c.Requeued {
		t.Fatalf("transfer to a team: %+v, %v", c, err)
	}
	all := frames(t, d, conv, 2, 0)
	if len(all) != 2 || all[0].Event != parley.EventTransferred || all[0].Text != "Moved to Orders" || all[0].TeamName != "Orders" ||
		all[1].Kind != parley.KindNote || !all[1].Internal || all[1].Text != "It is about an order, not a return" {
		t.Fatalf("transfer entries: %+v", all)
	}
	if vs := visitorFrames(t, d, conv, 2); len(vs) != 1 || vs[0].Text != "Moved to Orders" {
		t.Fatalf("the visitor sees the move, not the reason: %+v", vs)
	}
	if d.Load(7) != 0 {
		t.Errorf("load of the agent who handed it on: %d", d.Load(7))
	}
	// Nothing to do, or no capacity: refused, nothing changes.
	_, err = d.Transfer(ctx, store.Route{Conv: conv, By: *agentAuthor(7), Team: "orders"})
	wantCode(t, err, parley.EInvalid)
	full := newQueued(t, d, "shop", 1, "")[0]
	if _, err := claim(d, t, full, 8, 1); err != nil {
		t.Fatal(err)
	}
	_, err = d.Transfer(ctx, store.Route{Conv: conv, By: *agentAuthor(7), To: agentAuthor(8), Capacity: 1})
	wantCode(t, err, parley.EConflict)
	if got, _ := d.Conversation(conv); got.LastSeq != c.LastSeq {
		t.Errorf("a refused transfer wrote: seq %d, was %d", got.LastSeq, c.LastSeq)
	}
	// To an agent directly.
	c, err = d.Transfer(ctx, store.Route{Conv: conv, By: *agentAuthor(7), To: agentAuthor(9), Capacity: 3})
	if err != nil || c.Assignee != 9 || c.Status != parley.StatusOpen || c.Team != "orders" {
		t.Fatalf("transfer to an agent: %+v, %v", c, err)
	}
	// Requeue only if still assigned to the agent named.
	if moved, err := d.Requeue(ctx, conv, 7); err != nil || moved {
		t.Errorf("requeue naming the wrong agent: moved %v, %v", moved, err)
	}
	if moved, err := d.Requeue(ctx, conv, 9); err != nil || !moved {
		t.Errorf("requeue: moved %v, %v", moved, err)
	}
	c, _ = d.Conversation(conv)
	if c.Status != parley.StatusQueued || c.Assignee != 0 || !c.Requeued || d.Load(9) != 0 {
		t.Errorf("after requeue: %+v, load %d", c, d.Load(9))
	}
	// The log rebuilds it all after a crash, loads included.
	if _, err := claim(d, t, conv, 9, 3); err != nil {
		t.Fatal(err)
	}
	want, _ := d.Conversation(conv)
	d = openTestDBAt(t, snapshotFile(t, d), store.Options{})
	got, err := d.Conversation(conv)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after reopening:\n got %+v\nwant %+v", got, want)
	}
	if d.Load(9) != 1 || d.Load(8) != 1 || d.Load(7) != 0 {
		t.Errorf("loads after reopening: 7 %d, 8 %d, 9 %d; want 0, 1, 1", d.Load(7), d.Load(8), d.Load(9))
	}
}
