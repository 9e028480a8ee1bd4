package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
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
	// outQueue bounds the frames waiting for one connection's writer, and
	// its subscription's queue in the hub. Full means the client cannot keep
	// up: it is closed with 1013 and resumes after reconnecting.
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

// conn is one websocket connection: a reader (the handler goroutine) that
// handles frames in order, and a writer goroutine that alone writes frames,
// from its queue and from the hub, so nothing waits on a slow client.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	ctx    context.Context // ends with the connection, not with the request
	cancel context.CancelFunc
	out    chan outItem

	closing    atomic.Bool // a close has started; set once
	greeted    atomic.Bool
	writerDone chan struct{}
	helloTimer *time.Timer
	// pingTimer is re-armed by each ping, from the timer's goroutine.
	pingTimer atomic.Pointer[time.Timer]

	// The session of the upgrade request, resolved before the hijack.
	sessionAgent parley.Agent
	sessionErr   error

	// Reader-owned state, set by hello.
	role    parley.Role
	author  parley.Author
	visitor parley.Visitor
	agent   parley.Agent
	site    parley.Site
	page    parley.Page
	sub     *relay.Sub

	sends, others tokenBucket
	floodStart    time.Time
	floods        int

	// Writer-owned: the highest seq written per conversation, so a live
	// copy of a message already replayed is not sent twice.
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
	// sub, if set, starts the delivery of live events once frame (the
	// welcome) is written: nothing reaches the client before its welcome.
	sub *relay.Sub
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

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
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
		out:          make(chan outItem, outQueue),
		writerDone:   make(chan struct{}),
		sessionAgent: agent,
		sessionErr:   sessErr,
		sends:        tokenBucket{rate: s.cfg.Limits.SendPerSecond, burst: float64(s.cfg.Limits.SendBurst)},
		others:       tokenBucket{rate: ephemeralRate, burst: ephemeralBurst},
		sent:         make(map[uint64]uint64),
	}
	defer cancel()

	s.connsMu.Lock()
	if s.closing {
		s.connsMu.Unlock()
		ws.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
	defer func() {
		s.connsMu.Lock()
		delete(s.conns, c)
		s.connsMu.Unlock()
	}()

	c.run()
}

func (c *conn) run() {
	c.helloTimer = time.AfterFunc(helloTimeout, func() {
		if !c.greeted.Load() {
			c.closeWith(closeNoHello, "no hello")
		}
	})
	c.pingTimer.Store(time.AfterFunc(pingInterval, c.ping))
	go c.writeLoop()

	c.readLoop()

	c.helloTimer.Stop()
	c.cancel() // before stopping the pinger: a running ping sees it and stops re-arming
	c.pingTimer.Load().Stop()
	// Read failed, so the connection is closed or closing; CloseNow waits
	// for a close already under way and frees the socket otherwise.
	c.ws.CloseNow()
	<-c.writerDone
	if c.sub != nil {
		c.s.hub.Unsubscribe(c.sub)
	}
}

// shutdown closes the connection with 1001 so the client reconnects; it
// does not wait for the close handshake.
func (c *conn) shutdown() {
	go c.closeWith(websocket.StatusGoingAway, "server shutting down")
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
	c.sub = c.s.hub.Subscribe(outQueue)
	c.s.hub.FollowVisitor(c.sub, v.ID)

	if c.page.URL != "" {
		c.publishPage()
	}
	convs, err := c.s.store.VisitorConversations(v.ID)
	if err != nil {
		c.helloFailed(err)
		return
	}
	// The widget shows one conversation: the newest.
	convs = convs[:min(len(convs), 1)]

	for _, from := range f.Since {
		if _, err := c.conversation(from.Conv); err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
			continue
		}
		welcome.replays = append(welcome.replays, from)
	}
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Visitor: &v, Token: token, Conversations: convs, Limits: &c.s.cfg.Limits}.Encode()
	welcome.sub = c.sub
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
	if len(f.Since) > maxSince {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.since lists more than %d conversations.", maxSince), "")
		return
	}
	a := c.sessionAgent
	c.role, c.agent = parley.RoleAgent, a
	c.author = parley.Author{Kind: parley.AuthorAgent, ID: a.ID, Name: a.Name}
	c.sub = c.s.hub.Subscribe(outQueue)
	c.s.hub.FollowSite(c.sub, relay.AllSites)

	convs, err := c.s.store.OpenConversations()
	if err != nil {
		c.helloFailed(err)
		return
	}
	welcome := &control{sub: c.sub}
	for _, from := range f.Since {
		if _, err := c.conversation(from.Conv); err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
			continue
		}
		welcome.replays = append(welcome.replays, from)
	}
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Agent: &a, Conversations: convs, Limits: &c.s.cfg.Limits}.Encode()
	c.greet(welcome)
}

// helloFailed undoes a hello that failed after subscribing, so that the
// client may try again.
func (c *conn) helloFailed(err error) {
	c.s.hub.Unsubscribe(c.sub)
	c.sub = nil
	c.role, c.author, c.visitor, c.agent, c.site = "", parley.Author{}, parley.Visitor{}, parley.Agent{}, parley.Site{}
	c.refuse(err, "")
}

