package web

import (
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
)

// tag changes a conversation's tags:
// {"type":"tag","id","conv","add":[...],"remove":[...]}. Agents of the
// conversation's site only; the change goes to the site's agents in a
// conv frame. The visitor hears nothing: their copy carries no tags.
func (c *conn) tag(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleAgent {
		c.refuse(parley.Errorf(parley.EForbidden, "Only agents tag conversations."), id)
		return
	}
	if len(f.Add) == 0 && len(f.Remove) == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "tag needs tags to add or to remove."), id)
		return
	}
	if _, err := c.conversation(f.Conv); err != nil {
		c.refuse(err, id)
		return
	}
	conv, changed, err := c.s.store.SetTags(c.ctx, f.Conv, f.Add, f.Remove)
	if err != nil {
		if c.ctx.Err() == nil {
			c.refuse(err, id)
		}
		return
	}
	if !changed {
		return
	}
	c.s.touchSearch(conv)
	ev := convEvent(conv)
	ev.To = relay.Agents
	c.s.hub.Publish(ev)
}
