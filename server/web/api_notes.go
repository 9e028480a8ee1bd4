package web

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

// Contact notes (parley.ContactNote): what the site's agents write about
// a contact, beside every conversation of theirs. Only members of the
// visitor's site reach them; a visitor never does: they go out in the
// answers below, in GET /api/visitors/{id}, and in contact_note frames to
// the site's agents (relay.Agents), nowhere else.

// noteBody is the body of POST and PATCH /api/visitors/{id}/notes.
type noteBody struct {
	Text *string `json:"text"`
}

// notesBody is the answer of GET /api/visitors/{id}/notes.
type notesBody struct {
	Notes []parley.ContactNote `json:"notes"`
}

// maxNoteBody holds a note of 2,000 characters, each escaped.
const maxNoteBody = 32 << 10

var errNoVisitor = parley.Errorf(parley.ENotFound, "No such visitor.")

// siteVisitor is visitor {id} of the request, and a's role on its site:
// a visitor of a site a is no member of is answered like a missing one.
func (s *Server) siteVisitor(r *http.Request, a parley.Agent) (parley.Visitor, string, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return parley.Visitor{}, "", errNoVisitor
	}
	v, err := s.store.Visitor(id)
	if parley.ErrorCode(err) == parley.ENotFound {
		err = errNoVisitor
	}
	if err != nil {
		return parley.Visitor{}, "", err
	}
	role, err := s.siteRole(v.Site, a)
	if parley.ErrorCode(err) == parley.ENotFound {
		err = errNoVisitor
	}
	return v, role, err
}

// handleNotes is GET /api/visitors/{id}/notes: the contact's notes,
// newest first.
func (s *Server) handleNotes(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	v, _, err := s.siteVisitor(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.store.ContactNotes(v.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if list == nil {
		list = []parley.ContactNote{}
	}
	writeJSON(w, http.StatusOK, notesBody{Notes: list})
}

// readNote reads and checks the body of a POST or PATCH.
func readNote(w http.ResponseWriter, r *http.Request) (string, error) {
	var body noteBody
	if err := decodeJSON(w, r, &body, maxNoteBody); err != nil {
		return "", err
	}
	if body.Text == nil {
		return "", parley.Errorf(parley.EInvalid, "A note needs a text.")
	}
	return parley.CheckNoteText(*body.Text)
}

// handleAddNote is POST /api/visitors/{id}/notes: any member of the
// site writes a note; the answer is the note as stored.
func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	v, _, err := s.siteVisitor(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	text, err := readNote(w, r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	n, err := s.store.AddContactNote(parley.ContactNote{Visitor: v.ID, Author: a.ID, AuthorName: a.Name, Text: text})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.publishNote(v.Site, n)
	writeJSON(w, http.StatusCreated, n)
}

// noteID is the request's {note}; 0 (no note has it) when malformed.
func noteID(r *http.Request) uint64 {
	id, _ := strconv.ParseUint(r.PathValue("note"), 10, 64)
	return id
}

// mayChange refuses a change of a note agent a may not make.
func mayChange(a parley.Agent, role string, del bool) func(parley.ContactNote) error {
	return func(n parley.ContactNote) error {
		if parley.CanChangeNote(n, a.ID, role, del) {
			return nil
		}
		if del {
			return parley.Errorf(parley.EForbidden, "Only its author or the site's owners and admins may delete this note.")
		}
		return parley.Errorf(parley.EForbidden, "Only its author may edit this note.")
	}
}

// handleEditNote is PATCH /api/visitors/{id}/notes/{note}: its author
// changes its text.
func (s *Server) handleEditNote(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	v, role, err := s.siteVisitor(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	text, err := readNote(w, r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	n, err := s.store.EditContactNote(v.ID, noteID(r), text, mayChange(a, role, false))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.publishNote(v.Site, n)
	writeJSON(w, http.StatusOK, n)
}

// handleDeleteNote is DELETE /api/visitors/{id}/notes/{note}: by its
// author, or an owner or admin of the site.
func (s *Server) handleDeleteNote(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	v, role, err := s.siteVisitor(r, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	n, err := s.store.DeleteContactNote(v.ID, noteID(r), mayChange(a, role, true))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.publishNote(v.Site, parley.ContactNote{ID: n.ID, Visitor: n.Visitor, Deleted: true})
	w.WriteHeader(http.StatusNoContent)
}

// publishNote tells the site's agents, after the commit, what became of
// a note: a console showing the contact updates its panel in place. Only
// site followers get it (relay.Agents), never the visitor.
func (s *Server) publishNote(site string, n parley.ContactNote) {
	f := parley.Frame{Type: parley.TypeContactNote, ContactNote: &n}
	s.hub.Publish(&relay.Event{Site: site, Visitor: n.Visitor, To: relay.Agents, Frame: f.Encode()})
}
