package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// httpEnv is a running server with a real store, a site and two agents.
type httpEnv struct {
	srv   *web.Server
	db    *store.DB
	url   string
	admin parley.Agent
	agent parley.Agent
}

const testPassword = "correct horse battery"

// testAssets builds assets from testFS.
func testAssets(tb testing.TB) *web.Assets {
	tb.Helper()
	a, err := web.LoadAssets(testFS(tb))
	if err != nil {
		tb.Fatalf("LoadAssets: %v", err)
	}
	return a
}

// testFS holds the repository's static files and stand-in build output:
// header and routing tests need no real wasm.
func testFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "assets", p))
		if err != nil {
			tb.Fatalf("reading asset: %v", err)
		}
		return b
	}
	return fstest.MapFS{
		"shop/index.html":             {Data: read("shop/index.html")},
		"icons/icon-192.png":          {Data: read("icons/icon-192.png")},
		"icons/icon-512.png":          {Data: read("icons/icon-512.png")},
		"icons/icon-maskable-512.png": {Data: read("icons/icon-maskable-512.png")},
		"style/widget.css":            {Data: []byte("body{margin:0}")},
		"style/console.css":           {Data: []byte("body{margin:0}")},
		"js/storage.js":               {Data: read("js/storage.js")},
		"js/preapp.js":                {Data: read("js/preapp.js")},
		"dist/widget.wasm":            {Data: bytes.Repeat([]byte("widget wasm stand-in "), 100)},
		"dist/console.wasm":           {Data: bytes.Repeat([]byte("console wasm stand-in "), 100)},
		"dist/loader.min.js":          {Data: []byte("(function(cfg){window.parleyCfg=cfg})")},
	}
}

func newHTTPEnv(tb testing.TB) *httpEnv {
	tb.Helper()
	return newHTTPEnvWith(tb, testAssets(tb))
}

// newHTTPEnvWith is newHTTPEnv serving assets a.
func newHTTPEnvWith(tb testing.TB, a *web.Assets) *httpEnv {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "parley.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	hash, err := web.HashPassword(testPassword)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	env := &httpEnv{db: db}
	if env.admin, err = db.CreateAgent(parley.Agent{Email: "ann@shop.example", Name: "Ann", Role: parley.AgentRoleAdmin}, hash); err != nil {
		tb.Fatal(err)
	}
	if env.agent, err = db.CreateAgent(parley.Agent{Email: "bob@shop.example", Name: "Bob", Role: parley.AgentRoleAgent}, hash); err != nil {
		tb.Fatal(err)
	}
	site := parley.Site{ID: "shop", Name: "Shop", AllowedOrigins: []string{"https://shop.example", "*.brand.example"}}
	if err := db.CreateSite(site); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetMember(site.ID, env.admin.ID, parley.SiteRoleOwner); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetMember(site.ID, env.agent.ID, parley.SiteRoleAgent); err != nil {
		tb.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env.srv = web.NewServer(web.Config{Addr: "127.0.0.1:0", Assets: a}, db, relay.NewHub(), logger)
	if err := env.srv.Open(); err != nil {
		tb.Fatal(err)
	}
	env.url = env.srv.URL()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		env.srv.Close(ctx)
		if err := db.Check(); err != nil {
			tb.Errorf("store check: %v", err)
		}
		db.Close()
	})
	return env
}

// do sends a request with an optional JSON body and decodes a JSON answer into out.
func (e *httpEnv) do(tb testing.TB, c *http.Client, method, path string, body any, hdr map[string]string, out any) *http.Response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return resp
}

type apiErr struct{ Code, Message string }

type sessionResp struct {
	Agent parley.Agent `json:"agent"`
	CSRF  string       `json:"csrf"`
}

