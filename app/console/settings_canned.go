package console

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// CannedSettings lists a site's canned replies to its owners and admins:
// add one (shortcut, text, for whom), remove one with ×. Each change saves
// the whole list at once (PUT /api/sites/{id}/canned).
type CannedSettings struct {
	app.Compo

	API     *API
	Site    string
	Teams   []parley.Team
	Members []SiteMember
	// OnSaved is told when the site's canned replies changed.
	OnSaved func(ctx app.Context, site string)

	loadedFor string
	list      []parley.CannedReply
	state     status
	msg       string
	shortcut  string
	text      string
	scope     string // "", "team:ID" or "agent:ID"
}

// OnMount loads the site's canned replies.
func (c *CannedSettings) OnMount(ctx app.Context) { c.load(ctx) }

// OnUpdate loads them again when another site is shown.
func (c *CannedSettings) OnUpdate(ctx app.Context) { c.load(ctx) }

func (c *CannedSettings) load(ctx app.Context) {
	if c.API == nil || c.Site == c.loadedFor {
		return
	}
	site, api := c.Site, c.API
	c.loadedFor, c.list, c.state, c.msg = site, nil, loading, ""
	ctx.Async(func() {
		list, err := api.Canned(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.state, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.state, c.list = done, list
		})
	})
}

// save puts list and shows the outcome; the form clears on success.
func (c *CannedSettings) save(ctx app.Context, list []parley.CannedReply, ok string) {
	site, api := c.Site, c.API
	c.state, c.msg = loading, ""
	ctx.Async(func() {
		saved, err := api.PutCanned(ctx, site, list)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.state, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.state, c.msg, c.list = done, ok, saved
			c.shortcut, c.text = "", ""
			if c.OnSaved != nil {
				c.OnSaved(ctx, site)
			}
		})
	})
}

// CannedScope parses the "for whom" choice of the form: "" (everyone),
// "team:ID" or "agent:ID".
func CannedScope(r parley.CannedReply, scope string) parley.CannedReply {
	switch {
	case strings.HasPrefix(scope, "team:"):
		r.Team = strings.TrimPrefix(scope, "team:")
	case strings.HasPrefix(scope, "agent:"):
		r.Agent, _ = strconv.ParseUint(strings.TrimPrefix(scope, "agent:"), 10, 64)
	}
	return r
}

func (c *CannedSettings) scopeLabel(r parley.CannedReply) string {
	switch {
	case r.Team != "":
		for _, t := range c.Teams {
			if t.ID == r.Team {
				return "Team " + t.Name
			}
		}
		return "Team " + r.Team
	case r.Agent != 0:
		for _, m := range c.Members {
			if m.ID == r.Agent {
				return "Only " + m.Name
			}
		}
		return "Only agent " + strconv.FormatUint(r.Agent, 10)
	}
	return "Everyone"
}

// Render implements app.Composer.
func (c *CannedSettings) Render() app.UI {
	var msg app.UI = app.Span().Class("save-none")
	switch {
	case c.state == failed:
		msg = app.P().ID("canned-error").Class("save-error").Role("alert").Text(c.msg)
	case c.state == done && c.msg != "":
		msg = app.P().Class("save-ok").Role("status").Text(c.msg)
	}
	var rows app.UI = app.P().Class("hint canned-empty").Text("No canned replies yet.")
	if len(c.list) > 0 {
		rows = app.Ul().ID("canned-list").Class("canned-list").Body(
			app.Range(c.list).Slice(func(i int) app.UI {
				r := c.list[i]
				return app.Li().Class("canned-row").DataSet("shortcut", r.Shortcut).Body(
					app.Code().Class("canned-shortcut").Text("/"+r.Shortcut),
					app.Span().Class("canned-scope").Text(c.scopeLabel(r)),
					app.Span().Class("canned-text").Text(parley.Truncate(r.Text, 120)),
					app.Button().Class("button button-quiet canned-remove").Type("button").
						Aria("label", "Remove /"+r.Shortcut).Disabled(c.state == loading).
						OnClick(func(ctx app.Context, e app.Event) {
							list := append(append([]parley.CannedReply{}, c.list[:i]...), c.list[i+1:]...)
							c.save(ctx, list, "Removed /"+r.Shortcut+".")
						}).Text("×"),
				)
			}),
		)
	}
	return app.Section().ID("canned").Class("card canned-card").Body(
		app.H3().Text("Canned replies"),
		app.P().Class("hint").Text("Agents type /shortcut in a reply to insert one. The text may use {{contact.name}}, {{agent.name}} and {{site.name}}."),
		rows,
		app.Form().ID("canned-form").Class("canned-form").OnSubmit(c.onAdd).Body(
			field("canned-shortcut", "Shortcut", app.Input().ID("canned-shortcut").Type("text").
				MaxLength(parley.MaxShortcut).Placeholder("thanks").Value(c.shortcut).
				OnInput(func(ctx app.Context, e app.Event) { c.shortcut = ctx.JSSrc().Get("value").String() })),
			field("canned-text", "Text", app.Textarea().ID("canned-text").Rows(3).Text(c.text).
				Placeholder("Thanks {{contact.name}}, have a nice day!").
				OnInput(func(ctx app.Context, e app.Event) { c.text = ctx.JSSrc().Get("value").String() })),
			field("canned-scope", "For", app.Select().ID("canned-scope").
				OnChange(func(ctx app.Context, e app.Event) { c.scope = ctx.JSSrc().Get("value").String() }).Body(
				app.Option().Value("").Selected(c.scope == "").Text("Everyone on the site"),
				app.Range(c.Teams).Slice(func(i int) app.UI {
					v := "team:" + c.Teams[i].ID
					return app.Option().Value(v).Selected(c.scope == v).Text("Team " + c.Teams[i].Name)
				}),
				app.Range(c.Members).Slice(func(i int) app.UI {
					v := "agent:" + strconv.FormatUint(c.Members[i].ID, 10)
					return app.Option().Value(v).Selected(c.scope == v).Text("Only " + c.Members[i].Name)
				}),
			)),
			msg,
			app.Button().ID("canned-add").Class("button").Type("submit").Disabled(c.state == loading).Text("Add"),
		),
	)
}

func (c *CannedSettings) onAdd(ctx app.Context, e app.Event) {
	e.PreventDefault()
	r := CannedScope(parley.CannedReply{Shortcut: c.shortcut, Text: c.text}, c.scope)
	list := append(append([]parley.CannedReply{}, c.list...), r)
	// Checked here for a quick answer; the server checks again.
	if _, err := parley.CheckCannedReplies(list, nil, nil); err != nil {
		c.state, c.msg = failed, parley.ErrorMessage(err)
		return
	}
	c.save(ctx, list, "Added.")
}
