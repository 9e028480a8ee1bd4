package web_test

import (
	"context"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// TestTenantScopingHTTP: an agent sees and changes only the sites it is a
// member of; another site's things answer exactly like missing ones.
func TestTenantScopingHTTP(t *testing.T) {
	env := newHTTPEnv(t)
	hash, err := web.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.db.CreateSite(parley.Site{ID: "other", Name: "Other", AllowedOrigins: []string{"https://other.example"}}); err != nil {
		t.Fatal(err)
	}
	cy, err := env.db.CreateAgent(parley.Agent{Email: "cy@other.example", Name: "Cy"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.db.SetMember("other", cy.ID, parley.SiteRoleAgent); err != nil {
		t.Fatal(err)
	}
	v, err := env.db.CreateVisitor("shop", []byte("token-hash"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.db.Append(context.Background(), store.Append{Site: "shop", Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, ID: "m1", Text: "private"})
	if err != nil {
		t.Fatal(err)
	}
	shopConv := a.Conv.ID

	c, csrf := env.login(t, "cy@other.example")
	var sites []struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	if r := env.do(t, c, "GET", "/api/sites", nil, nil, &sites); r.StatusCode != 200 || len(sites) != 1 || sites[0].ID != "other" || sites[0].Role != parley.SiteRoleAgent {
		t.Errorf("Cy's sites: %d %+v, want only other, as agent", r.StatusCode, sites)
	}
	hdr := map[string]string{"X-CSRF-Token": csrf, "Origin": env.url}
	site := parley.Site{Name: "Taken over", AllowedOrigins: []string{"https://evil.example"}}
	var theirs, missing apiErr
	r1 := env.do(t, c, "PUT", "/api/sites/shop", site, hdr, &theirs)
	r2 := env.do(t, c, "PUT", "/api/sites/nowhere", site, hdr, &missing)
	if r1.StatusCode != 404 || theirs != missing || r2.StatusCode != 404 {
		t.Errorf("PUT another site: %d %+v; a missing one: %d %+v; want the same 404", r1.StatusCode, theirs, r2.StatusCode, missing)
	}
	var e apiErr
	if r := env.do(t, c, "PUT", "/api/sites/other", site, hdr, &e); r.StatusCode != 403 || e.Code != parley.EForbidden {
		t.Errorf("an agent changing its own site: %d %+v, want 403", r.StatusCode, e)
	}
	if s, _ := env.db.Site("shop"); s.Name != "Shop" {
		t.Errorf("the shop was changed: %+v", s)
	}
	r1 = env.do(t, c, "GET", "/api/conversations/"+itoa(shopConv)+"/messages", nil, nil, &theirs)
	r2 = env.do(t, c, "GET", "/api/conversations/999999/messages", nil, nil, &missing)
	if r1.StatusCode != 404 || theirs != missing || r2.StatusCode != 404 {
		t.Errorf("another site's transcript: %d %+v; a missing one: %d %+v; want the same 404", r1.StatusCode, theirs, r2.StatusCode, missing)
	}
}

// TestSocketTenantScoping: over the socket, an agent of another site gets
// nothing of the shop — not in its welcome, not live, not on request — and
// every request about a shop conversation is answered like a missing one.
func TestSocketTenantScoping(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	cy, w := env.newAgent(t, "cy", 2)
	ann, _ := env.newAgent(t, "ann", 0)
	alice, _ := env.newVisitor(t, "alice")
	shopConv := alice.say(0, "a-1", "my address is 12 Secret Lane").Conv
	ann.msgs(shopConv, 1)
	if len(w.Conversations) != 0 {
		t.Errorf("Cy's welcome lists %v", convIDs(w.Conversations))
	}
	ann.say(shopConv, "ann-1", "thanks")
	ann.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: shopConv, On: true})
	ann.sendFrame(parley.Frame{Type: parley.TypeRead, Conv: shopConv, Seq: 1})

	missing := uint64(999999)
	for _, p := range []struct {
		name  string
		frame func(conv uint64) parley.Frame
	}{
		{"send", func(conv uint64) parley.Frame {
			return parley.Frame{Type: parley.TypeSend, ID: "cy-" + itoa(conv), Conv: conv, Text: "hi"}
		}},
		{"resume", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeResume, Conv: conv} }},
		{"typing", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true} }},
		{"read", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: 1} }},
		{"delivered", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: 1} }},
		{"resolve", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeResolve, Conv: conv} }},
		{"claim", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeClaim, ID: "c1", Conv: conv} }},
		{"transfer", func(conv uint64) parley.Frame {
			return parley.Frame{Type: parley.TypeTransfer, ID: "t1", Conv: conv, AgentID: env.agents[2].ID, Text: "mine now"}
		}},
	} {
		cy.sendFrame(p.frame(shopConv))
		theirs := cy.untilError()
		cy.sendFrame(p.frame(missing))
		gone := cy.untilError()
		if theirs.Code != parley.ENotFound || theirs.Code != gone.Code || theirs.Message != gone.Message {
			t.Errorf("%s on a shop conversation: %+v; on a missing one: %+v; want the same not_found", p.name, theirs, gone)
		}
	}
	// Ann's answer took the queued conversation (seq 2) before it was seq 3.
	if c, _ := env.db.Conversation(shopConv); c.Status != parley.StatusOpen || c.LastSeq != 3 || c.Assignee != env.agents[0].ID {
		t.Errorf("Cy's requests changed the shop's conversation: %+v", c)
	}

	// In a new connection's hello, as inbox or scoped.
	for _, scope := range []string{parley.ScopeInbox, parley.ScopeConversations} {
		c := env.dial(t, "cy "+scope, loginAgent(t, env, env.agents[2].Email))
		c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: scope, Since: []parley.ResumeFrom{{Conv: shopConv}}})
		if w := c.next(); w.Type != parley.TypeWelcome || len(w.Conversations) != 0 {
			t.Errorf("%s hello: %+v", scope, w)
		}
		if e := c.next(); e.Type != parley.TypeError || e.Code != parley.ENotFound {
			t.Errorf("%s hello.since a shop conversation: %+v, want not_found", scope, e)
		}
	}

	// Cy's own site still works for Cy, and a barrier proves that nothing
	// of the shop, published before, is on its way.
	bob, _ := env.newVisitorOf(t, "bob", env.other.ID)
	otherConv := bob.say(0, "b-1", "hello other").Conv
	got := cy.msgs(otherConv, 1)
	if got[0].Text != "hello other" {
		t.Errorf("Cy got %+v", got[0])
	}
	for _, f := range cy.seen {
		if f.Conv == shopConv && f.Type != parley.TypeError || f.Conversation != nil && f.Conversation.Site == env.site.ID {
			t.Errorf("Cy received %+v of the shop", f)
		}
	}
}
