package web

// Hooks into the login throttle for the external tests. Call them before
// the server's Open.

import (
	"net/http"
	"net/netip"
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

// ClientAddr is clientAddr.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr { return clientAddr(r, trusted) }
