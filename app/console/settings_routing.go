package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// TeamCandidates are the agents a team may hold: the site's members, and
// anyone a team holds already whom the list lacks (named by id), so that
// no member leaves a team unseen.
func TeamCandidates(members []SiteMember, teams []TeamForm) []SiteMember {
	out := append([]SiteMember(nil), members...)
	seen := make(map[uint64]bool, len(members))
	for _, m := range members {
		seen[m.ID] = true
	}
	for _, t := range teams {
		for _, id := range t.Members {
			if !seen[id] {
				seen[id] = true
				out = append(out, SiteMember{ID: id, Name: "Agent " + strconv.FormatUint(id, 10)})
			}
		}
	}
	return out
}

// fieldModes are the choices of a pre-chat field.
var fieldModes = []struct{ value, label string }{
	{parley.FieldOff, "Off"},
	{parley.FieldOptional, "Optional"},
	{parley.FieldRequired, "Required"},
}

// renderRouting is the "Teams & routing" section of the site form.
func (s *Settings) renderRouting(ro bool) app.UI {
	f := &s.form.Routing
	candidates := TeamCandidates(s.members, f.Teams)
	var note app.UI = app.Span().Class("members-note-none")
	if s.membersNote != "" && !ro {
		note = app.P().Class("hint").Role("status").Text(s.membersNote)
	}
	var addTeam, addTopic app.UI = app.Span().Class("add-none"), app.Span().Class("add-none")
	if !ro {
		addTeam = app.Button().ID("add-team").Class("button button-small").Type("button").
			Disabled(len(f.Teams) >= parley.MaxTeams).
			OnClick(s.edit(func() { s.form.Routing.AddTeam() })).Text("Add team")
		addTopic = app.Button().ID("add-topic").Class("button button-small").Type("button").
			Disabled(len(f.Teams) == 0 || len(f.Topics) >= parley.MaxTopics).
			OnClick(s.edit(func() { s.form.Routing.AddTopic() })).Text("Add topic")
	}

	teams := app.Div().Class("routing-teams").Body(
		app.Range(f.Teams).Slice(func(i int) app.UI {
			t := f.Teams[i]
			id := "team-name-" + strconv.Itoa(i)
			var remove app.UI = app.Span().Class("remove-none")
			if !ro {
				remove = app.Button().Class("button button-quiet button-small").Type("button").
					Aria("label", "Remove team "+t.Name).
					OnClick(s.edit(func() { s.form.Routing.RemoveTeam(i) })).Text("Remove")
			}
			return app.Div().Class("routing-team").Role("group").Aria("label", "Team "+strconv.Itoa(i+1)).DataSet("team", t.Key).Body(
				field(id, "Name", app.Input().ID(id).Type("text").Value(t.Name).ReadOnly(ro).
					MaxLength(60).Placeholder("Orders").
					OnInput(s.set(func(v string) { s.form.Routing.Teams[i].Name = v }))),
				app.Div().Class("team-members").Role("group").Aria("label", "Members").Body(
					app.Range(candidates).Slice(func(j int) app.UI {
						m := candidates[j]
						return app.Label().Class("check").Body(
							app.Input().Type("checkbox").Checked(containsID(t.Members, m.ID)).Disabled(ro).
								DataSet("agent", m.ID).
								OnChange(func(ctx app.Context, e app.Event) {
									on := ctx.JSSrc().Get("checked").Truthy()
									s.form.Routing.ToggleMember(i, m.ID, on)
									s.touched()
								}),
							app.Span().Text(m.Name),
						)
					}),
				),
				remove,
			)
		}),
	)

	teamOptions := func(selected string, none string) app.UI {
		opts := append([]TeamForm{{Key: "", Name: none}}, f.Teams...)
		return app.Range(opts).Slice(func(i int) app.UI {
			t := opts[i]
			name := t.Name
			if name == "" && t.Key != "" {
				name = "(unnamed team)"
			}
			return app.Option().Value(t.Key).Selected(t.Key == selected).Text(name)
		})
	}

	topics := app.Div().Class("routing-topics").Body(
		app.Range(f.Topics).Slice(func(i int) app.UI {
			t := f.Topics[i]
			nameID, teamID := "topic-name-"+strconv.Itoa(i), "topic-team-"+strconv.Itoa(i)
			var remove app.UI = app.Span().Class("remove-none")
			if !ro {
				remove = app.Button().Class("button button-quiet button-small").Type("button").
					Aria("label", "Remove topic "+t.Name).
					OnClick(s.edit(func() { s.form.Routing.RemoveTopic(i) })).Text("Remove")
			}
			return app.Div().Class("routing-topic").Body(
				field(nameID, "Topic", app.Input().ID(nameID).Type("text").Value(t.Name).ReadOnly(ro).
					MaxLength(60).Placeholder("Returns").
					OnInput(s.set(func(v string) { s.form.Routing.Topics[i].Name = v }))),
				field(teamID, "Goes to", app.Select().ID(teamID).Disabled(ro).
					OnChange(s.set(func(v string) { s.form.Routing.Topics[i].Team = v })).
					Body(teamOptions(t.Team, "The default team"))),
				remove,
			)
		}),
	)

	modeSelect := func(id, label, value string, store func(string)) app.UI {
		return field(id, label, app.Select().ID(id).Disabled(ro || !f.PreChat).OnChange(s.set(store)).Body(
			app.Range(fieldModes).Slice(func(i int) app.UI {
				m := fieldModes[i]
				return app.Option().Value(m.value).Selected(m.value == value).Text(m.label)
			}),
		))
	}

	return app.Section().ID("routing").Class("routing").Body(
		app.H3().Text("Teams & routing"),
		app.P().Class("hint").Text("Teams answer one kind of question each; a site without teams sends every chat to all its members."),
		note,
		teams,
		addTeam,
		field("default-team", "Chats without a topic go to", app.Select().ID("default-team").Disabled(ro || len(f.Teams) == 0).
			OnChange(s.set(func(v string) { s.form.Routing.DefaultTeam = v })).
			Body(teamOptions(f.DefaultTeam, "The first team"))),
		app.H3().Text("Topics"),
		topics,
		addTopic,
		app.H3().Text("Pre-chat form"),
		app.Label().Class("check").Body(
			app.Input().ID("prechat").Type("checkbox").Checked(f.PreChat).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					s.form.Routing.PreChat = ctx.JSSrc().Get("checked").Truthy()
					s.touched()
				}),
			app.Span().Text("Ask visitors a few questions with their first message"),
		),
		modeSelect("prechat-topic", "Topic", f.TopicField, func(v string) { s.form.Routing.TopicField = v }),
		modeSelect("prechat-name", "Name", f.NameField, func(v string) { s.form.Routing.NameField = v }),
		modeSelect("prechat-email", "Email", f.EmailField, func(v string) { s.form.Routing.EmailField = v }),
		field("requeue", "Seconds an offline agent's chats wait before they go back to the queue (empty: "+
			strconv.Itoa(parley.DefaultRequeueSeconds)+")",
			app.Input().ID("requeue").Type("number").Min(parley.MinRequeueSeconds).Max(parley.MaxRequeueSeconds).Step(1).
				Value(f.RequeueSeconds).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.Routing.RequeueSeconds = v }))),
	)
}

// edit returns a click handler making a change to the form.
func (s *Settings) edit(change func()) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		change()
		s.touched()
	}
}

// touched clears the result of the last save: the form changed since.
func (s *Settings) touched() {
	if s.save != loading {
		s.save, s.saveMsg = idle, ""
	}
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
