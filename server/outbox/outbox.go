// Package outbox carries out the store's outbox: the durable jobs every
// effect outside the process is queued as (an email today). A Worker takes
// the due jobs in order, hands each to the handler of its kind, and
// finishes it, retries it later with exponential backoff, or buries it
// when it cannot succeed, each through the store's committer.
//
// A job is finished only after its handler returned: a crash in between
// does it again after the restart. Handlers make that recognisable (an
// email's Message-ID comes from the job id).
//
// It may import app/parley and server/store.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/server/store"
)

// Handler carries out one job. An error wrapped with Permanent buries
// the job; any other is retried.
type Handler func(ctx context.Context, j store.Job) error

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as one a retry cannot fix (a 5xx from the mail
// server, a payload the handler cannot read).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent says whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Defaults of a Worker.
const (
	DefaultFirstRetry  = 30 * time.Second
	DefaultMaxBackoff  = time.Hour
	DefaultMaxAttempts = 20 // 30 s doubling to an hour: about 15 hours in all
	DefaultConcurrency = 4
	DefaultJobTimeout  = time.Minute
	// batchSize is how many due jobs one look at the store takes.
	batchSize = 64
)

// Worker runs the jobs of a store's outbox.
type Worker struct {
	DB       *store.DB
	Handlers map[string]Handler
	Log      *slog.Logger
	// Now and After are the clock; tests replace them.
	Now   func() time.Time
	After func(d time.Duration) <-chan time.Time
	// FirstRetry doubles with each attempt up to MaxBackoff; after
	// MaxAttempts the job is buried.
	FirstRetry, MaxBackoff time.Duration
	MaxAttempts            int
	// Concurrency bounds the jobs carried out at once; JobTimeout one job.
	Concurrency int
	JobTimeout  time.Duration

	once    sync.Once
	kick    chan struct{}
	mu      sync.Mutex
	running map[uint64]bool
	wg      sync.WaitGroup
}

func (w *Worker) defaults() {
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.After == nil {
		w.After = time.After
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if w.FirstRetry <= 0 {
		w.FirstRetry = DefaultFirstRetry
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = DefaultMaxBackoff
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = DefaultMaxAttempts
	}
	if w.Concurrency <= 0 {
		w.Concurrency = DefaultConcurrency
	}
	if w.JobTimeout <= 0 {
		w.JobTimeout = DefaultJobTimeout
	}
	if w.kick == nil {
		w.kick = make(chan struct{}, 1)
	}
	if w.running == nil {
		w.running = make(map[uint64]bool)
	}
}

// Kick wakes the worker: jobs were queued. It never blocks; call it from
// the store's OnJobs.
func (w *Worker) Kick() {
	w.once.Do(w.defaults)
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Backoff is the delay before attempt n+1 after n failed ones.
func (w *Worker) Backoff(n int) time.Duration {
	d := w.FirstRetry
	for i := 1; i < n && d < w.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.MaxBackoff)
}

// Run carries out jobs until ctx ends, then waits for those under way.
func (w *Worker) Run(ctx context.Context) {
	w.once.Do(w.defaults)
	defer w.wg.Wait()
	sem := make(chan struct{}, w.Concurrency)
	for {
		jobs, err := w.DB.DueJobs(w.Now(), batchSize)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox: reading due jobs", "err", err)
		}
		for _, j := range jobs {
			if !w.claim(j.ID) {
				continue
			}
			// The list was read before jobs under way finished: run one
			// only if it is still queued as read.
			if cur, ok, err := w.DB.Job(j.ID); err != nil || !ok || cur.Attempts != j.Attempts || cur.NotBefore.After(w.Now()) {
				w.release(j.ID)
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				w.release(j.ID)
				return
			}
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				defer func() { <-sem }()
				defer w.release(j.ID)
				w.do(ctx, j)
			}()
		}
		wait := time.Minute
		if at, ok := w.DB.NextJobAt(); ok {
			wait = max(at.Sub(w.Now()), 10*time.Millisecond)
		}
		if len(jobs) == batchSize {
			wait = 0 // more are due
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-w.After(wait):
		}
	}
}

func (w *Worker) claim(id uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running[id] {
		return false
	}
	w.running[id] = true
	return true
}

func (w *Worker) release(id uint64) {
	w.mu.Lock()
	delete(w.running, id)
	w.mu.Unlock()
	w.Kick() // a job that was running may be due again, or more wait
}

// do carries out j and records the outcome. The outcome is written with
// a context of its own: a shutdown must not lose the news that a mail
// went out.
func (w *Worker) do(ctx context.Context, j store.Job) {
	h, ok := w.Handlers[j.Kind]
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no handler for jobs of kind %q", j.Kind))
	} else {
		jctx, cancel := context.WithTimeout(ctx, w.JobTimeout)
		err = h(jctx, j)
		cancel()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		err = w.DB.FinishJob(rctx, j.ID)
	case ctx.Err() != nil:
		return // shutting down: the job stays queued as it was
	case IsPermanent(err) || j.Attempts+1 >= w.MaxAttempts:
		w.Log.Warn("outbox: giving up a job", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts+1, "err", err)
		err = w.DB.BuryJob(rctx, j.ID, err.Error())
	default:
		next := w.Now().Add(w.Backoff(j.Attempts + 1))
		w.Log.Info("outbox: job failed, retrying", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts+1, "next", next, "err", err)
		err = w.DB.RetryJob(rctx, j.ID, next, err.Error())
	}
	if err != nil {
		w.Log.Error("outbox: recording a job's outcome", "job", j.ID, "err", err)
	}
}
