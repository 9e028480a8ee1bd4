//go:build !js

package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

const (
	testSite     = "shop"
	testEmail    = "agent@shop.example"
	testPassword = "correct horse battery"
	// stepTimeout bounds every wait of a test; generous because a reconnect
	// may sit in backoff for a second or two.
	stepTimeout = 15 * time.Second
)

// testServer is the real Parley server on loopback, on a bbolt file that
// outlives it so a test can restart it.
type testServer struct {
	tb   testing.TB
	db   *store.DB
	srv  *web.Server
	addr string
	once sync.Once
}

// startServer opens the database at path (creating the site and an agent if
// the file is new) and serves on addr ("127.0.0.1:0" for any port).
func startServer(tb testing.TB, path, addr string, limits parley.Limits) *testServer {
	tb.Helper()
	return startServerConfig(tb, path, web.Config{Addr: addr, Limits: limits})
}

// startServerConfig is startServer with the whole server configuration.
func startServerConfig(tb testing.TB, path string, cfg web.Config) *testServer {
	tb.Helper()
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	if _, err := db.Site(testSite); parley.ErrorCode(err) == parley.ENotFound {
		if err := db.CreateSite(parley.Site{ID: testSite, Name: "Shop", AllowedOrigins: []string{"http://127.0.0.1:*"},
			// Claims by hand, so the log holds what the tests write;
			// a topic for the pre-chat form.
			Routing: parley.Routing{Manual: true, Teams: []parley.Team{{ID: "returns", Name: "Returns"}},
				Topics: []parley.Topic{{ID: "returns", Name: "Returns", Team: "returns"}}}}); err != nil {
			tb.Fatalf("CreateSite: %v", err)
		}
		hash, err := web.HashPassword(testPassword)
		if err != nil {
			tb.Fatalf("HashPassword: %v", err)
		}
		a, err := db.CreateAgent(parley.Agent{Email: testEmail, Name: "Ada"}, hash)
		if err != nil {
			tb.Fatalf("CreateAgent: %v", err)
		}
		if err := db.SetMember(testSite, a.ID, parley.SiteRoleAgent); err != nil {
			tb.Fatalf("SetMember: %v", err)
		}
	} else if err != nil {
		tb.Fatalf("Site: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := web.NewServer(cfg, db, relay.NewHub(), log)
	if err := srv.Open(); err != nil {
		db.Close()
		tb.Fatalf("Open: %v", err)
	}
	ts := &testServer{tb: tb, db: db, srv: srv, addr: srv.Addr()}
	tb.Cleanup(ts.stop)
	return ts
}

// newServer starts a server on a fresh database in tb's temp dir.
func newServer(tb testing.TB) *testServer {
	tb.Helper()
	return startServer(tb, filepath.Join(tb.TempDir(), "parley.db"), "127.0.0.1:0", parley.Limits{})
}

func (ts *testServer) wsURL() string { return "ws://" + ts.addr + "/ws" }

// stop closes the server (websockets get 1001) and the database; it also
// checks the file.
func (ts *testServer) stop() {
	ts.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ts.srv.Close(ctx); err != nil {
			ts.tb.Errorf("server Close: %v", err)
		}
		if err := ts.db.Check(); err != nil {
			ts.tb.Errorf("store Check: %v", err)
		}
		if err := ts.db.Close(); err != nil {
			ts.tb.Errorf("store Close: %v", err)
		}
	})
}

// login signs the test agent in and returns the header carrying its session
// cookie.
func (ts *testServer) login(tb testing.TB) http.Header {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"email": testEmail, "password": testPassword})
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+ts.addr+"/api/login", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("login: status %d: %s", resp.StatusCode, b)
	}
	h := http.Header{}
	for _, c := range resp.Cookies() {
		if c.Name == "parley_session" {
			h.Set("Cookie", c.Name+"="+c.Value)
		}
	}
	if h.Get("Cookie") == "" {
		tb.Fatal("login: no session cookie")
	}
	return h
}

// recorder collects what a client reports through its callbacks.
type recorder struct {
	mu      sync.Mutex
	frames  []parley.Frame
	states  []client.State
	outboxs [][]parley.Frame
	changed chan struct{}
	// inside detects callbacks that overlap: the client promises they never do.
	inside     atomic.Int32
	overlapped atomic.Bool
}

