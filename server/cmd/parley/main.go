// Command parley is Parley's server: the websocket relay, the bbolt store,
// the widget loader and both wasm apps, in one binary.
//
//	parley [-addr :8080] [-data ./data] [-public-url URL] [-demo] [-shop-addr ADDR]
//	       [-send-rate 5] [-send-burst 20] [-debug-addr 127.0.0.1:6060]
//	       [-trusted-proxies 10.0.0.0/8,fd00::/8]
//	parley admin add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-data ./data]
//	parley site add -id ID -name NAME -origin ORIGIN [-origin ORIGIN …] [-owner EMAIL …] [-data ./data]
//
// Only this package knows every concrete part; it wires them and nothing else.
package main

import (
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

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/assets"
	"github.com/parley-chat/parley/server/relay"
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
}

// RegisterFlags binds the configuration to flags, with PARLEY_* environment
// variables as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("PARLEY_ADDR", ":8080"), "listen address (PARLEY_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("PARLEY_DATA", "./data"), "data directory (PARLEY_DATA)")
	fs.StringVar(&c.PublicURL, "public-url", env("PARLEY_PUBLIC_URL", ""), "URL browsers use to reach Parley, e.g. https://chat.example.com (PARLEY_PUBLIC_URL; default http://localhost:PORT)")
	fs.BoolVar(&c.Demo, "demo", env("PARLEY_DEMO", "") == "1", "create a demo site, a demo agent and serve the demo shop (PARLEY_DEMO=1)")
	fs.StringVar(&c.ShopAddr, "shop-addr", env("PARLEY_SHOP_ADDR", ""), "demo mode: also serve the demo shop on this address, a different site than Parley (PARLEY_SHOP_ADDR)")
	fs.Float64Var(&c.SendRate, "send-rate", envFloat("PARLEY_SEND_RATE", parley.DefaultLimits.SendPerSecond), "messages per second each connection may send (PARLEY_SEND_RATE)")
	fs.IntVar(&c.SendBurst, "send-burst", envInt("PARLEY_SEND_BURST", parley.DefaultLimits.SendBurst), "messages a connection may send at once before -send-rate applies (PARLEY_SEND_BURST)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("PARLEY_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the reverse proxies whose X-Forwarded-For or Forwarded names the client, e.g. 10.0.0.0/8,fd00::/8 (PARLEY_TRUSTED_PROXIES; default none)")
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
	if _, err := web.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("-trusted-proxies (PARLEY_TRUSTED_PROXIES): %w", err)
	}
	return nil
}

