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
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

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
// (typing, read, page, resume) per connection: each costs a store access
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

	// The session of the upgrade request, resolved before the hijack.
	sessionAgent parley.Agent
	sessionErr   error

	// Reader-owned state, set by hello.
	role parley.Role
	// scoped: an agent that follows only the conversations in follows
	// (hello.scope "conversations") instead of every site.
	scoped  bool
	follows map[uint64]struct{}
	author  parley.Author
	visitor parley.Visitor
	agent   parley.Agent
	site    parley.Site
	page    parley.Page
	sub     *relay.Sub

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
	agent, sessErr := s.agentFromRequest(r)

	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // checked above
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return // Accept has answered
	}
	ws.SetReadLimit(int64(s.cfg.Limits.MaxFrameBytes))

	// The request's context ends with the handler; the connection lives on
	// its own until it closes.
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		s:            s,
		ws:           ws,
		ctx:          ctx,
		cancel:       cancel,
		sessionAgent: agent,
		sessionErr:   sessErr,
		sends:        tokenBucket{rate: s.cfg.Limits.SendPerSecond, burst: float64(s.cfg.Limits.SendBurst)},
		others:       tokenBucket{rate: ephemeralRate, burst: ephemeralBurst},
	}

	s.connsMu.Lock()
	if s.closing {
		s.connsMu.Unlock()
		cancel()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()

	// The reader runs in a goroutine of its own, and the handler returns:
	// net/http then lets go of the request and the state it kept for it,
	// and the reader's stack holds only the websocket's frames, not the
	// HTTP server's. Idle connections are most connections.
	go func() {
		defer func() {
			cancel()
			s.connsMu.Lock()
			delete(s.conns, c)
			s.connsMu.Unlock()
			if c.greeted.Load() {
				s.countSocket(c.role, -1)
			}
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
	c.pingTimer.Store(time.AfterFunc(pingInterval, c.ping))

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
	c.pingTimer.Load().Reset(pingInterval)
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
		return
	}
	switch f.Type {
	case parley.TypeHello:
		c.refuse(parley.Errorf(parley.EConflict, "This connection has already said hello."), "")
	case parley.TypeSend:
		c.send(f)
	case parley.TypeResume:
		c.resume(f)
	case parley.TypeTyping:
		c.typing(f)
	case parley.TypeRead:
		c.read(f)
	case parley.TypePage:
		c.setPage(f)
	case parley.TypeResolve:
		c.resolve(f)
	default:
		c.refuse(parley.Errorf(parley.EInvalid, "Unknown frame type %q.", parley.Truncate(f.Type, 32)), "")
	}
}

// hello authenticates the connection, subscribes it, and queues the
// welcome and the replays hello.since asks for.
func (c *conn) hello(f parley.Frame) {
	switch f.Role {
	case parley.RoleVisitor:
		c.helloVisitor(f)
	case parley.RoleAgent:
		c.helloAgent(f)
	default:
		c.refuse(parley.Errorf(parley.EInvalid, `hello needs a role: "visitor" or "agent".`), "")
	}
}

func (c *conn) helloVisitor(f parley.Frame) {
	if f.Scope != "" {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.scope is for agents only."), "")
		return
	}
	if f.Site == "" {
		c.refuse(parley.Errorf(parley.EInvalid, "hello needs the site."), "")
		return
	}
	if len(f.Since) > maxSince {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.since lists more than %d conversations.", maxSince), "")
		return
	}
	site, err := c.s.store.Site(f.Site)
	if parley.ErrorCode(err) == parley.ENotFound {
		c.refuse(parley.Errorf(parley.ENotFound, "No such site."), "")
		return
	} else if err != nil {
		c.refuse(err, "")
		return
	}

	// An empty or unknown token (cleared storage, another site's token)
	// makes a new visitor rather than an error: the widget just works.
	var v parley.Visitor
	token := ""
	if f.Token != "" {
		v, err = c.s.store.VisitorByToken(site.ID, TokenHash(f.Token))
		if parley.ErrorCode(err) == parley.ENotFound {
			v = parley.Visitor{}
		} else if err != nil {
			c.refuse(err, "")
			return
		}
	}
	if v.ID == 0 {
		token = NewToken()
		if v, err = c.s.store.CreateVisitor(site.ID, TokenHash(token)); err != nil {
			c.refuse(err, "")
			return
		}
	}

	welcome := &control{}
	if f.Page != nil {
		if page, err := checkPage(*f.Page); err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
		} else {
			c.page = page
		}
	}

	c.role, c.visitor, c.site = parley.RoleVisitor, v, site
	c.author = parley.Author{Kind: parley.AuthorVisitor, ID: v.ID, Name: v.Name}
	// Subscribe before reading anything to send: what commits from now on
	// arrives live, and the writer drops what a replay already sent.
	c.sub = c.s.hub.SubscribeFunc(c.push)
	c.s.hub.FollowVisitor(c.sub, v.ID)

	if c.page.URL != "" {
		c.publishPage()
	}
	convs, err := c.s.store.VisitorConversations(v.ID)
	if err != nil {
		c.helloFailed(err)
		return
	}
	// The widget shows one conversation: the newest, as its visitor sees it.
	convs = convs[:min(len(convs), 1)]
	for i := range convs {
		convs[i] = convs[i].ForVisitor()
	}

	for _, from := range f.Since {
		if _, err := c.conversation(from.Conv); err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
			continue
		}
		welcome.replays = append(welcome.replays, from)
	}
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Visitor: &v, Token: token, Conversations: convs, Limits: &c.s.cfg.Limits}.Encode()
	welcome.live = true
	c.greet(welcome)
}