// login returns a client holding the session cookie, and the CSRF token.
func (e *httpEnv) login(tb testing.TB, email string) (*http.Client, string) {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	var s sessionResp
	resp := e.do(tb, c, "POST", "/api/login", map[string]string{"email": email, "password": testPassword}, nil, &s)
	if resp.StatusCode != http.StatusOK || s.CSRF == "" {
		tb.Fatalf("login %s: status %d, csrf %q", email, resp.StatusCode, s.CSRF)
	}
	return c, s.CSRF
}

func TestLoginSetsHttpOnlySessionCookie(t *testing.T) {
	env := newHTTPEnv(t)
	resp := env.do(t, http.DefaultClient, "POST", "/api/login", map[string]string{"email": "ANN@shop.example ", "password": testPassword}, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "parley_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || len(cookie.Value) < 40 {
		t.Fatalf("session cookie = %+v; want HttpOnly, SameSite=Lax, a long random value", cookie)
	}

	c, csrf := env.login(t, "ann@shop.example")
	var s sessionResp
	if resp := env.do(t, c, "GET", "/api/session", nil, nil, &s); resp.StatusCode != 200 || s.Agent.ID != env.admin.ID || s.CSRF != csrf {
		t.Errorf("session = %d %+v; want the admin and the login's csrf token", resp.StatusCode, s)
	}
	if resp := env.do(t, c, "POST", "/api/logout", nil, map[string]string{"X-CSRF-Token": csrf}, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("logout status = %d", resp.StatusCode)
	}
	if resp := env.do(t, c, "GET", "/api/session", nil, nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session after logout: status %d, want 401", resp.StatusCode)
	}
}

func TestLoginRefusesWrongPasswordAndUnknownEmailAlike(t *testing.T) {
	env := newHTTPEnv(t)
	var wrong, unknown apiErr
	r1 := env.do(t, http.DefaultClient, "POST", "/api/login", map[string]string{"email": "ann@shop.example", "password": "nope-nope-nope"}, nil, &wrong)
	r2 := env.do(t, http.DefaultClient, "POST", "/api/login", map[string]string{"email": "who@shop.example", "password": "nope-nope-nope"}, nil, &unknown)
	if r1.StatusCode != 401 || r2.StatusCode != 401 || wrong != unknown || wrong.Code != parley.EUnauthorized {
		t.Errorf("wrong password: %d %+v; unknown email: %d %+v; want the same 401", r1.StatusCode, wrong, r2.StatusCode, unknown)
	}
	var bad apiErr
	if r := env.do(t, http.DefaultClient, "POST", "/api/login", "not an object", nil, &bad); r.StatusCode != 400 || bad.Code != parley.EInvalid {
		t.Errorf("malformed body: %d %+v; want 400 invalid", r.StatusCode, bad)
	}
}

