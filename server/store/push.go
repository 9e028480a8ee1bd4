package store

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// PushSub is one of an agent's Web Push subscriptions.
type PushSub struct {
	parley.PushSubscription
	Created time.Time `json:"created"`
}

// PushAgent is an agent's Web Push record: its subscriptions, oldest
// first, and its preferences.
type PushAgent struct {
	Agent uint64           `json:"agent"`
	Prefs parley.PushPrefs `json:"prefs"`
	Subs  []PushSub        `json:"subs,omitempty"`
}

// PushAgent returns agent id's record; one with the default preferences
// and no subscription when it has none.
func (d *DB) PushAgent(id uint64) (PushAgent, error) {
	var p PushAgent
	err := d.view(func(tx *bolt.Tx) (err error) {
		p, err = getPushAgent(tx, id)
		return err
	})
	return p, err
}

// PushAgents returns the records of every agent with a subscription.
func (d *DB) PushAgents() ([]PushAgent, error) {
	var out []PushAgent
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPush).ForEach(func(k, v []byte) error {
			var p PushAgent
			if err := decode(v, &p); err != nil {
				return fmt.Errorf("store: push record of agent %d: %w", be64(k), err)
			}
			if len(p.Subs) > 0 {
				out = append(out, p)
			}
			return nil
		})
	})
	return out, err
}

// AddPushSubscription adds s to agent's subscriptions, or renews it when
// its endpoint is there already (the keys may have changed). Past
// parley.MaxPushSubscriptions, the oldest goes.
func (d *DB) AddPushSubscription(ctx context.Context, agent uint64, s parley.PushSubscription) (PushAgent, error) {
	// The shape only: which endpoints to take is the server's policy.
	if err := s.Check(true); err != nil {
		return PushAgent{}, err
	}
	return d.updatePush(ctx, agent, func(p *PushAgent, now time.Time) bool {
		subs := p.Subs[:0]
		for _, old := range p.Subs {
			if old.Endpoint != s.Endpoint {
				subs = append(subs, old)
			}
		}
		subs = append(subs, PushSub{PushSubscription: s, Created: now})
		if n := len(subs) - parley.MaxPushSubscriptions; n > 0 {
			subs = subs[n:]
		}
		p.Subs = subs
		return true
	})
}

// RemovePushSubscription removes agent's subscription at endpoint; false
// when the agent has none there (another agent's is never touched).
func (d *DB) RemovePushSubscription(ctx context.Context, agent uint64, endpoint string) (PushAgent, bool, error) {
	var found bool
	p, err := d.updatePush(ctx, agent, func(p *PushAgent, _ time.Time) bool {
		subs := p.Subs[:0]
		for _, old := range p.Subs {
			if old.Endpoint == endpoint {
				found = true
				continue
			}
			subs = append(subs, old)
		}
		p.Subs = subs
		return found
	})
	return p, found, err
}

// SetPushPrefs sets agent's preferences.
func (d *DB) SetPushPrefs(ctx context.Context, agent uint64, prefs parley.PushPrefs) (PushAgent, error) {
	return d.updatePush(ctx, agent, func(p *PushAgent, _ time.Time) bool {
		p.Prefs = prefs
		return true
	})
}

// updatePush changes agent's record with fn, which says whether it
// changed anything, through the committer. A record back to the defaults
// is deleted.
func (d *DB) updatePush(ctx context.Context, agent uint64, fn func(p *PushAgent, now time.Time) bool) (PushAgent, error) {
	if agent == 0 {
		return PushAgent{}, parley.Errorf(parley.EInvalid, "Name the agent.")
	}
	var out PushAgent
	err := d.do(ctx, func(b *batch) error {
		p, err := getPushAgent(b.tx, agent)
		if err != nil {
			return err
		}
		if !fn(&p, b.now) {
			out = p
			return nil
		}
		bk := b.tx.Bucket(bucketPush)
		if len(p.Subs) == 0 && p.Prefs == parley.DefaultPushPrefs {
			err = bk.Delete(u64(agent))
		} else {
			var v []byte
			if v, err = encode(&p); err == nil {
				err = bk.Put(u64(agent), v)
			}
		}
		if err != nil {
			return fmt.Errorf("store: push record of agent %d: %w", agent, err)
		}
		out = p
		return nil
	}, nil)
	return out, err
}

func getPushAgent(tx *bolt.Tx, agent uint64) (PushAgent, error) {
	p := PushAgent{Agent: agent, Prefs: parley.DefaultPushPrefs}
	if v := tx.Bucket(bucketPush).Get(u64(agent)); v != nil {
		if err := decode(v, &p); err != nil {
			return p, fmt.Errorf("store: push record of agent %d: %w", agent, err)
		}
	}
	return p, nil
}

// VAPIDKey returns the install's VAPID key (RFC 8292), the P-256 key that
// signs its pushes: made at its first use and kept in the meta bucket.
// Push services tie a subscription to its public half, so it must never
// change; the private half never leaves the server.
func (d *DB) VAPIDKey() (*ecdh.PrivateKey, error) {
	key := []byte("vapid-key")
	var raw []byte
	err := d.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(key); v != nil {
			raw = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if raw == nil {
		err = d.update(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if v := meta.Get(key); v != nil { // made meanwhile
				raw = append([]byte(nil), v...)
				return nil
			}
			k, err := ecdh.P256().GenerateKey(rand.Reader)
			if err != nil {
				return fmt.Errorf("store: making the VAPID key: %w", err)
			}
			raw = k.Bytes()
			return meta.Put(key, raw)
		})
		if err != nil {
			return nil, err
		}
	}
	k, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("store: the VAPID key: %w", err)
	}
	return k, nil
}
