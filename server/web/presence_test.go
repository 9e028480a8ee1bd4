package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// presenceOf reads until a presence frame about agent id.
func (c *sockClient) presenceOf(id uint64) parley.Agent {
	c.tb.Helper()
	f := c.until("presence of agent "+itoa(id), func(f parley.Frame) bool {
		return f.Type == parley.TypePresence && f.Agent != nil && f.Agent.ID == id
	})
	return *f.Agent
}

// presenceFrames are the presence frames this client has read about id.
func (c *sockClient) presenceFrames(id uint64) []parley.Agent {
	var out []parley.Agent
	for _, f := range c.seen {
		if f.Type == parley.TypePresence && f.Agent != nil && (id == 0 || f.Agent.ID == id) {
			out = append(out, *f.Agent)
		}
	}
	return out
}

func colleague(w parley.Frame, id uint64) (parley.Agent, bool) {
	for _, a := range w.Agents {
		if a.ID == id {
			return a, true
		}
	}
	return parley.Agent{}, false
}

// addShopAgent makes Dee, an agent of the shop only, and returns its index.
func (env *sockEnv) addShopAgent(tb testing.TB) int {
	tb.Helper()
	hash, err := web.HashPassword(sockPassword)
	if err != nil {
		tb.Fatal(err)
	}
	dee, err := env.db.CreateAgent(parley.Agent{Email: "dee@shop.example", Name: "Dee"}, hash)
	if err != nil {
		tb.Fatal(err)
	}
	if err := env.db.SetMember(env.site.ID, dee.ID, parley.SiteRoleAgent); err != nil {
		tb.Fatal(err)
	}
	env.agents = append(env.agents, dee)
	return len(env.agents) - 1
}

func TestPresenceWelcomeAndManualStatus(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, bob, cy := env.agents[0], env.agents[1], env.agents[2]
	annC, w := env.newAgent(t, "ann", 0)
	want := map[uint64]parley.Agent{
		ann.ID: {ID: ann.ID, Name: "Ann", Status: parley.StatusOnline, Capacity: parley.DefaultCapacity},
		bob.ID: {ID: bob.ID, Name: "Bob", Status: parley.StatusOffline, Capacity: parley.DefaultCapacity},
		cy.ID:  {ID: cy.ID, Name: "Cy", Status: parley.StatusOffline, Capacity: parley.DefaultCapacity},
	}
	if len(w.Agents) != len(want) {
		t.Errorf("Ann's welcome lists %+v, want %+v", w.Agents, want)
	}
	for _, a := range w.Agents {
		if a != want[a.ID] {
			t.Errorf("Ann's welcome: %+v, want %+v", a, want[a.ID])
		}
	}

	bobC, bw := env.newAgent(t, "bob", 1)
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusOnline || got.Name != "Bob" || got.Capacity != 3 {
		t.Errorf("Ann sees Bob connect as %+v", got)
	}
	if a, _ := colleague(bw, ann.ID); a.Status != parley.StatusOnline {
		t.Errorf("Bob's welcome has Ann as %+v, want online", a)
	}
	if a, _ := colleague(bw, bob.ID); a.Status != parley.StatusOnline {
		t.Errorf("Bob's welcome has himself as %+v, want online", a)
	}

	bobC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusAway {
		t.Errorf("Bob away reaches Ann as %+v", got)
	}
	if got := bobC.presenceOf(bob.ID); got.Status != parley.StatusAway {
		t.Errorf("Bob's own socket hears %+v, want away", got)
	}
	// Saying it again changes nothing, and publishes nothing.
	bobC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	bobC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusOnline})
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusOnline {
		t.Errorf("Bob back reaches Ann as %+v", got)
	}
	if n := len(annC.presenceFrames(bob.ID)); n != 3 {
		t.Errorf("Ann got %d presence frames about Bob, want 3: %+v", n, annC.presenceFrames(bob.ID))
	}

	// Two consoles: away in one, online in the other, is online.
	bob2, _ := env.newAgent(t, "bob 2", 1)
	bob2.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	bobC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusAway {
		t.Errorf("Bob away in both consoles reaches Ann as %+v", got)
	}
	if n := len(annC.presenceFrames(bob.ID)); n != 4 {
		t.Errorf("Ann got %d presence frames about Bob, want 4: %+v", n, annC.presenceFrames(bob.ID))
	}

	// A console connecting away says so in its hello: no online flash.
	c := env.dial(t, "cy away", loginAgent(t, env, cy.Email))
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Status: parley.StatusAway})
	if cw := c.next(); cw.Type != parley.TypeWelcome {
		t.Fatalf("cy: %+v", cw)
	} else if a, _ := colleague(cw, cy.ID); a.Status != parley.StatusAway {
		t.Errorf("Cy's welcome has herself as %+v, want away", a)
	}
	if got := annC.presenceOf(cy.ID); got.Status != parley.StatusAway {
		t.Errorf("Cy connecting away reaches Ann as %+v", got)
	}
}

