package web

import (
	"slices"
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// Whether a site answers chat now: closed outside its business hours,
// away when its hours are open but nobody who answers chat is online.
// Either way the widget applies the site's offline mode (hide, form or
// email), and it switches live: the widget page and the visitor's welcome
// carry the state, and a site frame tells every open widget of the site
// when it changes (the last agent went offline, the hours ended).
//
// The state is derived from the store (hours, members) and the presence
// tracker, and kept per site that visitors have asked about. One goroutine
// looks again at every tick, and at once when presence or a site's
// settings change, and tells the site's visitors only when it changed. A
// hello reads the kept state, not the store.

// availableEvery is how often the kept states are looked at again without
// a kick: the end of the business hours is seen within it.
const availableEvery = time.Second

type availability struct {
	s   *Server
	now func() time.Time

	// computing serializes fresh: two computations racing could keep
	// the older state, and tell visitors both.
	computing sync.Mutex
	mu        sync.Mutex
	// states are the last states of the sites visitors asked about, each
	// encoded as a site frame, which is also what changes are told by.
	states map[string]siteState

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

type siteState struct {
	open  *parley.OpenState
	frame []byte
}

func newAvailability(s *Server) *availability {
	return &availability{s: s, now: time.Now, states: make(map[string]siteState),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// compute is site's state at now: nil when it and all its teams answer
// chat. When the site answers but some of its teams do not (outside their
// own hours, or none of their members online), the state is open and
// names them.
func (a *availability) compute(site parley.Site, now time.Time) *parley.OpenState {
	st := openState(site.Routing.Hours, now)
	if st != nil && !st.Open {
		return st
	}
	members, err := a.s.store.SiteMembers(site.ID)
	if err != nil {
		return st // say nothing we do not know
	}
	online := make(map[uint64]bool, len(members))
	anyone := false
	for _, m := range members {
		online[m.Agent] = a.s.presence.status(m.Agent) == parley.StatusOnline
		anyone = anyone || online[m.Agent]
	}
	if !anyone {
		away := parley.AwayState()
		return &away
	}
	r := site.Routing
	teams := make(map[string]parley.OpenState)
	for _, t := range r.Teams {
		ts := parley.OpenState{Open: true}
		if t.Hours != nil { // its own hours, else the site's, open now
			if tst := openState(*t.Hours, now); tst != nil {
				ts = *tst
			}
		}
		if ts.Open && !slices.ContainsFunc(t.Members, func(id uint64) bool { return online[id] }) {
			ts = parley.AwayState()
		}
		if ts.Open {
			continue
		}
		teams[t.ID] = ts
		if t.ID == r.DefaultTeamID() {
			teams[""] = ts
		}
	}
	if len(teams) == 0 {
		return st
	}
	if st == nil {
		st = &parley.OpenState{Open: true}
	}
	st.Teams = teams
	return st
}

// state is site's kept state, computed now when nobody asked before.
// A hello reads it: at most a tick old, and read without the store.
func (a *availability) state(site parley.Site) siteState {
	a.mu.Lock()
	st, ok := a.states[site.ID]
	a.mu.Unlock()
	if ok {
		return st
	}
	return a.fresh(site)
}

// stateOf is state by site id: the state kept, or else the site read and
// its state computed. A site that cannot be read answers (the zero state),
// and the error is logged.
func (a *availability) stateOf(id string) siteState {
	a.mu.Lock()
	st, ok := a.states[id]
	a.mu.Unlock()
	if ok {
		return st
	}
	site, err := a.s.store.Site(id)
	if err != nil {
		a.s.log.Error("availability: reading the site", "site", id, "err", err)
		return siteState{}
	}
	return a.fresh(site)
}

// fresh computes site's state now, keeps it, and tells the site's
// visitors if it changed. The widget page reads it: the site it serves
// was just read, settings included.
func (a *availability) fresh(site parley.Site) siteState {
	a.computing.Lock()
	defer a.computing.Unlock()
	st := encodeState(a.compute(site, a.now()))
	a.mu.Lock()
	old, known := a.states[site.ID]
	a.states[site.ID] = st
	a.mu.Unlock()
	if known && !old.open.Same(st.open) {
		for _, c := range a.s.abuse.visitorsOf(site.ID) {
			c.enqueue(outItem{frame: st.frame})
		}
	}
	return st
}

func encodeState(open *parley.OpenState) siteState {
	return siteState{open: open, frame: parley.Frame{Type: parley.TypeSite, Open: open}.Encode()}
}

// changed asks the worker to look again now: presence, a site's settings
// or its members changed.
func (a *availability) changed() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

func (a *availability) start() { go a.run() }

func (a *availability) close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

func (a *availability) run() {
	defer close(a.done)
	tick := time.NewTicker(availableEvery)
	defer tick.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-a.kick:
		case <-tick.C:
		}
		a.refresh()
	}
}

// refresh computes every kept state again and tells the visitors of each
// site whose state changed.
func (a *availability) refresh() {
	a.mu.Lock()
	ids := make([]string, 0, len(a.states))
	for id := range a.states {
		ids = append(ids, id)
	}
	a.mu.Unlock()
	for _, id := range ids {
		site, err := a.s.store.Site(id)
		if err != nil {
			a.mu.Lock()
			delete(a.states, id) // deleted: nobody is told anything more
			a.mu.Unlock()
			continue
		}
		a.fresh(site)
	}
}
