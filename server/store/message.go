package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/parley-chat/parley/app/parley"
	bolt "go.etcd.io/bbolt"
)

// lastTextRunes bounds the inbox preview of a conversation's newest message.
const lastTextRunes = 140

// Append asks for one new message.
type Append struct {
	Site string
	// Conv is the conversation. A visitor may leave it 0 for "my open
	// conversation, or a new one".
	Conv uint64
	// Visitor is set for a visitor's send: the conversation must be theirs.
	Visitor uint64
	From    parley.Author
	// ID is the client message id, validated by the caller.
	ID string
	// Text is validated and trimmed by the caller.
	Text string
	// Greeting, when set and the conversation has no message yet, is stored
	// first, from the site, with ID+"-greeting".
	Greeting string
	// Page is where a new conversation starts; empty means the visitor's
	// remembered page.
	Page parley.Page
}

// Appended is the result of an Append.
type Appended struct {
	// Message is the sender's message; for a Dup, the one stored first.
	Message parley.Message
	// Dup says the author had already sent this ID: nothing was written.
	Dup bool
	// Conv is the conversation as committed.
	Conv parley.Conversation
}

// Committed is one newly committed message, handed to the OnCommit hook.
type Committed struct {
	Message parley.Message
	// Frame is the stored msg frame, the bytes to send as they are. It is
	// shared by every subscriber: read only.
	Frame []byte
	// Conv is the conversation right after this message.
	Conv parley.Conversation
	// Created says this message created the conversation: it is its first.
	Created bool
}

// OnCommit sets the function that receives every batch of new messages, in
// commit order, after the commit and before the senders are answered, from
// the committer goroutine. fn must not block: every writer waits for it. It
// may read the store (the batch is visible) but must not write to it: the
// committer would wait for itself. Set it before the first Append.
func (d *DB) OnCommit(fn func([]Committed)) {
	d.onCommit.Store(&fn)
}

// Append stores a message and returns once it is durable. If ctx ends first
// it returns ctx.Err(), and the message may or may not be stored: resending
// the same ID is safe.
func (d *DB) Append(ctx context.Context, a Append) (Appended, error) {
	var res Appended
	var conv *parley.Conversation
	err := d.do(ctx, func(b *batch) (err error) {
		res, conv, err = b.append(a)
		return err
	}, func() {
		// After the whole batch: later messages of it may have changed conv.
		res.Conv = *conv
	})
	if err != nil {
		return Appended{}, err
	}
	return res, nil
}

func (b *batch) append(a Append) (Appended, *parley.Conversation, error) {
	seq, key, err := b.findResend(a)
	if err != nil {
		return Appended{}, nil, err
	}
	if seq != nil {
		return b.original(key, seq)
	}

	c, created, err := b.resolve(a)
	if err != nil {
		return Appended{}, nil, err
	}
	// Nothing has been written up to here; from here on nothing refuses.
	if created {
		if c, err = b.createConversation(c); err != nil {
			return Appended{}, nil, err
		}
	}
	if a.From.Kind == parley.AuthorVisitor && c.Status != parley.StatusOpen {
		if err := b.setStatus(c, parley.StatusOpen); err != nil {
			return Appended{}, nil, err
		}
	}
	if a.Greeting != "" && c.LastSeq == 0 {
		from := parley.Author{Kind: parley.AuthorSite, Name: b.siteName(c.Site)}
		if _, err := b.put(c, from, a.ID+"-greeting", a.Greeting, created); err != nil {
			return Appended{}, nil, err
		}
		created = false
	}
	m, err := b.put(c, a.From, a.ID, a.Text, created)
	if err != nil {
		return Appended{}, nil, err
	}
	if err := b.conversations.Put(dedupeKey(c.ID, a.From, a.ID), u64(m.Seq)); err != nil {
		return Appended{}, nil, fmt.Errorf("store: writing dedupe key: %w", err)
	}
	return Appended{Message: m}, c, nil
}

