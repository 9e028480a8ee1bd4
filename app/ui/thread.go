package ui

import (
	"sort"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// Thread holds the durable messages of one conversation, in sequence order,
// each (conv, seq) once however often the server replays it.
type Thread struct {
	msgs []parley.Message
}

// Add inserts m in sequence order. It reports false for a sequence number the
// thread already holds.
func (t *Thread) Add(m parley.Message) bool {
	i := sort.Search(len(t.msgs), func(i int) bool { return t.msgs[i].Seq >= m.Seq })
	if i < len(t.msgs) && t.msgs[i].Seq == m.Seq {
		return false
	}
	t.msgs = append(t.msgs, parley.Message{})
	copy(t.msgs[i+1:], t.msgs[i:])
	t.msgs[i] = m
	return true
}

// Messages returns the messages in sequence order. The slice is the thread's
// own: do not modify it.
func (t *Thread) Messages() []parley.Message { return t.msgs }

// Len is the number of messages held.
func (t *Thread) Len() int { return len(t.msgs) }

// LastSeq is the highest sequence number held.
func (t *Thread) LastSeq() uint64 {
	if len(t.msgs) == 0 {
		return 0
	}
	return t.msgs[len(t.msgs)-1].Seq
}

// Contiguous is the highest s such that every message 1..s is held: where a
// resume must start so that no gap remains.
func (t *Thread) Contiguous() uint64 {
	var s uint64
	for _, m := range t.msgs {
		if m.Seq != s+1 {
			break
		}
		s = m.Seq
	}
	return s
}

// HasFrom reports whether the thread holds a message by an author of kind.
func (t *Thread) HasFrom(kind string) bool {
	for _, m := range t.msgs {
		if m.From.Kind == kind {
			return true
		}
	}
	return false
}

func (t *Thread) hasID(kind, id string) bool {
	for _, m := range t.msgs {
		if m.ID == id && m.From.Kind == kind {
			return true
		}
	}
	return false
}

// Status says where a message is on its way to the server.
type Status int

const (
	// Delivered messages are committed and carry a sequence number.
	Delivered Status = iota
	// Sending messages wait in the outbox for their ack.
	Sending
	// Failed messages were refused by the server; the author may retry.
	Failed
)

// Item is one row of a message list.
type Item struct {
	// Key is stable for the life of the row: "seq-N", "out-ID" or "greeting".
	Key    string
	Seq    uint64
	ID     string
	From   parley.Author
	Text   string
	At     int64
	Status Status
	// Reason says why a Failed message was refused.
	Reason string
	// Local marks the proactive greeting shown before the server stored it.
	Local bool
	// Kind is the entry's kind: a message (""), an internal note
	// (parley.KindNote), or an event (parley.KindEvent, with Event) shown
	// as a line of its own.
	Kind  string
	Event string
	// Edited says the text is an edit's; Before holds the earlier texts,
	// oldest first (the history agents see). Deleted says the author
	// deleted it: its text is gone.
	Edited  bool
	Before  []string
	Deleted bool
	// Card and Replies: a rich message's product card and quick replies.
	Card    *parley.Card
	Replies []string
	// Files are the message's attachments.
	Files []parley.File
}

// Failure is a message the server refused, with its reason.
type Failure struct {
	Frame  parley.Frame
	Reason string
}

// Pending is what a message list shows next to the durable messages.
type Pending struct {
	// Self is the author of the outbox; its kind decides which durable
	// messages answer an outbox entry.
	Self parley.Author
	// Conv is the conversation shown; outbox frames for conversation 0 (a
	// visitor's first message) belong to it too.
	Conv uint64
	// Outbox holds the send frames not acked yet, in sending order.
	Outbox []parley.Frame
	// Failed holds refused messages, oldest first.
	Failed []Failure
	// Greeting is a proactive greeting the visitor sees before answering.
	// It disappears once the thread holds a site message: the server stored
	// the greeting as the conversation's first message.
	Greeting   string
	GreetingAt int64
	// Events asks for rows of the events that carry a text ("Ola joined",
	// "Moved to Returns"); without it the list holds messages and notes
	// only. EventText, when set, says an event in the reader's language
	// ("" keeps the stored text).
	Events    bool
	EventText func(parley.Message) string
}

// Items merges t and p into the rows to show: durable messages in sequence
// order, the local greeting, then messages still on their way, each once.
func Items(t *Thread, p Pending) []Item {
	items := make([]Item, 0, t.Len()+len(p.Outbox)+len(p.Failed)+1)
	// Edits and deletions refer to an earlier entry: show it as it is now.
	// Events get rows of their own when asked for (Pending.Events).
	var edits map[uint64][]parley.Message
	for _, m := range t.msgs {
		switch m.Kind {
		case parley.KindEdit, parley.KindDelete:
			if edits == nil {
				edits = make(map[uint64][]parley.Message)
			}
			edits[m.Ref] = append(edits[m.Ref], m)
		}
	}
	for _, m := range t.msgs {
		event := m.Kind == parley.KindEvent && p.Events && m.Text != ""
		if m.Kind != parley.KindMessage && m.Kind != parley.KindNote && !event {
			continue
		}
		it := Item{
			Key:     "seq-" + strconv.FormatUint(m.Seq, 10),
			Seq:     m.Seq,
			ID:      m.ID,
			From:    m.From,
			Text:    m.Text,
			At:      m.At,
			Kind:    m.Kind,
			Event:   m.Event,
			Deleted: m.Deleted,
			Card:    m.Card,
			Replies: m.Replies,
			Files:   m.Files,
		}
		if event && p.EventText != nil {
			if text := p.EventText(m); text != "" {
				it.Text = text
			}
		}
		for _, e := range edits[m.Seq] {
			if e.Kind == parley.KindDelete || e.Deleted {
				it.Text, it.Deleted, it.Edited, it.Before, it.Files, it.Card, it.Replies = "", true, false, nil, nil, nil, nil
				break
			}
			it.Before = append(it.Before, it.Text)
			it.Text, it.Edited = e.Text, true
		}
		items = append(items, it)
	}
	if p.Greeting != "" && !t.HasFrom(parley.AuthorSite) {
		items = append(items, Item{
			Key:   "greeting",
			From:  parley.Author{Kind: parley.AuthorSite},
			Text:  p.Greeting,
			At:    p.GreetingAt,
			Local: true,
		})
	}

	failed := make(map[string]string, len(p.Failed))
	for _, f := range p.Failed {
		failed[f.Frame.ID] = f.Reason
	}
	seen := make(map[string]bool, len(p.Outbox))
	pending := func(f parley.Frame, status Status, reason string) {
		if seen[f.ID] || t.hasID(p.Self.Kind, f.ID) {
			return
		}
		if f.Conv != p.Conv && f.Conv != 0 {
			return
		}
		seen[f.ID] = true
		items = append(items, Item{
			Key:    "out-" + f.ID,
			ID:     f.ID,
			From:   p.Self,
			Text:   f.Text,
			Kind:   f.Kind,
			Files:  f.Files,
			Status: status,
			Reason: reason,
		})
	}
	for _, f := range p.Outbox {
		if reason, ok := failed[f.ID]; ok {
			pending(f, Failed, reason)
		} else {
			pending(f, Sending, "")
		}
	}
	for _, f := range p.Failed {
		pending(f.Frame, Failed, f.Reason)
	}
	return items
}
