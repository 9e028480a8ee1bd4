package store_test

import (
	"bytes"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestAgents(t *testing.T) {
	d := openTestDB(t)

	if n, err := d.CountAgents(); err != nil || n != 0 {
		t.Fatalf("CountAgents on a new file: got %d, %v; want 0", n, err)
	}
	ann, err := d.CreateAgent(parley.Agent{Email: " Ann@Example.COM ", Name: "Ann", Role: parley.AgentRoleAdmin}, []byte("hash-ann"))
	if err != nil {
		t.Fatalf("CreateAgent: %v", err)
	}
	if ann.ID != 1 || ann.Email != "ann@example.com" || ann.Created.IsZero() {
		t.Errorf("CreateAgent: got %+v, want ID 1, lowercased email, Created set", ann)
	}
	bob, err := d.CreateAgent(parley.Agent{Email: "bob@example.com", Name: "Bob"}, []byte("hash-bob"))
	if err != nil {
		t.Fatalf("CreateAgent: %v", err)
	}
	if bob.ID != 2 || bob.Role != parley.AgentRoleAgent {
		t.Errorf("second agent: got %+v, want ID 2 and role %q", bob, parley.AgentRoleAgent)
	}

	_, err = d.CreateAgent(parley.Agent{Email: "ANN@example.com"}, nil)
	wantCode(t, err, parley.EConflict)
	_, err = d.CreateAgent(parley.Agent{Email: "  "}, nil)
	wantCode(t, err, parley.EInvalid)
	_, err = d.CreateAgent(parley.Agent{Email: "eve@example.com", Role: "root"}, nil)
	wantCode(t, err, parley.EInvalid)

	if n, err := d.CountAgents(); err != nil || n != 2 {
		t.Errorf("CountAgents: got %d, %v; want 2", n, err)
	}

	got, err := d.Agent(ann.ID)
	if err != nil {
		t.Fatalf("Agent: %v", err)
	}
	if got != ann {
		t.Errorf("Agent: got %+v, want %+v", got, ann)
	}
	_, err = d.Agent(99)
	wantCode(t, err, parley.ENotFound)

	got, hash, err := d.AgentByEmail("ANN@EXAMPLE.com")
	if err != nil {
		t.Fatalf("AgentByEmail: %v", err)
	}
	if got != ann || !bytes.Equal(hash, []byte("hash-ann")) {
		t.Errorf("AgentByEmail: got %+v %q, want %+v %q", got, hash, ann, "hash-ann")
	}
	_, _, err = d.AgentByEmail("nobody@example.com")
	wantCode(t, err, parley.ENotFound)

	if err := d.SetAgentPassword(ann.ID, []byte("new-hash")); err != nil {
		t.Fatalf("SetAgentPassword: %v", err)
	}
	if _, hash, _ := d.AgentByEmail("ann@example.com"); !bytes.Equal(hash, []byte("new-hash")) {
		t.Errorf("hash after SetAgentPassword: got %q, want %q", hash, "new-hash")
	}
	wantCode(t, d.SetAgentPassword(99, []byte("x")), parley.ENotFound)
}