// findResend looks for a message the author already stored with a.ID. A
// send naming its conversation is looked up there, once it is known to be
// the sender's; a visitor's send without one, in each of their
// conversations, as it went to whichever was open then. It returns the
// stored seq and the dedupe key that found it, or nil, nil.
func (b *batch) findResend(a Append) (seq, key []byte, err error) {
	convs := []uint64{a.Conv}
	if a.Conv != 0 {
		c, err := b.conv(a.Conv)
		if err != nil {
			return nil, nil, err
		}
		if !b.mayWrite(a, c) {
			return nil, nil, errConvNotFound(a.Conv)
		}
	} else if a.Visitor != 0 {
		convs = b.visitorConversations(a.Visitor)
	}
	for i := len(convs) - 1; i >= 0; i-- {
		k := dedupeKey(convs[i], a.From, a.ID)
		if v := b.conversations.Get(k); len(v) == 8 {
			return v, k, nil
		}
	}
	return nil, nil, nil
}

// mayWrite says whether a's sender may write to c. Someone else's
// conversation is refused exactly like a missing one, so ids cannot be
// probed.
func (b *batch) mayWrite(a Append, c *parley.Conversation) bool {
	return c != nil && (a.Visitor == 0 || c.Visitor == a.Visitor) && (a.Site == "" || c.Site == a.Site)
}

// original answers a resend with the message stored first.
func (b *batch) original(key, seqBytes []byte) (Appended, *parley.Conversation, error) {
	conv, seq := binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(seqBytes)
	frame := b.conversations.Get(messageKey(conv, seq))
	if frame == nil {
		return Appended{}, nil, fmt.Errorf("store: dedupe names missing message %d/%d", conv, seq)
	}
	var f parley.Frame
	if err := decode(frame, &f); err != nil {
		return Appended{}, nil, err
	}
	c, err := b.conv(conv)
	if err != nil {
		return Appended{}, nil, err
	}
	if c == nil {
		return Appended{}, nil, fmt.Errorf("store: message %d/%d has no conversation", conv, seq)
	}
	return Appended{Message: f.ToMessage(), Dup: true}, c, nil
}

// resolve finds the conversation a message goes to, or returns a new,
// unsaved one with created set. It writes nothing.
func (b *batch) resolve(a Append) (c *parley.Conversation, created bool, err error) {
	if a.Conv != 0 {
		c, err := b.conv(a.Conv)
		if err != nil {
			return nil, false, err
		}
		if !b.mayWrite(a, c) {
			return nil, false, errConvNotFound(a.Conv)
		}
		return c, false, nil
	}
	if a.Visitor == 0 {
		return nil, false, parley.Errorf(parley.EInvalid, "Name the conversation.")
	}
	r, err := visitor(b.visitors, a.Visitor)
	if err != nil {
		return nil, false, err
	}
	if a.Site != "" && r.Visitor.Site != a.Site {
		return nil, false, parley.Errorf(parley.ENotFound, "Visitor %d not found.", a.Visitor)
	}
	ids := b.visitorConversations(a.Visitor)
	for i := len(ids) - 1; i >= 0; i-- {
		if !b.isOpen(ids[i]) {
			continue
		}
		c, err := b.conv(ids[i])
		if err != nil {
			return nil, false, err
		}
		if c != nil {
			return c, false, nil
		}
	}
	page := a.Page
	if page.URL == "" {
		page = r.Page
	}
	return &parley.Conversation{
		Site:        r.Visitor.Site,
		Visitor:     r.Visitor.ID,
		VisitorName: r.Visitor.Name,
		Status:      parley.StatusOpen,
		Page:        page,
		Created:     b.now,
		Updated:     b.now,
	}, true, nil
}

// createConversation numbers and indexes a conversation from resolve.
func (b *batch) createConversation(c *parley.Conversation) (*parley.Conversation, error) {
	id, err := b.conversations.NextSequence()
	if err != nil {
		return nil, fmt.Errorf("store: numbering conversation: %w", err)
	}
	c.ID = id
	if err := b.visitorConvs.Put(key2(c.Visitor, id), []byte{}); err != nil {
		return nil, fmt.Errorf("store: indexing conversation %d: %w", id, err)
	}
	if err := b.openConvs.Put(u64(id), []byte{}); err != nil {
		return nil, fmt.Errorf("store: indexing conversation %d: %w", id, err)
	}
	b.touch(c)
	return c, nil
}

