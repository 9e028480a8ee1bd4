// Command parley is Parley's server: the websocket relay, the bbolt store,
// the widget loader and both wasm apps, in one binary.
//
//	parley [-addr :8080] [-data ./data] [-public-url URL] [-demo] [-shop-addr ADDR]
//	       [-send-rate 5] [-send-burst 20] [-debug-addr 127.0.0.1:6060]
//	       [-trusted-proxies 10.0.0.0/8,fd00::/8]
//	parley admin add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-password-stdin] [-data ./data]
//	parley agent add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-password-stdin] [-data ./data]
//	parley agent list [-data ./data]
//	parley agent disable|enable -email EMAIL [-data ./data]
//	parley agent passwd -email EMAIL [-password-stdin] [-data ./data]
//	parley site add -id ID -name NAME -origin ORIGIN [-origin ORIGIN …] [-owner EMAIL …] [-public-url URL] [-data ./data]
//
// The admin, agent and site commands work whether or not the server runs:
// a running server holds the data file's lock and carries them out for the
// CLI through its admin socket, DATA/admin.sock (admin_socket.go, ops.go).
// New passwords come from PARLEY_ADMIN_PASSWORD, from standard input with
// -password-stdin, or are generated and printed once.
//
// Only this package knows every concrete part; it wires them and nothing else.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"net/mail"
	// The zone database, for business hours on hosts without one.
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/assets"
	"github.com/parley-chat/parley/server/mail/inbound"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "admin":
			return runAdmin(args[1:], stdin, stdout)
		case "agent":
			return runAgent(args[1:], stdin, stdout)
		case "site":
			return runSite(args[1:], stdout)
		case "serve":
			args = args[1:]
		}
	}
	m := NewMain()
	m.Stdout = stdout
	m.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m.Config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := m.Config.checkFlags(); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	stop() // a second signal ends the process at once
	m.Logger.Info("parley: shutting down")
	start := time.Now()
	err := m.Close()
	m.Logger.Info("parley: stopped", "took", time.Since(start).Round(time.Millisecond))
	return err
}

// Config is everything the server is started with.
type Config struct {
	Addr      string // listen address of Parley
	DataDir   string // where parley.db lives
	PublicURL string // how browsers reach Parley; default http://localhost:PORT
	Demo      bool   // create the demo site and agent, serve the demo shop
	// ShopAddr, in demo mode, serves the demo shop on a second listener, a
	// different site from Parley's, as a real shop would be.
	ShopAddr string
	// DemoPassword fixes the demo agent's password (tests); default random.
	DemoPassword string
	// NoSync skips fsync on commit: benchmarks of the relay only, never production.
	NoSync bool
	// SendRate (messages per second) and SendBurst bound what each
	// connection may send; zero means parley.DefaultLimits.
	SendRate  float64
	SendBurst int
	// DebugAddr, if set, serves /debug/stats and /debug/pprof/ on a
	// listener of its own. They show the process's insides: bind it to
	// loopback or a private network, never to the public address.
	DebugAddr string
	// TrustedProxies is a comma-separated list of CIDRs of the reverse
	// proxies whose X-Forwarded-For or Forwarded names the client; empty,
	// the TCP peer is the client.
	TrustedProxies string
	// PresenceGrace is how long an agent without a console socket keeps
	// its status before it is offline; IdleAway how long a console waits
	// without input before it sets its agent away. Zero: the defaults.
	PresenceGrace, IdleAway time.Duration
	// SMTPURL and MailFrom send email (smtp://user:pass@host:587 with
	// STARTTLS, smtps://…:465); empty, no mail is sent (the demo keeps
	// it in its mailbox). SMTPListen takes replies (":2525", behind the
	// MX); MailDomain is the domain of reply addresses, default the
	// public URL's host.
	SMTPURL, MailFrom, SMTPListen, MailDomain string
	// AddressNewPerMinute and AddressSockets override the per-address
	// limits (zero: the defaults, 30 a minute and 200 sockets).
	AddressNewPerMinute, AddressSockets int
	// SiteNewPerMinute overrides the per-site limit (zero: 3,000 a minute).
	SiteNewPerMinute int
	// PoWAbovePerMinute is the rate of new visitors a minute above which
	// a site asks new visitors for proof of work (zero: 600; negative:
	// never). On the command line 0 says never.
	PoWAbovePerMinute int
	// SMTPCA is a PEM file of certificate authorities to trust for the
	// SMTP server besides the system's (a private relay).
	SMTPCA string
	// MailWorkers is how many mails the outbox sends at once, and how
	// many idle SMTP connections are kept for them; zero means
	// outbox.DefaultConcurrency.
	MailWorkers int
	// NoSearch turns full-text search off: no index in DataDir/search is
	// kept, and GET /api/search answers 503.
	NoSearch bool
	// RebuildSearch drops the search index at start: it is built again
	// from the store's log in the background while Parley runs (search
	// finds less until it is done).
	RebuildSearch bool
}

