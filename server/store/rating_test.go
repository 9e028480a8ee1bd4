package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

func TestRate(t *testing.T) {
	d := openTestDB(t)
	s := mustCreateSite(t, d, "a")
	mustCreateSite(t, d, "b")
	v := mustCreateVisitor(t, d, "a")
	other := mustCreateVisitor(t, d, "a")
	ctx := testContext(t)
	start := time.Now().Add(-time.Second)

	conv := mustAppend(t, d, visitorSend(v, 0, "m1", "hello")).Conv
	_, err := d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 4, "")
	wantCode(t, err, parley.EForbidden) // ratings off on the site

	s.Ratings = parley.RatingSettings{Enabled: true, Comment: true}
	if err := d.PutSite(s); err != nil {
		t.Fatal(err)
	}
	_, err = d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 4, "")
	wantCode(t, err, parley.EConflict) // not resolved yet
	if _, err := d.Resolve(conv.ID, s.Ratings); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	_, err = d.Rate(ctx, conv.ID, other.ID, parley.RatingCSAT, 4, "")
	wantCode(t, err, parley.ENotFound) // someone else's
	_, err = d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 6, "")
	wantCode(t, err, parley.EInvalid)
	_, err = d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 4, strings.Repeat("x", 1001))
	wantCode(t, err, parley.ETooLarge)
	_, err = d.Rate(ctx, conv.ID, v.ID, parley.RatingNPS, 9, "")
	wantCode(t, err, parley.EForbidden) // NPS not asked

	before, _ := d.LastSeq(conv.ID)
	got, err := d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 4, "  Quick and helpful ")
	if err != nil {
		t.Fatalf("Rate: %v", err)
	}
	if r := got.Rating; r == nil || r.Score != 4 || r.Scale != parley.ScaleStars || r.Comment != "Quick and helpful" || r.Kind != parley.RatingCSAT {
		t.Fatalf("rating = %+v, want 4 stars with the comment", got.Rating)
	}
	if got.LastSeq != before+1 {
		t.Errorf("LastSeq = %d, want %d: one rated event", got.LastSeq, before+1)
	}
	ms := frames(t, d, conv.ID, before, 0)
	if len(ms) != 1 || ms[0].Event != parley.EventRated || !ms[0].Internal || !strings.Contains(ms[0].Text, "★★★★☆") {
		t.Errorf("logged %+v, want one agents-only rated event", ms)
	}
	if got.PublicSeq != before {
		t.Errorf("PublicSeq = %d, want %d: the event is agents-only", got.PublicSeq, before)
	}
	// A change within the window replaces it; the bucket keeps one answer.
	if got, err = d.Rate(ctx, conv.ID, v.ID, parley.RatingCSAT, 5, ""); err != nil || got.Rating.Score != 5 {
		t.Fatalf("second Rate = %+v, %v; want 5", got.Rating, err)
	}
	rs, err := d.Ratings("a", start, time.Now().Add(time.Second))
	if err != nil || len(rs) != 1 || rs[0].Score != 5 || rs[0].Conv != conv.ID || rs[0].Visitor != v.ID {
		t.Fatalf("Ratings = %+v, %v; want the one answer, 5", rs, err)
	}
	if rs, _ := d.Ratings("b", start, time.Now().Add(time.Second)); len(rs) != 0 {
		t.Errorf("site b's ratings = %+v, want none", rs)
	}
	stored, _ := d.Conversation(conv.ID)
	if stored.Rating == nil || stored.Rating.Score != 5 {
		t.Errorf("stored rating = %+v", stored.Rating)
	}
}

func TestRateAssigneeAndThumbs(t *testing.T) {
	d := openTestDB(t)
	s := mustCreateSite(t, d, "a")
	s.Ratings = parley.RatingSettings{Enabled: true, Scale: parley.ScaleThumbs}
	if err := d.PutSite(s); err != nil {
		t.Fatal(err)
	}
	v := mustCreateVisitor(t, d, "a")
	conv := mustAppend(t, d, visitorSend(v, 0, "m1", "hello")).Conv
	mustAppend(t, d, agentSend(7, conv.ID, "r1", "hi"))
	if _, err := d.Resolve(conv.ID, s.Ratings); err != nil {
		t.Fatal(err)
	}
	_, err := d.Rate(testContext(t), conv.ID, v.ID, parley.RatingCSAT, 2, "")
	wantCode(t, err, parley.EInvalid)
	got, err := d.Rate(testContext(t), conv.ID, v.ID, parley.RatingCSAT, 0, "")
	if err != nil || got.Rating.Score != 0 || got.Rating.Scale != parley.ScaleThumbs {
		t.Fatalf("thumbs down = %+v, %v", got.Rating, err)
	}
	if got.Rating.Team != got.Team || got.Rating.Agent != got.Assignee {
		t.Errorf("rating counted for %d/%q, conversation is %d/%q", got.Rating.Agent, got.Rating.Team, got.Assignee, got.Team)
	}
}

// The NPS question goes with every 3rd resolved chat of a contact, and not
// again within 90 days: the 6th, a moment later, is not asked.
func TestResolveAsksNPS(t *testing.T) {
	d := openTestDB(t)
	s := mustCreateSite(t, d, "a")
	s.Ratings = parley.RatingSettings{Enabled: true, NPS: true}
	if err := d.PutSite(s); err != nil {
		t.Fatal(err)
	}
	v := mustCreateVisitor(t, d, "a")
	var asked []int
	for i := 1; i <= 6; i++ {
		conv := mustAppend(t, d, visitorSend(v, 0, fmt.Sprint("m", i), "hello")).Conv
		got, err := d.Resolve(conv.ID, s.Ratings)
		if err != nil {
			t.Fatal(err)
		}
		if got.AskNPS {
			asked = append(asked, i)
		}
		if i == 2 {
			// Resolving again (reopened by the visitor) counts no new chat.
			mustAppend(t, d, visitorSend(v, conv.ID, "again", "one more thing"))
			if again, _ := d.Resolve(conv.ID, s.Ratings); again.AskNPS {
				t.Error("the 2nd chat resolved twice was asked")
			}
		}
		if i == 3 {
			_, err := d.Rate(testContext(t), conv.ID, v.ID, parley.RatingNPS, 11, "")
			wantCode(t, err, parley.EInvalid)
			r, err := d.Rate(testContext(t), conv.ID, v.ID, parley.RatingNPS, 9, "")
			if err != nil || r.NPS == nil || r.NPS.Score != 9 || r.NPS.Scale != parley.ScaleNPS {
				t.Fatalf("NPS answer = %+v, %v", r.NPS, err)
			}
		}
	}
	if fmt.Sprint(asked) != "[3]" {
		t.Errorf("asked at chats %v, want [3]", asked)
	}
	// Off on the site: never asked.
	off := parley.RatingSettings{Enabled: true}
	for i := 7; i <= 9; i++ {
		conv := mustAppend(t, d, visitorSend(v, 0, fmt.Sprint("m", i), "hello")).Conv
		if got, _ := d.Resolve(conv.ID, off); got.AskNPS {
			t.Errorf("chat %d asked with NPS off", i)
		}
	}
}
