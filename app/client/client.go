// Package client is Parley's websocket client. It dials the relay, says
// hello, keeps an outbox of messages the server has not committed yet and
// resends them after every reconnect, tracks per conversation the highest
// sequence number up to which it holds every message, and asks the server to
// replay whatever it missed, so that the app sees each message exactly once
// and in order.
//
// The wasm apps (visitor widget, agent console) use it in the browser; tests
// and the load generator use it natively. It may import app/parley,
// github.com/coder/websocket and the standard library: never server/ or bbolt,
// which would not build for js/wasm.
package client

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// Timings. Writes and the handshake are bounded so a dead network never
// wedges the client; the backoff keeps a fleet of widgets from stampeding a
// restarted server.
const (
	dialTimeout    = 10 * time.Second
	welcomeTimeout = 10 * time.Second
	writeTimeout   = 10 * time.Second
	// defaultProbeTimeout bounds how long Resync waits for a sign of life.
	defaultProbeTimeout = 5 * time.Second
	minBackoff          = 250 * time.Millisecond
	maxBackoff          = 10 * time.Second
	// stableAfter is how long a connection must have been online for the
	// backoff to start again from minBackoff.
	stableAfter = 10 * time.Second
	// retryAfterLimit and retryAfterFailure pause sending after the server
	// refused a send with rate_limited, or with unavailable or internal.
	retryAfterLimit   = time.Second
	retryAfterFailure = 2 * time.Second
	// DefaultReadLimit bounds one incoming frame. An agent's welcome lists
	// every open conversation, so it is far above the frame size a client
	// may send.
	DefaultReadLimit = 4 << 20
	// maxQueuedControl bounds the frames (typing, read, resume, …) waiting for
	// the writer; typing frames beyond it are dropped.
	maxQueuedControl = 256
)

var (
	// ErrUnauthorized ends Run when the server refuses an agent's session
	// (close code 4001): the agent has to log in again.
	ErrUnauthorized = parley.Errorf(parley.EUnauthorized, "Your session has ended. Please log in again.")
	// ErrClosed ends Run when the server closed the connection normally
	// (close code 1000), which the protocol says means "do not come back".
	ErrClosed = errors.New("client: the server ended the connection")
	// errRunning is returned by a second, concurrent Run.
	errRunning = errors.New("client: Run is already running")
)

// Options configure a Client.
type Options struct {
	// URL is the websocket endpoint, "ws://host/ws" or "wss://host/ws".
	URL string
	// Hello is the first frame: Role, Site, Token, Page, ResumeLink. The
	// client fills Since itself from what it holds, and replaces Token with
	// the one from the latest welcome and Page with the one given to Page.
	// ResumeLink goes in the hellos until the first welcome only: a link
	// works once, and the welcome's token stands for it from then on.
	Hello parley.Frame
	// Header is sent with the upgrade request natively (an agent's session
	// cookie); browsers cannot set headers, so it is ignored there.
	Header http.Header
	// Outbox holds unacknowledged send frames restored from storage (the
	// widget was reloaded): they are resent first, in order.
	Outbox []parley.Frame
	// OnOutbox is called whenever the outbox changes, with a copy, so the app
	// can persist it.
	OnOutbox func([]parley.Frame)
	// OnFrame receives every server frame the app should see, after the
	// client's bookkeeping: each msg once per (conv, seq), in sequence order
	// for followed conversations. Frames the client keeps no books on
	// (conv, typing, queue, presence, …) pass through as they arrive.
	OnFrame func(parley.Frame)
	// OnState receives connection state changes.
	OnState func(State)
	// ReadLimit bounds one incoming frame in bytes; 0 means DefaultReadLimit.
	ReadLimit int64
}

// State is the connection state.
type State int

const (
	// Connecting: dialing, or waiting for the welcome.
	Connecting State = iota
	// Online: welcomed; frames flow.
	Online
	// Offline: not connected; waiting before the next attempt, or not running.
	Offline
)

func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Online:
		return "online"
	case Offline:
		return "offline"
	}
	return "unknown"
}

