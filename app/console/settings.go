package console

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// status is where a load or save stands.
type status int

const (
	idle status = iota
	loading
	failed
	done
)

// Settings shows the snippet of each site the agent works on and, to its
// owners and admins, its settings. It loads the sites itself when mounted.
type Settings struct {
	app.Compo

	API *API
	// Colleagues are the agents the console knows: the members offered
	// for a team when the site's member list cannot be read.
	Colleagues []parley.Agent
	// CanCreateSites shows the New site form: the agent is an install admin.
	CanCreateSites bool
	// OnCannedSaved is told when a site's canned replies changed.
	OnCannedSaved func(ctx app.Context, site string)

	load    status
	loadErr string
	sites   []SiteInfo
	current int
	form    SiteForm
	save    status
	saveMsg string
	copied  bool
	// members are the site's members, offered for its teams; membersNote
	// says when they are the fallback.
	members     []SiteMember
	membersFor  string
	membersNote string
	// zone is the browser's time zone, to start business hours from.
	zone string
	// cannedVersion counts the saves of canned replies on the page.
	cannedVersion int
}

// OnMount loads the sites.
func (s *Settings) OnMount(ctx app.Context) {
	s.zone = browserZone()
	s.reload(ctx)
}

func (s *Settings) reload(ctx app.Context) {
	if s.API == nil {
		return
	}
	s.load, s.loadErr = loading, ""
	api := s.API
	ctx.Async(func() {
		sites, err := api.Sites(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				s.load, s.loadErr = failed, parley.ErrorMessage(err)
				return
			}
			s.load, s.sites = done, sites
			s.pick(ctx, min(s.current, max(len(sites)-1, 0)))
		})
	})
}

func (s *Settings) pick(ctx app.Context, i int) {
	s.current, s.save, s.saveMsg, s.copied = i, idle, "", false
	if i < len(s.sites) {
		s.form = NewSiteForm(s.sites[i].Site, s.zone)
		if s.sites[i].CanManage() {
			s.loadMembers(ctx, s.sites[i].ID)
		}
	}
}

// loadMembers reads the members of site for its teams; when that fails
// (an older server), the colleagues the console knows stand in.
func (s *Settings) loadMembers(ctx app.Context, site string) {
	if s.API == nil || s.membersFor == site {
		return
	}
	s.membersFor, s.members, s.membersNote = site, nil, ""
	api := s.API
	ctx.Async(func() {
		members, err := api.Members(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if s.membersFor != site {
				return
			}
			if err != nil {
				s.members = nil
				for _, a := range s.Colleagues {
					s.members = append(s.members, SiteMember{ID: a.ID, Name: a.Name})
				}
				s.membersNote = "Could not read the site's members (" + parley.ErrorMessage(err) + "): showing every colleague you work with."
				return
			}
			s.members = members
		})
	})
}

// Render implements app.Composer.
func (s *Settings) Render() app.UI {
	var body app.UI
	switch {
	case s.load == failed:
		body = app.Div().Class("settings-error").Role("alert").Body(
			app.P().Text(s.loadErr),
			app.Button().Class("button").Type("button").OnClick(func(ctx app.Context, e app.Event) { s.reload(ctx) }).Text("Try again"),
		)
	case s.load != done:
		body = app.P().Class("settings-loading").Text("Loading sites…")
	case len(s.sites) == 0:
		body = app.P().Class("settings-empty").Text("There are no sites yet.")
	default:
		body = app.Div().Class("settings-site").Body(
			s.renderTabs(),
			s.renderSnippet(s.sites[s.current]),
			s.renderIdentity(),
			s.renderForm(),
			s.renderCanned(),
		)
	}
	var newSite app.UI = app.Span().Class("new-site-none")
	if s.CanCreateSites {
		newSite = &NewSite{API: s.API, OnCreated: func(ctx app.Context, _ SiteInfo) { s.reload(ctx) }}
	}
	return app.Div().Class("settings").Body(
		app.H2().Class("settings-title").Text("Settings"),
		body,
		newSite,
		&PushForm{API: s.API},
		&PasswordForm{API: s.API},
	)
}

