package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"sort"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Conversation returns the conversation with the given id, as agents see it.
func (d *DB) Conversation(id uint64) (parley.Conversation, error) {
	var c parley.Conversation
	err := d.withConv(id, func(_ *bolt.Tx, rec *convRecord, _ []uint64) error {
		c = rec.Conversation
		return nil
	})
	return c, err
}

// VisitorConversations returns a visitor's conversations, newest first, as
// agents see them (parley.Conversation.ForVisitor makes the visitor's copy).
func (d *DB) VisitorConversations(visitorID uint64) ([]parley.Conversation, error) {
	var ids []uint64
	err := d.view(func(tx *bolt.Tx) error {
		prefix := u64(visitorID)
		c := tx.Bucket(bucketVisitorConversations).Cursor()
		// Seek past the visitor's range, then walk back: ids grow with time.
		k, _ := c.Seek(u64(visitorID + 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			ids = append(ids, binary.BigEndian.Uint64(k[8:]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.conversations(ids)
}

// OpenConversations returns the open conversations of the given sites, the
// most recently updated first.
func (d *DB) OpenConversations(sites ...string) ([]parley.Conversation, error) {
	var ids []uint64
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOpenConversations).ForEach(func(k, _ []byte) error {
			ids = append(ids, be64(k))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	all, err := d.conversations(ids)
	cs := all[:0]
	for _, c := range all {
		if slices.Contains(sites, c.Site) {
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if !cs[i].Updated.Equal(cs[j].Updated) {
			return cs[i].Updated.After(cs[j].Updated)
		}
		return cs[i].ID > cs[j].ID
	})
	return cs, err
}

func (d *DB) conversations(ids []uint64) ([]parley.Conversation, error) {
	recs, err := d.records(ids)
	cs := make([]parley.Conversation, len(recs))
	for i := range recs {
		cs[i] = recs[i].Conversation
	}
	return cs, err
}

// MarkRead moves one side's read mark of a conversation forward to seq
// (never past the newest entry, never back). side is parley.AuthorAgent or
// parley.AuthorVisitor. For the agents' side it recounts Unread. A mark
// that moves is an entry of the log, so the record need not be written.
func (d *DB) MarkRead(conv uint64, side string, seq uint64) (parley.Conversation, error) {
	return d.MarkReadBy(conv, parley.Author{Kind: side}, seq)
}

// MarkReadBy is MarkRead naming who read.
func (d *DB) MarkReadBy(conv uint64, by parley.Author, seq uint64) (parley.Conversation, error) {
	if by.Kind != parley.AuthorAgent && by.Kind != parley.AuthorVisitor {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Unknown reader %q.", by.Kind)
	}
	var st *convState
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		seq := min(seq, st.rec.LastSeq)
		if by.Kind == parley.AuthorVisitor && seq <= st.rec.VisitorRead || by.Kind == parley.AuthorAgent && seq <= st.rec.AgentRead {
			return nil
		}
		return b.addRead(st, by, seq)
	}, func() { out = st.rec.Conversation })
	return out, err
}

// SetStatus opens or resolves a conversation.
func (d *DB) SetStatus(conv uint64, status string) (parley.Conversation, error) {
	if status != parley.StatusOpen && status != parley.StatusResolved {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Unknown conversation status %q.", status)
	}
	var st *convState
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		return b.setStatus(st, status)
	}, func() { out = st.rec.Conversation })
	return out, err
}

// LastSeq returns the sequence number of the newest entry of conv, 0 if it
// has none.
func (d *DB) LastSeq(conv uint64) (uint64, error) {
	c, err := d.Conversation(conv)
	return c.LastSeq, err
}

func errConvNotFound(id uint64) error {
	return parley.Errorf(parley.ENotFound, "Conversation %d not found.", id)
}

// visitorConversations returns the ids of a visitor's conversations, oldest
// first.
func (b *batch) visitorConversations(visitorID uint64) []uint64 {
	var ids []uint64
	prefix := u64(visitorID)
	c := b.visitorConvs.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, binary.BigEndian.Uint64(k[8:]))
	}
	return ids
}
