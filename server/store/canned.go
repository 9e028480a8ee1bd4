package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// CannedReplies returns all of site's canned replies, as PutCannedReplies
// left them.
func (d *DB) CannedReplies(site string) ([]parley.CannedReply, error) {
	var list []parley.CannedReply
	err := d.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		if v := tx.Bucket(bucketCanned).Get([]byte(site)); v != nil {
			return decode(v, &list)
		}
		return nil
	})
	return list, err
}

// PutCannedReplies replaces site's canned replies; the caller has checked
// them (parley.CheckCannedReplies). Settings change rarely: this is a
// transaction of its own, not a commit of the message path.
func (d *DB) PutCannedReplies(site string, list []parley.CannedReply) error {
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		b := tx.Bucket(bucketCanned)
		if len(list) == 0 {
			return b.Delete([]byte(site))
		}
		v, err := encode(list)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(site), v); err != nil {
			return fmt.Errorf("store: writing canned replies of %q: %w", site, err)
		}
		return nil
	})
}
