package web

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

// The router gives queued conversations to agents, tells queued visitors
// where they stand, keeps agents' inbox counts live, and sends an offline
// assignee's chats back to the queue.
//
// Its state is derived: the open conversations come from the store at
// start and then from the commit hook; presence from the tracker; loads
// and capacities from the store. Nothing of it needs saving, so a restart
// rebuilds it (and an assignee who is offline at start gets the grace
// from the start).
//
// One goroutine does the work (assign, then publish), woken by a kick or
// a tick; kicks coalesce, so a surge of new conversations costs one pass
// per wake, not one per conversation. Queue positions and counts are
// published at most once per publishEvery, and only to whom they changed
// for: one assignment with 1,000 queued visitors sends each of them at
// most one frame per period, and each agent at most one counts frame.

const (
	// publishEvery bounds how often a queued visitor gets a queue frame
	// and an agent a counts frame.
	publishEvery = time.Second
	// waitWindow is how far back the estimate looks for the team's
	// assignments; waitSamples bounds how many it keeps.
	waitWindow  = 15 * time.Minute
	waitSamples = 4096
	// minSpan is the least time the rate is measured over: three
	// assignments in a second are no rate of three a second.
	minSpan = 10 * time.Second
	// minSamples is how many assignments in the window the estimate needs
	// before it says a time.
	minSamples = 3
	// exactPositions are told every move; behind them a visitor is told
	// when the position moved by 5 % (sameStatus).
	exactPositions = 10
)

type teamKey struct{ site, team string }

// routed is the router's copy of an open conversation.
type routed struct {
	id, visitor uint64
	site, team  string
	status      string
	assignee    uint64
	queued      time.Time
	requeued    bool
}

func routedOf(c parley.Conversation) *routed {
	return &routed{id: c.ID, visitor: c.Visitor, site: c.Site, team: c.Team, status: c.Status,
		assignee: c.Assignee, queued: c.Queued, requeued: c.Requeued}
}

// waitLog is a team's recent assignments: when, and after how long a wait.
type waitLog struct {
	at   []time.Time
	wait []time.Duration
}

func (w *waitLog) add(at time.Time, wait time.Duration) {
	w.at, w.wait = append(w.at, at), append(w.wait, wait)
	if n := len(w.at); n > waitSamples {
		w.at, w.wait = w.at[n-waitSamples:], w.wait[n-waitSamples:]
	}
}

// rate is the team's assignments per second over the window, and how many
// the window holds.
func (w *waitLog) rate(now time.Time) (float64, int) {
	i := sort.Search(len(w.at), func(i int) bool { return now.Sub(w.at[i]) <= waitWindow })
	n := len(w.at) - i
	if n < minSamples {
		return 0, n
	}
	// Over the time since the first assignment in the window, but at
	// least minSpan. (A floor of a minute with 200 samples kept capped the
	// rate at 3.3 a second: the surge bench's teams took 6, and were told
	// waits 1.8 times too long.)
	// n assignments since the first of them are n-1 intervals.
	span := max(now.Sub(w.at[i]), minSpan)
	return float64(n-1) / span.Seconds(), n
}

type router struct {
	s     *Server
	clock presenceClock
	now   func() time.Time
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}

	mu    sync.Mutex
	convs map[uint64]*routed
	waits map[teamKey]*waitLog
	// lastGot is when each agent last got a chat: ties go to the one idle
	// longest.
	lastGot map[uint64]time.Time
	// requeues are the pending returns to the queue, by conversation.
	requeues map[uint64]presenceTimer
	// sent and counted are the last queue status sent to each queued
	// conversation's visitor and the last counts sent to each agent.
	sent        map[uint64]parley.QueueStatus
	counted     map[uint64]parley.Counts
	dirty       bool
	lastPublish time.Time
}

func newRouter(s *Server) *router {
	return &router{
		s: s, clock: realClock{}, now: time.Now,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		convs: make(map[uint64]*routed), waits: make(map[teamKey]*waitLog),
		lastGot: make(map[uint64]time.Time), requeues: make(map[uint64]presenceTimer),
		sent: make(map[uint64]parley.QueueStatus), counted: make(map[uint64]parley.Counts),
	}
}

