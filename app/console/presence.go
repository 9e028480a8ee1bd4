package console

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// Presence is the agent's own status as this console decides it: away
// by hand (the header's toggle), or away after parley.IdleAway without
// input, and online again at the next input. The server trusts the
// console about idleness; it works out offline by itself.
type Presence struct {
	manualAway bool
	idle       bool
	last       time.Time
	// After is the idle time before away; 0 is parley.IdleAway. The
	// server's welcome says it (limits.idleAwaySeconds).
	After time.Duration
}

// Status is the status this console asks for.
func (p *Presence) Status() string {
	if p.manualAway || p.idle {
		return parley.StatusAway
	}
	return parley.StatusOnline
}

// Toggle is the agent's click: away if online, online if away (by hand
// or idle). It returns the new status, always a change.
func (p *Presence) Toggle(now time.Time) string {
	if p.Status() == parley.StatusAway {
		p.manualAway, p.idle, p.last = false, false, now
	} else {
		p.manualAway = true
	}
	return p.Status()
}

// Input records the agent's activity; changed says the status went back
// online and must be sent.
func (p *Presence) Input(now time.Time) (status string, changed bool) {
	if !now.After(p.last) {
		return p.Status(), false // an input already counted
	}
	p.last = now
	if p.idle {
		p.idle = false
		return p.Status(), !p.manualAway
	}
	return p.Status(), false
}

// Tick checks for idleness; changed says the status turned away and must
// be sent.
func (p *Presence) Tick(now time.Time) (status string, changed bool) {
	if p.last.IsZero() {
		p.last = now
	}
	after := p.After
	if after <= 0 {
		after = parley.IdleAway
	}
	if !p.idle && now.Sub(p.last) >= after {
		p.idle = true
		return p.Status(), !p.manualAway
	}
	return p.Status(), false
}

// Idle says the console has set the agent away for want of input.
func (p *Presence) Idle() bool { return p.idle }

// Colleagues are the agents of this agent's sites, by name: the welcome's
// list, kept current by presence frames.
func (d *Desk) Colleagues() []parley.Agent {
	out := make([]parley.Agent, 0, len(d.colleagues))
	for _, a := range d.colleagues {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b parley.Agent) int {
		if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// Colleague returns agent id as the server last described it.
func (d *Desk) Colleague(id uint64) (parley.Agent, bool) {
	a, ok := d.colleagues[id]
	return a, ok
}

// applyPresence keeps a colleague's presence; an agent not listed (one
// who joined a shared site since the welcome) is added.
func (d *Desk) applyPresence(a parley.Agent) {
	if d.colleagues == nil {
		d.colleagues = make(map[uint64]parley.Agent)
	}
	d.colleagues[a.ID] = parley.Agent{ID: a.ID, Name: a.Name, Status: a.Status, Capacity: a.Capacity}
}
