package outbound_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/server/mail/outbound"
)

// pooledSender is a sender with edit applied to its Config, closed at
// cleanup.
func pooledSender(tb testing.TB, u *url.URL, clientTLS *tls.Config, edit func(*outbound.Config)) *outbound.SMTPSender {
	tb.Helper()
	cfg := outbound.Config{
		URL:       u,
		From:      mail.Address{Name: "Parley", Address: "mail@parley.example"},
		TLSConfig: clientTLS,
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := outbound.NewSMTPSender(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// mailTo is the order mail to addr, with a Message-ID of its own.
func mailTo(addr string) outbound.Mail {
	m := orderMail()
	m.To = []mail.Address{{Address: addr}}
	m.MessageID = fmt.Sprintf("%s.test@shop.example", addr[:len(addr)-len("@example.com")])
	return m
}

// byRecipient counts the mails the server took for each address.
func byRecipient(be *backend) map[string]int {
	n := map[string]int{}
	for _, m := range be.Mails() {
		for _, to := range m.To {
			n[to]++
		}
	}
	return n
}

// waitFor polls cond for up to 5 s: the server notices a closed
// connection on its own time.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("waited 5 s for %s", what)
		}
	}
}

// TestSendReusesConnection: mails in a row share one connection, one
// TLS handshake and one login, and the caller's context ending after a
// Send does not close the pooled connection.
func TestSendReusesConnection(t *testing.T) {
	for _, mode := range []serverMode{startTLS, implicitTLS} {
		t.Run(fmt.Sprint("mode ", mode), func(t *testing.T) {
			be := &backend{}
			u, clientTLS := startSMTP(t, mode, be)
			s := pooledSender(t, u, clientTLS, nil)
			want := map[string]int{}
			for i := range 5 {
				ctx, cancel := context.WithCancel(sendCtx(t))
				addr := fmt.Sprintf("c%d@example.com", i)
				if err := s.Send(ctx, mailTo(addr)); err != nil {
					t.Fatalf("mail %d: %v", i, err)
				}
				cancel() // the Send's watch on ctx must be gone
				want[addr] = 1
				time.Sleep(5 * time.Millisecond)
			}
			if got := byRecipient(be); !reflect.DeepEqual(got, want) {
				t.Errorf("mails: got %v, want %v", got, want)
			}
			if got := be.Conns(); got != 1 {
				t.Errorf("got %d connections, want 1", got)
			}
			if got := be.AuthTries(); got != 1 {
				t.Errorf("got %d logins, want 1", got)
			}
			if got := outbound.IdleConns(s); got != 1 {
				t.Errorf("got %d idle connections, want 1", got)
			}
			s.Close()
			if got := outbound.IdleConns(s); got != 0 {
				t.Errorf("after Close: %d idle connections", got)
			}
			waitFor(t, "the server to see the connection closed", func() bool { return be.Open() == 0 })
			// Still usable, without a pool.
			if err := s.Send(sendCtx(t), mailTo("after-close@example.com")); err != nil {
				t.Fatal(err)
			}
			if got := outbound.IdleConns(s); got != 0 {
				t.Errorf("a closed sender pooled a connection")
			}
		})
	}
}

