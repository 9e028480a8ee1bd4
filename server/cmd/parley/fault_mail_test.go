package main

// The outbox under kill -9: 200 emails are queued, the mail server is slow,
// the server dies mid-way without a chance to record anything; after the
// restart every email is delivered, and a duplicate is only ever a mail
// that was accepted just before the kill, with the same Message-ID.
//
//	go test -count=1 -run FaultOutbox -v ./server/cmd/parley/

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/loopbacktls"
)

// slowMailServer is a go-smtp server with STARTTLS and AUTH PLAIN that
// takes delay over each mail and records its Message-ID.
type slowMailServer struct {
	delay time.Duration
	// gate holds every mail until it is closed.
	gate chan struct{}
	mu   sync.Mutex
	ids  map[string]int // Message-ID → copies accepted
	to   map[string]bool
	// others counts the mails that are not transcripts.
	others int
}

func (b *slowMailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &slowSession{b: b}, nil
}

func (b *slowMailServer) accepted() (distinct, copies int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.ids {
		distinct++
		copies += n
	}
	return distinct, copies
}

type slowSession struct {
	b    *slowMailServer
	auth bool
}

func (s *slowSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *slowSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "shop" || pass != "secret" {
			return errors.New("wrong password")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *slowSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *slowSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *slowSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, m.Body)
	<-s.b.gate
	time.Sleep(s.b.delay) // slow to accept: the kill lands while mails are in flight
	s.b.mu.Lock()
	if !strings.HasSuffix(m.Header.Get("To"), "@example.com>") && !strings.HasSuffix(m.Header.Get("To"), "@example.com") {
		// Not a transcript: the shop's news of a chat started while
		// nobody was online. Accepted, not counted.
		s.b.others++
		s.b.mu.Unlock()
		return nil
	}
	s.b.ids[m.Header.Get("Message-ID")]++
	if s.b.to == nil {
		s.b.to = map[string]bool{}
	}
	s.b.to[m.Header.Get("To")] = true
	s.b.mu.Unlock()
	return nil
}
func (s *slowSession) Reset()        {}
func (s *slowSession) Logout() error { return nil }

// startSlowMail runs the server with a certificate from a new CA, whose
// PEM it writes to a file for -smtp-ca, and returns its URL.
func startSlowMail(tb testing.TB, b *slowMailServer) (smtpURL, caFile string) {
	tb.Helper()
	certs, err := loopbacktls.New("fault test CA", time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	caFile = filepath.Join(tb.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certs.CAPEM, 0o600); err != nil {
		tb.Fatal(err)
	}
	s := smtp.NewServer(b)
	s.Domain = "mail.test"
	s.TLSConfig = certs.Server
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(l) }()
	tb.Cleanup(func() { s.Close(); l.Close(); <-done })
	return "smtp://shop:secret@" + l.Addr().String(), caFile
}

func TestFaultOutboxKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real server")
	}
	box := &slowMailServer{delay: 25 * time.Millisecond, ids: map[string]int{}, gate: make(chan struct{})}
	smtpURL, ca := startSlowMail(t, box)
	srv := newFaultServer(t)
	srv.stop()
	srv.args = append(srv.args, "-smtp-url", smtpURL, "-mail-from", "chat@shop.test", "-smtp-ca", ca, "-mail-domain", "chat.shop.test")
	srv.start()

	// Five visitors each ask for their transcript at forty addresses:
	// 200 emails queued in a moment.
	const visitors, each = 5, 40
	var vs []*faultClient
	for i := range visitors {
		v := startFaultClient(t, srv.ws, faultVisitorHello(), nil, nil)
		vs = append(vs, v)
		v.c.Send(0, fmt.Sprintf("hello from %d", i), false)
	}
	faultDrainOutboxes(t, "first messages", 10*time.Second, vs)
	// Paced under the socket's limit for such frames (10 a second).
	var sent sync.WaitGroup
	for i, v := range vs {
		sent.Go(func() {
			for k := range each {
				f := parley.Frame{Type: parley.TypeTranscript, Conv: v.conv(), Email: fmt.Sprintf("v%d-%d@example.com", i, k)}
				if _, ok := v.c.SendControl(f); !ok {
					t.Errorf("visitor %d offline", i)
					return
				}
				time.Sleep(120 * time.Millisecond)
			}
		})
	}
	sent.Wait()
	time.Sleep(300 * time.Millisecond) // the last frames reach the outbox
	close(box.gate)                    // the mail server starts taking mail, slowly
	// Kill once some are accepted, with more in flight.
	if !faultWaitFor(20*time.Second, func() bool { d, _ := box.accepted(); return d >= 40 }) {
		d, _ := box.accepted()
		t.Fatalf("only %d emails accepted before the kill", d)
	}
	before, _ := box.accepted()
	srv.kill()
	srv.start()
	if !faultWaitFor(60*time.Second, func() bool { d, _ := box.accepted(); return d >= visitors*each }) {
		d, c := box.accepted()
		for _, v := range vs {
			_, _, errs := v.snapshot()
			for _, e := range errs {
				t.Logf("error frame %s %q for %s", e.Code, e.Message, e.ID)
			}
		}
		box.mu.Lock()
		for i := range visitors {
			n := 0
			for k := range each {
				for to := range box.to {
					if strings.Contains(to, fmt.Sprintf("v%d-%d@", i, k)) {
						n++
					}
				}
			}
			t.Logf("visitor %d: %d addresses mailed", i, n)
		}
		box.mu.Unlock()
		t.Fatalf("after the restart %d of %d emails delivered (%d copies)", d, visitors*each, c)
	}
	time.Sleep(300 * time.Millisecond) // any late duplicate
	distinct, copies := box.accepted()
	t.Logf("%d emails queued; killed with %d accepted; after the restart all %d delivered, %d duplicates (each with its first copy's Message-ID)",
		visitors*each, before, distinct, copies-distinct)
	if distinct != visitors*each {
		t.Errorf("%d distinct emails, want %d", distinct, visitors*each)
	}
	// The documented window: a mail accepted by the server whose outcome
	// the killed process had not recorded. At most the worker's
	// concurrency (4) of them.
	if dups := copies - distinct; dups > 4 {
		t.Errorf("%d duplicates: more than the mails in flight at the kill", dups)
	}
	for _, v := range vs {
		_, _, errs := v.snapshot()
		for _, e := range errs {
			t.Errorf("error frame %s %q for %s", e.Code, e.Message, e.ID)
		}
	}
}
