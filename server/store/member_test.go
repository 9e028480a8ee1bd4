package store_test

import (
	"fmt"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func mustCreateAgent(tb testing.TB, d *store.DB, email, role string) parley.Agent {
	tb.Helper()
	a, err := d.CreateAgent(parley.Agent{Email: email, Name: email, Role: role}, []byte("hash"))
	if err != nil {
		tb.Fatalf("CreateAgent(%s): %v", email, err)
	}
	return a
}

func TestMembers(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "a")
	mustCreateSite(t, d, "b")
	ann := mustCreateAgent(t, d, "ann@x", parley.AgentRoleAgent)
	bob := mustCreateAgent(t, d, "bob@x", parley.AgentRoleAgent)

	if _, err := d.Role("a", ann.ID); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("role before any membership: %v, want not_found", err)
	}
	for _, m := range []parley.Member{
		{Site: "a", Agent: ann.ID, Role: parley.SiteRoleOwner},
		{Site: "b", Agent: ann.ID, Role: parley.SiteRoleAgent},
		{Site: "a", Agent: bob.ID, Role: parley.SiteRoleAgent},
	} {
		if err := d.SetMember(m.Site, m.Agent, m.Role); err != nil {
			t.Fatalf("SetMember(%+v): %v", m, err)
		}
	}
	if err := d.SetMember("a", bob.ID, parley.SiteRoleAdmin); err != nil { // a change of role
		t.Fatal(err)
	}
	if got := fmt.Sprint(mustAgentSites(t, d, ann.ID)); got != fmt.Sprintf("[{a %d owner} {b %d agent}]", ann.ID, ann.ID) {
		t.Errorf("ann's sites: %s", got)
	}
	if got := fmt.Sprint(mustAgentSites(t, d, bob.ID)); got != fmt.Sprintf("[{a %d admin}]", bob.ID) {
		t.Errorf("bob's sites: %s", got)
	}
	ms, err := d.SiteMembers("a")
	if err != nil || fmt.Sprint(ms) != fmt.Sprintf("[{a %d owner} {a %d admin}]", ann.ID, bob.ID) {
		t.Errorf("members of a: %v, %v", ms, err)
	}
	if role, err := d.Role("b", ann.ID); err != nil || role != parley.SiteRoleAgent {
		t.Errorf("ann's role on b: %q, %v", role, err)
	}

	if err := d.RemoveMember("b", ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Role("b", ann.ID); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("role after removal: %v", err)
	}
	if ms, _ := d.SiteMembers("b"); len(ms) != 0 {
		t.Errorf("members of b after removal: %v", ms)
	}

	// Bad input changes nothing.
	for _, tc := range []struct {
		site  string
		agent uint64
		role  string
		code  string
	}{
		{"a", ann.ID, "superuser", parley.EInvalid},
		{"a", ann.ID, "", parley.EInvalid},
		{"nope", ann.ID, parley.SiteRoleAgent, parley.ENotFound},
		{"a", 999, parley.SiteRoleAgent, parley.ENotFound},
	} {
		if err := d.SetMember(tc.site, tc.agent, tc.role); parley.ErrorCode(err) != tc.code {
			t.Errorf("SetMember(%q, %d, %q): %v, want %s", tc.site, tc.agent, tc.role, err, tc.code)
		}
	}
	if role, _ := d.Role("a", ann.ID); role != parley.SiteRoleOwner {
		t.Errorf("a refused change changed ann's role to %q", role)
	}
	// Site ids that prefix each other stay apart.
	mustCreateSite(t, d, "ab")
	if err := d.SetMember("ab", bob.ID, parley.SiteRoleAgent); err != nil {
		t.Fatal(err)
	}
	if ms, _ := d.SiteMembers("a"); len(ms) != 2 {
		t.Errorf("members of a after adding one to ab: %v", ms)
	}
}

func mustAgentSites(tb testing.TB, d *store.DB, agent uint64) []parley.Member {
	tb.Helper()
	ms, err := d.AgentSites(agent)
	if err != nil {
		tb.Fatalf("AgentSites(%d): %v", agent, err)
	}
	return ms
}

// TestMigrateMemberships: before memberships every agent saw every site,
// and nobody loses sight of one by the upgrade.
func TestMigrateMemberships(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	writeSchema1(t, path, 3, 2)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		s := schema1{t, tx}
		s.put("sites", []byte("other"), parley.Site{ID: "other", Name: "Other"})
		for _, a := range []parley.Agent{{ID: 1, Email: "boss@x", Role: parley.AgentRoleAdmin}, {ID: 2, Email: "ann@x", Role: parley.AgentRoleAgent}} {
			s.put("agents", be(a.ID), map[string]any{"agent": a, "passwordHash": []byte("h")})
			s.put("agent_emails", []byte(a.Email), be(a.ID))
		}
		return tx.Bucket([]byte("agents")).SetSequence(2)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	d := openTestDBAt(t, path, store.Options{})
	if got := fmt.Sprint(mustAgentSites(t, d, 1)); got != "[{other 1 owner} {shop 1 owner}]" {
		t.Errorf("the admin's sites: %s", got)
	}
	if got := fmt.Sprint(mustAgentSites(t, d, 2)); got != "[{other 2 agent} {shop 2 agent}]" {
		t.Errorf("the agent's sites: %s", got)
	}
}
