package parley_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

func TestAskNPS(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	for _, c := range []struct {
		name      string
		every     int
		days      int
		resolved  int
		lastAsked time.Time
		want      bool
	}{
		{"1st chat", 3, 90, 1, time.Time{}, false},
		{"2nd chat", 3, 90, 2, time.Time{}, false},
		{"3rd chat, never asked", 3, 90, 3, time.Time{}, true},
		{"4th chat", 3, 90, 4, time.Time{}, false},
		{"5th chat", 3, 90, 5, days(200), false},
		{"6th chat, asked 91 days ago", 3, 90, 6, days(91), true},
		{"6th chat, asked 89 days ago", 3, 90, 6, days(89), false},
		{"6th chat, asked exactly 90 days ago", 3, 90, 6, days(90), false},
		{"6th chat, asked 90 days and a second ago", 3, 90, 6, days(90).Add(-time.Second), true},
		{"9th chat, asked 89 days ago", 3, 90, 9, days(89), false},
		{"every chat", 1, 7, 1, time.Time{}, true},
		{"every chat, asked 6 days ago", 1, 7, 2, days(6), false},
		{"every chat, asked 8 days ago", 1, 7, 2, days(8), true},
		{"no chats", 3, 90, 0, time.Time{}, false},
		{"every 0 (bad)", 0, 90, 3, time.Time{}, false},
		{"20th of every 20", 20, 365, 20, days(366), true},
	} {
		if got := parley.AskNPS(c.every, c.days, c.resolved, c.lastAsked, now); got != c.want {
			t.Errorf("%s: AskNPS(%d, %d, %d, %v) = %v, want %v", c.name, c.every, c.days, c.resolved, c.lastAsked, got, c.want)
		}
	}
}

func TestRatingSettingsValidate(t *testing.T) {
	good := []parley.RatingSettings{
		{},
		{Enabled: true, Scale: parley.ScaleThumbs, Comment: true},
		{NPS: true, NPSEvery: 1, NPSDays: 7},
		{NPS: true, NPSEvery: 20, NPSDays: 365, NPSQuestion: "  Would you recommend {{site.name}}?  "},
	}
	for _, r := range good {
		if _, err := r.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", r, err)
		}
	}
	bad := []parley.RatingSettings{
		{Scale: "smileys"},
		{NPSEvery: -1}, {NPSEvery: 21},
		{NPSDays: 6}, {NPSDays: 366}, {NPSDays: -3},
		{NPSQuestion: strings.Repeat("x", 201)},
		{NPSQuestion: "a\nb"},
	}
	for _, r := range bad {
		if _, err := r.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", r)
		}
	}
	r, _ := parley.RatingSettings{}.Validate()
	if r.Every() != 3 || r.Days() != 90 || r.ScaleOr() != parley.ScaleStars {
		t.Errorf("defaults = %d, %d, %q; want 3, 90, stars", r.Every(), r.Days(), r.ScaleOr())
	}
}

func TestCheckRating(t *testing.T) {
	for _, c := range []struct {
		kind, scale string
		score       int
		comment     string
		ok          bool
	}{
		{parley.RatingCSAT, parley.ScaleStars, 1, "", true},
		{parley.RatingCSAT, parley.ScaleStars, 5, "Quick and helpful", true},
		{parley.RatingCSAT, parley.ScaleStars, 0, "", false},
		{parley.RatingCSAT, parley.ScaleStars, 6, "", false},
		{parley.RatingCSAT, parley.ScaleThumbs, 0, "", true},
		{parley.RatingCSAT, parley.ScaleThumbs, 1, "", true},
		{parley.RatingCSAT, parley.ScaleThumbs, 2, "", false},
		{parley.RatingNPS, parley.ScaleNPS, 0, "", true},
		{parley.RatingNPS, parley.ScaleNPS, 10, "", true},
		{parley.RatingNPS, parley.ScaleNPS, 11, "", false},
		{parley.RatingNPS, parley.ScaleNPS, -1, "", false},
		{"stars", parley.ScaleStars, 3, "", false},
		{parley.RatingCSAT, parley.ScaleStars, 4, strings.Repeat("é", 1000), true},
		{parley.RatingCSAT, parley.ScaleStars, 4, strings.Repeat("é", 1001), false},
		{parley.RatingCSAT, parley.ScaleStars, 4, "bell\a", false},
	} {
		_, err := parley.CheckRating(c.kind, c.scale, c.score, c.comment)
		if (err == nil) != c.ok {
			t.Errorf("CheckRating(%q, %q, %d, %d chars) = %v, want ok %v", c.kind, c.scale, c.score, len(c.comment), err, c.ok)
		}
	}
}

func TestRatingText(t *testing.T) {
	for r, want := range map[parley.Rating]string{
		{Scale: parley.ScaleStars, Score: 4, Comment: "Quick and helpful"}: "★★★★☆ 4/5 “Quick and helpful”",
		{Scale: parley.ScaleThumbs, Score: 1}:                              "👍 Thumbs up",
		{Scale: parley.ScaleNPS, Score: 10}:                                "NPS 10",
	} {
		if got := parley.RatingText(r); got != want {
			t.Errorf("RatingText(%+v) = %q, want %q", r, got, want)
		}
	}
}

func TestForVisitorRating(t *testing.T) {
	c := parley.Conversation{Rating: &parley.Rating{Kind: parley.RatingCSAT, Score: 4, Agent: 7, AgentName: "Ola", Team: "sales"}}
	v := c.ForVisitor()
	if v.Rating.Score != 4 || v.Rating.Agent != 0 || v.Rating.AgentName != "" || v.Rating.Team != "" {
		t.Errorf("visitor's rating = %+v, want the score without agent and team", v.Rating)
	}
	if c.Rating.Agent != 7 {
		t.Error("ForVisitor changed the agents' copy")
	}
}
