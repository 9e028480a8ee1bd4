package web

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

// The visitor's context (app/parley/context.go): the widget sends what
// the shop's page said (context frames), the server adds the upgrade's
// User-Agent and Accept-Language at hello and each page from SetPage, and
// every change goes to the site's agents as a context frame with the
// whole context. Only site followers get it: never a visitor (not even
// the same one: the shop's attributes may say what the visitor must not
// read), never an agent of another site, nor a connection that follows
// single conversations (it reads GET /api/visitors/{id} instead).

// context applies a visitor's context frame.
func (c *conn) context(f parley.Frame) {
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only visitors send their context."), f.ID)
		return
	}
	u := f.ContextUpdate()
	if u.Attributes == nil && u.Cart == nil && u.Track == nil && u.Device == nil && u.Referrer == "" && u.Lang == "" {
		c.refuse(parley.Errorf(parley.EInvalid, "context needs attributes, cart, track, device, referrer or lang."), f.ID)
		return
	}
	if u.Lang != "" {
		l, ok := widgetLang(u.Lang)
		if !ok {
			c.refuse(parley.Errorf(parley.EInvalid, "Unknown language %q: the widget speaks en, pl, ro, sl, de, fr and es.", parley.Truncate(u.Lang, parley.MaxLanguage)), f.ID)
			return
		}
		u.Lang = string(l)
	}
	c.updateContext(u, f.ID)
}

// widgetLang is the supported language of a widget's lang ("pl", or a
// tag of it, "pl-PL"), and false for any other.
func widgetLang(tag string) (i18n.Lang, bool) {
	if len(tag) > parley.MaxLanguage {
		return "", false
	}
	return i18n.Parse(tag)
}

// updateContext stores u and tells the site's agents when it changed. A
// visitor without a conversation is in no agent's view: their context is
// read with the conversation (GET /api/visitors/{id}), and the agents
// are spared a frame for every new visitor.
func (c *conn) updateContext(u parley.ContextUpdate, id string) {
	ch, err := c.s.store.UpdateContext(c.visitor.ID, u)
	if err != nil {
		c.refuse(err, id)
		return
	}
	if ch.Changed && ch.Chatted {
		c.s.publishContext(ch.Visitor, ch.Context)
	}
}

// publishContext sends a visitor's context to the agents of their site.
func (s *Server) publishContext(v parley.Visitor, ctx parley.VisitorContext) {
	f := parley.Frame{Type: parley.TypeContext, Visitor: &v, Context: &ctx}
	s.hub.Publish(&relay.Event{Site: v.Site, Visitor: v.ID, To: relay.Agents, Frame: f.Encode()})
}

// visitorView is GET /api/visitors/{id}: a visitor, their context and
// their conversations, newest first.
type visitorView struct {
	Visitor       parley.Visitor        `json:"visitor"`
	Context       parley.VisitorContext `json:"context"`
	Conversations []pastConversation    `json:"conversations"`
	// Notes are the agents' notes about the contact, newest first.
	Notes []parley.ContactNote `json:"notes"`
}

// pastConversation is a conversation as the context panel lists it.
type pastConversation struct {
	ID       uint64 `json:"id"`
	Status   string `json:"status"`
	Created  string `json:"created"`
	LastText string `json:"lastText,omitempty"`
}

// handleVisitor answers members of the visitor's site only: for anyone
// else a visitor of another site is answered like a missing one.
func (s *Server) handleVisitor(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	notFound := parley.Errorf(parley.ENotFound, "No such visitor.")
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		s.apiError(w, r, notFound)
		return
	}
	v, ctx, err := s.store.VisitorWithContext(id)
	if parley.ErrorCode(err) == parley.ENotFound {
		err = notFound
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if _, err := s.siteRole(v.Site, a); err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = notFound
		}
		s.apiError(w, r, err)
		return
	}
	convs, err := s.store.VisitorConversations(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	notes, err := s.store.ContactNotes(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if notes == nil {
		notes = []parley.ContactNote{}
	}
	out := visitorView{Visitor: v, Context: ctx, Conversations: make([]pastConversation, 0, len(convs)), Notes: notes}
	for _, c := range convs {
		out.Conversations = append(out.Conversations, pastConversation{ID: c.ID, Status: c.Status,
			Created: c.Created.UTC().Format("2006-01-02T15:04:05Z"), LastText: c.LastText})
	}
	writeJSON(w, http.StatusOK, out)
}
