package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// write is one request queued for the committer.
type write struct {
	ctx context.Context
	// apply makes the change inside the batch's transaction. It returns a
	// *parley.Error, having changed nothing, to refuse the request; any other
	// error fails the whole batch. Nil for a bare checkpoint request.
	apply func(b *batch) error
	// report, if set, copies results out of the batch. It runs on the
	// committer after a successful commit, before the caller is answered:
	// the conversations of a batch live on in the committer's cache.
	report func()
	// checkpoint asks for a checkpoint after the batch, before the answer.
	checkpoint bool
	done       chan error // buffered: the committer never waits on a caller
}

// Checkpoint and cache sizes. A checkpoint writes what the log already
// holds into the conversation records, the index and the dedupe keys, so
// it costs about a page per conversation touched since the last one,
// however many entries each got. Between checkpoints that state lives in
// the committer's memory and is rebuilt from the log at Open.
//
// A checkpoint runs in steps of at most checkpointStep conversations, the
// ones dirty longest first, each its own transaction between batches: a
// write waits for one step at most, never for a whole checkpoint of
// thousands of conversations.
const (
	// checkpointStep bounds the conversations one checkpoint step writes.
	checkpointStep = 64
	// defaultCheckpointEvery bounds the time between checkpoints while
	// anything is dirty.
	defaultCheckpointEvery = 30 * time.Second
	// defaultCheckpointEntries bounds the log entries not yet checkpointed,
	// and so the replay at Open after a crash.
	defaultCheckpointEntries = 1 << 16
	// maxDirtyConversations bounds the conversations waiting for a
	// checkpoint, and so the committer's memory.
	maxDirtyConversations = 1 << 14
	// maxCachedConversations bounds the committer's cache of clean
	// conversations: about a kilobyte each.
	maxCachedConversations = 20000
	// logFillPercent is how full bbolt fills a log page before it starts
	// the next: the log only grows at its end (bbolt's advice for
	// sequential keys), and a deletion rewrites an entry no longer.
	logFillPercent = 1.0
)

// convState is the committer's copy of one conversation.
type convState struct {
	rec convRecord
	// tail holds the log positions of the entries rec.Indexed+1 … rec.LastSeq,
	// not yet in bucketConvIndex; hashes their id hashes, and byHash the
	// tail's seqs by id hash, to find a resend.
	tail   []uint64
	hashes []uint64
	byHash map[uint64]uint64
	// dirty: the record, the tail or the dedupe keys differ from the file;
	// since is the log position of the first entry not in the file.
	dirty bool
	since uint64
}

// batch is the state of one committer transaction, shared by its writes.
type batch struct {
	d   *DB
	tx  *bolt.Tx
	now time.Time

	sites, visitors, log, convs, index, visitorConvs, openConvs *bolt.Bucket

	// pos is the newest log position, including this batch's entries.
	pos uint64
	// touched are the conversations this batch changed: their views are
	// published after the commit.
	touched map[uint64]*convState

	committed []Committed
	// jobs counts the outbox jobs this batch queued.
	jobs int
}

// do queues apply and waits until its batch has committed, or ctx is done.
func (d *DB) do(ctx context.Context, apply func(b *batch) error, report func()) error {
	return d.enqueue(ctx, &write{ctx: ctx, apply: apply, report: report, done: make(chan error, 1)})
}

