package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// peopleEnv is a sockEnv (Ann: install admin, owner of both sites; Bob:
// agent of both; Cy: agent of the other site) with Dee, an admin of the
// shop only, and everyone logged in.
type peopleEnv struct {
	*sockEnv
	ann, bob, cy, dee agentLogin
	deeAgent          parley.Agent
}

func newPeopleEnv(tb testing.TB) *peopleEnv {
	tb.Helper()
	env := &peopleEnv{sockEnv: newSockEnv(tb, parley.Limits{})}
	hash, err := web.HashPassword(sockPassword)
	if err != nil {
		tb.Fatal(err)
	}
	if env.deeAgent, err = env.db.CreateAgentIn(parley.Agent{Email: "dee@shop.example", Name: "Dee"}, hash, []string{env.site.ID}, parley.SiteRoleAdmin); err != nil {
		tb.Fatal(err)
	}
	env.ann = loginWithCSRF(tb, env.sockEnv, "ann@shop.example", sockPassword)
	env.bob = loginWithCSRF(tb, env.sockEnv, "bob@shop.example", sockPassword)
	env.cy = loginWithCSRF(tb, env.sockEnv, "cy@other.example", sockPassword)
	env.dee = loginWithCSRF(tb, env.sockEnv, "dee@shop.example", sockPassword)
	return env
}

// apiCase is one request and the answer it must get.
type apiCase struct {
	name         string
	as           agentLogin
	method, path string
	body         any
	status       int
	code         string // "" for a success
}

// run checks every case; a failure's answer must carry a message.
func (env *peopleEnv) run(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		var e struct{ Code, Message string }
		status, _ := env.api(t, tc.as, tc.method, tc.path, tc.body, &e)
		if status != tc.status || e.Code != tc.code || tc.code != "" && e.Message == "" {
			t.Errorf("%s: %s %s → %d %+v, want %d %q", tc.name, tc.method, tc.path, status, e, tc.status, tc.code)
		}
	}
}

// sameAsMissing checks that a request about another tenant's thing is
// answered exactly like one about a thing that does not exist.
func (env *peopleEnv) sameAsMissing(t *testing.T, as agentLogin, method, theirs, missing string, body any) {
	t.Helper()
	var a, b struct{ Code, Message string }
	s1, _ := env.api(t, as, method, theirs, body, &a)
	s2, _ := env.api(t, as, method, missing, body, &b)
	if s1 != http.StatusNotFound || s2 != http.StatusNotFound || a != b || a.Code != parley.ENotFound {
		t.Errorf("%s %s → %d %+v; %s → %d %+v; want the same 404", method, theirs, s1, a, missing, s2, b)
	}
}

var (
	notJSON   = "not an object"
	oversized = map[string]string{"name": strings.Repeat("x", 70<<10), "email": strings.Repeat("x", 70<<10), "role": strings.Repeat("x", 70<<10)}
)

// wantClosed reads until c is closed, within d, with code and reason.
func (c *sockClient) wantClosed(d time.Duration, code websocket.StatusCode, reason string) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, _, err := c.ws.Read(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			c.tb.Fatalf("%s: still open after %v", c.name, d)
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Reason != reason {
			c.tb.Fatalf("%s: ended with %v, want %d %q", c.name, err, code, reason)
		}
		return
	}
}