func (c *conn) helloAgent(f parley.Frame) {
	if err := c.sessionErr; err != nil {
		code, reason := closeNoHello, "not authenticated"
		if parley.ErrorCode(err) == parley.EInternal {
			// Retrying hello would meet the same error: the session was
			// read at the upgrade.
			code, reason = websocket.StatusInternalError, "internal error"
		}
		c.enqueue(outItem{ctl: &control{frame: c.refusal(err, ""), closeCode: code, closeReason: reason}})
		return
	}
	var scoped bool
	switch f.Scope {
	case "", parley.ScopeInbox:
	case parley.ScopeConversations:
		scoped = true
	default:
		c.refuse(parley.Errorf(parley.EInvalid, `hello.scope must be "inbox" or "conversations".`), "")
		return
	}
	if len(f.Since) > maxSince {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.since lists more than %d conversations.", maxSince), "")
		return
	}
	a := c.sessionAgent
	c.role, c.agent, c.scoped = parley.RoleAgent, a, scoped
	c.author = parley.Author{Kind: parley.AuthorAgent, ID: a.ID, Name: a.Name}
	c.sub = c.s.hub.SubscribeFunc(c.push)

	// A scoped connection lists only its own conversations: reading every
	// open one would cost each of a thousand bots the whole inbox.
	var convs []parley.Conversation
	if !scoped {
		c.s.hub.FollowSite(c.sub, relay.AllSites)
		var err error
		if convs, err = c.s.store.OpenConversations(); err != nil {
			c.helloFailed(err)
			return
		}
	}
	welcome := &control{live: true}
	for _, from := range f.Since {
		var err error
		if scoped {
			var conv parley.Conversation
			var added bool
			if conv, added, err = c.follow(from.Conv); err == nil && added {
				convs = append(convs, conv)
			}
		} else {
			_, err = c.conversation(from.Conv)
		}
		if err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
			continue
		}
		welcome.replays = append(welcome.replays, from)
	}
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Agent: &a, Conversations: convs, Limits: &c.s.cfg.Limits}.Encode()
	c.greet(welcome)
}

// follow makes a scoped agent's connection follow conversation id, if it
// does not yet, and returns the conversation as it is once followed;
// added says it was not followed before.
func (c *conn) follow(id uint64) (conv parley.Conversation, added bool, err error) {
	if _, ok := c.follows[id]; ok {
		conv, err = c.conversation(id)
		return conv, false, err
	}
	// Only existing conversations: ids are sequential, and following one
	// that does not exist yet would deliver a stranger's later.
	if _, err := c.conversation(id); err != nil {
		return parley.Conversation{}, false, err
	}
	if c.follows == nil {
		c.follows = make(map[uint64]struct{})
	}
	c.follows[id] = struct{}{}
	c.s.hub.FollowConversation(c.sub, id)
	// Read again: a change committed between the first read and the
	// follow would have reached neither.
	conv, err = c.conversation(id)
	return conv, true, err
}

