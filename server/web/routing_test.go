package web_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// newDesk adds the site "desk" to env: Orders (Ann) and Returns (Bob),
// topics for both, automatic assignment. Both are agents of the site, not
// owners, so that team rules apply to them; Cy is no member.
func newDesk(tb testing.TB, env *sockEnv, capacity int) parley.Site {
	tb.Helper()
	ann, bob := env.agents[0], env.agents[1]
	site := parley.Site{ID: "desk", Name: "Desk Shop", AllowedOrigins: []string{"https://desk.example"}, Routing: parley.Routing{
		Teams:   []parley.Team{{ID: "orders", Name: "Orders", Members: []uint64{ann.ID}}, {ID: "returns", Name: "Returns", Members: []uint64{bob.ID}}},
		Topics:  []parley.Topic{{ID: "order-status", Name: "Order status", Team: "orders"}, {ID: "returns", Name: "Returns", Team: "returns"}},
		PreChat: parley.PreChat{Enabled: true, Topic: parley.FieldRequired, Email: parley.FieldOptional},
	}}
	if err := env.db.CreateSite(site); err != nil {
		tb.Fatal(err)
	}
	for _, a := range []parley.Agent{ann, bob} {
		if err := env.db.SetMember(site.ID, a.ID, parley.SiteRoleAgent); err != nil {
			tb.Fatal(err)
		}
		if _, err := env.db.SetAgentCapacity(a.ID, capacity); err != nil {
			tb.Fatal(err)
		}
	}
	return site
}

// ask connects a visitor of the desk who starts a conversation about
// topic, and returns it with its conversation id.
func ask(tb testing.TB, env *sockEnv, name, topic string) (*sockClient, uint64) {
	tb.Helper()
	v, _ := env.newVisitorOf(tb, name, "desk")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: name + "-1", Text: "Hello, " + topic, Topic: topic, Email: name + "@example.com"})
	return v, v.ack(name + "-1").Conv
}

// untilQueue reads until a queue frame of conv that match accepts.
func untilQueue(c *sockClient, conv uint64, what string, match func(parley.QueueStatus) bool) parley.QueueStatus {
	c.tb.Helper()
	return *c.until(what, func(f parley.Frame) bool {
		return f.Type == parley.TypeQueue && f.Conv == conv && f.Queue != nil && match(*f.Queue)
	}).Queue
}

func untilEvent(c *sockClient, conv uint64, event string) parley.Frame {
	c.tb.Helper()
	return c.until(event, func(f parley.Frame) bool {
		return f.Type == parley.TypeMsg && f.Conv == conv && f.Kind == parley.KindEvent && f.Event == event
	})
}

// TestRoutingTopicQueueAssign: a conversation goes to its topic's team; the
// only online member takes one chat (capacity 1), the next ones wait with
// their positions, told live; a resolve frees the place and the next in
// line is assigned. Nobody of Orders online: its visitor is told so, with
// no time.
func TestRoutingTopicQueueAssign(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	newDesk(t, env, 1)
	bob, _ := env.newAgent(t, "bob", 1)

	v1, c1 := ask(t, env, "v1", "returns")
	got := untilEvent(v1, c1, parley.EventAssigned)
	if got.To == nil || got.To.ID != env.agents[1].ID || got.Text != "Bob joined" {
		t.Fatalf("assignment: %+v to %+v, want Bob joined", got, got.To)
	}
	conv := v1.until("the conversation as assigned", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == c1 && f.Conversation.AssigneeName == "Bob"
	}).Conversation
	if conv.Team != "returns" || conv.Topic != "returns" || conv.Status != parley.StatusOpen || conv.Email != "v1@example.com" {
		t.Errorf("assigned conversation: %+v", conv)
	}

	v2, c2 := ask(t, env, "v2", "returns")
	v3, c3 := ask(t, env, "v3", "returns")
	untilQueue(v2, c2, "v2 first in line", func(q parley.QueueStatus) bool { return q.Position == 1 && q.Online == 1 })
	q3 := untilQueue(v3, c3, "v3 second in line", func(q parley.QueueStatus) bool { return q.Position == 2 })
	if q3.Estimate != nil {
		t.Errorf("an estimate of %d s from one assignment: want none until the team has a rate", *q3.Estimate)
	}

	// Nobody of Orders is online: the visitor learns that, and no time.
	v4, c4 := ask(t, env, "v4", "order-status")
	q4 := untilQueue(v4, c4, "v4 with nobody online", func(parley.QueueStatus) bool { return true })
	if q4.Online != 0 || q4.Estimate != nil || q4.Position != 1 {
		t.Errorf("Orders' queue with nobody online: %+v", q4)
	}

	// Bob resolves: v2 is next, v3 moves up.
	bob.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: c1})
	if e := untilEvent(v2, c2, parley.EventAssigned); e.To.ID != env.agents[1].ID {
		t.Errorf("v2 assigned to %+v", e.To)
	}
	untilQueue(v3, c3, "v3 moves up", func(q parley.QueueStatus) bool { return q.Position == 1 })

	// The queue frames are the visitor's own: v1 never saw v2's or v3's.
	for _, f := range v1.seen {
		if f.Type == parley.TypeQueue && f.Conv != c1 {
			t.Errorf("v1 got another visitor's queue frame: %+v", f)
		}
		if f.Type == parley.TypeCounts {
			t.Errorf("a visitor got counts: %+v", f)
		}
	}
	// Bob's counts follow: one his, one queued of his team (v3), the
	// Orders queue is not his.
	bob.until("counts", func(f parley.Frame) bool {
		if f.Type != parley.TypeCounts {
			return false
		}
		d := f.Counts.BySite["desk"]
		return d.Mine == 1 && d.Queue == 1 && d.Open == 3 && d.Team == 2
	})
}

