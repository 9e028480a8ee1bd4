package inbound_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/parley-chat/parley/server/mail/inbound"
)

// Tokens the test server knows; reply addresses with any other token are
// refused.
const (
	tokenTemporary = "tempFAIL000000000000" // Deliver fails with a temporary error
	tokenPermanent = "permFAIL000000000000" // Deliver fails for good
	token2         = "second-token_0000000"
)

// temporaryError is what a store returns when it is busy.
type temporaryError struct{}

func (temporaryError) Error() string   { return "store busy" }
func (temporaryError) Temporary() bool { return true }

type inbox struct {
	mu   sync.Mutex
	msgs []inbound.Message
}

func (in *inbox) deliver(_ context.Context, m inbound.Message) error {
	switch m.Token {
	case tokenTemporary:
		return fmt.Errorf("save reply: %w", temporaryError{})
	case tokenPermanent:
		return errors.New("conversation is closed")
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.msgs = append(in.msgs, m)
	return nil
}

func (in *inbox) take() []inbound.Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	msgs := in.msgs
	in.msgs = nil
	return msgs
}

// startServer runs a Server on 127.0.0.1:0 with short timeouts; change
// adjusts the config first.
func startServer(tb testing.TB, change func(*inbound.Config)) (*inbound.Server, *inbox) {
	tb.Helper()
	in := &inbox{}
	known := map[string]bool{token: true, token2: true, tokenTemporary: true, tokenPermanent: true}
	cfg := inbound.Config{
		Addr:          "127.0.0.1:0",
		Domain:        "chat.example",
		MaxRecipients: 3,
		ReadTimeout:   5 * time.Second,
		WriteTimeout:  5 * time.Second,
		CheckToken:    func(t string) bool { return known[t] },
		Deliver:       in.deliver,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if change != nil {
		change(&cfg)
	}
	s, err := inbound.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, in
}

func dial(tb testing.TB, s *inbound.Server) *smtp.Client {
	tb.Helper()
	c, err := smtp.Dial(s.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	c.CommandTimeout = 5 * time.Second
	c.SubmissionTimeout = 5 * time.Second
	if err := c.Hello("mx.example.net"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// send runs one mail transaction and returns the first refusal.
func send(tb testing.TB, c *smtp.Client, from string, to []string, msg string) error {
	tb.Helper()
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			c.Reset()
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	return w.Close()
}

// wantCode checks that err is the SMTP reply code.enhanced, with text in
// its message.
func wantCode(tb testing.TB, err error, code int, enhanced smtp.EnhancedCode, text string) {
	tb.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		tb.Fatalf("got %v, want SMTP %d %v %q", err, code, enhanced, text)
	}
	if se.Code != code || se.EnhancedCode != enhanced || !strings.Contains(se.Message, text) {
		tb.Fatalf("got %d %v %q, want %d %v %q", se.Code, se.EnhancedCode, se.Message, code, enhanced, text)
	}
}

func reply(t string) string { return "reply+" + t + "@chat.example" }

func TestServerDeliversFixtures(t *testing.T) {
	s, in := startServer(t, nil)
	c := dial(t, s) // one connection for all: the session resets between mails
	tests := []struct {
		file string
		want inbound.Message
	}{
		{"gmail_reply.eml", inbound.Message{
			Token: token, From: "anna.kowalska@gmail.com", Subject: "Re: Your question about order 1042",
			Text:      "Hi, yes please — send the 250 g bag instead of the 1 kg one. If it's easier, I can pick it up in the shop on Friday.\n\nThanks,\nAnna",
			MessageID: "CAJx9a+7nQ2wXbT4kfz1mR8pVy3LqZ0H5sd@mail.gmail.com", InReplyTo: []string{"conv-1042.1795932120@chat.example"},
		}},
		{"outlook_reply.eml", inbound.Message{
			Token: token, From: "jan.nowak@example.pl", Subject: "RE: Zamówienie 1042 śledzenie",
			Text:      "Dzień dobry,\n\nzamówienie nr 1042 jeszcze nie dotarło. Czy możecie sprawdzić, gdzie jest paczka?\n\nPozdrawiam\nJan Nowak",
			MessageID: "AM9PR07MB72341F0E8C2D3B4A5E6F7A8B9C0DA@AM9PR07MB7234.eurprd07.prod.outlook.com", InReplyTo: []string{"conv-1042.1795932120@chat.example"},
		}},
		{"apple_mail_reply.eml", inbound.Message{
			Token: token, From: "claire.martin@icloud.com", Subject: "Re: Your Kenya AA is ready",
			Text:      "Perfect, thank you! Could you gift-wrap it? It's a birthday present for my sister, so please leave the invoice out of the box.\n\nBest,\nClaire",
			MessageID: "8F1C2D3E-4B5A-6978-8C9D-0E1F2A3B4C5D@icloud.com", InReplyTo: []string{"conv-77.1795932120@chat.example"},
		}},
		{"with_attachment.eml", inbound.Message{
			Token: token, From: "tom.becker@example.de", Subject: "Re: Refund for order 2213",
			Text:      "Here is the photo of the broken grinder and the invoice.",
			MessageID: "0C1D2E3F-AAAA-BBBB-CCCC-DDDDEEEEFFFF@example.de", InReplyTo: []string{"conv-2213.1795932120@chat.example"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if err := send(t, c, "bounce-123@mail.example.net", []string{reply(token)}, readFixture(t, tt.file)); err != nil {
				t.Fatal(err)
			}
			got := in.take()
			if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
				t.Fatalf("delivered:\ngot  %+v\nwant [%+v]", got, tt.want)
			}
		})
	}
}

func TestServerRecipients(t *testing.T) {
	s, in := startServer(t, nil)
	c := dial(t, s)
	msg := "From: Anna <anna@example.com>\nSubject: Re: hi\nMessage-ID: <m1@example.com>\n\nThanks!\n"

	t.Run("refused", func(t *testing.T) {
		for _, tt := range []struct {
			rcpt     string
			code     int
			enhanced smtp.EnhancedCode
			text     string
		}{
			{"someone@gmail.com", 550, smtp.EnhancedCode{5, 7, 1}, "Relaying denied"},
			{"reply+" + token + "@chat.example.evil.com", 550, smtp.EnhancedCode{5, 7, 1}, "Relaying denied"},
			{"support@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"},
			{"reply+short@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"},
			{"reply+" + strings.Repeat("a", 101) + "@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"},
			{"reply+" + token + ".x@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"},
			{"reply+unknownToken000000@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"},
			{"reply+" + strings.ToLower(token) + "@chat.example", 550, smtp.EnhancedCode{5, 1, 1}, "No such reply address"}, // tokens are case-sensitive
		} {
			if err := c.Mail("anna@example.com", nil); err != nil {
				t.Fatal(err)
			}
			wantCode(t, c.Rcpt(tt.rcpt, nil), tt.code, tt.enhanced, tt.text)
			if err := c.Reset(); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("prefix and domain in any case", func(t *testing.T) {
		if err := send(t, c, "anna@example.com", []string{"REPLY+" + token + "@Chat.Example"}, msg); err != nil {
			t.Fatal(err)
		}
		if got := in.take(); len(got) != 1 || got[0].Token != token {
			t.Fatalf("delivered %+v, want one for %s", got, token)
		}
	})

	t.Run("once per distinct token", func(t *testing.T) {
		if err := send(t, c, "anna@example.com", []string{reply(token), reply(token2), reply(token)}, msg); err != nil {
			t.Fatal(err)
		}
		got := in.take()
		if len(got) != 2 || got[0].Token != token || got[1].Token != token2 {
			t.Fatalf("delivered %+v, want one for each of %s and %s", got, token, token2)
		}
	})

	t.Run("too many", func(t *testing.T) {
		if err := c.Mail("anna@example.com", nil); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := c.Rcpt(reply(token), nil); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, c.Rcpt(reply(token2), nil), 452, smtp.EnhancedCode{4, 5, 3}, "recipients")
		if err := c.Reset(); err != nil {
			t.Fatal(err)
		}
	})
}

// Each refusal leaves the connection and the server serving: the test runs
// them on one connection, then sends a good reply on it and on a new one.
func TestServerRefusesAndKeepsServing(t *testing.T) {
	s, in := startServer(t, nil)
	c := dial(t, s)
	good := "From: Anna <anna@example.com>\nSubject: Re: hi\n\nThanks!\n"

	wantCode(t, send(t, c, "anna@example.com", []string{reply(token)}, readFixture(t, "malformed.eml")),
		554, smtp.EnhancedCode{5, 6, 0}, "Malformed message")
	wantCode(t, send(t, c, "anna@example.com", []string{reply(token)}, "From: anna@example.com\n\n> only a quote\n"),
		554, smtp.EnhancedCode{5, 6, 0}, "The reply has no text")

	// 1.5 MiB: a reply with a big photo, over the 1 MiB default.
	var big strings.Builder
	big.WriteString("From: anna@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nSee the photo.\n--x\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename=a.jpg\nContent-Transfer-Encoding: base64\n\n")
	for big.Len() < 3<<19 {
		big.WriteString(strings.Repeat("QUJD", 19) + "\n")
	}
	big.WriteString("--x--\n")
	wantCode(t, send(t, c, "anna@example.com", []string{reply(token)}, big.String()),
		552, smtp.EnhancedCode{5, 3, 4}, "Message too big")

	// A client that says the size up front is refused at MAIL.
	wantCode(t, c.Mail("anna@example.com", &smtp.MailOptions{Size: 2 << 20}), 552, smtp.EnhancedCode{5, 3, 4}, "size")
	c.Reset()

	wantCode(t, send(t, c, "anna@example.com", []string{reply(tokenTemporary)}, good),
		451, smtp.EnhancedCode{4, 3, 0}, "try again later")
	wantCode(t, send(t, c, "anna@example.com", []string{reply(tokenPermanent)}, good),
		554, smtp.EnhancedCode{5, 0, 0}, "conversation is closed")

	// Out-of-office and bounces are taken (so nothing bounces back) and dropped.
	if err := send(t, c, "anna@example.com", []string{reply(token)}, "From: anna@example.com\nAuto-Submitted: auto-replied\n\nI am away.\n"); err != nil {
		t.Fatalf("auto-reply: %v", err)
	}
	if err := send(t, c, "", []string{reply(token)}, "From: MAILER-DAEMON@example.com\n\nDelivery failed.\n"); err != nil {
		t.Fatalf("bounce: %v", err)
	}
	if got := in.take(); len(got) != 0 {
		t.Fatalf("delivered %+v after refusals, want none", got)
	}

	if err := send(t, c, "anna@example.com", []string{reply(token)}, good); err != nil {
		t.Fatalf("same connection after refusals: %v", err)
	}
	if err := send(t, dial(t, s), "anna@example.com", []string{reply(token)}, good); err != nil {
		t.Fatalf("new connection after refusals: %v", err)
	}
	if got := in.take(); len(got) != 2 || got[0].Text != "Thanks!" || got[0].From != "anna@example.com" {
		t.Fatalf("delivered %+v, want two \"Thanks!\"", got)
	}
}

// A client that stops talking is cut by ReadTimeout, whether it is idle
// between commands or stalls in the middle of DATA; the server goes on.
func TestServerCutsStalledClient(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s, in := startServer(t, func(c *inbound.Config) { c.ReadTimeout, c.WriteTimeout = timeout, timeout })

	talk := func(t *testing.T, lines ...string) (*bufio.Reader, net.Conn) {
		t.Helper()
		conn, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(conn)
		if _, err := r.ReadString('\n'); err != nil { // greeting
			t.Fatal(err)
		}
		for _, l := range lines {
			if _, err := io.WriteString(conn, l+"\r\n"); err != nil {
				t.Fatal(err)
			}
			for { // read the whole, maybe multi-line, reply
				resp, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("after %q: %v", l, err)
				}
				if len(resp) < 4 || resp[3] != '-' {
					break
				}
			}
		}
		return r, conn
	}
	// cut reads until the server closes, which must come within a few timeouts.
	cut := func(t *testing.T, r *bufio.Reader, start time.Time) string {
		t.Helper()
		rest, err := io.ReadAll(r)
		// A reset is a close too: the trickling client wrote after the
		// server had closed.
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("connection not closed by the server: %v (read %q)", err, rest)
		}
		if d := time.Since(start); d > 2*timeout+time.Second {
			t.Fatalf("cut after %v, want about %v", d, timeout)
		}
		return string(rest)
	}

	t.Run("idle", func(t *testing.T) {
		start := time.Now()
		r, _ := talk(t, "EHLO mx.example.net")
		if got := cut(t, r, start); !strings.Contains(got, "421 4.4.2") {
			t.Errorf("got %q, want a 421 4.4.2 idle timeout", got)
		}
	})

	t.Run("stalled in DATA", func(t *testing.T) {
		start := time.Now()
		r, conn := talk(t, "EHLO mx.example.net", "MAIL FROM:<anna@example.com>", "RCPT TO:<"+reply(token)+">", "DATA")
		io.WriteString(conn, "From: anna@example.com\r\nSubject: half\r\n\r\nThis mail never ends")
		cut(t, r, start)
	})

	t.Run("trickling DATA", func(t *testing.T) {
		// A byte now and then does not keep the connection: the timeout
		// runs from the DATA command.
		start := time.Now()
		r, conn := talk(t, "EHLO mx.example.net", "MAIL FROM:<anna@example.com>", "RCPT TO:<"+reply(token)+">", "DATA")
		go func() {
			for i := 0; i < 40; i++ {
				if _, err := io.WriteString(conn, "x"); err != nil {
					return
				}
				time.Sleep(timeout / 4)
			}
		}()
		cut(t, r, start)
	})

	if got := in.take(); len(got) != 0 {
		t.Fatalf("delivered %+v from stalled clients, want none", got)
	}
	if err := send(t, dial(t, s), "anna@example.com", []string{reply(token)}, "From: anna@example.com\n\nStill here?\n"); err != nil {
		t.Fatalf("after stalled clients: %v", err)
	}
	if got := in.take(); len(got) != 1 {
		t.Fatalf("delivered %d, want 1", len(got))
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok := inbound.Config{Domain: "chat.example", CheckToken: func(string) bool { return true }, Deliver: func(context.Context, inbound.Message) error { return nil }}
	for name, change := range map[string]func(*inbound.Config){
		"no domain":     func(c *inbound.Config) { c.Domain = "" },
		"no CheckToken": func(c *inbound.Config) { c.CheckToken = nil },
		"no Deliver":    func(c *inbound.Config) { c.Deliver = nil },
	} {
		cfg := ok
		change(&cfg)
		if _, err := inbound.New(cfg); err == nil {
			t.Errorf("%s: New returned no error", name)
		}
	}
	if _, err := inbound.New(ok); err != nil {
		t.Fatal(err)
	}
}

func TestValidToken(t *testing.T) {
	for tok, want := range map[string]bool{
		token:                    true,
		strings.Repeat("a", 16):  true,
		strings.Repeat("a", 100): true,
		strings.Repeat("a", 15):  false,
		strings.Repeat("a", 101): false,
		"abcdefghijklmnop.q":     false,
		"abcdefghijklmnop+q":     false,
		"abcdefghijklmnopé":      false,
		"":                       false,
	} {
		if got := inbound.ValidToken(tok); got != want {
			t.Errorf("ValidToken(%q) = %v, want %v", tok, got, want)
		}
	}
}
