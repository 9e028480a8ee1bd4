package store_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func mustCreateSession(tb testing.TB, d *store.DB, agent uint64, expires time.Time) store.Session {
	tb.Helper()
	s := store.Session{TokenHash: randomHash(tb), AgentID: agent, CSRF: "c", Expires: expires}
	if err := d.CreateSession(s); err != nil {
		tb.Fatalf("CreateSession: %v", err)
	}
	return s
}

func sessionCount(tb testing.TB, d *store.DB, agent uint64) int {
	tb.Helper()
	n, err := d.AgentSessionCount(agent)
	if err != nil {
		tb.Fatalf("AgentSessionCount(%d): %v", agent, err)
	}
	return n
}

func wantSession(tb testing.TB, d *store.DB, s store.Session, alive bool) {
	tb.Helper()
	_, err := d.Session(s.TokenHash)
	if alive && err != nil {
		tb.Errorf("session of agent %d: %v, want it alive", s.AgentID, err)
	}
	if !alive && parley.ErrorCode(err) != parley.ENotFound {
		tb.Errorf("session of agent %d: %v, want not_found", s.AgentID, err)
	}
}

func TestDeleteAgentSessions(t *testing.T) {
	d := openTestDB(t)
	later := time.Now().Add(time.Hour)
	// Agent ids whose big-endian keys could be confused by a sloppy prefix
	// scan: 1 and 256.
	a1, a2, a3 := mustCreateSession(t, d, 1, later), mustCreateSession(t, d, 1, later), mustCreateSession(t, d, 1, later)
	other := mustCreateSession(t, d, 256, later)
	if got := sessionCount(t, d, 1); got != 3 {
		t.Fatalf("agent 1 has %d sessions, want 3", got)
	}

	deleted, err := d.DeleteAgentSessions(1, a2.TokenHash)
	if err != nil {
		t.Fatalf("DeleteAgentSessions: %v", err)
	}
	if len(deleted) != 2 || !containsHash(deleted, a1.TokenHash) || !containsHash(deleted, a3.TokenHash) {
		t.Errorf("deleted %x, want a1 and a3", deleted)
	}
	wantSession(t, d, a1, false)
	wantSession(t, d, a2, true)
	wantSession(t, d, a3, false)
	wantSession(t, d, other, true)
	if got := sessionCount(t, d, 1); got != 1 {
		t.Errorf("agent 1 has %d sessions after revoking, want 1", got)
	}

	// Without an exception every one goes; an agent without sessions is no error.
	if deleted, err = d.DeleteAgentSessions(1, nil); err != nil || len(deleted) != 1 || !bytes.Equal(deleted[0], a2.TokenHash) {
		t.Errorf("DeleteAgentSessions(all): %x, %v", deleted, err)
	}
	if deleted, err = d.DeleteAgentSessions(1, nil); err != nil || len(deleted) != 0 {
		t.Errorf("DeleteAgentSessions with none left: %x, %v", deleted, err)
	}
	wantSession(t, d, other, true)

	// DeleteSession and expiry keep the index in step.
	if err := d.DeleteSession(other.TokenHash); err != nil {
		t.Fatal(err)
	}
	expired := mustCreateSession(t, d, 256, time.Now().Add(-time.Second))
	wantSession(t, d, expired, false)
	if got := sessionCount(t, d, 256); got != 0 {
		t.Errorf("agent 256 has %d indexed sessions after logout and expiry, want 0", got)
	}
}

func containsHash(hs [][]byte, h []byte) bool {
	for _, x := range hs {
		if bytes.Equal(x, h) {
			return true
		}
	}
	return false
}

