package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/mail/inbound"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/web"
)

// mailClock is the outbox worker's clock in these tests: real time, moved
// ahead by the test.
type mailClock struct {
	ahead atomic.Int64
	w     *outbox.Worker
}

func (c *mailClock) now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// advance moves the worker's clock by d and wakes it.
func (c *mailClock) advance(d time.Duration) {
	c.ahead.Add(int64(d))
	c.w.Kick()
}

// newMailEnv is a server whose mail goes into a demo mailbox, with an
// outbox worker on a clock the test moves.
func newMailEnv(t *testing.T) (*sockEnv, *web.DemoMailbox, *mailClock) {
	t.Helper()
	return newMailEnvConfig(t, web.Config{Limits: fastLimits})
}

// newMailEnvConfig is newMailEnv with cfg, its Mail set by it.
func newMailEnvConfig(t *testing.T, cfg web.Config) (*sockEnv, *web.DemoMailbox, *mailClock) {
	t.Helper()
	box := &web.DemoMailbox{}
	cfg.Mail = web.MailConfig{Sender: box, Domain: "chat.example"}
	env := newSockEnvConfig(t, cfg)
	clock := &mailClock{}
	w := &outbox.Worker{DB: env.db, Handlers: env.srv.MailHandlers(), Now: clock.now}
	clock.w = w
	env.db.OnJobs(w.Kick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return env, box, clock
}

func waitMails(t *testing.T, box *web.DemoMailbox, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(box.Mails()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("mails: %d, want %d", len(box.Mails()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mailsTo are the mails of box to addr, newest first.
func mailsTo(box *web.DemoMailbox, addr string) []outbound.Mail {
	var out []outbound.Mail
	for _, m := range box.Mails() {
		for _, a := range m.To {
			if a.Address == addr {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func waitMailsTo(t *testing.T, box *web.DemoMailbox, addr string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(mailsTo(box, addr)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("mails to %s: %d, want %d", addr, len(mailsTo(box, addr)), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestUnseenReplyEmailed: an agent's replies the visitor has not seen
// within the site's delay go by email, in one mail, with a reply address
// and a resume link; a reply the visitor saw does not.
func TestUnseenReplyEmailed(t *testing.T) {
	env, box, clock := newMailEnv(t)
	newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	kim.ws.CloseNow() // Kim left the page
	bob.say(conv, "r1", "Your return is approved.")
	bob.say(conv, "r2", "The label is on its way.")
	time.Sleep(100 * time.Millisecond)
	if n := len(box.Mails()); n != 0 {
		t.Fatalf("%d mails before the delay", n)
	}
	clock.advance(6 * time.Minute) // past the default 5 minutes
	waitMails(t, box, 1)
	time.Sleep(100 * time.Millisecond)
	mails := box.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails for two replies in a burst, want 1", len(mails))
	}
	m := mails[0]
	if len(m.To) != 1 || m.To[0].Address != "kim@example.com" || m.ReplyTo == nil ||
		!strings.HasPrefix(m.ReplyTo.Address, "reply+") || !strings.HasSuffix(m.ReplyTo.Address, "@chat.example") ||
		m.FromName != "Desk Shop" || !strings.Contains(m.MessageID, "@chat.example") {
		t.Errorf("the mail's envelope: %+v", m)
	}
	for _, want := range []string{"Your return is approved.", "The label is on its way.", env.url + "/r/"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("the mail lacks %q:\n%s", want, m.Text)
		}
	}
	// Agents see that it went.
	ev := bob.until("the emailed note", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Event == parley.EventEmailed })
	if !ev.Internal {
		t.Errorf("the emailed entry is for everyone: %+v", ev)
	}

	// The resume link opens the chat (no page known: the hosted one); a
	// forged one does not.
	link := m.Text[strings.Index(m.Text, env.url+"/r/"):]
	link = strings.Fields(link)[0]
	resp, _ := fetch(t, "GET", link, nil)
	if want := env.url + "/chat/desk#parley-resume=" + strings.TrimPrefix(link, env.url+"/r/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("resume link: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if status, _ := get(t, link[:len(link)-2]+"xx"); status != 404 {
		t.Errorf("a forged resume link: %d, want 404", status)
	}

	// A reply read in time is not mailed.
	clock.ahead.Store(0)
	lee, conv2 := ask(t, env, "lee", "returns")
	untilEvent(lee, conv2, parley.EventAssigned)
	ack := bob.say(conv2, "r3", "Seen it?")
	lee.msgs(conv2, 1)
	lee.sendFrame(parley.Frame{Type: parley.TypeRead, Conv: conv2, Seq: ack.Seq})
	bob.until("lee's read", func(f parley.Frame) bool { return f.Type == parley.TypeRead && f.Conv == conv2 })
	clock.advance(6 * time.Minute)
	time.Sleep(300 * time.Millisecond)
	if ms := box.Mails(); len(ms) != 1 {
		t.Errorf("%d mails after a reply that was read, want still 1; the newest to %v:\n%s", len(ms), ms[0].To, ms[0].Text)
	}
}

// TestMailedReplyArrives: a reply to the mail, over SMTP to Parley's own
// listener, is the visitor's message, live for agents, quotes stripped;
// a forged reply address is refused.
func TestMailedReplyArrives(t *testing.T) {
	env, box, clock := newMailEnv(t)
	newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	kim.ws.CloseNow()
	bob.say(conv, "r1", "Which size do you need?")
	clock.advance(6 * time.Minute)
	waitMails(t, box, 1)
	replyTo := box.Mails()[0].ReplyTo.Address

	srv, err := inbound.New(env.srv.InboundConfig("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	body := "From: Kim <kim@example.com>\r\nTo: " + replyTo + "\r\nSubject: Re: New reply\r\nMessage-ID: <abc123@mail.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nSize 42, please.\r\n\r\nOn Mon, 30 Nov 2026 at 10:00, Desk Shop <" + replyTo + "> wrote:\r\n> Which size do you need?\r\n"
	if err := smtp.SendMail(srv.Addr().String(), nil, "kim@example.com", []string{replyTo}, []byte(body)); err != nil {
		t.Fatalf("sending the reply: %v", err)
	}
	got := bob.until("the mailed reply", func(f parley.Frame) bool {
		return f.Type == parley.TypeMsg && f.Conv == conv && f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Text != "Hello, returns"
	})
	if got.Text != "Size 42, please." {
		t.Errorf("the mailed reply reads %q", got.Text)
	}
	// The same mail again (a retry by the sending server): stored once.
	if err := smtp.SendMail(srv.Addr().String(), nil, "kim@example.com", []string{replyTo}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range env.stored(t, conv) {
		if m.Text == "Size 42, please." {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the reply is stored %d times, want once", n)
	}
	forged := strings.Replace(replyTo, "reply+", "reply+AAAA", 1)
	if err := smtp.SendMail(srv.Addr().String(), nil, "x@example.com", []string{forged}, []byte(body)); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("a forged reply address: %v, want 550", err)
	}
	_ = fmt.Sprint
}

// get fetches url and returns the status and the body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDemoMailbox: in demo mode the mail is readable at /demo/mail and a
// reply pasted there reaches the conversation; elsewhere there is no such
// page.
func TestDemoMailbox(t *testing.T) {
	env, box, clock := newMailEnvConfig(t, web.Config{Limits: fastLimits, Demo: true})
	newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	bob.say(conv, "r1", "Which colour? <b>red</b>")
	clock.advance(6 * time.Minute)
	waitMails(t, box, 1)
	status, page := get(t, env.url+"/demo/mail")
	if status != 200 || !strings.Contains(page, "Which colour? &lt;b&gt;red&lt;/b&gt;") || strings.Contains(page, "<b>red</b>") {
		t.Fatalf("/demo/mail: %d\n%s", status, page)
	}
	form := url.Values{"to": {box.Mails()[0].ReplyTo.Address}, "text": {"Red, please.\n\n> Which colour?"}}
	resp, err := http.PostForm(env.url+"/demo/mail/reply", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("pasting a reply: %d", resp.StatusCode)
	}
	if got := bob.until("the pasted reply", func(f parley.Frame) bool {
		return f.Type == parley.TypeMsg && f.Conv == conv && f.From != nil && f.From.Kind == parley.AuthorVisitor && f.Text != "Hello, returns"
	}); got.Text != "Red, please." {
		t.Errorf("the pasted reply reads %q", got.Text)
	}
	bad, _ := http.PostForm(env.url+"/demo/mail/reply", url.Values{"to": {"reply+nope@chat.example"}, "text": {"hi"}})
	if bad.Body.Close(); bad.StatusCode != 400 {
		t.Errorf("a forged address: %d, want 400", bad.StatusCode)
	}

	plain := newSockEnv(t, fastLimits)
	if status, _ := get(t, plain.url+"/demo/mail"); status == 200 {
		t.Errorf("/demo/mail outside demo mode: %d", status)
	}
}

// TestTranscriptByEmail: a visitor asks for the transcript, to the
// address they give; a site that sends it at resolve does; bad requests
// are refused with their id.
func TestTranscriptByEmail(t *testing.T) {
	env, box, _ := newMailEnv(t)
	site := newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	bob.say(conv, "r1", "Here to help.")
	kim.msgs(conv, 2)
	kim.sendFrame(parley.Frame{Type: parley.TypeTranscript, ID: "t1", Conv: conv, Email: "kim.other@example.com"})
	waitMails(t, box, 1)
	m := box.Mails()[0]
	if m.To[0].Address != "kim.other@example.com" || !strings.Contains(m.Text, "Hello, returns") || !strings.Contains(m.Text, "Here to help.") || !strings.Contains(m.Text, "Bob joined") {
		t.Errorf("the transcript: to %v\n%s", m.To, m.Text)
	}
	for _, tt := range []struct {
		by   *sockClient
		f    parley.Frame
		code string
	}{
		{kim, parley.Frame{Type: parley.TypeTranscript, ID: "t2", Conv: conv, Email: "not an address"}, parley.EInvalid},
		{kim, parley.Frame{Type: parley.TypeTranscript, ID: "t3", Conv: 987654}, parley.ENotFound},
		{bob, parley.Frame{Type: parley.TypeTranscript, ID: "t4", Conv: conv}, parley.EForbidden},
	} {
		tt.by.sendFrame(tt.f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != tt.f.ID {
			t.Errorf("%+v: got %+v, want %s", tt.f, e, tt.code)
		}
	}
	// At resolve, when the site says so, to the pre-chat address.
	site.Mail.TranscriptOnResolve = true
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	bob.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	waitMails(t, box, 2)
	if m := box.Mails()[0]; m.To[0].Address != "kim@example.com" || !strings.Contains(m.Subject, "Your chat with Desk Shop") {
		t.Errorf("the transcript at resolve: to %v, %q", m.To, m.Subject)
	}
}

// TestDigestWhenNobodyIsOnline: a chat that waits the site's digest delay
// with nobody of its team online is mailed to the team and the shop's
// address, once; nothing is sent when someone is online.
func TestDigestWhenNobodyIsOnline(t *testing.T) {
	env, box, clock := newMailEnv(t)
	site := newDesk(t, env, 3)
	site.Mail.Notify = "owner@desk.example"
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ask(t, env, "kim", "order-status") // Orders: Ann, offline
	ask(t, env, "lee", "order-status")
	// Nobody at all is online: each new chat is news for the shop at once
	// (TestOfflineChatMailsTheShop); the digest waits.
	waitMails(t, box, 2)
	time.Sleep(1500 * time.Millisecond) // the router's publish queues the digest
	if n := len(box.Mails()); n != 2 {
		t.Fatalf("%d mails before the delay, want the 2 offline notices", n)
	}
	clock.advance(11 * time.Minute)
	waitMails(t, box, 3)
	time.Sleep(200 * time.Millisecond)
	ms := box.Mails()
	if len(ms) != 3 {
		t.Fatalf("%d mails, want 2 notices and 1 digest", len(ms))
	}
	m := ms[0]
	to := fmt.Sprint(m.To)
	if !strings.Contains(to, "ann@shop.example") || !strings.Contains(to, "owner@desk.example") || strings.Contains(to, "bob@") ||
		!strings.Contains(m.Subject, "2 chat(s) waiting for Orders") || !strings.Contains(m.Text, "/console/c/") {
		t.Errorf("the digest: to %s, %q\n%s", to, m.Subject, m.Text)
	}
}

// TestOfflineChatMailsTheShop: a chat started while nobody is online is
// mailed at once to the site's notification address (to its team's
// members when it has none), once per conversation; a chat started while
// someone is online is not; another site's people hear nothing of it.
func TestOfflineChatMailsTheShop(t *testing.T) {
	env, box, _ := newMailEnv(t)
	site := newDesk(t, env, 3)
	site.Mail.Notify = "owner@desk.example"
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	kim, conv := ask(t, env, "kim", "order-status")
	kim.say(conv, "kim-2", "My order is #1234.")
	kim.say(0, "kim-3", "Still there?") // conv 0 again: the open conversation
	waitMails(t, box, 1)
	time.Sleep(200 * time.Millisecond)
	ms := box.Mails()
	if len(ms) != 1 {
		t.Fatalf("%d mails, want 1 notice for the conversation", len(ms))
	}
	m := ms[0]
	if len(m.To) != 1 || m.To[0].Address != "owner@desk.example" {
		t.Errorf("notice to %v, want the notification address only", m.To)
	}
	for _, want := range []string{"Hello, order-status", "Email: kim@example.com", "Topic: Order status", "/console/c/" + fmt.Sprint(conv)} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("notice lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.HasPrefix(m.Subject, "New message from ") || m.Headers["Auto-Submitted"] != "auto-generated" {
		t.Errorf("notice subject %q, headers %v", m.Subject, m.Headers)
	}

	// Without a notification address, to the team: Orders is Ann only.
	site.Mail.Notify = ""
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ask(t, env, "lee", "order-status")
	waitMails(t, box, 2)
	if to := fmt.Sprint(box.Mails()[0].To); !strings.Contains(to, "ann@shop.example") || strings.Contains(to, "bob@") || strings.Contains(to, "cy@") {
		t.Errorf("notice without a notification address to %s, want Orders (Ann) only", to)
	}

	// Someone of the chat's team is online: a new chat is no news by email.
	env.newAgent(t, "bob", 1)
	deadline := time.Now().Add(stepTimeout)
	for {
		if _, w := env.newVisitorOf(t, "probe", site.ID); w.Open.ForTeam("returns") == nil || w.Open.ForTeam("returns").Open {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the desk never opened with Bob online")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ask(t, env, "max", "returns")
	time.Sleep(300 * time.Millisecond)
	if n := len(box.Mails()); n != 2 {
		t.Errorf("%d mails after a chat started with Bob online, want still 2", n)
	}
}

// TestContactEmail: a waiting visitor leaves an email; the conversation
// keeps it (agents see it), stays in its queue, and replies they miss go
// there; bad requests are refused.
func TestContactEmail(t *testing.T) {
	env, box, clock := newMailEnv(t)
	if err := env.db.CreateSite(parley.Site{ID: "plain", Name: "Plain Shop", AllowedOrigins: []string{"https://plain.example"}, Routing: parley.Routing{Manual: true}}); err != nil {
		t.Fatal(err)
	}
	if err := env.db.SetMember("plain", env.agents[1].ID, parley.SiteRoleAgent); err != nil {
		t.Fatal(err)
	}
	bob, _ := env.newAgent(t, "bob", 1)
	v, _ := env.newVisitorOf(t, "visitor", "plain")
	conv := v.say(0, "v1", "Is anyone there?").Conv
	v.sendFrame(parley.Frame{Type: parley.TypeContact, ID: "c1", Conv: conv, Email: "kim@example.com"})
	got := bob.until("the address", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Email == "kim@example.com"
	})
	if got.Conversation.Status != parley.StatusQueued {
		t.Errorf("after leaving an email: %+v, want still queued", got.Conversation)
	}
	for _, tt := range []struct {
		by   *sockClient
		f    parley.Frame
		code string
	}{
		{v, parley.Frame{Type: parley.TypeContact, ID: "c2", Conv: conv, Email: "nope"}, parley.EInvalid},
		{v, parley.Frame{Type: parley.TypeContact, ID: "c3", Conv: 987654, Email: "a@b.example"}, parley.ENotFound},
		{bob, parley.Frame{Type: parley.TypeContact, ID: "c4", Conv: conv, Email: "a@b.example"}, parley.EForbidden},
	} {
		tt.by.sendFrame(tt.f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != tt.f.ID {
			t.Errorf("%+v: got %+v, want %s", tt.f, e, tt.code)
		}
	}
	v.ws.CloseNow()
	bob.say(conv, "r1", "Sorry for the wait!")
	clock.advance(6 * time.Minute)
	waitMails(t, box, 1)
	if m := box.Mails()[0]; m.To[0].Address != "kim@example.com" || !strings.Contains(m.Text, "Sorry for the wait!") {
		t.Errorf("the missed reply: to %v\n%s", m.To, m.Text)
	}
}

// TestTranscriptAttachesFiles: the emailed transcript names each file
// and attaches its bytes, with its name and type, up to 10 MB in all; the
// files beyond are listed with a note, not attached.
func TestTranscriptAttachesFiles(t *testing.T) {
	env, box, _ := newMailEnvConfig(t, web.Config{Limits: fastLimits, FilesDir: t.TempDir()})
	newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	label := []byte("RMA 1234: print me")
	big1 := bytes.Repeat([]byte("first manual "), 6<<20/13)
	big2 := bytes.Repeat([]byte("second manual "), 6<<20/14)
	var ids []parley.File
	for _, f := range []struct {
		name string
		data []byte
	}{{"return-label.txt", label}, {"manual-1.txt", big1}, {"manual-2.txt", big2}} {
		status, file, msg := upload(t, env, conv, f.name, f.data, agentHeader(t, env, 1))
		if status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", f.name, status, msg)
		}
		ids = append(ids, parley.File{ID: file.ID})
	}
	bob.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "r1", Conv: conv, Text: "Your label:", Files: ids[:2]})
	bob.ack("r1")
	bob.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "r2", Conv: conv, Text: "And the other manual", Files: ids[2:]})
	bob.ack("r2")
	kim.sendFrame(parley.Frame{Type: parley.TypeTranscript, ID: "t1", Conv: conv, Email: "kim@example.com"})
	waitMails(t, box, 1)
	m := box.Mails()[0]
	for _, want := range []string{"Your label:", "📎 return-label.txt (18 B)", "📎 manual-2.txt", "not attached: manual-2.txt"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "RMA 1234") {
		t.Errorf("the transcript's text holds the file's content:\n%s", m.Text)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2 (the third passes 10 MB)", len(m.Attachments))
	}
	for i, want := range []struct {
		name string
		data []byte
	}{{"return-label.txt", label}, {"manual-1.txt", big1}} {
		a := m.Attachments[i]
		if a.Name != want.name || a.Type != "text/plain" || !bytes.Equal(a.Data, want.data) {
			t.Errorf("attachment %d: %q %q %d bytes, want %q text/plain %d bytes", i, a.Name, a.Type, len(a.Data), want.name, len(want.data))
		}
	}
}