// TestRoutingMostFreeCapacityThenIdleLongest: with two members online, the
// one with more free capacity gets the chat; between equals, the one who
// has waited longest since their last chat.
func TestRoutingMostFreeCapacityThenIdleLongest(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	site := newDesk(t, env, 2)
	ann, bob := env.agents[0], env.agents[1]
	site.Routing.Teams[1].Members = []uint64{ann.ID, bob.ID} // both in Returns
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	env.newAgent(t, "ann", 0)
	env.newAgent(t, "bob", 1)
	var order []uint64
	for i := range 4 {
		v, c := ask(t, env, fmt.Sprint("v", i), "returns")
		order = append(order, untilEvent(v, c, parley.EventAssigned).To.ID)
	}
	// Equal at first: the lower id (neither had a chat); then the other
	// has more free capacity; then equal again, and the one idle longer.
	want := []uint64{ann.ID, bob.ID, ann.ID, bob.ID}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("assigned to %v, want %v", order, want)
	}
	if env.db.Load(ann.ID) != 2 || env.db.Load(bob.ID) != 2 {
		t.Errorf("loads %d, %d; want 2, 2", env.db.Load(ann.ID), env.db.Load(bob.ID))
	}
}

// TestRoutingClaimRace: on a site that assigns by hand, two agents claim
// the same chat at once: exactly one wins, the other is told who has it.
func TestRoutingClaimRace(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	bob, _ := env.newAgent(t, "bob", 1)
	for round := range 10 {
		v, _ := env.newVisitor(t, fmt.Sprint("visitor ", round))
		conv := v.say(0, fmt.Sprint("v", round), "who takes this?").Conv
		var wg sync.WaitGroup
		for _, a := range []*sockClient{ann, bob} {
			wg.Go(func() {
				a.sendFrame(parley.Frame{Type: parley.TypeClaim, ID: fmt.Sprint("c", round), Conv: conv})
			})
		}
		wg.Wait()
		wins := 0
		for _, a := range []*sockClient{ann, bob} {
			f := a.until("claim answer", func(f parley.Frame) bool {
				return f.Type == parley.TypeError && f.ID == fmt.Sprint("c", round) ||
					f.Type == parley.TypeMsg && f.Conv == conv && f.Event == parley.EventAssigned
			})
			if f.Type == parley.TypeMsg && f.To.ID == a.author.ID {
				wins++
				// The loser's error may still come: it is read next round.
				continue
			}
			if f.Type == parley.TypeError && (f.Code != parley.EConflict || f.Message == "") {
				t.Errorf("%s: refused with %+v, want conflict", a.name, f)
			}
		}
		c, _ := env.db.Conversation(conv)
		if c.Assignee == 0 || wins > 1 {
			t.Errorf("round %d: assignee %d, %d winners", round, c.Assignee, wins)
		}
		events := 0
		for _, m := range env.stored(t, conv) {
			if m.Event == parley.EventAssigned {
				events++
			}
		}
		if events != 1 {
			t.Errorf("round %d: %d assignments stored, want 1", round, events)
		}
		// Each resolves its chats, so that capacity stays free.
		ann.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	}
}

