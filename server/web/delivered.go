package web

import (
	"sync"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
)

// deliveredMarks are the delivered marks of conversations, per side: the
// newest entry that reached an open device of that side. They live in
// memory only, so that a delivery costs no store write: after a restart
// they are gone, and the receipts fall back to "Sent" until the next
// delivered frame. They are bounded the same way: two generations of at
// most maxDelivered conversations each; when the newer one is full, the
// older is forgotten. A conversation whose mark moved since keeps it; one
// quiet while maxDelivered others moved falls back to "Sent" (or "Seen").
// The zero value is ready.
type deliveredMarks struct {
	mu       sync.Mutex
	cur, old map[uint64]deliveredPair
	// max is maxDelivered but in tests.
	max int
}

// maxDelivered is how many conversations a generation of marks holds:
// 100,000 pairs are about 4 MB.
const maxDelivered = 100000

// deliveredPair is one conversation's marks; public is the agents' mark
// as the visitor may know it: never past the newest entry of theirs when
// it was made, so never a note's seq.
type deliveredPair struct{ agent, visitor, public uint64 }

// get is conv's marks. d.mu is held.
func (d *deliveredMarks) get(conv uint64) (deliveredPair, bool) {
	if p, ok := d.cur[conv]; ok {
		return p, true
	}
	p, ok := d.old[conv]
	return p, ok
}

// move raises side's mark of conv to seq (and the visitor's view of the
// agents' mark to min(seq, publicSeq)); it reports the marks before.
func (d *deliveredMarks) move(conv uint64, side string, seq, publicSeq uint64) (before, publicBefore uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, _ := d.get(conv)
	publicBefore = p.public
	if side == parley.AuthorVisitor {
		before, p.visitor = p.visitor, max(p.visitor, seq)
	} else {
		before, p.agent = p.agent, max(p.agent, seq)
		p.public = max(p.public, min(seq, publicSeq))
	}
	limit := d.max
	if limit <= 0 {
		limit = maxDelivered
	}
	if _, ok := d.cur[conv]; !ok && len(d.cur) >= limit {
		d.old, d.cur = d.cur, nil
	}
	if d.cur == nil {
		d.cur = make(map[uint64]deliveredPair)
	}
	d.cur[conv] = p
	delete(d.old, conv)
	return before, publicBefore
}

// fill puts the marks into convs: as agents see them, or (forVisitor) as
// their visitor may.
func (d *deliveredMarks) fill(convs []parley.Conversation, forVisitor bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range convs {
		p, ok := d.get(convs[i].ID)
		if !ok {
			continue
		}
		agent := p.agent
		if forVisitor {
			agent = p.public
		}
		convs[i].AgentDelivered = max(convs[i].AgentDelivered, agent)
		convs[i].VisitorDelivered = max(convs[i].VisitorDelivered, p.visitor)
	}
}

// deliver records that this side's device received the conversation up to
// f.Seq, and tells the other side (and this side's other agents) when the
// mark moved. It writes nothing to the store.
func (c *conn) deliver(f parley.Frame) {
	if f.Conv == 0 || f.Seq == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "delivered needs the conversation and a seq."), "")
		return
	}
	conv, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, "")
		return
	}
	side, last := parley.AuthorAgent, conv.LastSeq
	if c.role == parley.RoleVisitor {
		side, last = parley.AuthorVisitor, conv.PublicSeq
	}
	if f.Seq > last {
		c.refuse(parley.Errorf(parley.EInvalid, "delivered is past the conversation's last entry."), "")
		return
	}
	before, publicBefore := c.s.delivered.move(conv.ID, side, f.Seq, conv.PublicSeq)
	if f.Seq <= before {
		return
	}
	from := c.author
	ev := eventFor(conv, parley.Frame{Type: parley.TypeDelivered, Conv: conv.ID, Seq: f.Seq, From: &from})
	if c.role == parley.RoleVisitor {
		ev.To = relay.Agents
		c.s.hub.Publish(ev)
		return
	}
	ev.To, ev.Skip = relay.Agents, c.sub
	c.s.hub.Publish(ev)
	// The visitor's copy never points past what they may see: no note's
	// seq reaches them.
	if seen := min(f.Seq, conv.PublicSeq); seen > publicBefore {
		ev := eventFor(conv, parley.Frame{Type: parley.TypeDelivered, Conv: conv.ID, Seq: seen, From: &from})
		ev.To = relay.Visitor
		c.s.hub.Publish(ev)
	}
}
