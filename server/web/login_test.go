package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// loginEnv is a server with the agent bob@shop.example, a fake clock for
// its login throttle and a count of its password checks.
type loginEnv struct {
	srv    *web.Server
	url    string
	clock  *fakeClock
	checks *atomic.Int64
}

const bob = "bob@shop.example"

// newLoginEnv starts a server with cfg; argon2 false makes every password
// check fail cheaply, for floods.
func newLoginEnv(tb testing.TB, cfg web.Config, argon2 bool, setup ...func(*web.Server)) *loginEnv {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "parley.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	hash, err := web.HashPassword(testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateAgent(parley.Agent{Email: bob, Name: "Bob", Role: parley.AgentRoleAgent}, hash); err != nil {
		tb.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	srv := web.NewServer(cfg, db, relay.NewHub(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	env := &loginEnv{srv: srv, clock: &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	web.SetLoginClock(srv, env.clock.Now)
	env.checks = web.CountPasswordChecks(srv, argon2)
	for _, f := range setup {
		f(srv)
	}
	if err := srv.Open(); err != nil {
		tb.Fatal(err)
	}
	env.url = "http://" + srv.Addr()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Close(ctx)
	})
	return env
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (127.0.0.0/8 is all loopback on Linux): a distinct peer.
func clientFrom(tb testing.TB, ip string) *http.Client {
	tb.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type loginResult struct {
	status     int
	retryAfter int // seconds, -1 if absent
	code       string
}

// login posts email and password with the extra headers hdr.
func (e *loginEnv) login(tb testing.TB, c *http.Client, email, password string, hdr ...string) loginResult {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", e.url+"/api/login", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("login %s: %v", email, err)
	}
	defer resp.Body.Close()
	var ae apiErr
	json.NewDecoder(resp.Body).Decode(&ae)
	res := loginResult{status: resp.StatusCode, retryAfter: -1, code: ae.Code}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		n, err := strconv.Atoi(ra)
		if err != nil {
			tb.Fatalf("Retry-After %q is not a number of seconds", ra)
		}
		res.retryAfter = n
	}
	if res.status == http.StatusTooManyRequests && (res.retryAfter < 1 || res.code != parley.ERateLimited) {
		tb.Fatalf("429 with Retry-After %d, code %q; want at least 1 s and %s", res.retryAfter, res.code, parley.ERateLimited)
	}
	if want := fmt.Sprintf("Try again in %d second", res.retryAfter); res.status == http.StatusTooManyRequests && !strings.Contains(ae.Message, want) {
		tb.Errorf("429 message %q does not say %q", ae.Message, want)
	}
	return res
}

// TestLoginStrangerCannotLockOutAgent: failures against an account from
// other addresses never keep its agent, at an address of their own, out.
func TestLoginStrangerCannotLockOutAgent(t *testing.T) {
	env := newLoginEnv(t, web.Config{}, true)
	stranger, other, agent := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3"), clientFrom(t, "127.0.0.4")

	// hammer makes n guesses at bob's password from c, waiting out the
	// delays, so that the account ends up throttled.
	hammer := func(c *http.Client, n int) {
		t.Helper()
		for done := 0; done < n; {
			switch r := env.login(t, c, bob, fmt.Sprintf("guess %d", done)); r.status {
			case http.StatusTooManyRequests:
				env.clock.Advance(time.Duration(r.retryAfter) * time.Second)
			case http.StatusUnauthorized:
				done++
			default:
				t.Fatalf("stranger's guess %d: %+v, want 401 or 429", done, r)
			}
		}
	}

	// The agent logs in between a stranger's guesses, every time.
	for i := range 8 {
		hammer(stranger, 1)
		if r := env.login(t, agent, bob, testPassword); r.status != http.StatusOK {
			t.Fatalf("agent's login after the stranger's guess %d: %+v, want 200", i, r)
		}
	}

	// Twelve guesses in a row throttle the account for addresses that
	// have failed themselves: a second stranger's first guess is checked,
	// its second waits for the account.
	hammer(stranger, 12)
	before := env.checks.Load()
	if r := env.login(t, other, bob, "first guess"); r.status != http.StatusUnauthorized {
		t.Fatalf("second stranger's first guess: %+v, want 401", r)
	}
	if r := env.login(t, other, bob, "second guess"); r.status != http.StatusTooManyRequests || r.retryAfter != 60 {
		t.Fatalf("second stranger's second guess: %+v, want 429 from the account throttle, Retry-After 60", r)
	}
	if got := env.checks.Load() - before; got != 1 {
		t.Errorf("second stranger: %d password checks, want 1", got)
	}
	// The agent, at an address with no failures, is not.
	if r := env.login(t, agent, bob, testPassword); r.status != http.StatusOK {
		t.Fatalf("agent's login while the account is throttled: %+v, want 200", r)
	}

	// The agent mistypes while the account is throttled: they have logged
	// in from this address before, so they are not made to wait either.
	hammer(stranger, 12)
	if r := env.login(t, agent, bob, "typo typo"); r.status != http.StatusUnauthorized {
		t.Fatalf("agent's typo: %+v, want 401", r)
	}
	if r := env.login(t, agent, bob, testPassword); r.status != http.StatusOK {
		t.Fatalf("agent's login after a typo: %+v, want 200", r)
	}
}

// TestLoginFailuresGrowDelay: past five free failures each failure from
// an address makes it wait longer, up to 30 s; attempts inside the delay
// are answered 429 without a password check; after the delay the right
// password works.
func TestLoginFailuresGrowDelay(t *testing.T) {
	env := newLoginEnv(t, web.Config{}, true)
	c := clientFrom(t, "127.0.0.5")
	guess := 0
	fail := func() {
		t.Helper()
		guess++ // a password spray: a new account each time, so only the address throttle applies
		if r := env.login(t, c, fmt.Sprintf("guess%d@shop.example", guess), "wrong password"); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %+v, want 401", guess, r)
		}
	}
	for range 6 {
		fail()
	}
	if got := env.checks.Load(); got != 6 {
		t.Fatalf("%d password checks after 6 failures, want 6", got)
	}
	var waits []int
	for _, want := range []int{1, 2, 4, 8, 16, 30, 30} {
		r := env.login(t, c, bob, testPassword)
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("inside the delay: %+v, want 429", r)
		}
		before := env.checks.Load()
		env.clock.Advance(time.Duration(r.retryAfter-1) * time.Second)
		if r := env.login(t, c, bob, testPassword); r.status != http.StatusTooManyRequests || r.retryAfter != 1 {
			t.Fatalf("a second before the delay ends: %+v, want 429 with Retry-After 1", r)
		}
		if got := env.checks.Load() - before; got != 0 {
			t.Fatalf("429 answers ran %d password checks, want 0", got)
		}
		waits = append(waits, r.retryAfter)
		if r.retryAfter != want {
			t.Errorf("Retry-After %v so far, want the last to be %d", waits, want)
		}
		env.clock.Advance(time.Second)
		fail()
	}
	if got := env.checks.Load(); got != 6+7 {
		t.Errorf("%d password checks, want 13: one per admitted attempt", got)
	}
	r := env.login(t, c, bob, testPassword)
	env.clock.Advance(time.Duration(r.retryAfter) * time.Second)
	if r := env.login(t, c, bob, testPassword); r.status != http.StatusOK {
		t.Fatalf("the right password after the delay: %+v, want 200", r)
	}
	// Success does not reset the address's count: the next failure costs
	// the full delay again.
	fail()
	if r := env.login(t, c, bob, testPassword); r.status != http.StatusTooManyRequests || r.retryAfter != 30 {
		t.Errorf("after success and a failure: %+v, want 429 with Retry-After 30", r)
	}
}