func TestCreateSite(t *testing.T) {
	env := newPeopleEnv(t)
	body := map[string]any{"name": "Tea House", "allowedOrigins": []string{"https://tea.example"}}
	var got struct {
		parley.Site
		Snippet, Role string
	}
	status, _ := env.api(t, env.ann, "POST", "/api/sites", body, &got)
	if status != http.StatusCreated || got.ID != "tea-house" || got.Name != "Tea House" || got.Role != parley.SiteRoleOwner ||
		!strings.Contains(got.Snippet, "/s/tea-house/widget.js") || len(got.AllowedOrigins) != 1 {
		t.Fatalf("create: %d %+v", status, got)
	}
	if got.Snippet != web.Snippet(env.url, "tea-house") {
		t.Errorf("snippet %q, want the settings page's %q", got.Snippet, web.Snippet(env.url, "tea-house"))
	}
	if role, err := env.db.Role("tea-house", env.agents[0].ID); err != nil || role != parley.SiteRoleOwner {
		t.Errorf("Ann's role on the new site: %q %v", role, err)
	}
	if ms, _ := env.db.SiteMembers("tea-house"); len(ms) != 1 {
		t.Errorf("members of the new site: %v, want Ann only", ms)
	}
	env.run(t, []apiCase{
		{"the same name again", env.ann, "POST", "/api/sites", body, 409, parley.EConflict},
		{"an explicit id", env.ann, "POST", "/api/sites", map[string]any{"id": "tea_2", "name": "Tea House"}, 201, ""},
		{"an existing id", env.ann, "POST", "/api/sites", map[string]any{"id": "shop", "name": "Mine now"}, 409, parley.EConflict},
		{"an agent", env.bob, "POST", "/api/sites", map[string]any{"name": "Bob's"}, 403, parley.EForbidden},
		{"a site admin, no install admin", env.dee, "POST", "/api/sites", map[string]any{"name": "Dee's"}, 403, parley.EForbidden},
		{"no CSRF token", agentLogin{cookie: env.ann.cookie}, "POST", "/api/sites", map[string]any{"name": "X"}, 403, parley.EForbidden},
		{"no session", agentLogin{}, "POST", "/api/sites", map[string]any{"name": "X"}, 401, parley.EUnauthorized},
		{"not JSON", env.ann, "POST", "/api/sites", notJSON, 400, parley.EInvalid},
		{"oversized", env.ann, "POST", "/api/sites", oversized, 413, parley.ETooLarge},
		{"no name", env.ann, "POST", "/api/sites", map[string]any{"allowedOrigins": []string{"https://x.example"}}, 400, parley.EInvalid},
		{"a name without letters", env.ann, "POST", "/api/sites", map[string]any{"name": "☕☕"}, 400, parley.EInvalid},
		{"a bad id", env.ann, "POST", "/api/sites", map[string]any{"id": "a/b", "name": "X"}, 400, parley.EInvalid},
		{"a bad origin", env.ann, "POST", "/api/sites", map[string]any{"name": "X", "allowedOrigins": []string{"ftp://x"}}, 400, parley.EInvalid},
	})
	if _, err := env.db.Site("bob-s"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("Bob's refused site exists: %v", err)
	}
	if s, _ := env.db.Site("shop"); s.Name != "Coffee Shop" {
		t.Errorf("the shop was changed: %+v", s)
	}
}

func TestSiteMembers(t *testing.T) {
	env := newPeopleEnv(t)
	var team []parley.SiteMember
	if status, _ := env.api(t, env.bob, "GET", "/api/sites/shop/members", nil, &team); status != 200 || len(team) != 3 {
		t.Fatalf("members of the shop, to Bob: %d %+v", status, team)
	}
	want := []parley.SiteMember{
		{ID: env.agents[0].ID, Name: "Ann", Email: "ann@shop.example", Role: parley.SiteRoleOwner},
		{ID: env.agents[1].ID, Name: "Bob", Email: "bob@shop.example", Role: parley.SiteRoleAgent},
		{ID: env.deeAgent.ID, Name: "Dee", Email: "dee@shop.example", Role: parley.SiteRoleAdmin},
	}
	for i := range want {
		if team[i] != want[i] {
			t.Errorf("member %d: %+v, want %+v", i, team[i], want[i])
		}
	}
	env.sameAsMissing(t, env.cy, "GET", "/api/sites/shop/members", "/api/sites/nowhere/members", nil)
	env.run(t, []apiCase{{"no session", agentLogin{}, "GET", "/api/sites/shop/members", nil, 401, parley.EUnauthorized}})
}

