//go:build unix

package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestFaultShutdown sends SIGTERM to the server while 50 visitors keep
// sending and three agents watch, and checks what a shutdown promises
// (docs/protocol.md, close code 1001): every client, one that never said
// hello included, is closed with 1001 "server shutting down"; the process
// exits with status 0 soon after, but not before the close handshakes are
// done (one visitor answers its close a second late); and after a restart
// on the same data every acknowledged message is stored once, in order,
// under the seq its ack named. The messages left unacknowledged are then
// resent, as a client's outbox would, and every message sent must be
// stored exactly once, in the order sent.
func TestFaultShutdown(t *testing.T) {
	faultShutdown(t, faultShutdownCase{
		visitors: 50,
		agents:   3,
		slow:     true,
		// Far below the server's own bound (5 s), which only a client
		// that does not answer the close should make it wait for.
		exitWithin: 3 * time.Second,
	})
}

// TestFaultShutdownDeafClient is the same with a visitor that stops
// reading before the SIGTERM and so never answers the close handshake.
// It must not hold the exit beyond the server's bound of about 5 s, and
// the close frame must have been written for it all the same: it reads
// 1001 from its buffers once it reads again.
func TestFaultShutdownDeafClient(t *testing.T) {
	faultShutdown(t, faultShutdownCase{
		visitors:   10,
		agents:     1,
		deaf:       true,
		exitWithin: 5*time.Second + 2*time.Second,
	})
}

// burstSize is how many messages each visitor writes back to back just
// before the SIGTERM. Small: should a commit take them all at once, an
// inbox agent gets two events for each (msg and conv), and more than 256
// waiting would drop it as too slow (1013).
const burstSize = 2

type faultShutdownCase struct {
	visitors, agents int
	// slow adds a visitor that reads nothing from before the SIGTERM
	// until slowAnswer after it, then reads its close and answers it.
	slow bool
	// deaf adds a visitor that reads nothing from before the SIGTERM
	// until the server has exited: it never answers the close.
	deaf       bool
	exitWithin time.Duration // from SIGTERM to the process's exit
}

