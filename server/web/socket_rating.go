package web

import (
	"github.com/parley-chat/parley/app/parley"
)

// rate is a visitor's answer after a resolved chat:
// {"type":"rate","id","conv","kind","score","text"}. kind "" or "csat" is
// the satisfaction rating on the site's scale, "nps" the Net Promoter
// question, which the server must have asked (the conversation's askNps).
// Success is a conv frame with the rating, to the site's agents and the
// visitor's own connections, and an agents-only rated event; a refusal is
// an error with the id (see store.DB.Rate).
func (c *conn) rate(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "Only the visitor rates the chat."), id)
		return
	}
	kind := f.Kind
	if kind == "" {
		kind = parley.RatingCSAT
	}
	if kind != parley.RatingCSAT && kind != parley.RatingNPS {
		c.refuse(parley.Errorf(parley.EInvalid, "A rating's kind is %q or %q.", parley.RatingCSAT, parley.RatingNPS), id)
		return
	}
	if f.Score == nil {
		c.refuse(parley.Errorf(parley.EInvalid, "rate needs a score."), id)
		return
	}
	if _, err := c.conversation(f.Conv); err != nil {
		c.refuse(err, id)
		return
	}
	conv, err := c.s.store.Rate(c.ctx, f.Conv, c.visitor.ID, kind, *f.Score, f.Text)
	if err != nil {
		if parley.ErrorCode(err) == parley.ENotFound {
			err = errNoConversation
		}
		if c.ctx.Err() == nil {
			c.refuse(err, id)
		}
		return
	}
	c.s.publishConv(conv)
}
