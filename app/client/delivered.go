package client

import (
	"math/rand/v2"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// Delivered marks: the client tells the server how far it received each
// conversation's entries from the other side, so that their author sees
// "Delivered" before "Seen". The marks are coalesced: at most one frame
// per conversation every deliverEvery, each deliverDelay after the entry
// that caused it, and none when a read mark of this side (this client's
// or, relayed, another device's) or another device's delivered mark
// already covers it. docs/protocol.md, `delivered`.
const (
	deliverDelay = 300 * time.Millisecond
	deliverEvery = time.Second
	// deliverJitter spreads agents' marks: every console of a site gets
	// the visitor's message, and the first mark, relayed to the others,
	// spares them theirs.
	deliverJitter = 700 * time.Millisecond
)

// deliveryMark is one conversation's delivered mark.
type deliveryMark struct {
	// got is the newest entry of the other side received; told the
	// newest mark the server has from this side, as far as the client
	// knows (its own delivered and read frames, the relayed ones).
	got, told uint64
	// last is when this client last wrote a delivered frame for it; due,
	// when set, is when the next one goes.
	last, due time.Time
}

// receivedLocked notes an entry received: one of the other side's makes a
// delivered mark due.
func (c *Client) receivedLocked(f parley.Frame) {
	if f.Conv == 0 || f.Seq == 0 || f.From == nil || !c.otherSide(f.From.Kind) {
		return
	}
	m := c.markLocked(f.Conv)
	if f.Seq <= max(m.got, m.told) {
		return
	}
	m.got = f.Seq
	if m.due.IsZero() {
		now := time.Now()
		m.due = now.Add(deliverDelay)
		if !c.visitor {
			m.due = m.due.Add(rand.N(deliverJitter))
		}
		if next := m.last.Add(deliverEvery); next.After(m.due) {
			m.due = next
		}
		c.deliverDue++
	}
	if c.sess != nil {
		c.sess.kickWriter()
	}
}

// otherSide says whether an author of kind is of the other side: agents
// for a visitor, the visitor for an agent.
func (c *Client) otherSide(kind string) bool {
	if c.visitor {
		return kind == parley.AuthorAgent
	}
	return kind == parley.AuthorVisitor
}

// toldLocked notes that the server has this side's mark of conv at seq or
// beyond (a read of this client, or another device's read or delivered):
// no delivered frame is needed up to seq.
func (c *Client) toldLocked(conv, seq uint64) {
	m := c.delivered[conv]
	if m == nil {
		return
	}
	m.told = max(m.told, seq)
	if !m.due.IsZero() && m.got <= m.told {
		m.due = time.Time{}
		c.deliverDue--
	}
}

func (c *Client) markLocked(conv uint64) *deliveryMark {
	m := c.delivered[conv]
	if m == nil {
		m = &deliveryMark{}
		c.delivered[conv] = m
	}
	return m
}

// nextDeliveredLocked is a delivered frame due now, or how long until the
// next one is (0: none).
func (c *Client) nextDeliveredLocked(now time.Time) (f parley.Frame, ok bool, wait time.Duration) {
	if c.deliverDue == 0 {
		return f, false, 0
	}
	for conv, m := range c.delivered {
		if m.due.IsZero() {
			continue
		}
		if !now.Before(m.due) {
			m.due, m.last, m.told = time.Time{}, now, m.got
			c.deliverDue--
			return parley.Frame{Type: parley.TypeDelivered, Conv: conv, Seq: m.got}, true, 0
		}
		if d := m.due.Sub(now); wait == 0 || d < wait {
			wait = d
		}
	}
	return f, false, wait
}