func (d *DB) enqueue(ctx context.Context, w *write) error {
	if err := ctx.Err(); err != nil {
		return err
	}
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
		// finds it by its id.
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
// lone write waits for nothing but its own fsync. Between batches it
// checkpoints when enough has piled up, and on a timer.
func (d *DB) commitLoop() {
	defer close(d.stopped)
	tick := time.NewTicker(min(d.checkpointEvery, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-d.wake:
		case <-tick.C:
		}
		for {
			d.mu.Lock()
			queue, closing := d.queue, d.closing
			d.queue = nil
			d.mu.Unlock()
			var asked []*write
			if len(queue) > 0 {
				asked = d.commit(queue)
			}
			if len(asked) > 0 || closing {
				err := d.checkpoint()
				for _, w := range asked {
					w.done <- err
				}
			} else if d.checkpointTo != 0 || d.checkpointDue() {
				// One step, then the writes that queued meanwhile. A
				// checkpoint covers what was dirty when it began: the
				// conversations that writes dirty meanwhile wait for the
				// next one, or it would never end.
				if d.checkpointTo == 0 {
					d.checkpointTo = d.pos
				}
				if d.checkpointStep(d.checkpointTo) != nil || !d.dirtyUpTo(d.checkpointTo) {
					d.checkpointTo = 0
				}
			}
			if closing {
				// Nothing can be queued once closing is set.
				return
			}
			if len(queue) == 0 && d.checkpointTo == 0 {
				break
			}
		}
	}
}

// commit applies queue in one transaction and answers every write, except
// those that asked for a checkpoint, which it returns unanswered.
func (d *DB) commit(queue []*write) (asked []*write) {
	errs := make([]error, len(queue))
	var b *batch
	d.writing.RLock()
	err := d.db.Update(func(tx *bolt.Tx) error {
		b = d.newBatch(tx)
		for i, w := range queue {
			if err := w.ctx.Err(); err != nil {
				// Nobody waits for it: skip the work.
				errs[i] = err
				continue
			}
			if w.apply == nil {
				continue
			}
			err := w.apply(b)
			if err != nil && !isRefusal(err) {
				return err
			}
			errs[i] = err
		}
		return nil
	})
	d.writing.RUnlock()
	if err != nil {
		// The committer's copies may hold changes that were rolled back:
		// rebuild them from the file.
		err = fmt.Errorf("store: committing: %w", mapClosed(err))
		if rerr := d.reload(); rerr != nil {
			err = errors.Join(err, rerr)
		}
		for _, w := range queue {
			w.done <- err
		}
		return nil
	}
	d.pos = b.pos
	d.publishViews(b.touched)
	if fn := d.onJobs.Load(); fn != nil && b.jobs > 0 {
		(*fn)()
	}
	if hooks := d.onCommit.Load(); hooks != nil && len(b.committed) > 0 {
		for _, fn := range *hooks {
			fn(b.committed)
		}
	}
	for i, w := range queue {
		if errs[i] == nil && w.report != nil {
			w.report()
		}
		if w.checkpoint && errs[i] == nil {
			asked = append(asked, w)
			continue
		}
		w.done <- errs[i]
	}
	d.trimCache()
	return asked
}

func (d *DB) newBatch(tx *bolt.Tx) *batch {
	log := tx.Bucket(bucketLog)
	// Keys only grow: full pages, not the half-full ones a split leaves.
	log.FillPercent = logFillPercent
	return &batch{
		d:            d,
		tx:           tx,
		now:          now(),
		sites:        tx.Bucket(bucketSites),
		visitors:     tx.Bucket(bucketVisitors),
		log:          log,
		convs:        tx.Bucket(bucketConvs),
		index:        tx.Bucket(bucketConvIndex),
		visitorConvs: tx.Bucket(bucketVisitorConversations),
		openConvs:    tx.Bucket(bucketOpenConversations),
		pos:          d.pos,
		touched:      make(map[uint64]*convState),
	}
}

// state returns the committer's copy of conversation id, or nil if there
// is none.
func (b *batch) state(id uint64) (*convState, error) {
	return b.d.state(b.convs, id)
}

// existing is state for a conversation that must exist.
func (b *batch) existing(id uint64) (*convState, error) {
	st, err := b.state(id)
	if err == nil && st == nil {
		err = errConvNotFound(id)
	}
	return st, err
}

// state returns the committer's copy of conversation id, reading it from
// convs if it is not cached, or nil if there is none. A conversation that
// is not cached is clean: dirty ones are never evicted.
func (d *DB) state(convs *bolt.Bucket, id uint64) (*convState, error) {
	if st, ok := d.states[id]; ok {
		return st, nil
	}
	v := convs.Get(u64(id))
	if v == nil {
		return nil, nil
	}
	st := new(convState)
	if err := decode(v, &st.rec); err != nil {
		return nil, err
	}
	d.states[id] = st
	return st, nil
}

// addTail records the entry seq at log position pos, with its id hash.
func (st *convState) addTail(pos, seq, hash uint64) {
	st.tail = append(st.tail, pos)
	st.hashes = append(st.hashes, hash)
	if hash != 0 {
		if st.byHash == nil {
			st.byHash = make(map[uint64]uint64)
		}
		st.byHash[hash] = seq
	}
}

// putRecord writes st's record now: for changes the log does not hold.
func (b *batch) putRecord(st *convState) error {
	v, err := encode(&st.rec)
	if err != nil {
		return err
	}
	if err := b.convs.Put(u64(st.rec.ID), v); err != nil {
		return fmt.Errorf("store: writing conversation %d: %w", st.rec.ID, err)
	}
	b.touched[st.rec.ID] = st
	return nil
}

// markDirty records that st has changes only the log holds so far, from
// log position pos on.
func (d *DB) markDirty(st *convState, pos uint64) {
	if !st.dirty {
		st.dirty, st.since = true, pos
		d.dirty[st.rec.ID] = st
	}
}

// trimCache evicts clean conversations beyond maxCachedConversations.
func (d *DB) trimCache() {
	if len(d.states) <= maxCachedConversations {
		return
	}
	// Map iteration order is random enough to evict by.
	for id, st := range d.states {
		if len(d.states) <= maxCachedConversations {
			break
		}
		if !st.dirty {
			delete(d.states, id)
		}
	}
}

// checkpointDue says whether enough waits for a checkpoint: the time
// since the last one ended, the entries or the conversations waiting.
func (d *DB) checkpointDue() bool {
	return len(d.dirty) > 0 && (time.Since(d.lastCheckpoint) >= d.checkpointEvery ||
		d.tailLen >= d.checkpointEntries || len(d.dirty) >= maxDirtyConversations)
}

// checkpoint runs checkpoint steps until nothing is dirty.
func (d *DB) checkpoint() error {
	d.checkpointTo = 0
	for len(d.dirty) > 0 {
		if err := d.checkpointStep(d.pos); err != nil {
			return err
		}
	}
	return nil
}

// dirtyUpTo says whether a conversation is dirty since log position pos or
// earlier.
func (d *DB) dirtyUpTo(pos uint64) bool {
	for _, st := range d.dirty {
		if st.since <= pos {
			return true
		}
	}
	return false
}

// checkpointStep writes the record and index entries of the
// checkpointStep conversations dirty longest, at most those dirty since log
// position to, in one transaction, and moves keyCheckpoint to just before
// the oldest entry still only in the log. It runs on the committer between
// batches. On failure nothing in memory changes, and the next step tries
// again.
func (d *DB) checkpointStep(to uint64) error {
	step := slices.SortedFunc(maps.Values(d.dirty), func(a, b *convState) int { return cmp.Compare(a.since, b.since) })
	n := 0
	for n < len(step) && n < checkpointStep && step[n].since <= to {
		n++
	}
	if n == 0 {
		d.lastCheckpoint = time.Now()
		return nil
	}
	rest := step[n:]
	step = step[:n]
	// Every entry before the oldest one left dirty is in the file after
	// this step.
	upTo := d.pos
	if len(rest) > 0 {
		upTo = rest[0].since - 1
	}

	// bbolt splits a leaf only when the transaction commits, and an insert
	// into a leaf shifts what follows the key: keys in random order make a
	// big transaction quadratic. So every bucket is written in key order.
	slices.SortFunc(step, func(a, b *convState) int { return cmp.Compare(a.rec.ID, b.rec.ID) })
	d.writing.RLock()
	err := d.db.Update(func(tx *bolt.Tx) error {
		convs, index := tx.Bucket(bucketConvs), tx.Bucket(bucketConvIndex)
		for _, st := range step {
			id := st.rec.ID
			for i, pos := range st.tail {
				if err := index.Put(indexKey(id, st.rec.Indexed+1+uint64(i)), indexValue(pos, st.hashes[i])); err != nil {
					return fmt.Errorf("store: indexing conversation %d: %w", id, err)
				}
			}
			rec := st.rec
			rec.Indexed = rec.LastSeq
			v, err := encode(&rec)
			if err != nil {
				return err
			}
			if err := convs.Put(u64(id), v); err != nil {
				return fmt.Errorf("store: writing conversation %d: %w", id, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyCheckpoint, u64(upTo))
	})
	d.writing.RUnlock()
	if err != nil {
		return fmt.Errorf("store: checkpoint: %w", mapClosed(err))
	}
	d.viewMu.Lock()
	for _, st := range step {
		// The file holds all of it now.
		d.tailLen -= len(st.tail)
		st.rec.Indexed = st.rec.LastSeq
		st.tail, st.hashes, st.byHash, st.dirty, st.since = nil, nil, nil, false, 0
		delete(d.dirty, st.rec.ID)
		delete(d.views, st.rec.ID)
	}
	d.viewMu.Unlock()
	if !d.dirtyUpTo(to) {
		d.lastCheckpoint = time.Now()
	}
	d.trimCache()
	return nil
}

// Checkpoint writes everything the log holds into the conversations'
// records and indexes now, as the committer does on its own from time to
// time and at Close.
func (d *DB) Checkpoint(ctx context.Context) error {
	return d.enqueue(ctx, &write{ctx: ctx, checkpoint: true, done: make(chan error, 1)})
}

// reload rebuilds the committer's state from the file: the records, then
// every log entry after the checkpoint. Open calls it, and so does a failed
// commit, whose changes to the copies were rolled back in the file.
func (d *DB) reload() error {
	d.states = make(map[uint64]*convState)
	d.dirty = make(map[uint64]*convState)
	d.tailLen = 0
	d.resetLoads()
	err := d.db.View(func(tx *bolt.Tx) error {
		var checkpoint uint64
		if v := tx.Bucket(bucketMeta).Get(keyCheckpoint); len(v) == 8 {
			checkpoint = be64(v)
		}
		convs := tx.Bucket(bucketConvs)
		c := tx.Bucket(bucketLog).Cursor()
		d.pos = 0
		if k, _ := c.Last(); k != nil {
			d.pos = be64(k)
		}
		for k, v := c.Seek(u64(checkpoint + 1)); k != nil; k, v = c.Next() {
			pos := be64(k)
			h, frame, err := decodeEntry(v)
			if err != nil {
				return fmt.Errorf("log entry %d: %w", pos, err)
			}
			st, err := d.state(convs, h.conv)
			if err != nil {
				return err
			}
			if st == nil {
				return fmt.Errorf("store: log entry %d names missing conversation %d", pos, h.conv)
			}
			f, err := parley.DecodeFrame(frame)
			if err != nil {
				return fmt.Errorf("store: log entry %d: %w", pos, err)
			}
			// A conversation written by a later checkpoint step than
			// keyCheckpoint holds some of the entries after it already.
			pending := false
			if h.seq > st.rec.Indexed {
				if want := st.rec.Indexed + uint64(len(st.tail)) + 1; h.seq != want {
					return fmt.Errorf("store: log entry %d is seq %d of conversation %d, want %d", pos, h.seq, h.conv, want)
				}
				var from parley.Author
				if f.From != nil {
					from = *f.From
				}
				st.addTail(pos, h.seq, idHash(from, f.ID))
				d.tailLen++
				pending = true
			}
			if pos > st.rec.LogPos {
				count := func(after uint64) (int, error) {
					return countVisitorMessages(tx, st.rec.ID, st.rec.Indexed, st.tail, after)
				}
				if err := st.rec.apply(pos, h, &f, count); err != nil {
					return err
				}
				pending = true
			}
			if pending {
				d.markDirty(st, pos)
			}
		}
		return d.countLoads(tx)
	})
	if err != nil {
		d.states = make(map[uint64]*convState)
		d.dirty = make(map[uint64]*convState)
		return fmt.Errorf("store: reading the log: %w", mapClosed(err))
	}
	d.viewMu.Lock()
	d.views = make(map[uint64]*convView, len(d.dirty))
	for id, st := range d.dirty {
		d.views[id] = st.view()
	}
	d.viewMu.Unlock()
	return nil
}

// countLoads counts the assignees of the open conversations, as reload
// left them.
func (d *DB) countLoads(tx *bolt.Tx) error {
	convs := tx.Bucket(bucketConvs)
	return tx.Bucket(bucketOpenConversations).ForEach(func(k, _ []byte) error {
		id := be64(k)
		if st, ok := d.states[id]; ok {
			d.track(&st.rec.Conversation)
			return nil
		}
		var rec convRecord
		if v := convs.Get(k); v != nil {
			if err := decode(v, &rec); err != nil {
				return fmt.Errorf("store: conversation %d: %w", id, err)
			}
			d.track(&rec.Conversation)
		}
		return nil
	})
}

// isOpen says whether conversation id is open, without decoding it. It
// looks at the key: Get cannot tell a missing key from an empty value
// written earlier in the same transaction (both are nil).
func (b *batch) isOpen(id uint64) bool {
	k := u64(id)
	found, _ := b.openConvs.Cursor().Seek(k)
	return string(found) == string(k)
}

// setStatus changes st's status and the open index with it, and writes the
// record: the log does not hold statuses. Opening a resolved conversation
// (StatusOpen or StatusQueued) puts it back in its team's queue, without
// an assignee; resolving stamps the time.
func (b *batch) setStatus(st *convState, status string) error {
	wasOpen := st.rec.IsOpen()
	if wasOpen == parley.IsOpenStatus(status) {
		return nil
	}
	var err error
	if !wasOpen {
		err = b.openConvs.Put(u64(st.rec.ID), []byte{})
	} else {
		err = b.openConvs.Delete(u64(st.rec.ID))
	}
	if err != nil {
		return fmt.Errorf("store: indexing conversation %d: %w", st.rec.ID, err)
	}
	c := &st.rec.Conversation
	if wasOpen {
		c.Status, c.Resolved = parley.StatusResolved, b.now
	} else {
		c.Status, c.Reopened, c.Queued = parley.StatusQueued, b.now, b.now
		c.Assignee, c.AssigneeName, c.Requeued = 0, "", false
	}
	c.Updated = b.now
	b.d.track(c)
	return b.putRecord(st)
}
