package web

import (
	"net/http"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// cannedBody is the body of GET and PUT /api/sites/{id}/canned.
type cannedBody struct {
	CannedReplies []parley.CannedReply `json:"cannedReplies"`
}

// maxCannedBody holds 200 replies of 4,000 characters, each escaped.
const maxCannedBody = 4 << 20

// handleCanned is GET /api/sites/{id}/canned: the canned replies agent a
// may use on the site — the site's, its teams', its own — or, to its
// owners and admins, all of them.
func (s *Server) handleCanned(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	role, err := s.siteRole(id, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	site, err := s.store.Site(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.store.CannedReplies(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !parley.CanManageSite(role) {
		list = parley.CannedFor(list, a.ID, site.Routing.Teams)
	}
	if list == nil {
		list = []parley.CannedReply{}
	}
	writeJSON(w, http.StatusOK, cannedBody{CannedReplies: list})
}

// handlePutCanned is PUT /api/sites/{id}/canned: owners and admins
// replace the site's canned replies; the answer is the list as stored.
func (s *Server) handlePutCanned(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	role, err := s.siteRole(id, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !parley.CanManageSite(role) {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only the site's owners and admins may change its canned replies."))
		return
	}
	var body cannedBody
	if err := decodeJSON(w, r, &body, maxCannedBody); err != nil {
		s.apiError(w, r, err)
		return
	}
	site, err := s.store.Site(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	members, err := s.store.SiteMembers(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	isMember := make(map[uint64]bool, len(members))
	for _, m := range members {
		isMember[m.Agent] = true
	}
	hasTeam := func(team string) bool {
		for _, t := range site.Routing.Teams {
			if t.ID == team {
				return true
			}
		}
		return false
	}
	list, err := parley.CheckCannedReplies(body.CannedReplies, hasTeam, func(id uint64) bool { return isMember[id] })
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.PutCannedReplies(id, list); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cannedBody{CannedReplies: list})
}

// handleOwnCanned is GET /api/sites/{id}/canned/mine: the private canned
// replies of the caller, any member of the site.
func (s *Server) handleOwnCanned(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	if _, err := s.siteRole(id, a); err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.store.CannedReplies(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	own := []parley.CannedReply{}
	for _, c := range list {
		if c.Agent == a.ID {
			own = append(own, c)
		}
	}
	writeJSON(w, http.StatusOK, cannedBody{CannedReplies: own})
}

// handlePutOwnCanned is PUT /api/sites/{id}/canned/mine: any member
// replaces its own private canned replies, and only those; the answer is
// them as stored.
func (s *Server) handlePutOwnCanned(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	if _, err := s.siteRole(id, a); err != nil {
		s.apiError(w, r, err)
		return
	}
	var body cannedBody
	if err := decodeJSON(w, r, &body, maxCannedBody); err != nil {
		s.apiError(w, r, err)
		return
	}
	own, err := parley.CheckOwnCannedReplies(body.CannedReplies, a.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if own, err = s.store.PutOwnCannedReplies(id, a.ID, own); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cannedBody{CannedReplies: own})
}
