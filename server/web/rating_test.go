package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func score(n int) *int { return &n }

// TestRating: after an agent resolves a chat, its visitor rates it; the
// site's agents get the conversation with the rating and an agents-only
// rated event, the visitor their own copy. Nobody else may rate it, no
// other visitor and no other site's agent hears of it, and bad answers are
// refused with the request's id, storing nothing.
func TestRating(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	site := env.site
	site.Ratings = parley.RatingSettings{Enabled: true, Comment: true}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ann, _ := env.newAgent(t, "ann", 0)
	cy, _ := env.newAgent(t, "cy", 2)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "Where is my order?").Conv
	ann.sendFrame(parley.Frame{Type: parley.TypeClaim, ID: "c1", Conv: conv})
	ann.until("claimed", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Assignee == env.agents[0].ID
	})
	ann.say(conv, "a-1", "It ships today.")
	stranger, _ := env.newVisitor(t, "stranger")
	stranger.say(0, "s-1", "hi")

	rate := func(c *sockClient, id, kind string, n *int, text string) {
		c.sendFrame(parley.Frame{Type: parley.TypeRate, ID: id, Conv: conv, Kind: kind, Score: n, Text: text})
	}
	refused := func(c *sockClient, what, code string) {
		t.Helper()
		if e := c.untilError(); e.Code != code || e.ID == "" {
			t.Errorf("%s: got %s %q (id %q), want %s with the id", what, e.Code, e.Message, e.ID, code)
		}
	}
	// Before the resolve.
	rate(v, "r0", "", score(4), "")
	refused(v, "before resolve", parley.EConflict)

	ann.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	resolved := v.until("resolved", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Status == parley.StatusResolved
	})
	if resolved.Conversation.AskNPS {
		t.Error("NPS asked with NPS off")
	}

	for i, tt := range []struct {
		name string
		by   *sockClient
		kind string
		n    *int
		text string
		code string
	}{
		{"another visitor", stranger, "", score(4), "", parley.ENotFound},
		{"an agent", ann, "", score(4), "", parley.EForbidden},
		{"another site's agent", cy, "", score(4), "", parley.EForbidden},
		{"no score", v, "", nil, "", parley.EInvalid},
		{"0 stars", v, "", score(0), "", parley.EInvalid},
		{"6 stars", v, "csat", score(6), "", parley.EInvalid},
		{"unknown kind", v, "ces", score(3), "", parley.EInvalid},
		{"comment too long", v, "", score(4), strings.Repeat("x", parley.MaxRatingComment+1), parley.ETooLarge},
		{"NPS not asked", v, parley.RatingNPS, score(9), "", parley.EForbidden},
	} {
		rate(tt.by, fmt.Sprint("bad-", i), tt.kind, tt.n, tt.text)
		refused(tt.by, tt.name, tt.code)
	}
	if c, _ := env.db.Conversation(conv); c.Rating != nil || c.NPS != nil {
		t.Fatalf("after the refusals: rating %+v, nps %+v", c.Rating, c.NPS)
	}

	rate(v, "r1", "", score(4), "Quick and helpful")
	got := ann.until("the rating", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && f.Conversation.Rating != nil
	}).Conversation.Rating
	if got.Score != 4 || got.Comment != "Quick and helpful" || got.Scale != parley.ScaleStars || got.Agent != env.agents[0].ID {
		t.Errorf("agents' rating = %+v, want 4 stars for Ann", got)
	}
	ev := ann.until("the rated event", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Event == parley.EventRated })
	if !ev.Internal || !strings.Contains(ev.Text, "★★★★☆") {
		t.Errorf("rated event %+v, want agents-only with the stars", ev)
	}
	own := v.until("own rating", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Rating != nil
	}).Conversation
	if own.Rating.Score != 4 || own.Rating.Agent != 0 || own.Rating.Team != "" {
		t.Errorf("visitor's copy of the rating = %+v", own.Rating)
	}
	// A change of mind within a day replaces it.
	rate(v, "r2", "", score(5), "")
	ann.until("the new rating", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Rating != nil && f.Conversation.Rating.Score == 5
	})

	// Nobody else heard: a frame each after the rating shows their
	// streams are past it.
	stranger.say(0, "s-2", "still there?")
	otherV, _ := env.newVisitorOf(t, "other visitor", env.other.ID)
	otherConv := otherV.say(0, "o-1", "hello").Conv
	cy.until("the other site's chat", func(f parley.Frame) bool {
		return f.Conv == otherConv || f.Conversation != nil && f.Conversation.ID == otherConv
	})
	for _, c := range []*sockClient{stranger, cy} {
		for _, f := range c.seen {
			if f.Conv == conv || f.Conversation != nil && (f.Conversation.ID == conv || f.Conversation.Rating != nil) || f.Event == parley.EventRated {
				t.Errorf("%s got %+v", c.name, f)
			}
		}
	}
	for _, f := range v.seen {
		if f.Type == parley.TypeMsg && f.Event == parley.EventRated {
			t.Errorf("the visitor got the agents-only rated event %+v", f)
		}
	}
}

// TestRatingNPS: with NPS every chat (the site's setting), the resolve
// says askNps to the visitor; they answer 0–10, once asked only.
func TestRatingNPS(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	site := env.site
	site.Ratings = parley.RatingSettings{NPS: true, NPSEvery: 1, NPSDays: 30}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ann, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "hello").Conv
	ann.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	c := v.until("resolved", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Status == parley.StatusResolved
	}).Conversation
	if !c.AskNPS {
		t.Fatal("the visitor's copy does not ask NPS")
	}
	v.sendFrame(parley.Frame{Type: parley.TypeRate, ID: "n0", Conv: conv, Kind: parley.RatingNPS, Score: score(11)})
	if e := v.untilError(); e.Code != parley.EInvalid || e.ID != "n0" {
		t.Errorf("11: got %s %q", e.Code, e.ID)
	}
	v.sendFrame(parley.Frame{Type: parley.TypeRate, ID: "n1", Conv: conv, Kind: parley.RatingCSAT, Score: score(4)})
	if e := v.untilError(); e.Code != parley.EForbidden || e.ID != "n1" {
		t.Errorf("CSAT with ratings off: got %s %q", e.Code, e.ID)
	}
	v.sendFrame(parley.Frame{Type: parley.TypeRate, ID: "n2", Conv: conv, Kind: parley.RatingNPS, Score: score(0)})
	got := ann.until("the NPS", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.NPS != nil
	}).Conversation.NPS
	if got.Score != 0 || got.Scale != parley.ScaleNPS {
		t.Errorf("NPS = %+v, want 0", got)
	}

	// A second chat within the 30 days is not asked.
	conv2 := v.say(0, "v-2", "again").Conv
	ann.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv2})
	c2 := v.until("resolved 2", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv2 && f.Conversation.Status == parley.StatusResolved
	}).Conversation
	if c2.AskNPS {
		t.Error("asked again within 30 days")
	}
	v.sendFrame(parley.Frame{Type: parley.TypeRate, ID: "n3", Conv: conv2, Kind: parley.RatingNPS, Score: score(9)})
	if e := v.untilError(); e.Code != parley.EForbidden || e.ID != "n3" {
		t.Errorf("NPS not asked: got %s %q", e.Code, e.ID)
	}
}
