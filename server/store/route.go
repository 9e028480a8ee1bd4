package store

import (
	"context"
	"sync"

	"github.com/parley-chat/parley/app/parley"
)

// Routing writes: who answers a conversation. Claim, Transfer and Requeue
// are the only ways an assignee changes (besides an agent answering a
// queued chat, which takes it), each an event entry of the conversation's
// log that both sides see. They run in the committer, one at a time, so
// their checks hold when the entry is written: a conversation never has
// two assignees, and no agent ever holds more open chats than the capacity
// its caller names.

// loads is the committer's count of the open conversations assigned to
// each agent, kept under its own lock for readers (the router).
type loads struct {
	mu sync.RWMutex
	// of maps an open, assigned conversation to its assignee; by counts
	// them per agent.
	of map[uint64]uint64
	by map[uint64]int
}

// track updates the loads after c changed. The committer calls it for
// every change of an assignee or of open/resolved.
func (d *DB) track(c *parley.Conversation) {
	l := &d.loads
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.of == nil {
		l.of, l.by = make(map[uint64]uint64), make(map[uint64]int)
	}
	if prev, ok := l.of[c.ID]; ok {
		if prev == c.Assignee && c.IsOpen() {
			return
		}
		delete(l.of, c.ID)
		if l.by[prev]--; l.by[prev] <= 0 {
			delete(l.by, prev)
		}
	}
	if c.Assignee != 0 && c.IsOpen() {
		l.of[c.ID] = c.Assignee
		l.by[c.Assignee]++
	}
}

// resetLoads forgets every load: reload counts them again.
func (d *DB) resetLoads() {
	d.loads.mu.Lock()
	d.loads.of, d.loads.by = make(map[uint64]uint64), make(map[uint64]int)
	d.loads.mu.Unlock()
}

// Load is how many open conversations are assigned to agent, as committed
// (or being committed).
func (d *DB) Load(agent uint64) int {
	d.loads.mu.RLock()
	defer d.loads.mu.RUnlock()
	return d.loads.by[agent]
}

// Assigned returns the open conversations assigned to agent.
func (d *DB) Assigned(agent uint64) []uint64 {
	d.loads.mu.RLock()
	defer d.loads.mu.RUnlock()
	var ids []uint64
	for conv, a := range d.loads.of {
		if a == agent {
			ids = append(ids, conv)
		}
	}
	return ids
}

// Route is a routing write: who takes a conversation.
type Route struct {
	Conv uint64
	// Site, when set, must be the conversation's: a caller scoped to a
	// site cannot reach another's conversations.
	Site string
	// By is who acts: the agent who claims or transfers, or the site for
	// the router's own assignments.
	By parley.Author
	// To is the agent who takes the conversation; nil (Transfer only)
	// sends it to Team's queue.
	To *parley.Author
	// Capacity is To's capacity: the write is refused if To already holds
	// that many open conversations.
	Capacity int
	// Team and TeamName (Transfer) are the team the conversation moves to;
	// Team "" keeps it in its team.
	Team, TeamName string
	// Reason (Transfer) is stored as an agents-only note after the event.
	Reason string
	// Jobs are queued in the same transaction as the change (the news for
	// the agent who takes the conversation); a job without Conv gets Conv.
	Jobs []NewJob
}

// Claim assigns a queued conversation to r.To. It is refused with
// EConflict when the conversation is assigned already or resolved, or when
// r.To has no free capacity.
func (d *DB) Claim(ctx context.Context, r Route) (parley.Conversation, error) {
	return d.route(ctx, r, func(b *batch, st *convState) error {
		c := &st.rec.Conversation
		switch {
		case r.To == nil || r.To.ID == 0:
			return parley.Errorf(parley.EInvalid, "Name the agent who takes the conversation.")
		case c.Status == parley.StatusResolved:
			return parley.Errorf(parley.EConflict, "The conversation is resolved.")
		case c.Assignee == r.To.ID:
			return parley.Errorf(parley.EConflict, "The conversation is assigned to you already.")
		case c.Assignee != 0:
			return parley.Errorf(parley.EConflict, "Already assigned to %s.", c.AssigneeName)
		}
		if err := d.checkCapacity(r); err != nil {
			return err
		}
		_, err := b.addEvent(st, parley.EventAssigned, r.By, r.To, c.Team, "", parley.JoinedText(r.To.Name))
		return err
	})
}