func TestPresenceBadInput(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	for _, status := range []string{"", "offline", "busy", "ONLINE"} {
		ann.sendFrame(parley.Frame{Type: parley.TypePresence, Status: status})
		if e := ann.untilError(); e.Code != parley.EInvalid {
			t.Errorf("presence %q: %+v, want invalid", status, e)
		}
	}
	v, _ := env.newVisitor(t, "visitor")
	v.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if e := v.untilError(); e.Code != parley.EForbidden {
		t.Errorf("a visitor's presence: %+v, want forbidden", e)
	}
	scoped := env.dial(t, "bot", loginAgent(t, env, env.agents[1].Email))
	scoped.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: parley.ScopeConversations})
	scoped.untilType(parley.TypeWelcome)
	scoped.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if e := scoped.untilError(); e.Code != parley.EForbidden {
		t.Errorf("a scoped connection's presence: %+v, want forbidden", e)
	}
	for _, hello := range []parley.Frame{
		{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Status: parley.StatusAway},
		{Type: parley.TypeHello, Role: parley.RoleAgent, Status: "busy"},
	} {
		var c *sockClient
		if hello.Role == parley.RoleAgent {
			c = env.dial(t, "hello", loginAgent(t, env, env.agents[1].Email))
		} else {
			c = env.dial(t, "hello", nil)
		}
		c.sendFrame(hello)
		if e := c.next(); e.Type != parley.TypeError || e.Code != parley.EInvalid {
			t.Errorf("hello %+v: %+v, want invalid", hello, e)
		}
	}
	// Presence frames count against the rate of other frames.
	limited := false
	for range 60 {
		ann.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusOnline})
	}
	for range 60 {
		if e := ann.untilError(); e.Code == parley.ERateLimited {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("60 presence frames at once were not rate limited")
	}
}

// TestPresenceScoping: presence goes to the agents who share a site with
// the agent, and never to a visitor.
func TestPresenceScoping(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	deeI := env.addShopAgent(t)
	dee := env.agents[deeI]
	alice, _ := env.newVisitor(t, "alice")
	oliver, _ := env.newVisitorOf(t, "oliver", env.other.ID)
	conv := alice.say(0, "a-1", "hello").Conv
	oconv := oliver.say(0, "o-1", "hello").Conv

	annC, _ := env.newAgent(t, "ann", 0)
	cyC, cw := env.newAgent(t, "cy", 2)
	if _, ok := colleague(cw, dee.ID); ok {
		t.Errorf("Cy's welcome lists Dee, who shares no site with her: %+v", cw.Agents)
	}
	if len(cw.Agents) != 3 {
		t.Errorf("Cy's welcome lists %+v, want Ann, Bob and Cy", cw.Agents)
	}
	deeC, dw := env.newAgent(t, "dee", deeI)
	if _, ok := colleague(dw, env.agents[2].ID); ok {
		t.Errorf("Dee's welcome lists Cy: %+v", dw.Agents)
	}
	annC.presenceOf(dee.ID) // online
	deeC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if got := annC.presenceOf(dee.ID); got.Status != parley.StatusAway {
		t.Errorf("Ann sees Dee as %+v", got)
	}
	// Ann, who shares the other site with Cy, goes away after Dee's
	// changes: once Cy has that, she would have had Dee's before it.
	annC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if got := cyC.presenceOf(env.agents[0].ID); got.Status != parley.StatusAway {
		t.Errorf("Cy sees Ann as %+v", got)
	}
	if got := cyC.presenceFrames(dee.ID); len(got) != 0 {
		t.Errorf("Cy received Dee's presence: %+v", got)
	}
	if got := deeC.presenceOf(env.agents[0].ID); got.Status != parley.StatusAway {
		t.Errorf("Dee sees Ann as %+v", got)
	}
	// Ann answers each visitor after all of that; their streams are in
	// order, so the presence frames would have come first.
	annC.say(conv, "ann-1", "hi alice")
	annC.say(oconv, "ann-2", "hi oliver")
	alice.msgs(conv, 2)
	oliver.msgs(oconv, 2)
	for _, v := range []*sockClient{alice, oliver} {
		if got := v.presenceFrames(0); len(got) != 0 {
			t.Errorf("visitor %s received presence: %+v", v.name, got)
		}
	}
}

