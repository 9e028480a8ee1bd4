package web

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// Abuse control that needs no third party: rate limits on what costs a
// stored record (a new visitor, a new conversation) and on open sockets,
// keyed by the client's address (clientAddr, so -trusted-proxies decides
// it; IPv4 one by one, IPv6 by /64, see addrKey) and by site; and the
// agents' blocks (api_blocks.go), checked in memory at every visitor
// hello and send.
//
// The numbers must let many shoppers share one address: an office NAT or
// a mobile carrier's CGNAT puts hundreds of people behind one IPv4
// address. A visitor is created once per browser (the widget keeps its
// token), and a conversation once per chat, so even a busy NAT makes a
// few a minute; a flood script makes thousands. The README's Security
// section and docs/protocol.md's Limits section list them.
type ratePolicy struct {
	perMinute float64
	burst     float64
}

var (
	// newVisitorsPerAddress: 30 a minute, 60 at once, is 1,800 new
	// shoppers an hour behind one address.
	newVisitorsPerAddress = ratePolicy{perMinute: 30, burst: 60}
	// newVisitorsPerSite: 3,000 a minute, 6,000 at once: a surge of
	// 2,000 shoppers in a minute (the bench's) passes, while a flood
	// spread over many addresses is bounded in what it writes to the
	// disk. Visitors who come back (with their token) are never counted.
	newVisitorsPerSite = ratePolicy{perMinute: 3000, burst: 6000}
	// newConversations: the same per address and per site.
	newConversationsPerAddress = ratePolicy{perMinute: 30, burst: 60}
	newConversationsPerSite    = ratePolicy{perMinute: 3000, burst: 6000}
)

// AddressLimits override the per-address limits (-address-new-per-minute,
// -address-sockets): an install whose shoppers share few addresses, or a
// load test whose clients all come from 127.0.0.1. Zero is the default.
type AddressLimits struct {
	// NewPerMinute bounds new visitors and new conversations per address
	// and minute, with bursts of twice as many.
	NewPerMinute int
	// Sockets bounds the open websockets per address.
	Sockets int
	// SiteNewPerMinute bounds new visitors, and new conversations, per
	// site and minute, with bursts of twice as many (-site-new-per-minute).
	SiteNewPerMinute int
	// PoWAbovePerMinute is the rate of new visitors a minute above which
	// a site asks new visitors for proof of work (pow.go;
	// -pow-above-per-minute). Zero is the default, 600; below zero turns
	// proof of work off.
	PoWAbovePerMinute int
}

const (
	// maxSocketsPerAddress open websockets from one address at once; an
	// agent's (with a valid session) are not counted. A CGNAT puts a few
	// hundred people behind an address, of whom few chat with one Parley
	// at the same moment; a flood script opens thousands.
	maxSocketsPerAddress = 200
	// maxRateKeys bounds each rate table: when full, buckets that have
	// refilled are dropped (they are as good as new), then the oldest.
	// A bucket is about 100 bytes.
	maxRateKeys = 100_000
	// maxLastSeen bounds the visitors whose last address is remembered,
	// so that an agent can block the address of a visitor who left.
	maxLastSeen = 100_000
	// maxBlockHours is the longest block: a year stands for "permanent".
	maxBlockHours = 365 * 24
	// socketRetryAfter is the Retry-After of a refused upgrade, seconds.
	socketRetryAfter = "30"
)

// closeBlocked closes a blocked visitor's sockets.
const closeBlocked websocket.StatusCode = 4003

var (
	errBlocked          = parley.Errorf(parley.EForbidden, "You can't send messages here.")
	errAddressVisitors  = parley.Errorf(parley.ERateLimited, "Too many new visitors from your network. Wait a minute, then try again.")
	errSiteVisitors     = parley.Errorf(parley.ERateLimited, "Too many new visitors right now. Wait a minute, then try again.")
	errAddressConvs     = parley.Errorf(parley.ERateLimited, "Too many new conversations from your network. Wait a minute, then try again.")
	errSiteConvs        = parley.Errorf(parley.ERateLimited, "Too many new conversations right now. Wait a minute, then try again.")
	errTooManySockets   = "Too many connections from your network. Try again in a moment."
	errAddressNotKnown  = parley.Errorf(parley.EConflict, "The visitor's address is not known: they have not connected since the server started. Block the visitor instead.")
	errBlockNeedsTarget = parley.Errorf(parley.EInvalid, `Say what to block: "visitor": true, "address": true, or both.`)
)

