package web

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// handleConversations serves the inbox a page at a time:
// GET /api/conversations?status=open&site=ID&before=CURSOR&limit=N. Like
// the socket, it lists the sites the agent is a member of only; another
// site is answered exactly like a missing one.
func (s *Server) handleConversations(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && st != parley.StatusOpen {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, `status must be "open".`))
		return
	}
	before, err := parley.ParseCursor(q.Get("before"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	limit := parley.InboxPageSize
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > parley.MaxInboxPage {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "limit must be from 1 to %d.", parley.MaxInboxPage))
			return
		}
	}
	var sites []string
	if site := q.Get("site"); site != "" {
		if _, err := s.siteRole(site, a); err != nil {
			s.apiError(w, r, err)
			return
		}
		sites = []string{site}
	} else {
		members, err := s.store.AgentSites(a.ID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		for _, m := range members {
			sites = append(sites, m.Site)
		}
	}
	page, err := s.store.OpenPage(sites, before, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := parley.ConversationPage{Conversations: page.Conversations, Next: page.Next.String()}
	if out.Conversations == nil {
		out.Conversations = []parley.Conversation{}
	}
	writeJSON(w, http.StatusOK, out)
}
