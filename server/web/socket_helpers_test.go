package web_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// stepTimeout bounds every socket step of a test.
const stepTimeout = 5 * time.Second

const sockPassword = "socket test password"

// sockEnv is a running server with a real store, two sites and two agents.
type sockEnv struct {
	srv    *web.Server
	db     *store.DB
	url    string // http://127.0.0.1:port
	site   parley.Site
	other  parley.Site // a second site, for cross-site checks
	agents []parley.Agent
	logs   *syncBuffer
}

// newSockEnv starts a server; limits zero means the defaults.
func newSockEnv(tb testing.TB, limits parley.Limits) *sockEnv {
	tb.Helper()
	return newSockEnvConfig(tb, web.Config{Limits: limits})
}

// newSockEnvConfig starts a server with cfg, listening on a free port;
// each of before is given the server before it opens.
func newSockEnvConfig(tb testing.TB, cfg web.Config, before ...func(*web.Server)) *sockEnv {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "parley.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	hash, err := web.HashPassword(sockPassword)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	env := &sockEnv{db: db, logs: &syncBuffer{}}
	for _, a := range []parley.Agent{
		{Email: "ann@shop.example", Name: "Ann", Role: parley.AgentRoleAdmin},
		{Email: "bob@shop.example", Name: "Bob", Role: parley.AgentRoleAgent},
		{Email: "cy@other.example", Name: "Cy", Role: parley.AgentRoleAgent},
	} {
		a, err := db.CreateAgent(a, hash)
		if err != nil {
			tb.Fatalf("CreateAgent: %v", err)
		}
		env.agents = append(env.agents, a)
	}
	env.site = parley.Site{
		ID: "shop", Name: "Coffee Shop", AllowedOrigins: []string{"https://shop.example"},
		Proactive: parley.Proactive{Enabled: true, DelaySeconds: 5, Message: "Hi! Looking for a blend?"},
		// Claims by hand: these tests want the log to hold what they
		// write, when they write it. routing_test.go has automatic
		// assignment.
		Routing: parley.Routing{Manual: true},
	}
	env.other = parley.Site{ID: "other", Name: "Other Shop", AllowedOrigins: []string{"https://other.example"}, Routing: parley.Routing{Manual: true}}
	for _, s := range []parley.Site{env.site, env.other} {
		if err := db.CreateSite(s); err != nil {
			tb.Fatalf("CreateSite: %v", err)
		}
	}
	// Ann owns both sites and Bob works on both; Cy works on the other
	// site only, and must see nothing of the shop.
	for _, m := range []parley.Member{
		{Site: env.site.ID, Agent: env.agents[0].ID, Role: parley.SiteRoleOwner},
		{Site: env.other.ID, Agent: env.agents[0].ID, Role: parley.SiteRoleOwner},
		{Site: env.site.ID, Agent: env.agents[1].ID, Role: parley.SiteRoleAgent},
		{Site: env.other.ID, Agent: env.agents[1].ID, Role: parley.SiteRoleAgent},
		{Site: env.other.ID, Agent: env.agents[2].ID, Role: parley.SiteRoleAgent},
	} {
		if err := db.SetMember(m.Site, m.Agent, m.Role); err != nil {
			tb.Fatalf("SetMember: %v", err)
		}
	}
	logger := slog.New(slog.NewTextHandler(env.logs, nil))
	cfg.Addr = "127.0.0.1:0"
	env.srv = web.NewServer(cfg, db, relay.NewHub(), logger)
	for _, f := range before {
		f(env.srv)
	}
	if err := env.srv.Open(); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	env.url = "http://" + env.srv.Addr()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		env.srv.Close(ctx)
		if err := db.Check(); err != nil {
			tb.Errorf("store check: %v", err)
		}
		db.Close()
		if tb.Failed() {
			tb.Logf("server log:\n%s", env.logs.String())
		}
	})
	return env
}

// syncBuffer collects the server's log for failing tests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loginAgent logs an agent in through POST /api/login and returns the
// headers that carry the session cookie to the websocket upgrade.
func loginAgent(tb testing.TB, env *sockEnv, email string) http.Header {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"email": email, "password": sockPassword})
	req, err := http.NewRequestWithContext(ctx, "POST", env.url+"/api/login", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	h := http.Header{}
	for _, c := range resp.Cookies() {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	if len(h) == 0 {
		tb.Fatalf("login %s: no cookie", email)
	}
	return h
}

// sockClient is a raw websocket client speaking JSON frames. Frames that
// until skips are kept, in order, for later calls: a test may wait for an
// ack and then for the msg that arrived before it.
type sockClient struct {
	tb      testing.TB
	name    string
	ws      *websocket.Conn
	pending []parley.Frame
	// seen is every frame read, for checks that something never arrived.
	seen []parley.Frame
	// sent are the send frames written, by id: the server acks them and
	// sends no msg echo, so msgs makes the client's own copy from the ack.
	sent map[string]parley.Frame
	// author is who this client is, from its welcome.
	author *parley.Author
}

// dial connects to /ws with the given headers (nil for none).
func (env *sockEnv) dial(tb testing.TB, name string, hdr http.Header) *sockClient {
	tb.Helper()
	return env.dialWith(tb, name, hdr, nil)
}

// dialWith is dial through client (nil: the default one).
func (env *sockEnv) dialWith(tb testing.TB, name string, hdr http.Header, client *http.Client) *sockClient {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.url, "http")+"/ws", &websocket.DialOptions{HTTPHeader: hdr, HTTPClient: client})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("%s: dial: %v (status %d)", name, err, status)
	}
	// Welcomes listing many conversations are bigger than the default 32 KiB.
	ws.SetReadLimit(1 << 20)
	c := &sockClient{tb: tb, name: name, ws: ws}
	tb.Cleanup(func() { ws.CloseNow() })
	return c
}

