package store

import (
	"encoding/binary"
	"fmt"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Entry is one log entry read back by Entries: what a reader that follows
// the whole log (the search index) needs to catch up after a restart.
type Entry struct {
	// Pos is the entry's log position, the same as Committed.Pos.
	Pos     uint64
	Message parley.Message
}

// LastPos is the newest committed log position: a follower of the log that
// has seen it is up to date.
func (d *DB) LastPos() (uint64, error) {
	var pos uint64
	err := d.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketLog).Cursor().Last(); k != nil {
			pos = be64(k)
		}
		return nil
	})
	return pos, err
}

// Entries calls fn with the conversation entries (not read marks) at log
// positions above after, in log order, at most limit of them, and returns
// the last position it read (after, if none). The entries are decoded and
// the read transaction is over before fn runs, so fn may take its time;
// a reader walks a big log in steps of limit, each a short transaction.
// A deleted entry comes back as stored: with its text erased.
func (d *DB) Entries(after uint64, limit int, fn func(Entry) error) (uint64, error) {
	if limit <= 0 {
		limit = 1000
	}
	var out []Entry
	last := after
	err := d.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLog).Cursor()
		var start [8]byte
		binary.BigEndian.PutUint64(start[:], after+1)
		n := 0
		for k, v := c.Seek(start[:]); k != nil && n < limit; k, v = c.Next() {
			pos := be64(k)
			last = pos
			n++
			h, frame, err := decodeEntry(v)
			if err != nil {
				return fmt.Errorf("store: entry at %d: %w", pos, err)
			}
			if h.kind == entryRead {
				continue
			}
			f, err := parley.DecodeFrame(frame)
			if err != nil {
				return fmt.Errorf("store: entry at %d: %w", pos, err)
			}
			m := f.ToMessage()
			m.Conv, m.Seq, m.Internal = h.conv, h.seq, h.internal
			out = append(out, Entry{Pos: pos, Message: m})
		}
		return nil
	})
	if err != nil {
		return after, err
	}
	for _, e := range out {
		if err := fn(e); err != nil {
			return after, err
		}
	}
	return last, nil
}