// Client is one logical connection to Parley that survives reconnects. Its
// methods may be called from any goroutine. The callbacks in Options are
// never called concurrently, never while the client holds its lock (so they
// may call the client), and in the order the events happened.
type Client struct {
	opts    Options
	visitor bool
	// self is who this client is, from the welcome: the author of the
	// copies of its own messages.
	self      parley.Author
	readLimit int64
	// probeTimeout is a field so tests can shorten it.
	probeTimeout time.Duration

	mu      sync.Mutex
	running bool
	state   State
	token   string
	// resumeLink is Options.Hello's, until the first welcome.
	resumeLink string
	// proof is a solved challenge not yet spent (a new visitor of a
	// flooded site): every hello carries it until a welcome.
	proof *parley.Proof
	page  *parley.Page
	// identify is the shop's latest identify (Identify), sent after each
	// welcome until the server answers it.
	identify *parley.Frame
	// device is the visitor's clock (Device), sent after each welcome;
	// contexts are context frames asked for while offline, sent after the
	// next welcome (at most maxContexts, the newest).
	device   *parley.Device
	contexts []parley.Frame
	// away: the agent set itself away (Presence); every hello says so.
	away    bool
	limits  parley.Limits
	outbox  []parley.Frame
	follows map[uint64]*follow
	// sess is the current connection once welcomed, nil otherwise.
	sess *session
	// reads and resolves asked for while offline, sent after the next welcome.
	reads    map[uint64]uint64
	resolves map[uint64]bool
	// delivered are the delivered marks by conversation (delivered.go);
	// deliverDue counts those with a frame due.
	delivered  map[uint64]*deliveryMark
	deliverDue int
	// wake cuts the backoff short (Resync while offline).
	wake chan struct{}

	events      []event
	dispatching bool
}

// follow is what the client knows about one conversation it tracks.
type follow struct {
	// last is the highest seq up to which every message was delivered.
	last uint64
	// held are messages that arrived after a gap, waiting for it to fill,
	// by the seq of the entry before them in this client's stream.
	held map[uint64]parley.Frame
	// pending: a replay (hello.since or resume) was asked on the current
	// connection and its synced has not arrived; resumeAfter is where it began.
	pending     bool
	resumeAfter uint64
}

// New returns a client; nothing happens until Run.
func New(o Options) *Client {
	c := &Client{
		opts:         o,
		visitor:      o.Hello.Role == parley.RoleVisitor,
		readLimit:    o.ReadLimit,
		probeTimeout: defaultProbeTimeout,
		state:        Offline,
		token:        o.Hello.Token,
		resumeLink:   o.Hello.ResumeLink,
		limits:       parley.DefaultLimits,
		follows:      make(map[uint64]*follow),
		reads:        make(map[uint64]uint64),
		resolves:     make(map[uint64]bool),
		delivered:    make(map[uint64]*deliveryMark),
		wake:         make(chan struct{}, 1),
	}
	if c.readLimit <= 0 {
		c.readLimit = DefaultReadLimit
	}
	if o.Hello.Page != nil {
		p := *o.Hello.Page
		c.page = &p
	}
	seen := make(map[string]bool)
	for _, f := range o.Outbox {
		// Storage is the app's and may be stale or tampered with: keep only
		// frames the server could accept, once each.
		if parley.CheckClientID(f.ID) != nil || seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		out := parley.Frame{Type: parley.TypeSend, ID: f.ID, Conv: f.Conv, Text: f.Text, Greeted: f.Greeted}
		if f.Conv == 0 {
			// The pre-chat answers travel with the message that starts the
			// conversation, whatever reload or reconnect comes between.
			out.Topic, out.Name, out.Email = f.Topic, f.Name, f.Email
		}
		c.outbox = append(c.outbox, out)
	}
	return c
}

// Send queues a message for conv (0: a visitor's open conversation, or a new
// one) and returns its client id. The message stays in the outbox, and is
// resent after every reconnect, until the server acks it or refuses it for
// good; a refusal (and a text the limits reject before sending) reaches
// OnFrame as an error frame carrying the id.
func (c *Client) Send(conv uint64, text string, greeted bool) (id string) {
	return c.SendForm(conv, text, greeted, parley.PreChatAnswers{})
}

// SendForm is Send for a visitor's message that starts a conversation
// (conv 0) with the answers of the pre-chat form: they are part of the
// outbox entry, so every resend carries them. For a conv other than 0 the
// answers are dropped: only a new conversation has a form.
func (c *Client) SendForm(conv uint64, text string, greeted bool, a parley.PreChatAnswers) (id string) {
	f := parley.Frame{Type: parley.TypeSend, Conv: conv, Greeted: greeted, Fresh: true}
	if conv == 0 {
		f.Topic, f.Name, f.Email = a.Topic, a.Name, a.Email
	}
	return c.queue(f, text)
}

