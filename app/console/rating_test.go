package console_test

import (
	"testing"

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