// Transfer moves an open conversation to another team's queue (r.To nil),
// to an agent (r.To, keeping or changing the team), with an internal
// reason. It is refused when nothing would change or r.To has no free
// capacity.
func (d *DB) Transfer(ctx context.Context, r Route) (parley.Conversation, error) {
	return d.route(ctx, r, func(b *batch, st *convState) error {
		c := &st.rec.Conversation
		if !c.IsOpen() {
			return parley.Errorf(parley.EConflict, "The conversation is resolved.")
		}
		team := r.Team
		if team == "" {
			team = c.Team
		}
		if r.To == nil && team == c.Team {
			return parley.Errorf(parley.EInvalid, "Transfer to another team or to an agent.")
		}
		if r.To != nil {
			if r.To.ID == c.Assignee {
				return parley.Errorf(parley.EConflict, "%s has the conversation already.", r.To.Name)
			}
			if err := d.checkCapacity(r); err != nil {
				return err
			}
		}
		text := ""
		switch {
		case team != c.Team && r.To != nil:
			text = parley.MovedText(r.TeamName) + " · " + parley.JoinedText(r.To.Name)
		case team != c.Team:
			text = parley.MovedText(r.TeamName)
		default:
			text = parley.JoinedText(r.To.Name)
		}
		if _, err := b.addEvent(st, parley.EventTransferred, r.By, r.To, team, r.TeamName, text); err != nil {
			return err
		}
		if r.Reason != "" {
			note := parley.Message{From: r.By, Text: r.Reason, Kind: parley.KindNote}
			if _, _, err := b.add(st, note, true, false, false, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Requeue sends an open conversation assigned to agent back to the front
// of its team's queue. It does nothing (and says so with false) when the
// conversation is no longer open or assigned to agent: the assignee came
// back, another took it, or it was resolved.
func (d *DB) Requeue(ctx context.Context, conv, agent uint64) (bool, error) {
	moved := false
	_, err := d.route(ctx, Route{Conv: conv}, func(b *batch, st *convState) error {
		c := &st.rec.Conversation
		if !c.IsOpen() || c.Assignee != agent || agent == 0 {
			return nil
		}
		moved = true
		_, err := b.addEvent(st, parley.EventQueued, parley.Author{Kind: parley.AuthorSite, Name: b.siteName(c.Site)}, nil, c.Team, "", parley.RequeuedText())
		return err
	})
	return moved, err
}

// route runs a routing write on conversation r.Conv in the committer.
func (d *DB) route(ctx context.Context, r Route, fn func(b *batch, st *convState) error) (parley.Conversation, error) {
	var st *convState
	var out parley.Conversation
	err := d.do(ctx, func(b *batch) error {
		var err error
		if st, err = b.existing(r.Conv); err != nil {
			return err
		}
		if r.Site != "" && st.rec.Site != r.Site {
			return errConvNotFound(r.Conv)
		}
		if err := checkJobs(r.Jobs); err != nil {
			return err
		}
		if err := fn(b, st); err != nil {
			return err
		}
		if err := b.enqueueFor(r.Conv, r.Jobs); err != nil {
			return err
		}
		return nil
	}, func() { out = st.rec.Conversation })
	return out, err
}

// checkCapacity refuses r when r.To holds r.Capacity open chats already.
// It runs in the committer, where the loads are exact.
func (d *DB) checkCapacity(r Route) error {
	if err := parley.CheckCapacity(r.Capacity); err != nil {
		return err
	}
	if n := d.Load(r.To.ID); n >= r.Capacity {
		return parley.Errorf(parley.EConflict, "%s has no free capacity (%d of %d chats).", r.To.Name, n, r.Capacity)
	}
	return nil
}

// addEvent appends a routing event to st: by acted, to takes the
// conversation (nil: the queue), team is the team afterwards.
func (b *batch) addEvent(st *convState, event string, by parley.Author, to *parley.Author, team, teamName, text string) (parley.Message, error) {
	m := parley.Message{From: by, Kind: parley.KindEvent, Event: event, Team: team, TeamName: teamName, Text: text}
	if to != nil {
		t := parley.Author{Kind: parley.AuthorAgent, ID: to.ID, Name: to.Name}
		m.To = &t
	}
	m, _, err := b.add(st, m, false, false, false, nil)
	return m, err
}
