package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/mail/inbound"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/store"
)

// Mail: the jobs that send email, and the replies that come back.
//
// An agent's reply to a visitor who gave an email queues, in the same
// transaction, a job due when the site's unseen-reply delay ends. When it
// runs, it emails the agents' messages the visitor has not seen by then,
// all in one mail, or nothing if they saw everything: the outbox is the
// restart-safe timer. Its key is the visitor's read mark and the delay's
// window of time, so a burst of replies makes one job, not one each; a
// job mails the replies from its own first on (the earlier ones had
// theirs). A reply to the mail
// goes to reply+TOKEN@domain, whose token names the conversation; it is
// stored as the visitor's message, live in the consoles like any other.

// MailSender sends one email (outbound.SMTPSender, or the demo's catcher).
type MailSender interface {
	Send(ctx context.Context, m outbound.Mail) error
}

// MailConfig is how the server sends and receives email.
type MailConfig struct {
	// Sender sends; nil turns email off: no mail job is queued.
	Sender MailSender
	// Domain is the domain of reply addresses and Message-IDs; empty is
	// the host of the public URL.
	Domain string
}

// Job kinds.
const (
	jobUnseenReply = "unseen-reply"
	jobTranscript  = "transcript"
)

// transcriptPayload is a transcript job's input: where it goes.
type transcriptPayload struct {
	To   string `json:"to"`
	Name string `json:"name,omitempty"`
}

// transcriptJob is the job that mails conv's transcript to addr (conv's
// email when addr is empty), or none when mail is off or there is no
// address. Its key makes one mail per state of the conversation.
func (s *Server) transcriptJob(conv parley.Conversation, addr string) []store.NewJob {
	if addr == "" {
		addr = conv.Email
	}
	if s.cfg.Mail.Sender == nil || addr == "" {
		return nil
	}
	payload, _ := json.Marshal(transcriptPayload{To: addr, Name: conv.VisitorName})
	return []store.NewJob{{Kind: jobTranscript, Key: fmt.Sprintf("transcript:%d:%d:%s", conv.ID, conv.LastSeq, addr), Conv: conv.ID, Payload: payload}}
}

// mailDomain is the domain of reply addresses.
func (s *Server) mailDomain() string {
	if s.cfg.Mail.Domain != "" {
		return s.cfg.Mail.Domain
	}
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "parley.invalid"
}

// messageID is the Message-ID of mail job j: the same at every attempt,
// and this install's own (the signer's key is made at the store's birth).
func (s *Server) messageID(j store.Job) string {
	return outbound.MessageIDFor(j.ID, s.mailDomain(), s.signer.mac("message-id", nil))
}

// jobConversation reads the conversation of mail job j and its site; a
// job that can never run (mail off, the conversation or site gone) gets a
// permanent error.
func (s *Server) jobConversation(j store.Job) (parley.Conversation, parley.Site, error) {
	if s.cfg.Mail.Sender == nil {
		return parley.Conversation{}, parley.Site{}, outbox.Permanent(fmt.Errorf("email is off"))
	}
	conv, err := s.store.Conversation(j.Conv)
	if err != nil {
		return conv, parley.Site{}, outbox.Permanent(err)
	}
	site, err := s.store.Site(conv.Site)
	if err != nil {
		return conv, site, outbox.Permanent(err)
	}
	return conv, site, nil
}

// mailVisitor sends job j's mail about conv to its visitor at to, in the
// shop's name: answering it writes into conv.
func (s *Server) mailVisitor(ctx context.Context, j store.Job, conv parley.Conversation, site parley.Site, to mail.Address, subject, text, html string, files ...outbound.Attachment) error {
	return s.send(ctx, outbound.Mail{
		MessageID: s.messageID(j),
		To:        []mail.Address{to},
		ReplyTo:   s.replyAddress(conv.ID),
		FromName:  site.Name,
		Subject:   subject,
		Text:      text, HTML: html,
		Headers:     map[string]string{"Auto-Submitted": "auto-generated", "X-Parley-Conversation": fmt.Sprint(conv.ID)},
		Attachments: files,
	})
}

