//go:build unix

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestFaultSlowConsumer connects an agent that says hello and then stops
// reading, while visitors and two other agents keep chatting. The server
// must drop the stuck agent rather than wait for it, keep delivering to the
// others (their latency is logged, not asserted), and replay the whole
// transcript when the stuck agent reconnects with since.
func TestFaultSlowConsumer(t *testing.T) {
	const (
		visitors = 40
		interval = 333 * time.Millisecond // 3 messages/s per visitor, below the client's pacing
		pad      = 3000                   // bytes of padding per message, to fill buffers sooner
		baseline = 3 * time.Second
		// dropWithin bounds the wait for the server to drop the stuck
		// agent; its write timeout (10 s) is the usual limit.
		dropWithin = 40 * time.Second
	)
	srv := newFaultServer(t)
	cookie := srv.login()
	lat := newFaultLatency()

	fast := []*faultClient{
		startFaultClient(t, srv.ws, faultAgentHello(), cookie, lat.received),
		startFaultClient(t, srv.ws, faultAgentHello(), cookie, lat.received),
	}
	vs := make([]*faultClient, visitors)
	for i := range vs {
		vs[i] = startFaultClient(t, srv.ws, faultVisitorHello(), nil, nil)
	}
	faultAllOnline(t, "at the start", append(fast, vs...))

	traffic := startFaultTraffic(vs, "s", pad, interval, lat, "baseline")
	time.Sleep(baseline)

	// The stuck agent: a receive buffer of a few KB, so that the server's
	// side fills up soon; it reads its welcome and nothing more.
	traffic.setPhase("stuck")
	slow, local := faultDialSmallBuffer(t, srv.ws, cookie)
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	if err := faultWrite(ctx, slow, faultAgentHello()); err != nil {
		t.Fatalf("slow agent: hello: %v", err)
	}
	welcome, err := faultRead(ctx, slow)
	cancel()
	if err != nil || welcome.Type != parley.TypeWelcome {
		t.Fatalf("slow agent: got %+v, %v; want a welcome", welcome, err)
	}
	stuckAt := time.Now()

	// The server's end of the stuck connection is on this machine: its
	// state in /proc/net/tcp says when the server gave up on it.
	_, serverPort, _ := net.SplitHostPort(srv.addr)
	dropped, how := faultWaitServerClose(serverPort, strconv.Itoa(local.Port), dropWithin)
	if !dropped {
		t.Fatalf("the server still holds the stuck agent's connection after %v (%s)", dropWithin, how)
	}
	stuckFor := time.Since(stuckAt)
	traffic.setPhase("after")
	time.Sleep(time.Second)
	sent := traffic.halt()
	faultDrainOutboxes(t, "after traffic stopped", faultStep, vs)

	// The stuck agent reads again: what its buffers held, then the end.
	seen := make(map[uint64][]parley.Frame)
	var end error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), faultStep)
		f, err := faultRead(ctx, slow)
		cancel()
		if err != nil {
			end = err
			break
		}
		if f.Type == parley.TypeMsg {
			seen[f.Conv] = append(seen[f.Conv], f)
		}
	}
	if errors.Is(end, context.DeadlineExceeded) {
		t.Fatalf("the stuck agent's connection is still open: no frame and no close within %v", faultStep)
	}
	code := websocket.CloseStatus(end)
	if code != -1 && code != websocket.StatusTryAgainLater {
		t.Errorf("stuck agent: closed with %d, want 1013 (too slow) or a dropped connection", code)
	}
	buffered := 0
	for _, fs := range seen {
		buffered += len(fs)
	}

	// Resync: a new connection asks for every conversation from 0 and
	// must get exactly what is stored.
	hello := faultAgentHello()
	stored := make(map[uint64][]parley.Frame)
	for i, v := range vs {
		msgs := faultCheckSent(t, srv, cookie, fmt.Sprintf("visitor %d", i), v, fmt.Sprintf("s%d-", i), sent[i])
		stored[v.conv()] = msgs
		hello.Since = append(hello.Since, parley.ResumeFrom{Conv: v.conv()})
	}
	_, replayed := faultReplay(t, srv.ws, cookie, hello)
	total := 0
	for conv, msgs := range stored {
		total += len(msgs)
		if err := faultSameMessages(replayed[conv], msgs); err != nil {
			t.Errorf("conversation %d: the reconnected agent's replay: %v", conv, err)
		}
		// What reached the stuck agent before the drop is stored, in
		// order, without gaps.
		if fs := seen[conv]; len(fs) > 0 {
			first := fs[0].Seq
			if first == 0 || first+uint64(len(fs))-1 > uint64(len(msgs)) {
				t.Errorf("conversation %d: the stuck agent got seq %d to %d, %d stored", conv, first, first+uint64(len(fs))-1, len(msgs))
			} else if err := faultSameMessages(fs, msgs[first-1:first-1+uint64(len(fs))]); err != nil {
				t.Errorf("conversation %d: what the stuck agent got before the drop: %v", conv, err)
			}
		}
	}

	// The others were not dropped, and got everything.
	for i, a := range fast {
		if n := a.welcome.Load(); n != 1 {
			t.Errorf("fast agent %d: %d welcomes, want 1: it was dropped too", i, n)
		}
	}
	if miss := lat.missing(); len(miss) > 0 {
		t.Errorf("%d messages never reached the other agents, e.g. %s", len(miss), miss[0])
	}
	closed := "close 1013"
	if code == -1 {
		closed = "connection dropped (" + end.Error() + ")"
	}
	t.Logf("stuck agent dropped %v after it stopped reading (%s; %s); it then read %d buffered msgs; its replay matched all %d stored messages of %d conversations",
		stuckFor.Round(time.Millisecond), how, closed, buffered, total, len(stored))
	t.Logf("delivery to the other agents, baseline: %s", lat.report("baseline"))
	t.Logf("delivery to the other agents, while one was stuck: %s", lat.report("stuck"))
	t.Logf("delivery to the other agents, after the drop: %s", lat.report("after"))
}

