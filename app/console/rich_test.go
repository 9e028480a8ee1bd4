package console_test

import (
	"testing"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestRichFormFrame(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       console.RichForm
		card    bool
		replies int
		code    string
	}{
		{"card and replies", console.RichForm{Title: " Espresso ", Price: "€14.90", URL: "https://shop.example/p", Replies: "Add to cart, Milder ,"}, true, 2, ""},
		{"replies with a message", console.RichForm{Text: "Which grind?", Replies: "Fine,Coarse"}, false, 2, ""},
		{"replies alone", console.RichForm{Replies: "Yes,No"}, false, 0, parley.EInvalid},
		{"nothing", console.RichForm{Text: "hi"}, false, 0, parley.EInvalid},
		{"a card without a title", console.RichForm{Price: "€1"}, false, 0, parley.EInvalid},
		{"a bad link", console.RichForm{Title: "T", URL: "javascript:alert(1)"}, false, 0, parley.EInvalid},
		{"too many replies", console.RichForm{Text: "x", Replies: "1,2,3,4,5,6"}, false, 0, parley.ETooLarge},
	} {
		card, replies, err := tc.f.Frame()
		if code := parley.ErrorCode(err); code != tc.code || (card != nil) != tc.card || len(replies) != tc.replies {
			t.Errorf("%s: card %+v, replies %q, err %v", tc.name, card, replies, err)
		}
	}
}

func TestSiteFormMessages(t *testing.T) {
	for _, tc := range []struct {
		typed string
		want  int
		code  string
	}{{"", 0, ""}, {"0", -1, ""}, {"15", 15, ""}, {"61", 0, parley.EInvalid}, {"x", 0, parley.EInvalid}, {"-3", 0, parley.EInvalid}} {
		f := console.NewSiteForm(parley.Site{Name: "Shop", Color: "#123456"}, "UTC")
		f.EditMinutes, f.TypingPreview = tc.typed, true
		s, err := f.Site(parley.Site{ID: "shop"})
		if code := parley.ErrorCode(err); code != tc.code || err == nil && (s.EditMinutes != tc.want || !s.TypingPreview) {
			t.Errorf("%q: %d, preview %v, %v; want %d, %s", tc.typed, s.EditMinutes, s.TypingPreview, err, tc.want, tc.code)
		}
	}
	// And back: what the form shows for a site.
	for n, want := range map[int]string{0: "", -1: "0", 10: "10"} {
		if got := console.NewSiteForm(parley.Site{EditMinutes: n}, "UTC").EditMinutes; got != want {
			t.Errorf("EditMinutes %d shows %q, want %q", n, got, want)
		}
	}
}