// RegisterFlags binds the configuration to flags, with PARLEY_* environment
// variables as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("PARLEY_ADDR", ":8080"), "listen address (PARLEY_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("PARLEY_DATA", "./data"), "data directory (PARLEY_DATA)")
	fs.BoolVar(&c.NoSearch, "no-search", env("PARLEY_NO_SEARCH", "") == "1", "keep no search index: no full-text search in the console (PARLEY_NO_SEARCH=1)")
	fs.BoolVar(&c.RebuildSearch, "rebuild-search", false, "drop the search index and build it again from the store, in the background")
	fs.StringVar(&c.PublicURL, "public-url", env("PARLEY_PUBLIC_URL", ""), "URL browsers use to reach Parley, e.g. https://chat.example.com (PARLEY_PUBLIC_URL; default http://localhost:PORT)")
	fs.BoolVar(&c.Demo, "demo", env("PARLEY_DEMO", "") == "1", "create a demo site, a demo agent and serve the demo shop (PARLEY_DEMO=1)")
	fs.StringVar(&c.ShopAddr, "shop-addr", env("PARLEY_SHOP_ADDR", ""), "demo mode: also serve the demo shop on this address, a different site than Parley (PARLEY_SHOP_ADDR)")
	fs.Float64Var(&c.SendRate, "send-rate", envFloat("PARLEY_SEND_RATE", parley.DefaultLimits.SendPerSecond), "messages per second each connection may send (PARLEY_SEND_RATE)")
	fs.IntVar(&c.SendBurst, "send-burst", envInt("PARLEY_SEND_BURST", parley.DefaultLimits.SendBurst), "messages a connection may send at once before -send-rate applies (PARLEY_SEND_BURST)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("PARLEY_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the reverse proxies whose X-Forwarded-For or Forwarded names the client, e.g. 10.0.0.0/8,fd00::/8 (PARLEY_TRUSTED_PROXIES; default none)")
	fs.DurationVar(&c.PresenceGrace, "presence-grace", envDuration("PARLEY_PRESENCE_GRACE", parley.PresenceGrace), "how long an agent whose console closed stays online or away before it is offline (PARLEY_PRESENCE_GRACE)")
	fs.DurationVar(&c.IdleAway, "idle-away", envDuration("PARLEY_IDLE_AWAY", parley.IdleAway), "how long a console waits without input before it sets its agent away (PARLEY_IDLE_AWAY)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("PARLEY_SMTP_URL", ""), "send email through this SMTP server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (PARLEY_SMTP_URL; default none)")
	fs.StringVar(&c.MailFrom, "mail-from", env("PARLEY_MAIL_FROM", ""), "the From address of Parley's email, e.g. chat@shop.example (PARLEY_MAIL_FROM)")
	fs.IntVar(&c.AddressNewPerMinute, "address-new-per-minute", envInt("PARLEY_ADDRESS_NEW_PER_MINUTE", 30), "new visitors, and new conversations, one address may start a minute, in bursts of twice as many (PARLEY_ADDRESS_NEW_PER_MINUTE)")
	fs.IntVar(&c.AddressSockets, "address-sockets", envInt("PARLEY_ADDRESS_SOCKETS", 200), "open websockets one address may hold, agents' not counted (PARLEY_ADDRESS_SOCKETS)")
	fs.IntVar(&c.SiteNewPerMinute, "site-new-per-minute", envInt("PARLEY_SITE_NEW_PER_MINUTE", 3000), "new visitors, and new conversations, one site may get a minute from all addresses together, in bursts of twice as many (PARLEY_SITE_NEW_PER_MINUTE)")
	c.PoWAbovePerMinute = defaultPoWAbove
	if v, ok := os.LookupEnv("PARLEY_POW_ABOVE_PER_MINUTE"); ok && (powAboveFlag{&c.PoWAbovePerMinute}).Set(v) != nil {
		c.PoWAbovePerMinute = powAboveInvalid
	}
	fs.Var(powAboveFlag{&c.PoWAbovePerMinute}, "pow-above-per-minute", "new visitors a minute above which a site asks each new visitor's widget for a proof of work (a fraction of a second), and for 2 minutes after; 0: never (PARLEY_POW_ABOVE_PER_MINUTE)")
	fs.IntVar(&c.MailWorkers, "mail-workers", envInt("PARLEY_MAIL_WORKERS", outbox.DefaultConcurrency), "how many emails are sent at once, each over its own SMTP connection kept open for the next: more for a relay that is slow to take each mail (PARLEY_MAIL_WORKERS)")
	fs.StringVar(&c.SMTPCA, "smtp-ca", env("PARLEY_SMTP_CA", ""), "a PEM file of certificate authorities to trust for -smtp-url besides the system's, for a relay with a private CA (PARLEY_SMTP_CA)")
	fs.StringVar(&c.SMTPListen, "smtp-listen", env("PARLEY_SMTP_LISTEN", ""), "receive replies to Parley's email on this SMTP address, e.g. :2525 behind the MX (PARLEY_SMTP_LISTEN; default off)")
	fs.StringVar(&c.MailDomain, "mail-domain", env("PARLEY_MAIL_DOMAIN", ""), "the domain of reply addresses reply+TOKEN@DOMAIN (PARLEY_MAIL_DOMAIN; default the public URL's host)")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("PARLEY_DEBUG_ADDR", ""), "serve /debug/stats and /debug/pprof/ on this address; keep it private (PARLEY_DEBUG_ADDR; default off)")
}