// abuse holds the limits' state and the blocks, in memory.
type abuse struct {
	now        func() time.Time
	maxSockets int
	maxKeys    int

	mu             sync.Mutex
	visitorsByAddr rateTable[netip.Prefix]
	visitorsBySite rateTable[string]
	convsByAddr    rateTable[netip.Prefix]
	convsBySite    rateTable[string]
	// sockets counts the open websockets by address; an address leaves
	// the map with its last socket, so it is as big as the open sockets
	// at most.
	sockets map[netip.Prefix]int
	// seats are the greeted visitor connections, so a block can close
	// them (a conn's own fields belong to its reader).
	// The conn's site, visitor and addr are set before its seat and
	// never change, so they are read through the conn: a seat costs a
	// map entry of a pointer, which counts for idle connections.
	seats map[*conn]struct{}
	// lastSeen is the last address of each visitor who has left, for
	// address blocks; a connected one's is its seat's.
	lastSeen map[uint64]seen
	// blocks are the stored blocks (store.Block) by what they block.
	blocks map[blockTarget]time.Time
	// pow asks new visitors of a flooded site for proof of work.
	pow powGate
}

type seen struct {
	addr netip.Prefix
	at   time.Time
}

// blockTarget is a visitor (addr invalid) or an address (visitor 0) of a site.
type blockTarget struct {
	site    string
	visitor uint64
	addr    netip.Prefix
}

func newAbuse(l AddressLimits) *abuse {
	perAddr, convsPerAddr, sockets := newVisitorsPerAddress, newConversationsPerAddress, maxSocketsPerAddress
	if l.NewPerMinute > 0 {
		perAddr = ratePolicy{perMinute: float64(l.NewPerMinute), burst: 2 * float64(l.NewPerMinute)}
		convsPerAddr = perAddr
	}
	if l.Sockets > 0 {
		sockets = l.Sockets
	}
	perSite, convsPerSite := newVisitorsPerSite, newConversationsPerSite
	if l.SiteNewPerMinute > 0 {
		perSite = ratePolicy{perMinute: float64(l.SiteNewPerMinute), burst: 2 * float64(l.SiteNewPerMinute)}
		convsPerSite = perSite
	}
	above := defaultPoWAbove
	if l.PoWAbovePerMinute != 0 {
		above = max(0, l.PoWAbovePerMinute)
	}
	return &abuse{
		pow:            newPowGate(above),
		now:            time.Now,
		maxSockets:     sockets,
		maxKeys:        maxRateKeys,
		visitorsByAddr: rateTable[netip.Prefix]{policy: perAddr},
		visitorsBySite: rateTable[string]{policy: perSite},
		convsByAddr:    rateTable[netip.Prefix]{policy: convsPerAddr},
		convsBySite:    rateTable[string]{policy: convsPerSite},
		sockets:        make(map[netip.Prefix]int),
		seats:          make(map[*conn]struct{}),
		lastSeen:       make(map[uint64]seen),
		blocks:         make(map[blockTarget]time.Time),
	}
}

// loadBlocks reads the stored blocks into memory, at startup.
func (a *abuse) loadBlocks(db *store.DB) error {
	bs, err := db.Blocks("")
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range bs {
		if t, ok := targetOf(b); ok {
			a.blocks[t] = b.Until
		}
	}
	return nil
}

func targetOf(b store.Block) (blockTarget, bool) {
	if b.Address == "" {
		return blockTarget{site: b.Site, visitor: b.Visitor}, true
	}
	p, err := netip.ParsePrefix(b.Address)
	return blockTarget{site: b.Site, addr: p}, err == nil
}