func newRecorder() *recorder {
	return &recorder{changed: make(chan struct{}, 1)}
}

func (r *recorder) record(fn func()) {
	if r.inside.Add(1) != 1 {
		r.overlapped.Store(true)
	}
	r.mu.Lock()
	fn()
	r.mu.Unlock()
	r.inside.Add(-1)
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// options wires the recorder into client options for a connection to url.
func (r *recorder) options(url string, hello parley.Frame) client.Options {
	return client.Options{
		URL:      url,
		Hello:    hello,
		OnFrame:  func(f parley.Frame) { r.record(func() { r.frames = append(r.frames, f) }) },
		OnState:  func(s client.State) { r.record(func() { r.states = append(r.states, s) }) },
		OnOutbox: func(o []parley.Frame) { r.record(func() { r.outboxs = append(r.outboxs, o) }) },
	}
}

// wait blocks until cond, which runs under the recorder's lock, holds.
func (r *recorder) wait(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.changed:
		case <-ctx.Done():
			r.mu.Lock()
			defer r.mu.Unlock()
			tb.Fatalf("timed out waiting for %s; frames: %s; states: %v", what, describe(r.frames), r.states)
		}
	}
}

// Predicates for wait; they run under the recorder's lock.

func (r *recorder) countType(typ string) int {
	n := 0
	for _, f := range r.frames {
		if f.Type == typ {
			n++
		}
	}
	return n
}

func (r *recorder) lastState() client.State {
	if len(r.states) == 0 {
		return client.Offline
	}
	return r.states[len(r.states)-1]
}

func (r *recorder) hasMsg(id string) bool {
	for _, f := range r.frames {
		if f.Type == parley.TypeMsg && f.ID == id {
			return true
		}
	}
	return false
}

func (r *recorder) outboxEmpty() bool {
	return len(r.outboxs) > 0 && len(r.outboxs[len(r.outboxs)-1]) == 0
}

// snapshot returns a copy of the frames so far.
func (r *recorder) snapshot() []parley.Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]parley.Frame(nil), r.frames...)
}

func (r *recorder) welcomes() []parley.Frame {
	var ws []parley.Frame
	for _, f := range r.snapshot() {
		if f.Type == parley.TypeWelcome {
			ws = append(ws, f)
		}
	}
	return ws
}

// checkNoOverlap fails if two callbacks ever ran at once.
func (r *recorder) checkNoOverlap(tb testing.TB) {
	tb.Helper()
	if r.overlapped.Load() {
		tb.Error("callbacks ran concurrently")
	}
}

// checkMsgs fails unless the msg frames of conv arrived exactly once each,
// as seq 1, 2, 3, … and with the client ids want.
func checkMsgs(tb testing.TB, frames []parley.Frame, conv uint64, want []string) {
	tb.Helper()
	var got []string
	for _, f := range frames {
		if f.Type != parley.TypeMsg || f.Conv != conv {
			continue
		}
		if want := uint64(len(got) + 1); f.Seq != want {
			tb.Errorf("msg %d of conv %d: got seq %d, want %d (frames: %s)", len(got)+1, conv, f.Seq, want, describe(frames))
		}
		got = append(got, f.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		tb.Errorf("msg ids of conv %d:\n got %v\nwant %v", conv, got, want)
	}
}

func describe(frames []parley.Frame) string {
	var b strings.Builder
	for _, f := range frames {
		switch f.Type {
		case parley.TypeMsg, parley.TypeAck, parley.TypeSynced:
			b.WriteString(f.Type + "(" + itoa(f.Conv) + "/" + itoa(f.Seq) + " " + f.ID + ") ")
		case parley.TypeError:
			b.WriteString("error(" + f.Code + " " + f.ID + ") ")
		default:
			b.WriteString(f.Type + " ")
		}
	}
	return b.String()
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// run starts c.Run and returns a function that stops it and returns its error.
func run(tb testing.TB, c *client.Client) (stop func() error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(stepTimeout):
				err = errors.New("Run did not return after its context ended")
			}
		})
		return err
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
	return stop
}

// visitorOnline starts a new visitor's client on url and waits until it is
// online.
func visitorOnline(tb testing.TB, url string) (*client.Client, *recorder) {
	tb.Helper()
	rec := newRecorder()
	c := client.New(rec.options(url, visitorHello()))
	run(tb, c)
	rec.wait(tb, "the visitor online", func() bool { return rec.lastState() == client.Online })
	return c, rec
}

