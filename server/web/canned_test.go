package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// TestCannedRepliesAPI: owners and admins keep a site's canned replies,
// checked and normalised; every member gets those it may use — the
// site's, its teams', its own — and nobody else's private ones; an agent
// of another site gets nothing, as if the site did not exist.
func TestCannedRepliesAPI(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	annID, bobID := env.agents[0].ID, env.agents[1].ID
	site, _ := env.db.Site(env.site.ID)
	site.Routing.Teams = []parley.Team{{ID: "sales", Name: "Sales", Members: []uint64{annID}}}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	path := "/api/sites/" + site.ID + "/canned"
	type body struct {
		CannedReplies []parley.CannedReply `json:"cannedReplies"`
	}
	canned := []parley.CannedReply{
		{Shortcut: "/Thanks", Text: " Thanks {{contact.name}}! "},
		{Shortcut: "discount", Text: "10% off with SALES10", Team: "sales"},
		{Shortcut: "sign", Text: "— Ann", Agent: annID},
		{Shortcut: "sign", Text: "— Bob", Agent: bobID},
	}
	var e parley.Frame
	if status, _ := env.api(t, ann, "PUT", path, body{canned}, &e); status != 200 {
		t.Fatalf("PUT: %d %+v", status, e)
	}
	stored, _ := env.db.CannedReplies(site.ID)
	if got := fmt.Sprint(stored); got != "[{discount 10% off with SALES10 sales 0 <nil> []} {sign — Ann  1 <nil> []} {sign — Bob  2 <nil> []} {thanks Thanks {{contact.name}}!  0 <nil> []}]" {
		t.Errorf("stored %s", got)
	}
	cannedOf := func(l agentLogin) string {
		t.Helper()
		var got body
		if status, _ := env.api(t, l, "GET", path, nil, &got); status != 200 {
			return fmt.Sprint("status ", status)
		}
		var out []string
		for _, r := range got.CannedReplies {
			out = append(out, r.Shortcut+":"+r.Text)
		}
		return strings.Join(out, "|")
	}
	if got := cannedOf(ann); got != "discount:10% off with SALES10|sign:— Ann|sign:— Bob|thanks:Thanks {{contact.name}}!" {
		t.Errorf("the owner sees %s, want all", got)
	}
	if got := cannedOf(bob); got != "sign:— Bob|thanks:Thanks {{contact.name}}!" {
		t.Errorf("Bob, an agent outside sales, sees %s", got)
	}

	for _, tt := range []struct {
		name   string
		canned []parley.CannedReply
		status int
		msg    string
	}{
		{"a bad shortcut", []parley.CannedReply{{Shortcut: "good bye", Text: "x"}}, 400, "only a-z, 0-9 and -"},
		{"an unknown team", []parley.CannedReply{{Shortcut: "x", Text: "x", Team: "ghosts"}}, 400, "does not have"},
		{"another site's agent", []parley.CannedReply{{Shortcut: "x", Text: "x", Agent: env.agents[2].ID}}, 400, "not a member"},
		{"too long", []parley.CannedReply{{Shortcut: "x", Text: strings.Repeat("a", 4001)}}, 413, "the limit is 4000"},
		{"a card's bad link", []parley.CannedReply{{Shortcut: "x", Text: "x", Card: &parley.Card{Title: "Mug", URL: "javascript:alert(1)"}}}, 400, "/x: The card's link must be an http or https URL."},
		{"a card's long title", []parley.CannedReply{{Shortcut: "x", Text: "x", Card: &parley.Card{Title: strings.Repeat("t", 201)}}}, 413, "the limit is 200"},
		{"six quick replies", []parley.CannedReply{{Shortcut: "x", Text: "x", Replies: []string{"a", "b", "c", "d", "e", "f"}}}, 413, "At most 5 quick replies"},
	} {
		var e parley.Frame
		if status, _ := env.api(t, ann, "PUT", path, body{tt.canned}, &e); status != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: %d %q, want %d and %q", tt.name, status, e.Message, tt.status, tt.msg)
		}
	}
	// An agent manages none; another site's agent sees no site.
	if status, _ := env.api(t, bob, "PUT", path, body{canned}, nil); status != 403 {
		t.Errorf("Bob's PUT: %d, want 403", status)
	}
	cy := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	for _, m := range []string{"GET", "PUT"} {
		var e parley.Frame
		if status, _ := env.api(t, cy, m, path, body{canned}, &e); status != 404 || e.Code != parley.ENotFound {
			t.Errorf("Cy's %s: %d %+v, want 404", m, status, e)
		}
	}
	// 200 replies of 4,000 characters fit in a request; the site's
	// settings, which every widget page reads, do not carry them.
	full := make([]parley.CannedReply, parley.MaxCannedReplies)
	for i := range full {
		full[i] = parley.CannedReply{Shortcut: fmt.Sprint("r", i), Text: strings.Repeat("é", 4000)}
	}
	if status, _ := env.api(t, ann, "PUT", path, body{full}, &e); status != 200 {
		t.Errorf("200 long replies: %d %+v", status, e)
	}
	if got := cannedOf(ann); strings.Count(got, "|") != parley.MaxCannedReplies-1 {
		t.Errorf("got %d replies back", strings.Count(got, "|")+1)
	}
	var sites []map[string]any
	env.api(t, ann, "GET", "/api/sites", nil, &sites)
	for _, s := range sites {
		if _, ok := s["cannedReplies"]; ok {
			t.Errorf("GET /api/sites carries canned replies")
		}
	}
	// Emptied.
	if status, _ := env.api(t, ann, "PUT", path, body{}, nil); status != 200 || cannedOf(bob) != "" {
		t.Errorf("emptied: %d, Bob sees %q", status, cannedOf(bob))
	}
}

