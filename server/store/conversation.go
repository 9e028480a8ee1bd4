package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"slices"

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
	return d.RecentVisitorConversations(visitorID, math.MaxInt)
}

// RecentVisitorConversations is VisitorConversations reading only the
// newest limit: a visitor's welcome.
func (d *DB) RecentVisitorConversations(visitorID uint64, limit int) ([]parley.Conversation, error) {
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
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(ids) < limit; k, _ = c.Prev() {
			ids = append(ids, binary.BigEndian.Uint64(k[8:]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.conversations(ids)
}

// OpenConversations returns every open conversation of the given sites,
// in inbox order (parley.InboxBefore).
func (d *DB) OpenConversations(sites ...string) ([]parley.Conversation, error) {
	p, err := d.OpenPage(sites, parley.Cursor{}, math.MaxInt)
	return p.Conversations, err
}

// OpenPage is a page of open conversations and the counts of them all.
type OpenPage struct {
	// Conversations are in inbox order.
	Conversations []parley.Conversation
	// Next is the cursor of the following page: the position of the last
	// conversation here; zero when there is none.
	Next parley.Cursor
	// BySite counts the open conversations of each site asked for, zeros
	// included.
	BySite map[string]int
}

// OpenPage returns up to limit open conversations of the given sites that
// come after before in inbox order (all from the top when before is zero),
// with the counts per site, from one consistent read.
//
// Conversations move up as they are updated, so a cursor stays valid:
// a conversation updated after a page was read moves above the cursor and
// is not in the later pages (it reached the agent live instead), and none
// is listed twice.
//
// It reads the whole open index and each open record, then sorts: 7 ms for
// 10,000 open conversations with short records (BenchmarkOpenPage10k),
// more when long page URLs make the records slow to decode. Beyond that, keep an index keyed by
// (site, updated, id) in the committer, moved on every update, and walk it
// from the cursor, with counts kept per site beside it.
func (d *DB) OpenPage(sites []string, before parley.Cursor, limit int) (OpenPage, error) {
	return d.OpenPageWhere(sites, before, limit, nil)
}

// OpenPageWhere is OpenPage listing only the conversations keep accepts
// (nil: all); the counts are of all open conversations.
func (d *DB) OpenPageWhere(sites []string, before parley.Cursor, limit int, keep func(*parley.Conversation) bool) (OpenPage, error) {
	var ids []uint64
	err := d.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOpenConversations).ForEach(func(k, _ []byte) error {
			ids = append(ids, be64(k))
			return nil
		})
	})
	if err != nil {
		return OpenPage{}, err
	}
	recs, err := d.records(ids)
	if err != nil {
		return OpenPage{}, err
	}
	p := OpenPage{BySite: make(map[string]int, len(sites))}
	for _, s := range sites {
		p.BySite[s] = 0
	}
	cs := make([]parley.Conversation, 0, min(len(recs), limit))
	for i := range recs {
		c := &recs[i].Conversation
		// The index and a record read from a view may disagree for a
		// moment; the record is the newer.
		if !c.IsOpen() {
			continue
		}
		if _, ok := p.BySite[c.Site]; !ok {
			continue
		}
		p.BySite[c.Site]++
		if keep != nil && !keep(c) {
			continue
		}
		if before.IsZero() || before.After(parley.CursorOf(*c)) {
			cs = append(cs, *c)
		}
	}
	slices.SortFunc(cs, func(a, b parley.Conversation) int {
		if parley.InboxBefore(a, b) {
			return -1
		}
		return 1
	})
	if len(cs) > limit {
		cs = cs[:limit]
		p.Next = parley.CursorOf(cs[limit-1])
	}
	p.Conversations = cs
	return p, nil
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

// SetStatus opens or resolves a conversation. Opening a resolved one puts
// it back in its team's queue (StatusQueued); opening an open one, or
// resolving a resolved one, changes nothing.
//
// jobs are queued in the same transaction when the status changes: the
// transcript mailed at resolve.
func (d *DB) SetStatus(conv uint64, status string, jobs ...NewJob) (parley.Conversation, error) {
	if status != parley.StatusOpen && status != parley.StatusResolved && status != parley.StatusQueued {
		return parley.Conversation{}, parley.Errorf(parley.EInvalid, "Unknown conversation status %q.", status)
	}
	var st *convState
	var out parley.Conversation
	err := d.do(context.Background(), func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		if st.rec.IsOpen() == parley.IsOpenStatus(status) {
			return nil
		}
		if err := checkJobs(jobs); err != nil {
			return err
		}
		if err := b.setStatus(st, status); err != nil {
			return err
		}
		if err := b.enqueueFor(conv, jobs); err != nil {
			return err
		}
		return nil
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

// resolvedScan bounds the conversations one ResolvedPage looks at: a page
// of a site with few resolved conversations among many ends early, with
// a cursor to go on from.
const resolvedScan = 20000

// ResolvedPage returns up to limit resolved conversations of sites, the
// newest conversation first, with ids below before (0: from the newest),
// and the id to go on from (0 after the last). It walks the conversations
// back from before, reading the stored records: resolving writes the
// record at once, so their statuses are current; so does tagging, and
// with tag set only the conversations that carry it are listed.
func (d *DB) ResolvedPage(sites []string, before uint64, limit int, tag string) ([]parley.Conversation, uint64, error) {
	want := make(map[string]bool, len(sites))
	for _, s := range sites {
		want[s] = true
	}
	var ids []uint64
	var next uint64
	err := d.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketConvs).Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			c.Seek(u64(before))
			k, v = c.Prev()
		}
		for scanned := 0; k != nil; k, v = c.Prev() {
			if scanned++; scanned > resolvedScan || len(ids) == limit {
				next = be64(k) + 1
				break
			}
			var rec struct {
				Site   string   `json:"site"`
				Status string   `json:"status"`
				Tags   []string `json:"tags"`
			}
			if err := decode(v, &rec); err != nil {
				return err
			}
			if rec.Status == parley.StatusResolved && want[rec.Site] && (tag == "" || slices.Contains(rec.Tags, tag)) {
				ids = append(ids, be64(k))
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	recs, err := d.records(ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]parley.Conversation, 0, len(recs))
	for i := range recs {
		if recs[i].Status == parley.StatusResolved {
			out = append(out, recs[i].Conversation)
		}
	}
	return out, next, nil
}

// SetTags adds tags to and removes tags from conversation conv, through
// the committer (parley.ApplyTags checks and normalises them). It reports
// whether they changed.
func (d *DB) SetTags(ctx context.Context, conv uint64, add, remove []string) (parley.Conversation, bool, error) {
	var st *convState
	var out parley.Conversation
	changed := false
	err := d.do(ctx, func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		tags, err := parley.ApplyTags(st.rec.Tags, add, remove)
		if err != nil {
			return err
		}
		if slices.Equal(tags, st.rec.Tags) {
			return nil
		}
		st.rec.Tags, changed = tags, true
		return b.putRecord(st)
	}, func() { out = st.rec.Conversation })
	return out, changed, err
}

// SetEmail sets the address a conversation's visitor is answered at by
// email. The log does not hold it: the record is written now.
func (d *DB) SetEmail(ctx context.Context, conv uint64, email string) (parley.Conversation, error) {
	var st *convState
	var out parley.Conversation
	err := d.do(ctx, func(b *batch) error {
		var err error
		if st, err = b.existing(conv); err != nil {
			return err
		}
		if st.rec.Email == email {
			return nil
		}
		st.rec.Email = email
		return b.putRecord(st)
	}, func() { out = st.rec.Conversation })
	return out, err
}
