package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sender sends one Mail. A nil error means the SMTP server took it.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPSender sends each Mail over its own connection to the configured
// server: mails are few, and a fresh connection has no state to go stale.
type SMTPSender struct {
	cfg Config
}

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
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &SMTPSender{cfg: cfg}, nil
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

// Send builds m and delivers it. Credentials are sent only over TLS: an
// smtp:// server that does not offer STARTTLS is refused before AUTH.
func (s *SMTPSender) Send(ctx context.Context, m Mail) (err error) {
	msg, err := build(m, s.cfg.From, time.Now())
	if err != nil {
		return &sendError{step: "message", err: err, permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	addr := s.cfg.hostPort()
	d := net.Dialer{Timeout: s.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail("dial "+addr, err, false)
	}
	// go-smtp takes no context: closing the connection is what ends a
	// blocked read or write when ctx is done.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		if !stop() && err != nil {
			// The closed connection is the symptom; say why it was closed.
			step, inner := "send to "+addr, err
			var se *sendError
			if errors.As(err, &se) {
				step, inner = se.step, se.err
			}
			err = &sendError{step: step, err: fmt.Errorf("%w (%v)", context.Cause(ctx), inner)}
		}
	}()
	defer conn.Close()

	tlsCfg := s.tlsConfig()
	var c *smtp.Client
	if s.cfg.URL.Scheme == "smtps" {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("tls with "+addr, err, false)
		}
		c = smtp.NewClient(tc)
	} else {
		// Fails unless the server offers STARTTLS: no opportunistic fallback.
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			return fail("starttls with "+addr, err, false)
		}
	}
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = s.cfg.Timeout
	defer c.Close()

	if u := s.cfg.URL.User; u != nil {
		pass, _ := u.Password()
		var a sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			a = sasl.NewPlainClient("", u.Username(), pass)
		case c.SupportsAuth(sasl.Login):
			a = sasl.NewLoginClient(u.Username(), pass)
		default:
			return fail("auth", errors.New("server offers neither AUTH PLAIN nor LOGIN"), false)
		}
		if err := c.Auth(a); err != nil {
			return fail("auth", err, false)
		}
	}

	var opts *smtp.MailOptions
	if !ascii(s.cfg.From.Address) || !allASCII(m.To) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(s.cfg.From.Address, opts); err != nil {
		return fail("mail from", err, true)
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
	// Taken: a failing QUIT changes nothing for the mail.
	_ = c.Quit()
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
