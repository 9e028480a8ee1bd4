package web

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

// admitWrite takes a frame that writes an entry (send, edit, delete)
// past the rate limit and checks its client id. It returns the id to
// answer with ("" for one we could not have stored), and false when it
// refused the frame.
func (c *conn) admitWrite(f parley.Frame) (id string, ok bool) {
	id = f.ID
	if len(id) > parley.ClientIDMaxLen {
		id = "" // not an id we could have stored: don't echo it
	}
	if !c.sends.allow(time.Now()) {
		c.refuse(parley.Errorf(parley.ERateLimited, "You are sending too fast. Wait a moment, then send again."), id)
		return id, false
	}
	if err := parley.CheckClientID(f.ID); err != nil {
		c.refuse(err, id)
		return id, false
	}
	return id, true
}

// send stores a message, or an agent's internal note (kind "note"), and
// acks it once it is durable. Followers, the sender included, get the msg
// frame from the commit hook; a note's goes to agents only.
func (c *conn) send(f parley.Frame) {
	id, ok := c.admitWrite(f)
	if !ok {
		return
	}
	note := f.Kind == parley.KindNote
	if note && c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents write internal notes."), id)
		return
	}
	if (f.Kind != parley.KindMessage && !note) || f.Internal || f.Ref != 0 || f.Event != "" {
		c.refuse(parley.Errorf(parley.EInvalid, "send carries a chat message or, from an agent, a note (kind \"note\"): internal, ref, event and other kinds are not accepted."), id)
		return
	}
	if (f.Card != nil || len(f.Replies) > 0) && c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents send product cards and quick replies."), id)
		return
	}
	card, replies, err := parley.CheckRich(f.Card, f.Replies)
	if err != nil {
		c.refuse(err, id)
		return
	}
	fileIDs, err := parley.CheckFileRefs(f.Files)
	if err != nil {
		c.refuse(err, id)
		return
	}
	if card != nil && strings.TrimSpace(f.Text) == "" {
		f.Text = card.Title // a card alone reads as its title in previews and mail
	}
	// A message may be files alone; with no file, it needs a text.
	text := ""
	if len(fileIDs) == 0 || strings.TrimSpace(f.Text) != "" {
		if text, err = c.s.cfg.Limits.CheckText(f.Text); err != nil {
			c.refuse(err, id)
			return
		}
	}
	a := store.Append{Conv: f.Conv, From: c.author, ID: f.ID, Text: text, Kind: f.Kind, Files: fileIDs, Fresh: f.Fresh, Sender: c,
		Card: card, Replies: replies}
	if f.New && (c.role != parley.RoleVisitor || f.Conv != 0) {
		c.refuse(parley.Errorf(parley.EInvalid, "new starts a visitor's conversation: send it with conv 0."), id)
		return
	}
	var conv parley.Conversation
	if c.role == parley.RoleVisitor {
		a.Site, a.Visitor, a.Page, a.New = c.site, c.visitor.ID, c.page, f.New
		var newChat []uint64
		if f.Conv == 0 {
			if err := c.preChat(f, &a); err != nil {
				c.refuse(err, id)
				return
			}
			// Nobody is there to see a chat started now (the site, or
			// its team, does not answer): the shop hears of it by email.
			a.StartJobs = c.s.offlineNoticeJob(c.s.avail.stateOf(c.site).open.ForTeam(a.Team))
			// The team's agents whose console is closed may hear of it
			// by Web Push.
			newChat = c.s.newChatPushAgents(c.site, a.Team)
		}
		// Who hears of it by push is decided in the transaction: whether
		// it starts the chat, and who has it, are known only there.
		if len(newChat) > 0 || c.s.push.any() {
			a.JobsAfter = c.s.visitorPushJobs(newChat, text)
		}
		if f.Conv != 0 && (f.Topic != "" || f.Name != "" || f.Email != "") {
			c.refuse(parley.Errorf(parley.EInvalid, "The pre-chat form's answers start a conversation: send them with conv 0."), id)
			return
		}
		if f.Greeted {
			// Read the site now, not at hello: the greeting is what the
			// visitor saw, and settings may have changed since.
			site, err := c.s.store.Site(c.site)
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
	} else if f.Topic != "" || f.Name != "" || f.Email != "" {
		c.refuse(parley.Errorf(parley.EInvalid, "Only a visitor's first message carries the pre-chat form."), id)
		return
	} else if c.scoped {
		// Follow before the commit, so its msg reaches the sender too.
		var err error
		if conv, _, err = c.follow(f.Conv); err != nil {
			c.refuse(err, id)
			return
		}
	} else {
		var err error
		if conv, err = c.conversation(f.Conv); err != nil {
			c.refuse(err, id)
			return
		}
	}
	if c.role == parley.RoleAgent && !note {
		// Unseen for the site's delay, the reply goes by email.
		a.Jobs = c.s.unseenReplyJob(conv)
	}
	// A note answers nobody: it leaves a queued chat in its queue.
	if c.role == parley.RoleAgent && !note && conv.Status == parley.StatusQueued {
		// An agent who answers a queued chat takes it, capacity or not:
		// nobody else should answer it too. If someone took it first, the
		// message still goes; the transcript shows who has it.
		to := c.author
		c.s.store.Claim(c.ctx, store.Route{Conv: conv.ID, Site: conv.Site, By: to, To: &to, Capacity: parley.MaxCapacity})
	}
	if err := c.checkVisitorSend(f); err != nil {
		c.refuse(err, id)
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
	// The ack is the sender's copy of its message: the msg frame goes to
	// everyone else. A visitor learns where it sits in their stream.
	m := res.Message
	ack := parley.Frame{Type: parley.TypeAck, ID: f.ID, Conv: m.Conv, Seq: m.Seq, At: m.At, Dup: res.Dup}
	if c.role == parley.RoleVisitor && res.Prev != m.Seq-1 {
		ack.Prev = &res.Prev
	}
	c.enqueue(outItem{frame: ack.Encode()})
	if c.role == parley.RoleVisitor && !res.Dup {
		c.afterVisitorSend(m, res.Conv)
	}
}

// preChat checks the pre-chat form's answers of a visitor's send that
// may start a conversation, and sets the team, topic, name and email the
// new conversation gets. A send that answers the proactive greeting needs
// no form, and goes to the default team. A send without the required
// answers is refused, unless it goes to the visitor's open conversation
// (not one that asks for a new conversation).
func (c *conn) preChat(f parley.Frame, a *store.Append) error {
	site, err := c.s.store.Site(c.site)
	if err != nil {
		return err
	}
	r := site.Routing
	if f.Greeted {
		r.PreChat = parley.PreChat{}
	}
	ans, err := r.CheckAnswers(parley.PreChatAnswers{Topic: f.Topic, Name: f.Name, Email: f.Email})
	if err != nil {
		if convs, cerr := c.s.store.RecentVisitorConversations(c.visitor.ID, 1); cerr == nil && len(convs) > 0 && convs[0].IsOpen() &&
			!f.New && f.Topic == "" && f.Name == "" && f.Email == "" {
			return nil // a later message of an open conversation
		}
		return err
	}
	a.Team, a.Topic, a.Name, a.Email = r.TeamFor(ans.Topic), ans.Topic, ans.Name, ans.Email
	return nil
}

// resume replays a conversation after a sequence number. The connection
// follows it before the replay reads the store, so live messages that
// commit meanwhile are not lost.
func (c *conn) resume(f parley.Frame) {
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
	if f.Conv == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "typing needs the conversation."), "")
		return
	}
	conv, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, "")
		return
	}
	draft := ""
	if f.Text != "" {
		if c.role != parley.RoleVisitor {
			c.refuse(parley.Errorf(parley.EInvalid, "Only a visitor's typing carries a draft."), "")
			return
		}
		// Read the site now: an owner who turns the preview off means
		// it at once.
		if site, err := c.s.store.Site(conv.Site); err == nil && site.TypingPreview && f.On {
			draft = previewText(f.Text)
		}
	}
	from := c.author
	if !c.s.typing.pass(typingKey{conv.ID, from.Kind, from.ID}, f.On, draft, time.Now()) {
		return // the same state went out moments ago
	}
	ev := eventFor(conv, parley.Frame{Type: parley.TypeTyping, Conv: conv.ID, On: f.On, From: &from, Text: draft})
	if c.role == parley.RoleVisitor {
		ev.To = relay.Agents
	} else {
		ev.Skip = c.sub
	}
	c.s.hub.Publish(ev)
}

