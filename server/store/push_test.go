package store_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// testPushSub is a valid subscription at endpoint n.
func testPushSub(tb testing.TB, n int) parley.PushSubscription {
	tb.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return parley.PushSubscription{Endpoint: fmt.Sprintf("https://push.example/sub/%d", n),
		Keys: parley.PushKeys{P256dh: base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), Auth: base64.RawURLEncoding.EncodeToString(auth)}}
}

func endpoints(p store.PushAgent) []string {
	var out []string
	for _, s := range p.Subs {
		out = append(out, s.Endpoint)
	}
	return out
}

func TestPushSubscriptions(t *testing.T) {
	d := openTestDB(t)
	ctx := context.Background()

	p, err := d.PushAgent(7)
	if err != nil || len(p.Subs) != 0 || p.Prefs != parley.DefaultPushPrefs {
		t.Fatalf("PushAgent of nobody: got %+v, %v; want no subscription and the default preferences", p, err)
	}
	for i := range parley.MaxPushSubscriptions + 2 {
		if _, err := d.AddPushSubscription(ctx, 7, testPushSub(t, i)); err != nil {
			t.Fatalf("AddPushSubscription %d: %v", i, err)
		}
	}
	// A renewal moves its endpoint to the newest.
	if _, err := d.AddPushSubscription(ctx, 7, testPushSub(t, 2)); err != nil {
		t.Fatal(err)
	}
	p, _ = d.PushAgent(7)
	if got := endpoints(p); len(got) != parley.MaxPushSubscriptions || got[0] != "https://push.example/sub/3" || got[len(got)-1] != "https://push.example/sub/2" {
		t.Errorf("subscriptions: got %v, want the newest %d, oldest first, sub/2 last", got, parley.MaxPushSubscriptions)
	}

	if _, err := d.AddPushSubscription(ctx, 8, testPushSub(t, 100)); err != nil {
		t.Fatal(err)
	}
	// Agent 7 cannot remove agent 8's subscription.
	if _, found, err := d.RemovePushSubscription(ctx, 7, "https://push.example/sub/100"); err != nil || found {
		t.Errorf("removing another agent's subscription: found %v, %v; want not found", found, err)
	}
	if p, _ := d.PushAgent(8); len(p.Subs) != 1 {
		t.Errorf("agent 8 lost its subscription: %+v", p)
	}
	if _, found, err := d.RemovePushSubscription(ctx, 8, "https://push.example/sub/100"); err != nil || !found {
		t.Errorf("removing its own: found %v, %v; want found", found, err)
	}

	off := parley.PushPrefs{Message: true}
	if _, err := d.SetPushPrefs(ctx, 7, off); err != nil {
		t.Fatal(err)
	}
	all, err := d.PushAgents()
	if err != nil || len(all) != 1 || all[0].Agent != 7 || all[0].Prefs != off {
		t.Errorf("PushAgents: got %+v, %v; want agent 7 alone, with its preferences", all, err)
	}

	bad := testPushSub(t, 1)
	bad.Endpoint = "ftp://push.example/x"
	_, err = d.AddPushSubscription(ctx, 7, bad)
	wantCode(t, err, parley.EInvalid)
}

func TestVAPIDKeyKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k1, err := d.VAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	d = openTestDBAt(t, path, store.Options{})
	k2, err := d.VAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.Bytes(), k2.Bytes()) {
		t.Error("the VAPID key changed across a restart")
	}
}

// TestJobsWithTheirCause: a Route's jobs are queued with a routing change
// that commits, none with one refused; an Append's JobsAfter sees the
// conversation as the entry leaves it, and whether it started it.
func TestJobsWithTheirCause(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	conv := newQueued(t, d, "shop", 1, "")[0]
	job := store.NewJob{Kind: "push", Payload: []byte(`{"agent":7}`)}

	if _, err := d.Claim(testContext(t), store.Route{Conv: conv, By: *agentAuthor(7), To: agentAuthor(7), Capacity: 3, Jobs: []store.NewJob{job}}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := d.DueJobs(time.Now().Add(time.Minute), 10)
	if len(jobs) != 1 || jobs[0].Conv != conv || jobs[0].Kind != "push" {
		t.Fatalf("after a claim with a job: %+v", jobs)
	}
	// Refused (assigned already): nothing queued.
	_, err := d.Claim(testContext(t), store.Route{Conv: conv, By: *agentAuthor(8), To: agentAuthor(8), Capacity: 3, Jobs: []store.NewJob{job}})
	wantCode(t, err, parley.EConflict)
	if q, _ := d.OutboxLen(); q != 1 {
		t.Errorf("a refused claim queued its job: %d queued", q)
	}

	type call struct {
		assignee uint64
		started  bool
	}
	var calls []call
	after := func(c parley.Conversation, started bool) []store.NewJob {
		calls = append(calls, call{c.Assignee, started})
		return []store.NewJob{job}
	}
	v := mustCreateVisitor(t, d, "shop")
	a := visitorSend(v, 0, "n1", "new chat")
	a.JobsAfter = after
	fresh := mustAppend(t, d, a).Conv.ID
	a = visitorSend(v, fresh, "n1", "new chat") // a resend: nothing
	a.JobsAfter = after
	mustAppend(t, d, a)
	a = visitorSend(v, conv, "n2", "in the claimed chat")
	// conv belongs to another visitor: use its own.
	c, _ := d.Conversation(conv)
	a.Visitor = c.Visitor
	a.JobsAfter = after
	mustAppend(t, d, a)
	if want := []call{{0, true}, {7, false}}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("JobsAfter calls: %v, want %v", calls, want)
	}
	if q, _ := d.OutboxLen(); q != 3 {
		t.Errorf("%d jobs queued, want 3", q)
	}
}
