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
	read   uint64
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
}

// NewDesk returns an empty desk.
func NewDesk() *Desk {
	return &Desk{
		Limits:  parley.DefaultLimits,
		convs:   make(map[uint64]*Thread),
		sent:    make(map[string]parley.Frame),
		alerted: make(map[uint64]uint64),
	}
}

// Thread returns the state of conversation id, creating it.
func (d *Desk) Thread(id uint64) *Thread {
	t := d.convs[id]
	if t == nil {
		t = &Thread{}
		if c, ok := d.Inbox.Get(id); ok {
			t.read = c.AgentRead
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

	case parley.TypeConv:
		if c := f.Conversation; c != nil {
			prev, existed := d.Inbox.Apply(*c)
			d.alert(&eff, prev, existed, *c)
		}

	case parley.TypeMsg:
		if f.From != nil && f.From.Kind == parley.AuthorAgent {
			delete(d.sent, f.ID)
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
		d.Thread(f.Conv).Typing.Set(ui.AuthorName(*f.From), f.On, now)

	case parley.TypePresence:
		if f.Agent != nil && f.Agent.ID != 0 {
			d.applyPresence(*f.Agent)
		}

	case parley.TypeSynced:
		if t := d.convs[f.Conv]; t != nil {
			t.Synced = true
		}

	case parley.TypeAck:
		delete(d.sent, f.ID)

	case parley.TypeError:
		if fr, ok := d.sent[f.ID]; ok && f.ID != "" {
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
	if c.Status != parley.StatusOpen || c.LastSeq <= d.alerted[c.ID] {
		return
	}
	if c.Unread > prev.Unread || (!existed && c.Unread > 0) {
		eff.Alerts = append(eff.Alerts, Alert{Conv: c.ID, Name: VisitorName(c), Text: c.LastText})
		d.alerted[c.ID] = c.LastSeq
	}
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
