package web

import (
	"net/netip"
	"sync"
	"time"
)

// loginThrottle slows down password guessing without letting anyone lock
// an agent out. It replaces a hard lock (5 failures, then 15 minutes of
// 429 for the address and the account), which let a stranger lock out any
// agent by failing five times against their email, and, behind a proxy
// that made every client one address, lock out everyone.
//
// Two throttles, both growing delays rather than locks:
//
//   - Per client address (an IPv4 address, or an IPv6 /64, which one
//     subscriber usually holds whole): the first addressPolicy.free failures
//     are free; after each further one the address must wait 1 s, 2 s, 4 s,
//     … up to addressPolicy.max before its next attempt is even checked.
//     An attempt inside the delay is answered 429 with Retry-After and
//     costs no argon2. Past its free failures an address may also have
//     only one attempt in flight, so parallel requests cannot slip past the
//     delay: one address costs at most a few argon2 runs at once and then
//     one per delay. Clients behind a trusted proxy are told apart by the
//     forwarded address (see clientAddr).
//   - Per account (the email as typed, existing or not, so the answers tell
//     nothing about which accounts exist), against guessing spread over
//     many addresses: the same schedule, up to accountPolicy.max. It applies
//     only to addresses that have failed themselves (against any account,
//     in the last forgetAfter) and have not logged into this account
//     before. An agent at a clean address always gets their password
//     checked however hard a stranger hammers their account; a guesser
//     gets a free attempt per fresh address and is then throttled by both.
//     An agent who mistypes during such an attack may wait up to
//     accountPolicy.max, unless they have logged in from that address
//     before.
//
// Success clears the account's failures and the address's delay, but not
// the address's count: one good account must not reset a password
// sprayer. Entries are forgotten forgetAfter after their last failure
// (known addresses after knownFor), and each map holds at most maxEntries:
// when full, forgotten entries are swept and, if that is not enough, some
// are dropped, so a flood of fresh addresses costs bounded memory.
type loginThrottle struct {
	now                    func() time.Time
	perAddress, perAccount throttlePolicy // addressPolicy and accountPolicy but in tests
	maxEntries             int

	mu       sync.Mutex
	addrs    map[netip.Prefix]*strikes
	accounts map[string]*account
}

// throttlePolicy is when failures start to cost a delay, and how much.
type throttlePolicy struct {
	free int           // failures without a delay
	base time.Duration // the delay after the first failure past free; doubled at each further one
	max  time.Duration // the longest delay
}

var (
	addressPolicy = throttlePolicy{free: 5, base: time.Second, max: 30 * time.Second}
	accountPolicy = throttlePolicy{free: 5, base: time.Second, max: 60 * time.Second}
)

const (
	forgetAfter       = 15 * time.Minute    // failures are forgotten this long after the last one
	knownFor          = 30 * 24 * time.Hour // an address that logged in stays known this long (a session's life)
	knownPerAccount   = 4                   // addresses remembered per account
	defaultMaxEntries = 100_000             // per map; an entry is about 100 bytes
)

// delay is the wait after the n-th failure, 0 while n is within free.
func (p throttlePolicy) delay(n int) time.Duration {
	if n <= p.free {
		return 0
	}
	d := p.base
	for i := p.free + 1; i < n && d < p.max; i++ {
		d *= 2
	}
	return min(d, p.max)
}

// strikes are the recent failures of an address or an account.
type strikes struct {
	fails   int
	last    time.Time // the last failure
	until   time.Time // no attempt is checked before this
	pending int       // attempts admitted and not yet done (addresses only)
}

func (s *strikes) forgotten(now time.Time) bool {
	return s.pending == 0 && !now.Before(s.until) && now.Sub(s.last) >= forgetAfter
}

func (s *strikes) fail(p throttlePolicy, now time.Time) {
	s.fails++
	s.last = now
	if d := p.delay(s.fails); d > 0 {
		s.until = now.Add(d)
	}
}

type account struct {
	strikes
	known []knownAddr // addresses that logged into this account, newest last
}

type knownAddr struct {
	key netip.Prefix
	at  time.Time
}

func (a *account) forgotten(now time.Time) bool {
	if !a.strikes.forgotten(now) {
		return false
	}
	for _, k := range a.known {
		if now.Sub(k.at) < knownFor {
			return false
		}
	}
	return true
}

