package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// NewSite creates a site, for the install's admins, and then shows its
// snippet. OnCreated, if set, is told of the new site.
type NewSite struct {
	app.Compo

	API       *API
	OnCreated func(app.Context, SiteInfo)

	name, id, origins string
	save              status
	msg               string
	created           SiteInfo
	copied            bool
}

// Origins splits the origins field: one per line, blank lines skipped.
func Origins(field string) []string {
	out := []string{}
	for _, line := range strings.Split(field, "\n") {
		if o := strings.TrimSpace(line); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// Render implements app.Composer.
func (f *NewSite) Render() app.UI {
	var result app.UI = app.Span().Class("save-none")
	switch {
	case f.save == failed:
		result = app.P().ID("new-site-error").Class("save-error").Role("alert").Text(f.msg)
	case f.save == done:
		snippet := f.created.Snippet
		label := "Copy"
		if f.copied {
			label = "Copied"
		}
		result = app.Div().ID("new-site-created").Class("save-ok").Role("status").Body(
			app.P().Text(f.msg),
			app.Textarea().ID("new-site-snippet").Class("snippet").ReadOnly(true).Rows(3).Spellcheck(false).
				Aria("label", "Embed snippet of the new site").Text(snippet),
			app.Button().ID("copy-new-snippet").Class("button").Type("button").
				OnClick(func(ctx app.Context, e app.Event) {
					copyText(ctx, snippet, "new-site-snippet", func() { f.copied = true })
				}).Text(label),
		)
	}
	label := "Create site"
	if f.save == loading {
		label = "Creating…"
	}
	set := func(store func(string)) app.EventHandler {
		return func(ctx app.Context, e app.Event) {
			store(ctx.JSSrc().Get("value").String())
			if f.save == failed {
				f.save, f.msg = idle, ""
			}
		}
	}
	return app.Form().ID("new-site").Class("card site-form").OnSubmit(f.onSubmit).Body(
		app.H3().Text("New site"),
		app.P().Class("hint").Text("You become its owner; add its people on the People page."),
		field("new-site-name", "Name", app.Input().ID("new-site-name").Type("text").Required(true).Value(f.name).
			OnInput(set(func(v string) { f.name = v }))),
		field("new-site-id", "Id in the snippet (optional: made from the name)", app.Input().ID("new-site-id").Type("text").
			Spellcheck(false).Value(f.id).OnInput(set(func(v string) { f.id = v }))),
		field("new-site-origins", "Allowed origins (one per line, like https://shop.example or *.example.com)",
			app.Textarea().ID("new-site-origins").Rows(3).Spellcheck(false).Text(f.origins).
				OnInput(set(func(v string) { f.origins = v }))),
		result,
		app.Button().ID("create-site").Class("button button-primary").Type("submit").
			Disabled(f.save == loading).Text(label),
	)
}

func (f *NewSite) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.API == nil || f.save == loading {
		return
	}
	name, id := strings.TrimSpace(f.name), strings.TrimSpace(f.id)
	if name == "" {
		f.save, f.msg = failed, "Give the site a name."
		return
	}
	api, origins := f.API, Origins(f.origins)
	f.save, f.msg, f.copied = loading, "", false
	ctx.Async(func() {
		site, err := api.CreateSite(ctx, id, name, origins)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				f.save, f.msg = failed, parley.ErrorMessage(err)
				return
			}
			f.name, f.id, f.origins = "", "", ""
			f.save, f.created = done, site
			f.msg = "Created " + site.Name + " (" + site.ID + "). Paste this tag into every page of the shop:"
			if f.OnCreated != nil {
				f.OnCreated(ctx, site)
			}
		})
	})
}