// checkFlags validates what RegisterFlags parsed. Zero means the default
// to a Config built in code; on the command line it is a mistake.
func (c Config) checkFlags() error {
	if !(c.SendRate > 0) || math.IsInf(c.SendRate, 0) {
		return errors.New("-send-rate (PARLEY_SEND_RATE) must be a number of messages per second above 0")
	}
	if c.SendBurst <= 0 {
		return errors.New("-send-burst (PARLEY_SEND_BURST) must be a whole number above 0")
	}
	if c.AddressNewPerMinute < 1 || c.AddressSockets < 1 || c.SiteNewPerMinute < 1 {
		return errors.New("-address-new-per-minute, -address-sockets and -site-new-per-minute (PARLEY_ADDRESS_*, PARLEY_SITE_*) must be whole numbers above 0")
	}
	if c.PoWAbovePerMinute == powAboveInvalid {
		return errors.New("-pow-above-per-minute (PARLEY_POW_ABOVE_PER_MINUTE) " + powAboveFlag{}.usage())
	}
	if c.PresenceGrace < time.Second || c.PresenceGrace > time.Hour {
		return errors.New("-presence-grace (PARLEY_PRESENCE_GRACE) must be from 1s to 1h")
	}
	if c.IdleAway < time.Minute || c.IdleAway > 24*time.Hour {
		return errors.New("-idle-away (PARLEY_IDLE_AWAY) must be from 1m to 24h")
	}
	if c.MailWorkers < 1 || c.MailWorkers > maxMailWorkers {
		return fmt.Errorf("-mail-workers (PARLEY_MAIL_WORKERS) must be a whole number from 1 to %d", maxMailWorkers)
	}
	if c.SMTPURL != "" {
		if _, err := outbound.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("-smtp-url (PARLEY_SMTP_URL): %w", err)
		}
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return errors.New("-mail-from (PARLEY_MAIL_FROM) must be an email address when -smtp-url is set")
		}
	}
	if _, err := web.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("-trusted-proxies (PARLEY_TRUSTED_PROXIES): %w", err)
	}
	return nil
}

// maxMailWorkers bounds -mail-workers: each is a connection to the relay,
// and relays limit the connections of one client (Postfix 50 by default).
const maxMailWorkers = 64

