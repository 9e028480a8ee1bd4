// Package web is Parley's HTTP side: the one route table, the websocket relay
// endpoint, agent login and sessions, the JSON API, and the pages and
// precompressed assets of the widget and the console.
//
// It may import app/parley (the domain), server/store, server/relay and
// server/search; it never imports the wasm apps' UI packages.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/files"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
)

// Config is what the server needs to know that is not in the database.
type Config struct {
	// Addr is the listen address, ":8080"; ":0" picks a free port.
	Addr string
	// Listener, if set, is used instead of listening on Addr.
	Listener net.Listener
	// PublicURL is how browsers reach Parley, "https://chat.example.com",
	// without a trailing slash. Empty means "http://" + the listen address.
	PublicURL string
	// Limits bound what clients may send.
	Limits parley.Limits
	// FAQBotDelay is how long the FAQ bot waits before it answers a
	// visitor nobody has (socket_faq.go); 0 means DefaultFAQBotDelay.
	FAQBotDelay time.Duration
	// Demo serves the demo shop page at /demo/.
	Demo bool
	// Assets holds the built files (wasm, loader) and the static ones.
	Assets *Assets
	// SecureCookies marks cookies Secure; on unless PublicURL is plain http.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header names the client (see clientAddr). Empty: every
	// request comes from its TCP peer.
	TrustedProxies []netip.Prefix
	// SessionTTL is how long an agent's login lasts; zero means 30 days.
	// Its websockets are closed when it ends.
	SessionTTL time.Duration
	// PresenceGrace is how long an agent whose last console socket closed
	// keeps its status before it turns offline; zero means
	// parley.PresenceGrace (30 s).
	PresenceGrace time.Duration
	// Mail is how email goes out and comes back; a nil Sender turns it off.
	Mail MailConfig
	// AddressLimits override the per-address limits on new visitors,
	// conversations and sockets.
	AddressLimits AddressLimits
	// Push is how Web Push goes out.
	Push PushConfig
	// FilesDir is where attachments are kept, content-addressed
	// (server/files); empty turns attachments off.
	FilesDir string
	// Search answers GET /api/search; nil turns search off (503).
	Search Searcher
}

// Searcher is the search index (server/search.Index), behind an interface
// so that the web package does not start or stop it: main does.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (parley.SearchPage, error)
	// Touch says a conversation changed outside the log (its tags, its
	// visitor's name or email); it does not block.
	Touch(c parley.Conversation)
}

// Server wraps net/http with Parley's handlers.
type Server struct {
	// faqBot is the FAQ bot's memory per conversation, faqCache the
	// sites' FAQ entries for visitors' lookups (socket_faq.go).
	faqBot   faqBots
	faqCache faqCache

	// writeTimeout and pingInterval are the constants but in tests.
	writeTimeout, pingInterval time.Duration

	cfg    Config
	store  *store.DB
	hub    *relay.Hub
	log    *slog.Logger
	ln     net.Listener
	srv    *http.Server
	logins *loginThrottle
	// abuse holds the limits on new visitors, conversations and sockets,
	// and the agents' blocks (abuse.go).
	abuse *abuse
	// checkPassword is checkPassword; tests count its calls.
	checkPassword func(hash []byte, pw string) bool

	// conns tracks open websocket connections so Close can end them;
	// upgrades counts the websocket requests between their admission and
	// the registration of their connection.
	connsMu sync.Mutex
	conns   map[*conn]struct{}
	// sessionConns are the agent connections by the token hash of the
	// session they were opened with, so that ending a session closes them.
	sessionConns map[string]map[*conn]struct{}
	closing      bool
	upgrades     sync.WaitGroup
	// Greeted websockets by role, for DebugHandler.
	visitorSockets, agentSockets atomic.Int64
	// presence is the agents' presence, from their console sockets.
	presence *presenceTracker
	// typing coalesces the typing states fanned out to agents.
	typing typingGate
	// delivered holds the delivered marks (delivered.go).
	delivered deliveredMarks
	// sweeper removes the files nothing refers to (files_sweep.go).
	sweeper fileSweeper
	// signer signs reply addresses and resume links.
	signer tokenSigner
	// router assigns queued conversations and tells visitors where they
	// stand (router.go).
	router *router
	// avail says whether each site answers chat now, and tells its
	// widgets when that changes (availability.go).
	avail *availability
	// files keeps the attachments' bytes, nil when they are off;
	// fileSigner signs the keys that read them (files.go).
	files      *files.Dir
	fileSigner tokenSigner
	// push holds the VAPID key and the agents with push subscriptions
	// (push.go).
	push pushState
}

