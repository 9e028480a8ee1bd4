package web_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// idleConns is how many idle visitors BenchmarkIdleVisitorConn holds open.
const idleConns = 2000

// BenchmarkIdleVisitorConn measures what an idle visitor connection costs
// the server: it opens idleConns visitor sockets over loopback, each past
// its welcome, and reports the growth of the live heap plus goroutine
// stacks, and of the goroutine count, per connection.
//
// The clients are raw TCP connections speaking just enough websocket to
// say hello, with no goroutine or buffer of their own, so nearly all that
// is measured is the server's; the client's share is its net.Conn, a few
// hundred bytes. Run it with -benchtime=1x: each iteration opens them all.
func BenchmarkIdleVisitorConn(b *testing.B) {
	env := newSockEnv(b, parley.Limits{})
	web.LiftAbuseLimits(env.srv) // every visitor comes from 127.0.0.1
	addr := strings.TrimPrefix(env.url, "http://")
	var bytesPer, goroutinesPer float64
	for b.Loop() {
		before, gBefore := liveMemory()
		conns := make([]net.Conn, 0, idleConns)
		for i := range idleConns {
			c, err := rawVisitor(addr, env.site.ID)
			if err != nil {
				b.Fatalf("visitor %d: %v", i, err)
			}
			conns = append(conns, c)
		}
		after, gAfter := liveMemory()
		if st := debugStats(b, env); st.VisitorSockets != idleConns {
			b.Fatalf("the server counts %d visitor sockets, want %d", st.VisitorSockets, idleConns)
		}
		bytesPer = float64(after-before) / idleConns
		goroutinesPer = float64(gAfter-gBefore) / idleConns
		for _, c := range conns {
			c.Close()
		}
		// The next round starts from an empty server.
		waitStats(b, env, "every socket closed", func(st web.DebugStats) bool { return st.Sockets == 0 })
	}
	b.ReportMetric(bytesPer, "bytes/conn")
	b.ReportMetric(goroutinesPer, "goroutines/conn")
}

// TestSocketHelloBeforeUpgradeResponse writes the upgrade request and the
// hello in one go, without waiting for the 101: the hello arrives with the
// request, in the HTTP server's buffer, and must not be lost when the
// websocket takes over the connection with buffers of its own.
func TestSocketHelloBeforeUpgradeResponse(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	addr := strings.TrimPrefix(env.url, "http://")
	c, err := net.DialTimeout("tcp", addr, stepTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(stepTimeout))
	hello := parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID}.Encode()
	req := append([]byte(upgradeRequest(addr)), clientTextFrame(hello)...)
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the upgrade response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: status %d, want %d", resp.StatusCode, http.StatusSwitchingProtocols)
	}
	welcome, err := readServerFrame(br)
	if err != nil {
		t.Fatalf("reading the welcome: %v", err)
	}
	if !bytes.HasPrefix(welcome, []byte(`{"type":"welcome"`)) {
		t.Errorf("got %.200q, want the welcome", welcome)
	}
}

// liveMemory returns the live heap plus the goroutine stacks in use, and
// the number of goroutines, after a collection.
func liveMemory() (uint64, int) {
	runtime.GC()
	runtime.GC() // a second cycle frees what the first one's finalizers released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse, runtime.NumGoroutine()
}

// rawVisitor opens a websocket to /ws on addr by hand, says hello as a new
// visitor of site and reads the welcome.
func rawVisitor(addr, site string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, stepTimeout)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(stepTimeout))
	fail := func(err error) (net.Conn, error) {
		c.Close()
		return nil, err
	}
	if _, err := io.WriteString(c, upgradeRequest(addr)); err != nil {
		return fail(err)
	}
	// The server says nothing after its 101 until the hello, so reading
	// up to the blank line takes exactly the response.
	var resp []byte
	buf := make([]byte, 512)
	for !bytes.Contains(resp, []byte("\r\n\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			return fail(fmt.Errorf("reading the upgrade response: %w", err))
		}
		resp = append(resp, buf[:n]...)
	}
	if !bytes.HasPrefix(resp, []byte("HTTP/1.1 101 ")) {
		return fail(fmt.Errorf("upgrade: got %q", resp))
	}
	hello := parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: site}.Encode()
	if _, err := c.Write(clientTextFrame(hello)); err != nil {
		return fail(err)
	}
	welcome, err := readServerFrame(c)
	if err != nil {
		return fail(fmt.Errorf("reading the welcome: %w", err))
	}
	if !bytes.HasPrefix(welcome, []byte(`{"type":"welcome"`)) {
		return fail(fmt.Errorf("got %.200q, want the welcome", welcome))
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// upgradeRequest is a websocket handshake request for /ws on addr.
func upgradeRequest(addr string) string {
	return "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
}

// clientTextFrame frames payload as a client's text message. Clients must
// mask; the all-zero mask is a valid one and leaves the payload as is.
func clientTextFrame(payload []byte) []byte {
	f := []byte{0x81}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	f = append(f, 0, 0, 0, 0)
	return append(f, payload...)
}

// readServerFrame reads one unfragmented, unmasked frame and returns its payload.
func readServerFrame(r io.Reader) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 1<<20 {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	p := make([]byte, n)
	_, err := io.ReadFull(r, p)
	return p, err
}
