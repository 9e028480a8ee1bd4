package store_test

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestCreateAgentIn: the agent and its memberships are stored together,
// or not at all.
func TestCreateAgentIn(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "a")
	mustCreateSite(t, d, "b")
	_, err := d.CreateAgentIn(parley.Agent{Email: "x@y", Name: "X"}, []byte("hash"), []string{"a", "missing"}, parley.SiteRoleAgent)
	wantCode(t, err, parley.ENotFound)
	if _, _, err := d.AgentByEmail("x@y"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("an agent was stored for a missing site: %v", err)
	}
	_, err = d.CreateAgentIn(parley.Agent{Email: "x@y", Name: "X"}, []byte("hash"), []string{"a"}, "boss")
	wantCode(t, err, parley.EInvalid)

	a, err := d.CreateAgentIn(parley.Agent{Email: " X@Y ", Name: "X"}, []byte("hash"), []string{"a", "b"}, parley.SiteRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if a.Email != "x@y" || a.Role != parley.AgentRoleAgent || a.ID == 0 {
		t.Errorf("agent %+v", a)
	}
	if ms := mustAgentSites(t, d, a.ID); len(ms) != 2 || ms[0].Role != parley.SiteRoleAdmin || ms[1].Role != parley.SiteRoleAdmin {
		t.Errorf("memberships %v", ms)
	}
	_, err = d.CreateAgentIn(parley.Agent{Email: "x@y", Name: "X again"}, []byte("hash"), []string{"a"}, parley.SiteRoleAgent)
	wantCode(t, err, parley.EConflict)
}

func TestCreateSiteOwned(t *testing.T) {
	d := openTestDB(t)
	ann := mustCreateAgent(t, d, "ann@x", parley.AgentRoleAdmin)
	wantCode(t, d.CreateSiteOwned(parley.Site{ID: "a", Name: "A"}, []uint64{ann.ID, 999}), parley.ENotFound)
	if _, err := d.Site("a"); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("a site was stored with a missing owner: %v", err)
	}
	if err := d.CreateSiteOwned(parley.Site{ID: "a", Name: "A"}, []uint64{ann.ID}); err != nil {
		t.Fatal(err)
	}
	if r, err := d.Role("a", ann.ID); err != nil || r != parley.SiteRoleOwner {
		t.Errorf("ann's role: %q %v", r, err)
	}
	wantCode(t, d.CreateSiteOwned(parley.Site{ID: "a", Name: "A"}, nil), parley.EConflict)
	wantCode(t, d.CreateSiteOwned(parley.Site{Name: "A"}, nil), parley.EInvalid)
}

// TestMembershipChanges: AddMember adds only; ChangeMemberRole and
// DropMember keep a site's last owner, and ask the guard first.
func TestMembershipChanges(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "a")
	ann := mustCreateAgent(t, d, "ann@x", parley.AgentRoleAdmin)
	bob := mustCreateAgent(t, d, "bob@x", parley.AgentRoleAgent)
	if err := d.AddMember("a", ann.ID, parley.SiteRoleOwner); err != nil {
		t.Fatal(err)
	}
	wantCode(t, d.AddMember("a", ann.ID, parley.SiteRoleAgent), parley.EConflict)
	wantCode(t, d.AddMember("a", 999, parley.SiteRoleAgent), parley.ENotFound)
	wantCode(t, d.AddMember("missing", bob.ID, parley.SiteRoleAgent), parley.ENotFound)
	wantCode(t, d.AddMember("a", bob.ID, "boss"), parley.EInvalid)
	if err := d.AddMember("a", bob.ID, parley.SiteRoleAgent); err != nil {
		t.Fatal(err)
	}

	wantCode(t, d.ChangeMemberRole("a", ann.ID, parley.SiteRoleAdmin, nil), parley.EConflict)
	wantCode(t, d.DropMember("a", ann.ID, nil), parley.EConflict)
	wantCode(t, d.ChangeMemberRole("a", 999, parley.SiteRoleAdmin, nil), parley.ENotFound)
	wantCode(t, d.DropMember("a", 999, nil), parley.ENotFound)
	refuse := func(current string) error {
		if current != parley.SiteRoleAgent {
			t.Errorf("the guard saw %q, want agent", current)
		}
		return parley.Errorf(parley.EForbidden, "no")
	}
	wantCode(t, d.ChangeMemberRole("a", bob.ID, parley.SiteRoleOwner, refuse), parley.EForbidden)
	wantCode(t, d.DropMember("a", bob.ID, refuse), parley.EForbidden)
	if r, _ := d.Role("a", bob.ID); r != parley.SiteRoleAgent {
		t.Errorf("bob's role after refusals: %q", r)
	}

	if err := d.ChangeMemberRole("a", bob.ID, parley.SiteRoleOwner, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.DropMember("a", ann.ID, nil); err != nil {
		t.Errorf("dropping one of two owners: %v", err)
	}
	team, err := d.SiteTeam("a")
	if err != nil || len(team) != 1 || team[0].ID != bob.ID || team[0].Role != parley.SiteRoleOwner || team[0].Email != "bob@x" {
		t.Errorf("team: %+v %v", team, err)
	}
	if _, err := d.SetAgentDisabled(bob.ID, true); err != nil {
		t.Fatal(err)
	}
	if team, _ := d.SiteTeam("a"); !team[0].Disabled {
		t.Errorf("team after disabling bob: %+v", team)
	}
	if ms := mustAgentSites(t, d, ann.ID); len(ms) != 0 {
		t.Errorf("ann's sites after the drop: %v", ms)
	}
}
