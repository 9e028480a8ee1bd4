package relay_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parley-chat/parley/server/relay"
)

// receive returns the events queued for s right now, without waiting:
// Publish is synchronous, so everything published before is already there.
func receive(tb testing.TB, s *relay.Sub) []*relay.Event {
	tb.Helper()
	var got []*relay.Event
	for {
		select {
		case ev := <-s.C():
			got = append(got, ev)
		default:
			return got
		}
	}
}

func frames(evs []*relay.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = string(ev.Frame)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isDropped(s *relay.Sub) bool {
	select {
	case <-s.Dropped():
		return true
	default:
		return false
	}
}

func TestPublishAudience(t *testing.T) {
	h := relay.NewHub()
	visitor := h.Subscribe(8)    // visitor 1 of shop
	otherTab := h.Subscribe(8)   // the same visitor in another tab
	stranger := h.Subscribe(8)   // visitor 2 of shop
	agent := h.Subscribe(8)      // follows shop
	everywhere := h.Subscribe(8) // follows every site
	otherShop := h.Subscribe(8)  // follows another site
	h.FollowVisitor(visitor, 1)
	h.FollowVisitor(otherTab, 1)
	h.FollowVisitor(stranger, 2)
	h.FollowSite(agent, "shop")
	h.FollowSite(everywhere, relay.AllSites)
	h.FollowSite(otherShop, "other")

	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Seq: 1, Frame: []byte("everyone")})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("agents"), To: relay.Agents})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("visitor"), To: relay.Visitor})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("not the sender"), Skip: visitor})

	tests := []struct {
		name string
		sub  *relay.Sub
		want []string
	}{
		{"visitor", visitor, []string{"everyone", "visitor"}},
		{"visitor's other tab", otherTab, []string{"everyone", "visitor", "not the sender"}},
		{"another visitor", stranger, nil},
		{"agent of the site", agent, []string{"everyone", "agents", "not the sender"}},
		{"agent of all sites", everywhere, []string{"everyone", "agents", "not the sender"}},
		{"agent of another site", otherShop, nil},
	}
	for _, tt := range tests {
		if got := frames(receive(t, tt.sub)); !equal(got, tt.want) {
			t.Errorf("%s got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPublishEachSubscriberOnce(t *testing.T) {
	h := relay.NewHub()
	s := h.Subscribe(8)
	h.FollowVisitor(s, 1)
	h.FollowSite(s, "shop")
	h.FollowSite(s, "shop") // following twice changes nothing
	h.FollowSite(s, relay.AllSites)

	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Frame: []byte("a")})
	h.Publish(&relay.Event{Site: relay.AllSites, Visitor: 1, Frame: []byte("b")})
	if got, want := frames(receive(t, s)), []string{"a", "b"}; !equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	h := relay.NewHub()
	slow, fast := h.Subscribe(2), h.Subscribe(2)
	h.FollowSite(slow, "shop")
	h.FollowSite(fast, "shop")

	var want []string
	for i := range 10 {
		f := fmt.Sprint(i)
		h.Publish(&relay.Event{Site: "shop", Frame: []byte(f)})
		want = append(want, f)
		// fast keeps up; slow never reads.
		if got := frames(receive(t, fast)); !equal(got, []string{f}) {
			t.Fatalf("fast subscriber got %q after publishing %q", got, f)
		}
		if i == 1 && isDropped(slow) {
			t.Fatal("slow subscriber dropped while its queue still had room")
		}
	}
	if !isDropped(slow) {
		t.Fatal("slow subscriber not dropped")
	}
	if got := frames(receive(t, slow)); !equal(got, want[:2]) {
		t.Errorf("slow subscriber got %q, want only what fit in its queue %q", got, want[:2])
	}
	// Once dropped, nothing more is queued, even when there is room again.
	h.Publish(&relay.Event{Site: "shop", Frame: []byte("late")})
	if got := receive(t, slow); len(got) != 0 {
		t.Errorf("dropped subscriber got %q", frames(got))
	}
	h.Unsubscribe(slow) // after a drop: must not panic
}

func TestUnsubscribe(t *testing.T) {
	h := relay.NewHub()
	gone, stays := h.Subscribe(4), h.Subscribe(4)
	for _, s := range []*relay.Sub{gone, stays} {
		h.FollowVisitor(s, 1)
		h.FollowSite(s, "shop")
	}
	h.Unsubscribe(gone)
	h.Unsubscribe(gone)
	h.FollowSite(gone, "shop") // a late follow must not resurrect it

	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Frame: []byte("x")})
	if got := receive(t, gone); len(got) != 0 {
		t.Errorf("unsubscribed got %q", frames(got))
	}
	if got := frames(receive(t, stays)); !equal(got, []string{"x"}) {
		t.Errorf("remaining subscriber got %q, want [x]", got)
	}
	if isDropped(gone) {
		t.Error("Unsubscribe closed Dropped; it should only signal slowness")
	}
}

