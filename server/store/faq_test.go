package store_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func TestFAQEntriesAndStats(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	mustCreateSite(t, d, "other")
	wantCode(t, d.PutFAQ("nope", []parley.FAQEntry{{ID: "a", Question: "q", Answer: "a"}}), parley.ENotFound)
	_, err := d.FAQ("nope")
	wantCode(t, err, parley.ENotFound)

	list := []parley.FAQEntry{{ID: "ship", Question: "Shipping?", Answer: "2 days", Keywords: []string{"shipping"}, Lang: "en"}}
	if err := d.PutFAQ("shop", list); err != nil {
		t.Fatal(err)
	}
	got, err := d.FAQ("shop")
	if err != nil || len(got) != 1 || got[0].ID != "ship" || got[0].Keywords[0] != "shipping" {
		t.Fatalf("FAQ = %+v, %v", got, err)
	}
	if other, _ := d.FAQ("other"); len(other) != 0 {
		t.Errorf("another site has %v", other)
	}

	now := time.Now()
	old := now.AddDate(0, 0, -store.FAQStatDays-2)
	for _, r := range []struct {
		at      time.Time
		counter int
		entries []string
	}{
		{old, store.FAQShown, []string{"ship"}},
		{now, store.FAQShown, []string{"ship", "gone"}},
		{now, store.FAQShown, []string{"ship"}},
		{now.AddDate(0, 0, -1), store.FAQHelpful, []string{"ship"}},
		{now, store.FAQAsked, []string{"ship"}},
	} {
		if err := d.RecordFAQ("shop", r.at, r.counter, r.entries...); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordFAQ("other", now, store.FAQShown, "ship"); err != nil {
		t.Fatal(err)
	}
	stats, err := d.FAQStats("shop")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]parley.FAQStat{}
	for _, s := range stats {
		by[s.Entry] = s
	}
	// The old day was dropped when newer counters were written.
	if s := by["ship"]; s.Shown != 2 || s.Helpful != 1 || s.Asked != 1 || len(by) != 2 || by["gone"].Shown != 1 {
		t.Errorf("stats %+v", stats)
	}
	if err := d.PutFAQ("shop", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.FAQ("shop"); len(got) != 0 {
		t.Errorf("after clearing: %v", got)
	}
}
