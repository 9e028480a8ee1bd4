package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// TestWidgetPageAnnouncements: the widget page carries the announcements
// that have not ended, their windows resolved in the site's zone; the
// settings API refuses a bad one with a clear message.
func TestWidgetPageAnnouncements(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, Assets: testAssets(t)})
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)

	site, _ := env.db.Site(env.site.ID)
	site.Routing.Hours.Zone = "Europe/Warsaw"
	site.Announcements = []parley.Announcement{{Text: "Ended", Until: "2001-01-01"}, {Text: "Bad", Link: "javascript:alert(1)"}}
	status, body := env.api(t, ann, "PUT", "/api/sites/"+site.ID, site, nil)
	if status != http.StatusBadRequest {
		t.Fatalf("a javascript: link: status %d %s, want 400", status, body)
	}
	site.Announcements[1] = parley.Announcement{Text: "Winter sale", From: "2026-12-01", Until: "2099-12-24", PagePattern: "/p/*", Teaser: true}
	site.Contact = parley.Contact{Email: "help@shop.example"}
	if status, body := env.api(t, ann, "PUT", "/api/sites/"+site.ID, site, nil); status != http.StatusOK {
		t.Fatalf("PUT site: %d %s", status, body)
	}
	ws := widgetSettings(t, env, site.ID)
	if len(ws.Announcements) != 1 {
		t.Fatalf("announcements %+v, want only the one not ended", ws.Announcements)
	}
	a := ws.Announcements[0]
	warsaw, _ := time.LoadLocation("Europe/Warsaw")
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, warsaw).UnixMilli(); a.Start != want || a.Text != "Winter sale" || a.Page != "/p/*" {
		t.Errorf("announcement %+v, want start %d", a, want)
	}
}