// limits are the default limits with the configured send rate.
func (c Config) limits() (parley.Limits, error) {
	l := parley.DefaultLimits
	if c.SendRate != 0 {
		l.SendPerSecond = c.SendRate
	}
	if c.SendBurst != 0 {
		l.SendBurst = c.SendBurst
	}
	if c.IdleAway > 0 {
		l.IdleAwaySeconds = int(c.IdleAway / time.Second)
	}
	if !(l.SendPerSecond > 0) || math.IsInf(l.SendPerSecond, 0) || l.SendBurst <= 0 {
		return l, fmt.Errorf("send rate %v per second with bursts of %d: both must be above 0", l.SendPerSecond, l.SendBurst)
	}
	return l, nil
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// envFloat and envInt read a number from the environment. A value that is
// not a number gives one that fails validation, so that a typo is an
// error rather than a silent default.
func envFloat(key string, def float64) float64 {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// envDuration reads a duration ("90s", "5m"); one that is not gives -1,
// which fails validation.
func envDuration(key string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return d
}

// defaultPoWAbove is web's default (600), said here for -help.
const defaultPoWAbove = 600

// powAboveInvalid marks a PARLEY_POW_ABOVE_PER_MINUTE that is no number,
// for checkFlags to refuse.
const powAboveInvalid = math.MinInt

// powAboveFlag is -pow-above-per-minute: 0 on the command line turns proof
// of work off, which Config says with a negative number, its zero being
// the default as for every limit.
type powAboveFlag struct{ n *int }

func (f powAboveFlag) String() string {
	if f.n == nil || *f.n < 0 {
		return "0"
	}
	return strconv.Itoa(*f.n)
}

func (f powAboveFlag) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return errors.New(f.usage())
	}
	if n == 0 {
		n = -1
	}
	*f.n = n
	return nil
}

func (powAboveFlag) usage() string {
	return "must be a whole number of new visitors a minute, 0 for never"
}

func envInt(key string, def int) int {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return n
}

// Main is a running Parley: tests start it on :0 and stop it with Close.
type Main struct {
	Config Config
	Logger *slog.Logger
	Stdout io.Writer

	DB     *store.DB
	Search *search.Index // nil with NoSearch
	Hub    *relay.Hub
	Server *web.Server
	shop   *http.Server
	// ShopURL is the demo shop's URL when ShopAddr is set.
	ShopURL string
	debug   *http.Server
	admin   *adminSocket
	inbound *inbound.Server
	// Mailbox keeps the demo's mail when no SMTP server is configured.
	Mailbox *web.DemoMailbox
	// smtp sends the outbox's mails when SMTPURL is set; Close closes its
	// idle connections after the outbox stopped.
	smtp *outbound.SMTPSender
	// outbox runs the store's jobs until outboxStop.
	outbox     *outbox.Worker
	outboxStop func()
	// outboxNow is the outbox's clock, nil for time.Now: tests move it on
	// to make delayed mail due without waiting for it.
	outboxNow func() time.Time
	// DebugURL is the debug listener's URL when DebugAddr is set:
	// DebugURL + "/debug/stats".
	DebugURL string
}

// NewMain returns a Main with defaults.
func NewMain() *Main {
	return &Main{
		Config: Config{Addr: ":8080", DataDir: "./data"},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		Stdout: os.Stdout,
	}
}

