package i18n_test

import (
	"testing"

	"github.com/parley-chat/parley/app/i18n"
)

// Every text of the rating questions speaks every language.
func TestRatingsCatalog(t *testing.T) {
	texts := []string{
		"How was your chat?", "How was your chat with %s?", "How likely are you to recommend %s to a friend?",
		"%d out of 10", "Not likely", "Very likely", "Thumbs up", "Thumbs down", "Anything to add? (optional)",
		"Send feedback", "Thanks for your feedback!", "Your answer could not be sent.",
		"You're offline. Try again once the chat reconnects.",
	}
	for _, l := range i18n.Supported {
		for _, en := range texts {
			if !i18n.Has(l, en) {
				t.Errorf("%q has no %s", en, l)
			}
		}
		if !i18n.HasPlural(l, "%d star", "%d stars") {
			t.Errorf("%%d star has no %s forms", l)
		}
	}
	for n, want := range map[int]string{1: "1 gwiazdka", 3: "3 gwiazdki", 5: "5 gwiazdek"} {
		if got := i18n.PL.N(n, "%d star", "%d stars", n); got != want {
			t.Errorf("PL %d stars = %q, want %q", n, got, want)
		}
	}
	if got := i18n.SL.N(2, "%d star", "%d stars", 2); got != "2 zvezdici" {
		t.Errorf("SL 2 stars = %q", got)
	}
}