// TestRoutingTransfer: Bob hands a Returns chat to Orders with a reason:
// the visitor sees "Moved to Orders" and then Ann joining, never the
// reason; the agents see the reason as a note.
func TestRoutingTransfer(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	newDesk(t, env, 1)
	bob, _ := env.newAgent(t, "bob", 1)
	v, conv := ask(t, env, "kim", "returns")
	untilEvent(v, conv, parley.EventAssigned)

	reason := "She asks where her order is, not for a return"
	bob.sendFrame(parley.Frame{Type: parley.TypeTransfer, ID: "t1", Conv: conv, Team: "orders", Text: reason})
	moved := untilEvent(v, conv, parley.EventTransferred)
	if moved.Text != "Moved to Orders" || moved.To != nil || moved.Team != "orders" {
		t.Errorf("the visitor saw %+v", moved)
	}
	note := bob.until("the reason", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Kind == parley.KindNote })
	if note.Text != reason || !note.Internal {
		t.Errorf("the reason: %+v", note)
	}
	// Nobody of Orders online: it waits at the front of Orders' queue.
	untilQueue(v, conv, "waiting for Orders", func(q parley.QueueStatus) bool { return q.Position == 1 && q.Online == 0 })
	env.newAgent(t, "ann", 0)
	if e := untilEvent(v, conv, parley.EventAssigned); e.To.ID != env.agents[0].ID || e.Text != "Ann joined" {
		t.Errorf("after the transfer: %+v", e)
	}
	for _, f := range v.seen {
		if f.Internal || f.Kind == parley.KindNote || f.Text == reason {
			t.Errorf("the visitor received the reason: %+v", f)
		}
	}
	c, _ := env.db.Conversation(conv)
	if c.Team != "orders" || c.Assignee != env.agents[0].ID || env.db.Load(env.agents[1].ID) != 0 {
		t.Errorf("after the transfer: %+v, Bob's load %d", c, env.db.Load(env.agents[1].ID))
	}
}

// TestRoutingBadInput: every refusal is clear and changes nothing.
func TestRoutingBadInput(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	newDesk(t, env, 1)
	bob, _ := env.newAgent(t, "bob", 1)
	ann, _ := env.newAgent(t, "ann", 0)
	v, conv := ask(t, env, "kim", "returns")
	untilEvent(v, conv, parley.EventAssigned) // Bob's, who is full now
	_, full := ask(t, env, "lee", "order-status")
	untilEvent(ann, full, parley.EventAssigned) // Ann's, who is full now
	before, _ := env.db.Conversation(conv)

	for _, tt := range []struct {
		name string
		by   *sockClient
		f    parley.Frame
		code string
	}{
		{"claim of an assigned chat", ann, parley.Frame{Type: parley.TypeClaim, Conv: conv}, parley.EForbidden}, // not her team
		{"claim by its assignee", bob, parley.Frame{Type: parley.TypeClaim, Conv: conv}, parley.EConflict},
		{"claim of nothing", bob, parley.Frame{Type: parley.TypeClaim, Conv: 987654}, parley.ENotFound},
		{"transfer to an unknown team", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "nope"}, parley.EInvalid},
		{"transfer to nobody", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv}, parley.EInvalid},
		{"transfer to an unknown agent", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, AgentID: 987654}, parley.EInvalid},
		{"transfer to a non-member", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, AgentID: env.agents[2].ID}, parley.EInvalid},
		{"transfer to an agent not of the team", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "returns", AgentID: env.agents[0].ID}, parley.EInvalid},
		{"transfer to an agent without capacity", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "orders", AgentID: env.agents[0].ID}, parley.EConflict},
		{"transfer with a huge reason", bob, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "orders", Text: string(make([]byte, 600))}, parley.EInvalid},
		{"transfer by someone else", ann, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "orders"}, parley.EForbidden},
		{"claim by a visitor", v, parley.Frame{Type: parley.TypeClaim, Conv: conv}, parley.EForbidden},
		{"transfer by a visitor", v, parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: "orders"}, parley.EForbidden},
	} {
		tt.f.ID = "bad-1"
		tt.by.sendFrame(tt.f)
		e := tt.by.untilError()
		if e.Code != tt.code && !(tt.code == parley.EInvalid && e.Code == parley.ETooLarge) || e.Message == "" || e.ID != "bad-1" {
			t.Errorf("%s: got %q %q (id %q), want %q", tt.name, e.Code, e.Message, e.ID, tt.code)
		}
	}
	if after, _ := env.db.Conversation(conv); after.LastSeq != before.LastSeq || after.Assignee != before.Assignee || after.Team != before.Team {
		t.Errorf("refusals changed the conversation: %+v, was %+v", after, before)
	}

	// The pre-chat form: a required topic missing, an unknown topic, a bad
	// email: refused, nothing stored; the answers only start a conversation.
	for _, f := range []parley.Frame{
		{Text: "hi"},
		{Text: "hi", Topic: "nope"},
		{Text: "hi", Topic: "returns", Email: "not an email"},
		{Text: "hi", Topic: "returns", Name: string(make([]rune, 200))},
	} {
		w, _ := env.newVisitorOf(t, "form", "desk")
		f.Type, f.ID = parley.TypeSend, "f1"
		w.sendFrame(f)
		if e := w.untilError(); e.Code != parley.EInvalid && e.Code != parley.ETooLarge || e.ID != "f1" {
			t.Errorf("form %+v: got %+v", f, e)
		}
	}
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "v2", Conv: conv, Text: "more", Topic: "orders"})
	if e := v.untilError(); e.Code != parley.EInvalid {
		t.Errorf("answers on a later message: %+v", e)
	}
}

