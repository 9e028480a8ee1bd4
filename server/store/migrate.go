package store

import (
	"fmt"
	"math"

	"github.com/parley-chat/parley/app/parley"

	bolt "go.etcd.io/bbolt"
)

// bucketConversationsV1 is schema 1's one bucket for everything of a
// conversation, in one key range per conversation id (8 bytes):
//
//	id | seq (1, 2, …)                              → msg frame
//	id | 0xff×8                                     → parley.Conversation, JSON
//	id | 0xff×8 | kind | 0 | author id | client id  → seq, 8 bytes
//
// Its sequence numbered conversations.
var bucketConversationsV1 = []byte("conversations")

// migrateToLog takes schema 1 to schema 2: every message moves into the
// log, conversation by conversation and in seq order, keeping its seq and
// its stored frame byte for byte; records, index and dedupe keys are
// written as a checkpoint would, so the new file opens with nothing to
// replay. It runs in Open's transaction: a failure leaves schema 1 as it
// was.
func migrateToLog(tx *bolt.Tx) error {
	old := tx.Bucket(bucketConversationsV1)
	if old == nil {
		return nil
	}
	log, convs := tx.Bucket(bucketLog), tx.Bucket(bucketConvs)
	log.FillPercent = logFillPercent
	index := tx.Bucket(bucketConvIndex)
	if err := convs.SetSequence(old.Sequence()); err != nil {
		return err
	}
	var pos uint64
	c := old.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 16 {
			return fmt.Errorf("conversations: key %x is too short", k)
		}
		conv, seq := be64(k), be64(k[8:16])
		switch {
		case seq != math.MaxUint64: // a message
			pos++
			h := entryHead{kind: entryMessage, conv: conv, seq: seq}
			if err := log.Put(u64(pos), encodeEntry(h, v)); err != nil {
				return err
			}
			f, err := parley.DecodeFrame(v)
			if err != nil {
				return fmt.Errorf("message %d/%d: %w", conv, seq, err)
			}
			var from parley.Author
			if f.From != nil {
				from = *f.From
			}
			if err := index.Put(indexKey(conv, seq), indexValue(pos, idHash(from, f.ID))); err != nil {
				return err
			}
		case len(k) == 16: // the record, after its messages
			var rec convRecord
			if err := decode(v, &rec.Conversation); err != nil {
				return fmt.Errorf("conversation %d: %w", conv, err)
			}
			// Every schema 1 entry is a message everyone sees.
			rec.PublicSeq, rec.PublicText = rec.LastSeq, rec.LastText
			rec.TextSeq, rec.PublicTextSeq = rec.LastSeq, rec.LastSeq
			rec.Indexed, rec.LogPos = rec.LastSeq, pos
			b, err := encode(&rec)
			if err != nil {
				return err
			}
			if err := convs.Put(u64(conv), b); err != nil {
				return err
			}
		default: // a dedupe key: the index's id hashes replace them
		}
	}
	if err := tx.DeleteBucket(bucketConversationsV1); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyCheckpoint, u64(pos))
}

// queueOpenConversations takes schema 4 to schema 5, which routes
// conversations: every open conversation waits in its site's default
// team's queue from the time of its newest entry, as nobody was assigned
// before. The team is resolved from the site's routing when there is one
// (a file of schema 4 has none, so it is the site's implicit team "").
// Records are rewritten in place; the log is untouched.
func queueOpenConversations(tx *bolt.Tx) error {
	convs, sites := tx.Bucket(bucketConvs), tx.Bucket(bucketSites)
	return tx.Bucket(bucketOpenConversations).ForEach(func(k, _ []byte) error {
		v := convs.Get(k)
		if v == nil {
			return nil
		}
		var rec convRecord
		if err := decode(v, &rec); err != nil {
			return fmt.Errorf("conversation %d: %w", be64(k), err)
		}
		if rec.Assignee != 0 || rec.Status == parley.StatusQueued {
			return nil
		}
		rec.Status, rec.Queued = parley.StatusQueued, rec.Updated
		var s parley.Site
		if sv := sites.Get([]byte(rec.Site)); sv != nil && decode(sv, &s) == nil {
			rec.Team = s.Routing.DefaultTeamID()
		}
		nv, err := encode(&rec)
		if err != nil {
			return err
		}
		return convs.Put(k, nv)
	})
}
