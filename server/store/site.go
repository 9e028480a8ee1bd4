package store

import (
	"fmt"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// CreateSite stores a new site; its ID is chosen by the caller.
func (d *DB) CreateSite(s parley.Site) error {
	if s.ID == "" {
		return parley.Errorf(parley.EInvalid, "A site needs an id.")
	}
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(s.ID)) != nil {
			return parley.Errorf(parley.EConflict, "Site %q already exists.", s.ID)
		}
		return putSite(tx, s)
	})
}

// Site returns the site with the given id.
func (d *DB) Site(id string) (parley.Site, error) {
	var s parley.Site
	err := d.view(func(tx *bolt.Tx) (err error) {
		s, err = site(tx, id)
		return err
	})
	return s, err
}

// Sites returns every site, sorted by ID.
func (d *DB) Sites() ([]parley.Site, error) {
	var sites []parley.Site
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSites).ForEach(func(_, v []byte) error {
			var s parley.Site
			if err := decode(v, &s); err != nil {
				return err
			}
			sites = append(sites, s)
			return nil
		})
	})
	return sites, err
}

// PutSite replaces an existing site.
func (d *DB) PutSite(s parley.Site) error {
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(s.ID)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", s.ID)
		}
		return putSite(tx, s)
	})
}

func site(tx *bolt.Tx, id string) (parley.Site, error) {
	var s parley.Site
	v := tx.Bucket(bucketSites).Get([]byte(id))
	if v == nil {
		return s, parley.Errorf(parley.ENotFound, "Site %q not found.", id)
	}
	return s, decode(v, &s)
}

func putSite(tx *bolt.Tx, s parley.Site) error {
	v, err := encode(s)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketSites).Put([]byte(s.ID), v); err != nil {
		return fmt.Errorf("store: writing site %q: %w", s.ID, err)
	}
	return nil
}
