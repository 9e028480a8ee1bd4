package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
)

// The websocket relay, file by concern: socket.go is a connection's
// mechanics (accept, read, the writer and its queues, replays, close);
// socket_hello.go authenticates it; socket_frames.go handles the other
// frames a client sends, but presence, in socket_presence.go (with the
// tracker in presence.go); socket_publish.go turns commits into hub events.

// The websocket's timing and sizes, as docs/protocol.md announces them.
const (
	// outQueue bounds each of one connection's two queues: the frames
	// its reader queued and the live events from the hub. Full means the
	// client cannot keep up: it is closed with 1013 and resumes after
	// reconnecting.
	outQueue     = 256
	writeTimeout = 10 * time.Second
	pingInterval = 25 * time.Second
	pongTimeout  = 10 * time.Second
	helloTimeout = 10 * time.Second

	// floodMax refused frames within floodWindow close the connection: a
	// client that ignores its errors only costs us work.
	floodMax    = 100
	floodWindow = 10 * time.Second

	// replayBatch is how many stored frames a replay reads at a time, so a
	// long history neither sits in memory at once nor holds a read
	// transaction while the socket writes.
	replayBatch = 256
	// maxSince bounds the conversations one hello may ask to replay.
	maxSince = 1000

	// The websocket's own buffers, smaller than net/http's 4 KiB each:
	// they live as long as the connection, idle or not. Most frames fit;
	// bigger ones cost a second read or write call.
	readBuffer  = 1 << 10
	writeBuffer = 2 << 10

	// Pages are descriptive only: overlong ones are cut, not refused.
	maxPageURLBytes   = 2048
	maxPageTitleRunes = 200
)

// Close codes besides the standard ones.
const (
	closeNoHello websocket.StatusCode = 4001
)

// ephemeralRate and ephemeralBurst bound the frames that are not sends
// (typing, read, page, resume, presence) per connection: each costs a store access
// or a fan-out to every agent, so a runaway client must not flood others.
const (
	ephemeralRate  = 10
	ephemeralBurst = 40
)

// conn is one websocket connection: a reader goroutine that handles frames
// in order, and a writer that alone writes frames, from the reader's queue
// and from the hub, so nothing waits on a slow client.
//
// The writer is a goroutine that runs only while there is something to
// write, and the queues hold memory only while they hold frames: most
// connections are idle most of the time, and then cost their reader, its
// stack and the websocket's buffers alone (BenchmarkIdleVisitorConn).
type conn struct {
	s      *Server
	ws     *websocket.Conn
	ctx    context.Context // ends with the connection, not with the request
	cancel context.CancelFunc

	closing    atomic.Bool // a close has started; set once
	greeted    atomic.Bool
	helloTimer *time.Timer
	// pingTimer is re-armed by each ping, from the timer's goroutine.
	pingTimer atomic.Pointer[time.Timer]

	// The session of the upgrade request, resolved before the hijack;
	// nil when it carried no session cookie (visitors).
	session *socketSession
	// addr is the client's address as the limits key it (abuse.go);
	// counted says it counts among the address's open sockets.
	addr    netip.Prefix
	counted bool

	// Reader-owned state, set by hello.
	role parley.Role
	// scoped: an agent that follows only the conversations in follows
	// (hello.scope "conversations") instead of all of its sites.
	scoped bool
	// sites are an agent's roles by site: the sites it may see.
	sites   map[string]string
	follows map[uint64]struct{}
	author  parley.Author
	visitor parley.Visitor
	agent   parley.Agent
	// site is a visitor's site id (the site itself is read again where
	// its settings matter: a copy here cost every idle socket 600 bytes).
	site string
	page parley.Page
	sub  *relay.Sub
	// userAgent and language are the upgrade's, for the visitor's
	// context: kept until hello, then dropped.
	userAgent, language string

	sends, others tokenBucket
	floodStart    time.Time
	floods        int
	// flooded: the close for flooding is queued; frames are no longer handled.
	flooded bool

	// The writer's work, guarded by mu. items come from the reader; events
	// from the hub, and they wait until the welcome is written (live).
	mu      sync.Mutex
	items   queue[outItem]
	events  queue[*relay.Event]
	live    bool // the welcome is written: events may follow it
	dropped bool // events overflowed: close with 1013
	writing bool // a writer goroutine runs
	stopped bool // the connection is over: start no writer
	writers sync.WaitGroup

	// Writer-owned (one writer at a time, handed over under mu): the
	// highest seq written per conversation, so a live copy of a message
	// already replayed is not sent twice. Made on first use.
	sent map[uint64]uint64

	// faq is a visitor's FAQ state (socket_faq.go), made on first use:
	// reader-owned.
	faq *faqConn
}

