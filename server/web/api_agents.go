package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// errNoAgent answers a missing agent and one who shares no site with the
// caller alike.
var errNoAgent = parley.Errorf(parley.ENotFound, "No such agent.")

// handleAgentCapacity is PUT /api/agents/{id}/capacity {"capacity": N}:
// the agent itself, or an owner or admin of a site it is a member of,
// sets how many chats it takes at once. The change reaches the agents of
// its sites as a presence frame.
func (s *Server) handleAgentCapacity(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		s.apiError(w, r, errNoAgent)
		return
	}
	if _, err := s.store.Agent(id); err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoAgent
		}
		s.apiError(w, r, err)
		return
	}
	theirs, err := s.store.AgentSites(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if id != me.ID {
		mine, err := s.store.AgentSites(me.ID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		roles := make(map[string]string, len(mine))
		for _, m := range mine {
			roles[m.Site] = m.Role
		}
		shared, manages := false, false
		for _, m := range theirs {
			if role, ok := roles[m.Site]; ok {
				shared = true
				manages = manages || parley.CanManageSite(role)
			}
		}
		if !shared {
			s.apiError(w, r, errNoAgent)
			return
		}
		if !manages {
			s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only an owner or admin of a site the agent works on may change its capacity."))
			return
		}
	}
	var body struct {
		Capacity json.RawMessage `json:"capacity"`
	}
	if err := decodeJSON(w, r, &body, 1<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	n, err := parseCapacity(body.Capacity)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	a, err := s.store.SetAgentCapacity(id, n)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	sites := make([]string, len(theirs))
	for i, m := range theirs {
		sites[i] = m.Site
	}
	status := s.presence.setCapacity(a, sites)
	writeJSON(w, http.StatusOK, a.Colleague(status))
}

// parseCapacity reads the capacity of a request: a whole number from
// parley.MinCapacity to parley.MaxCapacity.
func parseCapacity(raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, parley.Errorf(parley.EInvalid, `The capacity is missing: send {"capacity": N}, N from %d to %d.`, parley.MinCapacity, parley.MaxCapacity)
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, parley.CheckCapacity(-1)
	}
	return n, parley.CheckCapacity(n)
}