// Run opens the store and starts serving. It returns once Parley listens.
func (m *Main) Run(ctx context.Context) error {
	limits, err := m.Config.limits()
	if err != nil {
		return err
	}
	proxies, err := web.ParseTrustedProxies(m.Config.TrustedProxies)
	if err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	db, err := store.Open(filepath.Join(m.Config.DataDir, "parley.db"), store.Options{NoSync: m.Config.NoSync})
	if err != nil {
		return err
	}
	m.DB = db
	// The index follows the store's commits from before the first one of
	// this run; it catches up with the log, or rebuilds from it, behind
	// the scenes.
	var searcher web.Searcher
	if !m.Config.NoSearch {
		dir := filepath.Join(m.Config.DataDir, "search")
		if m.Config.RebuildSearch {
			m.Logger.Info("search: rebuilding the index from the store", "dir", dir)
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("search: dropping the index: %w", err)
			}
		}
		if m.Search, err = search.Open(dir, db, m.Logger); err != nil {
			return err
		}
		searcher = m.Search
	}
	// A bad public URL is refused before anything listens: every page,
	// link and mail would carry it.
	publicURL := m.Config.PublicURL
	if publicURL != "" {
		if publicURL, err = web.ParsePublicURL(publicURL); err != nil {
			return fmt.Errorf("-public-url: %s", parley.ErrorMessage(err))
		}
	}
	a, err := web.LoadAssetsAt(assets.FS, web.BasePath(publicURL))
	if err != nil {
		return err
	}
	m.Hub = relay.NewHub()

	// Bind first: the public URL's default depends on the port.
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if publicURL == "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		publicURL = "http://localhost:" + port
	}

	mailCfg, err := m.mailConfig()
	if err != nil {
		ln.Close()
		return err
	}
	m.Server = web.NewServer(web.Config{
		Listener:       ln,
		PublicURL:      publicURL,
		Limits:         limits,
		Demo:           m.Config.Demo,
		Assets:         a,
		SecureCookies:  strings.HasPrefix(publicURL, "https://"),
		TrustedProxies: proxies,
		PresenceGrace:  m.Config.PresenceGrace,
		Mail:           mailCfg,
		FilesDir:       filepath.Join(m.Config.DataDir, "files"),
		Search:         searcher,
		AddressLimits: web.AddressLimits{NewPerMinute: m.Config.AddressNewPerMinute, Sockets: m.Config.AddressSockets, SiteNewPerMinute: m.Config.SiteNewPerMinute,
			PoWAbovePerMinute: m.Config.PoWAbovePerMinute},
	}, db, m.Hub, m.Logger)
	m.startOutbox()

	if err := m.startDebug(); err != nil {
		return err
	}
	if m.Config.Demo {
		if err := m.startShop(); err != nil {
			return err
		}
		if err := m.setUpDemo(); err != nil {
			return err
		}
	}
	if err := m.Server.Open(); err != nil {
		return err
	}
	// The CLI reaches the running server here; without it, the CLI's
	// commands wait for the server to stop.
	if m.admin, err = listenAdmin(m.Config.DataDir, db, m.Server.EndSessions, m.Logger); err != nil {
		m.Logger.Warn("parley: no admin socket; the CLI works only while the server is stopped", "err", err)
	}
	if m.Config.SMTPListen != "" && mailCfg.Sender != nil {
		if m.inbound, err = inbound.New(m.Server.InboundConfig(m.Config.SMTPListen)); err == nil {
			err = m.inbound.Open()
		}
		if err != nil {
			return fmt.Errorf("-smtp-listen (PARLEY_SMTP_LISTEN): %w", err)
		}
		m.Logger.Info("parley: taking email replies", "addr", m.inbound.Addr())
	}
	m.Logger.Info("parley: listening", "addr", m.Server.Addr(), "url", publicURL)
	if n, err := db.CountAgents(); err == nil && n == 0 && !m.Config.Demo {
		m.Logger.Warn("parley: no agent yet; create the first admin with: parley admin add -email you@example.com -name You")
	}
	return nil
}