// outItem is a frame to write, or a control step for the writer.
type outItem struct {
	frame []byte
	ctl   *control
}

// control is work the writer must do in order with the frames around it.
type control struct {
	// frame is written first.
	frame []byte
	// live starts the delivery of events from the hub once frame (the
	// welcome) is written: nothing reaches the client before its welcome.
	live bool
	// replays are then sent from the store, each followed by synced.
	replays []parley.ResumeFrom
	// then holds frames (errors) to write after the replays.
	then [][]byte
	// closeCode, if set, closes the connection after all of the above.
	closeCode   websocket.StatusCode
	closeReason string
}

// handleSocket is GET /ws: the relay. docs/protocol.md is its contract.
func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	// Browsers must come from Parley's own pages: the request's host or
	// the public URL (behind a proxy that rewrites Host, only the latter
	// matches). Native clients send no Origin and carry no browser cookie.
	// The library's own check knows only the first, so it is ours to do.
	if err := s.checkSameOrigin(r); err != nil {
		http.Error(w, parley.ErrorMessage(err), http.StatusForbidden)
		return
	}
	// The session is read before the upgrade, while the request is intact;
	// an agent's hello then only looks at the result.
	session := s.socketSession(r)
	addr := addrKey(clientAddr(r, s.cfg.TrustedProxies))
	// An agent's sockets are not counted: its session bounds them.
	counted := session == nil || session.err != nil
	if counted && !s.abuse.openSocket(addr) {
		w.Header().Set("Retry-After", socketRetryAfter)
		http.Error(w, errTooManySockets, http.StatusTooManyRequests)
		return
	}

	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // checked above
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		if counted {
			s.abuse.closeSocket(addr)
		}
		return // Accept has answered
	}
	ws.SetReadLimit(int64(s.cfg.Limits.MaxFrameBytes))

	// The request's context ends with the handler; the connection lives on
	// its own until it closes.
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		s:       s,
		ws:      ws,
		ctx:     ctx,
		cancel:  cancel,
		session: session,
		addr:    addr,
		counted: counted,
		sends:   tokenBucket{rate: s.cfg.Limits.SendPerSecond, burst: float64(s.cfg.Limits.SendBurst)},
		others:  tokenBucket{rate: ephemeralRate, burst: ephemeralBurst},
		// Copies: the request's header memory is let go with it.
		userAgent: parley.CleanUserAgent(r.Header.Get("User-Agent")),
		language:  parley.ParseLanguage(r.Header.Get("Accept-Language")),
	}

	s.connsMu.Lock()
	if s.closing {
		s.connsMu.Unlock()
		cancel()
		s.abuse.left(c)
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	agentSession := session != nil && session.err == nil
	if agentSession {
		s.addSessionConn(c)
	}
	s.connsMu.Unlock()
	if agentSession {
		s.watchSession(c)
	}

	// The reader runs in a goroutine of its own, and the handler returns:
	// net/http then lets go of the request and the state it kept for it,
	// and the reader's stack holds only the websocket's frames, not the
	// HTTP server's. Idle connections are most connections.
	go func() {
		defer func() {
			cancel()
			s.connsMu.Lock()
			delete(s.conns, c)
			if agentSession {
				s.removeSessionConn(c)
			}
			s.connsMu.Unlock()
			if agentSession {
				c.session.expiry.Stop()
			}
			if c.greeted.Load() {
				s.countSocket(c.role, -1)
			}
			s.abuse.left(c)
		}()
		c.run()
	}()
}

