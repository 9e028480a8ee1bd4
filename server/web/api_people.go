package web

import (
	"net/http"
	"strconv"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// People: owners and admins manage a site's agents from the console while
// the server runs; the install's admins create sites. Who may do what:
//
//   - POST /api/sites: an install admin (Agent.Role admin) only, who
//     becomes the new site's owner. Any other agent gets 403: a site is a
//     new tenant, and making tenants is the install operator's business.
//   - GET /api/sites/{id}/members: any member of the site.
//   - POST /api/sites/{id}/agents, PUT and DELETE
//     /api/sites/{id}/members/{agent}: the site's owners and admins. Only
//     owners make, demote or remove owners; a site keeps at least one.
//   - POST /api/agents/{id}/disable, enable, password-reset: these act on
//     the agent everywhere, so the caller must own or administer every
//     site the agent is a member of (an admin: where the agent is no
//     owner), and may not disable or reset itself. Otherwise an owner of
//     one shop could lock an agent out of another shop, or, with a new
//     password, read it.
//
// Everywhere, a site the caller is no member of answers like a missing
// one, and so does an agent who shares no site with the caller.

// OneTimePassword returns a new password for an agent, shown once to
// whoever created or reset it: 20 characters of crypto/rand base64url
// (120 bits). It is never logged.
func OneTimePassword() string { return NewToken()[:20] }

// closeSitesChanged closes the sockets of an agent whose memberships
// changed: the client reconnects at once and its new hello reads the
// sites again (a connection reads them once, at its hello).
const (
	closeSitesChanged  = websocket.StatusServiceRestart
	reasonSitesChanged = "sites changed"
)

// rescopeAgent closes, without waiting, the websockets of agent id, so
// that they reconnect with its memberships as they are now.
func (s *Server) rescopeAgent(id uint64) {
	var conns []*conn
	s.connsMu.Lock()
	for _, set := range s.sessionConns {
		for c := range set {
			// c.session is set before the connection is registered and
			// never changes: safe to read here.
			if c.session.agent.ID == id {
				conns = append(conns, c)
			}
		}
	}
	s.connsMu.Unlock()
	for _, c := range conns {
		go c.closeWith(closeSitesChanged, reasonSitesChanged)
	}
}

// manageSite is the caller's role on site if it may manage its people:
// a non-member gets errNoSite, a plain agent EForbidden.
func (s *Server) manageSite(site string, a parley.Agent) (string, error) {
	role, err := s.siteRole(site, a)
	if err != nil {
		return "", err
	}
	if !parley.CanManageSite(role) {
		return "", parley.Errorf(parley.EForbidden, "Only the site's owners and admins may manage its people.")
	}
	return role, nil
}

type newSiteRequest struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	AllowedOrigins []string `json:"allowedOrigins"`
}

