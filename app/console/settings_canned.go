package console

import (
	"context"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// CannedSettings lists canned replies: a site's, to its owners and
// admins, or, with Mine, the agent's own private ones, to every member.
// Add one (shortcut, text, an optional product card and quick replies,
// for whom), remove one with ×. Each change saves the whole list at once
// (PUT /api/sites/{id}/canned, or …/canned/mine).
type CannedSettings struct {
	app.Compo

	API     *API
	Site    string
	Teams   []parley.Team
	Members []SiteMember
	// Mine: the agent's own replies, "My replies".
	Mine bool
	// Version changes when canned replies were saved elsewhere on the
	// page: the list is read again.
	Version int
	// OnSaved is told when the site's canned replies changed.
	OnSaved func(ctx app.Context, site string)

	loadedFor string
	list      []parley.CannedReply
	state     status
	msg       string
	shortcut  string
	text      string
	scope     string // "", "team:ID" or "agent:ID"
	// The optional product card and quick replies (comma-separated).
	cardTitle, cardPrice, cardURL, cardImage, replies string
}

// OnMount loads the site's canned replies.
func (c *CannedSettings) OnMount(ctx app.Context) { c.load(ctx) }

// OnUpdate loads them again when another site is shown.
func (c *CannedSettings) OnUpdate(ctx app.Context) { c.load(ctx) }

// loadKey is what the list on screen was read for.
func (c *CannedSettings) loadKey() string { return c.Site + "\x00" + strconv.Itoa(c.Version) }

// id is an element's id: the "My replies" section's are apart from the
// site's, both on an owner's page.
func (c *CannedSettings) id(s string) string {
	if c.Mine {
		return "my-" + s
	}
	return s
}

func (c *CannedSettings) get(ctx context.Context, site string) ([]parley.CannedReply, error) {
	if c.Mine {
		return c.API.OwnCanned(ctx, site)
	}
	return c.API.Canned(ctx, site)
}

func (c *CannedSettings) put(ctx context.Context, site string, list []parley.CannedReply) ([]parley.CannedReply, error) {
	if c.Mine {
		return c.API.PutOwnCanned(ctx, site, list)
	}
	return c.API.PutCanned(ctx, site, list)
}

func (c *CannedSettings) load(ctx app.Context) {
	key := c.loadKey()
	if c.API == nil || key == c.loadedFor {
		return
	}
	site := c.Site
	if !strings.HasPrefix(c.loadedFor, site+"\x00") {
		c.list, c.msg = nil, "" // another site: nothing of the last one stays
	}
	c.loadedFor, c.state = key, loading
	ctx.Async(func() {
		list, err := c.get(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != key {
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
	site, key := c.Site, c.loadedFor
	c.state, c.msg = loading, ""
	ctx.Async(func() {
		saved, err := c.put(ctx, site, list)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != key {
				return
			}
			if err != nil {
				c.state, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.state, c.msg, c.list = done, ok, saved
			c.shortcut, c.text = "", ""
			c.cardTitle, c.cardPrice, c.cardURL, c.cardImage, c.replies = "", "", "", "", ""
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
	case c.Mine:
		return "Only you"
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

// richLabel says what a reply sends besides its text.
func richLabel(r parley.CannedReply) string {
	var parts []string
	if r.Card != nil {
		parts = append(parts, "Card: "+r.Card.Title)
	}
	if len(r.Replies) > 0 {
		parts = append(parts, "Quick replies: "+strings.Join(r.Replies, " · "))
	}
	return strings.Join(parts, " — ")
}

// Render implements app.Composer.
func (c *CannedSettings) Render() app.UI {
	var msg app.UI = app.Span().Class("save-none")
	switch {
	case c.state == failed:
		msg = app.P().ID(c.id("canned-error")).Class("save-error").Role("alert").Text(c.msg)
	case c.state == done && c.msg != "":
		msg = app.P().Class("save-ok").Role("status").Text(c.msg)
	}
	empty, title, hint := "No canned replies yet.", "Canned replies",
		"Agents type /shortcut in a reply to insert one. The text may use {{contact.name}}, {{agent.name}} and {{site.name}}; a product card and quick replies go with it."
	if c.Mine {
		empty, title, hint = "No replies of your own yet.", "My replies",
			"Your own canned replies on this site: only you see and use them. Type /shortcut in a reply to insert one."
	}
	var rows app.UI = app.P().Class("hint canned-empty").Text(empty)
	if len(c.list) > 0 {
		rows = app.Ul().ID(c.id("canned-list")).Class("canned-list").Body(
			app.Range(c.list).Slice(func(i int) app.UI {
				r := c.list[i]
				return app.Li().Class("canned-row").DataSet("shortcut", r.Shortcut).Body(
					app.Code().Class("canned-shortcut").Text("/"+r.Shortcut),
					app.Span().Class("canned-scope").Text(c.scopeLabel(r)),
					app.Span().Class("canned-text").Text(parley.Truncate(r.Text, 120)),
					app.Span().Class("canned-rich").Text(richLabel(r)),
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
	input := func(id, label, placeholder, value string, set func(string)) app.UI {
		id = c.id(id)
		return field(id, label, app.Input().ID(id).Type("text").Placeholder(placeholder).Value(value).
			OnInput(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }))
	}
	var scope app.UI = app.Span().Class("canned-scope-none")
	if !c.Mine {
		scope = field("canned-scope", "For", app.Select().ID("canned-scope").
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
		))
	}
	sectionID, class := "canned", "card canned-card"
	if c.Mine {
		sectionID, class = "my-canned", "card canned-card my-canned"
	}
	return app.Section().ID(sectionID).Class(class).Body(
		app.H3().Text(title),
		app.P().Class("hint").Text(hint),
		rows,
		app.Form().ID(c.id("canned-form")).Class("canned-form").OnSubmit(c.onAdd).Body(
			field(c.id("canned-shortcut"), "Shortcut", app.Input().ID(c.id("canned-shortcut")).Type("text").
				MaxLength(parley.MaxShortcut).Placeholder("thanks").Value(c.shortcut).
				OnInput(func(ctx app.Context, e app.Event) { c.shortcut = ctx.JSSrc().Get("value").String() })),
			field(c.id("canned-text"), "Text", app.Textarea().ID(c.id("canned-text")).Rows(3).Text(c.text).
				Placeholder("Thanks {{contact.name}}, have a nice day!").
				OnInput(func(ctx app.Context, e app.Event) { c.text = ctx.JSSrc().Get("value").String() })),
			scope,
			app.FieldSet().Class("canned-rich-fields").Body(
				app.Legend().Text("Product card and quick replies (optional)"),
				input("canned-card-title", "Card title", "Ethiopian blend, 250 g", c.cardTitle, func(s string) { c.cardTitle = s }),
				input("canned-card-price", "Price", "€14.90", c.cardPrice, func(s string) { c.cardPrice = s }),
				input("canned-card-url", "Link", "https://shop.example/p/ethiopia", c.cardURL, func(s string) { c.cardURL = s }),
				input("canned-card-image", "Picture URL", "https://shop.example/img/ethiopia.jpg", c.cardImage, func(s string) { c.cardImage = s }),
				input("canned-replies", "Quick replies (comma-separated)", "Add to cart, Tell me more", c.replies, func(s string) { c.replies = s }),
			),
			msg,
			app.Button().ID(c.id("canned-add")).Class("button").Type("submit").Disabled(c.state == loading).Text("Add"),
		),
	)
}

// NewCannedReply is the reply the form's fields describe.
func NewCannedReply(shortcut, text, scope, title, price, link, image, replies string) parley.CannedReply {
	r := CannedScope(parley.CannedReply{Shortcut: shortcut, Text: text}, scope)
	r.Card, r.Replies = CannedRich(title, price, link, image, replies)
	return r
}

func (c *CannedSettings) onAdd(ctx app.Context, e app.Event) {
	e.PreventDefault()
	scope := c.scope
	if c.Mine {
		scope = ""
	}
	r := NewCannedReply(c.shortcut, c.text, scope, c.cardTitle, c.cardPrice, c.cardURL, c.cardImage, c.replies)
	list := append(append([]parley.CannedReply{}, c.list...), r)
	// Checked here for a quick answer; the server checks again.
	if _, err := parley.CheckCannedReplies(list, nil, nil); err != nil {
		c.state, c.msg = failed, parley.ErrorMessage(err)
		return
	}
	c.save(ctx, list, "Added.")
}
