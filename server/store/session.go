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
		// Checked here, in the transaction, so that a login racing with
		// SetAgentDisabled cannot leave a session behind it.
		if v := tx.Bucket(bucketAgents).Get(u64(s.AgentID)); v != nil {
			var r agentRecord
			if err := decode(v, &r); err != nil {
				return err
			}
			if r.Disabled {
				return parley.Errorf(parley.EUnauthorized, "This agent is disabled.")
			}
		}
		b := tx.Bucket(bucketSessions)
		if b.Get(s.TokenHash) != nil {
			return parley.Errorf(parley.EConflict, "Session exists.")
		}
		if err := b.Put(s.TokenHash, v); err != nil {
			return fmt.Errorf("store: writing session: %w", err)
		}
		if err := tx.Bucket(bucketAgentSessions).Put(agentSessionKey(s.AgentID, s.TokenHash), nil); err != nil {
			return fmt.Errorf("store: indexing session: %w", err)
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
		return deleteSession(tx, tokenHash)
	})
}

// DeleteAgentSessions removes every session of an agent but the one whose
// token hash is except (nil: every one), and returns the token hashes it
// removed, so that the sockets opened with them can be closed.
func (d *DB) DeleteAgentSessions(agentID uint64, except []byte) ([][]byte, error) {
	var deleted [][]byte
	err := d.update(func(tx *bolt.Tx) (err error) {
		deleted, err = deleteAgentSessions(tx, agentID, except)
		return err
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// ChangeAgentPassword replaces an agent's password hash and, in the same
// transaction, removes every other session of the agent (all of them when
// keep is nil): a stolen session must not outlive the password it was
// opened with. It returns the token hashes of the sessions removed.
func (d *DB) ChangeAgentPassword(agentID uint64, hash, keep []byte) ([][]byte, error) {
	var deleted [][]byte
	err := d.update(func(tx *bolt.Tx) error {
		r, err := agent(tx, agentID)
		if err != nil {
			return err
		}
		r.PasswordHash = hash
		if err := putAgent(tx, r); err != nil {
			return err
		}
		deleted, err = deleteAgentSessions(tx, agentID, keep)
		return err
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// AgentSessionCount is how many sessions an agent has, expired ones
// included until they are purged.
func (d *DB) AgentSessionCount(agentID uint64) (int, error) {
	n := 0
	err := d.view(func(tx *bolt.Tx) error {
		prefix := u64(agentID)
		c := tx.Bucket(bucketAgentSessions).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// agentSessionKey is a key of bucketAgentSessions.
func agentSessionKey(agentID uint64, tokenHash []byte) []byte {
	return append(u64(agentID), tokenHash...)
}

func deleteSession(tx *bolt.Tx, tokenHash []byte) error {
	b := tx.Bucket(bucketSessions)
	v := b.Get(tokenHash)
	if v == nil {
		return nil
	}
	var r sessionRecord
	if err := decode(v, &r); err != nil {
		return err
	}
	if err := b.Delete(tokenHash); err != nil {
		return fmt.Errorf("store: deleting session: %w", err)
	}
	if err := tx.Bucket(bucketAgentSessions).Delete(agentSessionKey(r.AgentID, tokenHash)); err != nil {
		return fmt.Errorf("store: deleting session: %w", err)
	}
	return nil
}

func deleteAgentSessions(tx *bolt.Tx, agentID uint64, except []byte) ([][]byte, error) {
	prefix := u64(agentID)
	var hashes [][]byte
	c := tx.Bucket(bucketAgentSessions).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if h := k[len(prefix):]; except == nil || !bytes.Equal(h, except) {
			hashes = append(hashes, bytes.Clone(h))
		}
	}
	// Deleting while iterating would skip keys.
	for _, h := range hashes {
		if err := tx.Bucket(bucketSessions).Delete(h); err != nil {
			return nil, fmt.Errorf("store: deleting session: %w", err)
		}
		if err := tx.Bucket(bucketAgentSessions).Delete(agentSessionKey(agentID, h)); err != nil {
			return nil, fmt.Errorf("store: deleting session: %w", err)
		}
	}
	return hashes, nil
}

// purgeSessions deletes expired sessions. Session deletes the ones it meets;
// this catches those nobody asks for again.
func (d *DB) purgeSessions() (int, error) {
	n := 0
	t := time.Now()
	err := d.update(func(tx *bolt.Tx) error {
		var expired [][]byte
		err := tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
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
			if err := deleteSession(tx, k); err != nil {
				return err
			}
		}
		n = len(expired)
		return nil
	})
	return n, err
}

// indexAgentSessions takes schema 3 to schema 4: bucketAgentSessions,
// created empty by Open, gets an entry for every stored session.
func indexAgentSessions(tx *bolt.Tx) error {
	index := tx.Bucket(bucketAgentSessions)
	return tx.Bucket(bucketSessions).ForEach(func(k, v []byte) error {
		var r sessionRecord
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("session %x: %w", k, err)
		}
		return index.Put(agentSessionKey(r.AgentID, k), nil)
	})
}
