package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// Resume links: continuity across devices without an account. A mail to
// a visitor carries a signed link, /r/{token}, naming the conversation,
// its visitor and an expiry. Opening it sends the browser to the shop
// page where the conversation happened (or to Parley's own chat page),
// with the token in the URL's fragment; the widget there hands it to the
// server in its hello, and that device becomes the same visitor from then
// on. A link works once: the store marks it used in the transaction that
// adds the new device's token.
//
//	GET  /r/{token}        no side effect (mail scanners fetch links): 303
//	                       to the chat; used or expired → 410, forged → 404
//	POST /r/{token}/renew  a used or expired link: mail a new one to the
//	                       conversation's address on record, once per link

// resumeFragment names the token in the fragment of the page the link
// opens: "#parley-resume=TOKEN". A fragment never reaches the shop's
// server or its logs.
const resumeFragment = "parley-resume="

// maxResumeToken bounds a resume token as text (one is 54 characters).
const maxResumeToken = 64

// resumeState is where a resume link stands.
type resumeState int

const (
	// resumeForged: not ours, malformed, or its conversation is gone.
	resumeForged resumeState = iota
	resumeValid
	resumeUsed
	resumeExpired
)

// resumeCheck is a resume link read and checked.
type resumeCheck struct {
	link  resumeLink
	conv  parley.Conversation
	state resumeState
}

// checkResume reads token and says where it stands at now. Only a store
// failure is an error. An expired link reads as expired even if it was
// used: its expiry is the plainer fact, and used links are forgotten some
// time after it.
func (s *Server) checkResume(token string, now time.Time) (resumeCheck, error) {
	if len(token) > maxResumeToken {
		return resumeCheck{}, nil
	}
	link, ok := s.signer.ResumeLink(token)
	if !ok {
		return resumeCheck{}, nil
	}
	conv, err := s.store.Conversation(link.Conv)
	if parley.ErrorCode(err) == parley.ENotFound || err == nil && conv.Visitor != link.Visitor {
		return resumeCheck{}, nil
	} else if err != nil {
		return resumeCheck{}, err
	}
	rc := resumeCheck{link: link, conv: conv, state: resumeValid}
	if !now.Before(link.Expires) {
		rc.state = resumeExpired
		return rc, nil
	}
	used, err := s.store.ResumeUsed(link.MAC, link.Expires)
	if err != nil {
		return resumeCheck{}, err
	}
	if used {
		rc.state = resumeUsed
	}
	return rc, nil
}

