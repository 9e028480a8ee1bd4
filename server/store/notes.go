package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
)

// Contact notes (parley.ContactNote): agents' notes about a visitor, kept
// apart from the visitor record, which every hello reads. They are rare
// writes: each is a transaction of its own, not a commit of the message
// path. The caller has checked the text (parley.CheckNoteText).

// ContactNotes returns the notes about visitor, newest first.
func (d *DB) ContactNotes(visitorID uint64) ([]parley.ContactNote, error) {
	var list []parley.ContactNote
	err := d.view(func(tx *bolt.Tx) error {
		if _, err := visitor(tx.Bucket(bucketVisitors), visitorID); err != nil {
			return err
		}
		prefix := u64(visitorID)
		c := tx.Bucket(bucketNotes).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var n parley.ContactNote
			if err := decode(v, &n); err != nil {
				return err
			}
			list = append(list, n)
		}
		return nil
	})
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list, err
}

// AddContactNote stores a new note about n.Visitor by n.Author, giving it
// its ID and Created time. A contact holds at most
// parley.MaxNotesPerContact notes.
func (d *DB) AddContactNote(n parley.ContactNote) (parley.ContactNote, error) {
	err := d.update(func(tx *bolt.Tx) error {
		if _, err := visitor(tx.Bucket(bucketVisitors), n.Visitor); err != nil {
			return err
		}
		b := tx.Bucket(bucketNotes)
		prefix, count := u64(n.Visitor), 0
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			count++
		}
		if count >= parley.MaxNotesPerContact {
			return parley.Errorf(parley.ETooLarge, "A contact holds at most %d notes: delete one first.", parley.MaxNotesPerContact)
		}
		id, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("store: numbering note: %w", err)
		}
		n.ID, n.Created, n.Edited, n.Deleted = id, now(), nil, false
		return putNote(b, n)
	})
	if err != nil {
		return parley.ContactNote{}, err
	}
	return n, nil
}

// EditContactNote replaces the text of note id about visitorID, if may
// (called in the transaction with the note as stored) allows it.
func (d *DB) EditContactNote(visitorID, id uint64, text string, may func(parley.ContactNote) error) (parley.ContactNote, error) {
	var n parley.ContactNote
	err := d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNotes)
		var err error
		if n, err = note(b, visitorID, id); err != nil {
			return err
		}
		if err := may(n); err != nil {
			return err
		}
		t := now()
		n.Text, n.Edited = text, &t
		return putNote(b, n)
	})
	if err != nil {
		return parley.ContactNote{}, err
	}
	return n, nil
}

// DeleteContactNote removes note id about visitorID, if may allows it,
// and returns it as it was.
func (d *DB) DeleteContactNote(visitorID, id uint64, may func(parley.ContactNote) error) (parley.ContactNote, error) {
	var n parley.ContactNote
	err := d.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNotes)
		var err error
		if n, err = note(b, visitorID, id); err != nil {
			return err
		}
		if err := may(n); err != nil {
			return err
		}
		if err := b.Delete(key2(visitorID, id)); err != nil {
			return fmt.Errorf("store: deleting note: %w", err)
		}
		return nil
	})
	if err != nil {
		return parley.ContactNote{}, err
	}
	return n, nil
}

func note(b *bolt.Bucket, visitorID, id uint64) (parley.ContactNote, error) {
	var n parley.ContactNote
	v := b.Get(key2(visitorID, id))
	if v == nil {
		return n, parley.Errorf(parley.ENotFound, "No such note.")
	}
	return n, decode(v, &n)
}

func putNote(b *bolt.Bucket, n parley.ContactNote) error {
	v, err := encode(n)
	if err != nil {
		return err
	}
	if err := b.Put(key2(n.Visitor, n.ID), v); err != nil {
		return fmt.Errorf("store: writing note: %w", err)
	}
	return nil
}