// sendFrame writes v (a parley.Frame or any JSON value) as a text frame.
func (c *sockClient) sendFrame(v any) {
	c.tb.Helper()
	if f, ok := v.(parley.Frame); ok && f.Type == parley.TypeSend && f.ID != "" {
		if c.sent == nil {
			c.sent = make(map[string]parley.Frame)
		}
		c.sent[f.ID] = f
	}
	b, err := json.Marshal(v)
	if err != nil {
		c.tb.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, b)
}

func (c *sockClient) sendRaw(typ websocket.MessageType, b []byte) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, typ, b); err != nil {
		c.tb.Fatalf("%s: write: %v", c.name, err)
	}
}

// next returns the oldest frame not yet returned.
func (c *sockClient) next() parley.Frame {
	c.tb.Helper()
	if len(c.pending) > 0 {
		f := c.pending[0]
		c.pending = c.pending[1:]
		return f
	}
	f, err := c.tryNext()
	if err != nil {
		c.tb.Fatalf("%s: read: %v", c.name, err)
	}
	c.seen = append(c.seen, f)
	return f
}

// tryNext reads one frame from the socket, bypassing pending; it is safe
// outside the test goroutine.
func (c *sockClient) tryNext() (parley.Frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	typ, b, err := c.ws.Read(ctx)
	if err != nil {
		return parley.Frame{}, err
	}
	if typ != websocket.MessageText {
		return parley.Frame{}, fmt.Errorf("%s: got a binary frame", c.name)
	}
	var f parley.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		return parley.Frame{}, fmt.Errorf("%s: decoding %q: %w", c.name, b, err)
	}
	return f, nil
}

// until returns the oldest frame that matches, keeping the others.
func (c *sockClient) until(what string, match func(parley.Frame) bool) parley.Frame {
	c.tb.Helper()
	for i, f := range c.pending {
		if match(f) {
			c.pending = slices.Delete(c.pending, i, i+1)
			return f
		}
	}
	for {
		f, err := c.tryNext()
		if err != nil {
			c.tb.Fatalf("%s: waiting for %s: %v", c.name, what, err)
		}
		c.seen = append(c.seen, f)
		if match(f) {
			return f
		}
		c.pending = append(c.pending, f)
	}
}

// untilType reads frames until one of type typ.
func (c *sockClient) untilType(typ string) parley.Frame {
	c.tb.Helper()
	return c.until(typ, func(f parley.Frame) bool { return f.Type == typ })
}

// untilError reads frames until an error frame.
func (c *sockClient) untilError() parley.Frame {
	c.tb.Helper()
	return c.untilType(parley.TypeError)
}

// msgs reads frames until it has n entries of conv, skipping others: the
// msg frames, and the acks of this client's own sends, which stand for
// their msg (the server sends no echo; docs/protocol.md).
func (c *sockClient) msgs(conv uint64, n int) []parley.Frame {
	c.tb.Helper()
	var got []parley.Frame
	for len(got) < n {
		f := c.until(fmt.Sprintf("msg %d of %d in conversation %d", len(got)+1, n, conv), func(f parley.Frame) bool {
			_, own := c.sent[f.ID]
			return f.Conv == conv && (f.Type == parley.TypeMsg || f.Type == parley.TypeAck && own)
		})
		if f.Type == parley.TypeAck {
			f = c.ownCopy(f)
		}
		got = append(got, f)
	}
	// A client orders by seq: an ack may overtake a msg published just
	// before it (a greeting stored with the visitor's first message).
	slices.SortStableFunc(got, func(a, b parley.Frame) int { return cmp.Compare(a.Seq, b.Seq) })
	return got
}

// ownCopy is the msg frame an ack stands for, as a client keeps it.
func (c *sockClient) ownCopy(ack parley.Frame) parley.Frame {
	s := c.sent[ack.ID]
	text, _ := parley.DefaultLimits.CheckText(s.Text)
	return parley.Frame{Type: parley.TypeMsg, Conv: ack.Conv, Seq: ack.Seq, ID: ack.ID, From: c.author, Text: text, At: ack.At, Prev: ack.Prev}
}

