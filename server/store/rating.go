package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// RatingRecord is one answer of a visitor, as bucketRatings keeps it for
// reports: the rating with its conversation, site and visitor.
type RatingRecord struct {
	parley.Rating
	Conv    uint64 `json:"conv"`
	Site    string `json:"site"`
	Visitor uint64 `json:"visitor"`
}

func ratingKey(site string, at time.Time, conv uint64, kind string) []byte {
	k := make([]byte, 0, len(site)+1+17)
	k = append(k, site...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, uint64(at.UnixNano()))
	k = binary.BigEndian.AppendUint64(k, conv)
	if kind == parley.RatingNPS {
		return append(k, 'n')
	}
	return append(k, 'c')
}

// Resolve resolves an open conversation (as SetStatus) and decides, by the
// site's rating settings, whether its visitor is asked the Net Promoter
// question: the conversation's first resolve counts one more resolved chat
// of the contact, and parley.AskNPS says whether this one is asked
// (Conversation.AskNPS), in the same transaction as the count and the
// contact's NPSAsked. jobs are queued with it, as SetStatus's.
func (d *DB) Resolve(conv uint64, ratings parley.RatingSettings, jobs ...NewJob) (parley.Conversation, error) {
	var st *convState
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		if !st.rec.IsOpen() {
			return nil
		}
		if err := checkJobs(jobs); err != nil {
			return err
		}
		if st.rec.Resolved.IsZero() {
			r, err := visitor(b.visitors, st.rec.Visitor)
			if err != nil {
				return err
			}
			r.Resolved++
			if ratings.NPS && st.rec.NPS == nil && parley.AskNPS(ratings.Every(), ratings.Days(), r.Resolved, r.NPSAsked, b.now) {
				st.rec.AskNPS, r.NPSAsked = true, b.now
			}
			if err := putVisitor(b.visitors, r); err != nil {
				return err
			}
		}
		if err := b.setStatus(st, parley.StatusResolved); err != nil {
			return err
		}
		if err := b.enqueueFor(conv, jobs); err != nil {
			return err
		}
		return nil
	}, func() { out = st.rec.Conversation })
	return out, err
}

// Rate stores visitor's answer to the rating request (kind
// parley.RatingCSAT) or the Net Promoter question (parley.RatingNPS) of
// conversation conv, with its assignee and team, and logs an agents-only
// "rated" event. Refused, storing nothing: another visitor's or a missing
// conversation → not_found; a conversation never resolved → conflict;
// ratings off on the site, or NPS not asked → forbidden; a bad score or
// comment → invalid / too_large; an answer older than
// parley.RatingChangeWindow → conflict (a younger one is replaced).
func (d *DB) Rate(ctx context.Context, conv, visitorID uint64, kind string, score int, comment string) (parley.Conversation, error) {
	var st *convState
	var out parley.Conversation
	err := d.do(ctx, func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		c := &st.rec.Conversation
		if c.Visitor != visitorID {
			return errConvNotFound(conv)
		}
		var site parley.Site
		if v := b.sites.Get([]byte(c.Site)); v != nil {
			if err := decode(v, &site); err != nil {
				return err
			}
		}
		scale, slot := parley.ScaleNPS, &c.NPS
		switch kind {
		case parley.RatingCSAT:
			if !site.Ratings.Enabled {
				return parley.Errorf(parley.EForbidden, "This shop does not ask for ratings.")
			}
			scale, slot = site.Ratings.ScaleOr(), &c.Rating
		case parley.RatingNPS:
			if !c.AskNPS {
				return parley.Errorf(parley.EForbidden, "This question was not asked.")
			}
		}
		if comment, err = parley.CheckRating(kind, scale, score, comment); err != nil {
			return err
		}
		if c.Resolved.IsZero() {
			return parley.Errorf(parley.EConflict, "The chat can be rated once it is resolved.")
		}
		prev := *slot
		if prev != nil && b.now.Sub(prev.At) > parley.RatingChangeWindow {
			return parley.Errorf(parley.EConflict, "This chat was rated already.")
		}
		r := parley.Rating{Kind: kind, Scale: scale, Score: score, Comment: comment, At: b.now,
			Agent: c.Assignee, AgentName: c.AssigneeName, Team: c.Team}
		if prev != nil {
			r.Agent, r.AgentName, r.Team = prev.Agent, prev.AgentName, prev.Team
		}
		ratings := b.tx.Bucket(bucketRatings)
		if prev != nil {
			if err := ratings.Delete(ratingKey(c.Site, prev.At, c.ID, kind)); err != nil {
				return fmt.Errorf("store: moving rating of %d: %w", c.ID, err)
			}
		}
		v, err := encode(RatingRecord{Rating: r, Conv: c.ID, Site: c.Site, Visitor: c.Visitor})
		if err != nil {
			return err
		}
		if err := ratings.Put(ratingKey(c.Site, r.At, c.ID, kind), v); err != nil {
			return fmt.Errorf("store: writing rating of %d: %w", c.ID, err)
		}
		*slot = &r
		if err := b.putRecord(st); err != nil {
			return err
		}
		text := "Rated " + parley.RatingText(r)
		if prev != nil {
			text = "Changed the rating to " + parley.RatingText(r)
		}
		m := parley.Message{From: parley.Author{Kind: parley.AuthorVisitor, ID: c.Visitor, Name: c.VisitorName},
			Kind: parley.KindEvent, Event: parley.EventRated, Text: parley.Truncate(text, parley.MaxRatingComment+40)}
		_, _, err = b.add(st, m, true, false, false, nil)
		return err
	}, func() { out = st.rec.Conversation })
	return out, err
}

// Ratings returns the answers given on site from from (inclusive) to to
// (exclusive), oldest first: what reports read.
func (d *DB) Ratings(site string, from, to time.Time) ([]RatingRecord, error) {
	var out []RatingRecord
	err := d.view(func(tx *bolt.Tx) error {
		prefix := append([]byte(site), 0)
		lo := binary.BigEndian.AppendUint64(bytes.Clone(prefix), uint64(from.UnixNano()))
		hi := binary.BigEndian.AppendUint64(bytes.Clone(prefix), uint64(to.UnixNano()))
		c := tx.Bucket(bucketRatings).Cursor()
		for k, v := c.Seek(lo); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, hi) < 0; k, v = c.Next() {
			var r RatingRecord
			if err := decode(v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}