// previewText is a visitor's draft as agents may see it: at most
// MaxDraftRunes, valid UTF-8, no control characters but newlines, card
// numbers masked.
func previewText(s string) string {
	s = strings.ToValidUTF8(parley.Truncate(s, parley.MaxDraftRunes), "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return parley.MaskCards(s)
}

// read moves this side's read mark and tells the others when it moved.
func (c *conn) read(f parley.Frame) {
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
	changed, ctx, err := c.s.store.SetPage(c.visitor.ID, c.page)
	if err != nil {
		c.refuse(err, "")
		return
	}
	for _, conv := range changed {
		c.s.publishConv(conv)
	}
	if ctx != nil {
		c.s.publishContext(c.visitor, *ctx)
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
	cur, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, "")
		return
	}
	var jobs []store.NewJob
	var ratings parley.RatingSettings
	if site, err := c.s.store.Site(cur.Site); err == nil {
		ratings = site.Ratings
		if site.Mail.TranscriptOnResolve {
			jobs = c.s.transcriptJob(cur, "")
		}
	}
	// Resolve also decides whether the visitor is asked the NPS question
	// (askNps in their copy): the rule is the server's, never the widget's.
	conv, err := c.s.store.Resolve(f.Conv, ratings, jobs...)
	if err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		c.refuse(err, "")
		return
	}
	c.s.router.observe(conv)
	c.s.publishConv(conv)
}