// helloFailed undoes a hello that failed after subscribing, so that the
// client may try again.
func (c *conn) helloFailed(err error) {
	c.s.hub.Unsubscribe(c.sub)
	c.sub = nil
	// Once Unsubscribe returns the hub pushes nothing more: what it queued
	// belongs to the failed hello.
	c.mu.Lock()
	c.events.clear()
	c.dropped = false
	c.mu.Unlock()
	c.role, c.author, c.visitor, c.agent, c.site = "", parley.Author{}, parley.Visitor{}, parley.Agent{}, parley.Site{}
	c.scoped, c.follows = false, nil
	c.refuse(err, "")
}

func (c *conn) greet(welcome *control) {
	c.greeted.Store(true)
	c.helloTimer.Stop()
	c.s.countSocket(c.role, 1)
	c.enqueue(outItem{ctl: welcome})
}

// send stores a message and acks it once it is durable. Followers,
// the sender included, get the msg frame from the commit hook.
func (c *conn) send(f parley.Frame) {
	id := f.ID
	if len(id) > parley.ClientIDMaxLen {
		id = "" // not an id we could have stored: don't echo it
	}
	if !c.sends.allow(time.Now()) {
		c.refuse(parley.Errorf(parley.ERateLimited, "You are sending too fast. Wait a moment, then send again."), id)
		return
	}
	if err := parley.CheckClientID(f.ID); err != nil {
		c.refuse(err, id)
		return
	}
	text, err := c.s.cfg.Limits.CheckText(f.Text)
	if err != nil {
		c.refuse(err, id)
		return
	}
	a := store.Append{Conv: f.Conv, From: c.author, ID: f.ID, Text: text, Fresh: f.Fresh, Sender: c}
	if c.role == parley.RoleVisitor {
		a.Site, a.Visitor, a.Page = c.site.ID, c.visitor.ID, c.page
		if f.Greeted {
			// Read the site now, not at hello: the greeting is what the
			// visitor saw, and settings may have changed since.
			site, err := c.s.store.Site(c.site.ID)
			if err != nil {
				c.refuse(err, id)
				return
			}
			if site.Proactive.Enabled {
				a.Greeting = strings.TrimSpace(site.Proactive.Message)
			}
		}
	} else if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "Name the conversation to send to."), id)
		return
	} else if c.scoped {
		// Follow before the commit, so its msg reaches the sender too.
		if _, _, err := c.follow(f.Conv); err != nil {
			c.refuse(err, id)
			return
		}
	}
	res, err := c.s.store.Append(c.ctx, a)
	if err != nil {
		if c.ctx.Err() != nil {
			return // the connection is gone; the client resends
		}
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		c.refuse(err, id)
		return
	}
	// The ack is the sender's copy of its message: the msg frame goes to
	// everyone else. A visitor learns where it sits in their stream.
	m := res.Message
	ack := parley.Frame{Type: parley.TypeAck, ID: f.ID, Conv: m.Conv, Seq: m.Seq, At: m.At, Dup: res.Dup}
	if c.role == parley.RoleVisitor && res.Prev != m.Seq-1 {
		ack.Prev = &res.Prev
	}
	c.enqueue(outItem{frame: ack.Encode()})
}

// resume replays a conversation after a sequence number. The connection
// follows it before the replay reads the store, so live messages that
// commit meanwhile are not lost.
func (c *conn) resume(f parley.Frame) {
	if !c.others.allow(time.Now()) {
		c.refuse(errSlowDown, "")
		return
	}
	if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "resume needs the conversation."), "")
		return
	}
	ctl := &control{replays: []parley.ResumeFrom{{Conv: f.Conv, After: f.After}}}
	if c.scoped {
		// A scoped connection starts following the conversation, and gets
		// its state first as the welcome would have given it.
		conv, added, err := c.follow(f.Conv)
		if err != nil {
			c.refuse(err, "")
			return
		}
		if added {
			ctl.frame = parley.Frame{Type: parley.TypeConv, Conversation: &conv}.Encode()
		}
	} else if _, err := c.conversation(f.Conv); err != nil {
		c.refuse(err, "")
		return
	}
	c.enqueue(outItem{ctl: ctl})
}

