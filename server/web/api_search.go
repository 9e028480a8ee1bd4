package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
)

// maxTeamParam bounds the team filter: team ids are short.
const maxTeamParam = 64

// handleSearch serves GET /api/search?q=…&site=&team=&status=&tag=&from=&to=&limit=&cursor=:
// a page of the messages, notes and conversations (by contact or tag)
// matching q, best first, from the sites
// the agent is a member of only. site narrows it to one of them; another
// site is answered exactly like a missing one (404), as everywhere in the
// API, so a search never tells whether a site exists. from and to are
// dates (2006-01-02, to inclusive) or RFC 3339 times (to exclusive).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	if s.cfg.Search == nil {
		s.apiError(w, r, parley.Errorf(parley.EUnavailable, "Search is off on this server."))
		return
	}
	p := r.URL.Query()
	var err error
	sq := search.Query{Text: strings.TrimSpace(p.Get("q")), Team: p.Get("team"), Status: p.Get("status"), Cursor: p.Get("cursor")}
	if sq.Text == "" {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "q, the words to search for, is missing."))
		return
	}
	if utf8.RuneCountInString(sq.Text) > parley.MaxSearchQuery {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "q is longer than %d characters.", parley.MaxSearchQuery))
		return
	}
	switch sq.Status {
	case "", parley.StatusOpen, parley.StatusQueued, parley.StatusResolved:
	default:
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "status must be open, queued or resolved."))
		return
	}
	if t := p.Get("tag"); t != "" {
		if sq.Tag, err = parley.NormalizeTag(t); err != nil {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "tag: %s", parley.ErrorMessage(err)))
			return
		}
	}
	if len(sq.Team) > maxTeamParam {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "team is longer than %d bytes.", maxTeamParam))
		return
	}
	sq.Limit = parley.SearchPageSize
	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > parley.MaxSearchPage {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "limit must be from 1 to %d.", parley.MaxSearchPage))
			return
		}
		sq.Limit = n
	}
	if c := sq.Cursor; c != "" {
		if n, err := strconv.Atoi(c); err != nil || n < 0 {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "cursor is not one this server gave."))
			return
		}
	}
	if sq.From, err = searchTime(p.Get("from"), false); err != nil {
		s.apiError(w, r, err)
		return
	}
	if sq.To, err = searchTime(p.Get("to"), true); err != nil {
		s.apiError(w, r, err)
		return
	}
	if !sq.From.IsZero() && !sq.To.IsZero() && !sq.From.Before(sq.To) {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "from must be before to."))
		return
	}
	if site := p.Get("site"); site != "" {
		if _, err := s.siteRole(site, a); err != nil {
			s.apiError(w, r, err)
			return
		}
		sq.Sites = []string{site}
	} else {
		members, err := s.store.AgentSites(a.ID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		for _, m := range members {
			sq.Sites = append(sq.Sites, m.Site)
		}
	}
	page, err := s.cfg.Search.Search(r.Context(), sq)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// searchTime parses a from or to parameter: a date, or an RFC 3339 time.
// A date as to means the end of that day (UTC), so that from=to=a day
// finds that day.
func searchTime(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, parley.Errorf(parley.EInvalid, "%q is neither a date (2006-01-02) nor an RFC 3339 time.", v)
	}
	return t, nil
}