// TestOwnCannedRepliesAPI: any member sets its own private canned
// replies (PUT /api/sites/{id}/canned/mine), checked and bounded, and
// only those: the site's, a team's and another agent's stay as they are,
// and a reply for anyone but itself is refused (403). Another plain agent
// never gets them; another site's agent gets 404.
func TestOwnCannedRepliesAPI(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	hash, _ := web.HashPassword(sockPassword)
	dee, err := env.db.CreateAgent(parley.Agent{Email: "dee@shop.example", Name: "Dee", Role: parley.AgentRoleAgent}, hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.db.SetMember(env.site.ID, dee.ID, parley.SiteRoleAgent); err != nil {
		t.Fatal(err)
	}
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	cy := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	deeLogin := loginWithCSRF(t, env, dee.Email, sockPassword)
	annID, bobID := env.agents[0].ID, env.agents[1].ID
	path := "/api/sites/" + env.site.ID + "/canned"
	type body struct {
		CannedReplies []parley.CannedReply `json:"cannedReplies"`
	}
	if status, _ := env.api(t, ann, "PUT", path, body{[]parley.CannedReply{
		{Shortcut: "hi", Text: "Hello!"},
		{Shortcut: "sign", Text: "— Ann", Agent: annID},
		{Shortcut: "old", Text: "Bob's old one", Agent: bobID},
	}}, nil); status != 200 {
		t.Fatalf("the owner's PUT: %d", status)
	}

	// Bob, a plain agent, replaces his own: the others stay.
	mine := []parley.CannedReply{
		{Shortcut: "/Sign", Text: "— Bob"},
		{Shortcut: "mug", Text: "Our mug", Agent: bobID, Card: &parley.Card{Title: "Mug", URL: "https://shop.example/mug"}, Replies: []string{"Buy"}},
	}
	var got body
	if status, _ := env.api(t, bob, "PUT", path+"/mine", body{mine}, &got); status != 200 || len(got.CannedReplies) != 2 ||
		got.CannedReplies[0].Shortcut != "mug" || got.CannedReplies[1].Agent != bobID {
		t.Fatalf("Bob's PUT: %d %+v", status, got)
	}
	stored, _ := env.db.CannedReplies(env.site.ID)
	var all []string
	for _, r := range stored {
		all = append(all, fmt.Sprintf("%s/%d", r.Shortcut, r.Agent))
	}
	if want := fmt.Sprintf("hi/0 mug/%d sign/%d sign/%d", bobID, annID, bobID); strings.Join(all, " ") != want {
		t.Errorf("stored %v, want %s", all, want)
	}
	if status, _ := env.api(t, bob, "GET", path+"/mine", nil, &got); status != 200 || len(got.CannedReplies) != 2 {
		t.Errorf("Bob's GET mine: %d %+v", status, got)
	}

	// Not his to set: the site's, a team's, another agent's. Nothing changes.
	for _, tt := range []struct {
		name  string
		reply parley.CannedReply
	}{
		{"a team's", parley.CannedReply{Shortcut: "x", Text: "x", Team: "sales"}},
		{"Ann's", parley.CannedReply{Shortcut: "x", Text: "x", Agent: annID}},
	} {
		var e parley.Frame
		if status, _ := env.api(t, bob, "PUT", path+"/mine", body{[]parley.CannedReply{tt.reply}}, &e); status != 403 || e.Code != parley.EForbidden {
			t.Errorf("Bob sets %s: %d %+v, want 403", tt.name, status, e)
		}
	}
	if status, _ := env.api(t, bob, "PUT", path, body{mine}, nil); status != 403 {
		t.Errorf("Bob's PUT of the site's list: %d, want 403", status)
	}
	// Bad input: the same checks as the site's, bounded at 50.
	many := make([]parley.CannedReply, parley.MaxOwnCannedReplies+1)
	for i := range many {
		many[i] = parley.CannedReply{Shortcut: fmt.Sprint("m", i), Text: "x"}
	}
	for _, tt := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"too many", mustJSON(t, body{many}), 413, "At most 50 canned replies of your own"},
		{"a bad card link", mustJSON(t, body{[]parley.CannedReply{{Shortcut: "x", Text: "x", Card: &parley.Card{Title: "M", URL: "javascript:x"}}}}), 400, "http or https"},
		{"malformed", `{"cannedReplies":[`, 400, "not valid JSON"},
		{"twice", mustJSON(t, body{[]parley.CannedReply{{Shortcut: "a", Text: "x"}, {Shortcut: "A", Text: "y"}}}), 400, "twice"},
	} {
		if status, e := env.rawAPI(t, bob, "PUT", path+"/mine", tt.body); status != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: %d %q, want %d and %q", tt.name, status, e.Message, tt.status, tt.msg)
		}
	}
	if after, _ := env.db.CannedReplies(env.site.ID); len(after) != len(stored) {
		t.Errorf("after refusals: %d replies, want %d", len(after), len(stored))
	}

	// Dee, another plain agent, gets the site's and her own only.
	if status, _ := env.api(t, deeLogin, "PUT", path+"/mine", body{[]parley.CannedReply{{Shortcut: "sign", Text: "— Dee"}}}, nil); status != 200 {
		t.Fatalf("Dee's PUT: %d", status)
	}
	for _, p := range []string{path, path + "/mine"} {
		got = body{}
		env.api(t, deeLogin, "GET", p, nil, &got)
		for _, r := range got.CannedReplies {
			if r.Agent != 0 && r.Agent != dee.ID {
				t.Errorf("Dee's GET %s has %+v", p, r)
			}
		}
	}
	got = body{}
	if env.api(t, bob, "GET", path+"/mine", nil, &got); len(got.CannedReplies) != 2 {
		t.Errorf("Dee's PUT changed Bob's: %+v", got)
	}
	// Another site's agent: 404.
	for _, m := range []string{"GET", "PUT"} {
		if status, e := env.rawAPI(t, cy, m, path+"/mine", `{"cannedReplies":[]}`); status != 404 || e.Code != parley.ENotFound {
			t.Errorf("Cy's %s mine: %d %+v, want 404", m, status, e)
		}
	}
	// Emptied: his go, the rest stay.
	if status, _ := env.api(t, bob, "PUT", path+"/mine", body{}, &got); status != 200 || len(got.CannedReplies) != 0 {
		t.Errorf("emptied: %d %+v", status, got)
	}
	if after, _ := env.db.CannedReplies(env.site.ID); len(after) != 3 {
		t.Errorf("after emptying Bob's: %+v", after)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