// SendNew is SendForm for a visitor's message that starts a new
// conversation even when another is open (the widget's "New
// conversation"): conv 0 with new: true, kept and resent like any send.
// Only the first message of the new conversation carries it: send the
// next ones to its id once acked, or with conv 0 (the newest open one)
// before.
func (c *Client) SendNew(text string, greeted bool, a parley.PreChatAnswers) (id string) {
	f := parley.Frame{Type: parley.TypeSend, New: true, Greeted: greeted, Fresh: true, Topic: a.Topic, Name: a.Name, Email: a.Email}
	return c.queue(f, text)
}

// SendNote is Send for an agent's internal note to conv: a send frame of
// kind "note", kept in the outbox and resent like a message. Only agents
// receive it; the visitor's stream never shows a gap for it.
func (c *Client) SendNote(conv uint64, text string) (id string) {
	return c.queue(parley.Frame{Type: parley.TypeSend, Conv: conv, Kind: parley.KindNote, Fresh: true}, text)
}

// SendRich is Send for an agent's rich message: a product card and quick
// replies (parley.CheckRich), kept in the outbox like a message. A card
// without text reads as its title, as the server stores it.
func (c *Client) SendRich(conv uint64, text string, card *parley.Card, replies []string) (id string) {
	card, replies, err := parley.CheckRich(card, replies)
	if err != nil {
		return ""
	}
	if card != nil && strings.TrimSpace(text) == "" {
		text = card.Title
	}
	return c.queue(parley.Frame{Type: parley.TypeSend, Conv: conv, Fresh: true, Card: card, Replies: replies}, text)
}

// queue checks text, gives f an id and puts it in the outbox.
func (c *Client) queue(f parley.Frame, text string) (id string) {
	id = newID()
	f.ID = id
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := c.limits.CheckText(text)
	if err == nil {
		f.Text = t
		// 4,000 characters may still encode to more than a frame may hold
		// (escaping, multi-byte runes); the server would close with 1009.
		if n := len(f.Encode()); n > c.limits.MaxFrameBytes {
			err = parley.Errorf(parley.ETooLarge, "Message is too long to send; please shorten it.")
		}
	}
	return c.outboxLocked(f, err)
}

// outboxLocked puts f in the outbox, or, when err says it can never be
// sent, tells the app so under its id; c.mu is held.
func (c *Client) outboxLocked(f parley.Frame, err error) (id string) {
	if err != nil {
		c.emitLocked(event{frame: parley.ErrorFrame(err, f.ID), hasFrame: true})
		return f.ID
	}
	c.outbox = append(c.outbox, f)
	c.emitOutboxLocked()
	if c.sess != nil {
		c.sess.kickWriter()
	}
	return f.ID
}

// SendFiles queues a message carrying files uploaded to conv (the server
// refuses them for any other conversation); text may be empty.
func (c *Client) SendFiles(conv uint64, text string, files []parley.File) (id string) {
	id = newID()
	c.mu.Lock()
	defer c.mu.Unlock()
	f := parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Fresh: true, Files: files}
	_, err := parley.CheckFileRefs(files)
	if err == nil && conv == 0 {
		err = parley.Errorf(parley.EInvalid, "Files go to a conversation that has begun.")
	}
	if err == nil && strings.TrimSpace(text) != "" {
		f.Text, err = c.limits.CheckText(text)
	}
	if err == nil && len(f.Encode()) > c.limits.MaxFrameBytes {
		err = parley.Errorf(parley.ETooLarge, "Message is too long to send; please shorten it.")
	}
	return c.outboxLocked(f, err)
}

// Outbox returns a copy of the unacknowledged send frames, oldest first.
func (c *Client) Outbox() []parley.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]parley.Frame(nil), c.outbox...)
}

// Typing sends a typing state. Best effort: dropped when offline.
func (c *Client) Typing(conv uint64, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil && len(c.sess.ctrl) < maxQueuedControl {
		c.sess.queue(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: on})
	}
}

// Draft sends the visitor's draft of conv as a typing preview (a site
// that shows agents what its visitors type: WidgetSettings.TypingPreview);
// "" says the draft is gone. The caller paces it.
func (c *Client) Draft(conv uint64, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil && len(c.sess.ctrl) < maxQueuedControl {
		c.sess.queue(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: text != "", Text: parley.MaskCards(parley.Truncate(text, parley.MaxDraftRunes))})
	}
}