func (c *conn) greet(welcome *control) {
	c.greeted.Store(true)
	c.helloTimer.Stop()
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
	a := store.Append{Conv: f.Conv, From: c.author, ID: f.ID, Text: text}
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
	m := res.Message
	c.enqueue(outItem{frame: parley.Frame{Type: parley.TypeAck, ID: f.ID, Conv: m.Conv, Seq: m.Seq, At: m.At, Dup: res.Dup}.Encode()})
}

// resume replays a conversation after a sequence number. The connection
// already follows it, so live messages that commit meanwhile are not lost.
func (c *conn) resume(f parley.Frame) {
	if !c.others.allow(time.Now()) {
		c.refuse(errSlowDown, "")
		return
	}
	if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "resume needs the conversation."), "")
		return
	}
	if _, err := c.conversation(f.Conv); err != nil {
		c.refuse(err, "")
		return
	}
	c.enqueue(outItem{ctl: &control{replays: []parley.ResumeFrom{{Conv: f.Conv, After: f.After}}}})
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
	ev.Skip = c.sub
	c.s.hub.Publish(ev)
	// Other agents' inboxes show the unread count.
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
		c.s.hub.Publish(convEvent(conv))
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
	c.s.hub.Publish(convEvent(conv))
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
	if c.floods > floodMax {
		c.closeWith(websocket.StatusPolicyViolation, "flooding")
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
	select {
	case c.out <- it:
	default:
		c.closeWith(websocket.StatusTryAgainLater, "too slow")
	}
}

// writeLoop is the only writer of frames. Queued items go before live
// events: a replay queued by resume then runs before the live messages
// that follow it, which the replay makes redundant.
func (c *conn) writeLoop() {
	defer close(c.writerDone)
	var live <-chan *relay.Event
	var dropped <-chan struct{}
	for {
		var it outItem
		select {
		case it = <-c.out:
		default:
			select {
			case <-dropped:
				// Before the live events left in the queue: a dropped
				// client resyncs anyway, and the close should reach it soon.
				c.closeWith(websocket.StatusTryAgainLater, "too slow")
				return
			default:
			}
			select {
			case it = <-c.out:
			case ev := <-live:
				if !c.writeEvent(ev) {
					return
				}
				continue
			case <-dropped:
				c.closeWith(websocket.StatusTryAgainLater, "too slow")
				return
			case <-c.ctx.Done():
				return
			}
		}
		if it.ctl == nil {
			if !c.write(it.frame) {
				return
			}
			continue
		}
		if !c.control(it.ctl) {
			return
		}
		if it.ctl.sub != nil {
			live, dropped = it.ctl.sub.C(), it.ctl.sub.Dropped()
		}
	}
}

// writeEvent writes a live event, skipping messages already sent.
func (c *conn) writeEvent(ev *relay.Event) bool {
	if ev.Seq != 0 {
		if ev.Seq <= c.sent[ev.Conv] {
			return true
		}
		c.sent[ev.Conv] = ev.Seq
	}
	return c.write(ev.Frame)
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
	// and will be replayed, so synced never claims more than was sent.
	newest, err := c.s.store.LastSeq(conv)
	for err == nil {
		n := 0
		ok := true
		err = c.s.store.Messages(conv, after, replayBatch, func(frame []byte) error {
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
			c.sent[conv] = max(c.sent[conv], seq)
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
	c.sent[conv] = max(c.sent[conv], newest)
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

// publishCommitted turns newly committed messages into hub events. It is the
// store's OnCommit hook: it runs after the commit, in commit order, and must
// not block (Publish never does).
//
// Every message is followed by its conversation: its preview, unread count
// and status (a visitor's message reopens it) change with each one. A new
// conversation is announced before its first message.
func (s *Server) publishCommitted(batch []store.Committed) {
	for i := range batch {
		c := &batch[i]
		conv := convEvent(c.Conv)
		if c.Created {
			s.hub.Publish(conv)
		}
		s.hub.Publish(&relay.Event{
			Site:    c.Conv.Site,
			Visitor: c.Conv.Visitor,
			Conv:    c.Conv.ID,
			Seq:     c.Message.Seq,
			Frame:   c.Frame,
		})
		if !c.Created {
			s.hub.Publish(conv)
		}
	}
}

// eventFor is an event for everyone following conv.
func eventFor(conv parley.Conversation, f parley.Frame) *relay.Event {
	return &relay.Event{Site: conv.Site, Visitor: conv.Visitor, Conv: conv.ID, Frame: f.Encode()}
}

func convEvent(conv parley.Conversation) *relay.Event {
	return eventFor(conv, parley.Frame{Type: parley.TypeConv, Conversation: &conv})
}

// checkPage validates a visitor's page. It is shown to agents as a link,
// so only http and https are accepted.
func checkPage(p parley.Page) (parley.Page, error) {
	u, err := url.Parse(p.URL)
	if p.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return parley.Page{}, parley.Errorf(parley.EInvalid, "The page needs an http or https URL.")
	}
	return parley.Page{
		URL:   truncateBytes(p.URL, maxPageURLBytes),
		Title: parley.Truncate(strings.TrimSpace(p.Title), maxPageTitleRunes),
	}, nil
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