// send sends m; a refusal for good ends its job.
func (s *Server) send(ctx context.Context, m outbound.Mail) error {
	err := s.cfg.Mail.Sender.Send(ctx, m)
	if err != nil && outbound.Permanent(err) {
		return outbox.Permanent(err)
	}
	return err
}

// replyAddress is conv's reply address.
func (s *Server) replyAddress(conv uint64) *mail.Address {
	return &mail.Address{Address: "reply+" + s.signer.ReplyToken(conv) + "@" + s.mailDomain()}
}

// unseenReplyJob is the job an agent's message to conv queues, or none.
func (s *Server) unseenReplyJob(conv parley.Conversation) []store.NewJob {
	if s.cfg.Mail.Sender == nil || conv.Email == "" {
		return nil
	}
	site, err := s.store.Site(conv.Site)
	if err != nil {
		return nil
	}
	delay := time.Duration(site.Mail.Unseen()) * time.Minute
	now := time.Now()
	return []store.NewJob{{
		Kind:      jobUnseenReply,
		Key:       fmt.Sprintf("unseen:%d:%d:%d", conv.ID, conv.VisitorRead, now.UnixNano()/int64(delay)),
		Conv:      conv.ID,
		NotBefore: now.Add(delay),
	}}
}

// MailHandlers are the outbox's handlers of mail jobs.
func (s *Server) MailHandlers() map[string]outbox.Handler {
	return map[string]outbox.Handler{jobUnseenReply: s.sendUnseenReply, jobTranscript: s.sendTranscript, jobDigest: s.sendDigest,
		jobOfflineNotice: s.sendOfflineNotice, jobResumeLink: s.sendResumeLink}
}

// sendUnseenReply emails the agents' messages of j.Conv the visitor has
// not seen, if there are any still.
func (s *Server) sendUnseenReply(ctx context.Context, j store.Job) error {
	conv, site, err := s.jobConversation(j)
	if err != nil {
		return err
	}
	var lines []outbound.Line
	var last uint64
	err = s.visitorEntries(conv.ID, conv.VisitorRead, 0, func(f parley.Frame) {
		if f.Kind == parley.KindMessage && f.From != nil && f.From.Kind == parley.AuthorAgent && f.At >= j.Created.UnixMilli() {
			lines = append(lines, outbound.Line{From: f.From.Name, Text: withFiles(f.Text, f.Files), At: time.UnixMilli(f.At), Agent: true})
			last = f.Seq
		}
	})
	if err != nil {
		return err
	}
	if len(lines) == 0 || conv.Email == "" {
		return nil // seen meanwhile: nothing to send
	}
	link := s.resumeLink(conv, site)
	l := s.visitorLang(conv)
	subject := l.T("New reply from %s", site.Name)
	text, html := outbound.Render(outbound.Page{
		ShopName: site.Name, Color: site.Color, Lang: l,
		Title: subject,
		Intro: l.T("You have a reply to your chat with %s. Answer this email, or continue the chat:", site.Name),
		Lines: lines, LinkURL: link, LinkText: l.T("Continue the chat"),
		Footer: l.T("You get this because you gave your email in the chat of %s.", site.Name),
	})
	to := mail.Address{Name: conv.VisitorName, Address: conv.Email}
	if err := s.mailVisitor(ctx, j, conv, site, to, subject, text, html); err != nil {
		return err
	}
	// Agents see that it went, in the conversation's log.
	_, err = s.store.Append(ctx, store.Append{Conv: conv.ID, From: parley.Author{Kind: parley.AuthorSite, Name: site.Name},
		Kind: parley.KindEvent, Event: parley.EventEmailed, Internal: true,
		Text: fmt.Sprintf("Emailed the replies up to #%d to %s", last, conv.Email)})
	if err != nil {
		s.log.Warn("web: noting an email", "conv", conv.ID, "err", err)
	}
	return nil
}