func TestAddSiteAgent(t *testing.T) {
	env := newPeopleEnv(t)
	var added parley.NewMember
	status, _ := env.api(t, env.ann, "POST", "/api/sites/shop/agents",
		map[string]string{"email": " Eve@Shop.example ", "name": "Eve", "role": parley.SiteRoleAgent}, &added)
	if status != http.StatusCreated || added.Member.Email != "eve@shop.example" || added.Member.Role != parley.SiteRoleAgent || len(added.Password) < 16 {
		t.Fatalf("adding Eve: %d %+v", status, added)
	}
	if strings.Contains(env.logs.String(), added.Password) {
		t.Errorf("the one-time password is in the server's log")
	}
	eve := loginWithCSRF(t, env.sockEnv, "eve@shop.example", added.Password)
	if a, _ := env.db.Agent(added.Member.ID); a.Role != parley.AgentRoleAgent {
		t.Errorf("Eve's install role: %q, want agent", a.Role)
	}
	if ms, _ := env.db.AgentSites(added.Member.ID); len(ms) != 1 || ms[0].Site != "shop" {
		t.Errorf("Eve's sites: %v", ms)
	}

	// Cy exists, on the other site: the shop's admin adds it, no password.
	cys := env.agentSocket(t, "cy", env.cy)
	var existing parley.NewMember
	status, _ = env.api(t, env.dee, "POST", "/api/sites/shop/agents",
		map[string]string{"email": "cy@other.example", "name": "Someone else", "role": parley.SiteRoleAdmin}, &existing)
	if status != http.StatusOK || existing.Password != "" || existing.Member.Name != "Cy" || existing.Member.Role != parley.SiteRoleAdmin {
		t.Fatalf("adding Cy: %d %+v", status, existing)
	}
	// Cy's console reconnects to see the shop.
	cys.wantClosed(time.Second, websocket.StatusServiceRestart, "sites changed")
	if status, _ := env.api(t, eve, "GET", "/api/sites/shop/members", nil, nil); status != 200 {
		t.Errorf("Eve reading the shop's members: %d", status)
	}

	add := func(email, role string) map[string]string {
		return map[string]string{"email": email, "name": "New", "role": role}
	}
	env.run(t, []apiCase{
		{"a member already", env.ann, "POST", "/api/sites/shop/agents", add("cy@other.example", "agent"), 409, parley.EConflict},
		{"an agent of the site", env.bob, "POST", "/api/sites/shop/agents", add("x@shop.example", "agent"), 403, parley.EForbidden},
		{"an admin making an owner", env.dee, "POST", "/api/sites/shop/agents", add("x@shop.example", "owner"), 403, parley.EForbidden},
		{"an unknown role", env.ann, "POST", "/api/sites/shop/agents", add("x@shop.example", "boss"), 400, parley.EInvalid},
		{"no role", env.ann, "POST", "/api/sites/shop/agents", add("x@shop.example", ""), 400, parley.EInvalid},
		{"no email", env.ann, "POST", "/api/sites/shop/agents", add("", "agent"), 400, parley.EInvalid},
		{"not an email", env.ann, "POST", "/api/sites/shop/agents", add("x at shop", "agent"), 400, parley.EInvalid},
		{"no name", env.ann, "POST", "/api/sites/shop/agents", map[string]string{"email": "x@shop.example", "role": "agent"}, 400, parley.EInvalid},
		{"not JSON", env.ann, "POST", "/api/sites/shop/agents", notJSON, 400, parley.EInvalid},
		{"oversized", env.ann, "POST", "/api/sites/shop/agents", oversized, 413, parley.ETooLarge},
		{"no CSRF token", agentLogin{cookie: env.ann.cookie}, "POST", "/api/sites/shop/agents", add("x@shop.example", "agent"), 403, parley.EForbidden},
	})
	// Dee, of the shop only, adding to the other site.
	env.sameAsMissing(t, env.dee, "POST", "/api/sites/other/agents", "/api/sites/nowhere/agents", add("y@shop.example", "agent"))
	if _, _, err := env.db.AgentByEmail("x@shop.example"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("a refused request created x@shop.example: %v", err)
	}
	if _, _, err := env.db.AgentByEmail("y@shop.example"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("a refused request created y@shop.example: %v", err)
	}
}

