package visitor_test

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// slotAnnounce is the panel's live region, after the footer.
const slotAnnounce = slotTranscript + 2

// TestPanelAnnounces: the live region is always there (a region must exist
// before it speaks), visually hidden, and holds the newest incoming
// message; the message list itself is no live region.
func TestPanelAnnounces(t *testing.T) {
	p := &visitor.Panel{Now: t0}
	load(t, p)
	match(t, app.Div().ID(visitor.AnnounceID).Class("sr-only").Aria("live", "polite").Aria("atomic", "true"), p, 0, slotAnnounce)

	p = &visitor.Panel{Now: t0, Announce: "Ola: Yes, we ship to Lisbon"}
	load(t, p)
	match(t, app.Text("Ola: Yes, we ship to Lisbon"), p, 0, slotAnnounce, 0)
	match(t, app.Div().ID("messages").Class("messages"), p, 0, slotBody, 1, 0)
}

func TestAnnounceText(t *testing.T) {
	ola := parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ola"}
	for _, c := range []struct {
		lang i18n.Lang
		m    parley.Message
		want string
	}{
		{i18n.EN, parley.Message{From: ola, Text: "Yes, we ship to Lisbon"}, "Ola: Yes, we ship to Lisbon"},
		{i18n.FR, parley.Message{From: ola, Text: "Oui"}, "Ola : Oui"},
		{i18n.EN, parley.Message{From: ola, Files: []parley.File{{Name: "a.pdf"}, {Name: "b.png"}}}, "Ola: a.pdf, b.png"},
		{i18n.EN, parley.Message{From: parley.Author{Kind: parley.AuthorAgent}, Text: "Hi"}, "Agent: Hi"},
	} {
		if got := visitor.AnnounceText(c.lang, c.m); got != c.want {
			t.Errorf("AnnounceText(%s, %+v) = %q, want %q", c.lang, c.m, got, c.want)
		}
	}
}