// NewServer returns a server that is not listening yet.
func NewServer(cfg Config, db *store.DB, hub *relay.Hub, log *slog.Logger) *Server {
	if cfg.FAQBotDelay <= 0 {
		cfg.FAQBotDelay = DefaultFAQBotDelay
	}
	if cfg.Limits == (parley.Limits{}) {
		cfg.Limits = parley.DefaultLimits
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = defaultSessionTTL
	}
	s := &Server{
		cfg:           cfg,
		store:         db,
		hub:           hub,
		log:           log,
		logins:        newLoginThrottle(),
		abuse:         newAbuse(cfg.AddressLimits),
		checkPassword: checkPassword,
		conns:         make(map[*conn]struct{}),
		sessionConns:  make(map[string]map[*conn]struct{}),
		presence:      newPresenceTracker(hub, cfg.PresenceGrace),
		writeTimeout:  writeTimeout,
		pingInterval:  pingInterval,
	}
	// Messages reach followers from the store's commit hook: after the
	// commit, in commit order, never from inside the transaction.
	db.OnCommit(s.publishCommitted)
	if key, err := db.Secret("mail"); err == nil {
		s.signer = tokenSigner{key: key}
	} else {
		// Without it no reply address or resume link verifies: mail
		// stays off rather than signing with a guessable key.
		log.Error("web: reading the mail key; email is off", "err", err)
		s.cfg.Mail.Sender = nil
	}
	s.loadPush()
	if cfg.FilesDir != "" {
		key, err := db.Secret("files")
		if err == nil {
			s.files, err = files.Open(cfg.FilesDir)
		}
		if err != nil {
			// Never sign with a guessable key: attachments stay off.
			log.Error("web: attachments are off", "err", err)
			s.files = nil
		} else {
			s.fileSigner = tokenSigner{key: key}
		}
	}
	if err := s.abuse.loadBlocks(db); err != nil {
		// Blocks are a nicety of moderation: the chat works without them.
		log.Error("web: reading the blocks; none apply until one is made", "err", err)
	}
	s.router = newRouter(s)
	s.avail = newAvailability(s)
	s.presence.onChange = func(agent uint64, status string) {
		s.router.presenceChanged(agent, status)
		s.avail.changed()
	}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// routes is the whole route table.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// The shop page's only request before intent.
	mux.HandleFunc("GET /s/{site}/widget.js", s.handleLoader)
	mux.HandleFunc("GET /s/{site}/open", s.handleSiteOpen)

	// The widget iframe and the console, each a go-app shell.
	mux.HandleFunc("GET /chat/{site}", s.handleWidgetPage)
	mux.HandleFunc("GET /console", s.handleConsolePage)
	mux.HandleFunc("GET /console/{path...}", s.handleConsolePage)
	mux.HandleFunc("GET /console/manifest.webmanifest", s.handleManifest)
	mux.HandleFunc("GET /console/app-worker.js", s.handleServiceWorker)
	mux.HandleFunc("GET /assets/{name}", s.handleAsset)
	mux.HandleFunc("GET /{$}", s.handleRoot)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /r/{token}", s.handleResume)
	mux.HandleFunc("POST /r/{token}/renew", s.handleRenewResume)
	if s.cfg.Demo {
		mux.HandleFunc("GET /demo/mail", s.handleDemoMail)
		mux.HandleFunc("POST /demo/mail/reply", s.handleDemoMailReply)
		mux.HandleFunc("GET /demo/{path...}", s.handleDemoShop)
	}

	// The relay.
	mux.HandleFunc("GET /ws", s.admitSocket)

	// The agents' JSON API.
	mux.HandleFunc("POST /api/login", s.handleLogin)
	mux.HandleFunc("POST /api/logout", s.requireAgent(s.handleLogout))
	mux.HandleFunc("GET /api/session", s.requireAgent(s.handleSession))
	mux.HandleFunc("POST /api/password", s.requireAgent(s.handlePassword))
	mux.HandleFunc("GET /api/sites", s.requireAgent(s.handleSites))
	mux.HandleFunc("PUT /api/sites/{id}", s.requireAgent(s.handleUpdateSite))
	mux.HandleFunc("GET /api/sites/{id}/canned", s.requireAgent(s.handleCanned))
	mux.HandleFunc("PUT /api/sites/{id}/canned", s.requireAgent(s.handlePutCanned))
	mux.HandleFunc("GET /api/sites/{id}/canned/mine", s.requireAgent(s.handleOwnCanned))
	mux.HandleFunc("PUT /api/sites/{id}/canned/mine", s.requireAgent(s.handlePutOwnCanned))
	mux.HandleFunc("GET /api/sites/{id}/faq", s.requireAgent(s.handleFAQ))
	mux.HandleFunc("PUT /api/sites/{id}/faq", s.requireAgent(s.handlePutFAQ))
	mux.HandleFunc("GET /api/conversations", s.requireAgent(s.handleConversations))
	mux.HandleFunc("GET /api/search", s.requireAgent(s.handleSearch))
	mux.HandleFunc("GET /api/conversations/{id}/messages", s.requireAgent(s.handleMessages))
	mux.HandleFunc("GET /api/visitors/{id}", s.requireAgent(s.handleVisitor))
	mux.HandleFunc("GET /api/visitors/{id}/notes", s.requireAgent(s.handleNotes))
	mux.HandleFunc("POST /api/visitors/{id}/notes", s.requireAgent(s.handleAddNote))
	mux.HandleFunc("PATCH /api/visitors/{id}/notes/{note}", s.requireAgent(s.handleEditNote))
	mux.HandleFunc("DELETE /api/visitors/{id}/notes/{note}", s.requireAgent(s.handleDeleteNote))
	mux.HandleFunc("PUT /api/agents/{id}/capacity", s.requireAgent(s.handleAgentCapacity))

	// Blocks (api_blocks.go): an agent bars a visitor, or their address.
	mux.HandleFunc("POST /api/conversations/{id}/block", s.requireAgent(s.handleBlock))
	mux.HandleFunc("DELETE /api/conversations/{id}/block", s.requireAgent(s.handleUnblock))
	mux.HandleFunc("GET /api/sites/{id}/blocks", s.requireAgent(s.handleSiteBlocks))
	mux.HandleFunc("GET /api/sites/{id}/identity-secret", s.requireAgent(s.handleIdentitySecret))
	mux.HandleFunc("POST /api/sites/{id}/identity-secret", s.requireAgent(s.handleRotateIdentitySecret))

	// People (api_people.go): sites and their agents, managed while the
	// server runs.
	mux.HandleFunc("POST /api/sites", s.requireAgent(s.handleCreateSite))
	mux.HandleFunc("GET /api/sites/{id}/members", s.requireAgent(s.handleSiteMembers))
	mux.HandleFunc("POST /api/sites/{id}/agents", s.requireAgent(s.handleAddSiteAgent))
	mux.HandleFunc("PUT /api/sites/{id}/members/{agent}", s.requireAgent(s.handleSetMemberRole))
	mux.HandleFunc("DELETE /api/sites/{id}/members/{agent}", s.requireAgent(s.handleRemoveMember))
	mux.HandleFunc("POST /api/agents/{id}/disable", s.requireAgent(s.handleDisableAgent))
	mux.HandleFunc("POST /api/agents/{id}/enable", s.requireAgent(s.handleEnableAgent))
	mux.HandleFunc("POST /api/agents/{id}/password-reset", s.requireAgent(s.handleResetPassword))
	mux.HandleFunc("POST /api/files", s.handleUploadFile)
	mux.HandleFunc("GET /api/files/key", s.handleFileKey)
	mux.HandleFunc("GET /files/{id}", s.handleFile)
	mux.HandleFunc("GET /api/push/key", s.requireAgent(s.handlePushKey))
	mux.HandleFunc("GET /api/push/preferences", s.requireAgent(s.handlePushPrefs))
	mux.HandleFunc("PUT /api/push/preferences", s.requireAgent(s.handleSetPushPrefs))
	mux.HandleFunc("POST /api/push/subscriptions", s.requireAgent(s.handleSubscribePush))
	mux.HandleFunc("DELETE /api/push/subscriptions", s.requireAgent(s.handleUnsubscribePush))

	return securityHeaders(mux)
}