// resumeDestination is where a valid link sends the browser: the page of
// the conversation if the site allows its origin (never anywhere else: no
// open redirect), else Parley's own chat page for the site. The token goes
// in the fragment.
func (s *Server) resumeDestination(site parley.Site, conv parley.Conversation, token string) string {
	if u, err := url.Parse(conv.Page.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") &&
		u.Host != "" && u.User == nil && parley.OriginAllowed(site.AllowedOrigins, u.Scheme+"://"+u.Host) {
		u.Fragment, u.RawFragment = resumeFragment+token, ""
		return u.String()
	}
	return s.cfg.PublicURL + "/chat/" + url.PathEscape(site.ID) + "#" + resumeFragment + token
}

var resumePage = template.Must(template.New("resume").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:560px;margin:2rem auto;padding:0 1rem;color:#111}
header{background:{{.Color}};color:#fff;padding:1rem;border-radius:8px}
button,.go{display:inline-block;font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:{{.Color}};color:#fff;cursor:pointer;text-decoration:none}</style></head>
<body><header><strong>{{.Shop}}</strong></header>
<h1>{{.Heading}}</h1>
<p role="{{if .Alert}}alert{{else}}status{{end}}">{{.Text}}</p>
{{if .Renew}}<form method="post" action="{{.Renew}}"><button>Email me a new link</button></form>{{end}}
{{if .Go}}<p><a class="go" href="{{.Go}}">Continue the chat</a></p>{{end}}
</body></html>`))

// resumeView is what resumePage shows.
type resumeView struct {
	Title, Shop, Color string
	Heading, Text      string
	Alert              bool
	// Renew is the action of the "Email me a new link" form, if offered.
	Renew string
	// Go is a link onwards, for a browser that does not follow a redirect.
	Go string
}

// writeResumePage answers with the page. It is framed by nobody, sends no
// referrer to other sites (the token is in its URL: "same-origin" rather
// than "no-referrer", which would make the form post's Origin "null"),
// runs no script, and posts its form only to itself.
func (s *Server) writeResumePage(w http.ResponseWriter, status int, v resumeView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	resumePage.Execute(w, v)
}

// resumeView is the page's frame for conv's site, Parley's own if it is
// gone.
func (s *Server) resumeView(conv parley.Conversation) resumeView {
	v := resumeView{Title: "Your chat", Shop: "Parley", Color: "#4f46e5"}
	if conv.Site == "" {
		return v
	}
	if site, err := s.store.Site(conv.Site); err == nil {
		v.Shop, v.Title = site.Name, "Your chat with "+site.Name
		if ws := site.WidgetSettings(); ws.Color != "" {
			v.Color = ws.Color
		}
	}
	return v
}

// canRenew says whether a new link can be mailed for conv.
func (s *Server) canRenew(conv parley.Conversation) bool {
	return s.cfg.Mail.Sender != nil && conv.Email != ""
}

// handleResume is GET /r/{token}. It changes nothing: a mail scanner that
// fetches the link uses nothing up.
func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	rc, err := s.checkResume(token, time.Now())
	if err != nil {
		s.log.Error("web: reading a resume link", "err", err)
		v := s.resumeView(parley.Conversation{})
		v.Heading, v.Text, v.Alert = "Something went wrong", "The link could not be checked. Try again in a moment.", true
		s.writeResumePage(w, http.StatusInternalServerError, v)
		return
	}
	v := s.resumeView(rc.conv)
	renew := ""
	if s.canRenew(rc.conv) {
		renew = s.base() + "/r/" + url.PathEscape(token) + "/renew"
	}
	switch rc.state {
	case resumeForged:
		v.Heading, v.Text, v.Alert = "This link is not valid",
			"It may have been cut short or changed. Open the chat on the shop's site, or answer the email you got it in.", true
		s.writeResumePage(w, http.StatusNotFound, v)
	case resumeUsed:
		v.Heading, v.Alert, v.Renew = "This link was already used", true, renew
		v.Text = "A link opens your chat on one device, once. The device you opened it on is in the chat now."
		if renew != "" {
			v.Text += " To continue on this one too, we can email you a new link."
		} else {
			v.Text += " Open the chat on the shop's site, or answer the email you got it in."
		}
		s.writeResumePage(w, http.StatusGone, v)
	case resumeExpired:
		v.Heading, v.Alert, v.Renew = "This link has expired", true, renew
		if renew != "" {
			v.Text = "Links to your chat work for a few days. We can email you a new one."
		} else {
			v.Text = "Links to your chat work for a few days. Open the chat on the shop's site, or answer the email you got it in."
		}
		s.writeResumePage(w, http.StatusGone, v)
	default:
		site, err := s.store.Site(rc.conv.Site)
		if err != nil {
			s.log.Error("web: reading the site of a resume link", "site", rc.conv.Site, "err", err)
			v.Heading, v.Text, v.Alert = "Something went wrong", "The link could not be checked. Try again in a moment.", true
			s.writeResumePage(w, statusFor(err), v)
			return
		}
		to := s.resumeDestination(site, rc.conv, token)
		w.Header().Set("Location", to)
		v.Heading, v.Text, v.Go = "Your chat", "Opening your chat with "+v.Shop+"…", to
		s.writeResumePage(w, http.StatusSeeOther, v)
	}
}

// jobResumeLink mails a new resume link for a used or expired one.
const jobResumeLink = "resume-link"

// handleRenewResume is POST /r/{token}/renew: a used or expired link asks
// for a new one. It goes to the conversation's address on record, never
// to one the request names: the link is the only capability, and whoever
// holds it can only have the owner of the chat mailed. One mail per old
// link, however often the button is pressed (the outbox key).
func (s *Server) handleRenewResume(w http.ResponseWriter, r *http.Request) {
	if err := s.checkSameOrigin(r); err != nil {
		http.Error(w, parley.ErrorMessage(err), http.StatusForbidden)
		return
	}
	token := r.PathValue("token")
	rc, err := s.checkResume(token, time.Now())
	v := s.resumeView(rc.conv)
	switch {
	case err != nil:
		s.log.Error("web: reading a resume link", "err", err)
		v.Heading, v.Text, v.Alert = "Something went wrong", "The link could not be checked. Try again in a moment.", true
		s.writeResumePage(w, http.StatusInternalServerError, v)
		return
	case rc.state == resumeForged:
		v.Heading, v.Text, v.Alert = "This link is not valid",
			"It may have been cut short or changed. Open the chat on the shop's site, or answer the email you got it in.", true
		s.writeResumePage(w, http.StatusNotFound, v)
		return
	case rc.state == resumeValid:
		// Still good: no need for a new one.
		http.Redirect(w, r, s.base()+"/r/"+url.PathEscape(token), http.StatusSeeOther)
		return
	case s.cfg.Mail.Sender == nil:
		v.Heading, v.Text, v.Alert = "No email from here", "This chat sends no email at the moment. Open the chat on the shop's site.", true
		s.writeResumePage(w, http.StatusServiceUnavailable, v)
		return
	case rc.conv.Email == "":
		v.Heading, v.Text, v.Alert = "No email address for this chat",
			"We have no email address for this chat, so we cannot send a new link. Open the chat on the shop's site.", true
		s.writeResumePage(w, http.StatusConflict, v)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	_, err = s.store.Enqueue(ctx, store.NewJob{Kind: jobResumeLink, Key: "renew:" + b64.EncodeToString(rc.link.MAC), Conv: rc.conv.ID})
	if err != nil {
		if !isClosed(err) {
			s.log.Error("web: queueing a new resume link", "conv", rc.conv.ID, "err", err)
		}
		v.Heading, v.Text, v.Alert = "Something went wrong", "The new link could not be sent. Try again in a moment.", true
		s.writeResumePage(w, http.StatusServiceUnavailable, v)
		return
	}
	v.Heading = "Check your email"
	v.Text = fmt.Sprintf("We've sent a new link to %s. It opens your chat on the device you open it on.", maskEmail(rc.conv.Email))
	s.writeResumePage(w, http.StatusOK, v)
}

// maskEmail shows enough of an address for its owner to recognise it:
// "j***@example.com".
func maskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "your address"
	}
	first := []rune(addr[:at])[0]
	return string(first) + "***" + addr[at:]
}