func faultShutdown(t *testing.T, tc faultShutdownCase) {
	const (
		// interval keeps each visitor below the default send rate (5/s,
		// bursts of 20): nothing is refused for speed.
		interval = 220 * time.Millisecond
		running  = 1500 * time.Millisecond
		// slowAnswer is when the slow visitor answers its close: well
		// within the server's bound, well after an exit that does not
		// wait for it.
		slowAnswer = time.Second
		// burstLead is how long before the SIGTERM the visitors start
		// their burst.
		burstLead = 2 * time.Millisecond
	)
	srv := newFaultServer(t)
	cookie := srv.login()

	var clients []*faultShutdownClient // every socket, checked for its 1001
	for i := range tc.agents {
		a := dialFaultShutdownClient(t, srv.ws, fmt.Sprintf("agent %d", i), cookie, faultAgentHello())
		clients = append(clients, a)
	}
	vs := make([]*faultShutdownClient, tc.visitors)
	for i := range vs {
		vs[i] = dialFaultShutdownClient(t, srv.ws, fmt.Sprintf("visitor %d", i), nil, faultVisitorHello())
		clients = append(clients, vs[i])
	}
	// The slow and the deaf visitor say hello, then read nothing.
	quiet := func(name string) *websocket.Conn {
		ws := faultDial(t, srv.ws, nil)
		ctx, cancel := context.WithTimeout(context.Background(), faultStep)
		defer cancel()
		if err := faultWrite(ctx, ws, faultVisitorHello()); err != nil {
			t.Fatalf("%s: hello: %v", name, err)
		}
		if f, err := faultRead(ctx, ws); err != nil || f.Type != parley.TypeWelcome {
			t.Fatalf("%s: got %+v, %v; want a welcome", name, f, err)
		}
		return ws
	}
	var slow, deaf *websocket.Conn
	if tc.slow {
		slow = quiet("slow visitor")
	}
	if tc.deaf {
		deaf = quiet("deaf visitor")
	}
	// A socket that never says hello is closed with 1001 as well (its
	// hello timeout, 10 s, is far off).
	silent := dialFaultShutdownClient(t, srv.ws, "silent socket", nil, parley.Frame{})
	clients = append(clients, silent)

	stop, burst := make(chan struct{}), make(chan struct{})
	var senders sync.WaitGroup
	for i, v := range vs {
		senders.Go(func() { v.sendEvery(interval, fmt.Sprintf("v%d-", i), burst, stop) })
	}
	time.Sleep(running)
	if !faultWaitFor(faultStep, func() bool {
		for _, v := range vs {
			if v.conv() == 0 {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("some visitors got no ack within %v", faultStep)
	}

	// SIGTERM mid-stream, as every visitor writes a burst, so that many
	// sends are on their way: the visitors keep sending until their
	// sockets close.
	close(burst)
	time.Sleep(burstLead)
	fmt.Fprintf(srv.log, "--- SIGTERM (test)\n")
	termAt := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	exited := make(chan time.Time, 1)
	go func() {
		<-srv.done
		exited <- time.Now()
	}()
	type answer struct {
		at  time.Time
		err error
	}
	slowAnswered := make(chan answer, 1)
	if slow != nil {
		go func() {
			time.Sleep(time.Until(termAt.Add(slowAnswer)))
			at := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), faultStep)
			defer cancel()
			// Reading the close frame answers it.
			_, _, err := slow.Read(ctx)
			slowAnswered <- answer{at, err}
		}()
	}
	var exitedAfter time.Duration
	select {
	case at := <-exited:
		exitedAfter = at.Sub(termAt)
	case <-time.After(faultStep):
		t.Fatalf("parley did not exit within %v of SIGTERM", faultStep)
	}
	state := srv.cmd.ProcessState
	srv.cmd = nil
	if !state.Success() {
		t.Errorf("parley exited with %v after SIGTERM, want status 0", state)
	}
	if exitedAfter > tc.exitWithin {
		t.Errorf("parley exited %v after SIGTERM, want within %v", exitedAfter.Round(time.Millisecond), tc.exitWithin)
	}
	close(stop)
	senders.Wait()

	// Every client was closed with 1001.
	var last time.Duration
	notGoingAway := 0
	for _, c := range clients {
		end, at := c.wait(t)
		if at.Sub(termAt) > last {
			last = at.Sub(termAt)
		}
		if code := websocket.CloseStatus(end); code != websocket.StatusGoingAway {
			notGoingAway++
			if notGoingAway <= 5 {
				t.Errorf("%s: connection ended with %v (close status %d), want close status 1001", c.name, end, code)
			}
		}
	}
	total := len(clients)
	if slow != nil {
		total++
		a := <-slowAnswered
		if code := websocket.CloseStatus(a.err); code != websocket.StatusGoingAway {
			notGoingAway++
			t.Errorf("slow visitor: reading %v after SIGTERM gives %v (close status %d), want close status 1001", slowAnswer, a.err, code)
		}
		if answeredAfter := a.at.Sub(termAt); answeredAfter > exitedAfter {
			t.Errorf("parley exited %v after SIGTERM, before the slow visitor answered its close (%v after): it did not wait for the close handshake",
				exitedAfter.Round(time.Millisecond), answeredAfter.Round(time.Millisecond))
		}
	}
	if deaf != nil {
		total++
		ctx, cancel := context.WithTimeout(context.Background(), faultStep)
		_, _, err := deaf.Read(ctx)
		cancel()
		if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
			notGoingAway++
			t.Errorf("deaf visitor: reading after the exit gives %v (close status %d), want close status 1001", err, code)
		}
	}
	if notGoingAway > 0 {
		t.Errorf("%d of %d clients were not closed with 1001", notGoingAway, total)
	}
	t.Logf("%d clients: SIGTERM to exit %v, last client closed %v after SIGTERM, exit status %d",
		total, exitedAfter.Round(time.Millisecond), last.Round(time.Millisecond), state.ExitCode())

	// After a restart, the acknowledged messages are there once, in
	// order; then the rest is resent.
	srv.start()
	var acked, storedUnacked, unavailable, resent int
	for i, v := range vs {
		prefix := fmt.Sprintf("v%d-", i)
		sent, acks := v.results()
		msgs := srv.transcript(cookie, v.conv())
		if err := faultGapless(msgs); err != nil {
			t.Errorf("%s: stored transcript: %v", v.name, err)
			continue
		}
		if _, err := faultNumbered(msgs, prefix); err != nil {
			t.Errorf("%s: stored transcript: %v", v.name, err)
			continue
		}
		for id, a := range acks {
			if a.Seq == 0 || a.Seq > uint64(len(msgs)) || msgs[a.Seq-1].ID != id {
				t.Errorf("%s: ack of %s names seq %d, which is not that message after the restart", v.name, id, a.Seq)
			}
		}
		acked += len(acks)
		storedUnacked += len(msgs) - len(acks)

		// Reconnect as the same visitor, replay from 0, resend what was
		// not acknowledged.
		var unacked []string
		for _, id := range sent {
			if _, ok := acks[id]; !ok {
				unacked = append(unacked, id)
			}
		}
		resent += len(unacked)
		replayed, reacks := faultShutdownResume(t, srv.ws, v, unacked)
		if err := faultSameMessages(replayed, msgs); err != nil {
			t.Errorf("%s: replay from 0 after the restart: %v", v.name, err)
		}
		for _, id := range unacked {
			if _, ok := reacks[id]; !ok {
				t.Errorf("%s: resent %s got no ack", v.name, id)
			}
		}
		final := srv.transcript(cookie, v.conv())
		if err := faultGapless(final); err != nil {
			t.Errorf("%s: transcript after the resend: %v", v.name, err)
			continue
		}
		ids := make([]string, len(final))
		for k, m := range final {
			ids[k] = m.ID
		}
		if !slices.Equal(ids, sent) {
			t.Errorf("%s: stored after the resend %v, sent %v", v.name, ids, sent)
		}
		for _, e := range v.errors() {
			// unavailable (shutting down, retry) is a fair answer to a
			// send; the message is then resent like any unacknowledged one.
			if e.Code == parley.EUnavailable {
				unavailable++
				continue
			}
			t.Errorf("%s: error frame %s %q for %s", v.name, e.Code, e.Message, e.ID)
		}
	}
	t.Logf("%d visitors: %d messages acked before the exit, %d stored without their ack reaching the client, %d unavailable errors, %d unacknowledged (writes that failed at the close included) resent after the restart",
		len(vs), acked, storedUnacked, unavailable, resent)

	if !srv.stop() {
		t.Errorf("parley did not exit cleanly on SIGTERM after the restart")
	}
	srv.checkStore()
}