// openSocket counts a websocket of addr, or reports false when addr has
// maxSockets open already.
func (a *abuse) openSocket(addr netip.Prefix) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sockets[addr] >= a.maxSockets {
		return false
	}
	a.sockets[addr]++
	return true
}

// closeSocket uncounts a websocket that openSocket counted.
func (a *abuse) closeSocket(addr netip.Prefix) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dropSocket(addr)
}

func (a *abuse) dropSocket(addr netip.Prefix) {
	if n := a.sockets[addr]; n > 1 {
		a.sockets[addr] = n - 1
	} else {
		delete(a.sockets, addr)
	}
}

// left forgets a connection that ended: its seat, and its count.
func (a *abuse) left(c *conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.seats[c]; ok {
		delete(a.seats, c)
		if _, known := a.lastSeen[c.visitor.ID]; !known && len(a.lastSeen) >= maxLastSeen {
			evictOldest(a.lastSeen, maxLastSeen*9/10, func(s seen) time.Time { return s.at })
		}
		a.lastSeen[c.visitor.ID] = seen{addr: c.addr, at: a.now()}
	}
	if c.counted {
		a.dropSocket(c.addr)
	}
}

// seat records a greeted visitor connection: c.site and c.visitor are
// set, once and for all.
func (a *abuse) seat(c *conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seats[c] = struct{}{}
}

// visitorsOf are the greeted visitor connections of site.
func (a *abuse) visitorsOf(site string) []*conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*conn
	for c := range a.seats {
		if c.site == site {
			out = append(out, c)
		}
	}
	return out
}

// addressOf is the address visitor is connected from, or last was, if
// known.
func (a *abuse) addressOf(visitor uint64) (netip.Prefix, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for c := range a.seats {
		if c.visitor.ID == visitor {
			return c.addr, true
		}
	}
	s, ok := a.lastSeen[visitor]
	return s.addr, ok
}

// blocked says whether visitor (0 for a new one) or addr is blocked on site.
func (a *abuse) blocked(site string, visitor uint64, addr netip.Prefix) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for _, t := range []blockTarget{{site: site, visitor: visitor}, {site: site, addr: addr}} {
		if t.visitor == 0 && !t.addr.IsValid() {
			continue
		}
		until, ok := a.blocks[t]
		if !ok {
			continue
		}
		if now.Before(until) {
			return true
		}
		delete(a.blocks, t)
	}
	return false
}

// block applies blocks and returns the connections they close.
func (a *abuse) block(bs []store.Block) []*conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	var hit []*conn
	targets := make(map[blockTarget]bool, len(bs))
	for _, b := range bs {
		if t, ok := targetOf(b); ok {
			a.blocks[t] = b.Until
			targets[t] = true
		}
	}
	for c := range a.seats {
		if targets[blockTarget{site: c.site, visitor: c.visitor.ID}] || targets[blockTarget{site: c.site, addr: c.addr}] {
			hit = append(hit, c)
		}
	}
	return hit
}

// unblock lifts blocks.
func (a *abuse) unblock(bs []store.Block) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range bs {
		if t, ok := targetOf(b); ok {
			delete(a.blocks, t)
		}
	}
}

// newVisitor takes a token for a new visitor of site from addr.
func (a *abuse) newVisitor(site string, addr netip.Prefix) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	switch {
	case !a.visitorsByAddr.allow(addr, now, a.maxKeys):
		return errAddressVisitors
	case !a.visitorsBySite.allow(site, now, a.maxKeys):
		return errSiteVisitors
	}
	return nil
}

// newConversation takes a token for a new conversation of site from addr.
func (a *abuse) newConversation(site string, addr netip.Prefix) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	switch {
	case !a.convsByAddr.allow(addr, now, a.maxKeys):
		return errAddressConvs
	case !a.convsBySite.allow(site, now, a.maxKeys):
		return errSiteConvs
	}
	return nil
}

// rateTable is a token bucket per key, with a bounded number of keys.
type rateTable[K comparable] struct {
	policy  ratePolicy
	buckets map[K]*rateBucket
}