// limits are the default limits with the configured send rate.
func (c Config) limits() (parley.Limits, error) {
	l := parley.DefaultLimits
	if c.SendRate != 0 {
		l.SendPerSecond = c.SendRate
	}
	if c.SendBurst != 0 {
		l.SendBurst = c.SendBurst
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
	Hub    *relay.Hub
	Server *web.Server
	shop   *http.Server
	// ShopURL is the demo shop's URL when ShopAddr is set.
	ShopURL string
	debug   *http.Server
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
	a, err := web.LoadAssets(assets.FS)
	if err != nil {
		return err
	}
	m.Hub = relay.NewHub()

	// Bind first: the public URL's default depends on the port.
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	publicURL := m.Config.PublicURL
	if publicURL == "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		publicURL = "http://localhost:" + port
	}
	publicURL = strings.TrimRight(publicURL, "/")

	m.Server = web.NewServer(web.Config{
		Listener:       ln,
		PublicURL:      publicURL,
		Limits:         limits,
		Demo:           m.Config.Demo,
		Assets:         a,
		SecureCookies:  strings.HasPrefix(publicURL, "https://"),
		TrustedProxies: proxies,
	}, db, m.Hub, m.Logger)

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
	m.Logger.Info("parley: listening", "addr", m.Server.Addr(), "url", publicURL)
	if n, err := db.CountAgents(); err == nil && n == 0 && !m.Config.Demo {
		m.Logger.Warn("parley: no agent yet; create the first admin with: parley admin add -email you@example.com -name You")
	}
	return nil
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
	shop := pub + "/demo/"
	if m.ShopURL != "" {
		shop = m.ShopURL + "/"
	}
	fmt.Fprintf(m.Stdout, "\nParley demo is running.\n  Shop page:  %s\n  Console:    %s/console\n  Agent:      %s  password: %s\n\n", shop, pub, email, pw)
	return nil
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
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// openStore opens the data directory's store for a subcommand.
func openStore(dataDir string) (*store.DB, error) {
	db, err := store.Open(filepath.Join(dataDir, "parley.db"), store.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w (is the server running? stop it first)", err)
	}
	return db, nil
}

// runAdmin: parley admin add -email E -name N. The password is read from
// PARLEY_ADMIN_PASSWORD or the first line of standard input; with neither, a
// random one is printed.
func runAdmin(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: parley admin add -email EMAIL -name NAME [-role admin|agent] [-site ID …] [-data DIR]")
	}
	fs := flag.NewFlagSet("parley admin add", flag.ContinueOnError)
	email := fs.String("email", "", "agent email (login)")
	name := fs.String("name", "", "name shown to visitors")
	role := fs.String("role", parley.AgentRoleAdmin, "admin or agent")
	data := fs.String("data", env("PARLEY_DATA", "./data"), "data directory")
	var sites multiFlag
	fs.Var(&sites, "site", "a site the agent works on, as an owner if admin (repeat; default: every site)")
	stdinPW := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return errors.New("-email and -name are required")
	}
	if *role != parley.AgentRoleAdmin && *role != parley.AgentRoleAgent {
		return errors.New("-role must be admin or agent")
	}
	pw, printPW := os.Getenv("PARLEY_ADMIN_PASSWORD"), false
	if *stdinPW {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		pw, printPW = web.NewToken()[:20], true
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	db, err := openStore(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(sites) == 0 {
		all, err := db.Sites()
		if err != nil {
			return err
		}
		for _, s := range all {
			sites = append(sites, s.ID)
		}
	} else {
		for _, id := range sites {
			if _, err := db.Site(id); err != nil {
				return err
			}
		}
	}
	a, err := db.CreateAgent(parley.Agent{Email: strings.ToLower(strings.TrimSpace(*email)), Name: *name, Role: *role}, hash)
	if err != nil {
		return err
	}
	siteRole := parley.SiteRoleAgent
	if a.Role == parley.AgentRoleAdmin {
		siteRole = parley.SiteRoleOwner
	}
	for _, id := range sites {
		if err := db.SetMember(id, a.ID, siteRole); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Created %s %s (id %d), %s of: %s.\n", a.Role, a.Email, a.ID, siteRole, orNone(sites))
	if printPW {
		fmt.Fprintf(stdout, "Password: %s\n(shown once; change it after logging in)\n", pw)
	}
	return nil
}

// runSite: parley site add -id ID -name NAME -origin ORIGIN…
func runSite(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: parley site add -id ID -name NAME -origin https://shop.example [-origin …] [-owner EMAIL …] [-data DIR]")
	}
	fs := flag.NewFlagSet("parley site add", flag.ContinueOnError)
	id := fs.String("id", "", "site id, used in the snippet (letters, digits, - and _)")
	name := fs.String("name", "", "shop name")
	publicURL := fs.String("public-url", env("PARLEY_PUBLIC_URL", "http://localhost:8080"), "Parley's public URL, for the printed snippet")
	data := fs.String("data", env("PARLEY_DATA", "./data"), "data directory")
	var origins, ownerEmails multiFlag
	fs.Var(&origins, "origin", "origin the widget may run on (repeat)")
	fs.Var(&ownerEmails, "owner", "email of an agent who owns the site (repeat; default: every admin)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := parley.CheckClientID(*id); err != nil || *id == "" {
		return errors.New("-id is required: letters, digits, - and _")
	}
	site, err := parley.Site{ID: *id, Name: *name, Title: *name, AllowedOrigins: origins}.Validate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	db, err := openStore(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	// The owners: those named, or every admin of the install.
	var owners []parley.Agent
	if len(ownerEmails) > 0 {
		for _, e := range ownerEmails {
			a, _, err := db.AgentByEmail(e)
			if err != nil {
				return fmt.Errorf("-owner %s: %w", e, err)
			}
			owners = append(owners, a)
		}
	} else {
		all, err := db.Agents()
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Role == parley.AgentRoleAdmin {
				owners = append(owners, a)
			}
		}
	}
	if err := db.CreateSite(site); err != nil {
		return err
	}
	var names []string
	for _, a := range owners {
		if err := db.SetMember(site.ID, a.ID, parley.SiteRoleOwner); err != nil {
			return err
		}
		names = append(names, a.Email)
	}
	fmt.Fprintf(stdout, "Created site %s, owned by %s. Paste this into every page of the shop:\n\n  %s\n\n", site.ID, orNone(names), web.Snippet(strings.TrimRight(*publicURL, "/"), site.ID))
	return nil
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
