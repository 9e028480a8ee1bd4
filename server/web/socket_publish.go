package web

import (
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

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
		s.router.observe(c.Conv)
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
		// A reopened conversation changes status, and so does a routing
		// event (its assignee, team and status); an edit or a deletion
		// may change the preview.
		if !c.Created && (c.Reopened || c.Message.Kind == parley.KindEdit || c.Message.Kind == parley.KindDelete || c.Message.Kind == parley.KindEvent) {
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

// touchSearch tells the search index that conv changed outside the log:
// its tags, its visitor's name or email (the index skips the rest).
func (s *Server) touchSearch(conv parley.Conversation) {
	if s.cfg.Search != nil {
		s.cfg.Search.Touch(conv)
	}
}
