package store

import (
	"bytes"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Session is an agent's login. The cookie holds a random token; only its
// SHA-256 is stored, so a copy of the file does not log anyone in.
type Session struct {
	TokenHash []byte
	AgentID   uint64
	CSRF      string
	Expires   time.Time
}

type sessionRecord struct {
	AgentID uint64    `json:"agentId"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

// CreateSession stores a session.
func (d *DB) CreateSession(s Session) error {
	if len(s.TokenHash) == 0 {
		return parley.Errorf(parley.EInvalid, "A session needs a token hash.")
	}
	v, err := encode(sessionRecord{AgentID: s.AgentID, CSRF: s.CSRF, Expires: s.Expires})
	if err != nil {
		return err
	}
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b.Get(s.TokenHash) != nil {
			return parley.Errorf(parley.EConflict, "Session exists.")
		}
		if err := b.Put(s.TokenHash, v); err != nil {
			return fmt.Errorf("store: writing session: %w", err)
		}
		return nil
	})
}

// Session returns the unexpired session with the given token hash. An
// expired session is deleted.
func (d *DB) Session(tokenHash []byte) (Session, error) {
	var r sessionRecord
	var found bool
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(tokenHash)
		if v == nil {
			return nil
		}
		found = true
		return decode(v, &r)
	})
	if err != nil {
		return Session{}, err
	}
	notFound := parley.Errorf(parley.ENotFound, "Session not found or expired.")
	if !found {
		return Session{}, notFound
	}
	if !time.Now().Before(r.Expires) {
		if err := d.DeleteSession(tokenHash); err != nil {
			return Session{}, err
		}
		return Session{}, notFound
	}
	return Session{
		TokenHash: bytes.Clone(tokenHash),
		AgentID:   r.AgentID,
		CSRF:      r.CSRF,
		Expires:   r.Expires,
	}, nil
}

// DeleteSession removes a session; removing a missing one is not an error,
// so logging out twice is harmless.
func (d *DB) DeleteSession(tokenHash []byte) error {
	return d.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Delete(tokenHash); err != nil {
			return fmt.Errorf("store: deleting session: %w", err)
		}
		return nil
	})
}

// purgeSessions deletes expired sessions. Session deletes the ones it meets;
// this catches those nobody asks for again.
func (d *DB) purgeSessions() (int, error) {
	n := 0
	t := time.Now()
	err := d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var expired [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var r sessionRecord
			if err := decode(v, &r); err != nil {
				return err
			}
			if !t.Before(r.Expires) {
				expired = append(expired, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Deleting while iterating would skip keys.
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("store: deleting session: %w", err)
			}
		}
		n = len(expired)
		return nil
	})
	return n, err
}
