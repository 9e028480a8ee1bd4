package parley

import (
	"strconv"
	"strings"
)

// InboxPageSize is how many open conversations an inbox welcome lists, and
// the default page of GET /api/conversations. With the bounded fields of a
// conversation it bounds the welcome's size (docs/protocol.md works it out).
const InboxPageSize = 50

// MaxInboxPage bounds the limit of one page of GET /api/conversations.
const MaxInboxPage = 200

// Counts are the sizes of an agent's inbox views, in total and per site the
// agent is a member of (every such site is listed, with zeros). Open is the
// only view today; later views (the queue, mine, a team's) add a field
// each, counted the same way in the total and in BySite. A per-site entry
// has no BySite of its own.
type Counts struct {
	Open int `json:"open"`
	// Queue counts the queued conversations of the agent's teams (of every
	// team for a site's owners and admins), Mine those assigned to the
	// agent, Team the open ones of its teams.
	Queue  int               `json:"queue"`
	Mine   int               `json:"mine"`
	Team   int               `json:"team"`
	BySite map[string]Counts `json:"bySite,omitempty"`
}

// AddOpen changes the open count of site, and the total, by n; it never
// takes either below zero.
func (c *Counts) AddOpen(site string, n int) {
	c.Open = max(0, c.Open+n)
	if c.BySite == nil {
		c.BySite = make(map[string]Counts)
	}
	s := c.BySite[site]
	s.Open = max(0, s.Open+n)
	c.BySite[site] = s
}

// ConversationPage is one page of GET /api/conversations: conversations in
// inbox order, and the cursor of the next page, "" after the last.
type ConversationPage struct {
	Conversations []Conversation `json:"conversations"`
	Next          string         `json:"next"`
}

// InboxBefore reports whether a comes before b in the inbox: the most
// recently updated first, the higher id first among equals. Every list of
// conversations (the welcome, the pages, the console) uses this order.
func InboxBefore(a, b Conversation) bool {
	return CursorOf(a).After(CursorOf(b))
}

// Cursor is a position in the inbox order: a conversation's Updated (Unix
// milliseconds, as stored) and id. A page "before" a cursor holds the
// conversations that come after it in the inbox. On the wire it is an
// opaque string ("" for the top); CursorOf(c).String() is the cursor just
// past c.
type Cursor struct {
	Updated int64
	ID      uint64
}

// CursorOf is the position of c.
func CursorOf(c Conversation) Cursor {
	return Cursor{Updated: c.Updated.UnixMilli(), ID: c.ID}
}

// IsZero says the cursor is the top of the inbox: nothing comes before it.
func (c Cursor) IsZero() bool { return c == Cursor{} }

// After reports whether c comes before d in the inbox (is newer).
func (c Cursor) After(d Cursor) bool {
	if c.Updated != d.Updated {
		return c.Updated > d.Updated
	}
	return c.ID > d.ID
}

// String encodes the cursor; the zero cursor is "".
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.Updated, 10) + "_" + strconv.FormatUint(c.ID, 10)
}

// ParseCursor decodes a cursor that String made; "" is the zero cursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := Errorf(EInvalid, "The cursor %q is not one this server gave out.", Truncate(s, 40))
	at, id, ok := strings.Cut(s, "_")
	if !ok {
		return Cursor{}, bad
	}
	updated, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseUint(id, 10, 64)
	if err1 != nil || err2 != nil || n == 0 {
		return Cursor{}, bad
	}
	return Cursor{Updated: updated, ID: n}, nil
}

// VisitorWelcomeSize is how many of a visitor's conversations, the newest,
// their welcome lists: the widget's home.
const VisitorWelcomeSize = 20

// MaxOpenPerVisitor bounds the open conversations of one visitor: a send
// that would start one more is refused, so that a script cannot flood the
// queues.
const MaxOpenPerVisitor = 5
