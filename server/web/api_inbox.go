package web

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// handleConversations serves the inbox a page at a time:
// GET /api/conversations?view=VIEW&site=ID&tag=TAG&before=CURSOR&limit=N,
// where VIEW is open (the default), queue, mine, team or resolved, and TAG
// keeps the conversations that carry the tag. Like the
// socket, it lists the sites the agent is a member of only; another site
// is answered exactly like a missing one. status=open is the old name of
// view=open.
func (s *Server) handleConversations(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && st != parley.StatusOpen {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, `status must be "open".`))
		return
	}
	view := q.Get("view")
	if !parley.ValidView(view) {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "view must be one of open, queue, mine, team and resolved."))
		return
	}
	before, err := parley.ParseCursor(q.Get("before"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var tag string
	if t := q.Get("tag"); t != "" {
		if tag, err = parley.NormalizeTag(t); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	limit := parley.InboxPageSize
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > parley.MaxInboxPage {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "limit must be from 1 to %d.", parley.MaxInboxPage))
			return
		}
	}
	members, err := s.store.AgentSites(a.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	roles := make(map[string]string, len(members))
	for _, m := range members {
		roles[m.Site] = m.Role
	}
	var sites []string
	if site := q.Get("site"); site != "" {
		if _, err := s.siteRole(site, a); err != nil {
			s.apiError(w, r, err)
			return
		}
		sites = []string{site}
	} else {
		for _, m := range members {
			sites = append(sites, m.Site)
		}
	}
	var out parley.ConversationPage
	if view == parley.ViewResolved {
		convs, next, err := s.store.ResolvedPage(sites, before.ID, limit, tag)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		out = parley.ConversationPage{Conversations: convs, Next: parley.Cursor{ID: next}.String()}
	} else {
		keep := s.router.viewFilter(view, a.ID, roles)
		if tag != "" {
			inView := keep
			keep = func(c *parley.Conversation) bool { return c.HasTag(tag) && (inView == nil || inView(c)) }
		}
		page, err := s.store.OpenPageWhere(sites, before, limit, keep)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		out = parley.ConversationPage{Conversations: page.Conversations, Next: page.Next.String()}
	}
	if out.Conversations == nil {
		out.Conversations = []parley.Conversation{}
	}
	writeJSON(w, http.StatusOK, out)
}
