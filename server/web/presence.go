package web

import (
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
)

// Agents' presence lives in memory: it follows from their console
// sockets, so after a restart every agent is offline until its console
// reconnects (consoles do so within seconds, sending their away status
// in hello). Nothing of it is stored; the capacity is, on the agent.
//
// An agent is online while at least one of its inbox-scope sockets is
// not away, away while it has sockets and all of them are away, and
// offline once its last socket has been closed for the grace
// (parley.PresenceGrace): a reload or a short network drop, reconnected
// within the grace, changes nothing that anyone sees. Sockets with scope
// "conversations" (bots, integrations) do not count.
//
// A presence frame is published only when what others see changes (the
// status or the capacity), so a connect/disconnect storm publishes
// nothing at all, and the frames of one agent are published under the
// tracker's lock, in the order of the changes.

// presenceClock starts the grace timers; tests replace it.
type presenceClock interface {
	AfterFunc(d time.Duration, f func()) presenceTimer
}

type presenceTimer interface{ Stop() bool }

type realClock struct{}

func (realClock) AfterFunc(d time.Duration, f func()) presenceTimer { return time.AfterFunc(d, f) }

// presenceTracker holds the presence of the agents with a console socket
// open, or closed less than the grace ago.
type presenceTracker struct {
	hub   *relay.Hub
	grace time.Duration
	clock presenceClock

	mu     sync.Mutex
	agents map[uint64]*agentPresence
	closed bool // the server is shutting down: start no timers
	// onChange hears every published change of an agent's status, under
	// mu: it must only record (the router).
	onChange func(agent uint64, status string)
}

type agentPresence struct {
	agent parley.Agent // ID, Name and Capacity
	// sites are those the agent was a member of at its latest hello: its
	// presence goes to their agents.
	sites []string
	// conns are its inbox-scope sockets, each saying whether it is away.
	conns  map[*conn]bool
	status string // as last published
	// offline turns the agent offline at the end of the grace; gen tells
	// a timer that was stopped too late that it is stale.
	offline presenceTimer
	gen     uint64
}

func newPresenceTracker(hub *relay.Hub, grace time.Duration) *presenceTracker {
	if grace <= 0 {
		grace = parley.PresenceGrace
	}
	return &presenceTracker{hub: hub, grace: grace, clock: realClock{}, agents: make(map[uint64]*agentPresence)}
}

// connect counts c, an inbox socket of agent a, who is a member of sites.
func (t *presenceTracker) connect(c *conn, a parley.Agent, sites []string, away bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.agents[a.ID]
	if p == nil {
		p = &agentPresence{agent: a.Colleague(""), conns: make(map[*conn]bool, 1), status: parley.StatusOffline}
		t.agents[a.ID] = p
	}
	p.agent.Name, p.sites = a.Name, sites
	if p.offline != nil {
		p.offline.Stop()
		p.offline = nil
		p.gen++
	}
	p.conns[c] = away
	// c's welcome, read after this, says as much: c gets no frame of it.
	t.update(p, c.sub)
}

// setAway records c's own status.
func (t *presenceTracker) setAway(c *conn, away bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.tracked(c)
	if p == nil {
		return
	}
	p.conns[c] = away
	t.update(p, nil)
}

// tracked is the presence of c's agent if c is one of its sockets, or
// nil. t.mu is held.
func (t *presenceTracker) tracked(c *conn) *agentPresence {
	p := t.agents[c.agent.ID]
	if p == nil {
		return nil
	}
	if _, ok := p.conns[c]; !ok {
		return nil
	}
	return p
}

// disconnect forgets c; the agent's last socket starts the grace.
func (t *presenceTracker) disconnect(c *conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.tracked(c)
	if p == nil {
		return
	}
	delete(p.conns, c)
	if len(p.conns) > 0 {
		t.update(p, nil) // the other sockets may all be away
		return
	}
	if t.closed {
		return
	}
	p.gen++
	id, gen := c.agent.ID, p.gen
	p.offline = t.clock.AfterFunc(t.grace, func() { t.expire(id, gen) })
}

// expire ends the grace of agent id: still no socket, so it is offline.
func (t *presenceTracker) expire(id, gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.agents[id]
	if p == nil || p.gen != gen || len(p.conns) > 0 {
		return
	}
	delete(t.agents, id)
	if p.status != parley.StatusOffline {
		p.status = parley.StatusOffline
		t.publish(p, nil)
	}
}

// setCapacity tells the agents of sites that a's capacity changed.
func (t *presenceTracker) setCapacity(a parley.Agent, sites []string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.agents[a.ID]
	if p == nil {
		// Offline: announced, but not remembered.
		t.publish(&agentPresence{agent: a.Colleague(""), sites: sites, status: parley.StatusOffline}, nil)
		return parley.StatusOffline
	}
	if p.agent.Capacity != a.Capacity {
		p.agent.Capacity = a.Capacity
		t.publish(p, nil)
	}
	return p.status
}

// status is agent id's status as others see it.
func (t *presenceTracker) status(id uint64) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.agents[id]; p != nil {
		return p.status
	}
	return parley.StatusOffline
}

// close stops the grace timers: the process is ending, and with it
// every agent's presence.
func (t *presenceTracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, p := range t.agents {
		if p.offline != nil {
			p.offline.Stop()
			p.offline = nil
		}
	}
}

// update publishes p's status if its sockets changed it. Without sockets
// (the grace) it stays as it was.
func (t *presenceTracker) update(p *agentPresence, skip *relay.Sub) {
	if len(p.conns) == 0 {
		return
	}
	status := parley.StatusAway
	for _, away := range p.conns {
		if !away {
			status = parley.StatusOnline
			break
		}
	}
	if status != p.status {
		p.status = status
		t.publish(p, skip)
	}
}

// publish sends p as a presence frame to the agents of its sites, never
// to a visitor, nor to skip. t.mu is held, so one agent's frames go out
// in order.
func (t *presenceTracker) publish(p *agentPresence, skip *relay.Sub) {
	if t.onChange != nil {
		t.onChange(p.agent.ID, p.status)
	}
	a := p.agent.Colleague(p.status)
	t.hub.Publish(&relay.Event{Sites: p.sites, To: relay.Agents, Skip: skip,
		Frame: parley.Frame{Type: parley.TypePresence, Agent: &a}.Encode()})
}

// inboxAgent is an agent with inbox sockets open: its roles by site (as
// its newest socket's hello found them) and its sockets.
type inboxAgent struct {
	agent uint64
	roles map[string]string
	conns []*conn
}

// inboxAgents are the agents with inbox sockets open now.
func (t *presenceTracker) inboxAgents() []inboxAgent {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]inboxAgent, 0, len(t.agents))
	for id, p := range t.agents {
		if len(p.conns) == 0 {
			continue
		}
		a := inboxAgent{agent: id, conns: make([]*conn, 0, len(p.conns))}
		for c := range p.conns {
			a.conns = append(a.conns, c)
			a.roles = c.sites
		}
		out = append(out, a)
	}
	return out
}