func TestSiteUpdateNeedsCSRFSameOriginAndAdmin(t *testing.T) {
	env := newHTTPEnv(t)
	c, csrf := env.login(t, "ann@shop.example")
	site := parley.Site{Name: "Shop 2", AllowedOrigins: []string{"https://shop.example"}, Proactive: parley.Proactive{Enabled: true, DelaySeconds: 5, Message: "Hi!"}}

	var e apiErr
	if r := env.do(t, c, "PUT", "/api/sites/shop", site, nil, &e); r.StatusCode != 403 || e.Code != parley.EForbidden {
		t.Errorf("without CSRF token: %d %+v, want 403", r.StatusCode, e)
	}
	if r := env.do(t, c, "PUT", "/api/sites/shop", site, map[string]string{"X-CSRF-Token": csrf, "Origin": "https://evil.example"}, &e); r.StatusCode != 403 {
		t.Errorf("cross-origin: %d %+v, want 403", r.StatusCode, e)
	}
	bad := site
	bad.AllowedOrigins = []string{"https://x.example/path"}
	if r := env.do(t, c, "PUT", "/api/sites/shop", bad, map[string]string{"X-CSRF-Token": csrf}, &e); r.StatusCode != 400 || !strings.Contains(e.Message, "x.example") {
		t.Errorf("bad origin: %d %+v, want 400 naming the origin", r.StatusCode, e)
	}
	var got struct {
		parley.Site
		Snippet string `json:"snippet"`
	}
	if r := env.do(t, c, "PUT", "/api/sites/shop", site, map[string]string{"X-CSRF-Token": csrf, "Origin": env.url}, &got); r.StatusCode != 200 {
		t.Fatalf("admin with token: status %d", r.StatusCode)
	}
	stored, err := env.db.Site("shop")
	if err != nil || stored.Name != "Shop 2" || !stored.Proactive.Enabled {
		t.Errorf("stored site = %+v, %v", stored, err)
	}
	wantSnippet := `<script src="` + env.url + `/s/shop/widget.js" data-site="shop" async></script>`
	if got.Snippet != wantSnippet {
		t.Errorf("snippet = %s, want %s", got.Snippet, wantSnippet)
	}

	cb, csrfB := env.login(t, "bob@shop.example")
	if r := env.do(t, cb, "PUT", "/api/sites/shop", site, map[string]string{"X-CSRF-Token": csrfB}, &e); r.StatusCode != 403 {
		t.Errorf("non-admin: %d, want 403", r.StatusCode)
	}
	var sites []map[string]any
	if r := env.do(t, cb, "GET", "/api/sites", nil, nil, &sites); r.StatusCode != 200 || len(sites) != 1 || sites[0]["snippet"] != wantSnippet {
		t.Errorf("GET /api/sites as agent: %d %v", r.StatusCode, sites)
	}
	if r := env.do(t, http.DefaultClient, "GET", "/api/sites", nil, nil, &e); r.StatusCode != 401 {
		t.Errorf("GET /api/sites without session: %d, want 401", r.StatusCode)
	}
}

// TestWidgetPageOnlyForAllowedOrigins: the widget page may be framed by
// the site's allowed origins only; without an origin it is the hosted
// chat page, framed by nobody.
func TestWidgetPageOnlyForAllowedOrigins(t *testing.T) {
	env := newHTTPEnv(t)
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(env.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/chat/shop?origin=https%3A%2F%2Fa.brand.example")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "frame-ancestors https://shop.example *.brand.example") {
		t.Errorf("allowed origin: %d, CSP %q", resp.StatusCode, csp)
	}
	if !strings.Contains(body, `<html lang="en" data-theme="auto">`) {
		t.Errorf("widget page lacks the site's theme on <html>:\n%s", body)
	}
	if !strings.Contains(body, `<div id="parley" class="widget widget-prerendered"`) || !strings.Contains(body, `<textarea id="composer"`) ||
		!strings.Contains(body, "__parley") || !strings.Contains(body, "ParleyPreApp") || !strings.Contains(csp, "'sha256-") {
		t.Errorf("widget page lacks the drawn panel, its composer, or the inline storage fallback and pre-app script (CSP %q):\n%s", csp, body)
	}
	// Nobody is online: the site is away, in the default offline mode.
	if want := `<meta name="parley-site" content="{&#34;title&#34;:&#34;Shop&#34;,&#34;welcome&#34;:&#34;&#34;,&#34;color&#34;:&#34;&#34;,&#34;theme&#34;:&#34;auto&#34;,&#34;open&#34;:{&#34;open&#34;:false,&#34;text&#34;:&#34;We&#39;re away right now.&#34;,&#34;away&#34;:true},&#34;offline&#34;:&#34;form&#34;,&#34;editMinutes&#34;:5}">`; !strings.Contains(body, want) {
		t.Errorf("widget page lacks the site settings %s:\n%s", want, body)
	}

	resp, body = get("/chat/shop?origin=https%3A%2F%2Fevil.example")
	if resp.StatusCode != 403 || !strings.Contains(body, "evil.example") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("foreign origin: %d %q CSP %q; want 403 naming it, unframeable", resp.StatusCode, body, resp.Header.Get("Content-Security-Policy"))
	}
	if resp, _ = get("/chat/nosuchsite?origin=https%3A%2F%2Fshop.example"); resp.StatusCode != 404 {
		t.Errorf("unknown site: %d, want 404", resp.StatusCode)
	}

	// Without an origin it is the site's hosted chat page, framed by nobody.
	resp, body = get("/chat/shop")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(body, `<div id="parley" class="widget widget-prerendered"`) {
		t.Errorf("hosted chat page: %d, CSP %q, X-Frame-Options %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Frame-Options"))
	}
	if resp, _ = get("/chat/nosuchsite"); resp.StatusCode != 404 {
		t.Errorf("hosted page of an unknown site: %d, want 404", resp.StatusCode)
	}
}

