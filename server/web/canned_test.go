package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
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
	if got := fmt.Sprint(stored); got != "[{discount 10% off with SALES10 sales 0} {sign — Ann  1} {sign — Bob  2} {thanks Thanks {{contact.name}}!  0}]" {
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