// faultShutdownClient is a raw websocket that says its hello, reads
// everything, and for a visitor sends numbered messages with conv 0,
// recording the ids sent and the acks received.
type faultShutdownClient struct {
	name    string
	visitor bool // its acks and errors are recorded
	ws      *websocket.Conn
	token   string
	ended   chan struct{} // closed when reading has failed

	mu     sync.Mutex
	sent   []string // ids, in the order written
	acks   map[string]parley.Frame
	errs   []parley.Frame
	convID uint64
	end    error // what ended the reading
	endAt  time.Time
}

// dialFaultShutdownClient connects, says hello (unless hello is empty),
// waits for the welcome and reads in the background.
func dialFaultShutdownClient(tb testing.TB, wsURL, name string, header http.Header, hello parley.Frame) *faultShutdownClient {
	tb.Helper()
	c := &faultShutdownClient{
		name:    name,
		visitor: hello.Role == parley.RoleVisitor,
		ws:      faultDial(tb, wsURL, &websocket.DialOptions{HTTPHeader: header}),
		ended:   make(chan struct{}),
		acks:    make(map[string]parley.Frame),
	}
	if hello.Type != "" {
		ctx, cancel := context.WithTimeout(context.Background(), faultStep)
		defer cancel()
		if err := faultWrite(ctx, c.ws, hello); err != nil {
			tb.Fatalf("%s: hello: %v", name, err)
		}
		f, err := faultRead(ctx, c.ws)
		if err != nil || f.Type != parley.TypeWelcome {
			tb.Fatalf("%s: got %+v, %v; want a welcome", name, f, err)
		}
		c.token = f.Token
	}
	go c.read()
	return c
}