func TestConsoleIsUnframeableInstallablePWA(t *testing.T) {
	env := newHTTPEnv(t)
	resp, err := http.Get(env.url + "/console/c/12")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("console page: %d, CSP %q, XFO %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Frame-Options"))
	}
	if !strings.Contains(string(body), `rel="manifest" href="/console/manifest.webmanifest"`) {
		t.Errorf("console page has no manifest link:\n%s", body)
	}

	var m struct {
		Start string `json:"start_url"`
		Icons []struct{ Src, Sizes, Type, Purpose string }
	}
	resp, err = http.Get(env.url + "/console/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	sizes := map[string]bool{}
	for _, ic := range m.Icons {
		sizes[ic.Sizes+ic.Purpose] = true
		r, err := http.Get(env.url + ic.Src)
		if err != nil || r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("icon %s: %v %v", ic.Src, err, r)
		}
		r.Body.Close()
	}
	if !sizes["192x192"] || !sizes["512x512"] || !sizes["512x512maskable"] || m.Start != "/console" {
		t.Errorf("manifest icons %v start %q; want 192, 512 and maskable 512, start /console", sizes, m.Start)
	}

	resp, err = http.Get(env.url + "/console/app-worker.js")
	if err != nil {
		t.Fatal(err)
	}
	worker, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(worker), `addEventListener("fetch"`) || strings.Contains(string(worker), "{{") {
		t.Errorf("service worker: %d\n%.300s", resp.StatusCode, worker)
	}
	// Its push handler shows Parley's pushes: a notification per chat
	// (the tag), opening the chat (the url).
	for _, want := range []string{`addEventListener("push"`, "tag: notification.tag", "notification.path || notification.url"} {
		if !strings.Contains(string(worker), want) {
			t.Errorf("service worker lacks %q", want)
		}
	}
}

func TestAssetsAreImmutableAndPrecompressed(t *testing.T) {
	env := newHTTPEnv(t)
	resp, err := http.Get(env.url + "/chat/shop?origin=https%3A%2F%2Fshop.example")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var appJS, wasm string
	for _, f := range strings.Split(string(page), `"`) {
		switch {
		case strings.HasPrefix(f, "/assets/widget-app."):
			appJS = f
		case strings.HasPrefix(f, "/assets/widget.") && strings.HasSuffix(f, ".wasm"):
			wasm = f
		}
	}
	if appJS == "" || wasm == "" {
		t.Fatalf("widget page names no app.js or wasm:\n%s", page)
	}

	fetch := func(path, enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", env.url+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	raw, rawBody := fetch(appJS, "identity")
	if raw.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || raw.Header.Get("Content-Encoding") != "" {
		t.Errorf("raw: Cache-Control %q, Content-Encoding %q", raw.Header.Get("Cache-Control"), raw.Header.Get("Content-Encoding"))
	}
	if strings.Contains(string(rawBody), "\ngoappInitServiceWorker();") {
		t.Error("the widget's app.js still registers go-app's service worker")
	}
	if !strings.Contains(string(rawBody), wasm) {
		t.Errorf("the widget's app.js does not load %s", wasm)
	}

	br, brBody := fetch(appJS, "gzip, deflate, br")
	dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(brBody)))
	if br.Header.Get("Content-Encoding") != "br" || err != nil || !bytes.Equal(dec, rawBody) || len(brBody) >= len(rawBody) {
		t.Errorf("br: encoding %q, decodes %v, %d→%d bytes", br.Header.Get("Content-Encoding"), err, len(rawBody), len(brBody))
	}
	gz, gzBody := fetch(appJS, "gzip")
	zr, err := gzip.NewReader(bytes.NewReader(gzBody))
	if err != nil || gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v %q", err, gz.Header.Get("Content-Encoding"))
	}
	if dec, _ := io.ReadAll(zr); !bytes.Equal(dec, rawBody) {
		t.Error("gzip body does not decode to the raw file")
	}
	if w, _ := fetch(wasm, "br"); w.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("wasm Content-Type = %q", w.Header.Get("Content-Type"))
	}
	if r, _ := fetch("/assets/widget.0000000000.wasm", "br"); r.StatusCode != 404 {
		t.Errorf("unknown asset: %d, want 404", r.StatusCode)
	}
}