// mailConfig is how the server sends email: through -smtp-url, or in
// demo mode into the demo's mailbox, or not at all.
func (m *Main) mailConfig() (web.MailConfig, error) {
	cfg := web.MailConfig{Domain: m.Config.MailDomain}
	switch {
	case m.Config.SMTPURL != "":
		u, err := outbound.ParseSMTPURL(m.Config.SMTPURL)
		if err != nil {
			return cfg, fmt.Errorf("-smtp-url (PARLEY_SMTP_URL): %w", err)
		}
		from, err := mail.ParseAddress(m.Config.MailFrom)
		if err != nil {
			return cfg, errors.New("-mail-from (PARLEY_MAIL_FROM) must be an email address when -smtp-url is set")
		}
		var tlsCfg *tls.Config
		if m.Config.SMTPCA != "" {
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			pem, err := os.ReadFile(m.Config.SMTPCA)
			if err != nil || !pool.AppendCertsFromPEM(pem) {
				return cfg, fmt.Errorf("-smtp-ca (PARLEY_SMTP_CA): no certificates read from %s", m.Config.SMTPCA)
			}
			tlsCfg = &tls.Config{RootCAs: pool, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
		}
		// The EHLO name: the reply domain names this host best; without
		// one, the sender's domain.
		sender, err := outbound.NewSMTPSender(outbound.Config{URL: u, From: *from, TLSConfig: tlsCfg,
			HelloName: m.Config.MailDomain, PoolSize: m.Config.MailWorkers})
		if err != nil {
			return cfg, err
		}
		m.smtp = sender
		cfg.Sender = sender
	case m.Config.Demo:
		m.Mailbox = &web.DemoMailbox{}
		cfg.Sender = m.Mailbox
	}
	return cfg, nil
}

// startOutbox runs the outbox's jobs in the background until Close.
func (m *Main) startOutbox() {
	w := &outbox.Worker{DB: m.DB, Handlers: m.Server.OutboxHandlers(), Log: m.Logger, Now: m.outboxNow, Concurrency: m.Config.MailWorkers}
	m.outbox = w
	m.DB.OnJobs(w.Kick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	m.outboxStop = func() {
		cancel()
		<-done
	}
}

// startDebug serves the debug handler on its own listener: it must never
// be reachable where the public routes are.
func (m *Main) startDebug() (err error) {
	if m.Config.DebugAddr == "" {
		return nil
	}
	if m.debug, m.DebugURL, err = serveAside(m.Config.DebugAddr, m.Server.DebugHandler()); err != nil {
		return fmt.Errorf("debug: %w", err)
	}
	m.Logger.Info("parley: debug listener", "url", m.DebugURL)
	return nil
}

func (m *Main) startShop() (err error) {
	if m.Config.ShopAddr == "" {
		return nil
	}
	if m.shop, m.ShopURL, err = serveAside(m.Config.ShopAddr, m.Server.ShopHandler()); err != nil {
		return fmt.Errorf("demo shop: %w", err)
	}
	return nil
}

// serveAside serves h on a listener of its own and returns its URL. No
// write timeout: /debug/pprof/profile and trace stream for as long as they
// are asked to.
func serveAside(addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// setUpDemo makes sure the demo site and agent exist and prints the demo
// agent's login. The password is new at every start: it is printed once
// and only its hash is kept.
func (m *Main) setUpDemo() error {
	pub := m.Server.URL()
	origins := []string{pub}
	if m.ShopURL != "" {
		origins = append(origins, m.ShopURL)
	}
	site := parley.Site{
		ID: web.DemoSiteID, Name: "Northwind Coffee", AllowedOrigins: origins,
		Title: "Northwind Coffee", Welcome: "Questions about a roast or your order? We're here.",
		Color: "#b45309",
		Proactive: parley.Proactive{
			Enabled: true, DelaySeconds: 8, PagePattern: "*/products/*",
			Message: "Hi! Wondering which grind suits your coffee maker? Ask me.",
		},
	}
	switch existing, err := m.DB.Site(site.ID); {
	case parley.ErrorCode(err) == parley.ENotFound:
		if err := m.DB.CreateSite(site); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		// Keep the owner's edits; only make sure the demo's own origins work.
		for _, o := range origins {
			if !parley.OriginAllowed(existing.AllowedOrigins, o) {
				existing.AllowedOrigins = append(existing.AllowedOrigins, o)
			}
		}
		if err := m.DB.PutSite(existing); err != nil {
			return err
		}
	}

	const email = "demo@parley.local"
	pw := m.Config.DemoPassword
	if pw == "" {
		pw = web.NewToken()[:16]
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return err
	}
	a, _, err := m.DB.AgentByEmail(email)
	switch {
	case parley.ErrorCode(err) == parley.ENotFound:
		if a, err = m.DB.CreateAgent(parley.Agent{Email: email, Name: "Demo Agent", Role: parley.AgentRoleAdmin}, hash); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := m.DB.SetAgentPassword(a.ID, hash); err != nil {
			return err
		}
	}
	if err := m.DB.SetMember(site.ID, a.ID, parley.SiteRoleOwner); err != nil {
		return err
	}
	if err := m.setUpDemoTeams(a); err != nil {
		return err
	}
	shop := pub + "/demo/"
	if m.ShopURL != "" {
		shop = m.ShopURL + "/"
	}
	fmt.Fprintf(m.Stdout, "\nParley demo is running.\n  Shop page:  %s\n  Console:    %s/console\n  Agent:      %s  password: %s\n  Mailbox:    %s/demo/mail\n\n", shop, pub, email, pw, pub)
	return nil
}

// setUpDemoTeams gives the demo site, once, the teams and topics of a
// coffee shop, two more agents to fill them (their passwords are random
// and not printed: the owner resets one from People to log in as them),
// and a pre-chat form asking for the topic. The owner's later edits stay.
func (m *Main) setUpDemoTeams(owner parley.Agent) error {
	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		return err
	}
	if len(site.Routing.Teams) > 0 {
		return nil
	}
	ids := map[string]uint64{}
	for _, p := range []struct{ email, name string }{
		{"ola@parley.local", "Ola Nowak"},
		{"piotr@parley.local", "Piotr Zieliński"},
	} {
		a, _, err := m.DB.AgentByEmail(p.email)
		if parley.ErrorCode(err) == parley.ENotFound {
			hash, herr := web.HashPassword(web.OneTimePassword())
			if herr != nil {
				return herr
			}
			a, err = m.DB.CreateAgent(parley.Agent{Email: p.email, Name: p.name, Role: parley.AgentRoleAgent}, hash)
		}
		if err != nil {
			return err
		}
		if err := m.DB.SetMember(site.ID, a.ID, parley.SiteRoleAgent); err != nil {
			return err
		}
		ids[p.email] = a.ID
	}
	ola, piotr := ids["ola@parley.local"], ids["piotr@parley.local"]
	site.Routing = parley.Routing{
		Teams: []parley.Team{
			{ID: "orders", Name: "Orders", Members: []uint64{owner.ID, ola}},
			{ID: "returns", Name: "Returns", Members: []uint64{owner.ID, piotr}},
			{ID: "product-advice", Name: "Product advice", Members: []uint64{owner.ID, ola, piotr}},
		},
		Topics: []parley.Topic{
			{ID: "order-status", Name: "Where is my order?", Team: "orders"},
			{ID: "returns", Name: "Returns and refunds", Team: "returns"},
			{ID: "product-question", Name: "A question about a coffee", Team: "product-advice"},
		},
		DefaultTeam: "product-advice",
		PreChat:     parley.PreChat{Enabled: true, Topic: parley.FieldRequired, Name: parley.FieldOptional, Email: parley.FieldOptional},
	}
	return m.DB.PutSite(site)
}

// shutdownTimeout bounds Close: clients that do not answer their close
// handshake in this time are cut.
const shutdownTimeout = 5 * time.Second

// Close stops serving, closes the websockets with 1001 and waits, up to
// shutdownTimeout, for their close handshakes; then it closes the store,
// which commits what is queued. Messages already acknowledged were on
// disk before their ack.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if m.admin != nil {
		errs = append(errs, m.admin.Close())
		m.admin = nil
	}
	if m.inbound != nil {
		errs = append(errs, m.inbound.Close())
		m.inbound = nil
	}
	if m.shop != nil {
		errs = append(errs, m.shop.Shutdown(ctx))
	}
	if m.debug != nil {
		// Close, not Shutdown: a running profile would hold Shutdown for
		// its whole duration.
		errs = append(errs, m.debug.Close())
	}
	if m.Server != nil {
		errs = append(errs, m.Server.Close(ctx))
	}
	if m.outboxStop != nil {
		// Jobs under way finish and are recorded before the store closes.
		m.outboxStop()
		m.outboxStop = nil
	}
	if m.smtp != nil {
		errs = append(errs, m.smtp.Close())
		m.smtp = nil
	}
	if m.Search != nil {
		// Commits after this are indexed at the next start, from the log.
		errs = append(errs, m.Search.Close())
		m.Search = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// openStore opens the data directory's store for a subcommand, when no
// server answers on the admin socket.
func openStore(dataDir string) (*store.DB, error) {
	db, err := store.Open(filepath.Join(dataDir, "parley.db"), store.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w (another process holds the data file, and no server answers on %s)", err, filepath.Join(dataDir, adminSocketName))
	}
	return db, nil
}

const (
	usageAdmin = "usage: parley admin add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-password-stdin] [-data DIR]"
	usageAgent = `usage:
  parley agent add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-password-stdin] [-data DIR]
  parley agent list [-data DIR]
  parley agent disable -email EMAIL [-data DIR]
  parley agent enable -email EMAIL [-data DIR]
  parley agent passwd -email EMAIL [-password-stdin] [-data DIR]`
	usageSite = "usage: parley site add -id ID -name NAME -origin https://shop.example [-origin …] [-owner EMAIL …] [-public-url URL] [-data DIR]"
)

// runAdmin: parley admin add, which is parley agent add making an admin
// unless told otherwise.
func runAdmin(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(usageAdmin)
	}
	return runAgentAdd("parley admin add", parley.AgentRoleAdmin, args[1:], stdin, stdout)
}

// runAgent: parley agent add|list|disable|enable|passwd.
func runAgent(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usageAgent)
	}
	name := "parley agent " + args[0]
	switch args[0] {
	case "add":
		return runAgentAdd(name, parley.AgentRoleAgent, args[1:], stdin, stdout)
	case "list":
		fs, data := newSubcommand(name)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errors.New(usageAgent)
		}
		return operate(*data, opRequest{Op: opAgentList}, stdout)
	case "disable", "enable":
		fs, data := newSubcommand(name)
		email := fs.String("email", "", "the agent's email")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *email == "" || fs.NArg() > 0 {
			return errors.New("-email is required")
		}
		return operate(*data, opRequest{Op: "agent " + args[0], Email: *email}, stdout)
	case "passwd":
		fs, data := newSubcommand(name)
		email := fs.String("email", "", "the agent's email")
		stdinPW := fs.Bool("password-stdin", false, "read the new password from standard input")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *email == "" || fs.NArg() > 0 {
			return errors.New("-email is required")
		}
		pw, hash, printPW, err := newPassword(*stdinPW, stdin)
		if err != nil {
			return err
		}
		if err := operate(*data, opRequest{Op: opAgentPasswd, Email: *email, PasswordHash: hash}, stdout); err != nil {
			return err
		}
		if printPW {
			fmt.Fprintf(stdout, "Password: %s\n(shown once; change it after logging in)\n", pw)
		}
		return nil
	}
	return errors.New(usageAgent)
}

