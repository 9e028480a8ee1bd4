package outbound_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/server/mail/outbound"
)

func newSender(tb testing.TB, u *url.URL, clientTLS *tls.Config, timeout time.Duration) *outbound.SMTPSender {
	tb.Helper()
	s, err := outbound.NewSMTPSender(outbound.Config{
		URL:       u,
		From:      mail.Address{Name: "Parley", Address: "mail@parley.example"},
		Timeout:   timeout,
		TLSConfig: clientTLS,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// sendCtx bounds every send in the tests: none may hang the suite.
func sendCtx(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func orderMail() outbound.Mail {
	text, html := outbound.Render(outbound.Page{
		ShopName: "Sklep Zażółć",
		Color:    "#b45309",
		Title:    "Zamówienie nr 12",
		Lines: []outbound.Line{
			{From: "Ola", Text: "Czy paczka już wyszła?", At: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)},
			{From: "Sklep", Text: "Tak, dziś rano.", Agent: true},
		},
	})
	return outbound.Mail{
		MessageID:  outbound.MessageIDFor(12, "shop.example", []byte("install")),
		InReplyTo:  "11.abc@shop.example",
		References: []string{"10.xyz@shop.example", "11.abc@shop.example"},
		To:         []mail.Address{{Name: "Jan Kowalski", Address: "jan@example.com"}},
		ReplyTo:    &mail.Address{Address: "reply+T0KEN@shop.example"},
		FromName:   "Sklep Zażółć",
		Subject:    "Zamówienie nr 12",
		Text:       text,
		HTML:       html,
		Headers:    map[string]string{"Auto-Submitted": "auto-generated", "X-Parley-Conversation": "c-42"},
	}
}

// parsed is a received mail read back with go-message.
type parsed struct {
	h     gomail.Header
	parts map[string]string // content type → decoded body
	top   string            // the top-level content type
}

func parse(tb testing.TB, data []byte) parsed {
	tb.Helper()
	r, err := gomail.CreateReader(strings.NewReader(string(data)))
	if err != nil {
		tb.Fatalf("reading the mail: %v\n%s", err, data)
	}
	p := parsed{h: r.Header, parts: map[string]string{}}
	p.top, _, _ = r.Header.ContentType()
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		ct, params, _ := part.Header.(*gomail.InlineHeader).ContentType()
		if cs := params["charset"]; cs != "utf-8" {
			tb.Errorf("%s charset: got %q, want utf-8", ct, cs)
		}
		b, err := io.ReadAll(part.Body)
		if err != nil {
			tb.Fatal(err)
		}
		// Mail lines end in CRLF on the wire; compare with what was given.
		p.parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return p
}

func addressList(tb testing.TB, h gomail.Header, key string) []string {
	tb.Helper()
	as, err := h.AddressList(key)
	if err != nil {
		tb.Fatalf("%s: %v", key, err)
	}
	var out []string
	for _, a := range as {
		out = append(out, a.Name+" <"+a.Address+">")
	}
	return out
}

func checkOrderMail(t *testing.T, be *backend, want outbound.Mail) {
	t.Helper()
	mails := be.Mails()
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	got := mails[0]
	if !got.TLS {
		t.Error("the mail came over plain TCP")
	}
	if got.AuthU != "shop" {
		t.Errorf("logged in as %q, want shop", got.AuthU)
	}
	if got.From != "mail@parley.example" || !reflect.DeepEqual(got.To, []string{"jan@example.com"}) {
		t.Errorf("envelope: got %q → %q", got.From, got.To)
	}
	p := parse(t, got.Data)
	h := p.h
	for _, c := range []struct {
		key       string
		got, want []string
	}{
		{"From", addressList(t, h, "From"), []string{"Sklep Zażółć <mail@parley.example>"}},
		{"To", addressList(t, h, "To"), []string{"Jan Kowalski <jan@example.com>"}},
		{"Reply-To", addressList(t, h, "Reply-To"), []string{" <reply+T0KEN@shop.example>"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %q, want %q", c.key, c.got, c.want)
		}
	}
	if s, err := h.Subject(); err != nil || s != want.Subject {
		t.Errorf("Subject: got %q (%v), want %q", s, err, want.Subject)
	}
	if raw := h.Get("Subject"); !isASCII(raw) {
		t.Errorf("Subject is sent unencoded: %q", raw)
	}
	if id, err := h.MessageID(); err != nil || id != want.MessageID {
		t.Errorf("Message-ID: got %q (%v), want %q", id, err, want.MessageID)
	}
	if l, _ := h.MsgIDList("In-Reply-To"); !reflect.DeepEqual(l, []string{want.InReplyTo}) {
		t.Errorf("In-Reply-To: got %q, want %q", l, want.InReplyTo)
	}
	if l, _ := h.MsgIDList("References"); !reflect.DeepEqual(l, want.References) {
		t.Errorf("References: got %q, want %q", l, want.References)
	}
	for k, v := range want.Headers {
		if got := h.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date: got %v (%v)", d, err)
	}
	if p.top != "multipart/alternative" {
		t.Errorf("Content-Type: got %q, want multipart/alternative", p.top)
	}
	if got := p.parts["text/plain"]; got != want.Text {
		t.Errorf("text part:\ngot  %q\nwant %q", got, want.Text)
	}
	if got := p.parts["text/html"]; got != want.HTML {
		t.Errorf("html part differs:\ngot  %q\nwant %q", got, want.HTML)
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

func TestSendStartTLS(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, startTLS, be)
	m := orderMail()
	if err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m); err != nil {
		t.Fatal(err)
	}
	checkOrderMail(t, be, m)
}

func TestSendImplicitTLSWithLogin(t *testing.T) {
	be := &backend{mechs: []string{"LOGIN"}} // PLAIN not offered: fall back
	u, clientTLS := startSMTP(t, implicitTLS, be)
	m := orderMail()
	if err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m); err != nil {
		t.Fatal(err)
	}
	checkOrderMail(t, be, m)
}

func TestSendTextOnly(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, startTLS, be)
	m := orderMail()
	m.HTML = ""
	m.Text = "Dzień dobry,\nodpowiedź czeka w czacie.\n"
	if err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m); err != nil {
		t.Fatal(err)
	}
	mails := be.Mails()
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	p := parse(t, mails[0].Data)
	if p.top != "text/plain" || p.parts["text/plain"] != m.Text {
		t.Errorf("got %s %q, want text/plain %q", p.top, p.parts["text/plain"], m.Text)
	}
}

// An smtp:// server without STARTTLS never sees the password.
func TestSendRefusesServerWithoutStartTLS(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, noTLS, be)
	err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), orderMail())
	if err == nil {
		t.Fatal("sent over plain TCP")
	}
	if !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("got %v, want it to name STARTTLS", err)
	}
	if outbound.Permanent(err) {
		t.Errorf("Permanent(%v): the set-up is wrong, not the mail", err)
	}
	if n := be.AuthTries(); n != 0 {
		t.Errorf("AUTH tried %d times over plain TCP", n)
	}
	if n := len(be.Mails()); n != 0 {
		t.Errorf("%d mails went through", n)
	}
}

