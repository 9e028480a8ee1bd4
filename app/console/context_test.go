package console_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

// TestContextPanel: the visitor's page shows its real host and path, never
// the title it chose; a cart link that is not http(s) is not a link; the
// visitor's local time is now at their offset.
func TestContextPanel(t *testing.T) {
	p := &console.ContextPanel{Now: t0, Conv: parley.Conversation{ID: 7}, State: &console.VisitorState{Loaded: true, Details: console.VisitorDetails{
		Visitor: parley.Visitor{ID: 30, Name: "Vera", Email: "vera@example.com"},
		Context: parley.VisitorContext{
			Pages:      []parley.PageVisit{{URL: "https://shop.example/p/1?x=1", Title: "Your bank: log in here", At: t0}},
			Referrer:   "https://www.google.com/search?q=mugs",
			Browser:    "Firefox 133",
			OS:         "Linux",
			TimeZone:   "Asia/Kolkata",
			UTCOffset:  330,
			Attributes: map[string]string{"plan": "<b>gold</b>"},
			Cart:       &parley.Cart{Items: []parley.CartItem{{Name: "Mug", Qty: 2, Price: "9.50", URL: "javascript:alert(1)"}}, Total: "19.00", Currency: "EUR"},
		},
		Conversations: []console.PastConversation{{ID: 7}, {ID: 3, Status: parley.StatusResolved, Created: t0.Add(-48 * time.Hour), LastText: "thanks"}},
	}}}
	load(t, p)
	match(t, app.Text("Vera <vera@example.com>"), p, 0, 1, 0, 1, 0, 0)
	match(t, app.Text("shop.example/p/1"), p, 0, 1, 1, 1, 0)
	match(t, app.Text("www.google.com"), p, 0, 1, 2, 1, 0)
	match(t, app.Text("Firefox 133 on Linux"), p, 0, 1, 3, 1, 0)
	match(t, app.Text("15:30 (Asia/Kolkata, UTC+5:30)"), p, 0, 1, 4, 1, 0)
	match(t, app.Text("<b>gold</b>"), p, 0, 3, 1, 0)
	match(t, app.Span().Class("cart-name"), p, 0, 5, 0, 0)
}

func TestLocalTime(t *testing.T) {
	for _, tc := range []struct {
		offset int
		zone   string
		want   string
	}{
		{0, "", "10:00 (UTC+0)"},
		{-180, "America/Sao_Paulo", "07:00 (America/Sao_Paulo, UTC-3)"},
		{-570, "", "00:30 (UTC-9:30)"},
	} {
		if got := console.LocalTime(t0, tc.offset, tc.zone); got != tc.want {
			t.Errorf("LocalTime(%d, %q) = %q, want %q", tc.offset, tc.zone, got, tc.want)
		}
	}
}

func TestCardOfCartLine(t *testing.T) {
	for _, tc := range []struct {
		it       parley.CartItem
		currency string
		want     parley.Card
	}{
		{parley.CartItem{Name: "Espresso", Qty: 2, Price: "9.50", URL: "https://shop.example/e"}, "EUR", parley.Card{Title: "Espresso", Price: "9.50 EUR", URL: "https://shop.example/e"}},
		{parley.CartItem{Name: "Filter", Qty: 1, URL: "javascript:alert(1)"}, "EUR", parley.Card{Title: "Filter"}},
		{parley.CartItem{Name: "Mug", Qty: 1, Price: "12"}, "", parley.Card{Title: "Mug", Price: "12"}},
	} {
		if got := console.CardOf(tc.it, tc.currency); *got != tc.want {
			t.Errorf("CardOf(%+v) = %+v, want %+v", tc.it, *got, tc.want)
		}
	}
}
