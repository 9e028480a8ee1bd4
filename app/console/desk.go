package console

import (
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Desk is everything the console knows from the socket: the inbox, the
// conversations opened so far, what is being sent. It does no IO, so tests
// drive it with frames; the Console component acts on its Effects.
type Desk struct {
	Agent  parley.Agent
	Inbox  Inbox
	Limits parley.Limits
	// Outbox mirrors the client's unacknowledged sends.
	Outbox []parley.Frame
	// Notice is the latest error that concerns no message in particular.
	Notice string

	convs map[uint64]*Thread
	sent  map[string]parley.Frame
	// colleagues are the agents of this agent's sites, itself included,
	// with their presence: from the welcome and the presence frames.
	colleagues map[uint64]parley.Agent
	// alerted is, per conversation, the last message already alerted about.
	alerted  map[uint64]uint64
	welcomed bool
	// requests are the claims and transfers sent and not answered yet, by
	// request id.
	requests map[string]parley.Frame
	// sites are the agent's sites, for the names of sites, teams and topics.
	sites map[string]SiteInfo
	// canned are the canned replies this agent may use, by site.
	canned map[string][]parley.CannedReply
	// siteList are the same in the server's order, for the header.
	siteList []SiteInfo
	// visitors are the visitors whose conversations were opened, with
	// their context (context.go); convVisitor names the visitor of the
	// conversations they listed.
	visitors    map[uint64]*VisitorState
	convVisitor map[uint64]uint64
}

// Thread is what the console holds of one conversation.
type Thread struct {
	Messages ui.Thread
	Typing   ui.Typing
	Failed   []ui.Failure
	// Followed: the client was asked for its history and live messages.
	Followed bool
	// Synced: the history asked for has arrived.
	Synced bool
	// Request is the claim or transfer on its way ("" when none), and
	// RequestErr why the last one was refused.
	Request    string
	RequestErr string
	read       uint64
	// VisitorRead is the visitor's read mark: the agents' messages up to
	// it were seen.
	VisitorRead uint64
	// VisitorDelivered is the visitor's delivered mark: the agents'
	// messages up to it reached the visitor's widget.
	VisitorDelivered uint64
	// Draft is what the visitor is typing, on a site with the typing
	// preview on, as of DraftAt.
	Draft   string
	DraftAt time.Time
}

// DraftOf is the visitor's draft of conversation id shown at now: it goes
// with their typing state, and with their next message.
func (d *Desk) DraftOf(id uint64, now time.Time) string {
	t := d.convs[id]
	if t == nil || t.Draft == "" || now.Sub(t.DraftAt) > ui.TypingExpiry {
		return ""
	}
	return t.Draft
}

// Alert is a visitor message the agent should hear about.
type Alert struct {
	Conv uint64
	Name string
	Text string
}

// DeskEffects are what a frame asks the console to do besides re-rendering.
type DeskEffects struct {
	Alerts []Alert
	// Grew lists the conversations whose thread grew.
	Grew []uint64
	// Refresh: a conversation the inbox has not loaded got a message and
	// moved to the top; read the top of the inbox again (Inbox.Merge).
	Refresh bool
	// ReloadView: a welcome after a reconnect brought the open view; the
	// view on screen is another, so read its first page again.
	ReloadView bool
}

// NewDesk returns an empty desk.
func NewDesk() *Desk {
	return &Desk{
		Limits:   parley.DefaultLimits,
		convs:    make(map[uint64]*Thread),
		sent:     make(map[string]parley.Frame),
		alerted:  make(map[uint64]uint64),
		requests: make(map[string]parley.Frame),
	}
}

// Thread returns the state of conversation id, creating it.
func (d *Desk) Thread(id uint64) *Thread {
	t := d.convs[id]
	if t == nil {
		t = &Thread{}
		if c, ok := d.Inbox.Get(id); ok {
			t.read, t.VisitorRead, t.VisitorDelivered = c.AgentRead, c.VisitorRead, c.VisitorDelivered
		}
		d.convs[id] = t
	}
	return t
}

// Apply folds one server frame into the desk.
func (d *Desk) Apply(f parley.Frame, now time.Time) DeskEffects {
	var eff DeskEffects
	switch f.Type {
	case parley.TypeWelcome:
		if f.Agent != nil {
			d.Agent = *f.Agent
		}
		if l := f.Limits; l != nil {
			d.Limits.IdleAwaySeconds = l.IdleAwaySeconds
		}
		if l := f.Limits; l != nil && l.MaxTextRunes > 0 {
			d.Limits.MaxTextRunes = l.MaxTextRunes
		}
		if f.Agent != nil {
			// The welcome lists everyone as they are now: whoever is
			// missing left the agent's sites.
			d.colleagues = make(map[uint64]parley.Agent, len(f.Agents))
			for _, a := range f.Agents {
				d.applyPresence(a)
			}
		}
		first := !d.welcomed
		d.welcomed = true
		for _, c := range f.Conversations {
			prev, existed := d.Inbox.Get(c.ID)
			if !first {
				// Back from a disconnect: what arrived meanwhile is news.
				d.alert(&eff, prev, existed, c)
			}
			d.alerted[c.ID] = max(d.alerted[c.ID], c.LastSeq)
		}
		d.Inbox.ResetPage(f.Conversations, f.Counts, f.Next)
		eff.ReloadView = !first && d.Inbox.View() != parley.ViewOpen
		// What was asked before the reconnect may never be answered.
		for id, r := range d.requests {
			if t := d.convs[r.Conv]; t != nil && t.Request == id {
				t.Request = ""
			}
		}
		clear(d.requests)

	case parley.TypeContext:
		d.applyContext(f)

	case parley.TypeContactNote:
		d.applyNote(f)

	case parley.TypeCounts:
		if f.Counts != nil {
			d.Inbox.SetCounts(*f.Counts)
		}

	case parley.TypeConv:
		if c := f.Conversation; c != nil {
			prev, existed := d.Inbox.Apply(*c)
			d.alert(&eff, prev, existed, *c)
			if existed && (prev.Assignee != c.Assignee || prev.Team != c.Team || prev.Status != c.Status) {
				d.answered(c.ID)
			}
		}

	case parley.TypeMsg:
		if f.From != nil && f.From.Kind == parley.AuthorAgent {
			delete(d.sent, f.ID)
		}
		if f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Kind == parley.KindMessage {
			if t := d.convs[f.Conv]; t != nil {
				t.Draft = "" // sent: the message shows now
			}
			d.learnVisitor(f.Conv, f.From.ID)
		}
		if f.Kind == parley.KindEvent {
			switch f.Event {
			case parley.EventAssigned, parley.EventTransferred, parley.EventQueued:
				d.answered(f.Conv)
			}
		}
		// A msg moves its conversation in the inbox: the server sends no
		// conv frame after each message.
		if c, ok := d.Inbox.Get(f.Conv); ok {
			next := c
			if next.Advance(f.ToMessage()) {
				d.Inbox.Apply(next)
				d.alert(&eff, c, true, next)
			}
		} else if d.welcomed {
			// Below the pages loaded: the row comes with the top of the
			// inbox, read again; the message is news now.
			eff.Refresh = true
			if f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Kind == parley.KindMessage && f.Seq > d.alerted[f.Conv] {
				eff.Alerts = append(eff.Alerts, Alert{Conv: f.Conv, Name: ui.AuthorName(*f.From), Text: f.Text})
				d.alerted[f.Conv] = f.Seq
			}
		}
		t := d.convs[f.Conv]
		if t == nil || !t.Followed {
			// Not opened here: the inbox row is all there is to update.
			return eff
		}
		m := f.ToMessage()
		if t.Messages.Add(m) {
			eff.Grew = append(eff.Grew, f.Conv)
			t.Typing.Set(ui.AuthorName(m.From), false, now)
		}

	case parley.TypeTyping:
		if f.From == nil || (f.From.Kind == parley.AuthorAgent && f.From.ID == d.Agent.ID) {
			return eff
		}
		t := d.Thread(f.Conv)
		t.Typing.Set(ui.AuthorName(*f.From), f.On, now)
		if f.From.Kind == parley.AuthorVisitor {
			// A site with the typing preview on sends the draft; "off"
			// or a message ends it.
			t.Draft, t.DraftAt = f.Text, now
			if !f.On {
				t.Draft = ""
			}
		}

	case parley.TypePresence:
		if f.Agent != nil && f.Agent.ID != 0 {
			d.applyPresence(*f.Agent)
		}

	case parley.TypeRead:
		if f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Conv != 0 {
			t := d.Thread(f.Conv)
			t.VisitorRead = max(t.VisitorRead, f.Seq)
		}

	case parley.TypeDelivered:
		if f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Conv != 0 {
			t := d.Thread(f.Conv)
			t.VisitorDelivered = max(t.VisitorDelivered, f.Seq)
		}

	case parley.TypeSynced:
		if t := d.convs[f.Conv]; t != nil {
			t.Synced = true
		}

	case parley.TypeAck:
		delete(d.sent, f.ID)

	case parley.TypeError:
		if r, ok := d.requests[f.ID]; ok && f.ID != "" {
			delete(d.requests, f.ID)
			t := d.Thread(r.Conv)
			if t.Request == f.ID {
				t.Request = ""
			}
			t.RequestErr = f.Message
		} else if fr, ok := d.sent[f.ID]; ok && f.ID != "" {
			delete(d.sent, f.ID)
			t := d.Thread(fr.Conv)
			t.Failed = append(t.Failed, ui.Failure{Frame: fr, Reason: f.Message})
		} else if f.ID == "" {
			d.Notice = f.Message
		}
	}
	return eff
}

// alert adds an Alert when c gained unread visitor messages not yet alerted.
func (d *Desk) alert(eff *DeskEffects, prev parley.Conversation, existed bool, c parley.Conversation) {
	if !c.IsOpen() || c.LastSeq <= d.alerted[c.ID] {
		return
	}
	if c.Unread > prev.Unread || (!existed && c.Unread > 0) {
		eff.Alerts = append(eff.Alerts, Alert{Conv: c.ID, Name: VisitorName(c), Text: c.LastText})
		d.alerted[c.ID] = c.LastSeq
	}
}

// Requested records a claim or transfer handed to the client with id.
func (d *Desk) Requested(id string, f parley.Frame) {
	d.requests[id] = f
	t := d.Thread(f.Conv)
	t.Request, t.RequestErr = id, ""
}

// TagRequested records a tag frame handed to the client with id: its
// refusal shows in the conversation's header like a claim's; it disables
// nothing while on its way.
func (d *Desk) TagRequested(id string, f parley.Frame) {
	d.requests[id] = f
	d.Thread(f.Conv).RequestErr = ""
}

// RequestFailed shows why a claim or transfer of conv could not go out.
func (d *Desk) RequestFailed(conv uint64, why string) {
	t := d.Thread(conv)
	t.Request, t.RequestErr = "", why
}

// answered ends the requests about conv: its assignment or team changed,
// which is how a claim or a transfer succeeds.
func (d *Desk) answered(conv uint64) {
	for id, r := range d.requests {
		if r.Conv == conv {
			delete(d.requests, id)
		}
	}
	if t := d.convs[conv]; t != nil {
		t.Request, t.RequestErr = "", ""
	}
}

// SetSites takes the agent's sites: their names, teams and topics, and
// with them the scope of the inbox views.
func (d *Desk) SetSites(sites []SiteInfo) {
	d.sites = make(map[string]SiteInfo, len(sites))
	d.siteList = sites
	for _, s := range sites {
		d.sites[s.ID] = s
	}
	d.Inbox.SetScope(NewScope(d.Agent.ID, sites))
}

// SetCanned takes the canned replies this agent may use on site.
func (d *Desk) SetCanned(site string, list []parley.CannedReply) {
	if d.canned == nil {
		d.canned = make(map[string][]parley.CannedReply)
	}
	d.canned[site] = list
}

// Canned are the canned replies this agent may use on site.
func (d *Desk) Canned(site string) []parley.CannedReply { return d.canned[site] }

// Sites are the agent's sites, once they are known, in the server's order.
func (d *Desk) Sites() []SiteInfo { return d.siteList }

// Site returns one of the agent's sites, once they are known.
func (d *Desk) Site(id string) (SiteInfo, bool) {
	s, ok := d.sites[id]
	return s, ok
}

// Sent records a message handed to the client.
func (d *Desk) Sent(f parley.Frame) {
	d.sent[f.ID] = f
	d.Notice = ""
}

// Retry takes a refused message of conversation conv out of its failures.
func (d *Desk) Retry(conv uint64, id string) (parley.Frame, bool) {
	t := d.convs[conv]
	if t == nil {
		return parley.Frame{}, false
	}
	for i, fl := range t.Failed {
		if fl.Frame.ID == id {
			t.Failed = append(t.Failed[:i:i], t.Failed[i+1:]...)
			return fl.Frame, true
		}
	}
	return parley.Frame{}, false
}

// Items are the rows of conversation id's message list.
func (d *Desk) Items(id uint64) []ui.Item {
	var msgs ui.Thread
	var failed []ui.Failure
	if t := d.convs[id]; t != nil {
		msgs, failed = t.Messages, t.Failed
	}
	return ui.Items(&msgs, ui.Pending{
		Events: true,
		Self:   d.Self(),
		Conv:   id,
		Outbox: d.Outbox,
		Failed: failed,
	})
}

// TypingNames returns who types in conversation id at now.
func (d *Desk) TypingNames(id uint64, now time.Time) []string {
	if t := d.convs[id]; t != nil {
		return t.Typing.Names(now)
	}
	return nil
}

// Synced reports whether the history of conversation id has arrived.
func (d *Desk) Synced(id uint64) bool {
	t := d.convs[id]
	return t != nil && t.Synced
}

// Self is this agent as a message author.
func (d *Desk) Self() parley.Author {
	return parley.Author{Kind: parley.AuthorAgent, ID: d.Agent.ID, Name: d.Agent.Name}
}

// MarkRead moves conversation id's read mark to its newest message,
// reporting the sequence number to send when it moved.
func (d *Desk) MarkRead(id uint64) (uint64, bool) {
	t := d.convs[id]
	if t == nil {
		return 0, false
	}
	last := t.Messages.LastSeq()
	if last == 0 || last <= t.read {
		return 0, false
	}
	t.read = last
	return last, true
}
