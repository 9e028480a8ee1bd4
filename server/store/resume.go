package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// Resume links: a signed link from an email makes the device that opens
// it one more device of the conversation's visitor, once. The signature is
// checked by the caller; the store keeps which links were used, so that a
// second use is refused even after a restart, and adds the new device's
// token in the same transaction.

// ResumeUse is one use of a resume link.
type ResumeUse struct {
	// MAC is the link's signature: what tells one link from another.
	MAC []byte
	// Expires is the link's expiry, as it says.
	Expires time.Time
	// Site and Visitor are whom the link makes the device: the visitor
	// must be of the site.
	Site    string
	Visitor uint64
	// TokenHash is the hash of the new device's visitor token.
	TokenHash []byte
}

// maxResumeMAC bounds a link's MAC; maxResumeSweep the used links past
// their expiry that one use deletes.
const (
	maxResumeMAC   = 64
	maxResumeSweep = 32
)

func resumeKey(mac []byte, expires time.Time) []byte {
	return append(u64(uint64(max(expires.Unix(), 0))), mac...)
}

// UseResume marks the link of u used and makes u.TokenHash a token of
// u.Visitor, in one transaction, and returns the visitor. A link used
// before → EConflict, changing nothing; a visitor not of u.Site →
// ENotFound. It also forgets a few used links past their expiry: an
// expired link is refused by its signature's date, whoever asks.
func (d *DB) UseResume(ctx context.Context, u ResumeUse) (parley.Visitor, error) {
	if len(u.MAC) == 0 || len(u.MAC) > maxResumeMAC || len(u.TokenHash) == 0 {
		return parley.Visitor{}, parley.Errorf(parley.EInvalid, "A resume link needs its MAC and a token hash.")
	}
	var v parley.Visitor
	err := d.do(ctx, func(b *batch) error {
		used := b.tx.Bucket(bucketResumeUsed)
		key := resumeKey(u.MAC, u.Expires)
		if used.Get(key) != nil {
			return parley.Errorf(parley.EConflict, "This link was already used.")
		}
		r, err := visitor(b.visitors, u.Visitor)
		if parley.ErrorCode(err) == parley.ENotFound || err == nil && r.Visitor.Site != u.Site {
			return parley.Errorf(parley.ENotFound, "Unknown visitor.")
		} else if err != nil {
			return err
		}
		tokens := b.tx.Bucket(bucketVisitorTokens)
		if tokens.Get(u.TokenHash) != nil {
			return parley.Errorf(parley.EConflict, "Visitor token is taken.")
		}
		if err := sweepResumeUsed(used, b.now); err != nil {
			return err
		}
		if err := used.Put(key, u64(u.Visitor)); err != nil {
			return fmt.Errorf("store: marking a resume link used: %w", err)
		}
		if err := tokens.Put(u.TokenHash, u64(u.Visitor)); err != nil {
			return fmt.Errorf("store: indexing visitor token: %w", err)
		}
		v = r.Visitor
		return nil
	}, nil)
	if err != nil {
		return parley.Visitor{}, err
	}
	return v, nil
}

// sweepResumeUsed deletes up to maxResumeSweep used links that expired
// before now: keys begin with the expiry, so they are the first ones.
func sweepResumeUsed(used *bolt.Bucket, now time.Time) error {
	limit := u64(uint64(max(now.Unix(), 0)))
	var old [][]byte
	c := used.Cursor()
	for k, _ := c.First(); k != nil && len(old) < maxResumeSweep && bytes.Compare(k[:min(len(k), 8)], limit) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := used.Delete(k); err != nil {
			return fmt.Errorf("store: forgetting a used resume link: %w", err)
		}
	}
	return nil
}

// ResumeUsed reports whether the link with this MAC and expiry was used.
func (d *DB) ResumeUsed(mac []byte, expires time.Time) (bool, error) {
	var used bool
	err := d.view(func(tx *bolt.Tx) error {
		used = tx.Bucket(bucketResumeUsed).Get(resumeKey(mac, expires)) != nil
		return nil
	})
	return used, err
}
