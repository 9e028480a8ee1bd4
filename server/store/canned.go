package store

import (
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// CannedReplies returns all of site's canned replies, as PutCannedReplies
// left them.
func (d *DB) CannedReplies(site string) ([]parley.CannedReply, error) {
	var list []parley.CannedReply
	err := d.view(func(tx *bolt.Tx) error { return siteList(tx, bucketCanned, site, &list) })
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
		return putSiteList(tx, bucketCanned, site, "canned replies", list)
	})
}

// PutOwnCannedReplies replaces agent's private canned replies on site
// with own (checked by the caller: parley.CheckOwnCannedReplies), leaving
// everyone else's as they are, and returns own as stored. The site keeps
// at most parley.MaxCannedReplies in all.
func (d *DB) PutOwnCannedReplies(site string, agent uint64, own []parley.CannedReply) ([]parley.CannedReply, error) {
	err := d.update(func(tx *bolt.Tx) error {
		var list []parley.CannedReply
		if err := siteList(tx, bucketCanned, site, &list); err != nil {
			return err
		}
		out := make([]parley.CannedReply, 0, len(list)+len(own))
		for _, r := range list {
			if r.Agent != agent {
				out = append(out, r)
			}
		}
		out = append(out, own...)
		if len(out) > parley.MaxCannedReplies {
			return parley.Errorf(parley.ETooLarge, "The site has %d canned replies with yours; the limit is %d.", len(out), parley.MaxCannedReplies)
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Shortcut < out[j].Shortcut })
		return putSiteList(tx, bucketCanned, site, "canned replies", out)
	})
	if err != nil {
		return nil, err
	}
	return own, nil
}
