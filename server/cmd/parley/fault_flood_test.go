//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestFaultFlood has one visitor socket send thousands of messages as fast
// as it can while 20 other conversations chat at a normal pace. The
// flooder must get rate_limited errors naming its messages and then be
// closed with 1008; nothing refused may be stored; everyone else's
// messages must be acked and delivered (their latency before and during
// the flood is logged, not asserted); the server must stay up.
func TestFaultFlood(t *testing.T) {
	const (
		visitors = 20
		interval = 500 * time.Millisecond // 2 messages/s per visitor
		baseline = 3 * time.Second
		flood    = 3 * time.Second // the flooder reconnects and floods again until this has passed
		after    = 2 * time.Second
		sends    = 2000 // per flooding connection
	)
	srv := newFaultServer(t)
	cookie := srv.login()
	lat := newFaultLatency()

	agent := startFaultClient(t, srv.ws, faultAgentHello(), cookie, lat.received)
	vs := make([]*faultClient, visitors)
	for i := range vs {
		vs[i] = startFaultClient(t, srv.ws, faultVisitorHello(), nil, nil)
	}
	faultAllOnline(t, "at the start", append([]*faultClient{agent}, vs...))

	traffic := startFaultTraffic(vs, "n", 0, interval, lat, "baseline")
	time.Sleep(baseline)
	traffic.setPhase("flood")

	// The same visitor floods again and again, reconnecting after each
	// close, until the flood phase is over.
	token := ""
	var conv uint64
	acked := make(map[string]bool)   // over all its connections
	refused := make(map[string]bool) // ids that got rate_limited
	written := 0
	floodStart := time.Now()
	rounds := 0
	for rounds == 0 || time.Since(floodStart) < flood {
		rounds++
		res := faultFloodOnce(t, srv.ws, token, fmt.Sprintf("r%d-", rounds), sends)
		token = res.token
		written += res.written
		for _, id := range res.acked {
			acked[id] = true
		}
		for _, id := range res.limited {
			refused[id] = true
		}
		if res.conv != 0 {
			conv = res.conv
		}
		if res.code != websocket.StatusPolicyViolation || res.reason != "flooding" {
			t.Errorf("flood %d: closed with %d %q, want 1008 \"flooding\"", rounds, res.code, res.reason)
		}
		if len(res.limited) == 0 {
			t.Errorf("flood %d: closed before any rate_limited error naming a message reached it", rounds)
		}
		if len(res.otherErrs) > 0 {
			t.Errorf("flood %d: unexpected errors: %v", rounds, res.otherErrs)
		}
		if rounds == 1 {
			t.Logf("flood 1: %d sends written before the close, %d acked, %d rate_limited errors with their ids, then close %d %q",
				res.written, len(res.acked), len(res.limited), res.code, res.reason)
		}
	}
	floodFor := time.Since(floodStart)
	traffic.setPhase("after")
	time.Sleep(after)
	sent := traffic.halt()
	faultDrainOutboxes(t, "after traffic stopped", faultStep, vs)
	faultWaitFor(faultStep, func() bool { return len(lat.missing()) == 0 })

	// Everyone else: every message stored once, in order, acked and
	// delivered to the agent.
	total := 0
	for i, v := range vs {
		total += len(faultCheckSent(t, srv, cookie, fmt.Sprintf("visitor %d", i), v, fmt.Sprintf("n%d-", i), sent[i]))
	}
	if miss := lat.missing(); len(miss) > 0 {
		t.Errorf("%d messages never reached the agent, e.g. %s", len(miss), miss[0])
	}
	if n := agent.welcome.Load(); n != 1 {
		t.Errorf("the agent connected %d times, want once", n)
	}

	// The flooder: exactly its acked messages are stored, once; nothing
	// refused is. The close comes after the frames queued before it, acks
	// included.
	if conv == 0 {
		t.Fatal("the flooder got no ack at all")
	}
	stored := srv.transcript(cookie, conv)
	if err := faultGapless(stored); err != nil {
		t.Errorf("flooder's transcript: %v", err)
	}
	inStore := make(map[string]bool, len(stored))
	for _, m := range stored {
		inStore[m.ID] = true
		if refused[m.ID] {
			t.Errorf("flooder: %s was refused with rate_limited but is stored as seq %d", m.ID, m.Seq)
		}
	}
	for id := range acked {
		if !inStore[id] {
			t.Errorf("flooder: %s was acked but is not stored", id)
		}
	}
	if len(stored) != len(acked) {
		t.Errorf("flooder: %d messages stored, %d acked", len(stored), len(acked))
	}

	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	if err := faultHealthy(ctx, srv.url); err != nil {
		t.Errorf("after the flood: %v", err)
	}
	t.Logf("%d flooding connections in %v: %d sends written, %d acked and stored, %d refused with rate_limited",
		rounds, floodFor.Round(time.Millisecond), written, len(acked), len(refused))
	t.Logf("the other %d conversations stored %d messages, all acked and delivered", visitors, total)
	t.Logf("delivery to the agent, before the flood: %s", lat.report("baseline"))
	t.Logf("delivery to the agent, during the flood: %s", lat.report("flood"))
	t.Logf("delivery to the agent, after the flood: %s", lat.report("after"))
}

// faultFlood is what one flooding connection saw.
type faultFlood struct {
	token     string
	conv      uint64
	written   int
	acked     []string // in ack order
	limited   []string // ids of its messages refused with rate_limited
	otherErrs []string
	code      websocket.StatusCode
	reason    string
}

// faultFloodOnce connects as the visitor with token (new if empty), writes
// n sends as fast as it can while reading, and returns once the server has
// closed the connection.
func faultFloodOnce(tb testing.TB, wsURL, token, prefix string, n int) faultFlood {
	tb.Helper()
	ws := faultDial(tb, wsURL, nil)
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	hello := faultVisitorHello()
	hello.Token = token
	if err := faultWrite(ctx, ws, hello); err != nil {
		tb.Fatalf("flooder: hello: %v", err)
	}
	w, err := faultRead(ctx, ws)
	if err != nil || w.Type != parley.TypeWelcome {
		tb.Fatalf("flooder: got %+v, %v; want a welcome", w, err)
	}
	res := faultFlood{token: token}
	if w.Token != "" {
		res.token = w.Token
	}

	ids := make(map[string]bool, n)
	frames := make([][]byte, n)
	for i := range frames {
		id := fmt.Sprintf("%s%d", prefix, i)
		ids[id] = true
		frames[i] = parley.Frame{Type: parley.TypeSend, ID: id, Text: "flood " + id}.Encode()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, b := range frames {
			if ws.Write(ctx, websocket.MessageText, b) != nil {
				return // closed by the server
			}
			res.written++
		}
	}()
	for {
		f, err := faultRead(ctx, ws)
		if err != nil {
			if ctx.Err() != nil {
				tb.Fatalf("flooder: still connected after %v", faultStep)
			}
			var ce websocket.CloseError
			res.code = websocket.CloseStatus(err)
			if errors.As(err, &ce) {
				res.reason = ce.Reason
			}
			break
		}
		switch {
		case f.Type == parley.TypeAck && ids[f.ID]:
			res.acked = append(res.acked, f.ID)
			res.conv = f.Conv
		case f.Type == parley.TypeError && f.Code == parley.ERateLimited && ids[f.ID]:
			res.limited = append(res.limited, f.ID)
		case f.Type == parley.TypeError:
			res.otherErrs = append(res.otherErrs, f.Code+" "+f.ID)
		}
	}
	wg.Wait()
	return res
}