// newSubcommand is a flag set with -data.
func newSubcommand(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	data := fs.String("data", env("PARLEY_DATA", "./data"), "data directory")
	return fs, data
}

// newPassword is the password of agent add and passwd: from
// PARLEY_ADMIN_PASSWORD, or the first line of standard input with
// -password-stdin; with neither, a random one that the caller prints.
func newPassword(fromStdin bool, stdin io.Reader) (pw string, hash []byte, generated bool, err error) {
	pw = os.Getenv("PARLEY_ADMIN_PASSWORD")
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", nil, false, fmt.Errorf("reading password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		pw, generated = web.OneTimePassword(), true
	}
	hash, err = web.HashPassword(pw)
	return pw, hash, generated, err
}

// runAgentAdd: parley admin add or agent add -email E -name N.
func runAgentAdd(name, defaultRole string, args []string, stdin io.Reader, stdout io.Writer) error {
	fs, data := newSubcommand(name)
	email := fs.String("email", "", "agent email (login)")
	agentName := fs.String("name", "", "name shown to visitors")
	role := fs.String("role", defaultRole, "admin or agent")
	var sites multiFlag
	fs.Var(&sites, "site", "a site the agent works on, as an owner if admin (repeat; default: every site)")
	stdinPW := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *agentName == "" {
		return errors.New("-email and -name are required")
	}
	if *role != parley.AgentRoleAdmin && *role != parley.AgentRoleAgent {
		return errors.New("-role must be admin or agent")
	}
	pw, hash, printPW, err := newPassword(*stdinPW, stdin)
	if err != nil {
		return err
	}
	req := opRequest{Op: opAgentAdd, Email: *email, Name: *agentName, Role: *role, Sites: sites, PasswordHash: hash}
	if err := operate(*data, req, stdout); err != nil {
		return err
	}
	if printPW {
		fmt.Fprintf(stdout, "Password: %s\n(shown once; change it after logging in)\n", pw)
	}
	return nil
}

// runSite: parley site add -id ID -name NAME -origin ORIGIN…
func runSite(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(usageSite)
	}
	fs, data := newSubcommand("parley site add")
	id := fs.String("id", "", "site id, used in the snippet (letters, digits, - and _)")
	name := fs.String("name", "", "shop name")
	publicURL := fs.String("public-url", env("PARLEY_PUBLIC_URL", "http://localhost:8080"), "Parley's public URL, for the printed snippet")
	var origins, ownerEmails multiFlag
	fs.Var(&origins, "origin", "origin the widget may run on (repeat)")
	fs.Var(&ownerEmails, "owner", "email of an agent who owns the site (repeat; default: every admin)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := parley.CheckClientID(*id); err != nil || *id == "" {
		return errors.New("-id is required: letters, digits, - and _")
	}
	// Checked here too, so that a mistake is told before any server is asked.
	if _, err := (parley.Site{ID: *id, Name: *name, Title: *name, AllowedOrigins: origins}).Validate(); err != nil {
		return err
	}
	return operate(*data, opRequest{Op: opSiteAdd, SiteID: *id, SiteName: *name, Origins: origins, Owners: ownerEmails, PublicURL: *publicURL}, stdout)
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none yet"
	}
	return strings.Join(list, ", ")
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
