package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// stepTimeout bounds every single socket step of the setup (dial, hello,
// first send): the server answers within milliseconds, so a stall is a bug.
const stepTimeout = 20 * time.Second

// dialConcurrency bounds the dials in flight, so the server's accept queue
// and the generator's own goroutines stay reasonable.
const dialConcurrency = 200

// benchSite is the site `parley site add` creates for the socket scenarios.
const benchSite = "bench"

// dialSocket opens a websocket to the server. cookie, for agents, is the
// session cookie; native clients send no Origin, which the server accepts.
func dialSocket(ctx context.Context, wsURL, cookie string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	opts := &websocket.DialOptions{}
	if cookie != "" {
		opts.HTTPHeader = http.Header{"Cookie": {cookie}}
	}
	c, _, err := websocket.Dial(ctx, wsURL, opts)
	if err != nil {
		return nil, err
	}
	// An agent's welcome may list many conversations.
	c.SetReadLimit(1 << 20)
	return c, nil
}

// writeFrame sends one frame under a deadline.
func writeFrame(ctx context.Context, c *websocket.Conn, f parley.Frame) error {
	return writeRaw(ctx, c, f.Encode())
}

func writeRaw(ctx context.Context, c *websocket.Conn, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}

// readFrame reads one message into buf, reusing its memory: at tens of
// thousands of frames a second, a fresh slice per frame would have the
// generator's garbage collector compete with the server for the cores.
func readFrame(ctx context.Context, c *websocket.Conn, buf *bytes.Buffer) error {
	_, r, err := c.Reader(ctx)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(r)
	return err
}

// readUntil reads frames, decoding each, until one of type typ (and, for
// ack, client id id) arrives or an error frame about the request does.
func readUntil(ctx context.Context, c *websocket.Conn, typ, id string) (parley.Frame, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	for range 100_000 {
		_, data, err := c.Read(ctx)
		if err != nil {
			return parley.Frame{}, fmt.Errorf("waiting for %s: %w", typ, err)
		}
		f, err := parley.DecodeFrame(data)
		if err != nil {
			return parley.Frame{}, fmt.Errorf("waiting for %s: %w", typ, err)
		}
		if f.Type == parley.TypeError && (id == "" || f.ID == id) {
			return f, fmt.Errorf("waiting for %s: error frame %s: %s", typ, f.Code, f.Message)
		}
		if f.Type == typ && (id == "" || f.ID == id) {
			return f, nil
		}
	}
	return parley.Frame{}, fmt.Errorf("waiting for %s: too many other frames", typ)
}

// visitorHello says hello as a new visitor of the bench site and waits for
// the welcome.
func visitorHello(ctx context.Context, c *websocket.Conn) error {
	if err := writeFrame(ctx, c, parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: benchSite}); err != nil {
		return err
	}
	_, err := readUntil(ctx, c, parley.TypeWelcome, "")
	return err
}

// agentHello follows conv only, replays it from the start, and waits for
// the replay to finish. It returns how many conversations the welcome
// listed.
func agentHello(ctx context.Context, c *websocket.Conn, conv uint64) (int, error) {
	hello := parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Scope: parley.ScopeConversations,
		Since: []parley.ResumeFrom{{Conv: conv}}}
	if err := writeFrame(ctx, c, hello); err != nil {
		return 0, err
	}
	w, err := readUntil(ctx, c, parley.TypeWelcome, "")
	if err != nil {
		return 0, err
	}
	if _, err := readUntil(ctx, c, parley.TypeSynced, ""); err != nil {
		return 0, err
	}
	return len(w.Conversations), nil
}

// openConversation connects a new visitor and opens a conversation with a
// first message, id; it returns the socket and the conversation. The socket
// is returned even on error, for the caller to close.
func openConversation(ctx context.Context, wsURL, id string) (*websocket.Conn, uint64, error) {
	c, err := dialSocket(ctx, wsURL, "")
	if err != nil {
		return nil, 0, err
	}
	if err := visitorHello(ctx, c); err != nil {
		return c, 0, err
	}
	conv, err := firstMessage(ctx, c, id)
	return c, conv, err
}

// firstMessage sends a visitor's first message, which opens a
// conversation, and returns the conversation from its ack.
func firstMessage(ctx context.Context, c *websocket.Conn, id string) (uint64, error) {
	if err := writeFrame(ctx, c, parley.Frame{Type: parley.TypeSend, ID: id, Text: "Hello, I have a question about my order."}); err != nil {
		return 0, err
	}
	ack, err := readUntil(ctx, c, parley.TypeAck, id)
	if err != nil {
		return 0, err
	}
	return ack.Conv, nil
}

// peek reads a server frame's type and client message id without decoding
// the whole frame: at tens of thousands of frames a second, decoding would
// take a good share of the two cores the server needs. It relies on the
// server writing "type" first (parley.Frame's field order) and on "id"
// being a string only where it is the client message id (authors and
// conversations have numeric ids). A quote inside a JSON string is always
// escaped, so the keys cannot be faked by message text.
func peek(frame []byte) (typ, id string) {
	typ = peekString(frame, `{"type":"`, true)
	if typ == "" {
		return "", ""
	}
	return typ, peekString(frame, `"id":"`, false)
}

// peekString returns the string value that follows key in frame; atStart
// requires key to begin the frame.
func peekString(frame []byte, key string, atStart bool) string {
	i := 0
	if atStart {
		if !bytes.HasPrefix(frame, []byte(key)) {
			return ""
		}
	} else if i = bytes.Index(frame, []byte(key)); i < 0 {
		return ""
	}
	rest := frame[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// msgID is the client id of message n of sender i: "c12-3". Its parts
// index the send-time tables, so a receiver needs no map lookup.
func msgID(prefix byte, i, n int) string {
	b := make([]byte, 0, 16)
	b = append(b, prefix)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(n), 10)
	return string(b)
}

// parseMsgID undoes msgID.
func parseMsgID(id string, prefix byte) (i, n int, ok bool) {
	if len(id) < 4 || id[0] != prefix {
		return 0, 0, false
	}
	a, b, found := cutByte(id[1:], '-')
	if !found {
		return 0, 0, false
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || i < 0 || n < 0 {
		return 0, 0, false
	}
	return i, n, true
}

func cutByte(s string, sep byte) (string, string, bool) {
	for k := 0; k < len(s); k++ {
		if s[k] == sep {
			return s[:k], s[k+1:], true
		}
	}
	return s, "", false
}

// forEach runs fn(i) for i in [0, n) on at most conc goroutines and
// returns how many succeeded and the first error. It stops starting new
// work after stopAfter errors.
func forEach(ctx context.Context, n, conc, stopAfter int, fn func(ctx context.Context, i int) error) (int, error) {
	var next, ok, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || failed.Load() >= int64(stopAfter) {
					return
				}
				if err := fn(ctx, i); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	var err error
	if p := firstErr.Load(); p != nil {
		err = *p
	}
	return int(ok.Load()), err
}

// closeAll drops sockets without a close handshake: the server sees the
// connections end, which is all a benchmark needs.
func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

// lockedSamples collects latencies from many goroutines.
type lockedSamples struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lockedSamples) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}