// smallBuffers makes websocket.Accept use buffers of readBuffer and
// writeBuffer bytes instead of the HTTP server's, which the handler then
// leaves behind.
type smallBuffers struct{ http.ResponseWriter }

func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, readBuffer)
	if n := brw.Reader.Buffered(); n > 0 {
		// The client wrote without waiting for the 101. Those bytes go
		// into the new buffer, where Accept looks for them: it rebuilds
		// the reader over the buffered bytes and nc.
		early, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), nc), max(n, readBuffer))
		br.Peek(n)
	}
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(nc, writeBuffer)), nil
}

func (c *conn) run() {
	c.helloTimer = time.AfterFunc(helloTimeout, func() {
		if !c.greeted.Load() {
			c.closeWith(closeNoHello, "no hello")
		}
	})
	c.pingTimer.Store(time.AfterFunc(c.s.pingInterval, c.ping))

	c.readLoop()

	c.helloTimer.Stop()
	c.cancel() // before stopping the pinger: a running ping sees it and stops re-arming
	c.pingTimer.Load().Stop()
	// Read failed, so the connection is closed or closing; CloseNow waits
	// for a close already under way and frees the socket otherwise.
	c.ws.CloseNow()
	c.stop()
	c.writers.Wait()
	if c.sub != nil {
		c.s.hub.Unsubscribe(c.sub)
	}
	if c.role == parley.RoleAgent && !c.scoped {
		c.s.presence.disconnect(c)
	}
}

// shutdown closes the connection with 1001 so the client reconnects, and
// returns once the close handshake is done (or a close already under way
// has ended). At ctx's end it cuts the connection instead: a client that
// does not answer must not hold the shutdown. It reports whether the
// connection ended before that.
func (c *conn) shutdown(ctx context.Context) bool {
	// Ending c.ctx ends the reader's and the writer's calls, and with them
	// the socket.
	cut := context.AfterFunc(ctx, c.cancel)
	go c.closeWith(websocket.StatusGoingAway, "server shutting down")
	<-c.ctx.Done()
	return cut()
}

// closeWith starts the close handshake, once. It may block for the
// handshake (a few seconds at most), so callers that must not wait use a
// goroutine.
func (c *conn) closeWith(code websocket.StatusCode, reason string) {
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.ws.Close(code, reason)
	c.cancel()
}

// ping checks that the client is alive; the browser answers by itself.
func (c *conn) ping() {
	ctx, cancel := context.WithTimeout(c.ctx, pongTimeout)
	err := c.ws.Ping(ctx)
	cancel()
	if c.ctx.Err() != nil {
		return
	}
	if err != nil {
		// A peer that does not answer pings would not answer a close either.
		c.closing.Store(true)
		c.ws.CloseNow()
		c.cancel()
		return
	}
	c.pingTimer.Load().Reset(c.s.pingInterval)
}

// readLoop handles frames until the connection ends. Frames of one
// connection are handled one at a time, so its sends are stored in order.
func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			// Closed by either side, too big (the library has closed with
			// 1009), or a network error: nothing to answer.
			return
		}
		c.handle(typ, data)
	}
}

