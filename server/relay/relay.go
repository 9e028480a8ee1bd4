// Package relay is Parley's in-memory fan-out: it hands events (encoded
// frames) from whoever published them to the websocket connections that
// follow a visitor, a site or one conversation. It keeps no history;
// durability and replay are the store's job, so a subscriber that falls
// behind is dropped rather than waited on, and resyncs from the store when
// its client reconnects.
//
// It may import the standard library only.
package relay

import (
	"sync"
	"sync/atomic"
)

// AllSites is the site name to follow to receive the events of every site.
const AllSites = "*"

// Audience says which followers of an event receive it.
type Audience uint8

const (
	// Everyone: the followers of the event's visitor, of its site and of
	// its conversation.
	Everyone Audience = iota
	// Agents: only the followers of the event's site or conversation (the
	// agents' consoles and bots).
	Agents
	// Visitor: only the followers of the event's visitor (their widget tabs).
	Visitor
)

// Event is one frame to fan out. Subscribers share it: they must not modify it.
type Event struct {
	// Site, Visitor and Conv route the event; Conv and Seq also let a
	// subscriber order and deduplicate messages.
	Site    string
	Visitor uint64
	Conv    uint64
	// Seq is the message sequence number of a msg frame, 0 for anything else.
	Seq uint64
	// Frame is the encoded frame, written to the websocket as is.
	Frame []byte
	To    Audience
	// Sites, if set, routes the event to the followers of any of these
	// sites (and of AllSites), each once, instead of Site, Visitor and
	// Conv; To must be Agents. An agent's presence goes to everyone who
	// shares a site with it, however many they share.
	Sites []string
	// Skip, if set, does not receive the event: the sender of a typing
	// state does not need its own echo.
	Skip *Sub
}

// Sub is one subscriber, normally one websocket connection.
type Sub struct {
	// Events go to c, or to push for a subscriber made by SubscribeFunc.
	c       chan *Event
	push    func(*Event) bool
	dropped chan struct{}
	gone    atomic.Bool // dropped or unsubscribed: deliver nothing more

	// Guarded by Hub.mu.
	visitors []uint64
	sites    []string
	convs    []uint64
}

// C delivers the events, in the order they were published. It is nil for
// a subscriber made by SubscribeFunc.
func (s *Sub) C() <-chan *Event { return s.c }

// Dropped is closed when the subscriber fell so far behind that its queue
// filled up. It receives nothing more and should reconnect.
func (s *Sub) Dropped() <-chan struct{} { return s.dropped }

// Hub routes events to subscribers. The zero value is not usable; call NewHub.
type Hub struct {
	mu       sync.RWMutex
	visitors map[uint64]map[*Sub]struct{}
	sites    map[string]map[*Sub]struct{}
	convs    map[uint64]map[*Sub]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{
		visitors: make(map[uint64]map[*Sub]struct{}),
		sites:    make(map[string]map[*Sub]struct{}),
		convs:    make(map[uint64]map[*Sub]struct{}),
	}
}

// Subscribe returns a new subscriber whose queue holds up to queue events.
// It receives nothing until it follows a visitor or a site.
func (h *Hub) Subscribe(queue int) *Sub {
	if queue < 1 {
		queue = 1
	}
	return &Sub{c: make(chan *Event, queue), dropped: make(chan struct{})}
}

// SubscribeFunc returns a new subscriber whose events are handed to push,
// in the order they were published. push keeps its own bounded queue: it
// must not block (it runs inside Publish, under the hub's lock, and must
// not call the hub), and it returns false when its queue is full, which
// drops the subscriber as for a full channel.
//
// It saves a subscriber that has a queue of its own (a websocket
// connection) a second, mostly idle one: an idle connection then costs
// no channel buffer and needs no goroutine waiting on one.
func (h *Hub) SubscribeFunc(push func(*Event) bool) *Sub {
	return &Sub{push: push, dropped: make(chan struct{})}
}

// FollowVisitor delivers to s the events of every conversation of the
// visitor, including conversations created later.
func (h *Hub) FollowVisitor(s *Sub, visitor uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.gone.Load() {
		return
	}
	set := h.visitors[visitor]
	if set == nil {
		set = make(map[*Sub]struct{})
		h.visitors[visitor] = set
	}
	if _, ok := set[s]; !ok {
		set[s] = struct{}{}
		s.visitors = append(s.visitors, visitor)
	}
}

