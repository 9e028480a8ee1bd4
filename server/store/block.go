package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// Block is a visitor, or an address, that an agent has barred from
// writing to a site until a time.
type Block struct {
	Site string `json:"site"`
	// Visitor is the visitor blocked or, for an address block, the visitor
	// whose address it is: lifting that visitor's block lifts both.
	Visitor uint64 `json:"visitor"`
	// Address, when set, makes this an address block: the client address
	// as the server throttles it, an IPv4 address or an IPv6 /64
	// ("203.0.113.7/32", "2001:db8::/64").
	Address string    `json:"address,omitempty"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason,omitempty"`
	By      uint64    `json:"by"` // the agent
	At      time.Time `json:"at"`
}

// Blocks are rare (an agent's action each) and written through their own
// transaction; expired ones are swept from the site at each write.

func blockKey(b Block) []byte {
	k := append([]byte(b.Site), 0)
	if b.Address != "" {
		return append(append(k, 'a'), b.Address...)
	}
	return binary.BigEndian.AppendUint64(append(k, 'v'), b.Visitor)
}

// PutBlocks stores blocks, replacing those with the same key, and drops
// the site's expired ones (at now).
func (d *DB) PutBlocks(now time.Time, blocks ...Block) error {
	return d.update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBlocks)
		sites := map[string]bool{}
		for _, b := range blocks {
			if b.Site == "" || (b.Visitor == 0 && b.Address == "") {
				return parley.Errorf(parley.EInvalid, "A block needs a site and a visitor or an address.")
			}
			if !sites[b.Site] {
				sites[b.Site] = true
				if err := sweepBlocks(bk, b.Site, func(old Block) bool { return !now.Before(old.Until) }); err != nil {
					return err
				}
			}
			v, err := encode(b)
			if err != nil {
				return err
			}
			if err := bk.Put(blockKey(b), v); err != nil {
				return fmt.Errorf("store: writing a block: %w", err)
			}
		}
		return nil
	})
}

// DeleteVisitorBlocks lifts the blocks of site made from visitor, of the
// visitor and of their address alike, and returns them.
func (d *DB) DeleteVisitorBlocks(site string, visitor uint64) ([]Block, error) {
	var gone []Block
	err := d.update(func(tx *bolt.Tx) error {
		return sweepBlocks(tx.Bucket(bucketBlocks), site, func(b Block) bool {
			if b.Visitor == visitor {
				gone = append(gone, b)
				return true
			}
			return false
		})
	})
	return gone, err
}

// Blocks returns the blocks of site, or of every site for "", expired
// ones included: the caller knows the time.
func (d *DB) Blocks(site string) ([]Block, error) {
	var out []Block
	err := d.view(func(tx *bolt.Tx) error {
		var prefix []byte
		if site != "" {
			prefix = append([]byte(site), 0)
		}
		c := tx.Bucket(bucketBlocks).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var b Block
			if err := decode(v, &b); err != nil {
				return fmt.Errorf("store: reading block %q: %w", k, err)
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// sweepBlocks deletes the blocks of site that drop says to.
func sweepBlocks(bk *bolt.Bucket, site string, drop func(Block) bool) error {
	prefix := append([]byte(site), 0)
	var keys [][]byte
	c := bk.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var b Block
		if err := decode(v, &b); err != nil {
			return fmt.Errorf("store: reading block %q: %w", k, err)
		}
		if drop(b) {
			keys = append(keys, bytes.Clone(k))
		}
	}
	for _, k := range keys {
		if err := bk.Delete(k); err != nil {
			return fmt.Errorf("store: deleting a block: %w", err)
		}
	}
	return nil
}
