package outbound

import (
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/i18n"
	// The emails' translations.
	_ "github.com/parley-chat/parley/app/i18n/mailtext"
	"github.com/parley-chat/parley/app/parley"
)

// Line is one chat message in a transcript or new-messages email.
type Line struct {
	From  string
	Text  string
	At    time.Time
	Agent bool // said by the shop: drawn in the shop's colour
}

// Page is what an email says, in the shop's name and colour.
type Page struct {
	ShopName string
	Color    string // #rrggbb; anything else gets DefaultColor
	Title    string
	Intro    string
	Lines    []Line
	LinkURL  string // http or https; anything else is left out
	LinkText string
	Footer   string
	// Lang is the reader's language: the page's lang and its times'
	// layout (zero: English). The texts come written in it.
	Lang i18n.Lang
}

// DefaultColor is Parley's own colour, for a shop whose colour is not #rrggbb.
const DefaultColor = "#4f46e5"

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// timeLayout is unambiguous for a reader in any zone.
const timeLayout = "2 Jan 2006 15:04 MST"

// Render gives the plain-text and HTML bodies of p. Every field is text:
// html/template escapes it, so a visitor's "<script>" arrives as characters.
func Render(p Page) (text, html string) {
	v := view{Page: p, Color: DefaultColor, Ink: "#ffffff", HTMLLang: string(p.Lang), Layout: p.Lang.T(timeLayout)}
	if v.HTMLLang == "" {
		v.HTMLLang = string(i18n.EN)
	}
	if hexColor.MatchString(p.Color) {
		v.Color = strings.ToLower(p.Color)
	}
	v.Color, v.Ink = parley.Readable(v.Color)
	if u, err := url.Parse(p.LinkURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		v.Link = p.LinkURL
		if strings.TrimSpace(p.LinkText) == "" {
			v.LinkText = p.LinkURL
		} else {
			v.LinkText = p.LinkText
		}
	}
	return renderText(v), renderHTML(v)
}

type view struct {
	Page
	Color, Ink     string // banner background and the text on it
	Link, LinkText string
	HTMLLang       string // the html element's lang
	Layout         string // the times', in the reader's language
}

func renderText(v view) string {
	var b strings.Builder
	para := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s)
			b.WriteString("\n\n")
		}
	}
	if v.ShopName != "" && v.ShopName != v.Title {
		para(v.ShopName)
	}
	para(v.Title)
	para(v.Intro)
	for _, l := range v.Lines {
		b.WriteString(lineHead(l, v.Layout))
		b.WriteString("\n")
		for _, s := range strings.Split(strings.TrimRight(normalizeNewlines(l.Text), "\n"), "\n") {
			b.WriteString("  ")
			b.WriteString(s)
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if v.Link != "" {
		if v.LinkText != v.Link {
			para(v.LinkText + ":\n" + v.Link)
		} else {
			para(v.Link)
		}
	}
	if f := strings.TrimSpace(v.Footer); f != "" {
		b.WriteString("-- \n") // the signature separator mail readers know
		b.WriteString(f)
		b.WriteString("\n")
	}
	return b.String()
}

// lineHead is "Name, 2 Jan 2006 15:04 UTC:" or just "Name:".
func lineHead(l Line, layout string) string {
	who := strings.TrimSpace(l.From)
	if who == "" {
		who = "?"
	}
	if l.At.IsZero() {
		return who + ":"
	}
	return who + ", " + l.At.Format(layout) + ":"
}

func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

var page = template.Must(template.New("mail").Funcs(template.FuncMap{
	"lines": func(s string) []string {
		return strings.Split(strings.TrimRight(normalizeNewlines(s), "\n"), "\n")
	},
	"when": func(t time.Time, layout string) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(layout)
	},
}).Parse(`<!DOCTYPE html>
<html lang="{{.HTMLLang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:{{.Color}};color:{{.Ink}};padding:16px 24px;font-size:18px;font-weight:bold">{{.ShopName}}</td></tr>
<tr><td style="padding:24px">
{{- if .Title}}<h1 style="margin:0 0 12px;font-size:20px">{{.Title}}</h1>{{end}}
{{- if .Intro}}<p style="margin:0 0 16px;line-height:1.5">{{range $i, $l := lines .Intro}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>{{end}}
{{- range .Lines}}
<div style="margin:0 0 12px;padding:8px 12px;border-left:4px solid {{if .Agent}}{{$.Color}}{{else}}#d4d4d8{{end}};background:#fafafa">
<div style="font-size:13px;color:#52525b"><strong style="color:#18181b">{{.From}}</strong>{{with when .At $.Layout}} · {{.}}{{end}}</div>
<div style="margin-top:4px;line-height:1.5">{{range $i, $l := lines .Text}}{{if $i}}<br>{{end}}{{$l}}{{end}}</div>
</div>
{{- end}}
{{- if .Link}}
<p style="margin:20px 0 0"><a href="{{.Link}}" style="display:inline-block;background:{{.Color}};color:{{.Ink}};text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:bold">{{.LinkText}}</a></p>
{{- end}}
</td></tr>
{{- if .Footer}}
<tr><td style="padding:12px 24px;font-size:12px;color:#71717a;border-top:1px solid #e4e4e7">{{range $i, $l := lines .Footer}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td></tr>
{{- end}}
</table>
</td></tr></table>
</body></html>
`))

func renderHTML(v view) string {
	var b strings.Builder
	if err := page.Execute(&b, v); err != nil {
		// The template and its inputs are fixed shapes: only a bug gets here.
		panic("outbound: render: " + err.Error())
	}
	return b.String()
}
