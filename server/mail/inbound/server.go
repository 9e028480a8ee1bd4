package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/parley-chat/parley/app/parley"
)

// Server is the SMTP listener. It accepts mail for reply+TOKEN@Domain only,
// so it never relays, and needs no AUTH.
type Server struct {
	cfg    Config
	log    *slog.Logger
	smtp   *smtp.Server
	ctx    context.Context // cancelled by Close; the parent of Deliver's context
	cancel context.CancelFunc

	mu sync.Mutex
	ln net.Listener
}

// New checks cfg, fills its defaults and returns a Server that is not yet
// listening.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Domain == "":
		return nil, errors.New("inbound: Config.Domain is required")
	case cfg.CheckToken == nil:
		return nil, errors.New("inbound: Config.CheckToken is required")
	case cfg.Deliver == nil:
		return nil, errors.New("inbound: Config.Deliver is required")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 10
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = parley.DefaultLimits.MaxTextRunes
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 60 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "smtp")}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	ss := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: s, conn: c, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	ss.Addr = cfg.Addr
	ss.Domain = cfg.Domain
	ss.MaxMessageBytes = cfg.MaxBytes
	ss.MaxRecipients = cfg.MaxRecipients
	ss.ReadTimeout = cfg.ReadTimeout
	ss.WriteTimeout = cfg.WriteTimeout
	ss.ErrorLog = smtpLog{s.log}
	s.smtp = ss
	return s, nil
}

// Open listens on Config.Addr before it returns, so that a caller (or a
// test with "127.0.0.1:0") can read Addr at once, and serves in the
// background until Close.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("inbound: listen: %w", err)
	}
	s.setListener(ln)
	go func() {
		if err := s.smtp.Serve(ln); err != nil {
			s.log.Error("smtp serve", "err", err)
		}
	}()
	return nil
}

// ListenAndServe listens on Config.Addr and serves until Close.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("inbound: listen: %w", err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Close; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.setListener(ln)
	return s.smtp.Serve(ln)
}

func (s *Server) setListener(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
}

// Addr is the address listened on, nil before Open or Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops listening, closes every connection and cancels the context
// of deliveries under way.
func (s *Server) Close() error {
	s.cancel()
	if err := s.smtp.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

// Replies the server gives; go-smtp adds the enhanced code before the text.
var (
	errRelay       = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied: this server only takes replies to Parley conversations"}
	errNoSuchReply = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such reply address"}
	errNoText      = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "The reply has no text"}
	errTemporary   = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure storing the reply, try again later"}
)

func (s *Server) errTooBig() *smtp.SMTPError {
	return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("Message too big: the limit is %d bytes", s.cfg.MaxBytes)}
}

// token returns the reply token of a recipient address, or the refusal.
func (s *Server) token(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], s.cfg.Domain) {
		return "", errRelay
	}
	local := addr[:at]
	const prefix = "reply+"
	if len(local) < len(prefix) || !strings.EqualFold(local[:len(prefix)], prefix) {
		return "", errNoSuchReply
	}
	token := local[len(prefix):]
	if !ValidToken(token) || !s.cfg.CheckToken(token) {
		return "", errNoSuchReply
	}
	return token, nil
}

// ValidToken says whether t has the shape of a reply token: 16 to 100 of
// [A-Za-z0-9_-]. Whether it names a conversation is Config.CheckToken's say.
func ValidToken(t string) bool {
	if len(t) < 16 || len(t) > 100 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// session is one SMTP connection's state; go-smtp calls it from one
// goroutine at a time.
type session struct {
	srv    *Server
	conn   *smtp.Conn
	remote string
	from   string
	tokens []string
}

func (se *session) Reset() {
	se.from = ""
	se.tokens = nil
}

func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = strings.ToLower(from)
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	token, err := se.srv.token(to)
	if err != nil {
		se.srv.log.Info("recipient refused", "remote", se.remote, "err", err)
		return err
	}
	for _, t := range se.tokens {
		if t == token {
			return nil // the same address twice: deliver once
		}
	}
	se.tokens = append(se.tokens, token)
	return nil
}

func (se *session) Data(r io.Reader) error {
	s := se.srv
	in := &firstError{r: r}
	text, hdr, perr := ParseReply(in, s.cfg.MaxText)
	// Read to the end even when the parser stopped early, so that a
	// message over the limit is refused as such and not delivered.
	if _, err := io.Copy(io.Discard, in); err != nil && in.err == nil {
		in.err = err
	}
	switch {
	case errors.Is(in.err, smtp.ErrDataTooLarge):
		s.log.Info("message refused", "remote", se.remote, "reason", "too big")
		return s.errTooBig()
	case errors.Is(in.err, smtp.ErrTooLongLine):
		return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}
	case in.err != nil:
		// The connection broke, or the client stalled past ReadTimeout
		// (which from the DATA command on bounds the whole message): end
		// it now rather than wait for another timeout on the next command.
		se.conn.Close()
		return in.err
	case errors.Is(perr, ErrMalformed):
		s.log.Info("message refused", "remote", se.remote, "reason", "malformed", "err", perr)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: "Malformed message: " + oneLine(strings.TrimPrefix(perr.Error(), ErrMalformed.Error()+": "))}
	case hdr.Automatic || se.from == "":
		// Accepted and dropped: an out-of-office or a bounce is no reply,
		// and refusing it would only bounce it back.
		s.log.Info("automatic message dropped", "remote", se.remote, "from", se.from, "subject", hdr.Subject)
		return nil
	case errors.Is(perr, ErrNoText):
		s.log.Info("message refused", "remote", se.remote, "reason", "no text")
		return errNoText
	case perr != nil:
		return perr
	}

	m := Message{
		From:      hdr.From,
		Subject:   hdr.Subject,
		Text:      text,
		MessageID: hdr.MessageID,
		InReplyTo: hdr.InReplyTo,
	}
	if m.From == "" {
		m.From = se.from
	}
	var temporary, permanent error
	for _, token := range se.tokens {
		m.Token = token
		err := s.cfg.Deliver(s.ctx, m)
		if err == nil {
			continue
		}
		s.log.Error("deliver reply", "remote", se.remote, "token", tokenHint(token), "err", err)
		var t interface{ Temporary() bool }
		if errors.As(err, &t) && t.Temporary() {
			temporary = err
		} else if permanent == nil {
			permanent = err
		}
	}
	// With several recipients one reply covers them all: a temporary
	// failure asks for a retry, and the Message-ID lets Deliver skip the
	// copies that went through the first time.
	switch {
	case temporary != nil:
		return errTemporary
	case permanent != nil:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: oneLine(permanent.Error())}
	}
	return nil
}

// firstError remembers the first error its reader returned, whatever the
// parser made of it.
type firstError struct {
	r   io.Reader
	err error
}

func (f *firstError) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		f.err = err
	}
	return n, err
}

// tokenHint is enough of a token to find it in the store, not enough to
// reply in its name: reply addresses are secrets and logs are read widely.
func tokenHint(t string) string {
	if len(t) > 6 {
		return t[:6] + "…"
	}
	return t
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400]
	}
	return strings.ToValidUTF8(s, "")
}

// smtpLog turns go-smtp's log lines, about connections that failed, into
// slog warnings.
type smtpLog struct{ l *slog.Logger }

func (g smtpLog) Printf(format string, v ...any) { g.l.Warn(fmt.Sprintf(format, v...)) }
func (g smtpLog) Println(v ...any)               { g.l.Warn(strings.TrimSpace(fmt.Sprintln(v...))) }
