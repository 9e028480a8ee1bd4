package visitor

import (
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Chat is what the widget knows about the visitor's conversation, built from
// the frames the client delivers. It does no IO, so tests drive it with
// frames; the Widget component turns its Effects into postMessages, storage
// writes and read marks.
type Chat struct {
	// Conv is the visitor's conversation, 0 until the first message.
	Conv   uint64
	Status string
	Thread ui.Thread
	Typing ui.Typing
	// Outbox mirrors the client's unacknowledged sends.
	Outbox []parley.Frame
	// Failed holds sends the server refused for good.
	Failed []ui.Failure
	Limits parley.Limits
	// Greeting is the proactive greeting shown before the visitor answers.
	Greeting   string
	GreetingAt int64
	// Notice is the latest error that concerns no message in particular.
	Notice string

	// Form is the site's pre-chat form, nil when it has none; Returning
	// says the visitor came with a token, so until the welcome a
	// conversation may be open and the form must wait.
	Form      *parley.WidgetPreChat
	Returning bool
	// FormNotice is why the server refused the form.
	FormNotice string
	// Assignee is the name of the agent answering, "" while nobody is.
	Assignee string
	// Team is the team the conversation is with ("" before it exists).
	Team string
	// AgentRead is the agents' read mark: the visitor's messages up to it
	// were seen.
	AgentRead uint64
	// AgentDelivered is the agents' delivered mark: the visitor's
	// messages up to it reached an agent's console.
	AgentDelivered uint64
	// Queue is where the queued conversation stands, nil when unknown.
	Queue *parley.QueueStatus
	// Email is the visitor's address for this conversation: the one the
	// server has on it, or the one the form just sent.
	Email string
	// New says the visitor asked for a new conversation beside their
	// others: its first message says so (TakeNew).
	New bool

	welcomed bool
	greeted  bool
	// liveAfter: agent messages above it arrived while the widget ran;
	// those below are history and are not announced to the loader.
	liveAfter uint64
	// read is the visitor's read mark.
	read uint64
	// sent remembers the frames sent and not yet delivered, so a refusal
	// (which carries only the id) can show the text again.
	sent map[string]parley.Frame
}

// Effects are what a frame asks the widget to do besides re-rendering.
type Effects struct {
	// Token is a visitor token to keep for the next visit.
	Token string
	// Announce lists new agent messages for the loader.
	Announce []parley.Message
	// NewMessages reports that the thread grew.
	NewMessages bool
	// Refill holds the answers of a form the server refused, to show
	// again: the visitor's message is never lost.
	Refill *Answers
}

// NewChat returns the state of a widget that has heard nothing yet.
func NewChat() *Chat {
	return &Chat{Limits: parley.DefaultLimits, sent: make(map[string]parley.Frame)}
}

// Apply folds one server frame into the chat.
func (c *Chat) Apply(f parley.Frame, now time.Time) Effects {
	var eff Effects
	switch f.Type {
	case parley.TypeWelcome:
		c.welcomed = true
		eff.Token = f.Token
		if l := f.Limits; l != nil && l.MaxTextRunes > 0 {
			c.Limits.MaxTextRunes = l.MaxTextRunes
		}
		if len(f.Conversations) > 0 {
			// Newest first: the one the widget shows.
			conv := f.Conversations[0]
			c.adopt(conv)
			if c.Thread.Len() == 0 {
				c.liveAfter = conv.LastSeq
			} else {
				c.liveAfter = c.Thread.LastSeq()
			}
		}

	case parley.TypeConv:
		if conv := f.Conversation; conv != nil && conv.ID >= c.Conv {
			c.adopt(*conv)
		}

	case parley.TypeAck:
		delete(c.sent, f.ID)
		if c.Conv == 0 && f.Conv != 0 {
			c.Conv, c.Status = f.Conv, parley.StatusOpen
		}

	case parley.TypeMsg:
		m := f.ToMessage()
		switch {
		case c.Conv == 0:
			c.Conv, c.Status = m.Conv, parley.StatusOpen
		case m.Conv > c.Conv:
			c.switchTo(m.Conv)
			c.Status = parley.StatusOpen
		case m.Conv < c.Conv:
			return eff
		}
		if m.From.Kind == parley.AuthorVisitor {
			delete(c.sent, m.ID)
		}
		if !c.Thread.Add(m) {
			return eff
		}
		eff.NewMessages = true
		if m.Kind == parley.KindEvent {
			c.applyEvent(m)
			return eff
		}
		if m.Kind != parley.KindMessage {
			return eff
		}
		switch m.From.Kind {
		case parley.AuthorVisitor:
			// Writing means having read what came before.
			c.read = max(c.read, m.Seq)
		case parley.AuthorSite:
			// The server stored the greeting: the local copy goes.
			c.Greeting = ""
		case parley.AuthorAgent:
			c.Typing.Set(ui.AuthorName(m.From), false, now)
			if m.Seq > c.liveAfter {
				eff.Announce = append(eff.Announce, m)
			}
		}

	case parley.TypeTyping:
		if f.From != nil && f.From.Kind == parley.AuthorAgent && (f.Conv == c.Conv || c.Conv == 0) {
			c.Typing.Set(ui.AuthorName(*f.From), f.On, now)
		}

	case parley.TypeRead:
		if f.From != nil && f.From.Kind == parley.AuthorAgent && f.Conv == c.Conv {
			c.AgentRead = max(c.AgentRead, f.Seq)
		}

	case parley.TypeDelivered:
		if f.From != nil && f.From.Kind == parley.AuthorAgent && f.Conv == c.Conv {
			c.AgentDelivered = max(c.AgentDelivered, f.Seq)
		}

	case parley.TypeQueue:
		if f.Queue != nil && (f.Conv == c.Conv || c.Conv == 0) && c.Assignee == "" && c.Status != parley.StatusResolved {
			// Once someone answers, a late queue frame (they are
			// coalesced) must not take the name off the header.
			q := *f.Queue
			c.Queue, c.Status = &q, parley.StatusQueued
		}

	case parley.TypeError:
		if fr, ok := c.sent[f.ID]; ok && f.ID != "" {
			delete(c.sent, f.ID)
			if fr.New && c.Conv == 0 {
				c.New = true // the next message asks for the new conversation again
			}
			if c.formRefused(fr, f) {
				a := AnswersOf(fr)
				eff.Refill, c.FormNotice = &a, f.Message
				break
			}
			c.Failed = append(c.Failed, ui.Failure{Frame: fr, Reason: f.Message})
		} else if f.ID == "" {
			c.Notice = f.Message
		}
	}
	return eff
}

func (c *Chat) adopt(conv parley.Conversation) {
	if conv.ID != c.Conv && c.Conv != 0 {
		c.switchTo(conv.ID)
	}
	c.Conv, c.Status, c.Team = conv.ID, conv.Status, conv.Team
	c.read = max(c.read, conv.VisitorRead)
	c.AgentRead = max(c.AgentRead, conv.AgentRead)
	c.AgentDelivered = max(c.AgentDelivered, conv.AgentDelivered)
	c.Assignee = conv.AssigneeName
	if conv.Email != "" {
		c.Email = conv.Email
	}
	if conv.Status != parley.StatusQueued || c.Assignee != "" {
		c.Queue = nil
	}
}

// applyEvent follows the routing events: who answers, or back to waiting.
// A return to the queue forgets the old position; the next queue frame
// brings the new one.
func (c *Chat) applyEvent(m parley.Message) {
	switch m.Event {
	case parley.EventAssigned, parley.EventTransferred:
		if m.Event == parley.EventTransferred && m.Team != "" {
			c.Team = m.Team
		}
		if m.To != nil && m.To.ID != 0 {
			c.Assignee, c.Status, c.Queue = ui.AuthorName(*m.To), parley.StatusOpen, nil
			return
		}
		if m.Event == parley.EventTransferred {
			c.Assignee, c.Status, c.Queue = "", parley.StatusQueued, nil
		}
	case parley.EventQueued:
		c.Assignee, c.Status, c.Queue = "", parley.StatusQueued, nil
	case parley.EventResolved:
		c.Status, c.Queue = parley.StatusResolved, nil
	case parley.EventReopened:
		if c.Status == parley.StatusResolved {
			c.Status = parley.StatusOpen
		}
	}
}

// formRefused says whether the server refused the message that carried
// the pre-chat form for its answers: the form comes back, filled in.
func (c *Chat) formRefused(sent, refusal parley.Frame) bool {
	return c.Form != nil && sent.Conv == 0 && !sent.Greeted && refusal.Code == parley.EInvalid && c.Thread.Len() == 0
}

// NeedsForm says whether the visitor's next message starts a conversation
// through the pre-chat form: the site has one, nothing was written yet,
// and no greeting waits for an answer (that answer needs no form).
func (c *Chat) NeedsForm() bool {
	return c.Form != nil && c.Conv == 0 && (c.welcomed || !c.Returning) &&
		c.Thread.Len() == 0 && len(c.Outbox) == 0 && len(c.Failed) == 0 && c.Greeting == ""
}

// WaitLine is what the visitor is told while nobody answers: the queue
// position and estimate, or that nobody is online; "" once someone answers.
func (c *Chat) WaitLine() string { return c.WaitLineIn(i18n.EN) }

// WaitLineIn is WaitLine in language l.
func (c *Chat) WaitLineIn(l i18n.Lang) string {
	if c.Conv == 0 && c.Queue == nil || c.Status != parley.StatusQueued || c.Assignee != "" {
		return ""
	}
	return QueueTextIn(l, c.Queue)
}

// Routed says whether the server routes this conversation through a queue:
// then the wait line, not a promise, says when to expect an answer.
func (c *Chat) Routed() bool {
	return c.Status == parley.StatusQueued || c.Assignee != "" || c.Queue != nil
}

// switchTo starts over with another conversation (the old one was closed
// and the visitor wrote again).
func (c *Chat) switchTo(conv uint64) {
	c.Conv = conv
	c.Thread = ui.Thread{}
	c.liveAfter = 0
	c.read = 0
	c.Assignee, c.Queue = "", nil
}

// Greet shows a proactive greeting, unless the visitor is already talking.
func (c *Chat) Greet(text string, now time.Time) {
	if text == "" || c.greeted || c.Thread.Len() > 0 || len(c.Outbox) > 0 {
		return
	}
	c.Greeting, c.GreetingAt = text, now.UnixMilli()
}

// TakeGreeted reports whether the next message answers the greeting; only
// the first one does.
func (c *Chat) TakeGreeted() bool {
	if c.Greeting == "" || c.greeted {
		return false
	}
	c.greeted = true
	return true
}

// TakeNew reports whether the next message starts a new conversation
// beside the visitor's open ones; only the first one does: the next go to
// the newest open conversation, which it made, until its id is known.
func (c *Chat) TakeNew() bool {
	if !c.New || c.Conv != 0 {
		return false
	}
	c.New = false
	return true
}

// idle says nothing was written in the chat yet, nor is waiting to be.
func (c *Chat) idle() bool {
	return c.Conv == 0 && c.Thread.Len() == 0 && len(c.Outbox) == 0 && len(c.sent) == 0 && len(c.Failed) == 0 && c.Greeting == ""
}

// Sent records a message handed to the client.
func (c *Chat) Sent(f parley.Frame) {
	c.sent[f.ID] = f
	c.Notice, c.FormNotice = "", ""
	if f.Email != "" && c.Email == "" {
		c.Email = f.Email
	}
}

// Retry takes a refused message out of the failures, to be sent again.
func (c *Chat) Retry(id string) (parley.Frame, bool) {
	for i, fl := range c.Failed {
		if fl.Frame.ID == id {
			c.Failed = append(c.Failed[:i:i], c.Failed[i+1:]...)
			return fl.Frame, true
		}
	}
	return parley.Frame{}, false
}

// Items are the rows of the message list, in English.
func (c *Chat) Items() []ui.Item { return c.ItemsIn(i18n.EN) }

// ItemsIn are the rows of the message list, the event lines in l.
func (c *Chat) ItemsIn(l i18n.Lang) []ui.Item {
	return ui.Items(&c.Thread, ui.Pending{
		Self:       parley.Author{Kind: parley.AuthorVisitor},
		Conv:       c.Conv,
		Outbox:     c.Outbox,
		Failed:     c.Failed,
		Greeting:   c.Greeting,
		GreetingAt: c.GreetingAt,
		Events:     true,
		EventText:  func(m parley.Message) string { return parley.EventTextIn(l, m) },
	})
}

// Unread counts the agent messages after the visitor's read mark.
func (c *Chat) Unread() int {
	n := 0
	for _, m := range c.Thread.Messages() {
		if m.Seq > c.read && m.From.Kind == parley.AuthorAgent && m.Kind == parley.KindMessage {
			n++
		}
	}
	return n
}

// MarkRead moves the read mark to the newest message, reporting the
// sequence number to send when it moved.
func (c *Chat) MarkRead() (uint64, bool) {
	last := c.Thread.LastSeq()
	if c.Conv == 0 || last <= c.read {
		return 0, false
	}
	c.read = last
	return last, true
}

// OpenConversation reports whether the visitor has an open conversation;
// known is false until the server said so.
func (c *Chat) OpenConversation() (open, known bool) {
	return c.Conv != 0 && parley.IsOpenStatus(c.Status), c.welcomed
}

// AgentReplied reports whether an agent has written in the conversation.
func (c *Chat) AgentReplied() bool {
	for _, m := range c.Thread.Messages() {
		if m.From.Kind == parley.AuthorAgent && m.Kind == parley.KindMessage {
			return true
		}
	}
	return false
}