func (a *account) knows(key netip.Prefix, now time.Time) bool {
	for _, k := range a.known {
		if k.key == key && now.Sub(k.at) < knownFor {
			return true
		}
	}
	return false
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{
		now:        time.Now,
		perAddress: addressPolicy,
		perAccount: accountPolicy,
		maxEntries: defaultMaxEntries,
		addrs:      make(map[netip.Prefix]*strikes),
		accounts:   make(map[string]*account),
	}
}

// addrKey is what an address is throttled by: IPv4 addresses one by one,
// IPv6 ones by /64. An invalid address (a peer that is not IP) is one key.
func addrKey(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// admit reports how long ip must wait before an attempt at email is
// checked, or 0, in which case the attempt is admitted and the caller must
// call done with its outcome.
func (l *loginThrottle) admit(ip netip.Addr, email string) time.Duration {
	key := addrKey(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()

	s := l.addrs[key]
	if s != nil && s.forgotten(now) {
		delete(l.addrs, key)
		s = nil
	}
	if s != nil {
		if wait := s.until.Sub(now); wait > 0 {
			return wait
		}
		// Past the free failures, one attempt at a time: otherwise a burst
		// of parallel requests would all be checked before the first
		// failure sets the delay.
		if s.pending > 0 && s.fails+s.pending >= l.perAddress.free {
			return time.Second
		}
		if s.fails > 0 {
			if a := l.accounts[email]; a != nil && !a.knows(key, now) {
				if wait := a.until.Sub(now); wait > 0 {
					return wait
				}
			}
		}
	} else {
		if !makeRoom(l.addrs, l.maxEntries, now, (*strikes).forgotten) {
			return 0 // not tracked: only with a cap of 0
		}
		s = &strikes{}
		l.addrs[key] = s
	}
	s.pending++
	return 0
}

// done records the outcome of an attempt that admit let through.
func (l *loginThrottle) done(ip netip.Addr, email string, ok bool) {
	key := addrKey(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()

	s := l.addrs[key]
	if s == nil { // dropped to make room meanwhile
		if ok || !makeRoom(l.addrs, l.maxEntries, now, (*strikes).forgotten) {
			return
		}
		s = &strikes{pending: 1}
		l.addrs[key] = s
	}
	s.pending = max(s.pending-1, 0)
	if ok {
		s.until = time.Time{}
	} else {
		s.fail(l.perAddress, now)
	}

	a := l.accounts[email]
	if a == nil {
		if !makeRoom(l.accounts, l.maxEntries, now, (*account).forgotten) {
			return
		}
		a = &account{}
		l.accounts[email] = a
	}
	if !ok {
		a.fail(l.perAccount, now)
		return
	}
	a.strikes = strikes{}
	known := a.known[:0]
	for _, k := range a.known {
		if k.key != key && now.Sub(k.at) < knownFor {
			known = append(known, k)
		}
	}
	if len(known) == knownPerAccount {
		known = known[1:]
	}
	a.known = append(known, knownAddr{key, now})
}

// cancel ends an attempt that admit let through and that was not checked.
func (l *loginThrottle) cancel(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.addrs[addrKey(ip)]; s != nil {
		s.pending = max(s.pending-1, 0)
	}
}

// makeRoom makes sure m can take one more entry, and reports whether it
// can. When m is full it sweeps the forgotten entries and, if that leaves
// more than nine tenths of the cap, drops arbitrary ones down to nine
// tenths: the cost of a sweep is spread over at least a tenth of the cap's
// insertions, and memory stays bounded however many addresses or emails a
// flood uses. Dropping an entry forgets its failures; that is the price of
// the bound, paid only when a flood has filled the map.
func makeRoom[K comparable, V any](m map[K]V, maxEntries int, now time.Time, forgotten func(V, time.Time) bool) bool {
	if len(m) < maxEntries {
		return true
	}
	for k, v := range m {
		if forgotten(v, now) {
			delete(m, k)
		}
	}
	for k := range m {
		if len(m) <= maxEntries*9/10 {
			break
		}
		delete(m, k)
	}
	return len(m) < maxEntries
}

// size is the number of entries of each map, for tests.
func (l *loginThrottle) size() (addrs, accounts int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.addrs), len(l.accounts)
}