// FollowSite delivers to s the events of every conversation of the site;
// AllSites follows every site, including sites created later.
func (h *Hub) FollowSite(s *Sub, site string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.gone.Load() {
		return
	}
	set := h.sites[site]
	if set == nil {
		set = make(map[*Sub]struct{})
		h.sites[site] = set
	}
	if _, ok := set[s]; !ok {
		set[s] = struct{}{}
		s.sites = append(s.sites, site)
	}
}

// FollowConversation delivers to s the events of one conversation that are
// meant for agents (audiences Everyone and Agents): a console or bot that
// answers some conversations, not a whole inbox.
func (h *Hub) FollowConversation(s *Sub, conv uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.gone.Load() {
		return
	}
	set := h.convs[conv]
	if set == nil {
		set = make(map[*Sub]struct{})
		h.convs[conv] = set
	}
	if _, ok := set[s]; !ok {
		set[s] = struct{}{}
		s.convs = append(s.convs, conv)
	}
}

// Unsubscribe removes s from the hub. It is safe to call more than once and
// after s was dropped. C is not closed: Publish may still hold s.
func (h *Hub) Unsubscribe(s *Sub) {
	s.gone.Store(true)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, v := range s.visitors {
		if set := h.visitors[v]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(h.visitors, v)
			}
		}
	}
	for _, site := range s.sites {
		if set := h.sites[site]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(h.sites, site)
			}
		}
	}
	for _, conv := range s.convs {
		if set := h.convs[conv]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(h.convs, conv)
			}
		}
	}
	s.visitors, s.sites, s.convs = nil, nil, nil
}

// Publish delivers ev to its audience, each subscriber at most once, and
// never blocks: a subscriber whose queue is full is dropped. Events published
// one after the other by one goroutine arrive in that order.
func (h *Hub) Publish(ev *Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()

	if ev.Sites != nil {
		h.publishSites(ev)
		return
	}
	var byVisitor, bySite, byAll, byConv map[*Sub]struct{}
	if ev.To != Agents {
		byVisitor = h.visitors[ev.Visitor]
	}
	if ev.To != Visitor {
		bySite = h.sites[ev.Site]
		if ev.Site != AllSites {
			byAll = h.sites[AllSites]
		}
		if ev.Conv != 0 {
			byConv = h.convs[ev.Conv]
		}
	}
	// A subscriber may follow the visitor, the site and AllSites at once;
	// skipping those already served by an earlier set keeps delivery to one
	// copy without allocating a set per event.
	for s := range byVisitor {
		h.deliver(s, ev)
	}
	for s := range bySite {
		if _, ok := byVisitor[s]; !ok {
			h.deliver(s, ev)
		}
	}
	for s := range byAll {
		_, inV := byVisitor[s]
		_, inS := bySite[s]
		if !inV && !inS {
			h.deliver(s, ev)
		}
	}
	for s := range byConv {
		_, inV := byVisitor[s]
		_, inS := bySite[s]
		_, inA := byAll[s]
		if !inV && !inS && !inA {
			h.deliver(s, ev)
		}
	}
}

// publishSites delivers an event routed by Sites. It is rare (presence):
// a set of the subscribers served keeps it to one copy each. Only site
// followers receive it: never a visitor's, never one conversation's.
func (h *Hub) publishSites(ev *Event) {
	if ev.To != Agents {
		return
	}
	served := make(map[*Sub]struct{})
	for _, site := range append(ev.Sites[:len(ev.Sites):len(ev.Sites)], AllSites) {
		for s := range h.sites[site] {
			if _, ok := served[s]; !ok {
				served[s] = struct{}{}
				h.deliver(s, ev)
			}
		}
	}
}

func (h *Hub) deliver(s *Sub, ev *Event) {
	if s == ev.Skip || s.gone.Load() {
		return
	}
	if s.push != nil {
		if !s.push(ev) {
			s.drop()
		}
		return
	}
	select {
	case s.c <- ev:
	default:
		s.drop()
	}
}

func (s *Sub) drop() {
	// Publishers may run concurrently under the read lock: the
	// CompareAndSwap makes exactly one of them close dropped.
	if s.gone.CompareAndSwap(false, true) {
		close(s.dropped)
	}
}
