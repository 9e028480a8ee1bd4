package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// A site keeps some lists apart from its settings, one value per site in a
// bucket of their own (canned replies, FAQ entries): every widget page and
// hello reads the site, and these lists would weigh on both.

// siteList reads site's list in bucket into list (left empty when the site
// has none); a missing site is not_found.
func siteList[T any](tx *bolt.Tx, bucket []byte, site string, list *[]T) error {
	if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
		return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
	}
	if v := tx.Bucket(bucket).Get([]byte(site)); v != nil {
		return decode(v, list)
	}
	return nil
}

// putSiteList replaces site's list in bucket (an empty list deletes it);
// what names the list in errors. The caller read it with siteList in the
// same transaction, or checked the site exists.
func putSiteList[T any](tx *bolt.Tx, bucket []byte, site, what string, list []T) error {
	b := tx.Bucket(bucket)
	if len(list) == 0 {
		return b.Delete([]byte(site))
	}
	v, err := encode(list)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(site), v); err != nil {
		return fmt.Errorf("store: writing %s of %q: %w", what, site, err)
	}
	return nil
}
