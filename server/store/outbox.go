package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// The outbox: one durable queue for every effect outside the process
// (DESIGN.md, "Growing the product"). A job is written in the same
// transaction as the change that causes it — an Append with Jobs, or
// Enqueue — so a crash never loses one and never leaves one without its
// cause. A worker (server/outbox) takes the due jobs, carries them out and
// finishes, retries or buries them, each through the committer.
//
// A job done outside but not yet finished here when the process dies is
// done again after the restart: that window is the only source of
// duplicates, and the job's id (an email's Message-ID is made from it)
// makes the second copy recognisable as the same.

// NewJob is a job to queue.
type NewJob struct {
	// Kind names the handler: "mail", …
	Kind string
	// Key, if set, is the job's idempotency key: a second job with the
	// same key is not queued, even after the first is done ("unseen:12:40":
	// the unseen-reply email for conversation 12 up to seq 40).
	Key string
	// Conv is the conversation it is about, if any.
	Conv uint64
	// Payload is the handler's input.
	Payload json.RawMessage
	// NotBefore delays the job; zero is now.
	NotBefore time.Time
}

// Job is a queued job.
type Job struct {
	ID        uint64          `json:"id"`
	Kind      string          `json:"kind"`
	Key       string          `json:"key,omitempty"`
	Conv      uint64          `json:"conv,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Created   time.Time       `json:"created"`
	NotBefore time.Time       `json:"notBefore"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"lastError,omitempty"`
}

// OnJobs sets the function called after a commit that queued jobs, from
// the committer: it must not block (a worker's wake-up).
func (d *DB) OnJobs(fn func()) { d.onJobs.Store(&fn) }

// Bounds of the outbox.
const (
	maxJobPayload = 256 << 10
	maxJobKey     = 200
)

// Enqueue queues jobs in one transaction and returns their ids (0 for a
// job whose key was queued before).
func (d *DB) Enqueue(ctx context.Context, jobs ...NewJob) ([]uint64, error) {
	var ids []uint64
	err := d.do(ctx, func(b *batch) error {
		if err := checkJobs(jobs); err != nil {
			return err
		}
		ids = ids[:0]
		for _, j := range jobs {
			id, err := b.enqueue(j)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	}, nil)
	return ids, err
}

// checkJobs checks each of jobs before any is written.
func checkJobs(jobs []NewJob) error {
	for _, j := range jobs {
		if err := checkJob(j); err != nil {
			return err
		}
	}
	return nil
}

// enqueueFor writes jobs in the batch's transaction, each job without a
// conversation given conv.
func (b *batch) enqueueFor(conv uint64, jobs []NewJob) error {
	for _, j := range jobs {
		if j.Conv == 0 {
			j.Conv = conv
		}
		if _, err := b.enqueue(j); err != nil {
			return err
		}
	}
	return nil
}

func checkJob(j NewJob) error {
	switch {
	case j.Kind == "":
		return parley.Errorf(parley.EInvalid, "A job needs a kind.")
	case len(j.Key) > maxJobKey:
		return parley.Errorf(parley.ETooLarge, "A job key is at most %d bytes.", maxJobKey)
	case len(j.Payload) > maxJobPayload:
		return parley.Errorf(parley.ETooLarge, "A job payload is at most %d bytes.", maxJobPayload)
	}
	return nil
}

// enqueue writes one job in the batch's transaction.
func (b *batch) enqueue(j NewJob) (uint64, error) {
	keys := b.tx.Bucket(bucketOutboxKeys)
	if j.Key != "" && keys.Get([]byte(j.Key)) != nil {
		return 0, nil
	}
	out := b.tx.Bucket(bucketOutbox)
	id, err := out.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("store: numbering a job: %w", err)
	}
	nb := j.NotBefore
	if nb.IsZero() || nb.Before(b.now) {
		nb = b.now
	}
	job := Job{ID: id, Kind: j.Kind, Key: j.Key, Conv: j.Conv, Payload: j.Payload, Created: b.now, NotBefore: nb}
	if err := putJob(b.tx, job); err != nil {
		return 0, err
	}
	if j.Key != "" {
		if err := keys.Put([]byte(j.Key), u64(id)); err != nil {
			return 0, fmt.Errorf("store: job key: %w", err)
		}
	}
	b.jobs++
	return id, nil
}

func putJob(tx *bolt.Tx, j Job) error {
	v, err := encode(&j)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketOutbox).Put(u64(j.ID), v); err != nil {
		return fmt.Errorf("store: writing job %d: %w", j.ID, err)
	}
	if err := tx.Bucket(bucketOutboxDue).Put(dueKey(j), nil); err != nil {
		return fmt.Errorf("store: indexing job %d: %w", j.ID, err)
	}
	return nil
}

func dueKey(j Job) []byte { return key2(uint64(j.NotBefore.UnixMilli()), j.ID) }

// DueJobs returns up to limit queued jobs due at now, the earliest first.
func (d *DB) DueJobs(now time.Time, limit int) ([]Job, error) {
	var out []Job
	err := d.view(func(tx *bolt.Tx) error {
		jobs := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxDue).Cursor()
		until := uint64(now.UnixMilli())
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if be64(k[:8]) > until {
				break
			}
			var j Job
			if err := decode(jobs.Get(k[8:]), &j); err != nil {
				return fmt.Errorf("store: job %d: %w", be64(k[8:]), err)
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

// Job returns queued job id; false when it is not queued (done, buried or
// never was).
func (d *DB) Job(id uint64) (Job, bool, error) {
	var j Job
	var ok bool
	err := d.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutbox).Get(u64(id))
		if v == nil {
			return nil
		}
		ok = true
		return decode(v, &j)
	})
	return j, ok, err
}

// NextJobAt is when the earliest queued job is due, and false when none is.
func (d *DB) NextJobAt() (time.Time, bool) {
	var at time.Time
	var ok bool
	d.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketOutboxDue).Cursor().First(); k != nil {
			at, ok = time.UnixMilli(int64(be64(k[:8]))), true
		}
		return nil
	})
	return at, ok
}

// OutboxLen counts the queued jobs and the buried ones.
func (d *DB) OutboxLen() (queued, dead int) {
	d.view(func(tx *bolt.Tx) error {
		queued, dead = tx.Bucket(bucketOutbox).Stats().KeyN, tx.Bucket(bucketOutboxDead).Stats().KeyN
		return nil
	})
	return queued, dead
}

// FinishJob removes a job that was carried out. Finishing one that is
// gone is no error: the worker may race a restart.
func (d *DB) FinishJob(ctx context.Context, id uint64) error {
	return d.do(ctx, func(b *batch) error {
		j, ok, err := b.job(id)
		if err != nil || !ok {
			return err
		}
		return b.dropJob(j)
	}, nil)
}

// RetryJob records a failed attempt and queues the job again at next.
func (d *DB) RetryJob(ctx context.Context, id uint64, next time.Time, reason string) error {
	return d.do(ctx, func(b *batch) error {
		j, ok, err := b.job(id)
		if err != nil || !ok {
			return err
		}
		if err := b.tx.Bucket(bucketOutboxDue).Delete(dueKey(j)); err != nil {
			return err
		}
		j.Attempts++
		j.LastError = parley.Truncate(reason, 500)
		j.NotBefore = next
		return putJob(b.tx, j)
	}, nil)
}

// BuryJob gives a job up: it moves to the dead jobs, with the reason.
func (d *DB) BuryJob(ctx context.Context, id uint64, reason string) error {
	return d.do(ctx, func(b *batch) error {
		j, ok, err := b.job(id)
		if err != nil || !ok {
			return err
		}
		j.Attempts++
		j.LastError = parley.Truncate(reason, 500)
		v, err := encode(&j)
		if err != nil {
			return err
		}
		if err := b.tx.Bucket(bucketOutboxDead).Put(u64(j.ID), v); err != nil {
			return err
		}
		return b.dropJob(j)
	}, nil)
}

// DeadJobs returns the buried jobs, the newest first, at most limit.
func (d *DB) DeadJobs(limit int) ([]Job, error) {
	var out []Job
	err := d.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutboxDead).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var j Job
			if err := decode(v, &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

func (b *batch) job(id uint64) (Job, bool, error) {
	v := b.tx.Bucket(bucketOutbox).Get(u64(id))
	if v == nil {
		return Job{}, false, nil
	}
	var j Job
	if err := decode(v, &j); err != nil {
		return Job{}, false, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, true, nil
}

// dropJob removes j from the queue; its key stays, so it is never queued
// again.
func (b *batch) dropJob(j Job) error {
	if err := b.tx.Bucket(bucketOutboxDue).Delete(dueKey(j)); err != nil {
		return err
	}
	return b.tx.Bucket(bucketOutbox).Delete(u64(j.ID))
}
