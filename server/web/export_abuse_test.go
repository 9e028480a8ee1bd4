package web

// Hooks into the abuse limits for the external tests. Call them before
// the first connection.

import "time"

// SetAbuseClock makes the limits and the blocks read the time from now.
func SetAbuseClock(s *Server, now func() time.Time) { s.abuse.now = now }

// SetSocketCap changes how many websockets one address may hold open.
func SetSocketCap(s *Server, n int) { s.abuse.maxSockets = n }

// SetConversationLimit changes the per-address limit on new conversations.
func SetConversationLimit(s *Server, perMinute, burst float64) {
	s.abuse.convsByAddr.policy = ratePolicy{perMinute: perMinute, burst: burst}
}

// SetRateKeyCap bounds each rate table to n keys.
func SetRateKeyCap(s *Server, n int) { s.abuse.maxKeys = n }

// RateKeys is the number of addresses the new-visitor limit remembers.
func RateKeys(s *Server) int {
	s.abuse.mu.Lock()
	defer s.abuse.mu.Unlock()
	return len(s.abuse.visitorsByAddr.buckets)
}

// LiftAbuseLimits lets one address make as many visitors, conversations
// and sockets as a load test needs.
func LiftAbuseLimits(s *Server) {
	lots := ratePolicy{perMinute: 1e9, burst: 1e9}
	s.abuse.visitorsByAddr.policy, s.abuse.visitorsBySite.policy = lots, lots
	s.abuse.convsByAddr.policy, s.abuse.convsBySite.policy = lots, lots
	s.abuse.maxSockets = 1 << 30
	s.abuse.pow.above = 0
}

// SetPoW sets the flood threshold of proof of work (new visitors a
// minute; 0 turns it off), its difficulty and, unless zero, how long a
// seed is good.
func SetPoW(s *Server, above, bits int, ttl time.Duration) {
	s.abuse.mu.Lock()
	defer s.abuse.mu.Unlock()
	s.abuse.pow.above, s.abuse.pow.bits = above, bits
	if ttl != 0 {
		s.abuse.pow.ttl = ttl
	}
}

// SetSpentSeedCap bounds the spent seeds remembered to n.
func SetSpentSeedCap(s *Server, n int) { s.abuse.pow.maxSpent = n }

// FloodWatches is the number of sites whose new visitors are counted.
func FloodWatches(s *Server) int {
	s.abuse.mu.Lock()
	defer s.abuse.mu.Unlock()
	return len(s.abuse.pow.floods)
}