// TestSendConcurrent: Sends at once never leave more idle connections
// than the pool holds, and every mail arrives once.
func TestSendConcurrent(t *testing.T) {
	for _, tt := range []struct {
		name              string
		pool, goroutines  int
		wantMaxConns      int // 0: not bounded
		mailsPerGoroutine int
	}{
		// As in Parley: the outbox's workers are as many as the pool.
		{"as many senders as the pool", 4, 4, 4, 6},
		{"more senders than the pool", 3, 10, 0, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			u, clientTLS := startSMTP(t, startTLS, be)
			s := pooledSender(t, u, clientTLS, func(c *outbound.Config) { c.PoolSize = tt.pool })
			var wg sync.WaitGroup
			errs := make(chan error, tt.goroutines*tt.mailsPerGoroutine)
			for g := range tt.goroutines {
				wg.Go(func() {
					for i := range tt.mailsPerGoroutine {
						if err := s.Send(sendCtx(t), mailTo(fmt.Sprintf("g%d-%d@example.com", g, i))); err != nil {
							errs <- err
						}
						if n := outbound.IdleConns(s); n > tt.pool {
							errs <- fmt.Errorf("%d idle connections, pool of %d", n, tt.pool)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			got := byRecipient(be)
			if len(got) != tt.goroutines*tt.mailsPerGoroutine {
				t.Errorf("got mails for %d addresses, want %d", len(got), tt.goroutines*tt.mailsPerGoroutine)
			}
			for addr, n := range got {
				if n != 1 {
					t.Errorf("%s got %d copies", addr, n)
				}
			}
			if n := be.Conns(); tt.wantMaxConns > 0 && n > tt.wantMaxConns {
				t.Errorf("got %d connections, want at most %d", n, tt.wantMaxConns)
			}
			if n := outbound.IdleConns(s); n < 1 || n > tt.pool {
				t.Errorf("got %d idle connections, want 1 to %d", n, tt.pool)
			}
			// The connections the pool had no room for were closed.
			waitFor(t, "the server to keep no more connections than the pool", func() bool { return be.Open() == outbound.IdleConns(s) })
		})
	}
}

// TestSendAfterServerClosedIdle: the server hung up on a pooled
// connection; the next Send notices at MAIL FROM and sends its mail over
// a new connection, once.
func TestSendAfterServerClosedIdle(t *testing.T) {
	for _, tt := range []struct {
		name  string
		idle  time.Duration
		close func(tb testing.TB, be *backend)
	}{
		// go-smtp, like most servers, says "421 4.4.2 Idle timeout" first.
		{"421 idle timeout", 300 * time.Millisecond, func(tb testing.TB, be *backend) {
			waitFor(tb, "the server's idle timeout", func() bool { return be.Open() == 0 })
		}},
		{"hung up without a word", 0, func(tb testing.TB, be *backend) {
			be.HangUp()
			waitFor(tb, "the hang-up", func() bool { return be.Open() == 0 })
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{idle: tt.idle}
			u, clientTLS := startSMTP(t, startTLS, be)
			s := pooledSender(t, u, clientTLS, nil)
			if err := s.Send(sendCtx(t), mailTo("first@example.com")); err != nil {
				t.Fatal(err)
			}
			tt.close(t, be)
			time.Sleep(20 * time.Millisecond) // the FIN or the 421 reaches the client
			if err := s.Send(sendCtx(t), mailTo("second@example.com")); err != nil {
				t.Fatalf("the second mail: %v", err)
			}
			if got, want := byRecipient(be), map[string]int{"first@example.com": 1, "second@example.com": 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("mails: got %v, want %v", got, want)
			}
			if got := be.Conns(); got != 2 {
				t.Errorf("got %d connections, want 2", got)
			}
			if got := outbound.IdleConns(s); got != 1 {
				t.Errorf("got %d idle connections, want the new one", got)
			}
		})
	}
}

// TestSendNoRetryAfterData: a pooled connection that fails at DATA is
// closed and the error returned: the server may have taken the mail, and
// only the caller may send it again (with the same Message-ID).
func TestSendNoRetryAfterData(t *testing.T) {
	for _, tt := range []struct {
		name   string
		at     dataAction
		copies int // of the failed mail at the server
	}{
		{"451 at the end of DATA", refuseData, 0},
		{"hung up after taking the mail", hangUpData, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			u, clientTLS := startSMTP(t, startTLS, be)
			s := pooledSender(t, u, clientTLS, nil)
			if err := s.Send(sendCtx(t), mailTo("first@example.com")); err != nil {
				t.Fatal(err)
			}
			be.SetAtData(tt.at)
			err := s.Send(sendCtx(t), mailTo("second@example.com"))
			if err == nil || outbound.Permanent(err) {
				t.Fatalf("got %v, want a temporary error", err)
			}
			be.SetAtData(acceptData)
			if got := be.Conns(); got != 1 {
				t.Errorf("got %d connections, want 1: the mail was sent again", got)
			}
			if got := byRecipient(be)["second@example.com"]; got != tt.copies {
				t.Errorf("the failed mail arrived %d times, want %d", got, tt.copies)
			}
			if got := outbound.IdleConns(s); got != 0 {
				t.Errorf("the failed connection went back to the pool")
			}
			if err := s.Send(sendCtx(t), mailTo("third@example.com")); err != nil {
				t.Fatal(err)
			}
			if got := be.Conns(); got != 2 {
				t.Errorf("got %d connections, want 2", got)
			}
		})
	}
}

// TestSendRefusedRecipientClosesConnection: a 550 at RCPT is permanent
// for the mail, and its connection is closed rather than reset: go-smtp's
// RSET makes the next mail say EHLO again, and a refused address is rare.
func TestSendRefusedRecipientClosesConnection(t *testing.T) {
	be := &backend{rcptErr: func(to string) error {
		if to == "nobody@example.com" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}}
	u, clientTLS := startSMTP(t, startTLS, be)
	s := pooledSender(t, u, clientTLS, nil)
	if err := s.Send(sendCtx(t), mailTo("first@example.com")); err != nil {
		t.Fatal(err)
	}
	err := s.Send(sendCtx(t), mailTo("nobody@example.com"))
	if !outbound.Permanent(err) {
		t.Fatalf("got %v, want a permanent error", err)
	}
	if got := outbound.IdleConns(s); got != 0 {
		t.Errorf("the connection with the refused mail went back to the pool")
	}
	waitFor(t, "the connection closed", func() bool { return be.Open() == 0 })
	if err := s.Send(sendCtx(t), mailTo("third@example.com")); err != nil {
		t.Fatal(err)
	}
	if got, want := byRecipient(be), map[string]int{"first@example.com": 1, "third@example.com": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("mails: got %v, want %v", got, want)
	}
	if got := be.Conns(); got != 2 {
		t.Errorf("got %d connections, want 2", got)
	}
}

// TestSendIdleTimeout: a connection idle for longer than IdleTimeout is
// closed, not used.
func TestSendIdleTimeout(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, implicitTLS, be)
	s := pooledSender(t, u, clientTLS, func(c *outbound.Config) { c.IdleTimeout = 30 * time.Millisecond })
	if err := s.Send(sendCtx(t), mailTo("first@example.com")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if err := s.Send(sendCtx(t), mailTo("second@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := be.Conns(); got != 2 {
		t.Errorf("got %d connections, want 2", got)
	}
	waitFor(t, "the old connection closed", func() bool { return be.Open() == 1 })
	if got := outbound.IdleConns(s); got != 1 {
		t.Errorf("got %d idle connections, want 1", got)
	}
}

// TestSendMaxMailsPerConn: a connection is retired after its share.
func TestSendMaxMailsPerConn(t *testing.T) {
	be := &backend{}
	u, clientTLS := startSMTP(t, startTLS, be)
	s := pooledSender(t, u, clientTLS, func(c *outbound.Config) { c.MaxMailsPerConn = 2 })
	for i := range 5 {
		if err := s.Send(sendCtx(t), mailTo(fmt.Sprintf("m%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	if got := be.Conns(); got != 3 {
		t.Errorf("got %d connections for 5 mails at 2 each, want 3", got)
	}
	waitFor(t, "the retired connections closed", func() bool { return be.Open() == 1 })
}

// TestSendHelloName: EHLO names the sender's domain, or HelloName, not
// go-smtp's "localhost", at least once TLS is up.
func TestSendHelloName(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mode  serverMode
		hello string
		want  []string // the EHLO name of each session
	}{
		// Before STARTTLS go-smtp says localhost; the server forgets it.
		{"starttls, the sender's domain", startTLS, "", []string{"localhost", "parley.example"}},
		{"starttls, HelloName", startTLS, "chat.shop.example", []string{"localhost", "chat.shop.example"}},
		{"implicit tls, the sender's domain", implicitTLS, "", []string{"parley.example"}},
		{"implicit tls, HelloName", implicitTLS, "chat.shop.example", []string{"chat.shop.example"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			u, clientTLS := startSMTP(t, tt.mode, be)
			s := pooledSender(t, u, clientTLS, func(c *outbound.Config) { c.HelloName = tt.hello })
			if err := s.Send(sendCtx(t), mailTo("jan@example.com")); err != nil {
				t.Fatal(err)
			}
			if got := be.Hellos(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("EHLO names: got %q, want %q", got, tt.want)
			}
		})
	}
	good, _ := outbound.ParseSMTPURL("smtp://u:p@mail.example.com")
	for _, bad := range []string{"chat shop", "chat\r\nRSET", "sklep.zażółć.pl"} {
		if _, err := outbound.NewSMTPSender(outbound.Config{URL: good, From: mail.Address{Address: "a@b.c"}, HelloName: bad}); err == nil {
			t.Errorf("HelloName %q accepted", bad)
		}
	}
}