// withFiles is a message's text for an email, with its attachments listed
// by name and size under it.
func withFiles(text string, files []parley.File) string {
	for _, f := range files {
		if text != "" {
			text += "\n"
		}
		text += "📎 " + f.Name + " (" + parley.FormatBytes(f.Size) + ")"
	}
	return text
}

// sendTranscript mails the conversation as its visitor sees it.
func (s *Server) sendTranscript(ctx context.Context, j store.Job) error {
	var p transcriptPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.To == "" {
		return outbox.Permanent(fmt.Errorf("transcript job %d: no address", j.ID))
	}
	conv, site, err := s.jobConversation(j)
	if err != nil {
		return err
	}
	l := s.visitorLang(conv)
	var lines []outbound.Line
	var attached []outbound.Attachment
	var left []string
	var size int64
	files := 0
	err = s.visitorEntries(conv.ID, 0, 0, func(f parley.Frame) {
		if f.From == nil {
			return
		}
		switch {
		case f.Kind == parley.KindMessage:
			from := f.From.Name
			if f.From.Kind == parley.AuthorVisitor {
				from = l.T("You")
			}
			lines = append(lines, outbound.Line{From: from, Text: withFiles(f.Text, f.Files), At: time.UnixMilli(f.At), Agent: f.From.Kind != parley.AuthorVisitor})
			files += len(f.Files)
			for _, file := range f.Files {
				if a, ok := s.attachment(file, size); ok {
					attached = append(attached, a)
					size += int64(len(a.Data))
				} else {
					left = append(left, file.Name)
				}
			}
		case f.Kind == parley.KindEvent && f.Text != "":
			text := parley.EventTextIn(l, f.ToMessage())
			if text == "" {
				text = f.Text
			}
			lines = append(lines, outbound.Line{From: site.Name, Text: text, At: time.UnixMilli(f.At)})
		}
	})
	if err != nil {
		return err
	}
	intro := l.T("Here is your conversation with %s. Answer this email to write to us again.", site.Name)
	switch {
	case files > 0 && len(left) == 0:
		intro += " " + l.T("The files are attached.")
	case len(left) > 0:
		// Beyond MaxTranscriptAttach, or gone from disk: listed only.
		intro += " " + l.T("Files are attached up to %s in all; not attached: %s. Open the conversation to see them.",
			parley.FormatBytes(MaxTranscriptAttach), strings.Join(left, ", "))
	}
	subject := l.T("Your chat with %s", site.Name)
	text, html := outbound.Render(outbound.Page{
		ShopName: site.Name, Color: site.Color, Lang: l,
		Title: subject,
		Intro: intro,
		Lines: lines, LinkURL: s.resumeLink(conv, site), LinkText: l.T("Open the conversation"),
	})
	return s.mailVisitor(ctx, j, conv, site, mail.Address{Name: p.Name, Address: p.To}, subject, text, html, attached...)
}

// MaxTranscriptAttach bounds the bytes of the files attached to one
// transcript mail; the files beyond it are listed, not attached.
const MaxTranscriptAttach = 10 << 20

// attachment reads file for a transcript that attaches sent bytes
// already: false when it would pass MaxTranscriptAttach or cannot be read.
func (s *Server) attachment(file parley.File, sent int64) (outbound.Attachment, bool) {
	if s.files == nil || file.Size <= 0 || sent+file.Size > MaxTranscriptAttach {
		return outbound.Attachment{}, false
	}
	f, err := s.files.Open(file.ID)
	if err != nil {
		return outbound.Attachment{}, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTranscriptAttach-sent+1))
	if err != nil || sent+int64(len(data)) > MaxTranscriptAttach {
		return outbound.Attachment{}, false
	}
	return outbound.Attachment{Name: file.Name, Type: file.Type, Data: data}, true
}