// read records acks and errors until the connection ends. An agent's
// frames are not even decoded: an inbox gets every visitor's messages, and
// must keep up with them, or it is dropped as too slow (1013).
func (c *faultShutdownClient) read() {
	defer close(c.ended)
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.end, c.endAt = err, time.Now()
			c.mu.Unlock()
			return
		}
		if !c.visitor {
			continue
		}
		f, err := parley.DecodeFrame(b)
		if err != nil {
			panic(fmt.Sprintf("%s: undecodable frame %q: %v", c.name, b, err))
		}
		c.mu.Lock()
		switch f.Type {
		case parley.TypeAck:
			c.acks[f.ID] = f
			if c.convID == 0 {
				c.convID = f.Conv
			}
		case parley.TypeError:
			c.errs = append(c.errs, f)
		}
		c.mu.Unlock()
	}
}

// sendEvery sends "<prefix><n>" every interval, and burstSize at once
// when burst closes, until a write fails or stop closes. A failed write
// counts as sent: it may have reached the server.
func (c *faultShutdownClient) sendEvery(interval time.Duration, prefix string, burst, stop <-chan struct{}) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	n := 0
	send := func() bool {
		id := fmt.Sprintf("%s%d", prefix, n)
		n++
		c.mu.Lock()
		c.sent = append(c.sent, id)
		c.mu.Unlock()
		return faultWrite(context.Background(), c.ws, parley.Frame{Type: parley.TypeSend, ID: id, Text: id}) == nil
	}
	for send() {
		select {
		case <-tick.C:
		case <-burst:
			burst = nil
			for range burstSize - 1 {
				if !send() {
					return
				}
			}
		case <-stop:
			return
		}
	}
}

// wait returns what ended the reading, and when.
func (c *faultShutdownClient) wait(tb testing.TB) (error, time.Time) {
	tb.Helper()
	select {
	case <-c.ended:
	case <-time.After(faultStep):
		tb.Fatalf("%s: still open %v after the server exited", c.name, faultStep)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.end, c.endAt
}

func (c *faultShutdownClient) conv() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.convID
}

func (c *faultShutdownClient) results() (sent []string, acks map[string]parley.Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	acks = make(map[string]parley.Frame, len(c.acks))
	for id, a := range c.acks {
		acks[id] = a
	}
	return slices.Clone(c.sent), acks
}

func (c *faultShutdownClient) errors() []parley.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errs)
}

// faultShutdownResume reconnects as visitor v, replays its conversation
// from 0, then resends ids (their text is the id) in order and returns
// the replayed messages and the acks of the resends.
func faultShutdownResume(tb testing.TB, wsURL string, v *faultShutdownClient, ids []string) ([]parley.Frame, map[string]parley.Frame) {
	tb.Helper()
	ws := faultDial(tb, wsURL, nil)
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	hello := faultVisitorHello()
	hello.Token = v.token
	hello.Since = []parley.ResumeFrom{{Conv: v.conv()}}
	if err := faultWrite(ctx, ws, hello); err != nil {
		tb.Fatalf("%s: hello after the restart: %v", v.name, err)
	}
	var replayed []parley.Frame
	acks := make(map[string]parley.Frame)
	synced := false
	for !synced || len(acks) < len(ids) {
		f, err := faultRead(ctx, ws)
		if err != nil {
			tb.Fatalf("%s: after the restart (synced %v, %d of %d resends acked): %v", v.name, synced, len(acks), len(ids), err)
		}
		switch f.Type {
		case parley.TypeWelcome:
			if f.Visitor == nil || f.Token != "" {
				tb.Fatalf("%s: the token was not recognised after the restart", v.name)
			}
		case parley.TypeMsg:
			if !synced && f.Conv == v.conv() {
				replayed = append(replayed, f)
			}
		case parley.TypeSynced:
			if f.Conv == v.conv() && !synced {
				synced = true
				for _, id := range ids {
					if err := faultWrite(ctx, ws, parley.Frame{Type: parley.TypeSend, ID: id, Text: id}); err != nil {
						tb.Fatalf("%s: resend: %v", v.name, err)
					}
				}
			}
		case parley.TypeAck:
			acks[f.ID] = f
		case parley.TypeError:
			tb.Fatalf("%s: after the restart: error %s %q for %s", v.name, f.Code, f.Message, f.ID)
		}
	}
	ws.Close(websocket.StatusNormalClosure, "")
	return replayed, acks
}
