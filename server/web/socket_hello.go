package web

import (
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

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
	if f.Scope != "" || f.Status != "" {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.scope and hello.status are for agents only."), "")
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
	if p := f.Proof; p != nil && (len(p.Seed) > parley.MaxProofSeed || len(p.Nonce) > parley.MaxProofNonce) {
		c.refuse(errProofMalformed, "")
		return
	}
	f.Since = dedupeSince(f.Since)
	site, err := c.s.store.Site(f.Site)
	if parley.ErrorCode(err) == parley.ENotFound {
		c.refuse(parley.Errorf(parley.ENotFound, "No such site."), "")
		return
	} else if err != nil {
		c.refuse(err, "")
		return
	}

	// A resume link makes this device the link's visitor. When it cannot,
	// the hello goes on as the device's own visitor, and the welcome is
	// followed by why.
	var v parley.Visitor
	token := ""
	var resumeErr error
	if f.ResumeLink != "" {
		v, token, resumeErr = c.adoptResume(site, f.ResumeLink)
		switch {
		case resumeErr == errBlocked:
			c.refuseHello(resumeErr)
			return
		case parley.ErrorCode(resumeErr) == parley.EInternal || parley.ErrorCode(resumeErr) == parley.EUnavailable:
			// The store failed: the client says hello again later,
			// with the link.
			c.refuse(resumeErr, "")
			return
		case resumeErr == nil:
			// The replays asked for were the device's old visitor's.
			f.Since = nil
		}
	}

	// An empty or unknown token (cleared storage, another site's token)
	// makes a new visitor rather than an error: the widget just works.
	if v.ID == 0 && f.Token != "" {
		v, err = c.s.store.VisitorByToken(site.ID, TokenHash(f.Token))
		if parley.ErrorCode(err) == parley.ENotFound {
			v = parley.Visitor{}
		} else if err != nil {
			c.refuse(err, "")
			return
		}
	}
	if err := c.checkVisitorHello(site.ID, v.ID, f.Proof); err != nil {
		c.refuseHello(err)
		return
	}
	if v.ID == 0 {
		token = NewToken()
		if v, err = c.s.store.CreateVisitor(site.ID, TokenHash(token)); err != nil {
			c.refuse(err, "")
			return
		}
	}

	welcome := &control{}
	if resumeErr != nil {
		welcome.then = append(welcome.then, c.refusal(resumeErr, ""))
	}
	if f.Page != nil {
		if page, err := checkPage(*f.Page); err != nil {
			welcome.then = append(welcome.then, c.refusal(err, ""))
		} else {
			c.page = page
		}
	}

	c.role, c.visitor, c.site = parley.RoleVisitor, v, site.ID
	c.author = parley.Author{Kind: parley.AuthorVisitor, ID: v.ID, Name: v.Name}
	// Subscribe before reading anything to send: what commits from now on
	// arrives live, and the writer drops what a replay already sent.
	c.sub = c.s.hub.SubscribeFunc(c.push)
	c.s.hub.FollowVisitor(c.sub, v.ID)

	if c.page.URL != "" {
		c.publishPage()
	}
	// The widget's language: an unsupported one is ignored here (the
	// widget falls back to English); a context frame refuses it.
	lang, ok := widgetLang(f.Lang)
	if !ok {
		lang = ""
	}
	if c.userAgent != "" || c.language != "" || lang != "" {
		c.updateContext(parley.ContextUpdate{UserAgent: c.userAgent, Language: c.language, Lang: string(lang)}, "")
	}
	c.userAgent, c.language = "", ""
	// The widget's home lists the newest conversations, as their visitor
	// sees them.
	convs, err := c.s.store.RecentVisitorConversations(v.ID, parley.VisitorWelcomeSize)
	if err != nil {
		c.helloFailed(err)
		return
	}
	c.s.delivered.fill(convs, true)
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
	avail := c.s.avail.state(site)
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Visitor: &v, Token: token, Conversations: convs, Limits: &c.s.cfg.Limits, Open: avail.open}.Encode()
	welcome.live = true
	c.greet(welcome)
	c.s.abuse.seat(c)
	// Seated, it hears every later change of the site's state; one made
	// between the welcome and the seat is told now.
	if now := c.s.avail.state(site); !now.open.Same(avail.open) {
		c.enqueue(outItem{frame: now.frame})
	}
	for _, conv := range convs {
		if conv.Status == parley.StatusQueued {
			// This socket has not been told where the visitor stands.
			c.s.router.resend(conv.ID)
		}
	}
}

