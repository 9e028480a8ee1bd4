package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/store"
)

func openDB(tb testing.TB, path string) *store.DB {
	tb.Helper()
	d, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// start runs w until the test ends.
func start(tb testing.TB, w *outbox.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// openShop opens a store with a site, "shop", and a visitor of it, closed
// when the test ends.
func openShop(tb testing.TB) (*store.DB, parley.Visitor) {
	tb.Helper()
	d := openDB(tb, filepath.Join(tb.TempDir(), "parley.db"))
	tb.Cleanup(func() { d.Close() })
	if err := d.CreateSite(parley.Site{ID: "shop", Name: "Shop"}); err != nil {
		tb.Fatal(err)
	}
	v, err := d.CreateVisitor("shop", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		tb.Fatal(err)
	}
	return d, v
}

// TestJobsWithTheirCause: a job queued with an entry commits with it, is
// carried out once, and its key keeps a second copy out.
func TestJobsWithTheirCause(t *testing.T) {
	d, v := openShop(t)
	var got sync.Map
	var runs atomic.Int64
	w := &outbox.Worker{DB: d, Handlers: map[string]outbox.Handler{"mail": func(ctx context.Context, j store.Job) error {
		runs.Add(1)
		got.Store(j.ID, j)
		return nil
	}}}
	d.OnJobs(w.Kick)
	start(t, w)

	job := store.NewJob{Kind: "mail", Key: "offline-form:1", Payload: json.RawMessage(`{"to":"shop@example.com"}`)}
	res, err := d.Append(t.Context(), store.Append{Site: "shop", Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID},
		ID: "m1", Text: "Are you open on Sunday?", Jobs: []store.NewJob{job}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job", func() bool { q, _ := d.OutboxLen(); return runs.Load() == 1 && q == 0 })
	got.Range(func(_, v any) bool {
		j := v.(store.Job)
		if j.Conv != res.Conv.ID || j.Kind != "mail" || string(j.Payload) != `{"to":"shop@example.com"}` {
			t.Errorf("job %+v, want the conversation's mail", j)
		}
		return true
	})
	// The same key again, or a resend of the entry: nothing more.
	if ids, err := d.Enqueue(t.Context(), job); err != nil || ids[0] != 0 {
		t.Errorf("a second job with the key: ids %v, %v; want none queued", ids, err)
	}
	if _, err := d.Append(t.Context(), store.Append{Site: "shop", Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID},
		ID: "m1", Text: "Are you open on Sunday?", Jobs: []store.NewJob{{Kind: "mail"}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if runs.Load() != 1 {
		t.Errorf("jobs run: %d, want 1 (a resend queues nothing)", runs.Load())
	}
	// Bad jobs are refused and change nothing.
	for _, bad := range []store.NewJob{{}, {Kind: "mail", Key: string(make([]byte, 300))}, {Kind: "mail", Payload: make(json.RawMessage, 300<<10)}} {
		if _, err := d.Enqueue(t.Context(), bad); parley.ErrorCode(err) == "" {
			t.Errorf("bad job accepted: %v", err)
		}
	}
}

// TestStartJobsOnlyWithANewConversation: a job meant for a new chat is
// queued by the entry that starts the conversation, and by no later one.
func TestStartJobsOnlyWithANewConversation(t *testing.T) {
	d, v := openShop(t)
	from := parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}
	start := []store.NewJob{{Kind: "mail", Payload: json.RawMessage(`{}`)}}
	first, err := d.Append(t.Context(), store.Append{Site: "shop", Visitor: v.ID, From: from, ID: "m1", Text: "Hello?", StartJobs: start})
	if err != nil {
		t.Fatal(err)
	}
	// A later message of the open conversation, named or not.
	for i, conv := range []uint64{first.Conv.ID, 0} {
		if _, err := d.Append(t.Context(), store.Append{Site: "shop", Visitor: v.ID, From: from, Conv: conv, ID: fmt.Sprint("m", i+2), Text: "Anyone?", StartJobs: start}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := d.DueJobs(time.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Conv != first.Conv.ID {
		t.Errorf("jobs %+v, want one, of conversation %d", jobs, first.Conv.ID)
	}
	// A bad start job is refused with its entry, which is not stored.
	if _, err := d.Append(t.Context(), store.Append{Site: "shop", Visitor: v.ID, From: from, ID: "m9", Text: "x", StartJobs: []store.NewJob{{}}}); parley.ErrorCode(err) != parley.EInvalid {
		t.Errorf("a start job without a kind: %v, want invalid", err)
	}
}

// TestRetryBackoffAndBury: a failing job is retried later and later, then
// done; a permanent failure is buried with its reason.
func TestRetryBackoffAndBury(t *testing.T) {
	d := openDB(t, filepath.Join(t.TempDir(), "parley.db"))
	defer d.Close()
	var mu sync.Mutex
	var attempts []time.Time
	w := &outbox.Worker{DB: d, FirstRetry: 20 * time.Millisecond, MaxBackoff: time.Second, Handlers: map[string]outbox.Handler{
		"flaky": func(ctx context.Context, j store.Job) error {
			mu.Lock()
			defer mu.Unlock()
			attempts = append(attempts, time.Now())
			if len(attempts) < 4 {
				return errors.New("421 try again later")
			}
			return nil
		},
		"broken": func(ctx context.Context, j store.Job) error {
			return outbox.Permanent(errors.New("550 no such user"))
		},
	}}
	d.OnJobs(w.Kick)
	start(t, w)
	if _, err := d.Enqueue(t.Context(), store.NewJob{Kind: "flaky"}, store.NewJob{Kind: "broken"}, store.NewJob{Kind: "unknown"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the flaky job done, the others buried", func() bool { q, dead := d.OutboxLen(); return q == 0 && dead == 2 })
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 4 {
		t.Fatalf("flaky job attempted %d times, want 4", len(attempts))
	}
	for i, want := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond} {
		if gap := attempts[i+1].Sub(attempts[i]); gap < want {
			t.Errorf("retry %d came after %v, want at least %v", i+1, gap, want)
		}
	}
	dead, err := d.DeadJobs(10)
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead jobs: %+v, %v", dead, err)
	}
	for _, j := range dead {
		if j.LastError == "" || j.Attempts != 1 {
			t.Errorf("buried job %+v: want its reason after one attempt", j)
		}
	}
	if b := w.Backoff(30); b != time.Second {
		t.Errorf("backoff after 30 attempts: %v, want the cap", b)
	}
}

// TestJobsSurviveRestart: jobs not finished when the process stops are
// all there after the restart, and each is carried out.
func TestJobsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d := openDB(t, path)
	jobs := make([]store.NewJob, 200)
	for i := range jobs {
		jobs[i] = store.NewJob{Kind: "mail", Key: fmt.Sprint("k", i)}
	}
	if _, err := d.Enqueue(t.Context(), jobs...); err != nil {
		t.Fatal(err)
	}
	// A worker that gets stuck in a slow mail server, and the process
	// stops under it.
	stuck := make(chan struct{})
	var first atomic.Int64
	w := &outbox.Worker{DB: d, Handlers: map[string]outbox.Handler{"mail": func(ctx context.Context, j store.Job) error {
		if first.Add(1) > 2 {
			<-stuck
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stuck:
			return nil
		}
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	waitFor(t, "jobs under way", func() bool { return first.Load() >= 4 })
	cancel()
	close(stuck)
	<-done
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = openDB(t, path)
	defer d.Close()
	q, _ := d.OutboxLen()
	var seen sync.Map
	var n atomic.Int64
	w2 := &outbox.Worker{DB: d, Handlers: map[string]outbox.Handler{"mail": func(ctx context.Context, j store.Job) error {
		if _, dup := seen.LoadOrStore(j.ID, true); dup {
			t.Errorf("job %d carried out twice after the restart", j.ID)
		}
		n.Add(1)
		return nil
	}}}
	d.OnJobs(w2.Kick)
	start(t, w2)
	waitFor(t, "every job after the restart", func() bool { q2, _ := d.OutboxLen(); return q2 == 0 })
	if int(n.Load()) != q || q < 196 {
		t.Errorf("after the restart %d jobs were queued and %d carried out; want all of the 200 not finished before", q, n.Load())
	}
}
