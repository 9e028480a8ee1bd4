package web

import (
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// Routing frames from agents: claim a queued conversation, transfer one to
// a team or an agent. Both answer only with an error frame (carrying the
// request's id) when refused; success reaches everyone, the requester
// included, as the event's msg frame and a conv frame.

// claim is {"type":"claim","id","conv"}: the agent takes a queued
// conversation of a team it is a member of (an owner or admin of the
// site: of any team).
func (c *conn) claim(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents claim conversations."), id)
		return
	}
	conv, site, err := c.routable(f.Conv)
	if err != nil {
		c.refuse(err, id)
		return
	}
	if !c.inTeam(site, conv.Team) {
		c.refuse(parley.Errorf(parley.EForbidden, "Only members of the team %s may claim its conversations.", parley.TeamName(site.Routing, conv.Team)), id)
		return
	}
	me, err := c.s.store.Agent(c.agent.ID)
	if err != nil {
		c.refuse(err, id)
		return
	}
	to := parley.Author{Kind: parley.AuthorAgent, ID: me.ID, Name: me.Name}
	if _, err := c.s.store.Claim(c.ctx, store.Route{Conv: conv.ID, Site: conv.Site, By: to, To: &to, Capacity: me.Capacity}); err != nil {
		c.refuseRoute(err, id)
	}
}

// transfer is {"type":"transfer","id","conv","team","agentId","text"}:
// the conversation goes to another team's queue, or to an agent (of the
// team named, if one is), with an internal reason. The assignee, a member
// of the conversation's team or an owner or admin of the site may
// transfer it.
func (c *conn) transfer(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents transfer conversations."), id)
		return
	}
	if f.Team == "" && f.AgentID == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "transfer needs a team, an agentId or both."), id)
		return
	}
	if !utf8.ValidString(f.Text) {
		c.refuse(parley.Errorf(parley.EInvalid, "The reason is not valid UTF-8."), id)
		return
	}
	reason, err := c.s.cfg.Limits.CheckText(f.Text)
	if f.Text == "" {
		reason, err = "", nil
	}
	if err != nil {
		c.refuse(err, id)
		return
	}
	if n := utf8.RuneCountInString(reason); n > parley.MaxTransferReason {
		c.refuse(parley.Errorf(parley.ETooLarge, "The reason is %d characters long; the limit is %d.", n, parley.MaxTransferReason), id)
		return
	}
	conv, site, err := c.routable(f.Conv)
	if err != nil {
		c.refuse(err, id)
		return
	}
	if conv.Assignee != c.agent.ID && !c.inTeam(site, conv.Team) {
		c.refuse(parley.Errorf(parley.EForbidden, "Only the assignee, the team %s or the site's owners and admins may transfer this conversation.", parley.TeamName(site.Routing, conv.Team)), id)
		return
	}
	team := conv.Team
	if f.Team != "" {
		if _, ok := site.Routing.Team(f.Team); !ok || len(site.Routing.Teams) == 0 {
			c.refuse(parley.Errorf(parley.EInvalid, "Unknown team %q.", parley.Truncate(f.Team, 40)), id)
			return
		}
		team = f.Team
	}
	r := store.Route{Conv: conv.ID, Site: conv.Site, By: c.author, Reason: reason}
	if team != conv.Team {
		r.Team, r.TeamName = team, parley.TeamName(site.Routing, team)
	}
	if f.AgentID != 0 {
		to, err := c.s.store.Agent(f.AgentID)
		if err != nil {
			c.refuse(parley.Errorf(parley.EInvalid, "Unknown agent %d.", f.AgentID), id)
			return
		}
		if role, err := c.s.store.Role(conv.Site, to.ID); err != nil || role == "" {
			c.refuse(parley.Errorf(parley.EInvalid, "%s is not a member of this site.", to.Name), id)
			return
		}
		if t, ok := site.Routing.Team(team); ok && team != "" && !t.HasMember(to.ID) {
			c.refuse(parley.Errorf(parley.EInvalid, "%s is not a member of the team %s.", to.Name, t.Name), id)
			return
		}
		if disabled, err := c.s.store.AgentDisabled(to.ID); err != nil || disabled {
			c.refuse(parley.Errorf(parley.EInvalid, "%s is deactivated.", to.Name), id)
			return
		}
		r.To = &parley.Author{Kind: parley.AuthorAgent, ID: to.ID, Name: to.Name}
		r.Capacity = to.Capacity
		r.Jobs = c.s.pushJob(to.ID, pushAssigned, "")
	}
	if _, err := c.s.store.Transfer(c.ctx, r); err != nil {
		c.refuseRoute(err, id)
	}
}

// routable is an open conversation this connection may see, and its site.
func (c *conn) routable(id uint64) (parley.Conversation, parley.Site, error) {
	conv, err := c.conversation(id)
	if err != nil {
		return conv, parley.Site{}, err
	}
	if c.scoped {
		if _, ok := c.follows[id]; !ok {
			return conv, parley.Site{}, errNoConversation
		}
	}
	if !conv.IsOpen() {
		return conv, parley.Site{}, parley.Errorf(parley.EConflict, "The conversation is resolved.")
	}
	site, err := c.s.store.Site(conv.Site)
	return conv, site, err
}

// inTeam says whether this agent takes the chats of site's team: a
// member of it (of the site, for the implicit team), or an owner or
// admin of the site.
func (c *conn) inTeam(site parley.Site, team string) bool {
	role := c.sites[site.ID]
	if parley.CanManageSite(role) {
		return true
	}
	if t, ok := site.Routing.Team(team); ok && team != "" {
		return t.HasMember(c.agent.ID)
	}
	return role != ""
}

func (c *conn) refuseRoute(err error, id string) {
	if c.ctx.Err() != nil {
		return
	}
	if parley.ErrorCode(err) == parley.ENotFound {
		err = errNoConversation
	}
	c.refuse(err, id)
}

// requestID is f.ID if it may be echoed.
func requestID(id string) string {
	if len(id) > parley.ClientIDMaxLen || parley.CheckClientID(id) != nil {
		return ""
	}
	return id
}
