package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// siteFrame reads c's frames until a site frame, keeping the others.
func (c *sockClient) siteFrame() *parley.OpenState {
	c.tb.Helper()
	return c.untilType(parley.TypeSite).Open
}

// noSiteFrame checks that c got no site frame: a refused frame of its own
// is the barrier, since the server answers c in order.
func (c *sockClient) noSiteFrame(why string) {
	c.tb.Helper()
	c.sendFrame(map[string]any{"type": "no-such-frame"})
	c.untilError()
	for _, f := range c.pending {
		if f.Type == parley.TypeSite {
			c.tb.Errorf("%s: %s got a site frame %+v", why, c.name, f.Open)
		}
	}
	c.pending = nil
}

func TestSiteStateSwitchesWidgetsLive(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	clock := &web.ManualClock{}
	web.SetPresenceClock(env.srv, clock)

	// Nobody online: both sites are away, and their visitors are told so
	// in the welcome.
	v, w := env.newVisitor(t, "shopper")
	if w.Open == nil || !w.Open.Away || w.Open.Text != parley.AwayText {
		t.Fatalf("welcome with nobody online: open %+v, want away", w.Open)
	}
	other, w := env.newVisitorOf(t, "other shopper", env.other.ID)
	if w.Open == nil || !w.Open.Away {
		t.Fatalf("other site's welcome: open %+v, want away", w.Open)
	}

	// Cy works on the other site only: its visitor hears that it is open
	// now; the shop's visitor hears nothing.
	cy, _ := env.newAgent(t, "cy", 2)
	if st := other.siteFrame(); st != nil {
		t.Errorf("Cy online: the other site's visitor got %+v, want open (nil)", st)
	}
	v.noSiteFrame("Cy online on the other site")

	// Bob, of the shop, comes online: open. Agents never get site frames.
	bob, _ := env.newAgent(t, "bob", 1)
	if st := v.siteFrame(); st != nil {
		t.Errorf("Bob online: %+v, want open (nil)", st)
	}
	// Away agents take no chats: with Bob away the shop is away.
	bob.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if st := v.siteFrame(); st == nil || !st.Away {
		t.Errorf("Bob away: %+v, want away", st)
	}
	bob.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusOnline})
	if st := v.siteFrame(); st != nil {
		t.Errorf("Bob back: %+v, want open", st)
	}

	// A visitor who comes now is welcomed as open.
	late, w := env.newVisitor(t, "late shopper")
	if w.Open != nil {
		t.Errorf("welcome with Bob online: open %+v, want nil", w.Open)
	}

	// Bob's console closes: nothing changes within the grace, then the
	// shop is away again, and every open widget of it is told.
	bob.ws.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(stepTimeout)
	for clock.Pending() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("no grace timer after Bob's console closed")
		}
		time.Sleep(time.Millisecond)
	}
	v.noSiteFrame("within the grace")
	clock.Advance(parley.PresenceGrace)
	for _, c := range []*sockClient{v, late} {
		if st := c.siteFrame(); st == nil || !st.Away {
			t.Errorf("%s after the last agent left: %+v, want away", c.name, st)
		}
	}
	other.noSiteFrame("the shop's last agent left")
	for _, f := range append(cy.pending, cy.seen...) {
		if f.Type == parley.TypeSite {
			t.Errorf("agent Cy got a site frame %+v", f)
		}
	}

	// Business hours end while Ann is online: closed, with when it opens,
	// without a kick (the tick sees it).
	env.newAgent(t, "ann", 0)
	if st := v.siteFrame(); st != nil {
		t.Errorf("Ann online: %+v, want open", st)
	}
	site := env.site
	// Open one day a week, 9 to 17, and never today.
	day := (time.Now().UTC().Weekday() + 1) % 7
	site.Routing.Hours = parley.Hours{Enabled: true, Zone: "UTC"}
	site.Routing.Hours.Week[day] = []parley.Span{{From: 9 * 60, To: 17 * 60}}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	st := v.siteFrame()
	if st == nil || st.Open || st.Away || st.Next.IsZero() || st.Next.Weekday() != day || st.Next.Hour() != 9 {
		t.Errorf("hours closed: %+v, want closed until %s at 9:00", st, day)
	}
}

func TestSiteFrameFromAClientIsRefused(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	v, _ := env.newVisitor(t, "shopper")
	v.sendFrame(parley.Frame{Type: parley.TypeSite, Open: &parley.OpenState{Open: true}})
	if e := v.untilError(); e.Code != string(parley.EInvalid) {
		t.Errorf("a site frame from a visitor: %+v, want invalid", e)
	}
	a, _ := env.newAgent(t, "ann", 0)
	a.sendFrame(parley.Frame{Type: parley.TypeSite})
	if e := a.untilError(); e.Code != string(parley.EInvalid) {
		t.Errorf("a site frame from an agent: %+v, want invalid", e)
	}
	// Both keep working.
	v.say(0, "v1", "still here")
}

// TestTeamStateInTheSiteFrame: with the site answering, a team with none
// of its members online, or outside its own hours, is named in the
// site's state; a chat started with such a team is mailed to the shop.
func TestTeamStateInTheSiteFrame(t *testing.T) {
	env, box, _ := newMailEnv(t)
	site := newDesk(t, env, 3) // Orders: Ann (the default team); Returns: Bob
	site.Mail.Notify = "owner@desk.example"
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	env.newAgent(t, "bob", 1)
	v, w := env.newVisitorOf(t, "shopper", site.ID)
	for w.Open != nil && !w.Open.Open { // Bob's hello may be a moment behind
		w.Open = v.siteFrame()
	}
	if w.Open == nil || !w.Open.Open || w.Open.Away {
		t.Fatalf("Bob online: %+v, want the site open", w.Open)
	}
	orders, def, returns := w.Open.ForTeam("orders"), w.Open.ForTeam(""), w.Open.ForTeam("returns")
	if !orders.Away || !def.Away || !returns.Open {
		t.Errorf("Orders %+v, the default team %+v, Returns %+v; want away, away, open", orders, def, returns)
	}

	// A chat for Orders, nobody of it online: the shop hears of it; one
	// for Returns, where Bob is, does not.
	ask(t, env, "kim", "order-status")
	ask(t, env, "lee", "returns")
	waitMailsTo(t, box, "owner@desk.example", 1)
	time.Sleep(300 * time.Millisecond)
	if ms := mailsTo(box, "owner@desk.example"); len(ms) != 1 || !strings.Contains(ms[0].Text, "Hello, order-status") {
		t.Errorf("notices %d, want 1, of Kim's Orders chat", len(ms))
	}

	// Returns gets hours of its own, closed now: named with when it opens.
	day := (time.Now().UTC().Weekday() + 1) % 7
	h := parley.Hours{Enabled: true, Zone: "UTC"}
	h.Week[day] = []parley.Span{{From: 9 * 60, To: 17 * 60}}
	site.Routing.Teams[1].Hours = &h
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	st := v.siteFrame()
	if r := st.ForTeam("returns"); r == nil || r.Open || r.Away || r.Next.Weekday() != day {
		t.Errorf("Returns outside its hours: %+v, want closed until %s", r, day)
	}

	// Ann comes online: Orders answers, Returns is still closed.
	env.newAgent(t, "ann", 0)
	st = v.siteFrame()
	if o, r := st.ForTeam("orders"), st.ForTeam("returns"); !o.Open || r.Open {
		t.Errorf("Ann online: Orders %+v, Returns %+v; want open, closed", o, r)
	}
}