func TestLoaderServesSiteConfig(t *testing.T) {
	env := newHTTPEnv(t)
	resp, err := http.Get(env.url + "/s/shop/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"site":"shop"`) || resp.Header.Get("ETag") == "" {
		t.Errorf("loader: %d ETag %q\n%s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	// The launcher's words follow the browser's language; English needs
	// none, and an unknown language gets English.
	for lang, want := range map[string]string{"pl-PL,pl;q=0.9": `"words":"Otwórz czat|nieprzeczytane"`, "ja": `"site":"shop"`, "en-GB": `"site":"shop"`} {
		req, _ := http.NewRequest(http.MethodGet, env.url+"/s/shop/widget.js", nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) || (lang != "pl-PL,pl;q=0.9" && strings.Contains(string(b), `"words"`)) {
			t.Errorf("loader for Accept-Language %q: want %s and no other words, got config %s", lang, want, b[max(0, len(b)-400):])
		}
		if v := resp.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") {
			t.Errorf("loader Vary %q: it depends on Accept-Language", v)
		}
	}
	resp, err = http.Get(env.url + "/s/nope/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.HasPrefix(string(body), "console.warn(") {
		t.Errorf("unknown site: %d %s; want 404 with a console warning", resp.StatusCode, body)
	}
}

func TestTranscriptAPIServesStoredMessagesInOrder(t *testing.T) {
	env := newHTTPEnv(t)
	v, err := env.db.CreateVisitor("shop", web.TokenHash(web.NewToken()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var conv uint64
	for i, text := range []string{"one", "two", "<script>three</script>"} {
		a, err := env.db.Append(ctx, store.Append{Site: "shop", Conv: conv, Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, ID: "m" + string(rune('0'+i)), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		conv = a.Conv.ID
	}
	c, _ := env.login(t, "bob@shop.example")
	var got struct{ Messages []parley.Frame }
	if r := env.do(t, c, "GET", "/api/conversations/"+itoa(conv)+"/messages?after=1", nil, nil, &got); r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	if len(got.Messages) != 2 || got.Messages[0].Seq != 2 || got.Messages[1].Text != "<script>three</script>" {
		t.Errorf("messages after 1 = %+v", got.Messages)
	}
	var e apiErr
	if r := env.do(t, c, "GET", "/api/conversations/999/messages", nil, nil, &e); r.StatusCode != 404 {
		t.Errorf("missing conversation: %d", r.StatusCode)
	}
	if r := env.do(t, c, "GET", "/api/conversations/"+itoa(conv)+"/messages?limit=0", nil, nil, &e); r.StatusCode != 400 {
		t.Errorf("limit=0: %d, want 400", r.StatusCode)
	}
	if r := env.do(t, http.DefaultClient, "GET", "/api/conversations/"+itoa(conv)+"/messages", nil, nil, &e); r.StatusCode != 401 {
		t.Errorf("without session: %d, want 401", r.StatusCode)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
