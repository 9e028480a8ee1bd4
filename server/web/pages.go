package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
	"github.com/parley-chat/parley/widget"
)

// shellTmpl is the HTML page of the console (the widget's is widgetTmpl,
// drawn: widgetpage.go). go-app's own page is not
// used: it hard-codes /app.js and /manifest.webmanifest at the root, which
// two apps on one origin cannot share. go-app mounts its root component on
// the body's first element, so the shell starts the body with a div.
var shellTmpl = template.Must(template.New("shell").Parse(`<!DOCTYPE html>
<html lang="en"{{if .Theme}} data-theme="{{.Theme}}"{{end}}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{{.Title}}</title>
<meta name="theme-color" content="#4f46e5">
{{- if .Base}}
<meta name="{{.BaseName}}" content="{{.Base}}">
{{- end}}
{{- if .Settings}}
<meta name="{{.SettingsName}}" content="{{.Settings}}">
{{- end}}
<link rel="icon" href="{{.Icon}}">
{{- if .Manifest}}
<link rel="manifest" href="{{.Manifest}}">
<link rel="apple-touch-icon" href="{{.TouchIcon}}">
{{- end}}
<link rel="stylesheet" href="{{.GoCSS}}">
<link rel="stylesheet" href="{{.Style}}">
<link rel="preload" href="{{.Wasm}}" as="fetch" type="application/wasm" crossorigin>
{{- if .Storage}}
<script src="{{.Storage}}"></script>
{{- end}}
<script defer src="{{.ExecJS}}"></script>
<script defer src="{{.AppJS}}"></script>
</head>
<body><div></div><aside id="app-wasm-loader" class="goapp-app-info"><img id="app-wasm-loader-icon" class="goapp-logo goapp-spin" alt="" src="{{.Icon}}"><p id="app-wasm-loader-label" class="goapp-label">Loading…</p></aside></body>
</html>
`))

type shellData struct {
	Title, Icon, Manifest, TouchIcon           string
	GoCSS, Style, Wasm, Storage, ExecJS, AppJS string
	// Settings is JSON for the app, in the meta tag SettingsName.
	Settings, SettingsName string
	// Theme is the widget's "auto", "light" or "dark" (assets/style/widget.css).
	Theme string
	// Base is the path Parley is served under, for the apps (ui.BasePath).
	Base, BaseName string
}

func (a *Assets) shell(app *appShell, title, manifest string, storage bool, settings []byte, theme string) []byte {
	d := shellData{
		Theme:        theme,
		Title:        title,
		Base:         a.base,
		BaseName:     parley.BasePathMeta,
		Settings:     string(settings),
		SettingsName: parley.WidgetSettingsMeta,
		Icon:         a.url(a.icons["icon-192.png"]),
		GoCSS:        a.url(a.goCSS),
		Style:        a.url(app.style),
		Wasm:         a.url(app.wasm),
		ExecJS:       a.url(a.execJS),
		AppJS:        a.url(app.appJS),
	}
	if manifest != "" {
		d.Manifest, d.TouchIcon = manifest, a.url(a.icons["icon-maskable-512.png"])
	}
	if storage {
		d.Storage = a.url(a.storage)
	}
	var b bytes.Buffer
	if err := shellTmpl.Execute(&b, d); err != nil {
		panic("web: shell template: " + err.Error()) // static template and strings: cannot fail
	}
	return b.Bytes()
}

// notBuilt answers for a wasm app that `make build` has not produced.
func notBuilt(w http.ResponseWriter, what string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, "The %s was not built into this binary. Run `make build` (or `make run`).\n", what)
}