// renderCanned is the agent's own canned replies, for every member, then
// the site's, for those who manage them.
func (s *Settings) renderCanned() app.UI {
	site := s.sites[s.current]
	onSaved := func(ctx app.Context, id string) {
		s.cannedVersion++ // the other list reads its replies again
		if s.OnCannedSaved != nil {
			s.OnCannedSaved(ctx, id)
		}
	}
	mine := &CannedSettings{API: s.API, Site: site.ID, Mine: true, Version: s.cannedVersion, OnSaved: onSaved}
	if !site.CanManage() {
		return app.Div().Class("canned-sections").Body(mine, app.Span().Class("canned-none"), app.Span().Class("faq-none"))
	}
	return app.Div().Class("canned-sections").Body(mine,
		&CannedSettings{API: s.API, Site: site.ID, Teams: site.Routing.Teams, Members: s.members, Version: s.cannedVersion, OnSaved: onSaved},
		&FAQSettings{API: s.API, Site: site.ID})
}

func (s *Settings) renderTabs() app.UI {
	if len(s.sites) < 2 {
		return app.Span().Class("site-tabs-none")
	}
	return app.Div().Class("site-tabs").Role("tablist").Body(
		app.Range(s.sites).Slice(func(i int) app.UI {
			name := s.sites[i].Name
			if name == "" {
				name = s.sites[i].ID
			}
			class := "site-tab"
			if i == s.current {
				class += " selected"
			}
			return app.Button().Class(class).Type("button").Role("tab").Aria("selected", i == s.current).
				OnClick(func(ctx app.Context, e app.Event) { s.pick(ctx, i) }).Text(name)
		}),
	)
}

func (s *Settings) renderSnippet(site SiteInfo) app.UI {
	label := "Copy"
	if s.copied {
		label = "Copied"
	}
	snippet := site.Snippet
	return app.Section().Class("card snippet-card").Body(
		app.H3().Text("Add the chat to your shop"),
		app.P().Class("hint").Text("Paste this tag into every page of the shop, just before </body>."),
		app.Textarea().ID("snippet").Class("snippet").ReadOnly(true).Rows(3).Spellcheck(false).
			Aria("label", "Embed snippet").Text(snippet),
		app.Button().ID("copy-snippet").Class("button").Type("button").
			OnClick(func(ctx app.Context, e app.Event) { s.copy(ctx, snippet) }).Text(label),
	)
}

// renderIdentity is the identity secret, to the site's owners and admins.
func (s *Settings) renderIdentity() app.UI {
	if !s.canManage() {
		return app.Span().Class("identity-card-none")
	}
	return &IdentityCard{API: s.API, Site: s.sites[s.current].ID}
}