// sendResumeLink mails a new resume link to the conversation's address on
// record (POST /r/{token}/renew), or nothing if it has none now.
func (s *Server) sendResumeLink(ctx context.Context, j store.Job) error {
	conv, site, err := s.jobConversation(j)
	if err != nil {
		return err
	}
	if conv.Email == "" {
		return nil
	}
	days := site.Mail.Resume()
	l := s.visitorLang(conv)
	subject := l.T("Your new link to the chat with %s", site.Name)
	text, html := outbound.Render(outbound.Page{
		ShopName: site.Name, Color: site.Color, Lang: l,
		Title: subject,
		Intro: l.N(days, "Here is a new link to your chat with %s. It opens the chat, with everything said so far, on the device you open it on: once, within %d day. Or answer this email.",
			"Here is a new link to your chat with %s. It opens the chat, with everything said so far, on the device you open it on: once, within %d days. Or answer this email.", site.Name, days),
		LinkURL: s.resumeLink(conv, site), LinkText: l.T("Continue the chat"),
		Footer: l.T("You get this because a new link was asked for on the page of an old one. If that was not you, there is nothing to do."),
	})
	to := mail.Address{Name: conv.VisitorName, Address: conv.Email}
	return s.mailVisitor(ctx, j, conv, site, to, subject, text, html)
}

// visitorEntries calls fn with the entries of conv after seq after that
// its visitor sees, decoded, deleted ones left out: at most limit (0: all).
func (s *Server) visitorEntries(conv, after uint64, limit int, fn func(parley.Frame)) error {
	return s.store.VisitorMessages(conv, after, limit, func(frame []byte) error {
		f, err := parley.DecodeFrame(frame)
		if err != nil {
			return err
		}
		if !f.Deleted {
			fn(f)
		}
		return nil
	})
}

// visitorLang is the language of conv's visitor's emails: the one their
// widget spoke (their context's lang), else their browser's first, else
// English. Mails to the shop stay English.
func (s *Server) visitorLang(conv parley.Conversation) i18n.Lang {
	_, ctx, err := s.store.VisitorWithContext(conv.Visitor)
	if err != nil {
		return i18n.EN
	}
	if l, ok := i18n.Parse(ctx.Lang); ok && ctx.Lang != "" {
		return l
	}
	return i18n.Match(ctx.Language)
}

// resumeLink is a signed link back into conv for its visitor.
func (s *Server) resumeLink(conv parley.Conversation, site parley.Site) string {
	exp := time.Now().Add(time.Duration(site.Mail.Resume()) * 24 * time.Hour)
	return s.cfg.PublicURL + "/r/" + s.signer.ResumeToken(conv.ID, conv.Visitor, exp)
}

// InboundConfig is the configuration of the SMTP listener that takes
// replies: it checks reply tokens and stores replies as the visitor's
// messages.
func (s *Server) InboundConfig(addr string) inbound.Config {
	return inbound.Config{
		Addr:   addr,
		Domain: s.mailDomain(),
		CheckToken: func(token string) bool {
			conv, ok := s.signer.ReplyConv(token)
			if !ok {
				return false
			}
			_, err := s.store.Conversation(conv)
			return err == nil
		},
		Deliver: s.deliverReply,
		Logger:  s.log,
	}
}

// deliverReply stores a mailed reply as its visitor's message. The id
// comes from the mail's Message-ID, so the same mail delivered twice is
// stored once.
func (s *Server) deliverReply(ctx context.Context, m inbound.Message) error {
	conv, ok := s.signer.ReplyConv(m.Token)
	if !ok {
		return fmt.Errorf("no such reply address")
	}
	c, err := s.store.Conversation(conv)
	if err != nil {
		return err
	}
	if s.abuse.blocked(c.Site, c.Visitor, netip.Prefix{}) {
		return parley.Errorf(parley.EForbidden, "This reply address is closed.")
	}
	id := m.MessageID
	if id == "" {
		id = m.Token + "\x00" + m.Text
	}
	sum := sha256.Sum256([]byte(id))
	text, err := s.cfg.Limits.CheckText(m.Text)
	if err != nil {
		return err
	}
	v := parley.Author{Kind: parley.AuthorVisitor, ID: c.Visitor, Name: c.VisitorName}
	_, err = s.store.Append(ctx, store.Append{Conv: c.ID, Site: c.Site, Visitor: c.Visitor, From: v,
		ID: "mail-" + hex.EncodeToString(sum[:12]), Text: strings.TrimSpace(text)})
	return err
}