// TestLoginBurstIsBounded: many parallel guesses from one address run at
// most the free failures' worth of password checks, plus one.
func TestLoginBurstIsBounded(t *testing.T) {
	env := newLoginEnv(t, web.Config{}, true)
	c := clientFrom(t, "127.0.0.6")
	var wg sync.WaitGroup
	var limited atomic.Int64
	for i := range 30 {
		wg.Go(func() {
			if r := env.login(t, c, fmt.Sprintf("x%d@shop.example", i), "wrong password"); r.status == http.StatusTooManyRequests {
				limited.Add(1)
			}
		})
	}
	wg.Wait()
	if n := env.checks.Load(); n < 5 || n > 6 || n+limited.Load() != 30 {
		t.Errorf("30 parallel guesses: %d password checks and %d answered 429; want 5 or 6 checks, the rest 429", n, limited.Load())
	}
}

// TestLoginBehindTrustedProxy: clients of a trusted proxy are throttled by
// their forwarded address, IPv6 ones by /64.
func TestLoginBehindTrustedProxy(t *testing.T) {
	env := newLoginEnv(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, true)
	proxy := clientFrom(t, "127.0.0.7")
	for _, tt := range []struct {
		name, attacker string
		hdr            [][]string // headers naming other clients
		want           []int      // their answers to the right password
	}{
		{"IPv4", "203.0.113.7",
			[][]string{{"X-Forwarded-For", "203.0.113.8"}, {"Forwarded", "for=203.0.113.9"}, {"X-Forwarded-For", "203.0.113.7"}},
			[]int{200, 200, 429}},
		{"IPv6", "2001:db8:1:2::7",
			[][]string{{"X-Forwarded-For", "2001:db8:1:2::8"}, {"Forwarded", `for="[2001:db8:1:3::7]:4711"`}, {"X-Forwarded-For", "2001:db8:1:3::7, 127.0.0.5"}},
			[]int{429, 200, 200}}, // the first is in the attacker's /64
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 6; i++ {
				if r := env.login(t, proxy, fmt.Sprintf("%s-%d@shop.example", tt.name, i), "wrong password", "X-Forwarded-For", tt.attacker); r.status != http.StatusUnauthorized {
					t.Fatalf("guess %d: %+v, want 401", i, r)
				}
			}
			if r := env.login(t, proxy, bob, testPassword, "X-Forwarded-For", "198.51.100.1, "+tt.attacker); r.status != http.StatusTooManyRequests {
				t.Errorf("the attacker, with a made-up address on the left: %+v, want 429", r)
			}
			for i, hdr := range tt.hdr {
				if r := env.login(t, proxy, bob, testPassword, hdr...); r.status != tt.want[i] {
					t.Errorf("%s: %+v, want %d", hdr, r, tt.want[i])
				}
			}
		})
	}
}