func (c *conn) handle(typ websocket.MessageType, data []byte) {
	if c.flooded {
		return // read only until the close handshake ends
	}
	if typ != websocket.MessageText {
		c.refuse(parley.Errorf(parley.EInvalid, "Binary frames are not accepted: send each frame as JSON text."), "")
		return
	}
	f, err := parley.DecodeFrame(data)
	if err != nil {
		c.refuse(err, "")
		return
	}
	if !c.greeted.Load() {
		if f.Type != parley.TypeHello {
			c.refuse(parley.Errorf(parley.EUnauthorized, "Send hello first."), "")
			return
		}
		c.hello(f)
		if c.greeted.Load() {
			// Used by a visitor's hello, or not at all. A refused hello
			// (a proof of work to solve) may come again: keep them.
			c.userAgent, c.language = "", ""
		}
		return
	}
	switch f.Type {
	case parley.TypeResume, parley.TypeTyping, parley.TypeRead, parley.TypeDelivered, parley.TypePage, parley.TypePresence, parley.TypeClaim, parley.TypeTransfer, parley.TypeTranscript, parley.TypeContact, parley.TypeIdentify, parley.TypeContext, parley.TypeRate, parley.TypeFAQ, parley.TypeFAQEvent:
		// Each costs a store access or a fan-out to every agent: one
		// limiter for all of them, before any is handled.
		if !c.others.allow(time.Now()) {
			c.refuse(errSlowDown, "")
			return
		}
	}
	switch f.Type {
	case parley.TypeHello:
		c.refuse(parley.Errorf(parley.EConflict, "This connection has already said hello."), "")
	case parley.TypeSend:
		c.send(f)
	case parley.TypeEdit, parley.TypeDelete:
		c.changeMessage(f)
	case parley.TypeResume:
		c.resume(f)
	case parley.TypeTyping:
		c.typing(f)
	case parley.TypeRead:
		c.read(f)
	case parley.TypeDelivered:
		c.deliver(f)
	case parley.TypePage:
		c.setPage(f)
	case parley.TypeResolve:
		c.resolve(f)
	case parley.TypeTag:
		c.tag(f)
	case parley.TypePresence:
		c.presence(f)
	case parley.TypeClaim:
		c.claim(f)
	case parley.TypeTransfer:
		c.transfer(f)
	case parley.TypeTranscript:
		c.transcript(f)
	case parley.TypeContact:
		c.contact(f)
	case parley.TypeIdentify:
		c.identify(f)
	case parley.TypeContext:
		c.context(f)
	case parley.TypeRate:
		c.rate(f)
	case parley.TypeFAQ:
		c.faqQuery(f)
	case parley.TypeFAQEvent:
		c.faqEvent(f)
	default:
		c.refuse(parley.Errorf(parley.EInvalid, "Unknown frame type %q.", parley.Truncate(f.Type, 32)), "")
	}
}

// refuse answers a frame with an error. Refusals are counted: a client that
// keeps sending what is refused is closed with 1008.
func (c *conn) refuse(err error, id string) {
	c.enqueue(outItem{frame: c.refusal(err, id)})
	switch parley.ErrorCode(err) {
	case parley.EInternal, parley.EUnavailable:
		return // our trouble, not the client's
	}
	now := time.Now()
	if now.Sub(c.floodStart) > floodWindow {
		c.floodStart, c.floods = now, 0
	}
	c.floods++
	if c.floods > floodMax && !c.flooded {
		// The close goes behind the errors already queued, so that the
		// client learns which of its messages were refused.
		c.flooded = true
		c.enqueue(outItem{ctl: &control{closeCode: websocket.StatusPolicyViolation, closeReason: "flooding"}})
	}
}

// refusal is the error frame for err, logging it if it is ours; a
// challenge travels with its refusal.
func (c *conn) refusal(err error, id string) []byte {
	if parley.ErrorCode(err) == parley.EInternal {
		c.s.log.Error("web: socket", "role", c.role, "visitor", c.visitor.ID, "agent", c.agent.ID, "err", err)
	}
	f := parley.ErrorFrame(err, id)
	var ce *challengeError
	if errors.As(err, &ce) {
		f.Challenge = &ce.challenge
	}
	return f.Encode()
}

