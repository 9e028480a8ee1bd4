package web

// Hooks into the login throttle for the external tests. Call them before
// the server's Open.

import (
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// CountPasswordChecks makes s count its password checks. With argon2
// false the checks fail without running argon2, so that a flood test does
// not spend minutes hashing.
func CountPasswordChecks(s *Server, argon2 bool) *atomic.Int64 {
	var n atomic.Int64
	check := s.checkPassword
	s.checkPassword = func(hash []byte, pw string) bool {
		n.Add(1)
		return argon2 && check(hash, pw)
	}
	return &n
}

// SetLoginClock makes the login throttle read the time from now.
func SetLoginClock(s *Server, now func() time.Time) { s.logins.now = now }

// SetLoginThrottleCap bounds each of the throttle's maps to n entries.
func SetLoginThrottleCap(s *Server, n int) { s.logins.maxEntries = n }

// LoginThrottleSize is the number of addresses and of accounts the
// throttle remembers.
func LoginThrottleSize(s *Server) (addrs, accounts int) { return s.logins.size() }

// SetSocketTimeouts replaces the websockets' write timeout and ping
// interval, so that a client that stops reading is dropped for its full
// queue, not for a timed-out write or ping.
func SetSocketTimeouts(s *Server, write, ping time.Duration) {
	s.writeTimeout, s.pingInterval = write, ping
}

// ClientAddr is clientAddr.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr { return clientAddr(r, trusted) }

// ManualClock is a clock for the presence grace that moves only when the
// test says so.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Duration
	timers []*manualTimer
}

type manualTimer struct {
	clock   *ManualClock
	at      time.Duration
	f       func()
	stopped bool
}

func (c *ManualClock) AfterFunc(d time.Duration, f func()) presenceTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{clock: c, at: c.now + d, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock by d and runs the timers that are due.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	var due []*manualTimer
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case t.at <= c.now:
			t.stopped = true
			due = append(due, t)
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// Pending is the number of timers not yet run or stopped.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

// SetPresenceClock makes the presence grace timers run on c. Call it
// before any agent connects.
func SetPresenceClock(s *Server, c *ManualClock) {
	s.presence.mu.Lock()
	s.presence.clock = c
	s.presence.mu.Unlock()
}

// SetRouterClock makes the router's requeue timers run on c. Call it
// before any conversation is assigned.
func SetRouterClock(s *Server, c *ManualClock) {
	s.router.mu.Lock()
	s.router.clock = c
	s.router.mu.Unlock()
}

// SetBodyReadTimeout changes how long a JSON request body may take.
func SetBodyReadTimeout(d time.Duration) { bodyReadTimeout.Store(int64(d)) }

// ResumeToken signs the token of a resume link to conv for visitor, good
// until expires, as the mail jobs do.
func ResumeToken(s *Server, conv, visitor uint64, expires time.Time) string {
	return s.signer.ResumeToken(conv, visitor, expires)
}

// FileKeyQuery is the file key of conv expiring at exp, signed as the
// server signs them: a test makes an expired one.
func FileKeyQuery(s *Server, conv uint64, exp time.Time) string {
	return fmt.Sprintf("c=%d&exp=%d&sig=%s", conv, exp.Unix(), b64.EncodeToString(s.fileSigner.fileMAC(conv, exp.Unix())))
}

// SetSearch gives s a search index after NewServer: the tests' index needs
// the store that newSockEnv opens. Call it before the first search.
func SetSearch(s *Server, ix Searcher) { s.cfg.Search = ix }

// InlinedAssetURLs are the URLs of the files the widget page inlines
// (its stylesheet, storage.js): still served, named by no page.
func InlinedAssetURLs(a *Assets) []string {
	if !a.widget.built {
		return nil
	}
	return []string{a.widget.style.url, a.storage.url}
}
