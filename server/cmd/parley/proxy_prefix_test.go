package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// proxyPrefix is where the shop's reverse proxy serves Parley.
const proxyPrefix = "/chat"

// startBehindProxy runs the demo as a shop would behind its own domain: a
// reverse proxy (net/http/httputil, as Caddy's handle_path or nginx's
// proxy_pass with a trailing slash do) serves the demo shop at / and
// Parley at /chat/, stripping the prefix; Parley's public URL is
// http://127.0.0.1:PORT/chat. It returns Parley and the proxy's origin.
func startBehindProxy(tb testing.TB, edit func(*parley.Site)) (*Main, string) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	m := NewMain()
	m.Stdout = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Config = Config{
		Addr:         "127.0.0.1:0",
		DataDir:      tb.TempDir(),
		Demo:         true,
		ShopAddr:     "127.0.0.1:0",
		DemoPassword: browserAgentPass,
		PublicURL:    origin + proxyPrefix + "/",
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		ln.Close()
		tb.Fatalf("starting Parley: %v", err)
	}
	tb.Cleanup(func() { m.Close() })

	parleyURL, _ := url.Parse("http://" + m.Server.Addr())
	shopURL, _ := url.Parse(m.ShopURL)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetXForwarded()
		if rest, ok := strings.CutPrefix(r.In.URL.Path, proxyPrefix+"/"); ok {
			r.SetURL(parleyURL)
			r.Out.URL.Path, r.Out.URL.RawPath = "/"+rest, ""
			return
		}
		r.SetURL(shopURL)
	}}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })

	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		tb.Fatalf("demo site: %v", err)
	}
	// The shop and the chat are one origin now.
	site.AllowedOrigins = append(site.AllowedOrigins, origin)
	site.Routing.PreChat.Enabled = false
	if edit != nil {
		edit(&site)
	}
	if err := m.DB.PutSite(site); err != nil {
		tb.Fatalf("changing the demo site: %v", err)
	}
	return m, origin
}

// Every URL Parley generates carries the proxy's prefix and resolves
// through the proxy; the websocket works through it too.
func TestBehindProxyPrefix(t *testing.T) {
	m, origin := startBehindProxy(t, nil)
	if got, want := m.Server.URL(), origin+proxyPrefix; got != want {
		t.Fatalf("public URL %q, want %q", got, want)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(origin + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, string(b)
	}
	mustGet := func(path string) (*http.Response, string) {
		t.Helper()
		resp, body := get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s through the proxy: status %d, want 200", path, resp.StatusCode)
		}
		return resp, body
	}
	// Every URL a page names must be under the prefix and load through
	// the proxy.
	urlAttr := regexp.MustCompile(`(?:href|src|content)="(/[^"]*)"`)
	checkPage := func(path string, want int) string {
		t.Helper()
		_, body := mustGet(path)
		if !strings.Contains(body, `<meta name="parley-base" content="/chat">`) {
			t.Errorf("%s: no parley-base meta tag for the apps", path)
		}
		found := 0
		for _, m := range urlAttr.FindAllStringSubmatch(body, -1) {
			u := m[1]
			if u == proxyPrefix { // the parley-base meta tag
				continue
			}
			found++
			if !strings.HasPrefix(u, proxyPrefix+"/") {
				t.Errorf("%s names %q, outside %s/", path, u, proxyPrefix)
				continue
			}
			mustGet(u)
		}
		if found < want {
			t.Errorf("%s names %d URLs; want at least %d: its scripts, wasm and icon (and styles, which the drawn widget page inlines)", path, found, want)
		}
		return body
	}

	console := checkPage(proxyPrefix+"/console", 6)
	widgetPage := checkPage(proxyPrefix+"/chat/"+web.DemoSiteID+"?origin="+url.QueryEscape(origin), 4)

	// go-app's app.js, patched: the wasm and the service worker under the
	// prefix, and nothing at the root.
	appJS := regexp.MustCompile(`src="(/chat/assets/console-app\.[^"]+)"`).FindStringSubmatch(console)
	if appJS == nil {
		t.Fatalf("the console page names no console-app.js:\n%s", console)
	}
	_, js := mustGet(appJS[1])
	if !strings.Contains(js, `navigator.serviceWorker.register("/chat/console/app-worker.js", { scope: "/chat/console" })`) {
		t.Errorf("console app.js does not register the worker under /chat/console")
	}
	if !regexp.MustCompile(`"/chat/assets/console\.[0-9a-f]+\.wasm"`).MatchString(js) || strings.Contains(js, `"/assets/`) {
		t.Errorf("console app.js: want the wasm at /chat/assets/, nothing at /assets/")
	}
	if !strings.Contains(widgetPage, `data-theme="auto"`) {
		t.Errorf("the widget page lacks its theme")
	}

	// The service worker may control /chat/console.
	resp, _ := mustGet(proxyPrefix + "/console/app-worker.js")
	if got := resp.Header.Get("Service-Worker-Allowed"); got != proxyPrefix+"/console" {
		t.Errorf("Service-Worker-Allowed %q, want %q", got, proxyPrefix+"/console")
	}
	// The manifest's identity and icons.
	_, mf := mustGet(proxyPrefix + "/console/manifest.webmanifest")
	var manifest struct {
		ID, StartURL, Scope string
		Icons               []struct{ Src string }
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(mf), &raw); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	json.Unmarshal(raw["id"], &manifest.ID)
	json.Unmarshal(raw["start_url"], &manifest.StartURL)
	json.Unmarshal(raw["scope"], &manifest.Scope)
	json.Unmarshal(raw["icons"], &manifest.Icons)
	if manifest.ID != "/chat/console" || manifest.StartURL != "/chat/console" || manifest.Scope != "/chat/console" {
		t.Errorf("manifest id %q, start_url %q, scope %q; want /chat/console", manifest.ID, manifest.StartURL, manifest.Scope)
	}
	for _, ic := range manifest.Icons {
		if !strings.HasPrefix(ic.Src, proxyPrefix+"/assets/") {
			t.Errorf("manifest icon %q outside %s/assets/", ic.Src, proxyPrefix)
			continue
		}
		mustGet(ic.Src)
	}

	// The loader: its base, and the hosted chat and open-state URLs it
	// builds from it.
	_, loader := mustGet(proxyPrefix + "/s/" + web.DemoSiteID + "/widget.js")
	if want := `"base":"` + origin + proxyPrefix + `"`; !strings.Contains(loader, want) {
		t.Errorf("loader config lacks %s", want)
	}
	mustGet(proxyPrefix + "/s/" + web.DemoSiteID + "/open")

	// Redirects stay under the prefix.
	resp, _ = get(proxyPrefix + "/")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != proxyPrefix+"/console" {
		t.Errorf("GET %s/: %d to %q, want 302 to %s/console", proxyPrefix, resp.StatusCode, loc, proxyPrefix)
	}
	// The snippet and the shop page served by Parley.
	_, shop := mustGet(proxyPrefix + "/demo/")
	if want := `src="` + origin + proxyPrefix + `/s/demo/widget.js"`; !strings.Contains(shop, want) {
		t.Errorf("the demo shop's snippet lacks %s", want)
	}

	// Log in through the proxy, from the proxy's origin, and open the
	// agent's websocket at ws://proxy/chat/ws.
	h := loginAt(t, origin+proxyPrefix, browserAgentEmail, browserAgentPass)
	h.Set("Origin", origin)
	ws := "ws" + strings.TrimPrefix(origin, "http") + proxyPrefix + "/ws"
	a := startFaultClient(t, ws, faultAgentHello(), h, nil)
	if !faultWaitFor(15*time.Second, func() bool { return a.online.Load() }) {
		t.Fatalf("the agent's socket at %s did not come online through the proxy", ws)
	}
}