// closeStatus reads until the connection ends and returns its close code.
func (c *sockClient) closeStatus() websocket.StatusCode {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		_, _, err := c.ws.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				c.tb.Fatalf("%s: connection still open", c.name)
			}
			return websocket.CloseStatus(err)
		}
	}
}

// visitorHello says hello as a visitor of site and returns the welcome.
func (c *sockClient) visitorHello(site, token string, since ...parley.ResumeFrom) parley.Frame {
	c.tb.Helper()
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: site, Token: token, Since: since})
	w := c.next()
	if w.Type != parley.TypeWelcome || w.Visitor == nil {
		c.tb.Fatalf("%s: got %+v, want a visitor welcome", c.name, w)
	}
	c.author = &parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID, Name: w.Visitor.Name}
	return w
}

// newVisitor connects a new visitor of the test site.
func (env *sockEnv) newVisitor(tb testing.TB, name string) (*sockClient, parley.Frame) {
	tb.Helper()
	return env.newVisitorOf(tb, name, env.site.ID)
}

// newVisitorOf connects a new visitor of site.
func (env *sockEnv) newVisitorOf(tb testing.TB, name, site string) (*sockClient, parley.Frame) {
	tb.Helper()
	c := env.dial(tb, name, nil)
	w := c.visitorHello(site, "")
	if w.Token == "" {
		tb.Fatalf("%s: welcome of a new visitor has no token", name)
	}
	return c, w
}

// newAgent logs agent i in and connects it.
func (env *sockEnv) newAgent(tb testing.TB, name string, i int, since ...parley.ResumeFrom) (*sockClient, parley.Frame) {
	tb.Helper()
	return env.newAgentVia(tb, name, i, nil, since...)
}

// newAgentVia is newAgent dialling through client (nil: the default one).
func (env *sockEnv) newAgentVia(tb testing.TB, name string, i int, client *http.Client, since ...parley.ResumeFrom) (*sockClient, parley.Frame) {
	tb.Helper()
	c := env.dialWith(tb, name, loginAgent(tb, env, env.agents[i].Email), client)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent, Since: since})
	w := c.next()
	if w.Type != parley.TypeWelcome || w.Agent == nil || w.Agent.ID != env.agents[i].ID {
		tb.Fatalf("%s: got %+v, want the welcome of agent %d", name, w, env.agents[i].ID)
	}
	c.author = &parley.Author{Kind: parley.AuthorAgent, ID: w.Agent.ID, Name: w.Agent.Name}
	return c, w
}

// say sends a message and waits for its ack, skipping other frames.
func (c *sockClient) say(conv uint64, id, text string) parley.Frame {
	c.tb.Helper()
	c.sendFrame(parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Text: text})
	return c.ack(id)
}

// ack reads until the ack of id; an error about id fails the test. The
// ack stays behind, where it was read, as the msg frame it stands for, for
// msgs to find.
func (c *sockClient) ack(id string) parley.Frame {
	c.tb.Helper()
	match := func(f parley.Frame) bool {
		return (f.Type == parley.TypeAck || f.Type == parley.TypeError) && f.ID == id
	}
	var f parley.Frame
	if i := slices.IndexFunc(c.pending, match); i >= 0 {
		f = c.pending[i]
		c.pending = slices.Delete(c.pending, i, i+1)
		if f.Type == parley.TypeAck {
			c.pending = slices.Insert(c.pending, i, c.ownCopy(f))
		}
	} else {
		for {
			var err error
			if f, err = c.tryNext(); err != nil {
				c.tb.Fatalf("%s: waiting for ack of %s: %v", c.name, id, err)
			}
			c.seen = append(c.seen, f)
			if match(f) {
				break
			}
			c.pending = append(c.pending, f)
		}
		if f.Type == parley.TypeAck {
			c.pending = append(c.pending, c.ownCopy(f))
		}
	}
	if f.Type == parley.TypeError {
		c.tb.Fatalf("%s: send %s refused: %s: %s", c.name, id, f.Code, f.Message)
	}
	return f
}

// stored returns the stored messages of conv.
func (env *sockEnv) stored(tb testing.TB, conv uint64) []parley.Message {
	tb.Helper()
	var got []parley.Message
	err := env.db.Messages(conv, 0, 0, func(frame []byte) error {
		var f parley.Frame
		if err := json.Unmarshal(frame, &f); err != nil {
			return err
		}
		got = append(got, f.ToMessage())
		return nil
	})
	if err != nil {
		tb.Fatalf("Messages(%d): %v", conv, err)
	}
	return got
}

func seqs(fs []parley.Frame) []uint64 {
	out := make([]uint64, len(fs))
	for i, f := range fs {
		out[i] = f.Seq
	}
	return out
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
