package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coder/websocket"
	"github.com/parley-chat/parley/app/parley"
)

// Close codes of docs/protocol.md that change what the client does.
const (
	closeUnauthorized websocket.StatusCode = 4001
)

// What the server accepts besides sends; docs/protocol.md does not announce
// these, so they mirror server/web with some room to spare.
const (
	// maxSince bounds the conversations of one hello.
	maxSince = 1000
	// ctrlRate and ctrlBurst pace resume, typing, read and page frames.
	ctrlRate  = 8
	ctrlBurst = 30
	// maxChallenges bounds the proofs of work one connection makes: a
	// server that keeps asking is refusing, and the backoff applies.
	maxChallenges = 3
)

// Run connects and keeps reconnecting, with jittered exponential backoff,
// until ctx is done (then it returns nil), the server refuses an agent's
// session (ErrUnauthorized) or closes normally (ErrClosed). Only one Run may
// be active at a time; after it returns, Run may be called again.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errRunning
	}
	c.running = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.setStateLocked(Offline)
		c.mu.Unlock()
	}()

	attempt := 0
	for {
		c.setState(Connecting)
		online, err := c.connect(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrClosed) {
			return err
		}
		if online >= stableAfter {
			attempt = 0
		}
		wait := backoff(attempt)
		attempt++
		c.setState(Offline)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-c.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// backoff is the wait before reconnect attempt n (0-based): exponential from
// minBackoff to maxBackoff, with jitter so that clients dropped together do
// not come back together.
func backoff(n int) time.Duration {
	d := maxBackoff
	if n < 8 {
		d = min(minBackoff<<n, maxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// session is one websocket connection.
type session struct {
	conn   *websocket.Conn
	cancel context.CancelFunc
	// kick wakes the writer.
	kick chan struct{}

	// Guarded by Client.mu.
	// ctrl are frames other than send, written before the outbox.
	ctrl []parley.Frame
	// sent is how many outbox entries (a prefix) were written on this
	// connection.
	sent int
	// pauseUntil holds sends back after a retryable refusal.
	pauseUntil time.Time
	// tokens and refilled pace sends below the server's rate limit, so that
	// resending a long outbox is not refused (and reordered) half-way.
	tokens   float64
	refilled time.Time
	// ctrlTokens and pauseCtrl do the same for the other frames, which the
	// server limits too (resume, typing, read, page).
	ctrlTokens float64
	pauseCtrl  time.Time
	// probe, when set, is when the connection counts as dead unless a frame
	// arrived since.
	probe time.Time
	// helloPage is the page the hello carried, to send a newer one after
	// the welcome.
	helloPage *parley.Page
	// helloAway is the away the hello carried, to correct it after the welcome.
	helloAway bool
}

func (s *session) kickWriter() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *session) queue(f parley.Frame) {
	s.ctrl = append(s.ctrl, f)
	s.kickWriter()
}

// ping drops the connection if it does not answer a ping in time. In the
// browser Ping is a no-op; the resume probe covers it there.
func (s *session) ping(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.conn.Ping(ctx); err != nil {
		s.cancel()
	}
}

// connect runs one connection until it fails, and reports how long it was
// online.
func (c *Client) connect(ctx context.Context) (online time.Duration, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	dctx, dcancel := context.WithTimeout(ctx, dialTimeout)
	conn, err := dial(dctx, c.opts.URL, c.opts.Header)
	dcancel()
	if err != nil {
		return 0, fmt.Errorf("client: dialing: %w", err)
	}
	conn.SetReadLimit(c.readLimit)
	// Reads run on their own goroutine, not under ctx: in the browser a read
	// cancelled by its context waits for the close handshake, which on a dead
	// network takes as long as the browser likes. Giving up on the
	// connection must be immediate.
	frames := make(chan readResult)
	stop := make(chan struct{})
	go readLoop(conn, frames, stop)
	defer func() {
		close(stop)
		closeConn(conn)
	}()
	next := func(timeout <-chan time.Time) (parley.Frame, error) {
		select {
		case r := <-frames:
			if r.err != nil {
				return r.f, c.readErr(r.err)
			}
			return r.f, nil
		case <-timeout:
			return parley.Frame{}, errors.New("client: no welcome in time")
		case <-ctx.Done():
			return parley.Frame{}, ctx.Err()
		}
	}

	s := &session{conn: conn, cancel: cancel, kick: make(chan struct{}, 1)}
	c.mu.Lock()
	hello := c.helloLocked()
	s.helloPage = hello.Page
	s.helloAway = hello.Status == parley.StatusAway
	c.mu.Unlock()
	defer c.endSession(s)

	if err := writeFrame(ctx, conn, hello); err != nil {
		return 0, err
	}
	welcome, err := c.awaitWelcome(ctx, conn, hello, next)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	c.mu.Lock()
	c.welcomeLocked(s, welcome)
	c.mu.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		c.writeLoop(ctx, s)
	}()
	defer func() {
		cancel()
		<-done
	}()

	for {
		f, err := next(nil)
		if err != nil {
			return time.Since(start), err
		}
		c.mu.Lock()
		c.handleLocked(s, f)
		c.mu.Unlock()
	}
}

type readResult struct {
	f   parley.Frame
	err error
}

// readLoop reads frames until the connection fails, handing them over until
// stop is closed.
func readLoop(conn *websocket.Conn, out chan<- readResult, stop <-chan struct{}) {
	for {
		f, err := readFrame(context.Background(), conn)
		select {
		case out <- readResult{f, err}:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// awaitWelcome reads until the welcome. A challenge is answered on the
// same connection; any other refused hello is shown to the app.
func (c *Client) awaitWelcome(ctx context.Context, conn *websocket.Conn, hello parley.Frame, next func(<-chan time.Time) (parley.Frame, error)) (parley.Frame, error) {
	t := time.NewTimer(welcomeTimeout)
	defer t.Stop()
	challenges := 0
	for {
		f, err := next(t.C)
		if err != nil {
			return f, err
		}
		switch f.Type {
		case parley.TypeWelcome:
			return f, nil
		case parley.TypeError:
			if f.Code == parley.EUnauthorized && !c.visitor {
				return f, ErrUnauthorized
			}
			if f.Code == parley.EChallenge && f.Challenge != nil && c.visitor && challenges < maxChallenges {
				// The site is flooded: prove work and say hello again,
				// unseen by the app, which shows "Connecting…" meanwhile.
				challenges++
				p, err := c.prove(ctx, *f.Challenge)
				if ctx.Err() != nil {
					return f, ctx.Err()
				}
				if err == nil {
					hello.Proof = &p
					if err := writeFrame(ctx, conn, hello); err != nil {
						return f, err
					}
					t.Reset(welcomeTimeout)
					continue
				}
			}
			// A refused hello (no such site, say) would be refused again
			// at once: show why, and try again after the backoff.
			c.mu.Lock()
			c.emitLocked(event{frame: f, hasFrame: true})
			c.mu.Unlock()
			return f, fmt.Errorf("client: hello refused: %s", f.Code)
		}
	}
}

// prove solves a challenge, off the read loop (which goes on reading),
// pausing between rounds where the solving shares a thread with the page.
// The proof is kept for the next hello: if solving outlasted the socket's
// time for its hello, the next connection spends it instead of starting
// over.
func (c *Client) prove(ctx context.Context, ch parley.Challenge) (parley.Proof, error) {
	p, err := parley.SolveChallenge(ctx, ch, solvePause)
	if err == nil {
		c.mu.Lock()
		c.proof = &p
		c.mu.Unlock()
	}
	return p, err
}

// readErr turns a read error into what Run should do about it.
func (c *Client) readErr(err error) error {
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure:
		return ErrClosed
	case closeUnauthorized:
		if !c.visitor {
			return ErrUnauthorized
		}
	case websocket.StatusMessageTooBig:
		// Send keeps frames below the limit; a frame restored from storage
		// or written under other limits may not be. Resending it would be
		// refused the same way forever.
		c.dropOversized()
	}
	return fmt.Errorf("client: reading: %w", err)
}

func (c *Client) dropOversized() {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.outbox[:0:0]
	for _, f := range c.outbox {
		if len(f.Encode()) > c.limits.MaxFrameBytes {
			c.emitLocked(event{frame: parley.ErrorFrame(parley.Errorf(parley.ETooLarge, "Message is too long to send; please shorten it."), f.ID), hasFrame: true})
			continue
		}
		kept = append(kept, f)
	}
	if len(kept) != len(c.outbox) {
		c.outbox = kept
		c.emitOutboxLocked()
	}
}

// helloLocked builds the hello and marks every followed conversation as being
// replayed by it.
func (c *Client) helloLocked() parley.Frame {
	h := c.opts.Hello
	h.Type = parley.TypeHello
	h.Since = nil
	h.ResumeLink = ""
	if c.visitor {
		h.Token, h.ResumeLink = c.token, c.resumeLink
		h.Proof = c.proof
	}
	if c.page != nil {
		p := *c.page
		h.Page = &p
	}
	if !c.visitor && c.away {
		h.Status = parley.StatusAway
	}
	convs := c.followedLocked()
	// The server refuses a hello with too long a list; the newest
	// conversations go into it, the others are resumed after the welcome.
	for i := len(convs) - 1; i >= 0 && len(h.Since) < maxSince; i-- {
		fl := c.follows[convs[i]]
		fl.pending = true
		fl.resumeAfter = fl.last
		h.Since = append(h.Since, parley.ResumeFrom{Conv: convs[i], After: fl.last})
	}
	return h
}

func (c *Client) welcomeLocked(s *session, f parley.Frame) {
	// Whether the link made this device its visitor or not (an error
	// follows the welcome then), saying it again would not help.
	c.resumeLink = ""
	c.proof = nil // spent, or not needed
	if c.visitor && f.Token != "" {
		if c.token != "" && c.token != f.Token {
			// The server did not know the old token (another site's, or
			// its data was reset): this is a new visitor, and the old
			// one's conversations are not theirs to follow.
			clear(c.follows)
			clear(c.reads)
		}
		c.token = f.Token
	}
	switch {
	case f.Visitor != nil:
		c.self = parley.Author{Kind: parley.AuthorVisitor, ID: f.Visitor.ID, Name: f.Visitor.Name}
	case f.Agent != nil:
		c.self = parley.Author{Kind: parley.AuthorAgent, ID: f.Agent.ID, Name: f.Agent.Name}
	}
	c.limits = parley.DefaultLimits
	if l := f.Limits; l != nil {
		if l.MaxFrameBytes > 0 {
			c.limits.MaxFrameBytes = l.MaxFrameBytes
		}
		if l.MaxTextRunes > 0 {
			c.limits.MaxTextRunes = l.MaxTextRunes
		}
		if l.SendPerSecond > 0 {
			c.limits.SendPerSecond = l.SendPerSecond
		}
		if l.SendBurst > 0 {
			c.limits.SendBurst = l.SendBurst
		}
	}
	s.tokens = float64(c.burst())
	s.ctrlTokens = ctrlBurst
	s.refilled = time.Now()
	c.sess = s

	// The app sees the welcome before the replays it causes.
	c.emitLocked(event{frame: f, hasFrame: true})
	c.setStateLocked(Online)

	if c.visitor {
		// A visitor follows their newest conversation and the open ones:
		// the widget shows them whole. A past one is followed when the
		// app opens it (Follow), or when a message of it arrives: a
		// welcome of twenty past conversations replays none of them.
		for i, conv := range f.Conversations {
			if (i == 0 || conv.IsOpen()) && c.follows[conv.ID] == nil {
				c.followLocked(conv.ID, 0)
			}
		}
	}
	// Conversations followed after the hello was written, and the visitor's
	// new ones, were not in hello.since.
	for _, conv := range c.followedLocked() {
		if fl := c.follows[conv]; !fl.pending {
			c.resumeLocked(conv, fl)
		}
	}
	if c.page != nil && (s.helloPage == nil || *s.helloPage != *c.page) {
		p := *c.page
		s.queue(parley.Frame{Type: parley.TypePage, Page: &p})
	}
	if !c.visitor && c.away != s.helloAway {
		status := parley.StatusOnline
		if c.away {
			status = parley.StatusAway
		}
		s.queue(parley.Frame{Type: parley.TypePresence, Status: status})
	}
	if c.identify != nil {
		s.queue(*c.identify)
	}
	if c.device != nil {
		d := *c.device
		s.queue(parley.Frame{Type: parley.TypeContext, ID: newID(), Device: &d})
	}
	for _, f := range c.contexts {
		s.queue(f)
	}
	c.contexts = nil
	for conv, seq := range c.reads {
		s.queue(parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: seq})
	}
	clear(c.reads)
	for conv := range c.resolves {
		s.queue(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	}
	clear(c.resolves)
	s.kickWriter()
}

// burst is how many sends the client allows itself at once: a little below
// the server's burst, so that clock differences never trip its limiter.
func (c *Client) burst() int {
	return max(1, c.limits.SendBurst-2)
}

func (c *Client) endSession(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == s {
		c.sess = nil
	}
	for _, fl := range c.follows {
		fl.pending = false
	}
	// Read marks and resolves not written yet go out after the next welcome,
	// as if they had been asked for offline.
	for _, f := range s.ctrl {
		switch f.Type {
		case parley.TypeRead:
			c.reads[f.Conv] = max(c.reads[f.Conv], f.Seq)
		case parley.TypeResolve:
			c.resolves[f.Conv] = true
		case parley.TypeDelivered:
			// Made but not written: due again after the next welcome.
			m := c.markLocked(f.Conv)
			m.got, m.told = max(m.got, f.Seq), min(m.told, f.Seq-1)
			if m.due.IsZero() {
				m.due = time.Now()
				c.deliverDue++
			}
		}
	}
	s.ctrl = nil
}

// handleLocked does the bookkeeping for one server frame and passes on what
// the app should see.
func (c *Client) handleLocked(s *session, f parley.Frame) {
	if f.Type == parley.TypeSynced || f.Type == parley.TypeError && f.ID == "" {
		// An answer to a resume: the connection is alive. Any other frame
		// might have been on its way before the connection died.
		s.probe = time.Time{}
	}
	switch f.Type {
	case parley.TypeMsg:
		c.msgLocked(f)
		return
	case parley.TypeAck:
		if c.visitor && f.Conv != 0 && c.follows[f.Conv] == nil {
			// The visitor's first message created this conversation; its
			// msg frames follow.
			c.followLocked(f.Conv, 0)
		}
		if i := c.outboxIndexLocked(f.ID); i >= 0 {
			// The server sends the sender no msg: the ack stands for it,
			// and this is the sender's copy, in order with the others.
			c.msgLocked(c.ownCopyLocked(c.outbox[i], f))
			c.removeLocked(s, i)
		}
	case parley.TypeSynced:
		if fl := c.follows[f.Conv]; fl != nil {
			fl.pending = false
			// Still a gap after a replay that made progress: ask again. A
			// replay that made none would only repeat itself.
			if fl.last < f.Seq && fl.last > fl.resumeAfter {
				c.resumeLocked(f.Conv, fl)
			}
		}
	case parley.TypeConv:
		if conv := f.Conversation; c.visitor && conv != nil && c.follows[conv.ID] == nil {
			// The server announces a new conversation before its first
			// message, which follows live: no resume needed. Had it been
			// lost, the next message's gap would ask for it.
			c.followLocked(conv.ID, 0)
		}
	case parley.TypeRead, parley.TypeDelivered:
		if f.From != nil && !c.otherSide(f.From.Kind) {
			// Another device of this side: its mark is the server's.
			c.toldLocked(f.Conv, f.Seq)
		}
	case parley.TypeIdentified:
		c.identifiedLocked(f)
	case parley.TypeError:
		if c.identify != nil && f.ID == c.identify.ID && f.Code != parley.ERateLimited &&
			f.Code != parley.EUnavailable && f.Code != parley.EInternal {
			c.identify = nil // refused for what it says: saying it again would not help
		}
		if f.ID == "" && f.Code == parley.ERateLimited {
			// A resume, typing or read frame refused for speed: the
			// client's business, not the user's. A refused resume is
			// never answered by synced, so let gaps ask again.
			for _, fl := range c.follows {
				fl.pending = false
			}
			s.pauseCtrl = time.Now().Add(retryAfterLimit)
			return
		}
		if i := c.outboxIndexLocked(f.ID); i >= 0 {
			switch f.Code {
			case parley.ERateLimited, parley.EUnavailable, parley.EInternal:
				// Not stored: send it again later, and what came after it,
				// so that the order holds.
				wait := retryAfterFailure
				if f.Code == parley.ERateLimited {
					wait = retryAfterLimit
				}
				s.sent = min(s.sent, i)
				s.pauseUntil = time.Now().Add(wait)
				s.kickWriter()
				return
			}
			c.removeLocked(s, i)
		}
	}
	c.emitLocked(event{frame: f, hasFrame: true})
}

// identifiedLocked takes the server's answer to an identify. A new token
// means the device is now the contact: the old visitor's conversations
// are not followed any more, and the server closes the connection so
// that the next hello, with the new token, is the contact's.
func (c *Client) identifiedLocked(f parley.Frame) {
	if c.identify != nil && f.ID == c.identify.ID {
		c.identify = nil
	}
	if f.Token == "" || f.Token == c.token {
		if f.Visitor != nil {
			c.self.Name = f.Visitor.Name
		}
		return
	}
	c.token = f.Token
	clear(c.follows)
	clear(c.reads)
	clear(c.resolves)
	clear(c.delivered)
	c.deliverDue = 0
	c.identify = nil
}

// ownCopyLocked is the msg frame that the ack of send stands for.
func (c *Client) ownCopyLocked(send, ack parley.Frame) parley.Frame {
	from := c.self
	text := send.Text
	if t, err := c.limits.CheckText(text); err == nil {
		text = t // as the server stored it
	}
	// Its files are the server's records, from the upload's answer.
	return parley.Frame{Type: parley.TypeMsg, Conv: ack.Conv, Seq: ack.Seq, ID: ack.ID, From: &from, Text: text, At: ack.At, Prev: ack.Prev,
		Kind: send.Kind, Card: send.Card, Replies: send.Replies, Files: send.Files}
}

// msgLocked delivers a msg frame once, in sequence order per followed
// conversation, and asks for a replay when it sees a gap.
func (c *Client) msgLocked(f parley.Frame) {
	fl := c.follows[f.Conv]
	if fl == nil {
		if !c.visitor {
			// An agent's inbox preview of a conversation it has not opened.
			c.emitLocked(event{frame: f, hasFrame: true})
			return
		}
		fl = c.followLocked(f.Conv, 0)
	}
	switch prev := c.prevLocked(f); {
	case f.Seq <= fl.last:
		// Seen already: a replay overlapping live delivery.
	case prev <= fl.last:
		fl.last = f.Seq
		c.emitLocked(event{frame: f, hasFrame: true})
		c.drainLocked(fl)
	default:
		fl.held[prev] = f
		if !fl.pending {
			c.resumeLocked(f.Conv, fl)
		}
	}
}

func (c *Client) outboxIndexLocked(id string) int {
	if id == "" {
		return -1
	}
	for i, f := range c.outbox {
		if f.ID == id {
			return i
		}
	}
	return -1
}

func (c *Client) removeLocked(s *session, i int) {
	c.outbox = append(c.outbox[:i:i], c.outbox[i+1:]...)
	if i < s.sent {
		s.sent--
	}
	c.emitOutboxLocked()
}

// writeLoop writes queued frames, then the outbox, paced, until the
// connection fails or ctx is done.
func (c *Client) writeLoop(ctx context.Context, s *session) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.mu.Lock()
		f, ok, wait, dead := c.nextLocked(s, time.Now())
		c.mu.Unlock()
		if dead {
			s.cancel()
			return
		}
		if ok {
			if err := writeFrame(ctx, s.conn, f); err != nil {
				s.cancel()
				return
			}
			continue
		}
		timer.Stop()
		if wait > 0 {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-timer.C:
		}
	}
}

// nextLocked picks the next frame to write, or how long to wait for one
// (0: until kicked).
func (c *Client) nextLocked(s *session, now time.Time) (f parley.Frame, ok bool, wait time.Duration, dead bool) {
	if !s.probe.IsZero() {
		if !now.Before(s.probe) {
			return f, false, 0, true
		}
		wait = s.probe.Sub(now)
	}
	soonest := func(d time.Duration) {
		if wait == 0 || d < wait {
			wait = d
		}
	}
	rate := c.limits.SendPerSecond * 0.9
	elapsed := now.Sub(s.refilled).Seconds()
	s.tokens = min(float64(c.burst()), s.tokens+elapsed*rate)
	s.ctrlTokens = min(ctrlBurst, s.ctrlTokens+elapsed*ctrlRate)
	s.refilled = now
	untilToken := func(tokens, rate float64) time.Duration {
		return time.Duration((1 - tokens) / rate * float64(time.Second))
	}

	switch {
	case len(s.ctrl) == 0:
	case now.Before(s.pauseCtrl):
		soonest(s.pauseCtrl.Sub(now))
	case s.ctrlTokens < 1:
		soonest(untilToken(s.ctrlTokens, ctrlRate))
	default:
		s.ctrlTokens--
		f = s.ctrl[0]
		s.ctrl = s.ctrl[1:]
		return f, true, 0, false
	}

	if len(s.ctrl) == 0 && !now.Before(s.pauseCtrl) {
		// Delivered marks are control frames, made when due.
		df, ok, d := c.nextDeliveredLocked(now)
		switch {
		case ok && s.ctrlTokens >= 1:
			s.ctrlTokens--
			return df, true, 0, false
		case ok:
			s.ctrl = append(s.ctrl, df)
			soonest(untilToken(s.ctrlTokens, ctrlRate))
		case d > 0:
			soonest(d)
		}
	}

	switch {
	case s.sent >= len(c.outbox):
	case now.Before(s.pauseUntil):
		soonest(s.pauseUntil.Sub(now))
	case s.tokens < 1:
		soonest(untilToken(s.tokens, rate))
	default:
		s.tokens--
		f = c.outbox[s.sent]
		// Written once, it may be stored whatever becomes of this
		// connection: every later write is a resend.
		c.outbox[s.sent].Fresh = false
		s.sent++
		return f, true, 0, false
	}
	return f, false, wait, false
}

func writeFrame(ctx context.Context, conn *websocket.Conn, f parley.Frame) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, f.Encode()); err != nil {
		return fmt.Errorf("client: writing %s: %w", f.Type, err)
	}
	return nil
}

// readFrame reads the next JSON text frame; frames that do not decode are
// skipped rather than fatal, so a newer server can add fields.
func readFrame(ctx context.Context, conn *websocket.Conn) (parley.Frame, error) {
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return parley.Frame{}, err
		}
		if typ != websocket.MessageText {
			continue
		}
		if f, err := parley.DecodeFrame(data); err == nil {
			return f, nil
		}
	}
}