func (s *Settings) renderForm() app.UI {
	f := s.form
	ro := !s.canManage()
	var note app.UI = app.Span().Class("settings-note-none")
	if ro {
		note = app.P().Class("hint").Text("Only the site's owners and admins can change these settings.")
	}
	var result app.UI = app.Span().Class("save-none")
	switch s.save {
	case done:
		result = app.P().Class("save-ok").Role("status").Text(s.saveMsg)
	case failed:
		result = app.P().Class("save-error").Role("alert").Text(s.saveMsg)
	}
	saveLabel := "Save"
	if s.save == loading {
		saveLabel = "Saving…"
	}
	color := f.Color
	if !validColor(color) {
		color = "#3b5bdb"
	}

	return app.Form().ID("site-form").Class("card site-form").OnSubmit(s.onSave).Body(
		app.H3().Text("Widget"),
		note,
		field("site-name", "Name", app.Input().ID("site-name").Type("text").Value(f.Name).ReadOnly(ro).
			OnInput(s.set(func(v string) { s.form.Name = v }))),
		field("site-title", "Title shown in the chat header", app.Input().ID("site-title").Type("text").Value(f.Title).
			ReadOnly(ro).OnInput(s.set(func(v string) { s.form.Title = v }))),
		field("site-welcome", "Welcome text", app.Textarea().ID("site-welcome").Rows(2).Text(f.Welcome).
			ReadOnly(ro).OnInput(s.set(func(v string) { s.form.Welcome = v }))),
		hintedField("site-away", "Away message", "Shown when you are closed or nobody is online.",
			app.Textarea().ID("site-away").Rows(2).Text(f.Away).
				ReadOnly(ro).OnInput(s.set(func(v string) { s.form.Away = v }))),
		hintedField("site-busy", "Busy message", "Shown when the wait is longer than the busy threshold.",
			app.Textarea().ID("site-busy").Rows(2).Text(f.Busy).
				ReadOnly(ro).OnInput(s.set(func(v string) { s.form.Busy = v }))),
		field("site-color", "Colour", app.Div().Class("color-field").Body(
			app.Input().ID("site-color").Type("color").Value(color).Disabled(ro).
				OnInput(s.set(func(v string) { s.form.Color = v })),
			app.Code().Class("color-value").Text(f.Color),
		)),
		s.renderLook(ro),
		field("site-origins", "Allowed origins (one per line, like https://shop.example or *.example.com)",
			app.Textarea().ID("site-origins").Rows(4).Spellcheck(false).Text(f.AllowedOrigins).
				ReadOnly(ro).OnInput(s.set(func(v string) { s.form.AllowedOrigins = v }))),

		app.H3().Text("Proactive greeting"),
		app.Label().Class("check").Body(
			app.Input().ID("site-proactive").Type("checkbox").Checked(f.Proactive).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					s.form.Proactive = ctx.JSSrc().Get("checked").Truthy()
				}),
			app.Span().Text("Open the chat with a greeting"),
		),
		field("site-delay", "After this many seconds on the page", app.Input().ID("site-delay").Type("number").
			Min(0).Step(1).Value(f.DelaySeconds).ReadOnly(ro).
			OnInput(s.set(func(v string) { s.form.DelaySeconds = v }))),
		field("site-pattern", "On pages matching (like /products/*; empty for every page)",
			app.Input().ID("site-pattern").Type("text").Value(f.PagePattern).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.PagePattern = v }))),
		field("site-greeting", "Greeting", app.Textarea().ID("site-greeting").Rows(2).Text(f.Greeting).
			ReadOnly(ro).OnInput(s.set(func(v string) { s.form.Greeting = v }))),
		s.renderTranslations(ro),

		app.H3().Text("Messages"),
		field("site-edit-minutes", fmt.Sprintf("Visitors and agents may edit or delete a message for this many minutes (empty: %d; 0: never)", parley.DefaultEditMinutes),
			app.Input().ID("site-edit-minutes").Type("number").Min(0).Max(parley.MaxEditMinutes).Step(1).Value(f.EditMinutes).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.EditMinutes = v }))),
		app.Label().Class("check").Body(
			app.Input().ID("site-typing-preview").Type("checkbox").Checked(f.TypingPreview).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					s.form.TypingPreview = ctx.JSSrc().Get("checked").Truthy()
				}),
			app.Span().Text("Show agents what visitors type before they send it (the chat tells visitors)"),
		),
		s.renderFiles(ro),
		s.renderRatings(ro),
		s.renderAnnouncements(ro),
		s.renderContact(ro),

		s.renderRouting(ro),
		s.renderHours(ro, s.sites[s.current]),

		result,
		app.Button().ID("save-site").Class("button button-primary").Type("submit").
			Disabled(ro || s.save == loading).Text(saveLabel),
	)
}

// field is a labelled form row.
func field(id, label string, input app.UI) app.UI {
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(label),
		input,
	)
}

// hintedField is a labelled form row with a one-line hint under the
// input, tied to it for screen readers.
func hintedField(id, label, hint string, input app.HTMLTextarea) app.UI {
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(label),
		input.Aria("describedby", id+"-hint"),
		app.P().ID(id+"-hint").Class("hint").Text(hint),
	)
}

// set returns an input handler storing the element's value. The re-render
// writes the same value back, which leaves the caret where it is.
func (s *Settings) set(store func(string)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		store(ctx.JSSrc().Get("value").String())
		if s.save != loading {
			s.save, s.saveMsg = idle, ""
		}
	}
}

func (s *Settings) onSave(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if !s.canManage() || s.API == nil || s.save == loading {
		return
	}
	site, err := s.form.Site(s.sites[s.current].Site)
	if err != nil {
		s.save, s.saveMsg = failed, parley.ErrorMessage(err)
		return
	}
	s.save, s.saveMsg = loading, ""
	api, i := s.API, s.current
	ctx.Async(func() {
		saved, err := api.UpdateSite(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				s.save, s.saveMsg = failed, parley.ErrorMessage(err)
				return
			}
			if i < len(s.sites) {
				if saved.ID != "" {
					if saved.Snippet == "" {
						saved.Snippet = s.sites[i].Snippet
					}
					s.sites[i] = saved
				} else {
					s.sites[i].Site = site
				}
				if i == s.current {
					s.form = NewSiteForm(s.sites[i].Site, s.zone)
				}
			}
			s.save, s.saveMsg = done, "Saved."
		})
	})
}

// copy puts the snippet on the clipboard.
func (s *Settings) copy(ctx app.Context, text string) {
	copyText(ctx, text, "snippet", func() { s.copied = true })
}

func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	return strings.Trim(strings.ToLower(s[1:]), "0123456789abcdef") == ""
}

// canManage says whether the agent may change the site on screen.
func (s *Settings) canManage() bool {
	return s.current < len(s.sites) && s.sites[s.current].CanManage()
}