// typing forwards a typing state to the other side: a visitor's to the
// agents only (not to their own other tabs), an agent's to the visitor and
// the other agents.
func (c *conn) typing(f parley.Frame) {
	if !c.others.allow(time.Now()) {
		c.refuse(errSlowDown, "")
		return
	}
	if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "typing needs the conversation."), "")
		return
	}
	conv, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, "")
		return
	}
	from := c.author
	ev := eventFor(conv, parley.Frame{Type: parley.TypeTyping, Conv: conv.ID, On: f.On, From: &from})
	if c.role == parley.RoleVisitor {
		ev.To = relay.Agents
	} else {
		ev.Skip = c.sub
	}
	c.s.hub.Publish(ev)
}

// read moves this side's read mark and tells the others when it moved.
func (c *conn) read(f parley.Frame) {
	if !c.others.allow(time.Now()) {
		c.refuse(errSlowDown, "")
		return
	}
	if f.Conv == 0 || f.Seq == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "read needs the conversation and a seq."), "")
		return
	}
	before, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, "")
		return
	}
	side := parley.AuthorAgent
	if c.role == parley.RoleVisitor {
		side = parley.AuthorVisitor
	}
	after, err := c.s.store.MarkRead(f.Conv, side, f.Seq)
	if err != nil {
		c.refuse(err, "")
		return
	}
	from := c.author
	if c.role == parley.RoleVisitor {
		if after.VisitorRead == before.VisitorRead {
			return
		}
		ev := eventFor(after, parley.Frame{Type: parley.TypeRead, Conv: after.ID, Seq: after.VisitorRead, From: &from})
		ev.To = relay.Agents
		c.s.hub.Publish(ev)
		return
	}
	if after.AgentRead == before.AgentRead {
		return
	}
	ev := eventFor(after, parley.Frame{Type: parley.TypeRead, Conv: after.ID, Seq: after.AgentRead, From: &from})
	ev.To, ev.Skip = relay.Agents, c.sub
	c.s.hub.Publish(ev)
	// The visitor's copy never points past what they may see.
	if seen := min(after.AgentRead, after.PublicSeq); seen > min(before.AgentRead, before.PublicSeq) {
		ev := eventFor(after, parley.Frame{Type: parley.TypeRead, Conv: after.ID, Seq: seen, From: &from})
		ev.To = relay.Visitor
		c.s.hub.Publish(ev)
	}
	// Agents' inboxes, this one's too, show the unread count.
	conv := convEvent(after)
	conv.To = relay.Agents
	c.s.hub.Publish(conv)
}

// setPage records where the visitor is; agents see it on the conversation.
func (c *conn) setPage(f parley.Frame) {
	if !c.others.allow(time.Now()) {
		c.refuse(errSlowDown, "")
		return
	}
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only visitors have a page."), "")
		return
	}
	if f.Page == nil {
		c.refuse(parley.Errorf(parley.EInvalid, "page needs the page."), "")
		return
	}
	page, err := checkPage(*f.Page)
	if err != nil {
		c.refuse(err, "")
		return
	}
	c.page = page
	c.publishPage()
}

func (c *conn) publishPage() {
	changed, err := c.s.store.SetPage(c.visitor.ID, c.page)
	if err != nil {
		c.refuse(err, "")
		return
	}
	for _, conv := range changed {
		c.s.publishConv(conv)
	}
}

// resolve marks a conversation done; the visitor's next message reopens it.
func (c *conn) resolve(f parley.Frame) {
	if c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents may resolve a conversation."), "")
		return
	}
	if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "resolve needs the conversation."), "")
		return
	}
	conv, err := c.s.store.SetStatus(f.Conv, parley.StatusResolved)
	if err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		c.refuse(err, "")
		return
	}
	c.s.publishConv(conv)
}

// errNoConversation answers both a missing conversation and someone else's,
// word for word, so a visitor cannot tell which ids exist.
var errNoConversation = parley.Errorf(parley.ENotFound, "No such conversation.")

var errSlowDown = parley.Errorf(parley.ERateLimited, "Too many frames. Slow down.")

