package visitor_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// TestFeedbackSteps: nothing before the resolve; the rating, then NPS when
// the server asked it, then the thanks; nothing on a site that asks none.
func TestFeedbackSteps(t *testing.T) {
	stars := &parley.WidgetRatings{CSAT: true, Scale: parley.ScaleStars, Comment: true}
	open := parley.Conversation{ID: 7, Status: parley.StatusOpen}
	resolved := parley.Conversation{ID: 7, Status: parley.StatusResolved}
	asked := resolved
	asked.AskNPS = true
	rated := asked
	rated.Rating = &parley.Rating{Kind: parley.RatingCSAT, Score: 4}
	both := rated
	both.NPS = &parley.Rating{Kind: parley.RatingNPS, Score: 9}
	npsOnly := &parley.WidgetRatings{SiteName: "Coffee Shop"}

	var f visitor.Feedback
	for _, tc := range []struct {
		name string
		s    *parley.WidgetRatings
		c    parley.Conversation
		want visitor.FeedbackStep
	}{
		{"no settings", nil, resolved, visitor.FeedbackNone},
		{"open", stars, open, visitor.FeedbackNone},
		{"resolved", stars, resolved, visitor.FeedbackCSAT},
		{"resolved, NPS asked", stars, asked, visitor.FeedbackCSAT},
		{"rated, NPS asked", stars, rated, visitor.FeedbackNPS},
		{"both answered", stars, both, visitor.FeedbackThanks},
		{"rated, NPS not asked", stars, func() parley.Conversation { c := rated; c.AskNPS = false; return c }(), visitor.FeedbackThanks},
		{"NPS only, not asked", npsOnly, resolved, visitor.FeedbackNone},
		{"NPS only, asked", npsOnly, asked, visitor.FeedbackNPS},
	} {
		if got := f.Step(tc.s, tc.c); got != tc.want {
			t.Errorf("%s: Step = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestFeedbackAnswer: a star with a comment to offer waits for it; Send
// gives the rate frame and the thanks at once; a refusal brings the
// question back with the server's words.
func TestFeedbackAnswer(t *testing.T) {
	stars := &parley.WidgetRatings{CSAT: true, Comment: true}
	resolved := parley.Conversation{ID: 7, Status: parley.StatusResolved}
	var f visitor.Feedback
	if send := f.Choose(7, parley.RatingCSAT, 4, true); send {
		t.Fatal("sent before the comment")
	}
	f.Comment = "Quick and helpful"
	fr := f.Frame()
	if fr.Type != parley.TypeRate || fr.Conv != 7 || fr.Kind != parley.RatingCSAT || fr.Score == nil || *fr.Score != 4 || fr.Text != "Quick and helpful" {
		t.Fatalf("frame = %+v", fr)
	}
	f.Sent("r1", true)
	if got := f.Step(stars, resolved); got != visitor.FeedbackThanks {
		t.Errorf("after sending: step %d, want thanks", got)
	}
	if f.Apply(parley.Frame{Type: parley.TypeError, ID: "other"}) {
		t.Error("took another request's error")
	}
	if !f.Apply(parley.Frame{Type: parley.TypeError, ID: "r1", Code: parley.EConflict, Message: "This chat was rated already."}) {
		t.Fatal("ignored the refusal")
	}
	if got := f.Step(stars, resolved); got != visitor.FeedbackCSAT || f.Problem != "This chat was rated already." {
		t.Errorf("after the refusal: step %d, problem %q", got, f.Problem)
	}
	// Without a comment, a tap sends.
	var g visitor.Feedback
	if send := g.Choose(8, parley.RatingNPS, 0, false); !send {
		t.Error("a tap without a comment did not send")
	}
	if fr := g.Frame(); fr.Score == nil || *fr.Score != 0 || fr.Kind != parley.RatingNPS {
		t.Errorf("NPS 0 frame = %+v", fr)
	}
	g.Sent("", false)
	if g.Problem != visitor.FeedbackOffline {
		t.Errorf("offline: problem %q", g.Problem)
	}
}

// Paths into a loaded FeedbackPrompt: the component, its section, then
// the question, the scale, the comment and the problem.
func TestFeedbackPromptRender(t *testing.T) {
	p := &visitor.FeedbackPrompt{Step: visitor.FeedbackCSAT, Assignee: "Ola",
		Settings: parley.WidgetRatings{CSAT: true, Scale: parley.ScaleStars, Comment: true},
		OnChoose: func(app.Context, string, int) {}}
	load(t, p)
	match(t, app.Section().ID(visitor.FeedbackID).Class("feedback").Aria("labelledby", visitor.FeedbackQuestionID), p, 0)
	match(t, app.Text("How was your chat with Ola?"), p, 0, 0, 0)
	match(t, app.Div().Class("feedback-scale feedback-row").Role("group").Aria("labelledby", visitor.FeedbackQuestionID), p, 0, 1)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingCSAT, 4)).Class("feedback-star").Type("button").
		Aria("label", "4 stars").Aria("pressed", false).Title("4 stars").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 3)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingCSAT, 1)).Class("feedback-star").Type("button").
		Aria("label", "1 star").Aria("pressed", false).Title("1 star").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 0)
	match(t, app.Span().Class("feedback-comment-none"), p, 0, 2)

	// Chosen 4: stars 1–4 lit, the comment box, in Polish.
	p = &visitor.FeedbackPrompt{Lang: i18n.PL, Step: visitor.FeedbackCSAT,
		Settings: parley.WidgetRatings{CSAT: true, Comment: true},
		State:    visitor.Feedback{Conv: 7, Kind: parley.RatingCSAT, Score: 4, Chosen: true, Problem: visitor.FeedbackFailed}}
	load(t, p)
	match(t, app.Text("Jak oceniasz rozmowę?"), p, 0, 0, 0)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingCSAT, 4)).Class("feedback-star feedback-star-on feedback-chosen").Type("button").
		Aria("label", "4 gwiazdki").Aria("pressed", true).Title("4 gwiazdki").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 3)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingCSAT, 5)).Class("feedback-star").Type("button").
		Aria("label", "5 gwiazdek").Aria("pressed", false).Title("5 gwiazdek").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 4)
	match(t, app.Text("Chcesz coś dodać? (opcjonalnie)"), p, 0, 2, 0, 0)
	match(t, app.Text("Wyślij opinię"), p, 0, 2, 2, 0)
	match(t, app.Text("Nie udało się wysłać odpowiedzi."), p, 0, 3, 0)

	// Thumbs.
	p = &visitor.FeedbackPrompt{Step: visitor.FeedbackCSAT, Settings: parley.WidgetRatings{CSAT: true, Scale: parley.ScaleThumbs}}
	load(t, p)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingCSAT, 0)).Class("feedback-thumb").Type("button").
		Aria("label", "Thumbs down").Aria("pressed", false).Title("Thumbs down").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 1)

	// NPS: the site's question, 0–10, the ends of the scale.
	p = &visitor.FeedbackPrompt{Step: visitor.FeedbackNPS, Settings: parley.WidgetRatings{SiteName: "Coffee Shop"}}
	load(t, p)
	match(t, app.Text("How likely are you to recommend Coffee Shop to a friend?"), p, 0, 0, 0)
	match(t, app.Button().ID(visitor.FeedbackScoreID(parley.RatingNPS, 10)).Class("feedback-nps").Type("button").
		Aria("label", "10 out of 10").Aria("pressed", false).Title("10 out of 10").OnClick(func(app.Context, app.Event) {}), p, 0, 1, 0, 10)
	match(t, app.Text("Not likely"), p, 0, 1, 1, 0, 0)
	match(t, app.Text("Very likely"), p, 0, 1, 1, 1, 0)
	p = &visitor.FeedbackPrompt{Lang: i18n.DE, Step: visitor.FeedbackNPS, Settings: parley.WidgetRatings{SiteName: "Kaffee", Question: "Würden Sie Kaffee empfehlen?"}}
	load(t, p)
	match(t, app.Text("Würden Sie Kaffee empfehlen?"), p, 0, 0, 0)

	p = &visitor.FeedbackPrompt{Lang: i18n.FR, Step: visitor.FeedbackThanks}
	load(t, p)
	match(t, app.P().ID(visitor.FeedbackThanksID).Class("feedback-thanks").Role("status"), p, 0, 0)
	match(t, app.Text("Merci pour votre avis !"), p, 0, 0, 0)
}

// The panel shows the prompt under the thread, after the surge offer.
func TestPanelFeedbackSlot(t *testing.T) {
	p := &visitor.Panel{Now: time.Now()}
	load(t, p)
	match(t, app.Span().Class("feedback-none"), p, 0, slotBody, 5)
	p = &visitor.Panel{Now: time.Now(), Feedback: &visitor.FeedbackPrompt{Step: visitor.FeedbackThanks}}
	load(t, p)
	match(t, app.Section().ID(visitor.FeedbackID).Class("feedback"), p, 0, slotBody, 5, 0)
}
