package web

import (
	"net/http"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// maxFAQBody holds 200 entries of 2,000-character answers, escaped.
const maxFAQBody = 4 << 20

// handleFAQ is GET /api/sites/{id}/faq: the site's FAQ entries and their
// counters, for its owners and admins.
func (s *Server) handleFAQ(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	if !s.canManageFAQ(w, r, id, a) {
		return
	}
	list, err := s.store.FAQ(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	stats, err := s.store.FAQStats(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if list == nil {
		list = []parley.FAQEntry{}
	}
	writeJSON(w, http.StatusOK, parley.FAQList{FAQ: list, Stats: stats})
}

// handlePutFAQ is PUT /api/sites/{id}/faq: owners and admins replace the
// site's FAQ entries; the answer is the list as stored (new entries with
// their ids).
func (s *Server) handlePutFAQ(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	id := r.PathValue("id")
	if !s.canManageFAQ(w, r, id, a) {
		return
	}
	var body parley.FAQList
	if err := decodeJSON(w, r, &body, maxFAQBody); err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := parley.CheckFAQ(body.FAQ)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	err = s.store.PutFAQ(id, list)
	s.faqChanged(id) // even on error: the store may or may not hold the new list
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, parley.FAQList{FAQ: list})
}

func (s *Server) canManageFAQ(w http.ResponseWriter, r *http.Request, site string, a parley.Agent) bool {
	role, err := s.siteRole(site, a)
	if err != nil {
		s.apiError(w, r, err)
		return false
	}
	if !parley.CanManageSite(role) {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only the site's owners and admins manage its FAQ."))
		return false
	}
	return true
}
