package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// TeamList renders the agents of this agent's sites: a status dot, the
// name and the capacity of each.
type TeamList struct {
	app.Compo

	Agents []parley.Agent
	Me     uint64
}

// Render implements app.Composer.
func (l *TeamList) Render() app.UI {
	if len(l.Agents) == 0 {
		return app.Span().Class("team-none")
	}
	return app.Section().ID("team").Class("team").Body(
		app.H2().Class("team-title").Text("Team"),
		app.Ul().Class("team-list").Body(
			app.Range(l.Agents).Slice(func(i int) app.UI {
				a := l.Agents[i]
				name := a.Name
				if a.ID == l.Me {
					name += " (you)"
				}
				return app.Li().Class("team-member").DataSet("agent", a.ID).Body(
					app.Span().Class("presence-dot presence-"+statusClass(a.Status)).Title(StatusLabel(a.Status)),
					app.Span().Class("team-name").Text(name),
					app.Span().Class("team-status").Text(StatusLabel(a.Status)),
					app.Span().Class("team-capacity").Title("Chats at once").Text(CapacityLabel(a.Capacity)),
				)
			}),
		),
	)
}

// StatusLabel is a presence status as people read it.
func StatusLabel(status string) string {
	switch status {
	case parley.StatusOnline:
		return "Online"
	case parley.StatusAway:
		return "Away"
	default:
		return "Offline"
	}
}

// statusClass keeps a class name to the known statuses.
func statusClass(status string) string {
	switch status {
	case parley.StatusOnline, parley.StatusAway:
		return status
	default:
		return parley.StatusOffline
	}
}

// CapacityLabel is a capacity as people read it.
func CapacityLabel(n int) string {
	if n == 1 {
		return "1 chat"
	}
	return strconv.Itoa(n) + " chats"
}