// TestRoutingRequeueWhenAssigneeOffline: Bob's console goes away; after
// the presence grace he is offline, and after the site's requeue grace his
// chat goes back to the front of the queue, "Back in the queue" for the
// visitor. Coming back within the grace keeps it his.
func TestRoutingRequeueWhenAssigneeOffline(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, PresenceGrace: time.Millisecond})
	clock := &web.ManualClock{}
	web.SetRouterClock(env.srv, clock)
	newDesk(t, env, 2)
	bob, _ := env.newAgent(t, "bob", 1)
	v, conv := ask(t, env, "kim", "returns")
	untilEvent(v, conv, parley.EventAssigned)

	waitTimers := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for clock.Pending() != n {
			if time.Now().After(deadline) {
				t.Fatalf("requeue timers: %d, want %d", clock.Pending(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// Gone and back before the requeue grace: still his.
	bob.ws.CloseNow()
	waitTimers(1)
	bob, _ = env.newAgent(t, "bob again", 1)
	waitTimers(0)
	clock.Advance(time.Hour)
	if c, _ := env.db.Conversation(conv); c.Assignee != env.agents[1].ID {
		t.Fatalf("Bob came back, yet the chat is %+v", c)
	}

	// Gone for good: after the site's grace (default 120 s), back in the queue.
	bob.ws.CloseNow()
	waitTimers(1)
	clock.Advance(time.Duration(parley.DefaultRequeueSeconds-1) * time.Second)
	if c, _ := env.db.Conversation(conv); c.Status != parley.StatusOpen {
		t.Fatalf("requeued before the grace: %+v", c)
	}
	clock.Advance(time.Second)
	back := untilEvent(v, conv, parley.EventQueued)
	if back.Text != "Back in the queue" {
		t.Errorf("requeue entry: %+v", back)
	}
	untilQueue(v, conv, "first in line, nobody online", func(q parley.QueueStatus) bool { return q.Position == 1 && q.Online == 0 })
	c, _ := env.db.Conversation(conv)
	if c.Status != parley.StatusQueued || c.Assignee != 0 || !c.Requeued || env.db.Load(env.agents[1].ID) != 0 {
		t.Errorf("after the requeue: %+v", c)
	}
	// A requeued chat is first in line, before one that waited longer.
	_, other := ask(t, env, "lee", "returns")
	_ = other
	env.newAgent(t, "bob back", 1)
	if e := untilEvent(v, conv, parley.EventAssigned); e.To.ID != env.agents[1].ID {
		t.Errorf("reassigned to %+v", e.To)
	}
}

// TestRoutingViews: the inbox views over the API, each scoped by
// membership and by team; a bad view is refused.
func TestRoutingViews(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	newDesk(t, env, 1)
	env.newAgent(t, "bob", 1) // Returns, capacity 1
	v1, c1 := ask(t, env, "v1", "returns")
	untilEvent(v1, c1, parley.EventAssigned)
	_, c2 := ask(t, env, "v2", "returns")      // queued: Bob is full
	_, c3 := ask(t, env, "v3", "order-status") // queued: nobody of Orders online
	v4, c4 := ask(t, env, "v4", "returns")
	_ = v4
	bobLogin := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	annLogin := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	cyLogin := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	// Resolve one of the shop (Bob's other site) and one of the desk.
	if _, err := env.db.SetStatus(c4, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}

	ids := func(l agentLogin, query string) []uint64 {
		t.Helper()
		var page parley.ConversationPage
		if status, _ := env.api(t, l, "GET", "/api/conversations?"+query, nil, &page); status != 200 {
			t.Fatalf("GET %s: status %d", query, status)
		}
		out := []uint64{}
		for _, c := range page.Conversations {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tt := range []struct {
		who   string
		l     agentLogin
		query string
		want  []uint64
	}{
		{"Bob", bobLogin, "view=mine", []uint64{c1}},
		{"Bob", bobLogin, "view=queue&site=desk", []uint64{c2}}, // Orders' queue is not his
		{"Bob", bobLogin, "view=team&site=desk", []uint64{c2, c1}},
		{"Bob", bobLogin, "view=open&site=desk", []uint64{c3, c2, c1}},
		{"Bob", bobLogin, "view=resolved&site=desk", []uint64{c4}},
		{"Ann", annLogin, "view=queue&site=desk", []uint64{c3}},
		{"Ann", annLogin, "view=mine", []uint64{}},
		{"Cy", cyLogin, "view=open", []uint64{}}, // no member of the desk
		{"Cy", cyLogin, "view=resolved", []uint64{}},
		{"Cy", cyLogin, "view=queue", []uint64{}},
	} {
		if got := ids(tt.l, tt.query); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s %s: %v, want %v", tt.who, tt.query, got, tt.want)
		}
	}
	for _, q := range []string{"view=all", "view=resolved&before=nope", "view=queue&site=desk&limit=0"} {
		var e parley.Error
		if status, _ := env.api(t, bobLogin, "GET", "/api/conversations?"+q, nil, &e); status != 400 {
			t.Errorf("%s: status %d, want 400", q, status)
		}
	}
	var e struct{ Code string }
	if status, _ := env.api(t, cyLogin, "GET", "/api/conversations?view=queue&site=desk", nil, &e); status != 404 || e.Code != parley.ENotFound {
		t.Errorf("Cy asking for the desk's queue: %d %q, want 404 not_found", status, e.Code)
	}
}

// TestRoutingGreetingAnswerGoesToDefaultTeam: answering the proactive
// greeting needs no form, and the chat goes to the default team.
func TestRoutingGreetingAnswerGoesToDefaultTeam(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	site := newDesk(t, env, 1)
	site.Routing.DefaultTeam = "returns"
	site.Proactive = parley.Proactive{Enabled: true, Message: "Need help with a return?"}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	v, _ := env.newVisitorOf(t, "greeted", "desk")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "g1", Text: "Yes please", Greeted: true})
	conv := v.ack("g1").Conv
	c, err := env.db.Conversation(conv)
	if err != nil || c.Team != "returns" || c.Topic != "" || c.Status != parley.StatusQueued {
		t.Fatalf("the greeting's answer: %+v, %v; want queued for Returns", c, err)
	}
	if ms := env.stored(t, conv); len(ms) != 2 || ms[0].Text != "Need help with a return?" {
		t.Errorf("stored: %+v, want the greeting, then the answer", ms)
	}
}

// TestSitesOpenState: the console learns whether each site is within its
// business hours; a site without hours says nothing.
func TestSitesOpenState(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	put := func(h parley.Hours) int {
		t.Helper()
		site, _ := env.db.Site(env.site.ID)
		site.Routing.Hours = h
		status, _ := env.api(t, ann, "PUT", "/api/sites/"+env.site.ID, site, nil)
		return status
	}
	open := func() *parley.OpenState {
		t.Helper()
		var sites []struct {
			ID   string            `json:"id"`
			Open *parley.OpenState `json:"open"`
		}
		env.api(t, ann, "GET", "/api/sites", nil, &sites)
		for _, s := range sites {
			if s.ID == env.site.ID {
				return s.Open
			}
		}
		t.Fatal("no shop in /api/sites")
		return nil
	}
	if st := open(); st != nil {
		t.Errorf("no hours: %+v, want none", st)
	}
	var always parley.Hours
	always.Enabled, always.Zone = true, "Europe/Warsaw"
	for d := range always.Week {
		always.Week[d] = []parley.Span{{From: 0, To: 1440}}
	}
	if status := put(always); status != 200 {
		t.Fatalf("PUT hours: %d", status)
	}
	if st := open(); st == nil || !st.Open {
		t.Errorf("open all week: %+v", st)
	}
	closed := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	closed.Week[time.Monday] = []parley.Span{{From: 9 * 60, To: 9*60 + 1}}
	closed.Holidays = []string{time.Now().Format("2006-01-02")}
	if status := put(closed); status != 200 {
		t.Fatalf("PUT hours: %d", status)
	}
	if st := open(); st == nil || st.Open || st.Text == "" || st.Next.IsZero() {
		t.Errorf("closed today: %+v, want closed with when it opens", st)
	}
	bad := closed
	bad.Zone = "Mars/Olympus"
	if status := put(bad); status != 400 {
		t.Errorf("an unknown zone: %d, want 400", status)
	}
}