type rateBucket struct {
	tokens float64
	last   time.Time
}

// refill brings b to now and reports whether it is full: then it is as
// good as no entry.
func (b *rateBucket) refill(p ratePolicy, now time.Time) bool {
	b.tokens = min(p.burst, b.tokens+now.Sub(b.last).Minutes()*p.perMinute)
	b.last = now
	return b.tokens >= p.burst
}

func (t *rateTable[K]) allow(key K, now time.Time, maxKeys int) bool {
	if t.buckets == nil {
		t.buckets = make(map[K]*rateBucket)
	}
	b := t.buckets[key]
	if b == nil {
		if len(t.buckets) >= maxKeys {
			// Full buckets first (forgetting them loses nothing), then
			// the oldest, down to nine tenths: a sweep per tenth of the
			// cap's insertions.
			for k, old := range t.buckets {
				if old.refill(t.policy, now) {
					delete(t.buckets, k)
				}
			}
			evictOldest(t.buckets, maxKeys*9/10, func(b *rateBucket) time.Time { return b.last })
		}
		b = &rateBucket{tokens: t.policy.burst, last: now}
		t.buckets[key] = b
	} else {
		b.refill(t.policy, now)
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// evictOldest drops the entries of m with the oldest times until it holds
// at most keep.
func evictOldest[K comparable, V any](m map[K]V, keep int, at func(V) time.Time) {
	if len(m) <= keep {
		return
	}
	type entry struct {
		k  K
		at time.Time
	}
	all := make([]entry, 0, len(m))
	for k, v := range m {
		all = append(all, entry{k, at(v)})
	}
	slices.SortFunc(all, func(x, y entry) int { return x.at.Compare(y.at) })
	for _, e := range all[:len(m)-keep] {
		delete(m, e.k)
	}
}

// checkVisitorHello is helloVisitor's check once it knows the visitor
// (v 0: a new one is about to be made): a blocked visitor or address is
// refused; a new visitor of a flooded site must bring proof of work
// (proof, from the hello), then takes from the limits. A challenged hello
// takes nothing from the limits: it makes no visitor.
func (c *conn) checkVisitorHello(site string, v uint64, proof *parley.Proof) error {
	if c.s.abuse.blocked(site, v, c.addr) {
		return errBlocked
	}
	if v != 0 {
		return nil
	}
	if err := c.s.abuse.admitNew(site, proof); err != nil {
		return err
	}
	return c.s.abuse.newVisitor(site, c.addr)
}

// refuseHello answers a visitor's hello refused by checkVisitorHello. A
// block closes the connection, since another hello would meet it too; a
// limit or a challenge is answered like any refused hello, which the
// client may retry (with its proof).
func (c *conn) refuseHello(err error) {
	if err != errBlocked {
		c.refuse(err, "")
		return
	}
	c.enqueue(outItem{ctl: &control{frame: c.refusal(err, ""), closeCode: closeBlocked, closeReason: "blocked"}})
}

// checkVisitorSend is send's check before a visitor's message is stored:
// a block refuses it, and one that starts a conversation takes from the
// limits. An agent's sends pass.
func (c *conn) checkVisitorSend(f parley.Frame) error {
	if c.role != parley.RoleVisitor {
		return nil
	}
	if c.s.abuse.blocked(c.site, c.visitor.ID, c.addr) {
		return errBlocked
	}
	if f.Conv != 0 {
		return nil
	}
	convs, err := c.s.store.RecentVisitorConversations(c.visitor.ID, 1)
	if err != nil {
		return err
	}
	if len(convs) > 0 && convs[0].IsOpen() && !f.New {
		return nil // goes to the open one
	}
	return c.s.abuse.newConversation(c.site, c.addr)
}

// kick closes c for a block: an error frame, then 4003. It does not wait.
func (c *conn) kick() {
	c.enqueue(outItem{ctl: &control{frame: parley.ErrorFrame(errBlocked, "").Encode(), closeCode: closeBlocked, closeReason: "blocked"}})
	// A client that does not read would hold the close behind its queue:
	// the block is immediate all the same, since every send checks it.
}