// conversation returns conversation id if this connection may see it.
func (c *conn) conversation(id uint64) (parley.Conversation, error) {
	if id == 0 {
		return parley.Conversation{}, errNoConversation
	}
	conv, err := c.s.store.Conversation(id)
	if parley.ErrorCode(err) == parley.ENotFound {
		return parley.Conversation{}, errNoConversation
	} else if err != nil {
		return parley.Conversation{}, err
	}
	if c.role == parley.RoleVisitor && conv.Visitor != c.visitor.ID {
		return parley.Conversation{}, errNoConversation
	}
	return conv, nil
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

// refusal is the error frame for err, logging it if it is ours.
func (c *conn) refusal(err error, id string) []byte {
	if parley.ErrorCode(err) == parley.EInternal {
		c.s.log.Error("web: socket", "role", c.role, "visitor", c.visitor.ID, "agent", c.agent.ID, "err", err)
	}
	return parley.ErrorFrame(err, id).Encode()
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
	defer c.mu.Unlock()
	if c.stopped {
		return true
	}
	if c.events.len() >= outQueue {
		// A dropped client resyncs from the store: what is queued is no
		// use to it.
		c.dropped = true
		c.events.clear()
		c.startWriter()
		return false
	}
	c.events.push(ev)
	if c.live {
		c.startWriter()
	}
	return true
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
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
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

// publishCommitted turns newly committed entries into hub events. It is the
// store's OnCommit hook: it runs after the commit, in commit order, and must
// not block (Publish never does).
//
// An entry goes to everyone following its conversation but its sender,
// whose ack stands for it; an agents-only entry to agents only. A msg frame
// says enough for an inbox to update its preview, unread count and order,
// so a conv frame follows only what a msg does not say: a new conversation
// (announced before its first entry) and a reopened one.
func (s *Server) publishCommitted(batch []store.Committed) {
	for i := range batch {
		c := &batch[i]
		if c.Created {
			s.publishConv(c.Conv)
		}
		ev := &relay.Event{
			Site:    c.Conv.Site,
			Visitor: c.Conv.Visitor,
			Conv:    c.Conv.ID,
			Seq:     c.Message.Seq,
			Frame:   c.Frame,
		}
		if c.Message.Internal {
			ev.To = relay.Agents
		}
		if sender, ok := c.Sender.(*conn); ok {
			ev.Skip = sender.sub
		}
		s.hub.Publish(ev)
		// A reopened conversation changes status; an edit or a deletion
		// may change the preview.
		if !c.Created && (c.Reopened || c.Message.Kind == parley.KindEdit || c.Message.Kind == parley.KindDelete) {
			s.publishConv(c.Conv)
		}
	}
}

// eventFor is an event for everyone following conv.
func eventFor(conv parley.Conversation, f parley.Frame) *relay.Event {
	return &relay.Event{Site: conv.Site, Visitor: conv.Visitor, Conv: conv.ID, Frame: f.Encode()}
}

// convEvent is a conv frame with the conversation as agents see it.
func convEvent(conv parley.Conversation) *relay.Event {
	return eventFor(conv, parley.Frame{Type: parley.TypeConv, Conversation: &conv})
}

// publishConv sends conv to its agents, and to its visitor as they may see it.
func (s *Server) publishConv(conv parley.Conversation) {
	agents := convEvent(conv)
	agents.To = relay.Agents
	s.hub.Publish(agents)
	visitor := convEvent(conv.ForVisitor())
	visitor.To = relay.Visitor
	s.hub.Publish(visitor)
}

// checkPage validates a visitor's page. It is shown to agents as a link,
// so only http and https are accepted.
func checkPage(p parley.Page) (parley.Page, error) {
	u, err := url.Parse(p.URL)
	if p.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return parley.Page{}, parley.Errorf(parley.EInvalid, "The page needs an http or https URL.")
	}
	if len(u.Host) > 255 {
		return parley.Page{}, parley.Errorf(parley.EInvalid, "The page's host name is longer than 255 bytes.")
	}
	return parley.Page{
		URL:   shortenURL(u, p.URL, maxPageURLBytes),
		Title: parley.Truncate(strings.TrimSpace(p.Title), maxPageTitleRunes),
	}, nil
}

// shortenURL keeps a page URL within n bytes. A longer one first loses its
// query and fragment — the page is in the path, not in tracking parameters
// — and then is cut, never inside a %XX escape, so agents still get a link
// that parses.
func shortenURL(u *url.URL, raw string, n int) string {
	if len(raw) <= n {
		return raw
	}
	short := *u
	short.RawQuery, short.Fragment, short.RawFragment, short.ForceQuery = "", "", "", false
	s := short.String()
	if len(s) <= n {
		return s
	}
	s = truncateBytes(s, n)
	if i := strings.LastIndexByte(s, '%'); i >= 0 && i >= len(s)-2 {
		s = s[:i]
	}
	return s
}

// truncateBytes cuts s to at most n bytes without splitting a rune.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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
