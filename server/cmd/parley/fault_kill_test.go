//go:build unix

package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// TestFaultKill9UnderLoad kills the server with SIGKILL while 200 visitors
// send as fast as their clients' pacing allows, restarts it on the same
// data file and port, and checks the promise: every acknowledged message is
// stored exactly once, in order, and reaches both the visitor's and the
// agent's history; the clients come back by themselves; the bbolt file is
// consistent.
func TestFaultKill9UnderLoad(t *testing.T) {
	const (
		visitors   = 200
		beforeKill = 2500 * time.Millisecond
		downFor    = 500 * time.Millisecond
		afterStart = 2 * time.Second
		// maxOutbox keeps a few messages in flight per visitor, so the
		// kill finds some written but not yet acknowledged.
		maxOutbox = 6
	)
	srv := newFaultServer(t)
	cookie := srv.login()

	agent := startFaultClient(t, srv.ws, faultAgentHello(), cookie, nil)
	vs := make([]*faultClient, visitors)
	for i := range vs {
		vs[i] = startFaultClient(t, srv.ws, faultVisitorHello(), nil, nil)
	}
	faultAllOnline(t, "before the kill", append([]*faultClient{agent}, vs...))

	// Each visitor i sends "c<i>-<n>", n = 0, 1, 2, …, keeping its outbox
	// short; sent[i] lists the ids in order.
	sent := make([][]string, visitors)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); {
				if len(v.c.Outbox()) >= maxOutbox {
					time.Sleep(25 * time.Millisecond)
					continue
				}
				sent[i] = append(sent[i], v.c.Send(v.conv(), fmt.Sprintf("c%d-%d", i, n), false))
				n++
			}
		}()
	}

	time.Sleep(beforeKill)
	ackedBefore, unacked := 0, 0
	for _, v := range vs {
		acks, _, _ := v.snapshot()
		ackedBefore += len(acks)
		unacked += len(v.c.Outbox())
	}
	srv.kill()
	killedAt := time.Now()
	time.Sleep(downFor)
	srv.start()
	restartedAt := time.Now()
	faultAllOnline(t, "after the restart", append([]*faultClient{agent}, vs...))
	t.Logf("killed with %d acks received and about %d messages in outboxes; restarted after %v; every client back online %v after the restart",
		ackedBefore, unacked, restartedAt.Sub(killedAt).Round(time.Millisecond), time.Since(restartedAt).Round(time.Millisecond))

	time.Sleep(afterStart)
	stop.Store(true)
	wg.Wait()
	faultDrainOutboxes(t, "after sending stopped", 45*time.Second, vs)

	// What each visitor client passes on to its app arrives after the ack,
	// on the same connection: give it a moment.
	faultWaitFor(faultStep, func() bool {
		for i, v := range vs {
			if v.msgCount() < len(sent[i]) {
				return false
			}
		}
		return true
	})

	var acked, dups, stored, reconnects int
	byConv := make(map[uint64][]parley.Frame) // the stored transcripts
	for i, v := range vs {
		conv := v.conv()
		if conv == 0 {
			t.Fatalf("visitor %d: no ack at all", i)
		}
		who := fmt.Sprintf("visitor %d (conversation %d)", i, conv)
		reconnects += int(v.welcome.Load()) - 1

		// The agent's history.
		msgs := srv.transcript(cookie, conv)
		byConv[conv] = msgs
		stored += len(msgs)
		if err := faultGapless(msgs); err != nil {
			t.Errorf("%s: stored transcript: %v", who, err)
			continue
		}
		if _, err := faultNumbered(msgs, fmt.Sprintf("c%d-", i)); err != nil {
			t.Errorf("%s: stored transcript: %v", who, err)
			continue
		}
		// Every message the visitor sent left its outbox, so every one is
		// stored, once, in the order sent.
		if len(msgs) != len(sent[i]) {
			t.Errorf("%s: %d messages stored, %d sent", who, len(msgs), len(sent[i]))
		}
		for k := range min(len(msgs), len(sent[i])) {
			if want := fmt.Sprintf("c%d-%d", i, k); msgs[k].ID != sent[i][k] || msgs[k].Text != want {
				t.Errorf("%s: seq %d is %s %q, want %s %q", who, msgs[k].Seq, msgs[k].ID, msgs[k].Text, sent[i][k], want)
				break
			}
		}

		// Every ack names the stored message; every stored message was
		// acked at least once (a lost ack is repaired by the resend).
		acks, delivered, errs := v.snapshot()
		for _, e := range errs {
			t.Errorf("%s: error frame %s %q for %s", who, e.Code, e.Message, e.ID)
		}
		ackedIDs := make(map[string]bool)
		for _, a := range acks {
			if a.Conv != conv || a.Seq == 0 || a.Seq > uint64(len(msgs)) || msgs[a.Seq-1].ID != a.ID {
				t.Errorf("%s: ack %s conv %d seq %d does not match the stored transcript", who, a.ID, a.Conv, a.Seq)
				continue
			}
			if a.Dup {
				dups++
			}
			ackedIDs[a.ID] = true
		}
		acked += len(ackedIDs)
		if len(ackedIDs) != len(msgs) {
			t.Errorf("%s: %d distinct messages acked, %d stored", who, len(ackedIDs), len(msgs))
		}

		// The visitor's history, twice: what their client passed on (each
		// message once, in order) and a fresh connection replaying from 0.
		if err := faultSameMessages(delivered, msgs); err != nil {
			t.Errorf("%s: messages the visitor's client delivered: %v", who, err)
		}
		hello := faultVisitorHello()
		hello.Token = v.c.Token()
		hello.Since = []parley.ResumeFrom{{Conv: conv, After: 0}}
		w, replayed := faultReplay(t, srv.ws, nil, hello)
		if w.Visitor == nil || w.Token != "" {
			t.Errorf("%s: the token was not recognised after the restart", who)
		}
		if err := faultSameMessages(replayed[conv], msgs); err != nil {
			t.Errorf("%s: replay from 0: %v", who, err)
		}
	}

	// The watching agent saw only stored messages: nothing reached anyone
	// before it was durable, even around the kill.
	_, seen, _ := agent.snapshot()
	for _, m := range seen {
		msgs := byConv[m.Conv]
		if m.Seq == 0 || m.Seq > uint64(len(msgs)) {
			t.Errorf("agent: got conversation %d seq %d %q, which is not stored", m.Conv, m.Seq, m.Text)
			continue
		}
		if err := faultSameMessages([]parley.Frame{m}, msgs[m.Seq-1:m.Seq]); err != nil {
			t.Errorf("agent: conversation %d: %v", m.Conv, err)
		}
	}
	t.Logf("%d visitors: %d messages stored, %d distinct acks (%d before the kill), %d dup acks for resends of stored messages, %d visitor reconnects; the agent saw %d live msg frames",
		visitors, stored, acked, ackedBefore, dups, reconnects, len(seen))

	for _, v := range append([]*faultClient{agent}, vs...) {
		v.stop()
	}
	if !srv.stop() {
		t.Errorf("parley did not exit cleanly on SIGTERM")
	}
	srv.checkStore()
}
