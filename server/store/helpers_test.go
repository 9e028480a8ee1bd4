package store_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// openTestDB opens a fresh database in a temporary directory. At cleanup it
// checks the file's structure, then closes it.
func openTestDB(tb testing.TB) *store.DB {
	tb.Helper()
	return openTestDBAt(tb, filepath.Join(tb.TempDir(), "parley.db"), store.Options{})
}

func openTestDBAt(tb testing.TB, path string, opts store.Options) *store.DB {
	tb.Helper()
	d, err := store.Open(path, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := d.Check(); err != nil {
			tb.Errorf("Check: %v", err)
		}
		if err := d.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return d
}

// wantCode fails unless err carries the parley error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != want {
		tb.Fatalf("error code: got %q (%v), want %q", got, err, want)
	}
}

func mustCreateSite(tb testing.TB, d *store.DB, id string) parley.Site {
	tb.Helper()
	s := parley.Site{ID: id, Name: "Shop " + id, AllowedOrigins: []string{"https://" + id + ".example"}}
	if err := d.CreateSite(s); err != nil {
		tb.Fatalf("CreateSite(%q): %v", id, err)
	}
	return s
}

func randomHash(tb testing.TB) []byte {
	tb.Helper()
	token := make([]byte, 32)
	rand.Read(token)
	h := sha256.Sum256(token)
	return h[:]
}

func mustCreateVisitor(tb testing.TB, d *store.DB, site string) parley.Visitor {
	tb.Helper()
	v, err := d.CreateVisitor(site, randomHash(tb))
	if err != nil {
		tb.Fatalf("CreateVisitor(%q): %v", site, err)
	}
	return v
}

func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func visitorSend(v parley.Visitor, conv uint64, id, text string) store.Append {
	return store.Append{
		Site:    v.Site,
		Conv:    conv,
		Visitor: v.ID,
		From:    parley.Author{Kind: parley.AuthorVisitor, ID: v.ID, Name: v.Name},
		ID:      id,
		Text:    text,
	}
}

func agentSend(agent uint64, conv uint64, id, text string) store.Append {
	return store.Append{
		Conv: conv,
		From: parley.Author{Kind: parley.AuthorAgent, ID: agent, Name: "Ann"},
		ID:   id,
		Text: text,
	}
}

func mustAppend(tb testing.TB, d *store.DB, a store.Append) store.Appended {
	tb.Helper()
	res, err := d.Append(testContext(tb), a)
	if err != nil {
		tb.Fatalf("Append(%s %q): %v", a.From.Kind, a.ID, err)
	}
	return res
}

// frames returns the stored messages of conv after seq, decoded.
func frames(tb testing.TB, d *store.DB, conv, after uint64, limit int) []parley.Message {
	tb.Helper()
	var ms []parley.Message
	err := d.Messages(conv, after, limit, func(b []byte) error {
		var f parley.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		if f.Type != parley.TypeMsg {
			return errors.New("stored frame is not a msg: " + string(b))
		}
		ms = append(ms, f.ToMessage())
		return nil
	})
	if err != nil {
		tb.Fatalf("Messages(%d, %d, %d): %v", conv, after, limit, err)
	}
	return ms
}

// blockCommitter holds the committer inside the OnCommit hook of a commit of
// its own, so that writes issued meanwhile pile up into one batch. It returns
// a function that waits until n writes are queued and then lets the
// committer go on. The hook hands every later batch to record. Create what
// the test needs before calling it: every write waits while it holds.
func blockCommitter(tb testing.TB, d *store.DB, record func([]store.Committed)) (releaseWhenQueued func(n int)) {
	tb.Helper()
	entered := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	// A failing test must not leave the committer stuck: Close waits for it.
	tb.Cleanup(func() { once.Do(func() { close(release) }) })
	first := true
	d.OnCommit(func(cs []store.Committed) {
		if first {
			first = false
			close(entered)
			<-release
			return
		}
		if record != nil {
			record(cs)
		}
	})
	// Commit one message so that the committer sits in the hook.
	site := mustCreateSite(tb, d, "blocker")
	v := mustCreateVisitor(tb, d, site.ID)
	go d.Append(context.Background(), visitorSend(v, 0, "block", "hold on"))
	<-entered
	return func(n int) {
		tb.Helper()
		ctx := testContext(tb)
		for store.QueueLen(d) < n {
			select {
			case <-ctx.Done():
				tb.Fatalf("queued writes: got %d, want %d", store.QueueLen(d), n)
			case <-time.After(time.Millisecond):
			}
		}
		once.Do(func() { close(release) })
	}
}