// Open starts listening. It returns once the listener is bound, so tests can
// use ":0" and read Addr right away.
func (s *Server) Open() error {
	ln := s.cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("web: listen: %w", err)
		}
	}
	if err := s.router.start(); err != nil {
		ln.Close()
		return fmt.Errorf("web: starting the router: %w", err)
	}
	s.avail.start()
	s.startSweeper()
	s.ln = ln
	if s.cfg.PublicURL == "" {
		s.cfg.PublicURL = "http://" + ln.Addr().String()
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("web: serve", "err", err)
		}
	}()
	return nil
}

// Addr is the bound listen address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the public base URL, without a trailing slash.
func (s *Server) URL() string { return s.cfg.PublicURL }

// Close stops accepting connections, closes every websocket with 1001 so
// that clients reconnect elsewhere, and returns once their close
// handshakes are done and the HTTP handlers have finished. At ctx's end it
// cuts what is left instead of waiting longer, and logs it: a client that
// does not answer its close must not hold the shutdown, and is no error.
func (s *Server) Close(ctx context.Context) error {
	s.connsMu.Lock()
	s.closing = true
	s.connsMu.Unlock()
	s.faqBot.stop()
	// Sockets closed by the shutdown start no grace: presence ends with
	// the process.
	s.presence.close()
	s.router.close()
	s.avail.close()
	s.stopSweeper()

	// Shutdown closes the listener at once, then waits for the plain HTTP
	// requests; websockets, once upgraded, are not its business.
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.srv.Shutdown(ctx) }()

	// An upgrade under way either registers its connection or, seeing
	// closing, closes it with 1001 itself; after this, conns is complete.
	upgraded := make(chan struct{})
	go func() {
		s.upgrades.Wait()
		close(upgraded)
	}()
	select {
	case <-upgraded:
	case <-ctx.Done():
	}

	s.connsMu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.connsMu.Unlock()
	var wg sync.WaitGroup
	var cut atomic.Int64
	for _, c := range conns {
		wg.Go(func() {
			if !c.shutdown(ctx) {
				cut.Add(1)
			}
		})
	}
	wg.Wait()

	err := <-httpDone
	if ctx.Err() != nil {
		s.srv.Close()
		s.log.Warn("web: shutdown deadline passed, connections cut", "websockets", len(conns), "websocketsCut", cut.Load())
		return nil
	}
	s.log.Info("web: websockets closed", "websockets", len(conns))
	return err
}

// admitSocket refuses websocket upgrades once Close has begun, and counts
// the others until their connection is registered or closed, so that
// Close misses none of them.
func (s *Server) admitSocket(w http.ResponseWriter, r *http.Request) {
	s.connsMu.Lock()
	if s.closing {
		s.connsMu.Unlock()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "The server is shutting down; try again.", http.StatusServiceUnavailable)
		return
	}
	s.upgrades.Add(1)
	s.connsMu.Unlock()
	defer s.upgrades.Done()
	s.handleSocket(w, r)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.base()+"/console", http.StatusFound)
}
