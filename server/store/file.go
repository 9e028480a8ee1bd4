package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// NewFile records an upload to a conversation.
type NewFile struct {
	Conv uint64
	// Site and Visitor scope the upload as Append's do: when set, the
	// conversation must be of that site, or that visitor's.
	Site    string
	Visitor uint64
	By      parley.Author
	File    parley.File
}

// fileRecord is a file as bucketFiles keeps it.
type fileRecord struct {
	parley.File
	By parley.Author `json:"by"`
	At time.Time     `json:"at"`
	// Refs counts the messages of the conversation that carry the file;
	// Counted says Refs was kept since the upload (records made before
	// the count are never removed by it).
	Refs    int  `json:"refs,omitempty"`
	Counted bool `json:"counted,omitempty"`
}

func fileKey(conv uint64, id string) ([]byte, bool) {
	sum, err := hex.DecodeString(id)
	if err != nil || len(sum) != 32 {
		return nil, false
	}
	return append(u64(conv), sum...), true
}

// AddFile records that f.File was uploaded to f.Conv, through the
// committer, and returns the record. The same bytes uploaded to the
// conversation again return the first record, at no cost to the
// conversation's budget of parley.MaxFilesPerConversation.
func (d *DB) AddFile(ctx context.Context, f NewFile) (parley.File, error) {
	key, ok := fileKey(f.Conv, f.File.ID)
	if !ok {
		return parley.File{}, parley.Errorf(parley.EInvalid, "A file id is 64 lowercase hex digits.")
	}
	var out parley.File
	err := d.do(ctx, func(b *batch) error {
		st, err := b.state(f.Conv)
		if err != nil {
			return err
		}
		if !b.mayWrite(Append{Site: f.Site, Visitor: f.Visitor}, st) {
			return errConvNotFound(f.Conv)
		}
		bk := b.tx.Bucket(bucketFiles)
		if v := bk.Get(key); v != nil {
			var r fileRecord
			if err := decode(v, &r); err != nil {
				return fmt.Errorf("store: file %d/%s: %w", f.Conv, f.File.ID, err)
			}
			out = r.File
			return nil
		}
		n := 0
		c := bk.Cursor()
		prefix := u64(f.Conv)
		for k, _ := c.Seek(prefix); k != nil && be64(k) == f.Conv; k, _ = c.Next() {
			n++
		}
		if n >= parley.MaxFilesPerConversation {
			return parley.Errorf(parley.ETooLarge, "This conversation has its %d files already: no more can be added.", parley.MaxFilesPerConversation)
		}
		v, err := encode(&fileRecord{File: f.File, By: f.By, At: b.now, Counted: true})
		if err != nil {
			return err
		}
		if err := bk.Put(key, v); err != nil {
			return fmt.Errorf("store: file %d/%s: %w", f.Conv, f.File.ID, err)
		}
		out = f.File
		return nil
	}, nil)
	return out, err
}

// File returns the file id of conversation conv. A file of another
// conversation is not found: the pair is what a download names.
func (d *DB) File(conv uint64, id string) (parley.File, error) {
	key, ok := fileKey(conv, id)
	notFound := parley.Errorf(parley.ENotFound, "File not found.")
	if !ok {
		return parley.File{}, notFound
	}
	var r fileRecord
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFiles).Get(key)
		if v == nil {
			return notFound
		}
		return decode(v, &r)
	})
	return r.File, err
}

// convFiles returns the records of the files ids of st, in order: a
// message carries what the server stored, never what a sender claims.
func (b *batch) convFiles(st *convState, ids []string) ([]parley.File, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > parley.MaxFilesPerMessage {
		return nil, parley.Errorf(parley.ETooLarge, "A message carries at most %d files.", parley.MaxFilesPerMessage)
	}
	var conv uint64
	if st != nil {
		conv = st.rec.ID
	}
	bk := b.tx.Bucket(bucketFiles)
	out := make([]parley.File, 0, len(ids))
	for _, id := range ids {
		key, ok := fileKey(conv, id)
		var v []byte
		if ok && conv != 0 {
			v = bk.Get(key)
		}
		if v == nil {
			// Another conversation's file is refused like a missing one.
			// EInvalid, not ENotFound: the conversation is there.
			return nil, parley.Errorf(parley.EInvalid, "An attached file was not uploaded to this conversation: upload it again.")
		}
		var r fileRecord
		if err := decode(v, &r); err != nil {
			return nil, fmt.Errorf("store: file %d/%s: %w", conv, id, err)
		}
		out = append(out, r.File)
	}
	return out, nil
}

// refFiles adds delta to the count of messages of conv carrying each of
// files. A counted record that no message carries any more is removed:
// the file is gone from the conversation (a download is 404). It returns
// the ids of the records removed.
func (b *batch) refFiles(conv uint64, files []parley.File, delta int) ([]string, error) {
	var dropped []string
	bk := b.tx.Bucket(bucketFiles)
	for _, f := range files {
		key, ok := fileKey(conv, f.ID)
		if !ok {
			continue
		}
		v := bk.Get(key)
		if v == nil {
			continue
		}
		var r fileRecord
		if err := decode(v, &r); err != nil {
			return nil, fmt.Errorf("store: file %d/%s: %w", conv, f.ID, err)
		}
		r.Refs = max(0, r.Refs+delta)
		if r.Counted && r.Refs == 0 && delta < 0 {
			if err := bk.Delete(key); err != nil {
				return nil, fmt.Errorf("store: file %d/%s: %w", conv, f.ID, err)
			}
			dropped = append(dropped, f.ID)
			continue
		}
		v, err := encode(&r)
		if err != nil {
			return nil, err
		}
		if err := bk.Put(key, v); err != nil {
			return nil, fmt.Errorf("store: file %d/%s: %w", conv, f.ID, err)
		}
	}
	return dropped, nil
}

// SweepFiles removes the records of uploads no message ever carried,
// made before orphanedBefore, and returns the ids (content hashes) of
// every file some record still names: the bytes to keep on disk.
func (d *DB) SweepFiles(ctx context.Context, orphanedBefore time.Time) (map[string]bool, error) {
	var keep map[string]bool
	err := d.do(ctx, func(b *batch) error {
		keep = make(map[string]bool)
		bk := b.tx.Bucket(bucketFiles)
		var orphans [][]byte
		err := bk.ForEach(func(k, v []byte) error {
			var r fileRecord
			if err := decode(v, &r); err != nil {
				return fmt.Errorf("store: file record %x: %w", k, err)
			}
			if r.Counted && r.Refs == 0 && r.At.Before(orphanedBefore) {
				orphans = append(orphans, append([]byte(nil), k...))
				return nil
			}
			keep[hex.EncodeToString(k[8:])] = true
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range orphans {
			if err := bk.Delete(k); err != nil {
				return fmt.Errorf("store: file record %x: %w", k, err)
			}
		}
		return nil
	}, nil)
	return keep, err
}