// A public URL Parley could not build links from is refused at start.
func TestBadPublicURLRefused(t *testing.T) {
	m := NewMain()
	m.Stdout = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Config = Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), PublicURL: "shop.example/chat"}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "-public-url") || !strings.Contains(err.Error(), "http:// or https://") {
		t.Fatalf("Run with -public-url shop.example/chat: %v; want a refusal naming -public-url", err)
	}
}

// The shop and Parley on one domain, Parley at /chat/ behind the shop's
// proxy: the shop page loads the loader from the prefixed URL, the chat
// opens, a message goes to the agent's console (also under /chat/) and
// the answer comes back.
func TestBrowserBehindProxyPrefix(t *testing.T) {
	requireBrowserTests(t)
	_, origin := startBehindProxy(t, nil)
	b := newBrowser(t, nil)
	a := b.agentTab()
	consoleLogin(t, a, origin+proxyPrefix, browserAgentEmail, browserAgentPass)
	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page behind the proxy", chromedp.Navigate(origin+"/"))
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	// The chat is on the shop's own origin now: a same-origin iframe,
	// which the shop page's script reaches (there is no out-of-process
	// frame target to attach to).
	const doc = `document.querySelector('div[data-parley]').shadowRoot.querySelector('iframe').contentDocument`
	poll(t, v.ctx, 30*time.Second, "the widget's composer in the same-origin iframe", `(() => { try { return !!`+doc+`.querySelector('#composer') } catch (e) { return false } })()`, nil)
	var frameURL string
	step(t, v.ctx, 5*time.Second, "reading the iframe's URL", chromedp.Evaluate(doc+`.location.href`, &frameURL))
	if !strings.HasPrefix(frameURL, origin+proxyPrefix+"/chat/"+web.DemoSiteID) {
		t.Errorf("the chat iframe is at %q; want under %s", frameURL, origin+proxyPrefix+"/chat/")
	}
	question := "Is the chat behind the proxy? " + t.Name()
	step(t, v.ctx, 10*time.Second, "the visitor sends "+jsString(question), chromedp.Evaluate(`(() => {
		const d = `+doc+`;
		const c = d.querySelector('#composer');
		c.focus();
		c.value = `+jsString(question)+`;
		c.dispatchEvent(new Event('input', {bubbles: true}));
		d.querySelector('#send').click();
		return true;
	})()`, nil))
	openInboxItem(t, a, question)
	var path string
	step(t, a.ctx, 5*time.Second, "reading the console's URL", chromedp.Evaluate(`location.pathname`, &path))
	if !strings.HasPrefix(path, proxyPrefix+"/console/c/") {
		t.Errorf("the console shows the conversation at %q, want under %s/console/c/", path, proxyPrefix)
	}
	send(t, a.ctx, "the agent", "Yes, under /chat/.")
	poll(t, v.ctx, 15*time.Second, "the visitor to see the agent's answer",
		`[...`+doc+`.querySelectorAll('#messages .msg-agent .msg-text')].some(e => e.textContent.includes('under /chat/'))`, nil)
}