// handleWidgetPage serves the iframe page of the visitor widget. Only the
// site's allowed origins may frame it: CSP frame-ancestors for the browser,
// and a check of the origin the loader passes, so a page elsewhere gets a
// clear refusal instead of a half-working chat.
//
// Without ?origin= it is the site's hosted chat page, framed by nobody:
// the chat full-page on Parley's own origin, where a resume link goes when
// the shop page of its conversation is unknown.
func (s *Server) handleWidgetPage(w http.ResponseWriter, r *http.Request) {
	site, err := s.store.Site(r.PathValue("site"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	origin := r.URL.Query().Get("origin")
	hosted := origin == ""
	if !hosted && !parley.OriginAllowed(site.AllowedOrigins, origin) {
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")
		s.pageError(w, r, parley.Errorf(parley.EForbidden, "The chat of site %q may not run on %q. Add it to the site's allowed origins in the console.", site.ID, origin))
		return
	}
	a := s.cfg.Assets
	if a == nil || !a.widget.built {
		notBuilt(w, "widget")
		return
	}
	h := w.Header()
	if hosted {
		h.Set("Content-Security-Policy", a.widgetCSP("'none'"))
		h.Set("X-Frame-Options", "DENY")
	} else {
		h.Set("Content-Security-Policy", a.widgetCSP(frameAncestors(site.AllowedOrigins)))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	ws := site.WidgetSettings()
	// Whether the site is open needs zone data and presence: computed
	// here, not in wasm. The offline mode goes along always: the site may
	// close while the page is open.
	ws.Open = s.avail.fresh(site).open
	ws.Offline = site.Routing.WhenClosed()
	ws.Mail = s.cfg.Mail.Sender != nil
	ws.Announcements = site.AnnouncementViews(time.Now(), siteZone(site))
	settings, _ := json.Marshal(ws)
	// The page arrives drawn, in the visitor's language, its composer
	// working before the wasm does (widgetpage.go).
	shopOrigin, _ := visitor.ParseOrigin(origin)
	// The language the loader asked for (data-lang, Parley('set')), else
	// the browser's.
	lang, ok := i18n.Parse(r.URL.Query().Get("lang"))
	if !ok {
		lang = i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	writePage(w, r, a.widgetPage(lang, site.Name+" · Chat", site.ID, shopOrigin, ws, settings, time.Now()))
}

// siteZone is the site's time zone, for its announcements' windows; UTC
// when the zone is unknown here.
func siteZone(site parley.Site) *time.Location {
	loc, err := time.LoadLocation(site.Zone())
	if err != nil {
		return time.UTC
	}
	return loc
}

// frameAncestors is the CSP source list for a site's allowed origins.
func frameAncestors(allowed []string) string {
	if len(allowed) == 0 {
		return "'none'"
	}
	return strings.Join(allowed, " ")
}

// pageCSP is the policy of both app pages. wasm needs 'wasm-unsafe-eval';
// go-app sets style attributes, hence 'unsafe-inline' for styles only.
// Images may come from any https origin: a product card's picture is on
// the shop's site or its CDN (images run no code).
func pageCSP(ancestors string) string {
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: https:; connect-src 'self'; media-src 'self' data:; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors " + ancestors
}

// handleConsolePage serves the agents' console, for every path under
// /console: the wasm app routes itself.
func (s *Server) handleConsolePage(w http.ResponseWriter, r *http.Request) {
	a := s.cfg.Assets
	if a == nil || !a.console.built {
		notBuilt(w, "console")
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", pageCSP("'none'"))
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(a.shell(&a.console, "Parley", a.base+"/console/manifest.webmanifest", false, nil, ""))
}

func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	a := s.cfg.Assets
	if a == nil {
		http.NotFound(w, r)
		return
	}
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose,omitempty"`
	}
	m := map[string]any{
		"name":             "Parley",
		"short_name":       "Parley",
		"description":      "Answer your shop's live chats.",
		"id":               a.base + "/console",
		"start_url":        a.base + "/console",
		"scope":            a.base + "/console",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      "#4f46e5",
		"icons": []icon{
			{Src: a.url(a.icons["icon-192.png"]), Sizes: "192x192", Type: "image/png"},
			{Src: a.url(a.icons["icon-512.png"]), Sizes: "512x512", Type: "image/png"},
			{Src: a.url(a.icons["icon-maskable-512.png"]), Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	json.NewEncoder(w).Encode(m)
}

// handleServiceWorker serves go-app's service worker for the console. It
// changes with every release, which is how the console learns of updates.
func (s *Server) handleServiceWorker(w http.ResponseWriter, r *http.Request) {
	a := s.cfg.Assets
	if a == nil || !a.console.built {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// Its scope is /console (the start URL), above its own directory.
	w.Header().Set("Service-Worker-Allowed", a.base+"/console")
	w.Write(a.console.worker)
}

// handleLoader serves the one script a shop page loads before intent, with
// the site's settings inlined so no second request is needed.
func (s *Server) handleLoader(w http.ResponseWriter, r *http.Request) {
	site, err := s.store.Site(r.PathValue("site"))
	if err != nil {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(statusFor(err))
		msg, _ := json.Marshal("Parley: " + parley.ErrorMessage(err))
		fmt.Fprintf(w, "console.warn(%s);\n", msg)
		return
	}
	if s.cfg.Assets == nil || s.cfg.Assets.loader == nil {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("console.warn(\"Parley: the widget loader was not built into this server. Run `make build`.\");\n"))
		return
	}
	// The launcher's words and the teasers in the browser's language: the
	// loader carries none of the other languages' (the 5 KB budget).
	lang := ""
	if l := i18n.MatchAcceptLanguage(r.Header.Get("Accept-Language")); l != i18n.EN {
		lang = string(l)
	}
	cfg := widget.ConfigIn(site, s.cfg.PublicURL, lang)
	if lang != "" {
		cfg.Words = i18n.LauncherWords(i18n.Lang(lang))
	}
	s.cfg.Assets.loader.Serve(w, r, cfg)
}

// handleSiteOpen answers the loader of a site that hides its launcher
// while closed: {"open": true|false}. Whether a shop answers chat now is
// public, and the loader asks from the shop's origin, without cookies.
func (s *Server) handleSiteOpen(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Access-Control-Allow-Origin", "*")
	site, err := s.store.Site(r.PathValue("site"))
	if err != nil {
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(statusFor(err))
		json.NewEncoder(w).Encode(map[string]string{"error": parley.ErrorMessage(err)})
		return
	}
	// A few seconds of cache absorb a busy shop's page views.
	h.Set("Cache-Control", "public, max-age=15")
	st := s.avail.state(site).open
	json.NewEncoder(w).Encode(map[string]bool{"open": st == nil || st.Open})
}

// Snippet is the script tag a site owner pastes into their pages.
func Snippet(publicURL, siteID string) string {
	id := template.HTMLEscapeString(siteID)
	return `<script src="` + template.HTMLEscapeString(publicURL) + "/s/" + url.PathEscape(siteID) + `/widget.js" data-site="` + id + `" async></script>`
}

// handleDemoShop serves the demo shop page with the snippet pasted in, for
// the demo site (`make run`). ShopURL pages elsewhere use the same handler.
func (s *Server) handleDemoShop(w http.ResponseWriter, r *http.Request) {
	s.serveShop(w, r, s.base()+"/demo/", r.PathValue("path"))
}

// ShopHandler serves the demo shop at the root of another listener, so that
// the shop and Parley are different sites, as in real life.
func (s *Server) ShopHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{path...}", func(w http.ResponseWriter, r *http.Request) {
		s.serveShop(w, r, "/", r.PathValue("path"))
	})
	return securityHeaders(mux)
}

// DemoSiteID is the site `make run` creates.
const DemoSiteID = "demo"

func (s *Server) serveShop(w http.ResponseWriter, r *http.Request, base, page string) {
	if s.cfg.Assets == nil {
		http.NotFound(w, r)
		return
	}
	data := map[string]any{"Base": base, "Title": "Shop"}
	switch page {
	case "":
	case "products/espresso":
		data["Product"], data["Title"] = "Espresso Blend", "Espresso Blend"
	case "products/filter":
		data["Product"], data["Title"] = "Ethiopia Guji", "Ethiopia Guji"
	default:
		http.NotFound(w, r)
		return
	}
	snippet := Snippet(s.cfg.PublicURL, DemoSiteID)
	data["Snippet"] = snippet
	data["SnippetHTML"] = template.HTML(snippet)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err := s.cfg.Assets.shop.Execute(w, data); err != nil {
		s.log.Warn("web: shop page", "err", err)
	}
}

// securityHeaders sets what every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}