// Read marks everything up to seq of conv as seen. Offline, the newest mark
// per conversation is kept and sent after the next welcome.
func (c *Client) Read(conv, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Seen is more than delivered: no delivered frame up to seq.
	c.toldLocked(conv, seq)
	if c.sess != nil {
		c.sess.queue(parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: seq})
		return
	}
	if seq > c.reads[conv] {
		c.reads[conv] = seq
	}
}

// Page records the page the visitor is on: sent now if online, and put into
// every later hello.
func (c *Client) Page(p parley.Page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.page = &p
	if c.sess != nil {
		pp := p
		c.sess.queue(parley.Frame{Type: parley.TypePage, Page: &pp})
	}
}

// Presence sets the agent's own status, parley.StatusOnline or
// parley.StatusAway: sent now if online, and put into every later hello,
// so that a reconnect does not show the agent online for an instant.
func (c *Client) Presence(status string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.away = status == parley.StatusAway
	if c.sess != nil && !c.visitor {
		c.sess.queue(parley.Frame{Type: parley.TypePresence, Status: status})
	}
}

// Resolve closes a conversation (agents). Offline, it is sent after the next
// welcome.
func (c *Client) Resolve(conv uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil {
		c.sess.queue(parley.Frame{Type: parley.TypeResolve, Conv: conv})
		return
	}
	c.resolves[conv] = true
}

// Identify tells the server who the visitor is, for the shop
// (app/parley/identity.go): now if online, else after the next welcome,
// and again after each welcome until the server answers with identified.
// Only the latest identify counts. When the answer makes this device
// another visitor (the contact), the client takes the new token, forgets
// the old visitor's conversations and says hello again as them; the app
// sees the identified frame first (to store the token).
func (c *Client) Identify(who parley.Identify) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.visitor {
		return
	}
	f := parley.Frame{Type: parley.TypeIdentify, ID: newID(), ExternalID: who.ExternalID,
		Name: who.Name, Email: who.Email, Signature: who.Signature}
	c.identify = &f
	if c.sess != nil {
		c.sess.queue(f)
	}
}

// maxContexts bounds the context frames kept while offline.
const maxContexts = 20

// Context sends a visitor's context frame (attributes, cart, track,
// referrer): now if online, else after the next welcome. It carries an
// id so that a refusal (the shop's page said something out of bounds)
// names it: the chat shows no error for it, the visitor did nothing.
func (c *Client) Context(f parley.Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.visitor {
		return
	}
	f.Type, f.ID = parley.TypeContext, newID()
	if c.sess != nil {
		c.sess.queue(f)
		return
	}
	c.contexts = append(c.contexts, f)
	if n := len(c.contexts); n > maxContexts {
		c.contexts = c.contexts[n-maxContexts:]
	}
}

// Device sets the visitor's time zone and UTC offset, sent after every
// welcome (now, if online): once per connection.
func (c *Client) Device(d parley.Device) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.visitor {
		return
	}
	c.device = &d
	if c.sess != nil {
		c.sess.queue(parley.Frame{Type: parley.TypeContext, ID: newID(), Device: &d})
	}
}

// SendControl sends a request that is answered by what it changes or by
// an error frame carrying its id (an agent's claim or transfer). It fills
// in the id and returns it; the error frame reaches OnFrame like any
// other. Offline it sends nothing, keeps nothing for later (such a request
// is about the state now, not after a reconnect) and reports false.
func (c *Client) SendControl(f parley.Frame) (id string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return "", false
	}
	f.ID = newID()
	c.sess.queue(f)
	return f.ID, true
}

// Follow starts tracking conv: the app holds every message up to after (an
// agent that loaded the history, say). Messages after it are then delivered
// once each and in order, gaps are filled by resume, and conv is part of
// every hello. Following a conversation already followed never moves its
// position back (that would deliver messages twice); Unfollow first to start
// over. Online, a resume is sent at once.
func (c *Client) Follow(conv, after uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fl := c.follows[conv]
	if fl == nil {
		fl = c.followLocked(conv, after)
	} else if after > fl.last {
		fl.last = after
		for prev, f := range fl.held {
			if f.Seq <= after {
				delete(fl.held, prev)
			}
		}
		c.drainLocked(fl)
	}
	if !fl.pending {
		c.resumeLocked(conv, fl)
	}
}

// Unfollow stops tracking conv: its messages are passed on untracked, as for
// any conversation not followed.
func (c *Client) Unfollow(conv uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.follows, conv)
}

