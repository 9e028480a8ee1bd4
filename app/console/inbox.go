package console

import (
	"sort"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// Inbox holds the conversations the server told this agent about.
type Inbox struct {
	convs map[uint64]parley.Conversation
}

// Reset takes the open conversations of a welcome. Conversations not in it
// were resolved while the console was away; they stay known (one may be on
// screen) but leave the list.
func (b *Inbox) Reset(open []parley.Conversation) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation, len(open))
	}
	listed := make(map[uint64]bool, len(open))
	for _, c := range open {
		listed[c.ID] = true
		b.convs[c.ID] = c
	}
	for id, c := range b.convs {
		if !listed[id] && c.Status == parley.StatusOpen {
			c.Status = parley.StatusResolved
			b.convs[id] = c
		}
	}
}

// Apply records a conversation update and returns what was known before.
func (b *Inbox) Apply(c parley.Conversation) (prev parley.Conversation, existed bool) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation)
	}
	prev, existed = b.convs[c.ID]
	b.convs[c.ID] = c
	return prev, existed
}

// Get returns a known conversation.
func (b *Inbox) Get(id uint64) (parley.Conversation, bool) {
	c, ok := b.convs[id]
	return c, ok
}

// Open returns the open conversations, most recently updated first.
func (b *Inbox) Open() []parley.Conversation {
	open := make([]parley.Conversation, 0, len(b.convs))
	for _, c := range b.convs {
		if c.Status == parley.StatusOpen {
			open = append(open, c)
		}
	}
	sort.Slice(open, func(i, j int) bool {
		if !open[i].Updated.Equal(open[j].Updated) {
			return open[i].Updated.After(open[j].Updated)
		}
		return open[i].ID > open[j].ID
	})
	return open
}

// UnreadTotal sums the unread visitor messages of the open conversations.
func (b *Inbox) UnreadTotal() int {
	n := 0
	for _, c := range b.convs {
		if c.Status == parley.StatusOpen {
			n += c.Unread
		}
	}
	return n
}

// VisitorName is how a conversation's visitor is called in the console.
func VisitorName(c parley.Conversation) string {
	if c.VisitorName != "" {
		return c.VisitorName
	}
	if c.Visitor != 0 {
		return "Visitor " + strconv.FormatUint(c.Visitor, 10)
	}
	return "Visitor"
}