// put stores the next message of c and updates c.
func (b *batch) put(c *parley.Conversation, from parley.Author, id, text string, created bool) (parley.Message, error) {
	m := parley.Message{
		Conv: c.ID,
		Seq:  c.LastSeq + 1,
		ID:   id,
		From: from,
		Text: text,
		At:   b.now.UnixMilli(),
	}
	frame := parley.MessageFrame(m).Encode()
	if err := b.conversations.Put(messageKey(m.Conv, m.Seq), frame); err != nil {
		return m, fmt.Errorf("store: writing message %d/%d: %w", m.Conv, m.Seq, err)
	}
	c.LastSeq = m.Seq
	c.LastText = parley.Truncate(text, lastTextRunes)
	c.Updated = b.now
	switch from.Kind {
	case parley.AuthorVisitor:
		c.Unread++
		// Writing shows the visitor has seen everything before.
		c.VisitorRead = m.Seq
	case parley.AuthorAgent:
		c.AgentRead = m.Seq
		c.Unread = 0
	}
	b.touch(c)
	b.committed = append(b.committed, Committed{Message: m, Frame: frame, Conv: *c, Created: created})
	return m, nil
}

func (b *batch) siteName(id string) string {
	var s parley.Site
	if v := b.sites.Get([]byte(id)); v != nil && decode(v, &s) == nil && s.Name != "" {
		return s.Name
	}
	return id
}

// Messages calls fn with the stored msg frames of conv whose seq is above
// after, in seq order, at most limit of them (limit <= 0: all). The frames
// are copied out and the read transaction is over before fn runs, so a slow
// fn (a socket write) never holds the database.
func (d *DB) Messages(conv, after uint64, limit int, fn func(frame []byte) error) error {
	var buf []byte
	var ends []int
	err := d.view(func(tx *bolt.Tx) error {
		// Measure first, then copy into one exact buffer: growing it frame
		// by frame costs more than walking the range twice.
		n, size := 0, 0
		err := eachMessage(tx, conv, after, limit, func(v []byte) {
			n++
			size += len(v)
		})
		if err != nil || n == 0 {
			return err
		}
		buf = make([]byte, 0, size)
		ends = make([]int, 0, n)
		return eachMessage(tx, conv, after, limit, func(v []byte) {
			buf = append(buf, v...)
			ends = append(ends, len(buf))
		})
	})
	if err != nil {
		return err
	}
	start := 0
	for _, end := range ends {
		if err := fn(buf[start:end:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// AppendTranscript appends the stored msg frames of conv with seq > after,
// at most limit (<= 0: all), separated by commas, to dst: the body of a
// JSON array, copied once, straight from the file. It holds the read
// transaction only while copying, so it suits callers that write the
// result afterwards (the HTTP API), not a socket frame by frame.
func (d *DB) AppendTranscript(dst []byte, conv, after uint64, limit int) ([]byte, error) {
	err := d.view(func(tx *bolt.Tx) error {
		first := true
		return eachMessage(tx, conv, after, limit, func(v []byte) {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, v...)
		})
	})
	return dst, err
}

// eachMessage calls fn with the stored frames of conv after seq after, at
// most limit (<= 0: all), in seq order. The bytes are bbolt's: valid only
// inside tx.
func eachMessage(tx *bolt.Tx, conv, after uint64, limit int, fn func(frame []byte)) error {
	convs := tx.Bucket(bucketConversations)
	if convs.Get(convKey(conv)) == nil {
		return errConvNotFound(conv)
	}
	if after == math.MaxUint64 {
		return nil
	}
	prefix := u64(conv)
	c := convs.Cursor()
	n := 0
	for k, v := c.Seek(messageKey(conv, after+1)); bytes.HasPrefix(k, prefix) && isMessageKey(k) && (limit <= 0 || n < limit); k, v = c.Next() {
		fn(v)
		n++
	}
	return nil
}

// LastSeq returns the sequence number of the newest message of conv, 0 if it
// has none.
func (d *DB) LastSeq(conv uint64) (uint64, error) {
	c, err := d.Conversation(conv)
	return c.LastSeq, err
}
