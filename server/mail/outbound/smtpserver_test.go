package outbound_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/server/internal/loopbacktls"
)

// testTLS makes a CA and a certificate for 127.0.0.1 signed by it: the
// server's config, and a client config that trusts only that CA.
func testTLS(tb testing.TB) (server, client *tls.Config) {
	tb.Helper()
	c, err := loopbacktls.New("Parley test CA", time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return c.Server, c.Client
}

// received is one mail as the test server took it.
type received struct {
	From  string
	To    []string
	Data  []byte
	TLS   bool
	AuthU string
}

// backend is a go-smtp Backend that requires a login and records mails.
type backend struct {
	user, pass string
	mechs      []string              // offered; PLAIN when empty
	rcptErr    func(to string) error // a reply to RCPT, if not nil
	// idle is how long the server waits for a command before it says 421
	// and hangs up; 10 s when zero.
	idle      time.Duration
	mu        sync.Mutex
	mails     []received
	authTries int
	conns     []*trackedConn // every TCP connection accepted
	hellos    []string       // the EHLO name of each session
	// atData, if set, is what the server does at the end of DATA.
	atData dataAction
}

type dataAction int

const (
	acceptData dataAction = iota
	refuseData            // 451 instead of taking the mail
	hangUpData            // take the mail, then hang up before the reply
)

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	b.mu.Lock()
	b.hellos = append(b.hellos, c.Hostname())
	b.mu.Unlock()
	return &session{b: b, tls: isTLS}, nil
}

// Conns is how many TCP connections the server accepted.
func (b *backend) Conns() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

// Open is how many of them the server has not closed yet.
func (b *backend) Open() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.conns {
		if !c.closed.Load() {
			n++
		}
	}
	return n
}

// HangUp closes every connection from the server's side without a word.
func (b *backend) HangUp() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

func (b *backend) Hellos() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.hellos...)
}

func (b *backend) SetAtData(a dataAction) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.atData = a
}

func (b *backend) Mails() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.mails...)
}

func (b *backend) AuthTries() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.authTries
}

type session struct {
	b    *backend
	tls  bool
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if len(s.b.mechs) > 0 {
		return s.b.mechs
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	s.b.mu.Lock()
	s.b.authTries++
	s.b.mu.Unlock()
	check := func(user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return errors.New("wrong user or password")
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from, TLS: s.tls, AuthU: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		if err := s.b.rcptErr(to); err != nil {
			return err
		}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	at := s.b.atData
	if at != refuseData {
		s.cur.Data = data
		s.b.mails = append(s.b.mails, s.cur)
	}
	s.b.mu.Unlock()
	switch at {
	case refuseData:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	case hangUpData:
		s.b.HangUp()
	}
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check     func(user, pass string) error
	user      string
	askedUser bool
	askedPass bool
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case !l.askedUser && resp == nil:
		l.askedUser = true
		return []byte("Username:"), false, nil
	case !l.askedPass:
		l.user, l.askedUser, l.askedPass = string(resp), true, true
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

type serverMode int

const (
	startTLS    serverMode = iota // plain TCP offering STARTTLS
	implicitTLS                   // TLS from the first byte
	noTLS                         // plain TCP, AUTH offered anyway
)

// startSMTP runs a go-smtp server on 127.0.0.1:0 until the test ends and
// returns its URL with credentials, and a client TLS config trusting it.
func startSMTP(tb testing.TB, mode serverMode, be *backend) (*url.URL, *tls.Config) {
	tb.Helper()
	be.user, be.pass = "shop", "s3cr3t:pass@"
	serverTLS, clientTLS := testTLS(tb)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	l = &trackingListener{Listener: l, be: be}
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	if be.idle > 0 {
		s.ReadTimeout = be.idle
	}
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = testLogger{tb}
	scheme := "smtp"
	switch mode {
	case startTLS:
		s.TLSConfig = serverTLS
	case implicitTLS:
		l = tls.NewListener(l, serverTLS)
		scheme = "smtps"
	case noTLS:
		s.AllowInsecureAuth = true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	tb.Cleanup(func() {
		s.Close()
		// go-smtp's Close misses a listener that Serve has not registered
		// yet (a test that never dials ends that fast): close it ourselves.
		l.Close()
		<-done
	})
	u := &url.URL{Scheme: scheme, User: url.UserPassword(be.user, be.pass), Host: l.Addr().String()}
	return u, clientTLS
}

// trackingListener records each connection it accepts in be.
type trackingListener struct {
	net.Listener
	be *backend
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c}
	l.be.mu.Lock()
	l.be.conns = append(l.be.conns, tc)
	l.be.mu.Unlock()
	return tc, nil
}

// trackedConn knows whether it was closed: by the server, after the
// client's QUIT or its hanging up, or by HangUp.
type trackedConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

type testLogger struct{ tb testing.TB }

func (l testLogger) Printf(format string, v ...any) {
	if !strings.Contains(format, "use of closed") {
		l.tb.Logf("smtp server: "+format, v...)
	}
}
func (l testLogger) Println(v ...any) { l.tb.Log(append([]any{"smtp server:"}, v...)...) }

// silentListener accepts connections and never says a word: a stalled server.
func silentListener(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
