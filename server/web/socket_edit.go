package web

import (
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// edit and delete: the author of a message changes or deletes it, for the
// site's edit window after sending it. Each is a new entry of the log
// that refers to the message (kind edit or delete), with its audience, so
// agents keep the history of edits as an audit; a deletion also erases
// the text of the message and of its edits from the file, through the
// committer. The store checks authorship and the window against the
// entry as stored. Both are acked like a send, by their own id.
func (c *conn) changeMessage(f parley.Frame) {
	id, ok := c.admitWrite(f)
	if !ok {
		return
	}
	if f.Ref == 0 {
		c.refuse(parley.Errorf(parley.EInvalid, "%s names the message it changes: ref is its seq.", f.Type), id)
		return
	}
	// No Sender: the author's connection gets the entry's msg too, as
	// its client holds no copy of it to make one from the ack.
	a := store.Append{Conv: f.Conv, From: c.author, ID: f.ID, Ref: f.Ref, Own: true}
	if f.Type == parley.TypeEdit {
		text, err := c.s.cfg.Limits.CheckText(f.Text)
		if err != nil {
			c.refuse(err, id)
			return
		}
		a.Kind, a.Text = parley.KindEdit, text
	} else {
		if f.Text != "" {
			c.refuse(parley.Errorf(parley.EInvalid, "delete carries no text."), id)
			return
		}
		a.Kind = parley.KindDelete
	}
	conv, err := c.conversation(f.Conv)
	if err != nil {
		c.refuse(err, id)
		return
	}
	site, err := c.s.store.Site(conv.Site)
	if err != nil {
		c.refuse(err, id)
		return
	}
	if a.Within = site.EditWindow(); a.Within == 0 {
		c.refuse(parley.Errorf(parley.EForbidden, "Messages on this site cannot be edited or deleted."), id)
		return
	}
	if c.role == parley.RoleVisitor {
		if c.s.abuse.blocked(conv.Site, c.visitor.ID, c.addr) {
			c.refuse(errBlocked, id)
			return
		}
		a.Site, a.Visitor = c.site, c.visitor.ID
	}
	res, err := c.s.store.Append(c.ctx, a)
	if err != nil {
		if c.ctx.Err() == nil {
			c.refuse(err, id)
		}
		return
	}
	c.s.filesDropped(res.DroppedFiles)
	m := res.Message
	ack := parley.Frame{Type: parley.TypeAck, ID: f.ID, Conv: m.Conv, Seq: m.Seq, At: m.At, Dup: res.Dup}
	if c.role == parley.RoleVisitor && res.Prev != m.Seq-1 {
		ack.Prev = &res.Prev
	}
	c.enqueue(outItem{frame: ack.Encode()})
}