// adoptResume makes this device the visitor of the resume link token, of
// site: it returns the visitor and the device's new token. The link must
// be signed, unexpired, unused, of a conversation of this site and of
// that conversation's visitor. Its errors are for the visitor to read,
// except a store failure (internal) and errBlocked.
func (c *conn) adoptResume(site parley.Site, token string) (parley.Visitor, string, error) {
	rc, err := c.s.checkResume(token, time.Now())
	if err != nil {
		return parley.Visitor{}, "", err
	}
	switch {
	case rc.state == resumeForged:
		return parley.Visitor{}, "", parley.Errorf(parley.EInvalid, "This chat link is not valid, so this device was not added to that chat.")
	case rc.conv.Site != site.ID:
		return parley.Visitor{}, "", parley.Errorf(parley.EInvalid, "This chat link is for another shop's chat.")
	case rc.state == resumeExpired:
		return parley.Visitor{}, "", parley.Errorf(parley.EForbidden, "This chat link has expired. Open it again to get a new one by email.")
	case rc.state == resumeUsed:
		return parley.Visitor{}, "", errResumeUsed
	}
	if c.s.abuse.blocked(site.ID, rc.link.Visitor, c.addr) {
		return parley.Visitor{}, "", errBlocked
	}
	fresh := NewToken()
	v, err := c.s.store.UseResume(c.ctx, store.ResumeUse{MAC: rc.link.MAC, Expires: rc.link.Expires,
		Site: site.ID, Visitor: rc.link.Visitor, TokenHash: TokenHash(fresh)})
	switch parley.ErrorCode(err) {
	case "":
		return v, fresh, nil
	case parley.EConflict:
		// Used meanwhile, from another tab or device.
		return parley.Visitor{}, "", errResumeUsed
	case parley.ENotFound:
		return parley.Visitor{}, "", parley.Errorf(parley.EInvalid, "This chat link is not valid, so this device was not added to that chat.")
	}
	return parley.Visitor{}, "", err
}

// errResumeUsed answers a resume link used before.
var errResumeUsed = parley.Errorf(parley.EConflict, "This chat link was already used, so this device was not added to that chat. Open the link again to get a new one by email.")

func (c *conn) helloAgent(f parley.Frame) {
	err := errNoSession
	if c.session != nil {
		err = c.session.err
	}
	if err != nil {
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
	if f.Status != "" && (scoped || !parley.SettableStatus(f.Status)) {
		c.refuse(parley.Errorf(parley.EInvalid, `hello.status must be "online" or "away", on an inbox connection only.`), "")
		return
	}
	if len(f.Since) > maxSince {
		c.refuse(parley.Errorf(parley.EInvalid, "hello.since lists more than %d conversations.", maxSince), "")
		return
	}
	f.Since = dedupeSince(f.Since)
	a := c.session.agent
	members, err := c.s.store.AgentSites(a.ID)
	if err != nil {
		c.refuse(err, "")
		return
	}
	// The sites are read once: a membership given or taken away applies
	// from the next connection.
	c.role, c.agent, c.scoped = parley.RoleAgent, a, scoped
	c.sites = make(map[string]string, len(members))
	sites := make([]string, 0, len(members))
	for _, m := range members {
		c.sites[m.Site] = m.Role
		sites = append(sites, m.Site)
	}
	c.author = parley.Author{Kind: parley.AuthorAgent, ID: a.ID, Name: a.Name}
	c.sub = c.s.hub.SubscribeFunc(c.push)

	// A scoped connection lists only its own conversations: reading every
	// open one would cost each of a thousand bots the whole inbox.
	//
	// An inbox lists the first page of the open conversations and counts
	// them all: however many there are, the welcome stays small (see
	// docs/protocol.md for its worst case). The rest come through
	// GET /api/conversations.
	var convs []parley.Conversation
	var agents []parley.Agent
	var counts *parley.Counts
	var next string
	pageSize := 0
	if !scoped {
		for _, site := range sites {
			c.s.hub.FollowSite(c.sub, site)
		}
		page, err := c.s.store.OpenPage(sites, parley.Cursor{}, parley.InboxPageSize)
		if err != nil {
			c.helloFailed(err)
			return
		}
		convs, counts, next, pageSize = page.Conversations, c.s.router.countsFor(a.ID, c.sites), page.Next.String(), parley.InboxPageSize
		// The agent record is read again for its capacity: the session's
		// copy is as old as the upgrade.
		fresh, err := c.s.store.Agent(a.ID)
		if err != nil {
			c.helloFailed(err)
			return
		}
		// Counted once the hello can no longer fail, after the site
		// subscriptions: the agent's own change reaches it after its
		// welcome, which lists everyone as they are from then on.
		c.s.presence.connect(c, fresh, sites, f.Status == parley.StatusAway)
		if agents, err = c.s.colleagues(sites); err != nil {
			agents = nil // presence is a nicety: the inbox works without it
			c.s.log.Error("web: reading colleagues", "agent", a.ID, "err", err)
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
	c.s.delivered.fill(convs, false)
	welcome.frame = parley.Frame{Type: parley.TypeWelcome, Agent: &a, Conversations: convs, Limits: &c.s.cfg.Limits,
		Counts: counts, Next: next, PageSize: pageSize, Agents: agents}.Encode()
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
	c.role, c.author, c.visitor, c.agent, c.site = "", parley.Author{}, parley.Visitor{}, parley.Agent{}, ""
	c.scoped, c.follows, c.sites = false, nil, nil
	c.refuse(err, "")
}

func (c *conn) greet(welcome *control) {
	c.greeted.Store(true)
	c.helloTimer.Stop()
	c.s.countSocket(c.role, 1)
	c.enqueue(outItem{ctl: welcome})
}

// dedupeSince keeps one entry per conversation, the one asking for the
// most (the lowest after): a hello that lists a conversation many times
// costs one replay of it, not many.
func dedupeSince(since []parley.ResumeFrom) []parley.ResumeFrom {
	if len(since) < 2 {
		return since
	}
	at := make(map[uint64]int, len(since))
	out := since[:0:0]
	for _, r := range since {
		if i, ok := at[r.Conv]; ok {
			out[i].After = min(out[i].After, r.After)
			continue
		}
		at[r.Conv] = len(out)
		out = append(out, r)
	}
	return out
}
