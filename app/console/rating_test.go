package console_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestRatingsFormRoundTrip(t *testing.T) {
	for _, r := range []parley.RatingSettings{
		{},
		{Enabled: true, Scale: parley.ScaleThumbs, Comment: true},
		{NPS: true, NPSEvery: 5, NPSDays: 30, NPSQuestion: "Would you recommend {{site.name}}?"},
	} {
		got, err := console.NewRatingsForm(r).Settings()
		if err != nil || got != r {
			t.Errorf("round trip of %+v = %+v, %v", r, got, err)
		}
	}
	for _, f := range []console.RatingsForm{
		{NPS: true, Every: "0"}, {NPS: true, Every: "21"}, {NPS: true, Every: "three"},
		{NPS: true, Days: "6"}, {NPS: true, Days: "366"},
		{Scale: "smileys"},
	} {
		if _, err := f.Settings(); err == nil {
			t.Errorf("Settings(%+v) = nil error", f)
		}
	}
	// The default question typed out is saved as the default.
	r, err := console.RatingsForm{NPS: true, Question: parley.DefaultNPSQuestion, Scale: parley.ScaleStars}.Settings()
	if err != nil || r.NPSQuestion != "" || r.Scale != "" {
		t.Errorf("defaults = %+v, %v", r, err)
	}
}

// A rated conversation's inbox row carries its mark, the whole answer in
// the title; an unrated one a placeholder, after the tags.
func TestInboxRatingMarker(t *testing.T) {
	l := &console.InboxList{Now: t0, Conversations: []parley.Conversation{
		{ID: 5, Status: parley.StatusResolved, Updated: t0,
			Rating: &parley.Rating{Kind: parley.RatingCSAT, Scale: parley.ScaleStars, Score: 4, Comment: "Quick"},
			NPS:    &parley.Rating{Kind: parley.RatingNPS, Scale: parley.ScaleNPS, Score: 9}},
		{ID: 3, Status: parley.StatusResolved, Updated: t0.Add(-time.Minute)},
	}}
	load(t, l)
	title := "★★★★☆ 4/5 “Quick” · NPS 9"
	match(t, app.Div().Class("inbox-row inbox-rating").Title(title).Aria("label", "Rated "+title), l, 0, 1, 0, 0, 4)
	match(t, app.Text("★ 4"), l, 0, 1, 0, 0, 4, 0)
	match(t, app.Span().Class("inbox-rating-none"), l, 0, 1, 1, 0, 4)
}
