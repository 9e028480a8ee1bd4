package console

import (
	"maps"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// AnnouncementForm is one announcement as the form edits it; Texts are its
// translations by language, edited in the Translations section.
type AnnouncementForm struct {
	Text, Link, From, Until, Pages string
	Teaser                         bool
	Texts                          map[string]string
}

// NewAnnouncementForms fills the rows from a site's announcements.
func NewAnnouncementForms(list []parley.Announcement) []AnnouncementForm {
	out := make([]AnnouncementForm, 0, len(list))
	for _, a := range list {
		out = append(out, AnnouncementForm{Text: a.Text, Link: a.Link, From: a.From, Until: a.Until,
			Pages: a.PagePattern, Teaser: a.Teaser, Texts: maps.Clone(a.Texts)})
	}
	return out
}

// Announcements makes the site's announcements of the rows; a row left
// wholly empty is dropped, and so is a translation left empty (the
// visitor then sees the text). The server checks the rest.
func Announcements(rows []AnnouncementForm) []parley.Announcement {
	var out []parley.Announcement
	for _, r := range rows {
		a := parley.Announcement{Text: strings.TrimSpace(r.Text), Link: strings.TrimSpace(r.Link),
			From: strings.TrimSpace(r.From), Until: strings.TrimSpace(r.Until),
			PagePattern: strings.TrimSpace(r.Pages), Teaser: r.Teaser}
		for lang, t := range r.Texts {
			if t = strings.TrimSpace(t); t != "" {
				if a.Texts == nil {
					a.Texts = make(map[string]string)
				}
				a.Texts[lang] = t
			}
		}
		if a.Text == "" && a.Link == "" && a.From == "" && a.Until == "" && a.PagePattern == "" && len(a.Texts) == 0 {
			continue
		}
		out = append(out, a)
	}
	return out
}

// renderAnnouncements is the "Announcements" section of the site form.
func (s *Settings) renderAnnouncements(ro bool) app.UI {
	zone := strings.TrimSpace(s.form.Routing.Hours.Zone)
	if zone == "" {
		zone = "UTC"
	}
	rows := s.form.Announcements
	var add app.UI = app.Span().Class("announcement-add-none")
	if !ro && len(rows) < parley.MaxAnnouncements {
		add = app.Button().ID("announcement-add").Class("button").Type("button").Text("Add an announcement").
			OnClick(func(ctx app.Context, e app.Event) {
				s.form.Announcements = append(s.form.Announcements, AnnouncementForm{})
				n := len(s.form.Announcements) - 1
				s.touched()
				ctx.Defer(func(app.Context) { ui.Focus("ann-" + strconv.Itoa(n) + "-text") })
			})
	}
	return app.Div().Class("site-announcements").Body(
		app.H3().Text("Announcement"),
		app.P().Class("hint").Text("A banner at the top of the open chat, like “Free shipping until Sunday”: "+
			"from and until are dates (2026-12-01, the whole day) or dates and times (2026-12-01T09:00) in the site's time zone, "+
			zone+"; empty is open-ended. The first one in its dates and matching the page shows."),
		app.Range(rows).Slice(func(i int) app.UI { return s.renderAnnouncement(ro, i) }),
		add,
	)
}

func (s *Settings) renderAnnouncement(ro bool, i int) app.UI {
	a := s.form.Announcements[i]
	id := "ann-" + strconv.Itoa(i)
	n := strconv.Itoa(i + 1)
	row := func() *AnnouncementForm { return &s.form.Announcements[i] }
	var remove app.UI = app.Span().Class("announcement-remove-none")
	if !ro {
		remove = app.Button().ID(id + "-remove").Class("button button-small").Type("button").
			Text("Remove announcement " + n).
			OnClick(func(ctx app.Context, e app.Event) {
				if i < len(s.form.Announcements) {
					s.form.Announcements = append(s.form.Announcements[:i:i], s.form.Announcements[i+1:]...)
					s.touched()
				}
			})
	}
	return app.FieldSet().Class("announcement-row").DataSet("index", i).Body(
		app.Legend().Text("Announcement "+n),
		field(id+"-text", "Text (up to 280 characters)", app.Input().ID(id+"-text").Type("text").MaxLength(parley.MaxAnnouncementText).
			Value(a.Text).ReadOnly(ro).OnInput(s.set(func(v string) { row().Text = v }))),
		field(id+"-link", "Link (optional, https://…)", app.Input().ID(id+"-link").Type("url").Value(a.Link).ReadOnly(ro).
			OnInput(s.set(func(v string) { row().Link = v }))),
		field(id+"-from", "From", app.Input().ID(id+"-from").Type("text").Placeholder("2026-12-01").Spellcheck(false).
			Value(a.From).ReadOnly(ro).OnInput(s.set(func(v string) { row().From = v }))),
		field(id+"-until", "Until", app.Input().ID(id+"-until").Type("text").Placeholder("2026-12-24T18:00").Spellcheck(false).
			Value(a.Until).ReadOnly(ro).OnInput(s.set(func(v string) { row().Until = v }))),
		field(id+"-pages", "On pages matching (like /products/*; empty for every page)", app.Input().ID(id+"-pages").Type("text").
			Value(a.Pages).ReadOnly(ro).OnInput(s.set(func(v string) { row().Pages = v }))),
		app.Label().Class("check").Body(
			app.Input().ID(id+"-teaser").Type("checkbox").Checked(a.Teaser).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					row().Teaser = ctx.JSSrc().Get("checked").Truthy()
					s.touched()
				}),
			app.Span().Text("Also show it as a small teaser beside the chat button"),
		),
		remove,
	)
}

// renderAnnouncementLangs are the Translations section's fields of the
// announcements with a text, in language lang (called name).
func (s *Settings) renderAnnouncementLangs(ro bool, lang, name string) app.UI {
	fields := make([]app.UI, 0, len(s.form.Announcements))
	for i, a := range s.form.Announcements {
		if strings.TrimSpace(a.Text) == "" {
			continue
		}
		id := "ann-" + strconv.Itoa(i) + "-lang"
		fields = append(fields, field(id, "Announcement “"+a.Text+"” in "+name,
			app.Input().ID(id).Type("text").MaxLength(parley.MaxAnnouncementText).Value(a.Texts[lang]).ReadOnly(ro).
				OnInput(s.set(func(v string) {
					if i < len(s.form.Announcements) {
						row := &s.form.Announcements[i]
						if row.Texts == nil {
							row.Texts = make(map[string]string)
						}
						row.Texts[lang] = v
					}
				}))))
	}
	return app.Div().Class("site-announcement-langs").Body(fields...)
}

// renderContact is the "Contact details" section of the site form.
func (s *Settings) renderContact(ro bool) app.UI {
	return app.Div().Class("site-contact").Body(
		app.H3().Text("Contact details (shown if the chat cannot load)"),
		field("site-contact-email", "Email for visitors", app.Input().ID("site-contact-email").Type("email").
			Value(s.form.ContactEmail).ReadOnly(ro).OnInput(s.set(func(v string) { s.form.ContactEmail = v }))),
		field("site-contact-phone", "Phone for visitors (like +48 123 456 789)", app.Input().ID("site-contact-phone").Type("tel").
			Value(s.form.ContactPhone).ReadOnly(ro).OnInput(s.set(func(v string) { s.form.ContactPhone = v }))),
	)
}
