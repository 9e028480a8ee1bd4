package store_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func TestSessions(t *testing.T) {
	d := openTestDB(t)

	s := store.Session{
		TokenHash: randomHash(t),
		AgentID:   7,
		CSRF:      "csrf-token",
		Expires:   time.Now().Add(time.Hour).UTC().Truncate(time.Second),
	}
	if err := d.CreateSession(s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	wantCode(t, d.CreateSession(s), parley.EConflict)

	got, err := d.Session(s.TokenHash)
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	if !bytes.Equal(got.TokenHash, s.TokenHash) || got.AgentID != s.AgentID || got.CSRF != s.CSRF || !got.Expires.Equal(s.Expires) {
		t.Errorf("Session: got %+v, want %+v", got, s)
	}
	_, err = d.Session(randomHash(t))
	wantCode(t, err, parley.ENotFound)

	if err := d.DeleteSession(s.TokenHash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err = d.Session(s.TokenHash)
	wantCode(t, err, parley.ENotFound)
	if err := d.DeleteSession(s.TokenHash); err != nil {
		t.Errorf("DeleteSession twice: %v", err)
	}
}

func TestSessionExpired(t *testing.T) {
	d := openTestDB(t)

	s := store.Session{TokenHash: randomHash(t), AgentID: 1, Expires: time.Now().Add(-time.Second)}
	if err := d.CreateSession(s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	_, err := d.Session(s.TokenHash)
	wantCode(t, err, parley.ENotFound)
	// The expired session was deleted, so its hash is free again.
	if err := d.CreateSession(s); err != nil {
		t.Errorf("CreateSession after expiry: %v", err)
	}
}

func TestSessionsPurgedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	expired := store.Session{TokenHash: randomHash(t), AgentID: 1, Expires: time.Now().Add(-time.Second)}
	live := store.Session{TokenHash: randomHash(t), AgentID: 2, Expires: time.Now().Add(time.Hour)}
	for _, s := range []store.Session{expired, live} {
		if err := d.CreateSession(s); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	d = openTestDBAt(t, path, store.Options{})
	// Without purging, the expired hash would still be taken.
	if err := d.CreateSession(expired); err != nil {
		t.Errorf("CreateSession with a purged hash: %v", err)
	}
	wantCode(t, d.CreateSession(live), parley.EConflict)
}
