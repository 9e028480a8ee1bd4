package console

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// ConvMeta is what a conversation's header says about where it stands:
// the names of its site, topic and team ("" when there is nothing to say).
type ConvMeta struct {
	Site, Topic, Team string
}

// MetaOf names c's site, topic and team from the site's settings; without
// them (not loaded yet, or a site the agent left) it falls back to ids.
func MetaOf(c parley.Conversation, site SiteInfo, known bool) ConvMeta {
	m := ConvMeta{Site: c.Site, Topic: c.Topic, Team: c.Team}
	if !known {
		return m
	}
	if site.Name != "" {
		m.Site = site.Name
	}
	if t, ok := site.Routing.Topic(c.Topic); ok && t.Name != "" {
		m.Topic = t.Name
	}
	if t, ok := site.Routing.Team(c.Team); ok {
		m.Team = t.Name // "" for the implicit team of a site without teams
	}
	return m
}

// WaitingTime is how long a queued conversation has waited at now, as
// "45 s", "3 min", "1 h 5 min" or "2 d"; "" when it is not queued.
func WaitingTime(c parley.Conversation, now time.Time) string {
	if c.Status != parley.StatusQueued {
		return ""
	}
	since := c.Queued
	if since.IsZero() {
		since = c.Created
	}
	if since.IsZero() {
		return ""
	}
	return Duration(now.Sub(since))
}

// Duration words a wait, rounded down.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + " h"
		}
		return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	}
}

// StatusText is a conversation's status as the header shows it.
func StatusText(c parley.Conversation, now time.Time) string {
	switch c.Status {
	case parley.StatusQueued:
		if w := WaitingTime(c, now); w != "" {
			return "Queued · waiting " + w
		}
		return "Queued"
	case parley.StatusResolved:
		return "Resolved"
	case parley.StatusOpen:
		return "Open"
	}
	return ""
}

// Avatar is a round badge with a name's initials.
func Avatar(name, class string) app.UI {
	initials := parley.Initials(name)
	if initials == "" {
		initials = "?"
	}
	return app.Span().Class("avatar "+class).Title(name).Aria("hidden", true).Text(initials)
}

// TransferTargets are the colleagues a conversation may be handed to: the
// online ones other than me, members of team when one is chosen (and the
// site has it), in the order given.
func TransferTargets(colleagues []parley.Agent, r parley.Routing, team string, me uint64) []parley.Agent {
	var members *parley.Team
	if t, ok := r.Team(team); ok && team != "" {
		members = &t
	}
	var out []parley.Agent
	for _, a := range colleagues {
		if a.ID == me || a.Status != parley.StatusOnline {
			continue
		}
		if members != nil && !members.HasMember(a.ID) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// TransferFrame is the transfer of conv to team, to agent, or to agent
// within team, with the internal reason. It refuses a transfer to nobody
// and a reason over parley.MaxTransferReason characters.
func TransferFrame(conv uint64, team string, agent uint64, reason string) (parley.Frame, error) {
	reason = strings.TrimSpace(reason)
	if team == "" && agent == 0 {
		return parley.Frame{}, parley.Errorf(parley.EInvalid, "Choose a team or a colleague to transfer to.")
	}
	if n := utf8.RuneCountInString(reason); n > parley.MaxTransferReason {
		return parley.Frame{}, parley.Errorf(parley.ETooLarge, "The reason is %d characters long; the limit is %d.", n, parley.MaxTransferReason)
	}
	return parley.Frame{Type: parley.TypeTransfer, Conv: conv, Team: team, AgentID: agent, Text: reason}, nil
}
