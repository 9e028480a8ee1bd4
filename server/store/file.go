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
		v, err := encode(&fileRecord{File: f.File, By: f.By, At: b.now})
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