// digestDue is a team whose queue waits with nobody of it online.
type digestDue struct {
	site   parley.Site
	team   string
	oldest time.Time
}

const jobDigest = "digest"

// digestPayload names the team a digest is about.
type digestPayload struct {
	Site string `json:"site"`
	Team string `json:"team"`
}

// queueDigests queues, for each team whose chats wait with nobody of it
// online, a digest due when its oldest chat has waited the site's digest
// delay; the key allows one per team and delay window. The router calls
// it from its own goroutine, never the committer's.
func (s *Server) queueDigests(due []digestDue) {
	if s.cfg.Mail.Sender == nil || len(due) == 0 {
		return
	}
	var jobs []store.NewJob
	for _, d := range due {
		delay := time.Duration(d.site.Mail.Digest()) * time.Minute
		at := d.oldest.Add(delay)
		payload, _ := json.Marshal(digestPayload{Site: d.site.ID, Team: d.team})
		jobs = append(jobs, store.NewJob{Kind: jobDigest, Payload: payload, NotBefore: at,
			Key: fmt.Sprintf("digest:%s:%s:%d", d.site.ID, d.team, at.UnixNano()/int64(delay))})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.store.Enqueue(ctx, jobs...); err != nil && !isClosed(err) {
		s.log.Warn("web: queueing digests", "err", err)
	}
}

// sendDigest emails a team, and the site's notification address, the
// chats of its queue that have waited the digest delay, if nobody of the
// team is online now.
func (s *Server) sendDigest(ctx context.Context, j store.Job) error {
	var p digestPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return outbox.Permanent(err)
	}
	site, err := s.store.Site(p.Site)
	if err != nil {
		return outbox.Permanent(err)
	}
	var to []mail.Address
	online := false
	err = s.teamMembers(site, p.Team, func(a parley.Agent) bool {
		if s.presence.status(a.ID) != parley.StatusOffline {
			online = true
			return false
		}
		to = append(to, mail.Address{Name: a.Name, Address: a.Email})
		return true
	})
	if err != nil || online {
		return err // someone is here now: no digest
	}
	if site.Mail.Notify != "" {
		to = append(to, mail.Address{Name: site.Name, Address: site.Mail.Notify})
	}
	open, err := s.store.OpenConversations(site.ID)
	if err != nil {
		return err
	}
	waited := time.Duration(site.Mail.Digest()) * time.Minute
	var lines []outbound.Line
	for _, c := range open {
		// Waiting since before the moment this digest was due for.
		if c.Status == parley.StatusQueued && c.Team == p.Team && !c.Queued.After(j.NotBefore.Add(-waited).Add(time.Second)) {
			lines = append(lines, outbound.Line{From: c.VisitorName, Text: c.PublicText + "\n" + s.cfg.PublicURL + "/console/c/" + fmt.Sprint(c.ID), At: c.Queued})
		}
	}
	if len(lines) == 0 || len(to) == 0 {
		return nil
	}
	team := parley.TeamName(site.Routing, p.Team)
	if p.Team == "" {
		team = site.Name
	}
	subject := fmt.Sprintf("%d chat(s) waiting for %s", len(lines), team)
	text, html := outbound.Render(outbound.Page{ShopName: site.Name, Color: site.Color, Title: subject,
		Intro: "Nobody of " + team + " is online, and these chats have waited " + fmt.Sprint(site.Mail.Digest()) + " minutes or more:",
		Lines: lines, LinkURL: s.cfg.PublicURL + "/console", LinkText: "Open the console"})
	return s.send(ctx, outbound.Mail{MessageID: s.messageID(j), To: to,
		FromName: "Parley for " + site.Name, Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}
