package web_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestRichMessages: an agent's product card and quick replies reach the
// visitor as sent and are stored; a visitor may send neither; bad cards
// and replies are refused with the send's id.
func TestRichMessages(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "shopper")
	conv := v.say(0, "v1", "Which beans for a moka pot?").Conv
	card := &parley.Card{Title: " Espresso Blend ", Price: "€14.90", URL: "https://shop.example/p/espresso", Image: "https://shop.example/img/espresso.jpg"}
	ann.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "a1", Conv: conv, Card: card, Replies: []string{"Add to cart", " Something milder "}})
	ann.ack("a1")
	got := v.until("the card", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "a1" })
	if got.Card == nil || got.Card.Title != "Espresso Blend" || got.Card.Price != "€14.90" || got.Text != "Espresso Blend" ||
		len(got.Replies) != 2 || got.Replies[1] != "Something milder" {
		t.Errorf("the visitor got %+v (card %+v)", got, got.Card)
	}
	if ms := env.stored(t, conv); ms[len(ms)-1].Card == nil || len(ms[len(ms)-1].Replies) != 2 {
		t.Errorf("stored %+v", ms[len(ms)-1])
	}
	// The visitor answers with a quick reply: a plain message.
	v.say(conv, "v2", "Add to cart")

	for _, tt := range []struct {
		by   *sockClient
		f    parley.Frame
		code string
	}{
		{v, parley.Frame{Type: parley.TypeSend, ID: "x1", Conv: conv, Text: "hi", Replies: []string{"Yes"}}, parley.EForbidden},
		{v, parley.Frame{Type: parley.TypeSend, ID: "x2", Conv: conv, Text: "hi", Card: &parley.Card{Title: "Mine"}}, parley.EForbidden},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x3", Conv: conv, Card: &parley.Card{Title: " "}}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x4", Conv: conv, Card: &parley.Card{Title: "T", URL: "javascript:alert(1)"}}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x5", Conv: conv, Card: &parley.Card{Title: "T", Image: "data:image/png;base64,AAAA"}}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x6", Conv: conv, Text: "pick", Replies: []string{"1", "2", "3", "4", "5", "6"}}, parley.ETooLarge},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x7", Conv: conv, Text: "pick", Replies: []string{strings.Repeat("y", 41)}}, parley.ETooLarge},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x8", Conv: conv, Text: "pick", Replies: []string{"ok\u0007"}}, parley.EInvalid},
		{ann, parley.Frame{Type: parley.TypeSend, ID: "x9", Conv: conv, Text: "pick", Replies: []string{" "}}, parley.EInvalid},
	} {
		tt.by.sendFrame(tt.f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != tt.f.ID {
			t.Errorf("%s %s: got %+v, want %s", tt.by.name, tt.f.ID, e, tt.code)
		}
	}
}