func TestMemberRoleAndRemoval(t *testing.T) {
	env := newPeopleEnv(t)
	ann, bob, dee := env.agents[0].ID, env.agents[1].ID, env.deeAgent.ID
	member := func(id uint64) string { return "/api/sites/shop/members/" + itoa(id) }
	role := func(r string) map[string]string { return map[string]string{"role": r} }

	bobs := env.agentSocket(t, "bob", env.bob)
	var m parley.SiteMember
	if status, _ := env.api(t, env.ann, "PUT", member(bob), role(parley.SiteRoleAdmin), &m); status != 200 || m.Role != parley.SiteRoleAdmin || m.ID != bob {
		t.Fatalf("making Bob an admin: %d %+v", status, m)
	}
	bobs.wantClosed(time.Second, websocket.StatusServiceRestart, "sites changed")
	if r, _ := env.db.Role("shop", bob); r != parley.SiteRoleAdmin {
		t.Errorf("Bob's role: %q", r)
	}
	env.run(t, []apiCase{
		{"the last owner steps down", env.ann, "PUT", member(ann), role(parley.SiteRoleAdmin), 409, parley.EConflict},
		{"the last owner is removed", env.ann, "DELETE", member(ann), nil, 409, parley.EConflict},
		{"an admin demotes an owner", env.dee, "PUT", member(ann), role(parley.SiteRoleAgent), 403, parley.EForbidden},
		{"an admin removes an owner", env.dee, "DELETE", member(ann), nil, 403, parley.EForbidden},
		{"an admin makes an owner", env.dee, "PUT", member(bob), role(parley.SiteRoleOwner), 403, parley.EForbidden},
		{"an agent changes a role", env.cy, "PUT", "/api/sites/other/members/" + itoa(bob), role(parley.SiteRoleAdmin), 403, parley.EForbidden},
		{"an agent removes", env.cy, "DELETE", "/api/sites/other/members/" + itoa(bob), nil, 403, parley.EForbidden},
		{"an unknown role", env.ann, "PUT", member(bob), role("boss"), 400, parley.EInvalid},
		{"not JSON", env.ann, "PUT", member(bob), notJSON, 400, parley.EInvalid},
		{"oversized", env.ann, "PUT", member(bob), oversized, 413, parley.ETooLarge},
		{"an unknown agent", env.ann, "PUT", member(999999), role(parley.SiteRoleAgent), 404, parley.ENotFound},
		{"not an agent id", env.ann, "PUT", "/api/sites/shop/members/bob", role(parley.SiteRoleAgent), 404, parley.ENotFound},
		{"an agent of another site", env.ann, "PUT", member(env.agents[2].ID), role(parley.SiteRoleAgent), 404, parley.ENotFound},
		{"removing an unknown agent", env.ann, "DELETE", member(999999), nil, 404, parley.ENotFound},
		{"no CSRF token", agentLogin{cookie: env.ann.cookie}, "DELETE", member(bob), nil, 403, parley.EForbidden},
	})
	// Cy, of the other site only, about the shop's members.
	env.sameAsMissing(t, env.cy, "PUT", member(bob), "/api/sites/nowhere/members/"+itoa(bob), role(parley.SiteRoleAgent))
	env.sameAsMissing(t, env.cy, "DELETE", member(bob), "/api/sites/nowhere/members/"+itoa(bob), nil)
	if r, _ := env.db.Role("shop", ann); r != parley.SiteRoleOwner {
		t.Errorf("Ann's role after the refusals: %q", r)
	}

	// With a second owner, the first may step down, by an owner's hand.
	if status, _ := env.api(t, env.ann, "PUT", member(dee), role(parley.SiteRoleOwner), nil); status != 200 {
		t.Fatalf("making Dee an owner: %d", status)
	}
	if status, _ := env.api(t, env.dee, "PUT", member(ann), role(parley.SiteRoleAgent), nil); status != 200 {
		t.Errorf("Dee, an owner now, demoting Ann: %d", status)
	}
	bobs2 := env.agentSocket(t, "bob again", env.bob)
	if status, _ := env.api(t, env.dee, "DELETE", member(bob), nil, nil); status != http.StatusNoContent {
		t.Fatalf("removing Bob: %d", status)
	}
	bobs2.wantClosed(time.Second, websocket.StatusServiceRestart, "sites changed")
	if _, err := env.db.Role("shop", bob); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("Bob is still a member: %v", err)
	}
	// Bob, reconnected, sees the other site only.
	c := env.dial(t, "bob reconnected", env.bob.cookie)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	if w := c.next(); w.Type != parley.TypeWelcome {
		t.Fatalf("bob's hello: %+v", w)
	}
	env.sameAsMissing(t, env.bob, "GET", "/api/sites/shop/members", "/api/sites/nowhere/members", nil)
}