// agentOnline starts the test agent's client, logged in, on ts and waits
// until it is online.
func agentOnline(tb testing.TB, ts *testServer) (*client.Client, *recorder) {
	tb.Helper()
	rec := newRecorder()
	o := rec.options(ts.wsURL(), parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	o.Header = ts.login(tb)
	c := client.New(o)
	run(tb, c)
	rec.wait(tb, "the agent online", func() bool { return rec.lastState() == client.Online })
	return c, rec
}

func visitorHello() parley.Frame {
	return parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: testSite}
}

// proxy sits between a client and the real server, like a lossy network: it
// records what clients send, and can drop, rewrite or swallow frames.
type proxy struct {
	upstream string
	srv      *httptest.Server

	mu sync.Mutex
	// drop, if set, decides whether a server frame is lost on its way.
	drop func(parley.Frame) bool
	// rewrite, if set, changes server frames on their way.
	rewrite func(*parley.Frame)
	sent    []parley.Frame
	conns   []*proxyConn
	changed chan struct{}
}

type proxyConn struct {
	// stalled connections swallow everything in both directions without
	// closing, like a network that went away silently.
	stalled atomic.Bool
}

func newProxy(tb testing.TB, upstream string) *proxy {
	tb.Helper()
	p := &proxy{upstream: upstream, changed: make(chan struct{}, 1)}
	p.srv = httptest.NewServer(http.HandlerFunc(p.handle))
	tb.Cleanup(p.srv.Close)
	return p
}

func (p *proxy) wsURL() string { return "ws" + strings.TrimPrefix(p.srv.URL, "http") + "/ws" }

func (p *proxy) handle(w http.ResponseWriter, r *http.Request) {
	down, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer down.CloseNow()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := http.Header{}
	if c := r.Header.Get("Cookie"); c != "" {
		h.Set("Cookie", c)
	}
	up, _, err := websocket.Dial(ctx, p.upstream, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		down.Close(websocket.StatusTryAgainLater, "upstream down")
		return
	}
	defer up.CloseNow()
	up.SetReadLimit(client.DefaultReadLimit)
	pc := &proxyConn{}
	p.mu.Lock()
	p.conns = append(p.conns, pc)
	p.mu.Unlock()

	type result struct {
		err error
		dst *websocket.Conn
	}
	done := make(chan result, 2)
	go func() { done <- result{p.pump(ctx, pc, up, down, true), down} }()
	go func() { done <- result{p.pump(ctx, pc, down, up, false), up} }()
	res := <-done
	// Pass a close code on, so the client sees what the server said.
	if code := websocket.CloseStatus(res.err); code != -1 {
		res.dst.Close(code, "")
	}
}

func (p *proxy) pump(ctx context.Context, pc *proxyConn, src, dst *websocket.Conn, fromServer bool) error {
	for {
		typ, data, err := src.Read(ctx)
		if err != nil {
			return err
		}
		if pc.stalled.Load() {
			continue
		}
		var f parley.Frame
		if err := json.Unmarshal(data, &f); err != nil {
			return err
		}
		p.mu.Lock()
		if fromServer {
			if p.drop != nil && p.drop(f) {
				p.mu.Unlock()
				continue
			}
			if p.rewrite != nil {
				p.rewrite(&f)
				data = f.Encode()
			}
		} else {
			p.sent = append(p.sent, f)
		}
		p.mu.Unlock()
		if !fromServer {
			select {
			case p.changed <- struct{}{}:
			default:
			}
		}
		wctx, cancel := context.WithTimeout(ctx, stepTimeout)
		err = dst.Write(wctx, typ, data)
		cancel()
		if err != nil {
			return err
		}
	}
}

// clientFrames returns the frames clients sent so far.
func (p *proxy) clientFrames() []parley.Frame {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]parley.Frame(nil), p.sent...)
}

// stallAll makes the current connections go silent.
func (p *proxy) stallAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pc := range p.conns {
		pc.stalled.Store(true)
	}
}

func (p *proxy) setDrop(fn func(parley.Frame) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drop = fn
}

func (p *proxy) setRewrite(fn func(*parley.Frame)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrite = fn
}
