package web

import (
	"bytes"
	"compress/gzip"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
	"github.com/parley-chat/parley/widget/precompress"
)

// widgetTmpl is the widget's page, already drawn: the panel the wasm app
// draws first (app/visitor/panel.go, the same ids and classes, so the
// stylesheet applies and the app replaces it without a jump), with a
// composer that works before the app (js/preapp.js). Everything the first
// paint needs is in the page — the stylesheet, storage.js and preapp.js
// inline (the scripts under CSP hashes) — so that on a slow network the
// chat is usable after one round trip. go-app mounts its root component
// on the body's first element: the panel's div, which it replaces. Its
// loading overlay stays hidden: the page is not blank while the wasm loads.
var widgetTmpl = template.Must(template.New("widget").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"{{if .Theme}} data-theme="{{.Theme}}"{{end}}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{{.Title}}</title>
{{- if .Base}}
<meta name="{{.BaseName}}" content="{{.Base}}">
{{- end}}
<meta name="{{.SettingsName}}" content="{{.Settings}}">
<link rel="icon" href="{{.Icon}}">
<style>{{.CSS}}</style>
<link rel="preload" href="{{.Wasm}}" as="fetch" type="application/wasm" crossorigin>
<script>{{.Storage}}</script>
<script defer src="{{.ExecJS}}"></script>
<script defer src="{{.AppJS}}"></script>
</head>
<body><div id="parley" class="widget widget-prerendered" role="main"{{if .Color}} style="--parley-color: {{.Color}}; --parley-on-color: {{.OnColor}};"{{end}} data-site="{{.Site}}"{{if .Origin}} data-origin="{{.Origin}}"{{end}} data-max="{{.Max}}" data-sending="{{.Sending}}">
<div class="widget-header"><h1 class="widget-title">{{.Heading}}</h1>
{{- if .Origin}}<button id="close" class="widget-close" type="button" aria-label="{{.CloseLabel}}" title="{{.CloseTitle}}">×</button>{{else}}<span class="widget-close-none"></span>{{end -}}
<span class="widget-agent-none"></span>
{{- if .Hours}}<p id="hours" class="widget-hours" role="status">{{.Hours}}</p>{{else}}<span class="widget-hours-none"></span>{{end -}}
<span class="widget-back-none"></span></div>
<span class="banner-none"></span>
<div id="scroller" class="widget-body"><div class="intro">{{.Intro}}</div><div id="messages" class="messages" aria-live="polite"></div>
{{- if .Expect}}<div id="wait" class="wait expect" role="status" aria-live="polite">{{.Expect}}</div>{{else}}<div id="wait" class="wait wait-none" role="status" aria-live="polite"></div>{{end -}}
{{- if .Away}}<p id="away-message" class="away-message">{{.Away}}</p>{{else}}<span class="away-message-none"></span>{{end -}}
<span class="surge-none"></span></div>
<div class="typing-slot" aria-live="polite"><span class="typing-none"></span></div>
<span class="notice-none"></span>
{{- if .Closed}}<div id="closed" class="closed-notice">{{.Hours}}</div>{{else -}}
<div class="composer composer-empty"><textarea id="composer" class="composer-input" rows="1" placeholder="{{.Placeholder}}" aria-label="{{.MessageLabel}}"{{if .Wait}} disabled{{end}}></textarea><span class="composer-count" aria-live="polite"></span><button id="send" class="composer-send" type="button" aria-label="{{.SendLabel}}" title="{{.SendTitle}}"{{if .Wait}} disabled{{end}}><svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9z"/></svg></button><span class="completions-none"></span><span class="composer-attach-none"></span><div class="composer-file-status composer-file-status-none" role="status" aria-live="polite"></div></div>
{{- end}}
{{- if .Preview}}<p id="preview-notice" class="preview-notice">{{.Preview}}</p>{{else}}<span class="preview-none"></span>{{end -}}
<span class="transcript-none"></span>
<div class="widget-footer">{{.Footer}}</div></div><aside id="app-wasm-loader" class="goapp-app-info" style="display:none"><img id="app-wasm-loader-icon" alt="" src="{{.Icon}}"><p id="app-wasm-loader-label"></p></aside>
<script>{{.PreApp}}</script>
</body>
</html>
`))

// widgetPage is what widgetTmpl fills in.
type widgetPage struct {
	Lang, Title, Icon, Wasm, ExecJS, AppJS string
	// Theme is the site's (data-theme); Base the public URL's path
	// prefix, for the app (parley.BasePathMeta).
	Theme, Base, BaseName, Footer          string
	Settings, SettingsName                 string
	CSS                                    template.CSS
	Storage, PreApp                        template.JS
	Site, Origin                           string
	Color, OnColor                         template.CSS
	Max                                    int
	Heading, Intro, Hours, Expect, Preview string
	// Away is the shop's own away message while Hours says it is closed
	// or away (visitor.AwayMessage).
	Away string
	// Closed: the site is closed and hides its chat; Wait: the app must
	// ask first (the pre-chat or offline form), so the composer waits,
	// disabled, saying it is loading.
	Closed, Wait                                 bool
	Placeholder, MessageLabel                    string
	SendLabel, SendTitle, CloseLabel, CloseTitle string
	Sending                                      string
}

// widgetPage draws the widget's page, titled title, for a visitor of
// language lang: origin is the shop's ("" on the hosted page), ws the site's settings as
// the app reads them.
func (a *Assets) widgetPage(lang i18n.Lang, title, siteID, origin string, ws parley.WidgetSettings, settings []byte, now time.Time) []byte {
	closed, open := visitor.TeamClosedMode(ws, "", now)
	p := widgetPage{
		Lang:         string(lang),
		Theme:        ws.Theme,
		Base:         a.base,
		BaseName:     parley.BasePathMeta,
		Footer:       lang.T("Powered by Parley"),
		Title:        title,
		Icon:         a.url(a.icons["icon-192.png"]),
		Wasm:         a.url(a.widget.wasm),
		ExecJS:       a.url(a.execJS),
		AppJS:        a.url(a.widget.appJS),
		Settings:     string(settings),
		SettingsName: parley.WidgetSettingsMeta,
		CSS:          template.CSS(a.widget.css),
		Storage:      template.JS(a.storage.raw.data),
		PreApp:       template.JS(a.preapp),
		Site:         siteID,
		Origin:       origin,
		Max:          parley.DefaultLimits.MaxTextRunes,
		Heading:      ws.Title,
		Intro:        ws.WelcomeByLang.In(string(lang), ws.Welcome),
		Hours:        visitor.HeaderIn(lang, closed, open, now),
		Closed:       closed == parley.OfflineHide,
		Wait:         visitor.ClosedForm(ws.PreChat, closed) != nil,
		Placeholder:  lang.T("Write a message…"),
		MessageLabel: lang.T("Message"),
		SendLabel:    lang.T("Send"),
		SendTitle:    lang.T("Send (Enter)"),
		CloseLabel:   lang.T("Close chat"),
		CloseTitle:   lang.T("Close"),
		Sending:      lang.T("Sending…"),
	}
	p.Away = visitor.AwayMessage(ws, lang, p.Hours)
	if p.Heading == "" {
		p.Heading = lang.T(visitor.DefaultTitle)
	}
	if p.Intro == "" {
		p.Intro = lang.T(visitor.IntroText)
	}
	if closed == "" {
		p.Expect = lang.T(visitor.ExpectText)
	}
	if p.Wait {
		p.Placeholder = lang.T("Loading…")
	}
	if ws.TypingPreview && !p.Wait && !p.Closed {
		p.Preview = lang.T(visitor.PreviewText)
	}
	if visitor.ValidColor(ws.Color) {
		bg, fg := parley.Readable(ws.Color)
		p.Color, p.OnColor = template.CSS(bg), template.CSS(fg)
	}
	var b bytes.Buffer
	if err := widgetTmpl.Execute(&b, p); err != nil {
		panic("web: widget page template: " + err.Error()) // static template, checked strings
	}
	return b.Bytes()
}

// writePage writes an HTML page, gzipped when the browser takes it: the
// widget's page carries its stylesheet, five times smaller compressed.
func writePage(w http.ResponseWriter, r *http.Request, page []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if !precompress.Accepts(r, "gzip") {
		h.Set("Content-Length", strconv.Itoa(len(page)))
		w.Write(page)
		return
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	zw.Write(page)
	zw.Close()
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}

// widgetCSP is pageCSP for the widget's page, whose inline scripts are
// allowed by their hashes.
func (a *Assets) widgetCSP(ancestors string) string {
	return strings.Replace(pageCSP(ancestors), "script-src 'self' 'wasm-unsafe-eval'",
		"script-src 'self' 'wasm-unsafe-eval' "+strings.Join(a.inlineHashes, " "), 1)
}
