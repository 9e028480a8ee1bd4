package outbound

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"
)

// Config is the mail set-up from -smtp-url and -mail-from.
type Config struct {
	// URL is what ParseSMTPURL returned: smtp:// for STARTTLS, smtps:// for
	// TLS from the first byte, always with a port.
	URL *url.URL
	// From is the envelope sender and the From address; each Mail puts the
	// shop's name in front of it, or From.Name when it has none.
	From mail.Address
	// Timeout bounds one whole Send, dial to QUIT. Zero means DefaultTimeout.
	Timeout time.Duration
	// TLSConfig is cloned for each connection; nil means the system roots.
	// Tests set it to trust their own CA. ServerName defaults to the host.
	TLSConfig *tls.Config
	// HelloName is the name Parley gives itself in EHLO; empty means the
	// domain of From. Some relays refuse go-smtp's default, "localhost".
	HelloName string
	// PoolSize is how many idle, logged-in connections are kept for later
	// mails: as many as mails are sent at once (the outbox's concurrency).
	// Zero means DefaultPoolSize.
	PoolSize int
	// IdleTimeout: a connection idle for longer is closed, not used.
	// Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxMailsPerConn: a connection that carried this many mails is
	// closed. Zero means DefaultMaxMailsPerConn.
	MaxMailsPerConn int
}

// Defaults of a Config's zero fields.
const (
	// DefaultTimeout bounds a Send: our mails are small, and a job runner
	// should not be stuck behind a server that stalls.
	DefaultTimeout = 30 * time.Second
	// DefaultPoolSize is the outbox's default concurrency.
	DefaultPoolSize = 4
	// DefaultIdleTimeout is well below what servers wait for the next
	// command before they hang up (Postfix and Exim 5 minutes, RFC 5321
	// at least 5 minutes, some relays 60 s): a pooled connection is
	// still open when it is taken, most of the time.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultMaxMailsPerConn retires a busy connection now and then, so
	// that mails spread over a relay's machines behind one name and a
	// changed password or certificate is picked up.
	DefaultMaxMailsPerConn = 100
)

// ParseSMTPURL checks -smtp-url: smtp://[user:pass@]host[:port] (STARTTLS
// required, port 587 by default) or smtps://[user:pass@]host[:port] (TLS at
// connect, port 465 by default). A password with reserved characters is
// percent-encoded (p%40ss for p@ss). The returned URL always has a port.
//
// Error messages never quote the input: it holds the password.
func ParseSMTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole input, password included.
		return nil, errors.New("outbound: -smtp-url is not a URL (want smtp://user:pass@host:587 or smtps://user:pass@host:465)")
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL validates u and fills in the default port; NewSMTPSender runs it
// again on a URL that did not come from ParseSMTPURL.
func checkURL(u *url.URL) error {
	var port string
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port = "465"
	default:
		// Not quoted: "user:pass@host" parses with the user name as scheme.
		return errors.New("outbound: -smtp-url must start with smtp:// (STARTTLS) or smtps:// (TLS)")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return errors.New("outbound: -smtp-url has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("outbound: -smtp-url port %q is not a port number", p)
		}
		port = p
	}
	if u.Path != "" && u.Path != "/" {
		return errors.New("outbound: -smtp-url takes no path")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return errors.New("outbound: -smtp-url takes no query or fragment")
	}
	if u.User != nil {
		pass, ok := u.User.Password()
		if u.User.Username() == "" || !ok || pass == "" {
			return errors.New("outbound: -smtp-url needs both user and password, or neither")
		}
	}
	u.Host = net.JoinHostPort(u.Hostname(), port)
	u.Path = ""
	return nil
}

// hostPort is where to dial; safe to print.
func (c Config) hostPort() string { return c.URL.Host }