func TestSendUntrustedCertificate(t *testing.T) {
	be := &backend{}
	u, _ := startSMTP(t, startTLS, be)
	err := newSender(t, u, nil, 0).Send(sendCtx(t), orderMail()) // system roots
	if err == nil || outbound.Permanent(err) {
		t.Fatalf("got %v, want a temporary error", err)
	}
	if be.AuthTries() != 0 {
		t.Error("AUTH over a TLS connection the client did not trust")
	}
}

func TestPermanent(t *testing.T) {
	refuse := func(code int, enh smtp.EnhancedCode) func(string) error {
		return func(string) error { return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "no"} }
	}
	tests := []struct {
		name      string
		be        *backend
		edit      func(u *url.URL, m *outbound.Mail)
		permanent bool
	}{
		{"550 unknown recipient", &backend{rcptErr: refuse(550, smtp.EnhancedCode{5, 1, 1})}, nil, true},
		{"552 mailbox full", &backend{rcptErr: refuse(552, smtp.EnhancedCode{5, 2, 2})}, nil, true},
		{"451 try later", &backend{rcptErr: refuse(451, smtp.EnhancedCode{4, 3, 0})}, nil, false},
		{"wrong password", &backend{}, func(u *url.URL, _ *outbound.Mail) {
			u.User = url.UserPassword("shop", "wrong")
		}, false},
		{"no login configured (502 5.7.0 at MAIL)", &backend{}, func(u *url.URL, _ *outbound.Mail) {
			u.User = nil
		}, false},
		{"unreachable", &backend{}, func(u *url.URL, _ *outbound.Mail) {
			u.Host = closedAddr(t)
		}, false},
		{"malformed mail, nothing sent", &backend{}, func(u *url.URL, m *outbound.Mail) {
			u.Host = closedAddr(t) // proves the mail is checked before dialling
			m.To = nil
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, clientTLS := startSMTP(t, startTLS, tt.be)
			m := orderMail()
			if tt.edit != nil {
				tt.edit(u, &m)
			}
			err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m)
			if err == nil {
				t.Fatal("sent")
			}
			if got := outbound.Permanent(err); got != tt.permanent {
				t.Errorf("Permanent(%v): got %v, want %v", err, got, tt.permanent)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error shows the password: %v", err)
			}
			if n := len(tt.be.Mails()); n != 0 {
				t.Errorf("%d mails went through", n)
			}
		})
	}
}