// faultDialSmallBuffer dials the websocket with a tiny receive buffer and
// returns the connection and its local address.
func faultDialSmallBuffer(tb testing.TB, wsURL string, header http.Header) (*websocket.Conn, *net.TCPAddr) {
	tb.Helper()
	d := &net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	locals := make(chan *net.TCPAddr, 1)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			locals <- c.LocalAddr().(*net.TCPAddr)
		}
		return c, err
	}}
	ws := faultDial(tb, wsURL, &websocket.DialOptions{HTTPHeader: header, HTTPClient: &http.Client{Transport: tr}})
	return ws, <-locals
}

// faultWaitServerClose waits until the server's end of the loopback
// connection from clientPort leaves ESTABLISHED (or disappears) in
// /proc/net/tcp. Without /proc it waits the whole of d and reports true:
// the reading that follows then tells.
func faultWaitServerClose(serverPort, clientPort string, d time.Duration) (bool, string) {
	sp, err1 := strconv.ParseUint(serverPort, 10, 16)
	cp, err2 := strconv.ParseUint(clientPort, 10, 16)
	if err1 != nil || err2 != nil {
		return false, "bad ports"
	}
	deadline := time.Now().Add(d)
	for {
		state, err := faultTCPState(uint16(sp), uint16(cp))
		switch {
		case err != nil:
			time.Sleep(time.Until(deadline))
			return true, "no /proc/net/tcp: waited " + d.String()
		case state == "":
			return true, "server socket gone"
		case state != "01": // ESTABLISHED
			return true, "server socket in TCP state " + faultTCPStates[state]
		}
		if time.Now().After(deadline) {
			return false, "server socket still established"
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var faultTCPStates = map[string]string{
	"02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT",
	"07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}

// faultTCPState returns the state (hex, as in /proc/net/tcp) of the IPv4
// socket with local port local and remote port remote, or "" if none.
func faultTCPState(local, remote uint16) (string, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		if faultHexPort(fields[1]) == local && faultHexPort(fields[2]) == remote {
			return fields[3], nil
		}
	}
	return "", sc.Err()
}

func faultHexPort(addr string) uint16 {
	_, port, ok := strings.Cut(addr, ":")
	if !ok {
		return 0
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return 0
	}
	return uint16(p)
}
