package web

import (
	"github.com/parley-chat/parley/app/parley"
)

// presence is an agent setting its own status: online or away (the
// console's idle timer, or the agent's toggle). The server trusts the
// console about idleness.
func (c *conn) presence(f parley.Frame) {
	if c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents have a presence."), "")
		return
	}
	if c.scoped {
		c.refuse(parley.Errorf(parley.EForbidden, `Only inbox connections have a presence: this one has scope "conversations".`), "")
		return
	}
	if !parley.SettableStatus(f.Status) {
		c.refuse(errPresenceStatus, "")
		return
	}
	c.s.presence.setAway(c, f.Status == parley.StatusAway)
}

var errPresenceStatus = parley.Errorf(parley.EInvalid, `presence.status must be "online" or "away".`)

// colleagues are the agents of sites with their presence, for the
// welcome: at most the members of the agent's own sites.
func (s *Server) colleagues(sites []string) ([]parley.Agent, error) {
	as, err := s.store.Colleagues(sites)
	if err != nil {
		return nil, err
	}
	out := make([]parley.Agent, len(as))
	for i, a := range as {
		out[i] = a.Colleague(s.presence.status(a.ID))
	}
	return out, nil
}
