package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// FAQ returns a site's FAQ entries and their counters (owners and admins).
func (a *API) FAQ(ctx context.Context, site string) ([]parley.FAQEntry, []parley.FAQStat, error) {
	var out parley.FAQList
	if err := a.do(ctx, http.MethodGet, "/api/sites/"+url.PathEscape(site)+"/faq", nil, &out); err != nil {
		return nil, nil, err
	}
	return out.FAQ, out.Stats, nil
}

// PutFAQ replaces a site's FAQ entries and returns them as stored.
func (a *API) PutFAQ(ctx context.Context, site string, list []parley.FAQEntry) ([]parley.FAQEntry, error) {
	if list == nil {
		list = []parley.FAQEntry{}
	}
	var out parley.FAQList
	if err := a.do(ctx, http.MethodPut, "/api/sites/"+url.PathEscape(site)+"/faq", parley.FAQList{FAQ: list}, &out); err != nil {
		return nil, err
	}
	return out.FAQ, nil
}

// SplitKeywords parses the form's comma-separated keywords.
func SplitKeywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// FAQSettings is a site's FAQ, for its owners and admins: the entries
// with what visitors did with them, a form to add or edit one, × to
// remove one. Each change saves the whole list (PUT /api/sites/{id}/faq).
type FAQSettings struct {
	app.Compo

	API  *API
	Site string

	loadedFor string
	list      []parley.FAQEntry
	stats     map[string]parley.FAQStat
	state     status
	msg       string
	// The form: editing is the id of the entry being edited, "" for a new one.
	editing, question, answer, keywords, lang string
}

// OnMount loads the site's FAQ.
func (c *FAQSettings) OnMount(ctx app.Context) { c.load(ctx) }

// OnUpdate loads it again when another site is shown.
func (c *FAQSettings) OnUpdate(ctx app.Context) { c.load(ctx) }

func (c *FAQSettings) load(ctx app.Context) {
	site := c.Site
	if c.API == nil || site == c.loadedFor {
		return
	}
	c.loadedFor, c.state, c.list, c.stats, c.msg = site, loading, nil, nil, ""
	c.clearForm()
	ctx.Async(func() {
		list, stats, err := c.API.FAQ(ctx, site)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.state, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.state, c.list, c.stats = done, list, make(map[string]parley.FAQStat, len(stats))
			for _, s := range stats {
				c.stats[s.Entry] = s
			}
		})
	})
}

func (c *FAQSettings) clearForm() {
	c.editing, c.question, c.answer, c.keywords, c.lang = "", "", "", "", ""
}

func (c *FAQSettings) save(ctx app.Context, list []parley.FAQEntry, ok string) {
	site := c.Site
	c.state, c.msg = loading, ""
	ctx.Async(func() {
		saved, err := c.API.PutFAQ(ctx, site, list)
		ctx.Dispatch(func(ctx app.Context) {
			if c.loadedFor != site {
				return
			}
			if err != nil {
				c.state, c.msg = failed, parley.ErrorMessage(err)
				return
			}
			c.state, c.msg, c.list = done, ok, saved
			c.clearForm()
		})
	})
}

// FAQStatLine says what visitors did with an entry.
func FAQStatLine(s parley.FAQStat) string {
	return fmt.Sprintf("Shown %d · helpful %d · then asked a person %d", s.Shown, s.Helpful, s.Asked)
}

func faqLangLabel(l string) string {
	if l == "" {
		return "All languages"
	}
	return i18n.Names[i18n.Lang(l)]
}

