package web_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// widgetSettings fetches the widget page of site as the loader's iframe
// does, and decodes the settings its meta tag carries.
func widgetSettings(tb testing.TB, env *sockEnv, site string) parley.WidgetSettings {
	tb.Helper()
	resp, err := http.Get(env.url + "/chat/" + site + "?origin=https%3A%2F%2Fshop.example")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /chat/%s: %d\n%s", site, resp.StatusCode, body)
	}
	m := regexp.MustCompile(`<meta name="` + parley.WidgetSettingsMeta + `" content="([^"]*)">`).FindSubmatch(body)
	if m == nil {
		tb.Fatalf("widget page without the settings meta:\n%s", body)
	}
	var ws parley.WidgetSettings
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &ws); err != nil {
		tb.Fatalf("settings meta %q: %v", m[1], err)
	}
	return ws
}

func TestWidgetPageTellsWhetherTheSiteIsOpen(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, Assets: testAssets(t),
		Mail: web.MailConfig{Sender: &web.DemoMailbox{}, Domain: "chat.example"}})

	// Nobody online: away, in the default offline mode.
	ws := widgetSettings(t, env, env.site.ID)
	if ws.Open == nil || ws.Open.Open || !ws.Open.Away || ws.Open.Text != parley.AwayText || ws.Offline != parley.OfflineForm || !ws.Mail {
		t.Errorf("nobody online: open %+v, offline %q, mail %v; want away, form, true", ws.Open, ws.Offline, ws.Mail)
	}

	// Without hours and with an agent online the site is open: the widget
	// hears nothing of it but the offline mode, for when it closes.
	env.newAgent(t, "ann", 0)
	ws = widgetSettings(t, env, env.site.ID)
	if ws.Open != nil || ws.Offline != parley.OfflineForm || !ws.Mail {
		t.Errorf("no hours: open %+v, offline %q, mail %v; want nil, form, true", ws.Open, ws.Offline, ws.Mail)
	}

	// A schedule without open times is closed, with nothing in sight.
	site := env.site
	site.Routing.Hours = parley.Hours{Enabled: true, Zone: "UTC"}
	site.Routing.Offline = parley.OfflineEmail
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ws = widgetSettings(t, env, site.ID)
	if ws.Open == nil || ws.Open.Open || ws.Open.Text != "We're closed at the moment." {
		t.Errorf("closed: open %+v; want closed, saying so", ws.Open)
	}
	if got, want := ws.Offline, parley.OfflineEmail; got != want {
		t.Errorf("offline = %q, want %q", got, want)
	}

	// Open around the clock, with the default offline mode.
	for d := range site.Routing.Hours.Week {
		site.Routing.Hours.Week[d] = []parley.Span{{From: 0, To: 24 * 60}}
	}
	site.Routing.Offline = ""
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ws = widgetSettings(t, env, site.ID)
	if ws.Open == nil || !ws.Open.Open || ws.Open.Text != "" {
		t.Errorf("open: %+v; want open, no text", ws.Open)
	}
	if got, want := ws.Offline, parley.OfflineForm; got != want {
		t.Errorf("offline = %q, want %q", got, want)
	}
}

func TestWidgetPageSaysWhenMailIsOff(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, Assets: testAssets(t)})
	if ws := widgetSettings(t, env, env.site.ID); ws.Mail {
		t.Error("mail = true on a server without a sender")
	}
}

// siteOpen asks what a hide-mode loader asks: GET /s/{site}/open.
func siteOpen(tb testing.TB, env *sockEnv, site string) (int, http.Header, string) {
	tb.Helper()
	resp, err := http.Get(env.url + "/s/" + site + "/open")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// TestSiteOpenForTheLoader: the loader of a site that hides its chat
// learns whether it answers now, from any origin, and nothing more; an
// unknown site is a clear 404.
func TestSiteOpenForTheLoader(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	code, h, body := siteOpen(t, env, env.site.ID)
	if code != http.StatusOK || body != `{"open":false}`+"\n" || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Content-Type") != "application/json" {
		t.Errorf("nobody online: %d %q %v; want 200 {\"open\":false} for any origin", code, body, h)
	}
	env.newAgent(t, "bob", 1)
	deadline := time.Now().Add(stepTimeout)
	for {
		if _, _, body = siteOpen(t, env, env.site.ID); body == `{"open":true}`+"\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Bob online: %q, want open", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, bad := range []string{"nope", strings.Repeat("x", 300), "%00"} {
		if code, _, body := siteOpen(t, env, bad); code != http.StatusNotFound || !strings.Contains(body, "not found") {
			t.Errorf("site %.20q: %d %q, want 404 saying so", bad, code, body)
		}
	}
}