func TestDisableEnableAndResetAgent(t *testing.T) {
	env := newPeopleEnv(t)
	ann, bob, cy := env.agents[0].ID, env.agents[1].ID, env.agents[2].ID
	path := func(id uint64, action string) string { return "/api/agents/" + itoa(id) + "/" + action }

	for _, action := range []string{"disable", "enable", "password-reset"} {
		env.run(t, []apiCase{
			// Bob works on both sites; Dee administers the shop only.
			{action + ": an admin of one of the agent's sites", env.dee, "POST", path(bob, action), nil, 403, parley.EForbidden},
			{action + ": an agent sharing a site", env.cy, "POST", path(bob, action), nil, 403, parley.EForbidden},
			{action + ": an admin, of an owner", env.dee, "POST", path(ann, action), nil, 403, parley.EForbidden},
			{action + ": an unknown agent", env.ann, "POST", path(999999, action), nil, 404, parley.ENotFound},
			{action + ": not an id", env.ann, "POST", "/api/agents/bob/" + action, nil, 404, parley.ENotFound},
			{action + ": no CSRF token", agentLogin{cookie: env.ann.cookie}, "POST", path(bob, action), nil, 403, parley.EForbidden},
			{action + ": no session", agentLogin{}, "POST", path(bob, action), nil, 401, parley.EUnauthorized},
		})
		// Dee shares no site with Cy: Cy answers like a missing agent.
		env.sameAsMissing(t, env.dee, "POST", path(cy, action), path(999999, action), nil)
	}
	env.run(t, []apiCase{
		{"disabling oneself", env.ann, "POST", path(ann, "disable"), nil, 400, parley.EInvalid},
		{"resetting one's own password", env.ann, "POST", path(ann, "password-reset"), nil, 400, parley.EInvalid},
	})
	if d, _ := env.db.AgentDisabled(bob); d {
		t.Fatal("a refused request disabled Bob")
	}

	// Ann owns both of Bob's sites: she disables him, and his consoles
	// close at once.
	bobs := env.agentSocket(t, "bob", env.bob)
	if status, _ := env.api(t, env.ann, "POST", path(bob, "disable"), nil, nil); status != http.StatusNoContent {
		t.Fatalf("disabling Bob: %d", status)
	}
	bobs.wantEnded(time.Second, "session ended")
	if status, _ := env.api(t, env.bob, "GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("Bob's session after the disable: %d, want 401", status)
	}
	if status, _ := env.api(t, agentLogin{}, "POST", "/api/login", map[string]string{"email": "bob@shop.example", "password": sockPassword}, nil); status != http.StatusUnauthorized {
		t.Errorf("Bob logging in while disabled: %d, want 401", status)
	}
	var team []parley.SiteMember
	env.api(t, env.ann, "GET", "/api/sites/shop/members", nil, &team)
	if len(team) < 2 || team[1].ID != bob || !team[1].Disabled {
		t.Errorf("the shop's members: %+v, want Bob disabled", team)
	}
	if status, _ := env.api(t, env.ann, "POST", path(bob, "enable"), nil, nil); status != http.StatusNoContent {
		t.Fatalf("enabling Bob: %d", status)
	}
	bob2 := loginWithCSRF(t, env.sockEnv, "bob@shop.example", sockPassword)
	bobs = env.agentSocket(t, "bob again", bob2)

	// A reset: a new one-time password, every session ended.
	var pw parley.NewPassword
	if status, _ := env.api(t, env.ann, "POST", path(bob, "password-reset"), nil, &pw); status != 200 || len(pw.Password) < 16 {
		t.Fatalf("resetting Bob's password: %d %+v", status, pw)
	}
	bobs.wantEnded(time.Second, "session ended")
	if strings.Contains(env.logs.String(), pw.Password) {
		t.Errorf("the one-time password is in the server's log")
	}
	if status, _ := env.api(t, agentLogin{}, "POST", "/api/login", map[string]string{"email": "bob@shop.example", "password": sockPassword}, nil); status != http.StatusUnauthorized {
		t.Errorf("Bob's old password: %d, want 401", status)
	}
	loginWithCSRF(t, env.sockEnv, "bob@shop.example", pw.Password)

	// Dee, an admin of the shop, governs an agent of the shop only.
	var added parley.NewMember
	env.api(t, env.dee, "POST", "/api/sites/shop/agents", map[string]string{"email": "fay@shop.example", "name": "Fay", "role": "agent"}, &added)
	if status, _ := env.api(t, env.dee, "POST", path(added.Member.ID, "disable"), nil, nil); status != http.StatusNoContent {
		t.Errorf("Dee disabling Fay: %d", status)
	}
}

// TestOneTimePassword: long enough, and new every time.
func TestOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		pw := web.OneTimePassword()
		if len(pw) < 16 || seen[pw] {
			t.Fatalf("OneTimePassword = %q (seen before: %v)", pw, seen[pw])
		}
		seen[pw] = true
	}
}