// enqueue hands an item to the writer without waiting: a full queue means
// the client is not reading, and it is closed with 1013.
func (c *conn) enqueue(it outItem) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	if c.items.len() >= outQueue {
		c.mu.Unlock()
		c.logDropped()
		c.closeWith(websocket.StatusTryAgainLater, "too slow")
		return
	}
	c.items.push(it)
	c.startWriter()
	c.mu.Unlock()
}

// push is the hub's delivery of a live event (relay.SubscribeFunc). It
// runs inside Publish, so it only queues: false tells the hub that the
// queue is full and the connection is dropped; the writer closes it.
func (c *conn) push(ev *relay.Event) bool {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return true
	}
	if c.events.len() >= outQueue {
		// A dropped client resyncs from the store: what is queued is no
		// use to it.
		c.dropped = true
		c.events.clear()
		c.startWriter()
		c.mu.Unlock()
		c.logDropped()
		return false
	}
	c.events.push(ev)
	if c.live {
		c.startWriter()
	}
	c.mu.Unlock()
	return true
}

// logDropped says that the connection is closed for not reading: once
// per connection, as the hub drops it once.
func (c *conn) logDropped() {
	c.s.log.Info("web: slow client dropped", "role", c.role, "visitor", c.visitor.ID, "agent", c.agent.ID, "queued", outQueue)
}

// startWriter starts the writer goroutine unless it runs. c.mu is held,
// and there is something to write.
func (c *conn) startWriter() {
	if c.writing || c.stopped {
		return
	}
	c.writing = true
	c.writers.Add(1)
	go c.writeLoop()
}

// stop ends the writing for good and frees the queues.
func (c *conn) stop() {
	c.mu.Lock()
	c.stopped = true
	c.items.clear()
	c.events.clear()
	c.mu.Unlock()
}

// writeLoop is the only writer of frames while it runs, and ends when
// there is nothing left to write. Queued items go before live events: a
// replay queued by resume then runs before the live messages that follow
// it, which the replay makes redundant.
func (c *conn) writeLoop() {
	defer c.writers.Done()
	for {
		it, ev, job := c.next()
		ok := true
		switch job {
		case jobNone:
			return
		case jobDropped:
			c.closeWith(websocket.StatusTryAgainLater, "too slow")
			ok = false
		case jobEvent:
			ok = c.writeEvent(ev)
		case jobItem:
			if it.ctl == nil {
				ok = c.write(it.frame)
			} else if ok = c.control(it.ctl); ok && it.ctl.live {
				c.mu.Lock()
				c.live = true
				c.mu.Unlock()
			}
		}
		if !ok {
			c.stop()
			return
		}
	}
}

// What the writer does next.
const (
	jobNone    = iota // nothing: the writer ends
	jobItem           // write an item of the reader's
	jobDropped        // the hub dropped the connection: close it
	jobEvent          // write a live event
)

// next takes the writer's next job. When there is none it marks the
// writer ended, under the same lock, so that new work starts a new one.
func (c *conn) next() (outItem, *relay.Event, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.stopped || c.ctx.Err() != nil:
	case c.items.len() > 0:
		return c.items.pop(), nil, jobItem
	case c.dropped:
		// Before the live events left in the queue: a dropped client
		// resyncs anyway, and the close should reach it soon.
		return outItem{}, nil, jobDropped
	case c.live && c.events.len() > 0:
		return outItem{}, c.events.pop(), jobEvent
	}
	c.writing = false
	return outItem{}, nil, jobNone
}

// writeEvent writes a live event, skipping messages already sent.
func (c *conn) writeEvent(ev *relay.Event) bool {
	if ev.Seq != 0 {
		if ev.Seq <= c.sent[ev.Conv] {
			return true
		}
		c.markSent(ev.Conv, ev.Seq)
	}
	return c.write(ev.Frame)
}

