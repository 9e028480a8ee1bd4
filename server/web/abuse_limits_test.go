package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// testClock is a clock that moves only when told.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newAbuseEnv starts a server behind a trusted proxy at 127.0.0.1, so that
// each test connection names its address in X-Forwarded-For, on a clock
// that stands still.
func newAbuseEnv(t *testing.T) (*sockEnv, *testClock) {
	t.Helper()
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	clock := &testClock{now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	web.SetAbuseClock(env.srv, clock.Now)
	return env, clock
}

func fromAddr(addr string) http.Header {
	return http.Header{"X-Forwarded-For": {addr}}
}

// helloFrom connects from addr and says hello as a visitor of the test
// site with token; it returns the client and the first frame answered.
func helloFrom(t *testing.T, env *sockEnv, name, addr, token string) (*sockClient, parley.Frame) {
	t.Helper()
	c := env.dial(t, name, fromAddr(addr))
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Token: token})
	f := c.next()
	if f.Type == parley.TypeWelcome {
		c.author = &parley.Author{Kind: parley.AuthorVisitor, ID: f.Visitor.ID, Name: f.Visitor.Name}
	}
	return c, f
}

// TestNewVisitorFloodSlowed: a flood of new visitors from one address is
// refused past the burst, with nothing stored, while a visitor from
// another address and a returning one are served; the limit refills with
// time.
func TestNewVisitorFloodSlowed(t *testing.T) {
	env, clock := newAbuseEnv(t)
	const flood = "198.51.100.7"
	var first parley.Frame
	for i := range 60 { // the documented burst
		_, w := helloFrom(t, env, fmt.Sprintf("flood %d", i), flood, "")
		if w.Type != parley.TypeWelcome {
			t.Fatalf("new visitor %d of the burst: got %+v, want a welcome", i+1, w)
		}
		if i == 0 {
			first = w
		}
	}
	c, f := helloFrom(t, env, "flood 61", flood, "")
	if f.Type != parley.TypeError || f.Code != parley.ERateLimited || !strings.Contains(f.Message, "Wait a minute") {
		t.Fatalf("the 61st new visitor from one address: got %+v, want rate_limited", f)
	}
	// The refused hello may be retried on its connection: it stays open.
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID})
	if f := c.next(); f.Code != parley.ERateLimited {
		t.Errorf("a retried hello at once: got %+v, want rate_limited", f)
	}

	if _, w := helloFrom(t, env, "neighbour", "198.51.100.8", ""); w.Type != parley.TypeWelcome || w.Token == "" {
		t.Errorf("a new visitor from another address: got %+v, want a welcome", w)
	}
	if _, w := helloFrom(t, env, "returning", flood, first.Token); w.Type != parley.TypeWelcome || w.Visitor.ID != first.Visitor.ID {
		t.Errorf("a returning visitor from the flooded address: got %+v, want its welcome", w)
	}
	// 30 a minute: one more every two seconds.
	clock.Advance(2 * time.Second)
	if _, w := helloFrom(t, env, "later", flood, ""); w.Type != parley.TypeWelcome {
		t.Errorf("two seconds later: got %+v, want a welcome", w)
	}
	if _, w := helloFrom(t, env, "too soon", flood, ""); w.Type != parley.TypeError {
		t.Errorf("right after: got %+v, want rate_limited", w)
	}
}

// TestIPv6VisitorsLimitedBySlash64: the addresses of one /64 share a
// limit; another /64 has its own.
func TestIPv6VisitorsLimitedBySlash64(t *testing.T) {
	env, _ := newAbuseEnv(t)
	for i := range 60 {
		if _, w := helloFrom(t, env, "v6", fmt.Sprintf("2001:db8:1:2::%x", i+1), ""); w.Type != parley.TypeWelcome {
			t.Fatalf("new visitor %d of a /64: got %+v", i+1, w)
		}
	}
	if _, w := helloFrom(t, env, "v6 more", "2001:db8:1:2:ffff::1", ""); w.Code != parley.ERateLimited {
		t.Errorf("the 61st of one /64: got %+v, want rate_limited", w)
	}
	if _, w := helloFrom(t, env, "v6 other", "2001:db8:1:3::1", ""); w.Type != parley.TypeWelcome {
		t.Errorf("another /64: got %+v, want a welcome", w)
	}
}

// TestNewConversationsLimited: first sends that start conversations are
// limited per address; a send to the open conversation is not.
func TestNewConversationsLimited(t *testing.T) {
	env, _ := newAbuseEnv(t)
	web.SetConversationLimit(env.srv, 30, 2)
	const addr = "203.0.113.9"
	a, _ := helloFrom(t, env, "a", addr, "")
	b, _ := helloFrom(t, env, "b", addr, "")
	c, _ := helloFrom(t, env, "c", addr, "")
	a.say(0, "a1", "hello")
	b.say(0, "b1", "hello")
	c.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "c1", Text: "hello"})
	if f := c.untilError(); f.Code != parley.ERateLimited || f.ID != "c1" {
		t.Errorf("a third conversation from one address: got %+v, want rate_limited for c1", f)
	}
	if convs, _ := env.db.VisitorConversations(c.author.ID); len(convs) != 0 {
		t.Errorf("a refused conversation was stored: %+v", convs)
	}
	if ack := a.say(0, "a2", "still there?"); ack.Seq == 0 {
		t.Errorf("a send to the open conversation: %+v", ack)
	}
	d, _ := helloFrom(t, env, "d", "203.0.113.10", "")
	d.say(0, "d1", "hello")
}

// TestSocketsPerAddressCapped: past the cap an upgrade is answered 429
// with Retry-After; other addresses and the open sockets are unaffected,
// and a closed socket frees its place.
func TestSocketsPerAddressCapped(t *testing.T) {
	env, _ := newAbuseEnv(t)
	web.SetSocketCap(env.srv, 3)
	const addr = "192.0.2.44"
	var open []*sockClient
	for i := range 3 {
		open = append(open, env.dial(t, fmt.Sprint("socket ", i), fromAddr(addr)))
	}
	refused := func() (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		defer cancel()
		ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.url, "http")+"/ws", &websocket.DialOptions{HTTPHeader: fromAddr(addr)})
		if err == nil {
			ws.CloseNow()
			return 101, ""
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	if status, retry := refused(); status != http.StatusTooManyRequests || retry == "" {
		t.Errorf("a fourth socket: status %d, Retry-After %q; want 429 with Retry-After", status, retry)
	}
	env.dial(t, "elsewhere", fromAddr("192.0.2.45"))
	if w := open[0].visitorHello(env.site.ID, ""); w.Type != parley.TypeWelcome {
		t.Errorf("an open socket after the refusal: %+v", w)
	}
	// An agent's sockets are not counted.
	l := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	l.cookie.Set("X-Forwarded-For", addr)
	env.agentSocket(t, "agent", l)

	open[1].ws.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(stepTimeout)
	for {
		status, _ := refused()
		if status == 101 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed socket never freed its place: still %d", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRateKeysBounded: a flood from ever new addresses keeps at most the
// cap of keys.
func TestRateKeysBounded(t *testing.T) {
	env, _ := newAbuseEnv(t)
	web.SetRateKeyCap(env.srv, 10)
	for i := range 25 {
		helloFrom(t, env, "spread", fmt.Sprintf("198.18.0.%d", i+1), "")
	}
	if n := web.RateKeys(env.srv); n > 10 {
		t.Errorf("addresses remembered: got %d, want at most 10", n)
	}
}
