package console

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// RatingsForm is the "Ratings" section of the site's settings as typed.
type RatingsForm struct {
	On      bool
	Scale   string // parley.ScaleStars or parley.ScaleThumbs
	Comment bool
	NPS     bool
	// Every and Days as typed ("" for the defaults); Question "" for
	// the default one.
	Every, Days, Question string
}

// NewRatingsForm fills the form from a site's settings.
func NewRatingsForm(r parley.RatingSettings) RatingsForm {
	f := RatingsForm{On: r.Enabled, Scale: r.ScaleOr(), Comment: r.Comment, NPS: r.NPS, Question: r.NPSQuestion}
	if r.NPSEvery != 0 {
		f.Every = strconv.Itoa(r.NPSEvery)
	}
	if r.NPSDays != 0 {
		f.Days = strconv.Itoa(r.NPSDays)
	}
	return f
}

// Settings checks the numbers and makes the site's settings; the server
// checks the bounds again.
func (f RatingsForm) Settings() (parley.RatingSettings, error) {
	r := parley.RatingSettings{Enabled: f.On, Scale: f.Scale, Comment: f.Comment, NPS: f.NPS,
		NPSQuestion: strings.TrimSpace(f.Question)}
	if r.Scale == parley.ScaleStars {
		r.Scale = ""
	}
	if r.NPSQuestion == parley.DefaultNPSQuestion {
		r.NPSQuestion = ""
	}
	num := func(s string, lo, hi int, msg string) (int, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return 0, parley.Errorf(parley.EInvalid, "%s", msg)
		}
		return n, nil
	}
	var err error
	if r.NPSEvery, err = num(f.Every, 1, parley.MaxNPSEvery, fmt.Sprintf("Ask the NPS question every 1 to %d resolved chats.", parley.MaxNPSEvery)); err != nil {
		return parley.RatingSettings{}, err
	}
	if r.NPSDays, err = num(f.Days, parley.MinNPSDays, parley.MaxNPSDays, fmt.Sprintf("Ask the NPS question at most once per %d to %d days.", parley.MinNPSDays, parley.MaxNPSDays)); err != nil {
		return parley.RatingSettings{}, err
	}
	return r.Validate()
}

// renderRatings is the "Ratings" section of the site's settings.
func (s *Settings) renderRatings(ro bool) app.UI {
	f := s.form.Ratings
	check := func(id, label string, on bool, set func(bool)) app.UI {
		return app.Label().Class("check").Body(
			app.Input().ID(id).Type("checkbox").Checked(on).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					set(ctx.JSSrc().Get("checked").Truthy())
					s.changed()
				}),
			app.Span().Text(label),
		)
	}
	return app.Div().Class("site-ratings").Body(
		app.H3().Text("Ratings"),
		check("site-ratings-on", "Ask visitors to rate the chat once it is resolved", f.On, func(v bool) { s.form.Ratings.On = v }),
		field("site-ratings-scale", "Scale",
			app.Select().ID("site-ratings-scale").Disabled(ro).
				OnChange(s.set(func(v string) { s.form.Ratings.Scale = v })).
				Body(
					app.Option().Value(parley.ScaleStars).Selected(f.Scale != parley.ScaleThumbs).Text("1 to 5 stars"),
					app.Option().Value(parley.ScaleThumbs).Selected(f.Scale == parley.ScaleThumbs).Text("Thumbs up or down"),
				)),
		check("site-ratings-comment", "Offer a comment with the rating (optional for the visitor)", f.Comment, func(v bool) { s.form.Ratings.Comment = v }),
		check("site-nps-on", "Ask the Net Promoter question (0 to 10) now and then", f.NPS, func(v bool) { s.form.Ratings.NPS = v }),
		field("site-nps-every", fmt.Sprintf("After every this many resolved chats of a contact (1 to %d; empty: %d)", parley.MaxNPSEvery, parley.DefaultNPSEvery),
			app.Input().ID("site-nps-every").Type("number").Min(1).Max(parley.MaxNPSEvery).Step(1).Value(f.Every).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.Ratings.Every = v }))),
		field("site-nps-days", fmt.Sprintf("At most once per this many days per contact (%d to %d; empty: %d)", parley.MinNPSDays, parley.MaxNPSDays, parley.DefaultNPSDays),
			app.Input().ID("site-nps-days").Type("number").Min(parley.MinNPSDays).Max(parley.MaxNPSDays).Step(1).Value(f.Days).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.Ratings.Days = v }))),
		field("site-nps-question", "The question ({{site.name}} is the shop's name; empty: the default, in the visitor's language)",
			app.Input().ID("site-nps-question").Type("text").MaxLength(200).Placeholder(parley.DefaultNPSQuestion).Value(f.Question).ReadOnly(ro).
				OnInput(s.set(func(v string) { s.form.Ratings.Question = v }))),
	)
}