// TestConcurrent is for the race detector: publishers, subscribers and
// unsubscribers at once, and each publisher's events arrive in order.
func TestConcurrent(t *testing.T) {
	h := relay.NewHub()
	const publishers, perPublisher = 4, 200
	const queue = publishers * perPublisher

	reader := h.Subscribe(queue)
	h.FollowSite(reader, relay.AllSites)

	var wg sync.WaitGroup
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perPublisher {
				h.Publish(&relay.Event{Site: fmt.Sprint("site", p), Visitor: uint64(i % 3), Conv: uint64(p), Seq: uint64(i + 1)})
			}
		}()
	}
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := h.Subscribe(1)
			h.FollowVisitor(s, uint64(i%3))
			h.FollowSite(s, fmt.Sprint("site", i%publishers))
			h.Unsubscribe(s)
		}()
	}
	wg.Wait()

	last := make(map[uint64]uint64)
	n := 0
	for _, ev := range receive(t, reader) {
		if ev.Seq != last[ev.Conv]+1 {
			t.Fatalf("publisher %d: got seq %d after %d", ev.Conv, ev.Seq, last[ev.Conv])
		}
		last[ev.Conv] = ev.Seq
		n++
	}
	if n != queue {
		t.Errorf("got %d events, want %d", n, queue)
	}
}

func TestFollowConversation(t *testing.T) {
	h := relay.NewHub()
	bot := h.Subscribe(8)  // follows conversation 7 only
	both := h.Subscribe(8) // follows conversation 7 and its site
	h.FollowConversation(bot, 7)
	h.FollowConversation(bot, 7) // following twice changes nothing
	h.FollowConversation(both, 7)
	h.FollowSite(both, "shop")

	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Seq: 1, Frame: []byte("everyone")})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("agents"), To: relay.Agents})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("visitor"), To: relay.Visitor})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("not the sender"), Skip: bot})
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 8, Seq: 1, Frame: []byte("another conversation")})

	if got, want := frames(receive(t, bot)), []string{"everyone", "agents"}; !equal(got, want) {
		t.Errorf("conversation follower got %q, want %q", got, want)
	}
	want := []string{"everyone", "agents", "not the sender", "another conversation"}
	if got := frames(receive(t, both)); !equal(got, want) {
		t.Errorf("conversation and site follower got %q, want %q (each once)", got, want)
	}

	h.Unsubscribe(bot)
	h.Publish(&relay.Event{Site: "shop", Visitor: 1, Conv: 7, Frame: []byte("late")})
	if got := receive(t, bot); len(got) != 0 {
		t.Errorf("unsubscribed conversation follower got %q", frames(got))
	}
}

func TestSubscribeFunc(t *testing.T) {
	h := relay.NewHub()
	var got []string
	room := 2
	s := h.SubscribeFunc(func(ev *relay.Event) bool {
		if room == 0 {
			return false
		}
		room--
		got = append(got, string(ev.Frame))
		return true
	})
	if s.C() != nil {
		t.Error("a func subscriber has a channel")
	}
	h.FollowSite(s, "shop")
	for _, f := range []string{"a", "b", "c", "d"} {
		h.Publish(&relay.Event{Site: "shop", Frame: []byte(f)})
	}
	if want := []string{"a", "b"}; !equal(got, want) {
		t.Errorf("pushed %q, want %q", got, want)
	}
	// Refusing an event drops the subscriber: nothing more is pushed.
	if !isDropped(s) {
		t.Error("a refused push did not drop the subscriber")
	}
	room = 10
	h.Publish(&relay.Event{Site: "shop", Frame: []byte("late")})
	if len(got) != 2 {
		t.Errorf("dropped subscriber was pushed %q", got[2:])
	}
	h.Unsubscribe(s)
}

// TestPublishSites: an event routed by Sites reaches the followers of any
// of them once each, and never a visitor's or a conversation's follower.
func TestPublishSites(t *testing.T) {
	h := relay.NewHub()
	both, shop, other, all, visitor, conv := h.Subscribe(8), h.Subscribe(8), h.Subscribe(8), h.Subscribe(8), h.Subscribe(8), h.Subscribe(8)
	h.FollowSite(both, "shop")
	h.FollowSite(both, "other")
	h.FollowSite(shop, "shop")
	h.FollowSite(other, "other")
	h.FollowSite(all, relay.AllSites)
	h.FollowVisitor(visitor, 1)
	h.FollowConversation(conv, 1)
	h.Publish(&relay.Event{Sites: []string{"shop", "other"}, To: relay.Agents, Visitor: 1, Conv: 1, Frame: []byte("p")})
	h.Publish(&relay.Event{Sites: []string{"shop"}, To: relay.Agents, Frame: []byte("s")})
	h.Publish(&relay.Event{Sites: []string{"shop"}, To: relay.Everyone, Frame: []byte("never")})
	for _, c := range []struct {
		name string
		sub  *relay.Sub
		want []string
	}{
		{"both", both, []string{"p", "s"}},
		{"shop", shop, []string{"p", "s"}},
		{"other", other, []string{"p"}},
		{"all", all, []string{"p", "s"}},
		{"visitor", visitor, nil},
		{"conversation", conv, nil},
	} {
		if got := frames(receive(t, c.sub)); !equal(got, c.want) {
			t.Errorf("%s got %v, want %v", c.name, got, c.want)
		}
	}
}
