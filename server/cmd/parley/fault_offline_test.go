//go:build unix

package main

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// TestFaultClientOffline puts a TCP proxy between one visitor and the
// server and cuts every connection through it, several times, while the
// visitor sends a stream of numbered messages, with a burst right before
// each cut. The client must keep its outbox, reconnect by
// itself, resend, and every message must be stored once, in order.
func TestFaultClientOffline(t *testing.T) {
	const (
		stream   = 60
		every    = 125 * time.Millisecond
		cuts     = 4
		burst    = 5
		messages = stream + cuts*burst
		refuse   = 400 * time.Millisecond
	)
	srv := newFaultServer(t)
	cookie := srv.login()
	proxy := newFaultProxy(t, srv.addr)

	v := startFaultClient(t, "ws://"+proxy.addr()+"/ws", faultVisitorHello(), nil, nil)
	faultAllOnline(t, "at the start", []*faultClient{v})

	// send is called by the steady stream and by the bursts right before
	// each cut; n follows the order of the calls.
	var mu sync.Mutex
	var sent []string
	send := func() {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, v.c.Send(v.conv(), fmt.Sprintf("m-%d", len(sent)), false))
	}
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for range stream {
			send()
			<-tick.C
		}
	}()

	// Each cut hits a live connection, right after a burst of sends, so
	// that some are on the wire, or stored with their ack on the wire.
	inFlight := 0
	for i := range cuts {
		time.Sleep(800 * time.Millisecond)
		faultAllOnline(t, fmt.Sprintf("before cut %d", i+1), []*faultClient{v})
		for range burst {
			send()
		}
		time.Sleep(time.Duration(i) * time.Millisecond)
		inFlight += len(v.c.Outbox())
		proxy.cut(refuse)
	}
	<-sending
	faultDrainOutboxes(t, "after the cuts", 60*time.Second, []*faultClient{v})
	faultWaitFor(faultStep, func() bool { return v.msgCount() >= messages })

	conv := v.conv()
	msgs := srv.transcript(cookie, conv)
	if err := faultGapless(msgs); err != nil {
		t.Fatalf("stored transcript: %v", err)
	}
	if _, err := faultNumbered(msgs, "m-"); err != nil {
		t.Fatalf("stored transcript: %v", err)
	}
	if len(msgs) != messages {
		t.Errorf("got %d messages stored, want %d", len(msgs), messages)
	}
	for k := range min(len(msgs), len(sent)) {
		if want := fmt.Sprintf("m-%d", k); msgs[k].ID != sent[k] || msgs[k].Text != want {
			t.Errorf("seq %d is %s %q, want %s %q", msgs[k].Seq, msgs[k].ID, msgs[k].Text, sent[k], want)
			break
		}
	}

	acks, delivered, errs := v.snapshot()
	for _, e := range errs {
		t.Errorf("error frame %s %q for %s", e.Code, e.Message, e.ID)
	}
	acked, dups := make(map[string]bool), 0
	for _, a := range acks {
		if a.Conv != conv || a.Seq == 0 || a.Seq > uint64(len(msgs)) || msgs[a.Seq-1].ID != a.ID {
			t.Errorf("ack %s conv %d seq %d does not match the stored transcript", a.ID, a.Conv, a.Seq)
		}
		if a.Dup {
			dups++
		}
		acked[a.ID] = true
	}
	if len(acked) != len(msgs) {
		t.Errorf("got %d distinct acks, want %d", len(acked), len(msgs))
	}
	if err := faultSameMessages(delivered, msgs); err != nil {
		t.Errorf("messages the client delivered: %v", err)
	}
	reconnects := int(v.welcome.Load()) - 1
	if reconnects < cuts {
		t.Errorf("got %d reconnects, want at least %d (one per cut)", reconnects, cuts)
	}
	accepted, refused := proxy.counts()
	t.Logf("%d messages stored once and in order; %d cuts with %d messages in the outbox at the cuts; %d reconnects, %d connections through the proxy, %d refused; %d dup acks",
		len(msgs), cuts, inFlight, reconnects, accepted, refused, dups)
}

// faultProxy forwards loopback TCP connections to a target, and can cut
// them all and refuse new ones for a while: the network going away.
type faultProxy struct {
	ln     net.Listener
	target string

	mu          sync.Mutex
	conns       map[net.Conn]struct{}
	refuseUntil time.Time
	accepted    int
	refused     int
}

func newFaultProxy(tb testing.TB, target string) *faultProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy: listen: %v", err)
	}
	p := &faultProxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	go p.serve()
	tb.Cleanup(func() {
		ln.Close()
		p.cut(0)
	})
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if time.Now().Before(p.refuseUntil) {
			p.refused++
			p.mu.Unlock()
			c.(*net.TCPConn).SetLinger(0) // a reset, as from a dead network path
			c.Close()
			continue
		}
		p.accepted++
		p.mu.Unlock()
		go p.forward(c)
	}
}

func (p *faultProxy) forward(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, faultStep)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		// Either side ending ends both.
		dst.Close()
		src.Close()
	}
	go pipe(up, c)
	go pipe(c, up)
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// cut closes every forwarded connection, both sides, and refuses new ones
// for d.
func (p *faultProxy) cut(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuseUntil = time.Now().Add(d)
	for c := range p.conns {
		c.Close()
	}
}

func (p *faultProxy) counts() (accepted, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted, p.refused
}
