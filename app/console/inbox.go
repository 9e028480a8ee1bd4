package console

import (
	"sort"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// Inbox holds the conversations the server told this agent about, and
// how far down the inbox order it has loaded them.
//
// The welcome brings the first page and the counts; "Load more" brings
// the pages after it (AddPage). The loaded region is everything down to
// the position of the last conversation loaded, or everything once the
// last page is in. Frames keep every known conversation current; a
// conversation updated from below the region moves up into it, so the
// list (Open) is the known open conversations within the region, in
// inbox order.
//
// Counts start from the welcome and follow the conv frames: a known
// conversation counts by the change of its status; an unknown one that
// lands in the region was created, reopened or resolved since the
// welcome (+1 if open, -1 if resolved); one below it did not change
// status. The only miss is a status change published in the instant
// between the welcome's subscription and its read, counted twice; the
// next welcome sets the counts right again.
type Inbox struct {
	convs  map[uint64]parley.Conversation
	counts parley.Counts
	// next is the cursor of the next page, "" once all are loaded; end is
	// its position, the bottom of the loaded region.
	next string
	end  parley.Cursor
}

// Reset takes a welcome that lists every open conversation.
func (b *Inbox) Reset(open []parley.Conversation) {
	b.ResetPage(open, nil, "")
}

// ResetPage takes a welcome: the first page of the open conversations, the
// counts (nil: the page is all) and the cursor of the next page.
// Conversations not in it were resolved while the console was away, when
// they are within the page's region: they stay known (one may be on
// screen) but leave the list. Open ones below it are forgotten until
// their page loads again.
func (b *Inbox) ResetPage(open []parley.Conversation, counts *parley.Counts, next string) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation, len(open))
	}
	b.setNext(next)
	if counts != nil {
		b.counts = *counts
	} else {
		b.counts = parley.Counts{}
		for _, c := range open {
			b.counts.AddOpen(c.Site, 1)
		}
	}
	listed := make(map[uint64]bool, len(open))
	for _, c := range open {
		listed[c.ID] = true
		b.convs[c.ID] = c
	}
	for id, c := range b.convs {
		if listed[id] || c.Status != parley.StatusOpen {
			continue
		}
		if b.loaded(c) {
			c.Status = parley.StatusResolved
			b.convs[id] = c
		} else {
			delete(b.convs, id)
		}
	}
}

func (b *Inbox) setNext(next string) {
	b.next, b.end = next, parley.Cursor{}
	if next != "" {
		if cur, err := parley.ParseCursor(next); err == nil {
			b.end = cur
		} else {
			b.next = "" // not the server's: load nothing more
		}
	}
}

// loaded says whether c's position is within the loaded region.
func (b *Inbox) loaded(c parley.Conversation) bool {
	return b.next == "" || !b.end.After(parley.CursorOf(c))
}

// Next is the cursor of the page to load next; "" when all are loaded.
func (b *Inbox) Next() string { return b.next }

// Counts are the agent's inbox counts, kept live.
func (b *Inbox) Counts() parley.Counts { return b.counts }

// AddPage takes the page of GET /api/conversations asked for with cursor
// before. A page that does not continue the list (asked for before a
// reconnect, or twice) is dropped: it reports false. A page never changes
// the counts, and never undoes a newer state the frames brought.
func (b *Inbox) AddPage(before string, p parley.ConversationPage) bool {
	if before == "" || before != b.next {
		return false
	}
	b.setNext(p.Next)
	b.Merge(p.Conversations)
	return true
}

// Merge takes conversations read through the API (a page, or the top of
// the inbox read again): those unknown, and those newer than known.
func (b *Inbox) Merge(cs []parley.Conversation) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation, len(cs))
	}
	for _, c := range cs {
		if known, ok := b.convs[c.ID]; !ok || c.LastSeq > known.LastSeq || c.Updated.After(known.Updated) {
			b.convs[c.ID] = c
		}
	}
}

// Apply records a conversation update (a conv frame, or a msg's change)
// and returns what was known before.
func (b *Inbox) Apply(c parley.Conversation) (prev parley.Conversation, existed bool) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation)
	}
	prev, existed = b.convs[c.ID]
	open := c.Status == parley.StatusOpen
	switch {
	case existed && prev.Status != c.Status && open:
		b.counts.AddOpen(c.Site, 1)
	case existed && prev.Status != c.Status && prev.Status == parley.StatusOpen:
		b.counts.AddOpen(c.Site, -1)
	case !existed && b.loaded(c) && open:
		b.counts.AddOpen(c.Site, 1)
	case !existed && b.loaded(c):
		b.counts.AddOpen(c.Site, -1)
	}
	b.convs[c.ID] = c
	return prev, existed
}

// Get returns a known conversation.
func (b *Inbox) Get(id uint64) (parley.Conversation, bool) {
	c, ok := b.convs[id]
	return c, ok
}

// Open returns the open conversations loaded, in inbox order.
func (b *Inbox) Open() []parley.Conversation {
	open := make([]parley.Conversation, 0, len(b.convs))
	for _, c := range b.convs {
		if c.Status == parley.StatusOpen && b.loaded(c) {
			open = append(open, c)
		}
	}
	sort.Slice(open, func(i, j int) bool { return parley.InboxBefore(open[i], open[j]) })
	return open
}

// UnreadTotal sums the unread visitor messages of the open conversations
// loaded.
func (b *Inbox) UnreadTotal() int {
	n := 0
	for _, c := range b.convs {
		if c.Status == parley.StatusOpen && b.loaded(c) {
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
