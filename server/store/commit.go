package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// write is one request queued for the committer.
type write struct {
	ctx context.Context
	// apply makes the change inside the batch's transaction. It returns a
	// *parley.Error, having changed nothing, to refuse the request; any other
	// error fails the whole batch.
	apply func(b *batch) error
	// report, if set, copies results out of the batch. It runs on the
	// committer after a successful commit, before the caller is answered:
	// the conversations of a batch live on in the committer's cache.
	report func()
	done   chan error // buffered: the committer never waits on a caller
}

// maxCachedConversations bounds the committer's conversation cache: about
// half a kilobyte each, enough to hold every active conversation.
const maxCachedConversations = 20000

// batch is the state of one committer transaction, shared by its writes.
type batch struct {
	tx  *bolt.Tx
	now time.Time

	sites, visitors, conversations, visitorConvs, openConvs *bolt.Bucket

	// convs is the committer's cache of conversations, so an active one is
	// not decoded again for every message. It is exact because only the
	// committer writes conversations. dirty ones are written back before
	// the commit, once per batch however many messages they got.
	convs map[uint64]*parley.Conversation
	dirty map[uint64]bool

	committed []Committed
}

// do queues apply and waits until its batch has committed, or ctx is done.
func (d *DB) do(ctx context.Context, apply func(b *batch) error, report func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &write{ctx: ctx, apply: apply, report: report, done: make(chan error, 1)}
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		return errClosed()
	}
	d.queue = append(d.queue, w)
	d.mu.Unlock()
	d.signal()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		// The write may still commit; a resend with the same client id then
		// finds it by its dedupe key.
		return ctx.Err()
	}
}

func (d *DB) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// commitLoop is the committer goroutine. It sleeps until something is
// queued, then commits everything queued in one transaction. Writes queued
// while it commits form the next batch, so batches grow with the load and a
// lone write waits for nothing but its own fsync.
func (d *DB) commitLoop() {
	defer close(d.stopped)
	for range d.wake {
		for {
			d.mu.Lock()
			queue, closing := d.queue, d.closing
			d.queue = nil
			d.mu.Unlock()
			if len(queue) > 0 {
				d.commit(queue)
			}
			if closing {
				// Nothing can be queued once closing is set.
				return
			}
			if len(queue) == 0 {
				break
			}
		}
	}
}

// commit applies queue in one transaction and answers every write.
func (d *DB) commit(queue []*write) {
	errs := make([]error, len(queue))
	var b *batch
	if d.convs == nil {
		d.convs = make(map[uint64]*parley.Conversation)
	}
	err := d.db.Update(func(tx *bolt.Tx) error {
		b = newBatch(tx, d.convs)
		for i, w := range queue {
			if err := w.ctx.Err(); err != nil {
				// Nobody waits for it: skip the work.
				errs[i] = err
				continue
			}
			err := w.apply(b)
			if err != nil && !isRefusal(err) {
				return err
			}
			errs[i] = err
		}
		return b.flush()
	})
	if err != nil {
		// The cache may hold changes that were rolled back.
		d.convs = nil
		err = fmt.Errorf("store: committing: %w", mapClosed(err))
		for _, w := range queue {
			w.done <- err
		}
		return
	}
	if fn := d.onCommit.Load(); fn != nil && len(b.committed) > 0 {
		(*fn)(b.committed)
	}
	for i, w := range queue {
		if errs[i] == nil && w.report != nil {
			w.report()
		}
		w.done <- errs[i]
	}
	// Map iteration order is random enough to evict by.
	for id := range d.convs {
		if len(d.convs) <= maxCachedConversations {
			break
		}
		delete(d.convs, id)
	}
}

func newBatch(tx *bolt.Tx, convs map[uint64]*parley.Conversation) *batch {
	return &batch{
		tx:            tx,
		now:           now(),
		sites:         tx.Bucket(bucketSites),
		visitors:      tx.Bucket(bucketVisitors),
		conversations: tx.Bucket(bucketConversations),
		visitorConvs:  tx.Bucket(bucketVisitorConversations),
		openConvs:     tx.Bucket(bucketOpenConversations),
		convs:         convs,
		dirty:         make(map[uint64]bool),
	}
}

// conv returns the batch's copy of conversation id, or nil if there is none.
// Changes to it must be followed by touch.
func (b *batch) conv(id uint64) (*parley.Conversation, error) {
	if c, ok := b.convs[id]; ok {
		return c, nil
	}
	v := b.conversations.Get(convKey(id))
	if v == nil {
		return nil, nil
	}
	c := new(parley.Conversation)
	if err := decode(v, c); err != nil {
		return nil, err
	}
	b.convs[id] = c
	return c, nil
}

// existingConv is conv for a conversation that must exist.
func (b *batch) existingConv(id uint64) (*parley.Conversation, error) {
	c, err := b.conv(id)
	if err == nil && c == nil {
		err = errConvNotFound(id)
	}
	return c, err
}

// touch marks c to be written back before the commit.
func (b *batch) touch(c *parley.Conversation) {
	b.convs[c.ID] = c
	b.dirty[c.ID] = true
}

func (b *batch) flush() error {
	for id := range b.dirty {
		v, err := encode(b.convs[id])
		if err != nil {
			return err
		}
		if err := b.conversations.Put(convKey(id), v); err != nil {
			return fmt.Errorf("store: writing conversation %d: %w", id, err)
		}
	}
	return nil
}

// isOpen says whether conversation id is open, without decoding it. It
// looks at the key: Get cannot tell a missing key from an empty value
// written earlier in the same transaction (both are nil).
func (b *batch) isOpen(id uint64) bool {
	k := u64(id)
	found, _ := b.openConvs.Cursor().Seek(k)
	return bytes.Equal(found, k)
}

// setStatus changes c's status and the open index with it.
func (b *batch) setStatus(c *parley.Conversation, status string) error {
	if c.Status == status {
		return nil
	}
	var err error
	if status == parley.StatusOpen {
		err = b.openConvs.Put(u64(c.ID), []byte{})
	} else {
		err = b.openConvs.Delete(u64(c.ID))
	}
	if err != nil {
		return fmt.Errorf("store: indexing conversation %d: %w", c.ID, err)
	}
	c.Status = status
	c.Updated = b.now
	b.touch(c)
	return nil
}