// TestPresenceGrace: the last socket closing makes the agent offline only
// after the grace; a reconnect within it publishes nothing at all, and a
// connect/disconnect storm publishes nothing either.
func TestPresenceGrace(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	clock := &web.ManualClock{}
	web.SetPresenceClock(env.srv, clock)
	bob := env.agents[1]
	annC, _ := env.newAgent(t, "ann", 0)
	bobC, _ := env.newAgent(t, "bob", 1)
	annC.presenceOf(bob.ID) // online

	waitPending := func(n int) {
		t.Helper()
		deadline := time.Now().Add(stepTimeout)
		for clock.Pending() != n {
			if time.Now().After(deadline) {
				t.Fatalf("grace timers: %d, want %d", clock.Pending(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	bobC.ws.Close(websocket.StatusNormalClosure, "")
	waitPending(1)
	clock.Advance(parley.PresenceGrace - time.Second)
	// Reconnect inside the grace, then a storm of short connections.
	bobC, _ = env.newAgent(t, "bob again", 1)
	waitPending(0)
	for i := range 5 {
		c, _ := env.newAgent(t, "bob storm "+itoa(uint64(i)), 1)
		c.ws.Close(websocket.StatusNormalClosure, "")
	}
	clock.Advance(time.Hour) // no timer may fire: Bob is connected
	bobC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusAway {
		t.Errorf("after the reconnect and the storm, Ann's next frame about Bob is %+v, want away", got)
	}
	if got := annC.presenceFrames(bob.ID); len(got) != 2 {
		t.Errorf("Ann got %+v about Bob, want online then away only", got)
	}

	// Gone for good: offline once the grace is over, not before.
	bobC.ws.Close(websocket.StatusNormalClosure, "")
	waitPending(1)
	clock.Advance(parley.PresenceGrace - time.Millisecond)
	annC.sendFrame(parley.Frame{Type: parley.TypePresence, Status: parley.StatusAway})
	annC.presenceOf(env.agents[0].ID) // a barrier: Ann's own change
	if got := annC.presenceFrames(bob.ID); len(got) != 2 {
		t.Errorf("before the grace ended Ann got %+v about Bob", got)
	}
	clock.Advance(time.Millisecond)
	if got := annC.presenceOf(bob.ID); got.Status != parley.StatusOffline || got.Capacity != parley.DefaultCapacity {
		t.Errorf("after the grace Ann sees Bob as %+v, want offline", got)
	}
	if _, w := env.newAgent(t, "ann 2", 0); true {
		if a, _ := colleague(w, bob.ID); a.Status != parley.StatusOffline {
			t.Errorf("a new welcome lists Bob as %+v, want offline", a)
		}
	}
}

// capacityAPI logs email in and returns a function that PUTs a capacity
// body for an agent id: status and the decoded answer.
func capacityAPI(tb testing.TB, env *sockEnv, email string) func(id uint64, body string, csrf bool) (int, map[string]any) {
	hdr := loginAgent(tb, env, email)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", env.url+"/api/session", nil)
	req.Header = hdr.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	var s struct{ CSRF string }
	json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	return func(id uint64, body string, csrf bool) (int, map[string]any) {
		tb.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "PUT", env.url+"/api/agents/"+itoa(id)+"/capacity", bytes.NewReader([]byte(body)))
		req.Header = hdr.Clone()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", env.url)
		if csrf {
			req.Header.Set("X-CSRF-Token", s.CSRF)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}
}

func TestAgentCapacityAPI(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	deeI := env.addShopAgent(t)
	ann, bob, cy, dee := env.agents[0], env.agents[1], env.agents[2], env.agents[deeI]
	cyC, _ := env.newAgent(t, "cy", 2)
	visitor, _ := env.newVisitorOf(t, "oliver", env.other.ID)

	asAnn := capacityAPI(t, env, ann.Email)
	asBob := capacityAPI(t, env, bob.Email)
	asCy := capacityAPI(t, env, cy.Email)

	// An owner sets a colleague's; the colleagues hear it.
	if st, out := asAnn(bob.ID, `{"capacity": 5}`, true); st != 200 || out["capacity"] != 5.0 || out["status"] != parley.StatusOffline || out["email"] != nil {
		t.Errorf("Ann sets Bob's capacity: %d %v", st, out)
	}
	if got := cyC.presenceOf(bob.ID); got.Capacity != 5 || got.Status != parley.StatusOffline {
		t.Errorf("Cy hears Bob's capacity as %+v", got)
	}
	if a, _ := env.db.Agent(bob.ID); a.Capacity != 5 {
		t.Errorf("stored capacity %d, want 5", a.Capacity)
	}
	// An agent sets its own.
	if st, out := asCy(cy.ID, `{"capacity": 20}`, true); st != 200 || out["capacity"] != 20.0 || out["status"] != parley.StatusOnline {
		t.Errorf("Cy sets her own capacity: %d %v", st, out)
	}
	if got := cyC.presenceOf(cy.ID); got.Capacity != 20 || got.Status != parley.StatusOnline {
		t.Errorf("Cy hears her own capacity as %+v", got)
	}
	// A plain agent may not set a colleague's.
	if st, out := asBob(ann.ID, `{"capacity": 4}`, true); st != 403 || out["code"] != parley.EForbidden {
		t.Errorf("Bob sets Ann's: %d %v, want 403", st, out)
	}
	// Another tenant's agent is like a missing one.
	st1, theirs := asCy(dee.ID, `{"capacity": 4}`, true)
	st2, missing := asCy(999999, `{"capacity": 4}`, true)
	st3, _ := asCy(0, `{"capacity": 4}`, true)
	if st1 != 404 || st2 != 404 || st3 != 404 || theirs["message"] != missing["message"] {
		t.Errorf("Cy sets Dee's: %d %v; a missing agent's: %d %v; want the same 404", st1, theirs, st2, missing)
	}
	// Without the CSRF token.
	if st, _ := asCy(cy.ID, `{"capacity": 4}`, false); st != 403 {
		t.Errorf("without CSRF: %d, want 403", st)
	}
	for _, body := range []string{`{"capacity": 0}`, `{"capacity": 21}`, `{"capacity": -1}`, `{"capacity": "3"}`, `{"capacity": 2.5}`, `{"capacity": null}`, `{}`, `not json`} {
		st, out := asCy(cy.ID, body, true)
		msg, _ := out["message"].(string)
		clear := strings.Contains(msg, "from 1 to 20") || body == "not json" && strings.Contains(msg, "not valid JSON")
		if st != 400 || out["code"] != parley.EInvalid || !clear {
			t.Errorf("body %s: %d %v, want 400 invalid naming the bounds", body, st, out)
		}
	}
	if a, _ := env.db.Agent(cy.ID); a.Capacity != 20 {
		t.Errorf("refused requests changed Cy's capacity to %d", a.Capacity)
	}
	// The visitor of Cy's site heard none of it.
	oliverConv := visitor.say(0, "o-1", "hi").Conv
	cyC.say(oliverConv, "cy-1", "hello")
	visitor.msgs(oliverConv, 2)
	if got := visitor.presenceFrames(0); len(got) != 0 {
		t.Errorf("a visitor received presence: %+v", got)
	}
}
