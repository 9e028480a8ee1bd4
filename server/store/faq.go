package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// FAQStatDays is how many days of FAQ counters a site keeps.
const FAQStatDays = 30

// FAQ counters (RecordFAQ).
const (
	FAQShown = iota
	FAQHelpful
	FAQAsked
)

// FAQ returns site's FAQ entries as PutFAQ left them.
func (d *DB) FAQ(site string) ([]parley.FAQEntry, error) {
	var list []parley.FAQEntry
	err := d.view(func(tx *bolt.Tx) error { return siteList(tx, bucketFAQ, site, &list) })
	return list, err
}

// PutFAQ replaces site's FAQ entries; the caller has checked them
// (parley.CheckFAQ). The counters of entries no longer there stay until
// they age out.
func (d *DB) PutFAQ(site string, list []parley.FAQEntry) error {
	return d.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSites).Get([]byte(site)) == nil {
			return parley.Errorf(parley.ENotFound, "Site %q not found.", site)
		}
		return putSiteList(tx, bucketFAQ, site, "the FAQ", list)
	})
}

func faqStatPrefix(site string) []byte { return append([]byte(site), 0) }

func faqStatKey(site string, day time.Time, entry string) []byte {
	k := faqStatPrefix(site)
	k = append(k, day.UTC().Format("20060102")...)
	k = append(k, 0)
	return append(k, entry...)
}

// RecordFAQ adds one to counter (FAQShown, FAQHelpful or FAQAsked) of each
// of site's entries on day at, and drops the site's counters older than
// FAQStatDays.
func (d *DB) RecordFAQ(site string, at time.Time, counter int, entries ...string) error {
	if len(entries) == 0 || counter < FAQShown || counter > FAQAsked {
		return nil
	}
	return d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFAQStats)
		for _, e := range entries {
			k := faqStatKey(site, at, e)
			v := make([]byte, 12)
			copy(v, b.Get(k))
			n := binary.BigEndian.Uint32(v[4*counter:])
			binary.BigEndian.PutUint32(v[4*counter:], n+1)
			if err := b.Put(k, v); err != nil {
				return fmt.Errorf("store: writing FAQ counters: %w", err)
			}
		}
		cut := faqStatKey(site, at.AddDate(0, 0, -FAQStatDays), "")
		p := faqStatPrefix(site)
		c := b.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && bytes.Compare(k, cut) < 0; k, _ = c.Seek(p) {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// FAQStats sums site's counters per entry over the days kept, in no
// particular order.
func (d *DB) FAQStats(site string) ([]parley.FAQStat, error) {
	by := make(map[string]*parley.FAQStat)
	var out []parley.FAQStat
	err := d.view(func(tx *bolt.Tx) error {
		p := faqStatPrefix(site)
		c := tx.Bucket(bucketFAQStats).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			rest := k[len(p):]
			i := bytes.IndexByte(rest, 0)
			if i < 0 || len(v) != 12 {
				continue
			}
			e := string(rest[i+1:])
			s := by[e]
			if s == nil {
				s = &parley.FAQStat{Entry: e}
				by[e] = s
			}
			s.Shown += int(binary.BigEndian.Uint32(v[0:]))
			s.Helpful += int(binary.BigEndian.Uint32(v[4:]))
			s.Asked += int(binary.BigEndian.Uint32(v[8:]))
		}
		return nil
	})
	for _, s := range by {
		out = append(out, *s)
	}
	return out, err
}