// start loads the open conversations and starts the worker. Every
// assignee is offline at start: its chats return to the queue after the
// grace unless it reconnects.
func (r *router) start() error {
	open, err := r.s.store.OpenConversations(r.allSites()...)
	if err != nil {
		return err
	}
	r.mu.Lock()
	for _, c := range open {
		r.convs[c.ID] = routedOf(c)
	}
	r.mu.Unlock()
	for _, c := range open {
		if c.Assignee != 0 && r.s.presence.status(c.Assignee) == parley.StatusOffline {
			r.scheduleRequeue(c.ID, c.Site, c.Assignee)
		}
	}
	go r.run()
	r.poke()
	return nil
}

func (r *router) allSites() []string {
	sites, err := r.s.store.Sites()
	if err != nil {
		return nil
	}
	ids := make([]string, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

func (r *router) close() {
	select {
	case <-r.stop:
		return
	default:
	}
	close(r.stop)
	<-r.done
	r.mu.Lock()
	for id, t := range r.requeues {
		t.Stop()
		delete(r.requeues, id)
	}
	r.mu.Unlock()
}

// changed says a site's routing or people changed: assign and publish
// again.
func (r *router) changed() {
	r.mu.Lock()
	r.dirty = true
	r.mu.Unlock()
	r.poke()
	if r.s.avail != nil {
		r.s.avail.changed() // so may whether anyone answers
	}
}

// poke wakes the worker without waiting.
func (r *router) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// observe takes a conversation as just committed. It runs on the
// committer (the commit hook) or right after a write: it only records.
func (r *router) observe(c parley.Conversation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.convs[c.ID]
	if !c.IsOpen() {
		if old != nil {
			delete(r.convs, c.ID)
			r.dirty = true
			r.cancelRequeue(c.ID)
			r.poke() // a place may have freed
		}
		return
	}
	n := routedOf(c)
	if old != nil && *old == *n {
		return
	}
	r.convs[c.ID] = n
	r.dirty = true
	if old != nil && old.status == parley.StatusQueued && n.status == parley.StatusOpen && n.assignee != 0 {
		k := teamKey{c.Site, old.team}
		w := r.waits[k]
		if w == nil {
			w = new(waitLog)
			r.waits[k] = w
		}
		at := c.Assigned
		if at.IsZero() {
			at = r.now()
		}
		w.add(at, at.Sub(old.queued))
		r.lastGot[n.assignee] = at
	}
	if old == nil || old.assignee != n.assignee || old.status != n.status {
		if old != nil && old.assignee != n.assignee {
			r.cancelRequeue(c.ID)
		}
		r.poke()
	}
}

// presenceChanged hears an agent's new status from the tracker (under its
// lock: only record and schedule). Offline starts the requeue grace of
// its open chats; back online or away cancels it.
func (r *router) presenceChanged(agent uint64, status string) {
	r.mu.Lock()
	var mine []*routed
	for _, c := range r.convs {
		if c.assignee == agent {
			mine = append(mine, c)
		}
	}
	if status != parley.StatusOffline {
		for _, c := range mine {
			r.cancelRequeue(c.id)
		}
	}
	r.dirty = true
	r.mu.Unlock()
	if status == parley.StatusOffline {
		for _, c := range mine {
			r.scheduleRequeue(c.id, c.site, agent)
		}
	}
	r.poke()
}

// scheduleRequeue returns conv to the queue after its site's grace, if
// agent still has it and is still offline then.
func (r *router) scheduleRequeue(conv uint64, site string, agent uint64) {
	grace := parley.DefaultRequeueSeconds
	if s, err := r.s.store.Site(site); err == nil {
		grace = s.Routing.RequeueAfter()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.requeues[conv]; ok {
		return
	}
	r.requeues[conv] = r.clock.AfterFunc(time.Duration(grace)*time.Second, func() {
		r.mu.Lock()
		delete(r.requeues, conv)
		r.mu.Unlock()
		if r.s.presence.status(agent) != parley.StatusOffline {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := r.s.store.Requeue(ctx, conv, agent); err != nil && !isClosed(err) {
			r.s.log.Warn("web: requeue", "conv", conv, "agent", agent, "err", err)
		}
	})
}

// cancelRequeue stops conv's pending requeue. r.mu is held.
func (r *router) cancelRequeue(conv uint64) {
	if t, ok := r.requeues[conv]; ok {
		t.Stop()
		delete(r.requeues, conv)
	}
}

func isClosed(err error) bool { return parley.ErrorCode(err) == parley.EUnavailable }

// reassignEvery bounds how long a queued conversation waits for a pass
// when nothing kicks the router: a place freed by a change it does not
// hear of (a capacity raised, a member added, a resolve through the
// store) is used within it.
const reassignEvery = 2 * time.Second

func (r *router) run() {
	defer close(r.done)
	tick := time.NewTicker(publishEvery / 2)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-r.stop:
			return
		case <-r.kick:
			r.assign()
			last = time.Now()
		case now := <-tick.C:
			if now.Sub(last) >= reassignEvery {
				r.assign()
				last = now
			}
		}
		r.publish(false)
	}
}

// queues are the queued conversations by team, each in order: those sent
// back first, then by the time they joined the queue.
func (r *router) queues() map[teamKey][]*routed {
	r.mu.Lock()
	defer r.mu.Unlock()
	qs := make(map[teamKey][]*routed)
	for _, c := range r.convs {
		if c.status == parley.StatusQueued {
			k := teamKey{c.site, c.team}
			cp := *c
			qs[k] = append(qs[k], &cp)
		}
	}
	for _, q := range qs {
		slices.SortFunc(q, queueOrder)
	}
	return qs
}

func queueOrder(a, b *routed) int {
	if a.requeued != b.requeued {
		if a.requeued {
			return -1
		}
		return 1
	}
	return cmp.Or(a.queued.Compare(b.queued), cmp.Compare(a.id, b.id))
}

// candidate is a team member who may take chats now.
type candidate struct {
	agent  parley.Agent
	load   int
	online bool
}

// team returns the members of site's team k.team with their presence,
// capacity and load, and the site's routing.
func (r *router) team(k teamKey) (parley.Site, []candidate, error) {
	site, err := r.s.store.Site(k.site)
	if err != nil {
		return site, nil, err
	}
	members, err := r.s.store.SiteMembers(k.site)
	if err != nil {
		return site, nil, err
	}
	t, explicit := site.Routing.Team(k.team)
	explicit = explicit && k.team != ""
	if !explicit && k.team != "" {
		// The team was deleted: its queue falls back to every member.
		explicit = false
	}
	var out []candidate
	for _, m := range members {
		if explicit && !t.HasMember(m.Agent) {
			continue
		}
		status := r.s.presence.status(m.Agent)
		c := candidate{online: status == parley.StatusOnline}
		if c.online {
			a, err := r.s.store.Agent(m.Agent)
			if err != nil {
				continue
			}
			c.agent, c.load = a, r.s.store.Load(a.ID)
		} else {
			c.agent = parley.Agent{ID: m.Agent}
		}
		out = append(out, c)
	}
	return site, out, nil
}

// assign gives each team's queue, in order, to its online members with
// free capacity: the most free capacity first, then the one idle longest.
func (r *router) assign() {
	for k, q := range r.queues() {
		site, team, err := r.team(k)
		if err != nil || site.Routing.Manual {
			continue
		}
		by := parley.Author{Kind: parley.AuthorSite, Name: site.Name}
	queue:
		for _, c := range q {
			for {
				best := r.pick(team)
				if best < 0 {
					break queue // nobody can take more: the rest waits too
				}
				a := &team[best]
				to := parley.Author{Kind: parley.AuthorAgent, ID: a.agent.ID, Name: a.agent.Name}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := r.s.store.Claim(ctx, store.Route{Conv: c.id, Site: k.site, By: by, To: &to, Capacity: a.agent.Capacity,
					Jobs: r.s.pushJob(to.ID, pushAssigned, "")})
				cancel()
				if err == nil {
					a.load++
					r.mu.Lock()
					r.lastGot[a.agent.ID] = r.now()
					r.mu.Unlock()
					break
				}
				if parley.ErrorCode(err) != parley.EConflict {
					if !isClosed(err) {
						r.s.log.Warn("web: assign", "conv", c.id, "agent", a.agent.ID, "err", err)
					}
					return
				}
				// Taken meanwhile, or the agent filled up meanwhile.
				a.load = r.s.store.Load(a.agent.ID)
				if cur, err := r.s.store.Conversation(c.id); err != nil || cur.Status != parley.StatusQueued {
					break
				}
				if a.load < a.agent.Capacity {
					break // not a capacity race: leave it for the next pass
				}
			}
		}
	}
}

// pick is the index of the member to get the next chat, -1 for none.
func (r *router) pick(team []candidate) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	best := -1
	for i, c := range team {
		if !c.online || c.load >= c.agent.Capacity {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := team[best]
		free, bfree := c.agent.Capacity-c.load, b.agent.Capacity-b.load
		switch {
		case free != bfree:
			if free > bfree {
				best = i
			}
		case !r.lastGot[c.agent.ID].Equal(r.lastGot[b.agent.ID]):
			if r.lastGot[c.agent.ID].Before(r.lastGot[b.agent.ID]) {
				best = i
			}
		case c.agent.ID < b.agent.ID:
			best = i
		}
	}
	return best
}

// estimate is what a visitor at position pos of a team is told: the team
// members online, and from measured data the expected wait. With free
// capacity the chat is assigned at once (0 s). Otherwise pos-free chats
// must end first, and they end at the rate the team has recently been
// taking chats from the queue: wait = (pos-free)/rate (Little's law),
// said only when the window holds at least minSamples assignments.
func estimate(pos, online, free int, w *waitLog, now time.Time) parley.QueueStatus {
	st := parley.QueueStatus{Position: pos, Online: online}
	if online == 0 {
		return st
	}
	if pos <= free {
		zero := 0
		st.Estimate = &zero
		return st
	}
	if w == nil {
		return st
	}
	rate, _ := w.rate(now)
	if rate <= 0 {
		return st
	}
	secs := int(float64(pos-free)/rate + 0.5)
	st.Estimate = &secs
	return st
}

// sameStatus says whether a visitor told a would learn nothing from b:
// the same presence, an estimate within 15 % (or 15 s), and the same
// position — near the front exactly, further back within 5 %: the
// 600th in line needs no frame each time one chat ahead is taken.
func sameStatus(a, b parley.QueueStatus) bool {
	if (a.Online == 0) != (b.Online == 0) || (a.Estimate == nil) != (b.Estimate == nil) {
		return false
	}
	if a.Position != b.Position {
		d := a.Position - b.Position
		if d < 0 {
			d = -d
		}
		if a.Position <= exactPositions || b.Position <= exactPositions || d*20 > a.Position {
			return false
		}
	}
	if a.Estimate == nil {
		return true
	}
	d := *a.Estimate - *b.Estimate
	if d < 0 {
		d = -d
	}
	return d <= max(15, *a.Estimate*15/100)
}

// publish sends queued visitors their changed status and agents their
// changed counts, at most once per publishEvery unless forced.
func (r *router) publish(force bool) {
	now := r.now()
	r.mu.Lock()
	if !force && (!r.dirty && now.Sub(r.lastPublish) < 10*publishEvery || now.Sub(r.lastPublish) < publishEvery) {
		r.mu.Unlock()
		return
	}
	r.dirty, r.lastPublish = false, now
	r.mu.Unlock()

	qs := r.queues()
	var events []*relay.Event
	keep := make(map[uint64]bool)
	var digests []digestDue
	for k, q := range qs {
		site, team, err := r.team(k)
		if err != nil {
			continue
		}
		online, free := 0, 0
		for _, c := range team {
			if c.online {
				online++
				free += max(0, c.agent.Capacity-c.load)
			}
		}
		if online == 0 && len(q) > 0 {
			digests = append(digests, digestDue{site: site, team: k.team, oldest: q[0].queued})
		}
		r.mu.Lock()
		w := r.waits[k]
		for i, c := range q {
			st := estimate(i+1, online, free, w, now)
			keep[c.id] = true
			if old, ok := r.sent[c.id]; ok && sameStatus(old, st) {
				continue
			}
			r.sent[c.id] = st
			f := parley.Frame{Type: parley.TypeQueue, Conv: c.id, Queue: &st}
			events = append(events, &relay.Event{Site: c.site, Visitor: c.visitor, Conv: c.id, To: relay.Visitor, Frame: f.Encode()})
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	for id := range r.sent {
		if !keep[id] {
			delete(r.sent, id)
		}
	}
	r.mu.Unlock()
	for _, ev := range events {
		r.s.hub.Publish(ev)
	}
	r.publishCounts()
	r.s.queueDigests(digests)
}

// resend makes the next publish send conv's visitor its status again: a
// new socket of the visitor has not seen it.
func (r *router) resend(conv uint64) {
	r.mu.Lock()
	delete(r.sent, conv)
	r.dirty = true
	r.mu.Unlock()
}

// countsFor are the inbox counts of agent, a member of sites with the
// given roles. It walks the router's open conversations once per agent,
// at most once a second (20 agents × 2,000 chats in the surge bench);
// thousands of agents on tens of thousands of open chats would want
// counts kept per (site, team, status) and per assignee instead.
func (r *router) countsFor(agent uint64, roles map[string]string) *parley.Counts {
	teams := r.teamsOf(agent, roles)
	out := &parley.Counts{BySite: make(map[string]parley.Counts, len(roles))}
	for site := range roles {
		out.BySite[site] = parley.Counts{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.convs {
		role, ok := roles[c.site]
		if !ok {
			continue
		}
		s := out.BySite[c.site]
		inTeam := teams[teamKey{c.site, c.team}]
		s.Open++
		if c.status == parley.StatusQueued && (inTeam || parley.CanManageSite(role)) {
			s.Queue++
		}
		if c.assignee == agent {
			s.Mine++
		}
		if inTeam {
			s.Team++
		}
		out.BySite[c.site] = s
	}
	for _, s := range out.BySite {
		out.Open += s.Open
		out.Queue += s.Queue
		out.Mine += s.Mine
		out.Team += s.Team
	}
	return out
}

// teamsOf are the teams agent is a member of on its sites; on a site
// without teams, the implicit team "" of all members.
func (r *router) teamsOf(agent uint64, roles map[string]string) map[teamKey]bool {
	out := make(map[teamKey]bool)
	for site := range roles {
		s, err := r.s.store.Site(site)
		if err != nil {
			continue
		}
		if len(s.Routing.Teams) == 0 {
			out[teamKey{site, ""}] = true
		}
		for _, t := range s.Routing.Teams {
			if t.HasMember(agent) {
				out[teamKey{site, t.ID}] = true
			}
		}
	}
	return out
}

// publishCounts sends each agent with an inbox socket its counts, if they
// changed since it was last told.
func (r *router) publishCounts() {
	for _, p := range r.s.presence.inboxAgents() {
		counts := r.countsFor(p.agent, p.roles)
		r.mu.Lock()
		old, ok := r.counted[p.agent]
		same := ok && countsEqual(old, *counts)
		r.counted[p.agent] = *counts
		r.mu.Unlock()
		if same {
			continue
		}
		ev := &relay.Event{To: relay.Agents, Frame: parley.Frame{Type: parley.TypeCounts, Counts: counts}.Encode()}
		for _, c := range p.conns {
			c.push(ev)
		}
	}
}

func countsEqual(a, b parley.Counts) bool {
	if a.Open != b.Open || a.Queue != b.Queue || a.Mine != b.Mine || a.Team != b.Team || len(a.BySite) != len(b.BySite) {
		return false
	}
	for k, v := range a.BySite {
		if w, ok := b.BySite[k]; !ok || w.Open != v.Open || w.Queue != v.Queue || w.Mine != v.Mine || w.Team != v.Team {
			return false
		}
	}
	return true
}

// viewFilter is the rule of an inbox view of the open conversations for
// agent, a member of sites with roles: nil for every open conversation.
// It is the rule the counts follow (countsFor).
func (r *router) viewFilter(view string, agent uint64, roles map[string]string) func(*parley.Conversation) bool {
	teams := r.teamsOf(agent, roles)
	switch view {
	case parley.ViewQueue:
		return func(c *parley.Conversation) bool {
			return c.Status == parley.StatusQueued && (teams[teamKey{c.Site, c.Team}] || parley.CanManageSite(roles[c.Site]))
		}
	case parley.ViewMine:
		return func(c *parley.Conversation) bool { return c.Assignee == agent }
	case parley.ViewTeam:
		return func(c *parley.Conversation) bool { return teams[teamKey{c.Site, c.Team}] }
	}
	return nil
}
