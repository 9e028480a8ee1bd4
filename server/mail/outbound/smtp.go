package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sender sends one Mail. A nil error means the SMTP server took it.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPSender sends Mails to the configured server. It keeps up to
// Config.PoolSize idle connections, TLS set up and logged in, and sends
// later mails over them, one SMTP transaction after another: a new
// connection costs several round trips (TCP, EHLO, STARTTLS and the TLS
// handshake, EHLO again, AUTH) before its mail, and a relay's own work
// for each. Its methods may be called at once from several goroutines.
//
// A pooled connection is used again only if it was idle for less than
// Config.IdleTimeout, has carried fewer than Config.MaxMailsPerConn mails
// and had no error at all: one that failed in any way, a refused
// recipient too, is closed. If the server hung up on an idle connection,
// which shows at MAIL FROM, before any of the mail was sent, the mail
// goes over a new connection at once. Nothing else is tried again: past
// MAIL FROM the connection was alive, and once DATA was sent the server
// may have taken the mail, so a second copy is left to the caller's
// retry, with the same Message-ID.
type SMTPSender struct {
	cfg Config

	mu sync.Mutex
	// idle are the pooled connections, the longest idle first: Send takes
	// the last, so that in a quiet time the others age and are dropped.
	idle   []*smtpConn
	closed bool
}

// smtpConn is a connection with TLS, EHLO and AUTH done.
type smtpConn struct {
	c *smtp.Client
	// raw is the TCP connection under TLS: closing it ends a blocked read
	// or write, which go-smtp has no context for.
	raw       net.Conn
	mails     int       // taken over it
	idleSince time.Time // when it was put in the pool
}

// close closes the connection without a QUIT.
func (sc *smtpConn) close() {
	sc.c.Close()
	sc.raw.Close()
}

// quit says QUIT and closes sc; ctx ending cuts it short.
func quit(ctx context.Context, sc *smtpConn) {
	stop := context.AfterFunc(ctx, func() { sc.raw.Close() })
	_ = sc.c.Quit()
	stop()
	sc.close()
}

// quitTimeout bounds the QUITs of Close.
const quitTimeout = 5 * time.Second

