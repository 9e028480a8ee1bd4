package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// GET /r/{token}: a resume link from an email. It shows the conversation
// as its visitor sees it, whole, read only, and says how to answer. (The
// issue asks for more: the widget on another device taking the
// conversation over. That is still to come; this page is what the link
// does until then.)

var resumePage = template.Must(template.New("resume").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:2rem auto;padding:0 1rem;color:#111}
header{background:{{.Color}};color:#fff;padding:1rem;border-radius:8px}
.m{margin:.6rem 0;padding:.6rem .8rem;border-radius:8px;background:#f3f4f6;white-space:pre-wrap}
.m.agent{background:#eef2ff}.who{font-size:12px;color:#555}.ev{text-align:center;color:#666;font-size:13px}</style></head>
<body><header><strong>{{.Shop}}</strong></header>
{{if .Problem}}<p role="alert">{{.Problem}}</p>{{else}}
<p>Your chat with {{.Shop}}. To answer, reply to the email this link came in.</p>
{{range .Lines}}{{if .Event}}<p class="ev">{{.Text}}</p>{{else}}<div class="m{{if .Agent}} agent{{end}}"><div class="who">{{.From}} · {{.At}}</div>{{.Text}}</div>{{end}}{{end}}
{{end}}</body></html>`))

type resumeLine struct {
	From, Text, At string
	Agent, Event   bool
}

func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	data := map[string]any{"Title": "Your chat", "Shop": "Parley", "Color": "#4f46e5"}
	conv, visitor, expires, ok := s.signer.ResumeTarget(r.PathValue("token"))
	c, err := s.store.Conversation(conv)
	if !ok || err != nil || c.Visitor != visitor {
		w.WriteHeader(http.StatusNotFound)
		data["Problem"] = "This link is not valid. Open the chat on the shop's site, or reply to the email."
		resumePage.Execute(w, data)
		return
	}
	site, err := s.store.Site(c.Site)
	if err == nil {
		data["Shop"], data["Title"] = site.Name, "Your chat with "+site.Name
		if ws := site.WidgetSettings(); ws.Color != "" {
			data["Color"] = ws.Color
		}
	}
	if time.Now().After(expires) {
		w.WriteHeader(http.StatusGone)
		data["Problem"] = "This link has expired. Reply to the email and we will answer there, with a new link."
		resumePage.Execute(w, data)
		return
	}
	var lines []resumeLine
	err = s.visitorEntries(c.ID, 0, 1000, func(f parley.Frame) {
		from := ""
		if f.From != nil {
			from = f.From.Name
			if f.From.Kind == parley.AuthorVisitor {
				from = "You"
			}
		}
		switch f.Kind {
		case parley.KindMessage:
			lines = append(lines, resumeLine{From: from, Text: f.Text, At: time.UnixMilli(f.At).UTC().Format("2 Jan 15:04 UTC"),
				Agent: f.From != nil && f.From.Kind != parley.AuthorVisitor})
		case parley.KindEvent:
			if f.Text != "" {
				lines = append(lines, resumeLine{Text: f.Text, Event: true})
			}
		}
	})
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		data["Problem"] = "The chat could not be read. Try again in a moment."
	}
	data["Lines"] = lines
	resumePage.Execute(w, data)
}