func TestSendMalformedMail(t *testing.T) {
	u := &url.URL{Scheme: "smtp", Host: closedAddr(t)}
	s := newSender(t, u, nil, 0)
	tests := map[string]func(m *outbound.Mail){
		"no message id":        func(m *outbound.Mail) { m.MessageID = "" },
		"message id brackets":  func(m *outbound.Mail) { m.MessageID = "<1.a@b>" },
		"bad in-reply-to":      func(m *outbound.Mail) { m.InReplyTo = "x y@z" },
		"bad reference":        func(m *outbound.Mail) { m.References = []string{"no-at"} },
		"bad recipient":        func(m *outbound.Mail) { m.To = []mail.Address{{Address: "jan"}} },
		"recipient with name":  func(m *outbound.Mail) { m.To = []mail.Address{{Address: "Jan <jan@example.com>"}} },
		"bad reply-to":         func(m *outbound.Mail) { m.ReplyTo = &mail.Address{Address: "a@b\r\nBcc: x@y"} },
		"no text":              func(m *outbound.Mail) { m.Text = " \n" },
		"header injection":     func(m *outbound.Mail) { m.Headers = map[string]string{"X-A": "1\r\nBcc: x@y.z"} },
		"reserved header":      func(m *outbound.Mail) { m.Headers = map[string]string{"bcc": "x@y.z"} },
		"header name w/ colon": func(m *outbound.Mail) { m.Headers = map[string]string{"X-A: b": "1"} },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			m := orderMail()
			edit(&m)
			err := s.Send(sendCtx(t), m)
			if !outbound.Permanent(err) {
				t.Errorf("got %v, want a permanent error", err)
			}
		})
	}
}

// A name or subject with line breaks is flattened, not a header injection.
func TestSendFlattensLineBreaks(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, startTLS, be)
	m := orderMail()
	m.Subject = "Hello\r\nBcc: evil@example.com"
	m.FromName = "Shop\nBcc: evil@example.com"
	m.To[0].Name = "Jan\r\nBcc: evil@example.com"
	if err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m); err != nil {
		t.Fatal(err)
	}
	h := parse(t, be.Mails()[0].Data).h
	if h.Has("Bcc") {
		t.Error("a Bcc header got in")
	}
	if s, _ := h.Subject(); s != "Hello Bcc: evil@example.com" {
		t.Errorf("Subject: got %q", s)
	}
}