// NewSMTPSender checks cfg; it does not connect.
func NewSMTPSender(cfg Config) (*SMTPSender, error) {
	if cfg.URL == nil {
		return nil, errors.New("outbound: no -smtp-url")
	}
	u := *cfg.URL
	if err := checkURL(&u); err != nil {
		return nil, err
	}
	cfg.URL = &u
	if p, err := mail.ParseAddress(cfg.From.Address); err != nil || p.Address != cfg.From.Address {
		return nil, fmt.Errorf("outbound: -mail-from %q is not an address", cfg.From.Address)
	}
	switch {
	case cfg.HelloName == "":
		cfg.HelloName = "localhost" // go-smtp's own, for a domain EHLO cannot carry
		if at := strings.LastIndexByte(cfg.From.Address, '@'); at >= 0 && hostName(cfg.From.Address[at+1:]) {
			cfg.HelloName = cfg.From.Address[at+1:]
		}
	case !hostName(cfg.HelloName):
		return nil, fmt.Errorf("outbound: EHLO name %q is not a host name", cfg.HelloName)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = DefaultPoolSize
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxMailsPerConn <= 0 {
		cfg.MaxMailsPerConn = DefaultMaxMailsPerConn
	}
	return &SMTPSender{cfg: cfg}, nil
}

// hostName reports whether s can stand in EHLO: a domain or an address
// literal in ASCII (an internationalized domain would need its A-label).
func hostName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// sendError says at which step a Send failed and whether trying again can
// help.
type sendError struct {
	step      string
	err       error
	permanent bool
}

func (e *sendError) Error() string { return "outbound: " + e.step + ": " + e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// Permanent reports whether err means this mail will never be taken, so its
// job should stop: the server refused the sender, a recipient or the content
// with a 5xx reply, or the Mail itself is malformed. Everything else is
// temporary: 4xx replies, network trouble, timeouts, and also a refused or
// missing login or a server without STARTTLS — those are our set-up, not the
// mail, and once the set-up is fixed the mail should still go out. With
// several recipients, one refused recipient fails the whole mail.
func Permanent(err error) bool {
	var se *sendError
	return errors.As(err, &se) && se.permanent
}

// fail wraps err at step; a 5xx reply at a step about the mail is permanent,
// unless it says we should have logged in (530, or 5.7.0 as go-smtp and
// others send, or 5.7.8 bad credentials): that is our set-up again.
func fail(step string, err error, mailStep bool) error {
	var se *smtp.SMTPError
	perm := mailStep && errors.As(err, &se) && se.Code >= 500 && se.Code < 600 &&
		se.Code != 530 && se.EnhancedCode != (smtp.EnhancedCode{5, 7, 0}) && se.EnhancedCode != (smtp.EnhancedCode{5, 7, 8})
	return &sendError{step: step, err: err, permanent: perm}
}

const stepMail = "mail from"

// closedAtMail reports whether err says, at MAIL FROM, that the server had
// closed the connection: it hung up (EOF, a reset, a broken pipe) or
// said 421, as servers do when they end an idle connection. Nothing of
// the mail was sent yet.
func closedAtMail(err error) bool {
	var se *sendError
	if !errors.As(err, &se) || se.step != stepMail {
		return false
	}
	var reply *smtp.SMTPError
	if errors.As(se.err, &reply) {
		return reply.Code == 421
	}
	return errors.Is(se.err, io.EOF) || errors.Is(se.err, io.ErrUnexpectedEOF) ||
		errors.Is(se.err, syscall.ECONNRESET) || errors.Is(se.err, syscall.EPIPE) || errors.Is(se.err, syscall.ECONNABORTED)
}

// Send builds m and delivers it, over a pooled connection if one is
// ready. Credentials are sent only over TLS: an smtp:// server that does
// not offer STARTTLS is refused before AUTH.
func (s *SMTPSender) Send(ctx context.Context, m Mail) (err error) {
	msg, err := build(m, s.cfg.From, time.Now())
	if err != nil {
		return &sendError{step: "message", err: err, permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	defer func() {
		// A connection closed by ctx is the symptom; say why it was closed.
		if cause := context.Cause(ctx); err != nil && cause != nil && !Permanent(err) && !errors.Is(err, cause) {
			step, inner := "send to "+s.cfg.hostPort(), err
			var se *sendError
			if errors.As(err, &se) {
				step, inner = se.step, se.err
			}
			err = &sendError{step: step, err: fmt.Errorf("%w (%v)", cause, inner)}
		}
	}()

	if sc := s.take(); sc != nil {
		err := s.deliver(ctx, sc, m, msg)
		if !closedAtMail(err) || ctx.Err() != nil {
			return err
		}
		// The server had hung up on it while it was idle.
	}
	sc, err := s.dial(ctx)
	if err != nil {
		return err
	}
	return s.deliver(ctx, sc, m, msg)
}

// take returns the most recently pooled connection, or nil; it closes
// those idle for too long.
func (s *SMTPSender) take() *smtpConn {
	now := time.Now()
	s.mu.Lock()
	n := 0
	for n < len(s.idle) && now.Sub(s.idle[n].idleSince) >= s.cfg.IdleTimeout {
		n++
	}
	stale := slices.Clone(s.idle[:n])
	s.idle = slices.Delete(s.idle, 0, n)
	var sc *smtpConn
	if k := len(s.idle); k > 0 {
		sc = s.idle[k-1]
		s.idle = slices.Delete(s.idle, k-1, k)
	}
	s.mu.Unlock()
	// No QUIT: a mail is waiting.
	for _, old := range stale {
		old.close()
	}
	return sc
}

// put pools sc, or says goodbye to it if the pool is full or closed.
func (s *SMTPSender) put(ctx context.Context, sc *smtpConn) {
	s.mu.Lock()
	if !s.closed && len(s.idle) < s.cfg.PoolSize {
		sc.idleSince = time.Now()
		s.idle = append(s.idle, sc)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	quit(ctx, sc)
}

// Close says QUIT on the idle connections and closes them. Sends after
// it still work, each over a connection of its own.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), quitTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, sc := range idle {
		wg.Go(func() { quit(ctx, sc) })
	}
	wg.Wait()
	return nil
}

// dial opens a connection: TCP, TLS at once or by STARTTLS, EHLO, AUTH.
func (s *SMTPSender) dial(ctx context.Context) (_ *smtpConn, err error) {
	addr := s.cfg.hostPort()
	d := net.Dialer{Timeout: s.cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fail("dial "+addr, err, false)
	}
	// go-smtp takes no context: closing the connection is what ends a
	// blocked read or write when ctx is done.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer func() {
		if !stop() && err == nil {
			// Closed by ctx just after the login.
			err = &sendError{step: "connect to " + addr, err: context.Cause(ctx)}
		}
		if err != nil {
			raw.Close()
		}
	}()

	tlsCfg := s.tlsConfig()
	var c *smtp.Client
	if s.cfg.URL.Scheme == "smtps" {
		tc := tls.Client(raw, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fail("tls with "+addr, err, false)
		}
		c = smtp.NewClient(tc)
	} else {
		// Fails unless the server offers STARTTLS: no opportunistic
		// fallback. The EHLO before STARTTLS says "localhost": go-smtp
		// allows no other (a server must forget that one, RFC 3207 4.2).
		c, err = smtp.NewClientStartTLS(raw, tlsCfg)
		if err != nil {
			return nil, fail("starttls with "+addr, err, false)
		}
	}
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = s.cfg.Timeout
	if err := c.Hello(s.cfg.HelloName); err != nil {
		c.Close()
		return nil, fail("ehlo", err, false)
	}

	if u := s.cfg.URL.User; u != nil {
		pass, _ := u.Password()
		var a sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			a = sasl.NewPlainClient("", u.Username(), pass)
		case c.SupportsAuth(sasl.Login):
			a = sasl.NewLoginClient(u.Username(), pass)
		default:
			c.Close()
			return nil, fail("auth", errors.New("server offers neither AUTH PLAIN nor LOGIN"), false)
		}
		if err := c.Auth(a); err != nil {
			c.Close()
			return nil, fail("auth", err, false)
		}
	}
	return &smtpConn{c: c, raw: raw}, nil
}

// deliver sends one mail over sc, then pools sc or closes it.
func (s *SMTPSender) deliver(ctx context.Context, sc *smtpConn, m Mail, msg []byte) error {
	stop := context.AfterFunc(ctx, func() { sc.raw.Close() })
	err := transaction(sc.c, s.cfg.From.Address, m, msg)
	if err == nil {
		sc.mails++
	}
	if err == nil && sc.mails >= s.cfg.MaxMailsPerConn {
		// Taken: a failing QUIT changes nothing for the mail.
		_ = sc.c.Quit()
		stop()
		sc.close()
		return nil
	}
	// Stopped before it ran, the AfterFunc never closes sc: an idle
	// connection must not be cut when this Send's ctx ends.
	if !stop() || err != nil {
		sc.close()
		return err
	}
	s.put(ctx, sc)
	return nil
}

// transaction is MAIL, RCPT and DATA for m. The server ended the previous
// one with its reply to DATA, so no RSET goes before it.
func transaction(c *smtp.Client, from string, m Mail, msg []byte) error {
	var opts *smtp.MailOptions
	if !ascii(from) || !allASCII(m.To) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(from, opts); err != nil {
		return fail(stepMail, err, true)
	}
	for _, a := range m.To {
		if err := c.Rcpt(a.Address, nil); err != nil {
			return fail("rcpt to", err, true)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fail("data", err, true)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("data", err, true)
	}
	if err := w.Close(); err != nil {
		return fail("data", err, true)
	}
	return nil
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = s.cfg.URL.Hostname()
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allASCII(as []mail.Address) bool {
	for _, a := range as {
		if !ascii(a.Address) {
			return false
		}
	}
	return true
}

var _ Sender = (*SMTPSender)(nil)
