package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// Conversation returns the conversation with the given id.
func (d *DB) Conversation(id uint64) (parley.Conversation, error) {
	var c parley.Conversation
	err := d.view(func(tx *bolt.Tx) (err error) {
		c, err = conversation(tx.Bucket(bucketConversations), id)
		return err
	})
	return c, err
}

// VisitorConversations returns a visitor's conversations, newest first.
func (d *DB) VisitorConversations(visitorID uint64) ([]parley.Conversation, error) {
	var cs []parley.Conversation
	err := d.view(func(tx *bolt.Tx) error {
		convs := tx.Bucket(bucketConversations)
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
			conv, err := conversation(convs, binary.BigEndian.Uint64(k[8:]))
			if err != nil {
				return err
			}
			cs = append(cs, conv)
		}
		return nil
	})
	return cs, err
}

// OpenConversations returns the open conversations of every site, the most
// recently updated first.
func (d *DB) OpenConversations() ([]parley.Conversation, error) {
	var cs []parley.Conversation
	err := d.view(func(tx *bolt.Tx) error {
		convs := tx.Bucket(bucketConversations)
		return tx.Bucket(bucketOpenConversations).ForEach(func(k, _ []byte) error {
			c, err := conversation(convs, binary.BigEndian.Uint64(k))
			if err != nil {
				return err
			}
			cs = append(cs, c)
			return nil
		})
	})
	sort.SliceStable(cs, func(i, j int) bool {
		if !cs[i].Updated.Equal(cs[j].Updated) {
			return cs[i].Updated.After(cs[j].Updated)
		}
		return cs[i].ID > cs[j].ID
	})
	return cs, err
}

// MarkRead moves one side's read mark of a conversation forward to seq
// (never past the newest message, never back). side is parley.AuthorAgent or
// parley.AuthorVisitor. For the agents' side it recounts Unread.
func (d *DB) MarkRead(conv uint64, side string, seq uint64) (parley.Conversation, error) {
	if side != parley.AuthorAgent && side != parley.AuthorVisitor {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Unknown reader %q.", side)
	}
	var c *parley.Conversation
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if c, err = b.existingConv(conv); err != nil {
			return err
		}
		seq := min(seq, c.LastSeq)
		if side == parley.AuthorVisitor {
			if seq > c.VisitorRead {
				c.VisitorRead = seq
				b.touch(c)
			}
			return nil
		}
		if seq <= c.AgentRead {
			return nil
		}
		unread, err := b.countVisitorMessages(c.ID, seq)
		if err != nil {
			return err
		}
		c.AgentRead = seq
		c.Unread = unread
		b.touch(c)
		return nil
	}, func() { out = *c })
	return out, err
}

// SetStatus opens or resolves a conversation.
func (d *DB) SetStatus(conv uint64, status string) (parley.Conversation, error) {
	if status != parley.StatusOpen && status != parley.StatusResolved {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Unknown conversation status %q.", status)
	}
	var c *parley.Conversation
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if c, err = b.existingConv(conv); err != nil {
			return err
		}
		return b.setStatus(c, status)
	}, func() { out = *c })
	return out, err
}

func errConvNotFound(id uint64) error {
	return parley.Errorf(parley.ENotFound, "Conversation %d not found.", id)
}

func conversation(convs *bolt.Bucket, id uint64) (parley.Conversation, error) {
	var c parley.Conversation
	v := convs.Get(convKey(id))
	if v == nil {
		return c, errConvNotFound(id)
	}
	return c, decode(v, &c)
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

// countVisitorMessages counts the visitor's messages in conv after seq. Only
// a read mark short of the newest message needs it, so Unread is otherwise
// kept by counting as messages arrive.
func (b *batch) countVisitorMessages(conv, after uint64) (int, error) {
	n := 0
	prefix := u64(conv)
	c := b.conversations.Cursor()
	for k, v := c.Seek(messageKey(conv, after+1)); bytes.HasPrefix(k, prefix) && isMessageKey(k); k, v = c.Next() {
		var f struct {
			From struct {
				Kind string `json:"kind"`
			} `json:"from"`
		}
		if err := json.Unmarshal(v, &f); err != nil {
			return 0, fmt.Errorf("store: decoding message %x: %w", k, err)
		}
		if f.From.Kind == parley.AuthorVisitor {
			n++
		}
	}
	return n, nil
}
