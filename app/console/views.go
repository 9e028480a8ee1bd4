package console

import (
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// InboxViews are the inbox views in the switcher's order.
var InboxViews = []string{parley.ViewQueue, parley.ViewMine, parley.ViewTeam, parley.ViewOpen, parley.ViewResolved}

// ViewLabel is a view's name in the switcher.
func ViewLabel(view string) string {
	switch view {
	case parley.ViewQueue:
		return "Queue"
	case parley.ViewMine:
		return "Mine"
	case parley.ViewTeam:
		return "Team"
	case parley.ViewResolved:
		return "Resolved"
	default:
		return "All open"
	}
}

// ViewCount is a view's live count; ok is false for a view without one
// (resolved).
func ViewCount(c parley.Counts, view string) (n int, ok bool) {
	switch view {
	case parley.ViewQueue:
		return c.Queue, true
	case parley.ViewMine:
		return c.Mine, true
	case parley.ViewTeam:
		return c.Team, true
	case parley.ViewResolved:
		return 0, false
	default:
		return c.Open, true
	}
}

// TeamKey names a team: team ids are a site's own. The team "" is the
// implicit team of all members of a site without teams.
type TeamKey struct {
	Site, Team string
}

// Scope is what decides which conversations belong in this agent's views:
// who it is, which teams it is in, which sites it manages (their owners
// and admins see every team's queue).
type Scope struct {
	Me uint64
	// Teams are the agent's teams; nil while the sites are not known,
	// when every team counts as the agent's (the server's pages decide).
	Teams   map[TeamKey]bool
	Manages map[string]bool
}

// NewScope works out an agent's scope from the sites it is a member of.
func NewScope(me uint64, sites []SiteInfo) Scope {
	s := Scope{Me: me, Teams: make(map[TeamKey]bool), Manages: make(map[string]bool)}
	for _, site := range sites {
		if site.CanManage() {
			s.Manages[site.ID] = true
		}
		if len(site.Routing.Teams) == 0 {
			s.Teams[TeamKey{Site: site.ID}] = true
			continue
		}
		for _, t := range site.Routing.Teams {
			if t.HasMember(me) {
				s.Teams[TeamKey{Site: site.ID, Team: t.ID}] = true
			}
		}
	}
	return s
}

// InTeam says whether c is with one of the agent's teams.
func (s Scope) InTeam(c parley.Conversation) bool {
	return s.Teams == nil || s.Teams[TeamKey{Site: c.Site, Team: c.Team}]
}

// FitsView says whether conversation c belongs in view for the agent of
// scope s, as the server's pages of GET /api/conversations?view= decide:
//
//   - queue: queued, in one of the agent's teams (any team of a site it manages);
//   - mine: open and assigned to the agent;
//   - team: open or queued, in one of the agent's teams;
//   - open (and ""): open or queued;
//   - resolved: resolved.
//
// Live frames use it to move a conversation into or out of the view on
// screen: a claim takes it out of Queue and into Mine.
func FitsView(c parley.Conversation, view string, s Scope) bool {
	switch view {
	case parley.ViewQueue:
		return c.Status == parley.StatusQueued && (s.InTeam(c) || s.Manages[c.Site])
	case parley.ViewMine:
		return c.Status == parley.StatusOpen && c.Assignee != 0 && c.Assignee == s.Me
	case parley.ViewTeam:
		return c.IsOpen() && s.InTeam(c)
	case parley.ViewResolved:
		return c.Status == parley.StatusResolved
	case parley.ViewOpen, "":
		return c.IsOpen()
	}
	return false
}

// EmptyText is what an empty view says.
func EmptyText(view string) string {
	switch view {
	case parley.ViewQueue:
		return "Nobody is waiting. New chats for your teams queue here."
	case parley.ViewMine:
		return "No conversations assigned to you. Claim one from the queue."
	case parley.ViewTeam:
		return "No open conversations in your teams."
	case parley.ViewResolved:
		return "No resolved conversations yet."
	default:
		return "No open conversations. New chats appear here."
	}
}

// countText is a view's count as the list's heading shows it.
func countText(view string, n int) string {
	switch view {
	case parley.ViewQueue:
		return strconv.Itoa(n) + " waiting"
	case parley.ViewMine, parley.ViewTeam:
		return strconv.Itoa(n) + " open"
	}
	return openCount(n)
}
