package console

import (
	"sort"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// Inbox holds the conversations the server told this agent about, the
// view on screen (queue, mine, team, all open, resolved) and how far down
// that view's order it has loaded them.
//
// The welcome brings the first page of the open view and the counts;
// switching view (SetView) brings another view's first page; "Load more"
// brings the pages after it (AddPage). The loaded region is everything
// down to the position of the last conversation loaded, or everything
// once the last page is in. Frames keep every known conversation current;
// a conversation updated from below the region moves up into it, and one
// whose status, team or assignee changed joins or leaves the view
// (FitsView), so the list (List) is the known conversations that fit the
// view within the region, in inbox order.
//
// The counts are the server's: the welcome's, then each counts frame's,
// taken as they are.
type Inbox struct {
	convs  map[uint64]parley.Conversation
	counts parley.Counts
	view   string
	// tag keeps the conversations that carry it ("": all).
	tag   string
	scope Scope
	// next is the cursor of the view's next page, "" once all are loaded;
	// end is its position, the bottom of the loaded region.
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
// their page loads again. When the view on screen is not the open view,
// its region stays as it was: the caller reads its first page again.
func (b *Inbox) ResetPage(open []parley.Conversation, counts *parley.Counts, next string) {
	if b.convs == nil {
		b.convs = make(map[uint64]parley.Conversation, len(open))
	}
	welcome, end := parseNext(next)
	if b.view == "" || b.view == parley.ViewOpen {
		b.view, b.next, b.end = parley.ViewOpen, welcome, end
	}
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
		if listed[id] || !c.IsOpen() {
			continue
		}
		if welcome == "" || !end.After(parley.CursorOf(c)) {
			c.Status = parley.StatusResolved
			b.convs[id] = c
		} else {
			delete(b.convs, id)
		}
	}
}

// parseNext reads a page's next cursor; one that is not the server's
// loads nothing more.
func parseNext(next string) (string, parley.Cursor) {
	if next == "" {
		return "", parley.Cursor{}
	}
	cur, err := parley.ParseCursor(next)
	if err != nil {
		return "", parley.Cursor{}
	}
	return next, cur
}

// loaded says whether c's position is within the loaded region.
func (b *Inbox) loaded(c parley.Conversation) bool {
	return b.next == "" || !b.end.After(parley.CursorOf(c))
}

// View is the view on screen, parley.ViewOpen before any.
func (b *Inbox) View() string {
	if b.view == "" {
		return parley.ViewOpen
	}
	return b.view
}

// SetScope says which teams and sites are the agent's, for FitsView.
func (b *Inbox) SetScope(s Scope) { b.scope = s }

// Scope is the agent's scope as last set.
func (b *Inbox) Scope() Scope { return b.scope }

// SetView takes the first page of view, read through the API: the view on
// screen becomes view, loaded down to the page's end.
func (b *Inbox) SetView(view string, p parley.ConversationPage) {
	if !parley.ValidView(view) || view == "" {
		view = parley.ViewOpen
	}
	b.view = view
	b.next, b.end = parseNext(p.Next)
	b.Merge(p.Conversations)
}

// SetTagView takes the first page of view filtered by tag ("" for none),
// read through the API.
func (b *Inbox) SetTagView(view, tag string, p parley.ConversationPage) {
	b.tag = tag
	b.SetView(view, p)
}

// Tag is the tag the list is filtered by, "" for none.
func (b *Inbox) Tag() string { return b.tag }

// Next is the cursor of the view's page to load next; "" when all are loaded.
func (b *Inbox) Next() string { return b.next }

// Counts are the agent's inbox counts, as the server last sent them.
func (b *Inbox) Counts() parley.Counts { return b.counts }

// SetCounts takes a counts frame's counts, as they are.
func (b *Inbox) SetCounts(c parley.Counts) { b.counts = c }

// AddPage takes the page of GET /api/conversations asked for, for the
// view on screen, with cursor before. A page that does not continue the
// list (asked for before a reconnect or a view switch, or twice) is
// dropped: it reports false. A page never undoes a newer state the frames
// brought.
func (b *Inbox) AddPage(before string, p parley.ConversationPage) bool {
	if before == "" || before != b.next {
		return false
	}
	b.next, b.end = parseNext(p.Next)
	b.Merge(p.Conversations)
	return true
}

// Merge takes conversations read through the API (a page, or the top of
// the view read again): those unknown, and those newer than known.
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
	b.convs[c.ID] = c
	return prev, existed
}

// Get returns a known conversation.
func (b *Inbox) Get(id uint64) (parley.Conversation, bool) {
	c, ok := b.convs[id]
	return c, ok
}

// List returns the conversations of the view on screen loaded so far, in
// inbox order.
func (b *Inbox) List() []parley.Conversation {
	view := b.View()
	out := make([]parley.Conversation, 0, len(b.convs))
	for _, c := range b.convs {
		if FitsView(c, view, b.scope) && b.loaded(c) && (b.tag == "" || c.HasTag(b.tag)) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return parley.InboxBefore(out[i], out[j]) })
	return out
}

// UnreadTotal sums the unread visitor messages of the open conversations
// known, whatever the view.
func (b *Inbox) UnreadTotal() int {
	n := 0
	for _, c := range b.convs {
		if c.IsOpen() {
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