// Resync asks for a replay of every followed conversation; call it when the
// tab becomes visible again. Offline, it reconnects at once instead of
// waiting out the backoff. Online, a connection that shows no sign of life
// within a few seconds is dropped and replaced.
func (c *Client) Resync() {
	c.mu.Lock()
	s := c.sess
	if s == nil {
		c.mu.Unlock()
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return
	}
	for _, conv := range c.followedLocked() {
		fl := c.follows[conv]
		fl.pending = false
		c.resumeLocked(conv, fl)
	}
	if len(c.follows) > 0 && s.probe.IsZero() {
		// Every resume is answered by synced: silence means a dead socket,
		// which a browser may not notice for minutes after a sleep.
		s.probe = time.Now().Add(c.probeTimeout)
		s.kickWriter()
	}
	c.mu.Unlock()
	go s.ping(c.probeTimeout)
}

// LastSeq is the highest seq of conv up to which every message was
// delivered; 0 for a conversation not followed.
func (c *Client) LastSeq(conv uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fl := c.follows[conv]; fl != nil {
		return fl.last
	}
	return 0
}

// Token is the visitor token from the latest welcome (or Options.Hello's).
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// State is the current connection state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Limits are the limits from the latest welcome (the defaults before).
func (c *Client) Limits() parley.Limits {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limits
}

// Following lists the followed conversations, in ascending order.
func (c *Client) Following() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.followedLocked()
}

func (c *Client) followedLocked() []uint64 {
	convs := make([]uint64, 0, len(c.follows))
	for conv := range c.follows {
		convs = append(convs, conv)
	}
	sort.Slice(convs, func(i, j int) bool { return convs[i] < convs[j] })
	return convs
}

func (c *Client) followLocked(conv, after uint64) *follow {
	fl := &follow{last: after, held: make(map[uint64]parley.Frame)}
	c.follows[conv] = fl
	return fl
}

// resumeLocked asks for the messages of conv after what the client holds.
// Offline there is nothing to do: the next hello carries it.
func (c *Client) resumeLocked(conv uint64, fl *follow) {
	if c.sess == nil {
		return
	}
	fl.pending = true
	fl.resumeAfter = fl.last
	c.sess.queue(parley.Frame{Type: parley.TypeResume, Conv: conv, After: fl.last})
}

// drainLocked delivers the held messages that now follow without a gap.
func (c *Client) drainLocked(fl *follow) {
	for {
		f, ok := fl.held[fl.last]
		if !ok {
			return
		}
		delete(fl.held, fl.last)
		fl.last = f.Seq
		c.emitLocked(event{frame: f, hasFrame: true})
	}
}

// prevLocked is the seq of the entry before f in this client's stream: an
// agent sees every entry; a visitor's stream skips the agents-only ones,
// and its frames say what came before when that is not seq-1.
func (c *Client) prevLocked(f parley.Frame) uint64 {
	if c.visitor {
		return f.PrevSeq()
	}
	return f.Seq - 1
}

// newID returns a random UUIDv4 string: 122 random bits make collisions
// between one author's messages practically impossible.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// event is one callback to make.
type event struct {
	frame    parley.Frame
	hasFrame bool
	state    State
	hasState bool
	outbox   []parley.Frame
	isOutbox bool
}

func (c *Client) emitOutboxLocked() {
	c.emitLocked(event{outbox: append([]parley.Frame{}, c.outbox...), isOutbox: true})
}

func (c *Client) setStateLocked(s State) {
	if c.state != s {
		c.state = s
		c.emitLocked(event{state: s, hasState: true})
	}
}

func (c *Client) setState(s State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setStateLocked(s)
}

// emitLocked queues an event. At most one dispatcher goroutine runs at a
// time; it exits when the queue is empty, so an idle client holds none.
func (c *Client) emitLocked(ev event) {
	if ev.hasFrame && ev.frame.Type == parley.TypeMsg {
		c.receivedLocked(ev.frame)
	}
	c.events = append(c.events, ev)
	if !c.dispatching {
		c.dispatching = true
		go c.dispatch()
	}
}

func (c *Client) dispatch() {
	for {
		c.mu.Lock()
		evs := c.events
		c.events = nil
		if len(evs) == 0 {
			c.dispatching = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for _, ev := range evs {
			switch {
			case ev.hasFrame && c.opts.OnFrame != nil:
				c.opts.OnFrame(ev.frame)
			case ev.hasState && c.opts.OnState != nil:
				c.opts.OnState(ev.state)
			case ev.isOutbox && c.opts.OnOutbox != nil:
				c.opts.OnOutbox(ev.outbox)
			}
		}
	}
}