// Render implements app.Composer.
func (c *FAQSettings) Render() app.UI {
	var msg app.UI = app.Span().Class("save-none")
	switch {
	case c.state == failed:
		msg = app.P().ID("faq-error").Class("save-error").Role("alert").Text(c.msg)
	case c.state == done && c.msg != "":
		msg = app.P().Class("save-ok").Role("status").Text(c.msg)
	}
	var rows app.UI = app.P().Class("hint faq-empty").Text("No FAQ entries yet.")
	if len(c.list) > 0 {
		rows = app.Ul().ID("faq-list").Class("canned-list faq-settings-list").Body(
			app.Range(c.list).Slice(func(i int) app.UI {
				e := c.list[i]
				return app.Li().Class("canned-row faq-row").DataSet("entry", e.ID).Body(
					app.Strong().Class("faq-row-question").Text(e.Question),
					app.Span().Class("canned-scope").Text(faqLangLabel(e.Lang)),
					app.Span().Class("canned-text").Text(parley.Truncate(e.Answer, 120)),
					app.Span().Class("canned-rich").Text(strings.Join(e.Keywords, ", ")),
					app.Span().Class("faq-row-stats").Text(FAQStatLine(c.stats[e.ID])),
					app.Button().Class("button button-quiet faq-edit").Type("button").
						Aria("label", "Edit "+parley.Truncate(e.Question, 60)).Disabled(c.state == loading).
						OnClick(func(ctx app.Context, ev app.Event) {
							c.editing, c.question, c.answer, c.keywords, c.lang = e.ID, e.Question, e.Answer, strings.Join(e.Keywords, ", "), e.Lang
						}).Text("Edit"),
					app.Button().Class("button button-quiet canned-remove").Type("button").
						Aria("label", "Remove "+parley.Truncate(e.Question, 60)).Disabled(c.state == loading).
						OnClick(func(ctx app.Context, ev app.Event) {
							list := append(append([]parley.FAQEntry{}, c.list[:i]...), c.list[i+1:]...)
							c.save(ctx, list, "Removed.")
						}).Text("×"),
				)
			}),
		)
	}
	submit, cancel := "Add", app.UI(app.Span().Class("faq-cancel-none"))
	if c.editing != "" {
		submit = "Save"
		cancel = app.Button().ID("faq-cancel").Class("button button-quiet").Type("button").
			OnClick(func(ctx app.Context, e app.Event) { c.clearForm() }).Text("Cancel")
	}
	return app.Section().ID("faq-settings").Class("card canned-card faq-card").Body(
		app.H3().Text("FAQ"),
		app.P().Class("hint").Text("Ready answers: suggested in the widget as visitors type, and answered by the site's bot while a visitor waits for a person (the bot always offers “Talk to a person”). Keywords weigh more than the question's words."),
		rows,
		app.Form().ID("faq-form").Class("canned-form").OnSubmit(c.onSubmit).Body(
			field("faq-question", "Question", app.Input().ID("faq-question").Type("text").MaxLength(parley.MaxFAQQuestion).
				Placeholder("How long does shipping take?").Value(c.question).
				OnInput(func(ctx app.Context, e app.Event) { c.question = ctx.JSSrc().Get("value").String() })),
			field("faq-answer", "Answer", app.Textarea().ID("faq-answer").Rows(4).Text(c.answer).
				Placeholder("We ship within 2 working days.").
				OnInput(func(ctx app.Context, e app.Event) { c.answer = ctx.JSSrc().Get("value").String() })),
			field("faq-keywords", "Keywords (comma-separated)", app.Input().ID("faq-keywords").Type("text").
				Placeholder("shipping, delivery, dispatch").Value(c.keywords).
				OnInput(func(ctx app.Context, e app.Event) { c.keywords = ctx.JSSrc().Get("value").String() })),
			field("faq-lang", "Language", app.Select().ID("faq-lang").
				OnChange(func(ctx app.Context, e app.Event) { c.lang = ctx.JSSrc().Get("value").String() }).Body(
				app.Option().Value("").Selected(c.lang == "").Text("All languages"),
				app.Range(parley.FAQLangs).Slice(func(i int) app.UI {
					l := parley.FAQLangs[i]
					return app.Option().Value(l).Selected(c.lang == l).Text(faqLangLabel(l))
				}),
			)),
			msg,
			app.Button().ID("faq-add").Class("button").Type("submit").Disabled(c.state == loading).Text(submit),
			cancel,
		),
	)
}

// EditFAQ is list with e added, or in place of the entry of the same id.
func EditFAQ(list []parley.FAQEntry, e parley.FAQEntry) []parley.FAQEntry {
	out := append([]parley.FAQEntry{}, list...)
	for i := range out {
		if e.ID != "" && out[i].ID == e.ID {
			out[i] = e
			return out
		}
	}
	return append(out, e)
}

func (c *FAQSettings) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	entry := parley.FAQEntry{ID: c.editing, Question: c.question, Answer: c.answer, Keywords: SplitKeywords(c.keywords), Lang: c.lang}
	list := EditFAQ(c.list, entry)
	// Checked here for a quick answer; the server checks again.
	if _, err := parley.CheckFAQ(list); err != nil {
		c.state, c.msg = failed, parley.ErrorMessage(err)
		return
	}
	ok := "Added."
	if c.editing != "" {
		ok = "Saved."
	}
	c.save(ctx, list, ok)
}