func TestSendTimeout(t *testing.T) {
	u := &url.URL{Scheme: "smtp", Host: silentListener(t)}
	s := newSender(t, u, nil, 300*time.Millisecond)
	start := time.Now()
	err := s.Send(sendCtx(t), orderMail())
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v with a 300ms timeout", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || outbound.Permanent(err) {
		t.Errorf("got %v, want a temporary deadline error", err)
	}
}

func TestSendCancelled(t *testing.T) {
	u := &url.URL{Scheme: "smtps", Host: silentListener(t)}
	s := newSender(t, u, nil, time.Minute)
	ctx, cancel := context.WithCancel(sendCtx(t))
	time.AfterFunc(100*time.Millisecond, cancel)
	err := s.Send(ctx, orderMail())
	if !errors.Is(err, context.Canceled) || outbound.Permanent(err) {
		t.Errorf("got %v, want a temporary cancellation", err)
	}
}

func TestNewSMTPSender(t *testing.T) {
	good, _ := outbound.ParseSMTPURL("smtp://u:p@mail.example.com")
	tests := map[string]outbound.Config{
		"no url":   {From: mail.Address{Address: "a@b.c"}},
		"no from":  {URL: good},
		"bad from": {URL: good, From: mail.Address{Address: "Shop <a@b.c>"}},
		"http url": {URL: &url.URL{Scheme: "http", Host: "h"}, From: mail.Address{Address: "a@b.c"}},
	}
	for name, cfg := range tests {
		if _, err := outbound.NewSMTPSender(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := outbound.NewSMTPSender(outbound.Config{URL: good, From: mail.Address{Name: "Parley", Address: "a@b.c"}}); err != nil {
		t.Error(err)
	}
}

// TestSendAttachments: a mail with files is multipart/mixed: the text and
// HTML bodies, then each file as an attachment part with its name, type
// and bytes, as the SMTP server received them.
func TestSendAttachments(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, startTLS, be)
	m := orderMail()
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 3000)...)
	m.Attachments = []outbound.Attachment{
		{Name: "return-label.txt", Type: "text/plain", Data: []byte("RMA 1234: print me")},
		{Name: "Zdjęcie paczki.png", Type: "image/png", Data: png},
		{Name: "odd.bin", Type: "bad\r\ntype", Data: []byte{0, 1, 2}},
	}
	if err := newSender(t, u, clientTLS, 0).Send(sendCtx(t), m); err != nil {
		t.Fatal(err)
	}
	mails := be.Mails()
	if len(mails) != 1 {
		t.Fatalf("got %d mails, want 1", len(mails))
	}
	r, err := gomail.CreateReader(bytes.NewReader(mails[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if top, _, _ := r.Header.ContentType(); top != "multipart/mixed" {
		t.Errorf("top type %q, want multipart/mixed", top)
	}
	type file struct{ name, typ, data string }
	var got []file
	var text string
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatal(err)
		}
		switch h := part.Header.(type) {
		case *gomail.InlineHeader:
			if ct, _, _ := h.ContentType(); ct == "text/plain" {
				text = strings.ReplaceAll(string(b), "\r\n", "\n")
			}
		case *gomail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			got = append(got, file{name, ct, string(b)})
		}
	}
	if text != m.Text {
		t.Errorf("text body %q, want %q", text, m.Text)
	}
	want := []file{
		{"return-label.txt", "text/plain", "RMA 1234: print me"},
		{"Zdjęcie paczki.png", "image/png", string(png)},
		{"odd.bin", "application/octet-stream", "\x00\x01\x02"},
	}
	if len(got) != len(want) {
		t.Fatalf("attachments %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attachment %d: %q %q (%d bytes), want %q %q (%d bytes)", i, got[i].name, got[i].typ, len(got[i].data), want[i].name, want[i].typ, len(want[i].data))
		}
	}
}
