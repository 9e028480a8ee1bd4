package web_test

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// widgetPageHTML fetches the widget page of site as the loader's iframe
// does, in language lang, and returns its CSP and its HTML.
func widgetPageHTML(tb testing.TB, env *sockEnv, site, lang string) (csp, page string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.url+"/chat/"+site+"?origin=https%3A%2F%2Fshop.example", nil)
	req.Header.Set("Accept-Language", lang)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip: the test reads what went
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") != "gzip" {
		tb.Errorf("widget page sent with Content-Encoding %q to a browser that takes gzip", resp.Header.Get("Content-Encoding"))
	} else {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			tb.Fatal(err)
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /chat/%s: %d\n%s", site, resp.StatusCode, b)
	}
	return resp.Header.Get("Content-Security-Policy"), string(b)
}

// TestWidgetPageArrivesDrawn: the widget's page is the panel the app
// draws, with the app's ids, in the visitor's language, its composer
// working when nothing has to be asked first; its inline scripts are
// allowed by their hashes and by nothing looser.
func TestWidgetPageArrivesDrawn(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, Assets: testAssets(t)})
	env.newAgent(t, "ann", 0) // the site answers

	csp, page := widgetPageHTML(t, env, env.site.ID, "pl-PL,pl;q=0.9,en;q=0.5")
	for _, want := range []string{
		`<html lang="pl" data-theme="auto">`,
		`<div id="parley" class="widget widget-prerendered"`,
		`data-origin="https://shop.example"`,
		`<h1 class="widget-title">`,
		`<div id="messages" class="messages"`,
		`<textarea id="composer" class="composer-input" rows="1"`,
		`<button id="send" class="composer-send"`,
		`<button id="close" class="widget-close"`,
		`class="wait expect"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("widget page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, `id="composer" class="composer-input" rows="1" placeholder="Loading…"`) || strings.Contains(page, " disabled") {
		t.Errorf("an open site without a form: the composer waits for the app:\n%s", page)
	}
	if strings.Contains(page, `<link rel="stylesheet"`) || strings.Contains(page, "<script src=") {
		t.Errorf("the page waits for a stylesheet or a script before its first paint:\n%s", page)
	}
	scripts, _, _ := strings.Cut(csp[strings.Index(csp, "script-src"):], ";")
	if strings.Contains(scripts, "unsafe-inline") || !strings.HasPrefix(scripts, "script-src 'self' 'wasm-unsafe-eval' 'sha256-") {
		t.Errorf("CSP %q: want scripts by hash", csp)
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(inline) != 2 {
		t.Fatalf("%d inline scripts, want 2 (storage fallback, pre-app)", len(inline))
	}
	for _, s := range inline {
		sum := sha256.Sum256([]byte(s[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("an inline script's hash %s is not in the CSP %q: the browser would refuse it", h, csp)
		}
	}

	// A pre-chat form first: the app asks it, the composer waits.
	site := env.site
	site.Routing.PreChat = parley.PreChat{Enabled: true, Email: parley.FieldRequired}
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	_, page = widgetPageHTML(t, env, site.ID, "en")
	if !strings.Contains(page, `placeholder="Loading…"`) || !strings.Contains(page, `aria-label="Message" disabled`) {
		t.Errorf("with a pre-chat form the composer must wait for the app, disabled:\n%s", page)
	}

	// Closed, hiding its chat: the page says so, as the app does.
	site.Routing.PreChat = parley.PreChat{}
	site.Routing.Hours = parley.Hours{Enabled: true, Zone: "UTC"}
	site.Routing.Offline = parley.OfflineHide
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	_, page = widgetPageHTML(t, env, site.ID, "en")
	if !strings.Contains(page, `<div id="closed" class="closed-notice">`) || strings.Contains(page, `id="composer"`) {
		t.Errorf("closed and hiding its chat: want the closed notice, no composer:\n%s", page)
	}
}