// TestLoginIgnoresForwardedFromUntrustedPeer: from a peer that is not a
// trusted proxy, a made-up X-Forwarded-For or Forwarded does not dodge
// the throttle.
func TestLoginIgnoresForwardedFromUntrustedPeer(t *testing.T) {
	env := newLoginEnv(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, true)
	c := clientFrom(t, "127.0.0.8")
	for i := 0; i < 6; i++ {
		if r := env.login(t, c, fmt.Sprintf("s%d@shop.example", i), "wrong password", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %+v, want 401", i, r)
		}
	}
	for _, hdr := range [][]string{
		{"X-Forwarded-For", "198.51.100.99"},
		{"Forwarded", "for=198.51.100.99"},
		{"X-Forwarded-For", "198.51.100.99, 10.0.0.1"},
	} {
		if r := env.login(t, c, bob, testPassword, hdr...); r.status != http.StatusTooManyRequests {
			t.Errorf("spoofed %s: %+v, want 429", hdr, r)
		}
	}
	if n := env.checks.Load(); n != 6 {
		t.Errorf("%d password checks, want 6", n)
	}
}

// TestLoginThrottleMemoryIsBounded: a flood of fresh addresses and emails
// cannot grow the throttle's memory past its cap.
func TestLoginThrottleMemoryIsBounded(t *testing.T) {
	const cap = 50
	env := newLoginEnv(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, false,
		func(s *web.Server) { web.SetLoginThrottleCap(s, cap) })
	proxy := clientFrom(t, "127.0.0.9")
	for i := range 600 {
		xff := fmt.Sprintf("198.18.%d.%d", i/256, i%256)
		if i%2 == 1 {
			xff = fmt.Sprintf("2001:db8:%x::1", i)
		}
		if r := env.login(t, proxy, fmt.Sprintf("flood%d@shop.example", i), "wrong password", "X-Forwarded-For", xff); r.status != http.StatusUnauthorized {
			t.Fatalf("flood request %d: %+v, want 401", i, r)
		}
		if addrs, accounts := web.LoginThrottleSize(env.srv); addrs > cap || accounts > cap {
			t.Fatalf("after %d requests the throttle holds %d addresses and %d accounts, want at most %d each", i+1, addrs, accounts, cap)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{" 10.0.0.0/8 , fd00::/8,", []string{"10.0.0.0/8", "fd00::/8"}, false},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, false},
		{"192.0.2.1,2001:db8::1", []string{"192.0.2.1/32", "2001:db8::1/128"}, false},
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}, false},
		{"10.0.0.0/33", nil, true},
		{"10.0.0/8", nil, true},
		{"fd00::/129", nil, true},
		{"localhost", nil, true},
		{"10.0.0.0/8;172.16.0.0/12", nil, true},
		{"fe80::1%eth0", nil, true},
	} {
		got, err := web.ParseTrustedProxies(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseTrustedProxies(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		var gotS []string
		for _, p := range got {
			gotS = append(gotS, p.String())
		}
		if err != nil || fmt.Sprint(gotS) != fmt.Sprint(tt.want) {
			t.Errorf("ParseTrustedProxies(%q) = %v, %v; want %v", tt.in, gotS, err, tt.want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tt := range []struct {
		name   string
		peer   string
		header []string // name, value, …
		want   string
	}{
		{"no proxy", "192.0.2.1:5000", nil, "192.0.2.1"},
		{"untrusted peer's XFF ignored", "192.0.2.1:5000", []string{"X-Forwarded-For", "198.51.100.1"}, "192.0.2.1"},
		{"untrusted peer's Forwarded ignored", "192.0.2.1:5000", []string{"Forwarded", "for=198.51.100.1"}, "192.0.2.1"},
		{"trusted peer, no header", "10.0.0.1:5000", nil, "10.0.0.1"},
		{"one hop", "10.0.0.1:5000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"right-most untrusted", "10.0.0.1:5000", []string{"X-Forwarded-For", "203.0.113.9, 198.51.100.1, 10.0.0.2"}, "198.51.100.1"},
		{"several header lines", "10.0.0.1:5000", []string{"X-Forwarded-For", "203.0.113.9", "X-Forwarded-For", "198.51.100.1, 10.0.0.2"}, "198.51.100.1"},
		{"all trusted", "10.0.0.1:5000", []string{"X-Forwarded-For", "10.9.9.9, 10.0.0.2"}, "10.9.9.9"},
		{"IPv6 in XFF", "10.0.0.1:5000", []string{"X-Forwarded-For", "2001:db8::1"}, "2001:db8::1"},
		{"IPv6 with port in XFF", "10.0.0.1:5000", []string{"X-Forwarded-For", "[2001:db8::1]:4711"}, "2001:db8::1"},
		{"IPv4 with port in XFF", "10.0.0.1:5000", []string{"X-Forwarded-For", "198.51.100.1:4711"}, "198.51.100.1"},
		{"IPv6 peer", "[fd00::1]:5000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.1]:5000", []string{"X-Forwarded-For", "::ffff:198.51.100.1"}, "198.51.100.1"},
		{"garbage", "10.0.0.1:5000", []string{"X-Forwarded-For", "not-an-ip"}, "10.0.0.1"},
		{"garbage right of the client", "10.0.0.1:5000", []string{"X-Forwarded-For", "198.51.100.1, garbage, 10.0.0.2"}, "10.0.0.2"},
		{"garbage left of the client", "10.0.0.1:5000", []string{"X-Forwarded-For", "<script>, 198.51.100.1"}, "198.51.100.1"},
		{"empty XFF", "10.0.0.1:5000", []string{"X-Forwarded-For", ""}, "10.0.0.1"},
		{"zone", "10.0.0.1:5000", []string{"X-Forwarded-For", "fe80::1%eth0"}, "10.0.0.1"},
		{"Forwarded", "10.0.0.1:5000", []string{"Forwarded", "for=198.51.100.1;proto=https;by=10.0.0.1"}, "198.51.100.1"},
		{"Forwarded IPv6 with port", "10.0.0.1:5000", []string{"Forwarded", `for="[2001:db8::1]:4711"`}, "2001:db8::1"},
		{"Forwarded elements", "10.0.0.1:5000", []string{"Forwarded", `for=203.0.113.9, For="198.51.100.1";proto=http, for=10.0.0.2`}, "198.51.100.1"},
		{"Forwarded quoted comma", "10.0.0.1:5000", []string{"Forwarded", `for=198.51.100.1;ext="a, for=203.0.113.9"`}, "198.51.100.1"},
		{"Forwarded unknown", "10.0.0.1:5000", []string{"Forwarded", "for=198.51.100.1, for=unknown"}, "10.0.0.1"},
		{"Forwarded obfuscated", "10.0.0.1:5000", []string{"Forwarded", `for="_hidden"`}, "10.0.0.1"},
		{"Forwarded without for", "10.0.0.1:5000", []string{"Forwarded", "proto=https"}, "10.0.0.1"},
		{"XFF before Forwarded", "10.0.0.1:5000", []string{"Forwarded", "for=203.0.113.9", "X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"not ip:port", "@", nil, "invalid IP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", "http://parley.internal/api/login", nil)
			r.RemoteAddr = tt.peer
			for i := 0; i+1 < len(tt.header); i += 2 {
				r.Header.Add(tt.header[i], tt.header[i+1])
			}
			if got := web.ClientAddr(r, trusted).String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