// handleCreateSite is POST /api/sites {id?, name, allowedOrigins}: an
// install admin creates a site and becomes its owner → 201 with the site,
// its snippet and the role. The id, if not given, is made from the name.
func (s *Server) handleCreateSite(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	if a.Role != parley.AgentRoleAdmin {
		s.apiError(w, r, parley.Errorf(parley.EForbidden, "Only the install's admins may create sites."))
		return
	}
	var req newSiteRequest
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	id := req.ID
	if id == "" {
		if id = parley.SiteIDFromName(req.Name); id == "" && req.Name != "" {
			s.apiError(w, r, parley.Errorf(parley.EInvalid, "Choose an id for the site: letters, digits, '-' and '_'."))
			return
		}
	}
	site, err := parley.Site{ID: id, Name: req.Name, Title: req.Name, AllowedOrigins: req.AllowedOrigins}.Validate()
	if err == nil {
		err = parley.CheckSiteID(site.ID)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.CreateSiteOwned(site, []uint64{a.ID}); err != nil {
		if parley.ErrorCode(err) == parley.EConflict {
			err = parley.Errorf(parley.EConflict, "A site with the id %q exists already: choose another id.", site.ID)
		}
		s.apiError(w, r, err)
		return
	}
	// The creator's open consoles learn of the new site at their next hello.
	s.rescopeAgent(a.ID)
	writeJSON(w, http.StatusCreated, s.siteView(site, parley.SiteRoleOwner))
}

// handleSiteMembers is GET /api/sites/{id}/members: the site's members,
// to any member.
func (s *Server) handleSiteMembers(w http.ResponseWriter, r *http.Request, _ store.Session, a parley.Agent) {
	site := r.PathValue("id")
	if _, err := s.siteRole(site, a); err != nil {
		s.apiError(w, r, err)
		return
	}
	team, err := s.store.SiteTeam(site)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if team == nil {
		team = []parley.SiteMember{}
	}
	writeJSON(w, http.StatusOK, team)
}

type addAgentRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// checkGrant refuses a role the caller, with role mine, may not give.
func checkGrant(mine, role string) error {
	if !parley.ValidSiteRole(role) {
		return parley.Errorf(parley.EInvalid, "Unknown role %q: use owner, admin or agent.", role)
	}
	if role == parley.SiteRoleOwner && mine != parley.SiteRoleOwner {
		return parley.Errorf(parley.EForbidden, "Only owners may make owners.")
	}
	return nil
}

// handleAddSiteAgent is POST /api/sites/{id}/agents {email, name, role}.
// A new email creates the agent with a one-time password, returned in
// this response only (201); an existing agent becomes a member, keeping
// its name and password (200). An agent already a member is 409.
func (s *Server) handleAddSiteAgent(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	site := r.PathValue("id")
	mine, err := s.manageSite(site, me)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req addAgentRequest
	if err := decodeJSON(w, r, &req, 4<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	email, name, err := parley.CheckNewAgent(req.Email, req.Name)
	if err == nil {
		err = checkGrant(mine, req.Role)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	existing, _, err := s.store.AgentByEmail(email)
	switch {
	case err == nil:
		if err := s.store.AddMember(site, existing.ID, req.Role); err != nil {
			if parley.ErrorCode(err) == parley.EConflict {
				err = parley.Errorf(parley.EConflict, "%s is a member of this site already.", existing.Email)
			}
			s.apiError(w, r, err)
			return
		}
		s.rescopeAgent(existing.ID)
		disabled, err := s.store.AgentDisabled(existing.ID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, parley.NewMember{Member: parley.SiteMember{
			ID: existing.ID, Name: existing.Name, Email: existing.Email, Role: req.Role, Disabled: disabled}})
		return
	case parley.ErrorCode(err) != parley.ENotFound:
		s.apiError(w, r, err)
		return
	}
	pw := OneTimePassword()
	hash, err := HashPassword(pw)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	a, err := s.store.CreateAgentIn(parley.Agent{Email: email, Name: name, Role: parley.AgentRoleAgent}, hash, []string{site}, req.Role)
	if err != nil {
		// EConflict: the email was taken since the look-up; the caller
		// tries again and adds the existing agent.
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, parley.NewMember{
		Member:   parley.SiteMember{ID: a.ID, Name: a.Name, Email: a.Email, Role: req.Role},
		Password: pw,
	})
}

// memberTarget reads the {agent} of a members path.
func memberTarget(r *http.Request) (uint64, error) {
	id, err := strconv.ParseUint(r.PathValue("agent"), 10, 64)
	if err != nil || id == 0 {
		return 0, errNoAgent
	}
	return id, nil
}

// ownerGuard keeps an admin from changing or removing an owner.
func ownerGuard(mine string) store.MemberGuard {
	return func(current string) error {
		if current == parley.SiteRoleOwner && mine != parley.SiteRoleOwner {
			return parley.Errorf(parley.EForbidden, "Only owners may change or remove an owner.")
		}
		return nil
	}
}

// handleSetMemberRole is PUT /api/sites/{id}/members/{agent} {role}.
func (s *Server) handleSetMemberRole(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	site := r.PathValue("id")
	mine, err := s.manageSite(site, me)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := memberTarget(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(w, r, &req, 1<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := checkGrant(mine, req.Role); err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.ChangeMemberRole(site, id, req.Role, ownerGuard(mine)); err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoAgent
		}
		s.apiError(w, r, err)
		return
	}
	s.rescopeAgent(id)
	s.writeMember(w, r, site, id)
}

// writeMember answers with agent id as a member of site.
func (s *Server) writeMember(w http.ResponseWriter, r *http.Request, site string, id uint64) {
	team, err := s.store.SiteTeam(site)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, m := range team {
		if m.ID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	s.apiError(w, r, errNoAgent)
}

// handleRemoveMember is DELETE /api/sites/{id}/members/{agent} → 204. The
// agent's open consoles reconnect without the site.
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	site := r.PathValue("id")
	mine, err := s.manageSite(site, me)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := memberTarget(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.DropMember(site, id, ownerGuard(mine)); err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoAgent
		}
		s.apiError(w, r, err)
		return
	}
	s.rescopeAgent(id)
	w.WriteHeader(http.StatusNoContent)
}

// governAgent checks that me may act on agent {id} everywhere it works:
// me owns or administers every site the agent is a member of, and is no
// mere admin where the agent is an owner. An agent sharing no site with
// me is errNoAgent, like a missing one.
func (s *Server) governAgent(r *http.Request, me parley.Agent, what string) (parley.Agent, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		return parley.Agent{}, errNoAgent
	}
	target, err := s.store.Agent(id)
	if parley.ErrorCode(err) == parley.ENotFound {
		return parley.Agent{}, errNoAgent
	} else if err != nil {
		return parley.Agent{}, err
	}
	theirs, err := s.store.AgentSites(id)
	if err != nil {
		return parley.Agent{}, err
	}
	mine, err := s.store.AgentSites(me.ID)
	if err != nil {
		return parley.Agent{}, err
	}
	roles := make(map[string]string, len(mine))
	for _, m := range mine {
		roles[m.Site] = m.Role
	}
	shared, governs := false, len(theirs) > 0
	for _, m := range theirs {
		role, ok := roles[m.Site]
		shared = shared || ok
		if !parley.CanManageSite(role) || m.Role == parley.SiteRoleOwner && role != parley.SiteRoleOwner {
			governs = false
		}
	}
	if !shared {
		return parley.Agent{}, errNoAgent
	}
	if !governs {
		return parley.Agent{}, parley.Errorf(parley.EForbidden,
			"Only an owner or admin of every site %s works on may %s (an admin: where %s is no owner).", target.Name, what, target.Name)
	}
	return target, nil
}

// handleDisableAgent is POST /api/agents/{id}/disable → 204: the agent
// can no longer log in, and its sessions end now with their websockets.
func (s *Server) handleDisableAgent(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	s.setAgentDisabled(w, r, me, true)
}

// handleEnableAgent is POST /api/agents/{id}/enable → 204.
func (s *Server) handleEnableAgent(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	s.setAgentDisabled(w, r, me, false)
}

func (s *Server) setAgentDisabled(w http.ResponseWriter, r *http.Request, me parley.Agent, disabled bool) {
	what := "enable an agent"
	if disabled {
		what = "deactivate an agent"
	}
	a, err := s.governAgent(r, me, what)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if a.ID == me.ID {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "You cannot deactivate or enable yourself."))
		return
	}
	ended, err := s.store.SetAgentDisabled(a.ID, disabled)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.endSessions(ended...)
	w.WriteHeader(http.StatusNoContent)
}

// handleResetPassword is POST /api/agents/{id}/password-reset → 200
// {password}: a new one-time password, in this response only; every
// session of the agent ends now with its websockets. An agent changes its
// own password with POST /api/password, which asks for the current one.
func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	a, err := s.governAgent(r, me, "reset a password")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if a.ID == me.ID {
		s.apiError(w, r, parley.Errorf(parley.EInvalid, "Change your own password in Settings: it asks for the current one."))
		return
	}
	pw := OneTimePassword()
	hash, err := HashPassword(pw)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ended, err := s.store.ChangeAgentPassword(a.ID, hash, nil)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.endSessions(ended...)
	writeJSON(w, http.StatusOK, parley.NewPassword{Password: pw})
}
