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
}

// DefaultTimeout bounds a Send when Config.Timeout is zero: our mails are
// small, and a job runner should not be stuck behind a server that stalls.
const DefaultTimeout = 30 * time.Second

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