func TestChangeAgentPassword(t *testing.T) {
	d := openTestDB(t)
	ann := mustCreateAgent(t, d, "ann@x", parley.AgentRoleAgent)
	bob := mustCreateAgent(t, d, "bob@x", parley.AgentRoleAgent)
	later := time.Now().Add(time.Hour)
	keep, drop := mustCreateSession(t, d, ann.ID, later), mustCreateSession(t, d, ann.ID, later)
	bobs := mustCreateSession(t, d, bob.ID, later)

	deleted, err := d.ChangeAgentPassword(ann.ID, []byte("new hash"), keep.TokenHash)
	if err != nil {
		t.Fatalf("ChangeAgentPassword: %v", err)
	}
	if len(deleted) != 1 || !bytes.Equal(deleted[0], drop.TokenHash) {
		t.Errorf("deleted %x, want the other session", deleted)
	}
	if _, hash, _ := d.AgentByEmail("ann@x"); string(hash) != "new hash" {
		t.Errorf("hash after change: %q", hash)
	}
	wantSession(t, d, keep, true)
	wantSession(t, d, drop, false)
	wantSession(t, d, bobs, true)

	// A missing agent changes nothing.
	_, err = d.ChangeAgentPassword(999, []byte("x"), nil)
	wantCode(t, err, parley.ENotFound)
}

// TestSetAgentDisabled: disabling ends every session of the agent and no
// new one can be made until it is enabled again; other agents are untouched.
func TestSetAgentDisabled(t *testing.T) {
	d := openTestDB(t)
	ann := mustCreateAgent(t, d, "ann@x", parley.AgentRoleAgent)
	bob := mustCreateAgent(t, d, "bob@x", parley.AgentRoleAgent)
	later := time.Now().Add(time.Hour)
	s1, s2 := mustCreateSession(t, d, ann.ID, later), mustCreateSession(t, d, ann.ID, later)
	bobs := mustCreateSession(t, d, bob.ID, later)

	deleted, err := d.SetAgentDisabled(ann.ID, true)
	if err != nil {
		t.Fatalf("SetAgentDisabled: %v", err)
	}
	if len(deleted) != 2 || !containsHash(deleted, s1.TokenHash) || !containsHash(deleted, s2.TokenHash) {
		t.Errorf("deleted %x, want both sessions of ann", deleted)
	}
	wantSession(t, d, s1, false)
	wantSession(t, d, s2, false)
	wantSession(t, d, bobs, true)
	if off, err := d.AgentDisabled(ann.ID); err != nil || !off {
		t.Errorf("AgentDisabled(ann) = %v, %v; want true", off, err)
	}
	if off, err := d.AgentDisabled(bob.ID); err != nil || off {
		t.Errorf("AgentDisabled(bob) = %v, %v; want false", off, err)
	}
	err = d.CreateSession(store.Session{TokenHash: randomHash(t), AgentID: ann.ID, CSRF: "c", Expires: later})
	wantCode(t, err, parley.EUnauthorized)

	if _, err := d.SetAgentDisabled(ann.ID, false); err != nil {
		t.Fatalf("enable: %v", err)
	}
	mustCreateSession(t, d, ann.ID, later)
	if off, _ := d.AgentDisabled(ann.ID); off {
		t.Error("ann still disabled after enabling")
	}
	_, err = d.SetAgentDisabled(999, true)
	wantCode(t, err, parley.ENotFound)
}

// TestMigrateAgentSessions: a schema 3 file has sessions but no index of
// them; after the upgrade revoking an agent's sessions finds every one.
func TestMigrateAgentSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour).UTC()
	hashes := map[uint64][][]byte{1: {randomHash(t), randomHash(t)}, 2: {randomHash(t)}}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		if err := meta.Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 3)); err != nil {
			return err
		}
		sessions, err := tx.CreateBucket([]byte("sessions"))
		if err != nil {
			return err
		}
		for agent, hs := range hashes {
			for _, h := range hs {
				v, _ := json.Marshal(map[string]any{"agentId": agent, "csrf": "c", "expires": later})
				if err := sessions.Put(h, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	d := openTestDBAt(t, path, store.Options{})
	if got := sessionCount(t, d, 1); got != 2 {
		t.Errorf("agent 1 has %d indexed sessions, want 2", got)
	}
	if got := sessionCount(t, d, 2); got != 1 {
		t.Errorf("agent 2 has %d indexed sessions, want 1", got)
	}
	deleted, err := d.DeleteAgentSessions(1, hashes[1][0])
	if err != nil || len(deleted) != 1 || !bytes.Equal(deleted[0], hashes[1][1]) {
		t.Errorf("DeleteAgentSessions after migration: %x, %v", deleted, err)
	}
	if _, err := d.Session(hashes[2][0]); err != nil {
		t.Errorf("agent 2's session after migration: %v", err)
	}
}