// markSent records that the messages of conv up to seq were written.
func (c *conn) markSent(conv, seq uint64) {
	if c.sent == nil {
		c.sent = make(map[uint64]uint64)
	}
	c.sent[conv] = max(c.sent[conv], seq)
}

func (c *conn) control(ctl *control) bool {
	if ctl.frame != nil && !c.write(ctl.frame) {
		return false
	}
	for _, r := range ctl.replays {
		if !c.replay(r.Conv, r.After) {
			return false
		}
	}
	for _, f := range ctl.then {
		if !c.write(f) {
			return false
		}
	}
	if ctl.closeCode != 0 {
		c.closeWith(ctl.closeCode, ctl.closeReason)
		return false
	}
	return true
}

// replay writes the stored messages of conv after seq after, then synced.
// The connection follows conv already (subscribe first, then read), so
// anything committed after the read arrives live and is deduplicated by
// c.sent.
func (c *conn) replay(conv, after uint64) bool {
	// The newest seq before the read: everything up to it is in the store
	// and will be replayed, so synced never claims more than was sent. A
	// visitor's replay and synced cover only the entries they may see.
	cv, err := c.s.store.Conversation(conv)
	newest, messages := cv.LastSeq, c.s.store.Messages
	if c.role == parley.RoleVisitor {
		newest, messages = cv.PublicSeq, c.s.store.VisitorMessages
	}
	for err == nil {
		n := 0
		ok := true
		err = messages(conv, after, replayBatch, func(frame []byte) error {
			seq, err := frameSeq(frame)
			if err != nil {
				return err
			}
			if !c.write(frame) {
				ok = false
				return errWriteFailed
			}
			n++
			after = seq
			c.markSent(conv, seq)
			newest = max(newest, seq)
			return nil
		})
		if !ok {
			return false
		}
		if n < replayBatch {
			break
		}
	}
	if err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		return c.write(c.refusal(err, ""))
	}
	c.markSent(conv, newest)
	return c.write(parley.Frame{Type: parley.TypeSynced, Conv: conv, Seq: newest}.Encode())
}

var errWriteFailed = errors.New("web: socket write failed")

// frameSeq reads the seq of a stored msg frame.
func frameSeq(frame []byte) (uint64, error) {
	var f struct {
		Seq uint64 `json:"seq"`
	}
	if err := json.Unmarshal(frame, &f); err != nil {
		return 0, err
	}
	return f.Seq, nil
}

func (c *conn) write(frame []byte) bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.s.writeTimeout)
	err := c.ws.Write(ctx, websocket.MessageText, frame)
	cancel()
	if err != nil {
		// A timed-out write has closed the socket; any other error means
		// it is closed already. The reader sees it and tears down.
		c.ws.CloseNow()
		return false
	}
	return true
}

// tokenBucket is a rate limiter for one connection's reader goroutine.
type tokenBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// queue is a FIFO that lets its memory go when it empties after a burst:
// an idle connection's queues hold nothing.
type queue[T any] struct {
	buf  []T
	head int
}

// smallQueue is the capacity an emptied queue keeps for the next frames.
const smallQueue = 4

func (q *queue[T]) len() int { return len(q.buf) - q.head }

func (q *queue[T]) push(v T) {
	if len(q.buf) == cap(q.buf) && q.head > 0 {
		// Full at the back but taken from at the front: move the rest to
		// the start instead of growing, so a queue that never quite
		// empties stays as big as it is long.
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, v)
}

func (q *queue[T]) pop() T {
	v := q.buf[q.head]
	var zero T
	q.buf[q.head] = zero // let the frame go
	q.head++
	if q.head == len(q.buf) {
		if cap(q.buf) > smallQueue {
			q.buf = nil
		} else {
			q.buf = q.buf[:0]
		}
		q.head = 0
	}
	return v
}

func (q *queue[T]) clear() { q.buf, q.head = nil, 0 }