// transcript is a visitor asking for the conversation by email:
// {"type":"transcript","id","conv","email"}. The mail goes through the
// outbox; the answer is an ack-less silence or an error with the id.
func (c *conn) transcript(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only the visitor asks for the transcript."), id)
		return
	}
	if c.s.cfg.Mail.Sender == nil {
		c.refuse(parley.Errorf(parley.EUnavailable, "This chat cannot send email."), id)
		return
	}
	conv, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, id)
		return
	}
	addr := strings.TrimSpace(f.Email)
	if addr != "" && (len(addr) > parley.MaxEmail || !parley.LooksLikeEmail(addr)) {
		c.refuse(parley.Errorf(parley.EInvalid, "%q does not look like an email address.", parley.Truncate(addr, 60)), id)
		return
	}
	jobs := c.s.transcriptJob(conv, addr)
	if len(jobs) == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "Give an email address to send the transcript to."), id)
		return
	}
	if _, err := c.s.store.Enqueue(c.ctx, jobs...); err != nil && c.ctx.Err() == nil {
		c.refuse(err, id)
	}
}

// contact is a visitor leaving an email to be answered at:
// {"type":"contact","id","conv","email"}. The conversation keeps it; it
// stays in its queue (waiting here and leaving an email both work), and
// agents see the address in a conv frame.
func (c *conn) contact(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only the visitor leaves their email."), id)
		return
	}
	addr := strings.TrimSpace(f.Email)
	if addr == "" || len(addr) > parley.MaxEmail || !parley.LooksLikeEmail(addr) {
		c.refuse(parley.Errorf(parley.EInvalid, "%q does not look like an email address.", parley.Truncate(addr, 60)), id)
		return
	}
	if _, err := c.conversation(f.Conv); err != nil {
		c.refuse(err, id)
		return
	}
	conv, err := c.s.store.SetEmail(c.ctx, f.Conv, addr)
	if err != nil {
		if c.ctx.Err() == nil {
			c.refuse(err, id)
		}
		return
	}
	c.s.touchSearch(conv)
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
	if _, member := c.sites[conv.Site]; c.role == parley.RoleAgent && !member {
		return parley.Conversation{}, errNoConversation
	}
	return conv, nil
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
