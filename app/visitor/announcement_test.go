package visitor_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func TestPanelAnnouncement(t *testing.T) {
	b := &visitor.AnnouncementBanner{Lang: i18n.PL, Text: "<b>Sale</b> until Sunday", Link: "https://shop.example/sale"}
	p := &visitor.Panel{Now: t0, Announcement: b}
	load(t, p)
	match(t, app.Section().ID(visitor.AnnouncementID).Class("announcement").Aria("label", "Ogłoszenie"), p, 0, slotAnnouncement, 0)
	// The shop's text stays text; the link opens apart from the chat.
	match(t, app.Text("<b>Sale</b> until Sunday"), p, 0, slotAnnouncement, 0, 0, 0, 0)
	match(t, app.A().Class("announcement-link").Href("https://shop.example/sale").Target("_blank").Rel("noopener noreferrer"),
		p, 0, slotAnnouncement, 0, 0, 1)
	match(t, app.Text("Dowiedz się więcej"), p, 0, slotAnnouncement, 0, 0, 1, 0)
	match(t, app.Button().Class("announcement-close").Type("button").Aria("label", "Zamknij ogłoszenie").
		Title("Zamknij ogłoszenie").OnClick(func(app.Context, app.Event) {}), p, 0, slotAnnouncement, 0, 1)

	// A link that is not http(s) is not made.
	p = &visitor.Panel{Now: t0, Announcement: &visitor.AnnouncementBanner{Text: "x", Link: "javascript:alert(1)"}}
	load(t, p)
	match(t, app.Span().Class("announcement-link-none"), p, 0, slotAnnouncement, 0, 0, 1)

	p = &visitor.Panel{Now: t0}
	load(t, p)
	match(t, app.Span().Class("announcement-none"), p, 0, slotAnnouncement)
}

func TestHomeAnnouncement(t *testing.T) {
	h := &visitor.HomeView{Now: t0, Announcement: &visitor.AnnouncementBanner{Text: "Closed on Monday"}}
	load(t, h)
	match(t, app.Section().ID(visitor.AnnouncementID).Class("announcement").Aria("label", "Announcement"), h, 0, homeAnnouncement, 0)
	match(t, app.Text("Closed on Monday"), h, 0, homeAnnouncement, 0, 0, 0, 0)
}

func TestCurrentAnnouncementSkipsDismissed(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	list := []parley.AnnouncementView{
		parley.Announcement{Text: "Products", PagePattern: "/products/*"}.View(time.UTC),
		parley.Announcement{Text: "Later", From: "2026-12-20"}.View(time.UTC),
		parley.Announcement{Text: "Everywhere"}.View(time.UTC),
	}
	for _, tt := range []struct {
		path      string
		dismissed map[string]bool
		want      string
	}{
		{"/products/tea", nil, "Products"},
		{"/cart", nil, "Everywhere"},
		{"", nil, "Everywhere"},
		{"/products/tea", map[string]bool{list[0].ID: true}, "Everywhere"},
		{"/cart", map[string]bool{list[2].ID: true}, ""},
	} {
		v, ok := visitor.CurrentAnnouncement(list, now, tt.path, tt.dismissed)
		if v.Text != tt.want || ok != (tt.want != "") {
			t.Errorf("path %q, dismissed %v: got %q %v, want %q", tt.path, tt.dismissed, v.Text, ok, tt.want)
		}
	}
}
