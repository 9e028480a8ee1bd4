package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// A reader must see the newest committed state of a conversation, but part
// of it lives in the committer's memory until the next checkpoint: the
// counters of its record and the log positions of its newest entries. The
// committer publishes a view of each dirty conversation after every commit
// that changed it, and drops a conversation's view when a checkpoint step
// has written it, when the file holds all of it again.
//
// A reader takes the view first, then opens its read transaction. The view
// names only committed log positions, which every later transaction holds;
// without a view, the file was current when the reader looked, and the
// transaction opened afterwards is at least as new. Either way the reader
// sees one consistent state.

// convView is the committed state of one conversation. Readers share it:
// read only. tail may share its array with the committer, which only
// appends beyond the view's length.
type convView struct {
	rec  convRecord
	tail []uint64
}

func (st *convState) view() *convView {
	return &convView{rec: st.rec, tail: st.tail}
}

// publishViews makes a batch's changes visible to readers. It runs on the
// committer after the commit.
func (d *DB) publishViews(touched map[uint64]*convState) {
	if len(touched) == 0 {
		return
	}
	d.viewMu.Lock()
	for id, st := range touched {
		if st.dirty {
			d.views[id] = st.view()
		} else {
			delete(d.views, id)
		}
	}
	d.viewMu.Unlock()
}

func (d *DB) viewOf(id uint64) *convView {
	d.viewMu.RLock()
	v := d.views[id]
	d.viewMu.RUnlock()
	return v
}

// withConv runs fn with conversation id's record and unindexed tail, in a
// read transaction opened after the view was taken.
func (d *DB) withConv(id uint64, fn func(tx *bolt.Tx, rec *convRecord, tail []uint64) error) error {
	v := d.viewOf(id)
	return d.view(func(tx *bolt.Tx) error {
		if v != nil {
			return fn(tx, &v.rec, v.tail)
		}
		var rec convRecord
		b := tx.Bucket(bucketConvs).Get(u64(id))
		if b == nil {
			return errConvNotFound(id)
		}
		if err := decode(b, &rec); err != nil {
			return err
		}
		return fn(tx, &rec, nil)
	})
}

// records returns the records of ids, in that order, skipping ids that do
// not exist. Views are taken before the transaction, as in withConv.
func (d *DB) records(ids []uint64) ([]convRecord, error) {
	out := make([]convRecord, len(ids))
	have := make([]bool, len(ids))
	d.viewMu.RLock()
	for i, id := range ids {
		if v := d.views[id]; v != nil {
			out[i], have[i] = v.rec, true
		}
	}
	d.viewMu.RUnlock()
	err := d.view(func(tx *bolt.Tx) error {
		convs := tx.Bucket(bucketConvs)
		for i, id := range ids {
			if have[i] {
				continue
			}
			if b := convs.Get(u64(id)); b != nil {
				if err := decode(b, &out[i]); err != nil {
					return err
				}
				have[i] = true
			}
		}
		return nil
	})
	n := 0
	for i := range out {
		if have[i] {
			out[n] = out[i]
			n++
		}
	}
	return out[:n], err
}

// eachPosition calls fn with the seq and log position of every entry of
// conv after seq after, in seq order, until fn returns false: the indexed
// ones from bucketConvIndex, up to indexed, then those of tail.
func eachPosition(tx *bolt.Tx, conv, indexed uint64, tail []uint64, after uint64, fn func(seq, pos uint64) bool) {
	if after < indexed {
		prefix := u64(conv)
		c := tx.Bucket(bucketConvIndex).Cursor()
		for k, v := c.Seek(indexKey(conv, after+1)); bytes.HasPrefix(k, prefix); k, v = c.Next() {
			seq := be64(k[8:])
			if seq > indexed {
				break
			}
			if len(v) < 8 || !fn(seq, be64(v)) {
				return
			}
			after = seq
		}
	}
	for i, pos := range tail {
		if seq := indexed + 1 + uint64(i); seq > after && !fn(seq, pos) {
			return
		}
	}
}

// position is the log position of seq in conv, or 0.
func position(tx *bolt.Tx, conv, indexed uint64, tail []uint64, seq uint64) uint64 {
	if seq > indexed {
		if i := seq - indexed - 1; i < uint64(len(tail)) {
			return tail[i]
		}
		return 0
	}
	if v := tx.Bucket(bucketConvIndex).Get(indexKey(conv, seq)); len(v) >= 8 {
		return be64(v)
	}
	return 0
}
