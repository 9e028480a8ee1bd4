package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/server/mail/inbound"
	"github.com/parley-chat/parley/server/mail/outbound"
)

// DemoMailbox keeps the mail the demo sends, so that a new user needs no
// mail server: /demo/mail lists it, with its resume links, and takes a
// reply pasted into a form as if it came by SMTP. It exists in demo mode
// only.
type DemoMailbox struct {
	mu    sync.Mutex
	mails []demoMail
}

type demoMail struct {
	At   time.Time
	Mail outbound.Mail
}

// demoMailKept bounds the mailbox.
const demoMailKept = 200

// Send keeps m.
func (b *DemoMailbox) Send(ctx context.Context, m outbound.Mail) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails = append(b.mails, demoMail{At: time.Now(), Mail: m})
	if len(b.mails) > demoMailKept {
		b.mails = b.mails[len(b.mails)-demoMailKept:]
	}
	return nil
}

// Mails returns the mail kept, newest first.
func (b *DemoMailbox) Mails() []outbound.Mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]outbound.Mail, 0, len(b.mails))
	for i := len(b.mails) - 1; i >= 0; i-- {
		out = append(out, b.mails[i].Mail)
	}
	return out
}

var demoMailPage = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo mailbox · Parley</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;color:#111}
article{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap;background:#f7f7f7;padding:.75rem;border-radius:6px}
textarea{width:100%;min-height:5rem}.meta{color:#555;font-size:13px}.ok{color:#166534}.err{color:#b91c1c}</style></head>
<body><h1>Demo mailbox</h1>
<p>In demo mode Parley sends no mail: it keeps it here. Reply to one below as the customer would from their mail client.</p>
{{if .Notice}}<p class="{{.NoticeClass}}" role="status">{{.Notice}}</p>{{end}}
{{range .Mails}}<article>
<div class="meta">To {{range .To}}{{.String}} {{end}} · Message-ID {{.MessageID}}</div>
<h2>{{.Subject}}</h2><pre>{{.Text}}</pre>
{{if .ReplyTo}}<form method="post" action="{{$.Base}}/demo/mail/reply">
<input type="hidden" name="to" value="{{.ReplyTo.Address}}">
<label>Reply as the customer<br><textarea name="text" required></textarea></label>
<button>Send reply</button></form>{{end}}
</article>{{else}}<p>No mail yet. Give your email in the chat, leave the page, and let an agent answer.</p>{{end}}
</body></html>`))

// handleDemoMail is GET /demo/mail.
func (s *Server) handleDemoMail(w http.ResponseWriter, r *http.Request) {
	s.renderDemoMail(w, r, "", "")
}

func (s *Server) renderDemoMail(w http.ResponseWriter, r *http.Request, notice, class string) {
	box, _ := s.cfg.Mail.Sender.(*DemoMailbox)
	var mails []outbound.Mail
	if box != nil {
		mails = box.Mails()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	demoMailPage.Execute(w, map[string]any{"Base": s.base(), "Mails": mails, "Notice": notice, "NoticeClass": class})
}

// handleDemoMailReply is POST /demo/mail/reply: the pasted text goes the
// way a mailed reply goes, quote stripping included.
func (s *Server) handleDemoMailReply(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && o != s.publicOrigin() {
		http.Error(w, "Cross-site form posts are refused.", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		s.renderDemoMail(w, r, "The form could not be read.", "err")
		return
	}
	to := strings.TrimSpace(r.PostForm.Get("to"))
	at := strings.LastIndexByte(to, '@')
	local, domain := to, ""
	if at >= 0 {
		local, domain = to[:at], strings.ToLower(to[at+1:])
	}
	// The token is case-sensitive; "reply+" and the domain are not.
	ok := len(local) > len("reply+") && strings.EqualFold(local[:len("reply+")], "reply+")
	token := ""
	if ok {
		token = local[len("reply+"):]
	}
	_, valid := s.signer.ReplyConv(token)
	text := inbound.StripQuoted(r.PostForm.Get("text"))
	switch {
	case !ok || !valid || domain != strings.ToLower(s.mailDomain()):
		w.WriteHeader(http.StatusBadRequest)
		s.renderDemoMail(w, r, "No such reply address.", "err")
		return
	case strings.TrimSpace(text) == "":
		w.WriteHeader(http.StatusBadRequest)
		s.renderDemoMail(w, r, "The reply has no text.", "err")
		return
	}
	err := s.deliverReply(r.Context(), inbound.Message{Token: token, Text: text, MessageID: "demo-" + NewToken()[:16]})
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		s.renderDemoMail(w, r, "The reply was refused: "+err.Error(), "err")
		return
	}
	s.renderDemoMail(w, r, "Reply delivered: it is in the conversation now.", "ok")
}
