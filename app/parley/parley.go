// Package parley holds Parley's domain types and wire frames: sites, agents,
// visitors, conversations, messages, the frames both sides of the websocket
// speak, the error type with codes, the limits, and the arithmetic of the
// proof of work a flooded site asks of new visitors.
//
// It is imported by everything — the wasm apps under app/ and the server under
// server/ — so it may import the standard library only.
package parley

import "time"

// Role says who is on the other end of a connection.
type Role string

const (
	RoleVisitor Role = "visitor"
	RoleAgent   Role = "agent"
)

// Agent roles across the install. An admin is made by `parley admin add`
// and becomes an owner of the sites created after it; what an agent may see
// and do on a site is its Member role there.
const (
	AgentRoleAdmin = "admin"
	AgentRoleAgent = "agent"
)

// Site roles: what a member may do on one site. Owners and admins change
// the site's settings; agents answer its chats. An agent who is no member
// of a site sees nothing of it.
const (
	SiteRoleOwner = "owner"
	SiteRoleAdmin = "admin"
	SiteRoleAgent = "agent"
)

// ValidSiteRole says whether role is one of the site roles.
func ValidSiteRole(role string) bool {
	return role == SiteRoleOwner || role == SiteRoleAdmin || role == SiteRoleAgent
}

// CanManageSite says whether a member with role may change the site.
func CanManageSite(role string) bool {
	return role == SiteRoleOwner || role == SiteRoleAdmin
}

// Member is an agent's membership of a site.
type Member struct {
	Site  string `json:"site"`
	Agent uint64 `json:"agent"`
	Role  string `json:"role"`
}

// Site is one shop that embeds the widget.
type Site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// AllowedOrigins lists where the widget may run, as CSP host sources:
	// "https://shop.example", "*.example.com", "http://127.0.0.1:8081".
	AllowedOrigins []string `json:"allowedOrigins"`
	// Title and Welcome are shown at the top of the open widget.
	Title   string `json:"title"`
	Welcome string `json:"welcome"`
	// WelcomeByLang is the welcome in other languages (Translations).
	WelcomeByLang Translations `json:"welcomeByLang,omitempty"`
	// AwayMessage is the shop's own line for a visitor who finds it
	// closed or with nobody online, under the widget's built-in one;
	// BusyMessage the shop's own line under the busy offer (past
	// Routing.BusyMinutes). Empty: the built-in texts only. Each has its
	// translations (Translations).
	AwayMessage       string       `json:"awayMessage,omitempty"`
	AwayMessageByLang Translations `json:"awayMessageByLang,omitempty"`
	BusyMessage       string       `json:"busyMessage,omitempty"`
	BusyMessageByLang Translations `json:"busyMessageByLang,omitempty"`
	// Color is the launcher and header colour, "#rrggbb".
	Color string `json:"color"`
	// Position is the launcher's corner, PositionRight (the default) or
	// PositionLeft; LauncherLabel is optional text beside its icon ("Chat
	// with us"), which makes it a pill; Theme is ThemeAuto (the default,
	// following the visitor's prefers-color-scheme), ThemeLight or ThemeDark.
	Position      string    `json:"position,omitempty"`
	LauncherLabel string    `json:"launcherLabel,omitempty"`
	Theme         string    `json:"theme,omitempty"`
	Proactive     Proactive `json:"proactive"`
	// Routing is the site's teams, topics, pre-chat form and requeue grace.
	Routing Routing `json:"routing"`
	// Mail is the site's email settings.
	Mail MailSettings `json:"mail"`
	// EditMinutes is how long after sending a message its author may
	// edit or delete it: 1–60, 0 for DefaultEditMinutes, -1 for never.
	EditMinutes int `json:"editMinutes,omitempty"`
	// TypingPreview shows agents what a visitor types before they send
	// it (typing frames carry the draft); the widget tells the visitor.
	TypingPreview bool `json:"typingPreview,omitempty"`
	// Files are the site's limits on attachments.
	Files FileSettings `json:"files,omitzero"`
	// Ratings are the satisfaction rating and the Net Promoter question
	// asked after a resolved chat (rating.go).
	Ratings RatingSettings `json:"ratings,omitzero"`
	// Announcements are the site's banners, at most MaxAnnouncements;
	// the first one in its window and matching the page shows.
	Announcements []Announcement `json:"announcements,omitempty"`
	// Contact is shown by the loader when the chat cannot load.
	Contact Contact `json:"contact,omitzero"`
}

// MaxDraftRunes bounds a typing preview's draft: its end is what agents
// read.
const MaxDraftRunes = 500

// Edit windows.
const (
	DefaultEditMinutes = 5
	MaxEditMinutes     = 60
)

// EditWindow is how long a message of s can be edited or deleted by its
// author; 0: it cannot.
func (s Site) EditWindow() time.Duration {
	switch {
	case s.EditMinutes < 0:
		return 0
	case s.EditMinutes == 0:
		return DefaultEditMinutes * time.Minute
	}
	return time.Duration(s.EditMinutes) * time.Minute
}

// Proactive is the "greet after N seconds on pages matching a pattern" rule.
type Proactive struct {
	Enabled bool `json:"enabled"`
	// DelaySeconds after the page loaded before the greeting opens the widget.
	DelaySeconds int `json:"delaySeconds"`
	// PagePattern matches the page path (and query), '*' matching any run of
	// characters: "/products/*". Empty matches every page.
	PagePattern string `json:"pagePattern"`
	// Message is the greeting. It becomes the first message of the transcript
	// when the visitor answers.
	Message string `json:"message"`
	// MessageByLang is the greeting in other languages (Translations).
	MessageByLang Translations `json:"messageByLang,omitempty"`
}

// Agent is a person who answers chats in the console.
//
// The same type describes a colleague in a presence frame and in the
// welcome's agents, where only ID, Name, Status and Capacity are set: the
// other fields are left out of the JSON when empty.
type Agent struct {
	ID      uint64    `json:"id"`
	Email   string    `json:"email,omitempty"`
	Name    string    `json:"name"`
	Role    string    `json:"role,omitempty"`
	Created time.Time `json:"created,omitzero"`
	// Capacity is how many chats the agent takes at once,
	// MinCapacity–MaxCapacity; stored records from before it say 0,
	// which the store reads as DefaultCapacity.
	Capacity int `json:"capacity,omitempty"`
	// Status is the agent's presence (StatusOnline, StatusAway,
	// StatusOffline): set in presence frames and the welcome's agents
	// only, never stored.
	Status string `json:"status,omitempty"`
}

// Colleague is a as presence frames and the welcome list it: its id, name,
// status and capacity, nothing else.
func (a Agent) Colleague(status string) Agent {
	return Agent{ID: a.ID, Name: a.Name, Capacity: a.Capacity, Status: status}
}

// Visitor is a shop visitor, known by an unguessable token kept in the
// widget's storage. The token itself is never stored, only its hash.
type Visitor struct {
	ID      uint64    `json:"id"`
	Site    string    `json:"site"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Email, Identity and ExternalID come from the shop's identify (see
	// identity.go): Identity is IdentityVerified when the shop signed
	// ExternalID, IdentityUnverified when the name and email are only
	// what the page said, "" before any identify. ExternalID is set only
	// when verified: it is what makes devices one contact.
	Email      string `json:"email,omitempty"`
	Identity   string `json:"identity,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
}

// Conversation statuses: a conversation is queued (waiting for an agent,
// StatusQueued), open (assigned, or answered without routing), or
// resolved.
const (
	StatusOpen     = "open"
	StatusResolved = "resolved"
)

// Page is where a visitor is on the shop.
type Page struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

// Conversation is one chat between a visitor and the shop's agents.
type Conversation struct {
	ID          uint64 `json:"id"`
	Site        string `json:"site"`
	Visitor     uint64 `json:"visitor"`
	VisitorName string `json:"visitorName"`
	Status      string `json:"status"`
	// LastSeq is the sequence number of the newest entry of the
	// conversation's log (a message, a note, an event …).
	LastSeq uint64 `json:"lastSeq"`
	// LastText previews the newest message or note in the inbox.
	LastText string `json:"lastText,omitempty"`
	// PublicSeq and PublicText are LastSeq and LastText counting only the
	// entries the visitor sees. ForVisitor moves them into LastSeq and
	// LastText; a visitor never receives these two fields.
	PublicSeq  uint64 `json:"publicSeq,omitempty"`
	PublicText string `json:"publicText,omitempty"`
	// Unread counts visitor messages no agent has read yet.
	Unread int `json:"unread"`
	// AgentRead and VisitorRead are the read marks of each side.
	AgentRead   uint64 `json:"agentRead"`
	VisitorRead uint64 `json:"visitorRead"`
	// AgentDelivered and VisitorDelivered are the delivered marks of each
	// side: entries up to them reached an open device of that side. The
	// server keeps them in memory only (absent after a restart).
	AgentDelivered   uint64    `json:"agentDelivered,omitempty"`
	VisitorDelivered uint64    `json:"visitorDelivered,omitempty"`
	Page             Page      `json:"page"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`

	// Routing: the team whose queue or members the conversation is with
	// ("" is the site's implicit team of all members), the topic the
	// visitor chose, the assignee (0: none) and its name. Requeued says it
	// went back to the queue (an assignee went offline, or a transfer to a
	// team): it waits at the front.
	Team         string `json:"team,omitempty"`
	Topic        string `json:"topic,omitempty"`
	Assignee     uint64 `json:"assignee,omitempty"`
	AssigneeName string `json:"assigneeName,omitempty"`
	Requeued     bool   `json:"requeued,omitempty"`
	// Email is the address the visitor gave in the pre-chat form, or
	// by the shop's identify.
	Email string `json:"email,omitempty"`
	// Identity is the visitor's (Visitor.Identity): whether the shop
	// vouched for VisitorName and Email. Agents show it as a badge.
	Identity string `json:"identity,omitempty"`
	// The times reports need: when it last entered a queue, was last
	// assigned, got its first agent reply, was last resolved and reopened.
	Queued     time.Time `json:"queued,omitzero"`
	Assigned   time.Time `json:"assigned,omitzero"`
	FirstReply time.Time `json:"firstReply,omitzero"`
	Resolved   time.Time `json:"resolved,omitzero"`
	Reopened   time.Time `json:"reopened,omitzero"`
	// Tags are the agents' labels of the conversation (ApplyTags), for
	// agents only: a visitor's copy has none.
	Tags []string `json:"tags,omitempty"`
	// Rating is the visitor's satisfaction rating of the chat, NPS their
	// answer to the Net Promoter question, which the server asked at
	// resolve when AskNPS is set (rating.go).
	Rating *Rating `json:"rating,omitempty"`
	NPS    *Rating `json:"nps,omitempty"`
	AskNPS bool    `json:"askNps,omitempty"`
}

// IsOpen says whether the conversation is queued or open.
func (c Conversation) IsOpen() bool { return IsOpenStatus(c.Status) }

// PreviewRunes bounds LastText and PublicText.
const PreviewRunes = 140

// Advance updates the conversation's counters for a new entry m of its
// log, as the server keeps them: the newest seq and time, the preview (a
// message's or a note's text), the read marks (writing shows the writer
// has seen everything before) and the count of the visitor's messages no
// agent has read. Edits and deletions change a preview only when they
// refer to its entry, which the server announces with a conv frame. It
// reports false, changing nothing, for an entry not newer than LastSeq.
func (c *Conversation) Advance(m Message) bool {
	if m.Seq <= c.LastSeq {
		return false
	}
	c.LastSeq = m.Seq
	c.Updated = time.UnixMilli(m.At).UTC()
	public := !IsInternal(m.Kind, m.Internal)
	if public {
		c.PublicSeq = m.Seq
	}
	if m.Kind == KindEvent {
		c.applyEvent(m)
		return true
	}
	if m.Kind == KindMessage && m.From.Kind == AuthorAgent && c.FirstReply.IsZero() {
		c.FirstReply = c.Updated
	}
	if m.Kind == KindMessage || m.Kind == KindNote {
		text := Truncate(m.Text, PreviewRunes)
		if text == "" && len(m.Files) > 0 {
			text = Truncate("📎 "+m.Files[0].Name, PreviewRunes)
		}
		c.LastText = text
		if public {
			c.PublicText = text
		}
	}
	switch m.From.Kind {
	case AuthorVisitor:
		if m.Kind == KindMessage {
			c.Unread++
		}
		c.VisitorRead = m.Seq
	case AuthorAgent:
		c.AgentRead = m.Seq
		c.Unread = 0
	}
	return true
}

// applyEvent makes the routing events of the log change the conversation:
// an assignment, a transfer, a return to the queue. Events mark nothing
// read: the router writes them, not a reader.
func (c *Conversation) applyEvent(m Message) {
	at := time.UnixMilli(m.At).UTC()
	assign := func(to *Author) {
		if to == nil || to.ID == 0 {
			c.Assignee, c.AssigneeName = 0, ""
			c.Status, c.Queued, c.Requeued = StatusQueued, at, true
			return
		}
		c.Assignee, c.AssigneeName = to.ID, to.Name
		c.Status, c.Assigned, c.Requeued = StatusOpen, at, false
	}
	switch m.Event {
	case EventAssigned:
		if m.Team != "" {
			c.Team = m.Team
		}
		assign(m.To)
	case EventTransferred:
		c.Team = m.Team
		assign(m.To)
	case EventQueued:
		assign(nil)
	}
}

// ForVisitor is the conversation as its visitor may see it: the newest
// entry and preview are those of the visitor's own stream, and nothing
// tells how many agents-only entries there are, nor how agents tagged it.
func (c Conversation) ForVisitor() Conversation {
	c.LastSeq, c.LastText = c.PublicSeq, c.PublicText
	c.PublicSeq, c.PublicText = 0, ""
	c.Tags = nil
	c.Rating, c.NPS = c.Rating.forVisitor(), c.NPS.forVisitor()
	c.AgentRead = min(c.AgentRead, c.LastSeq)
	c.VisitorRead = min(c.VisitorRead, c.LastSeq)
	c.AgentDelivered = min(c.AgentDelivered, c.LastSeq)
	c.VisitorDelivered = min(c.VisitorDelivered, c.LastSeq)
	return c
}

// Author kinds.
const (
	AuthorVisitor = "visitor"
	AuthorAgent   = "agent"
	// AuthorSite is the shop itself: the proactive greeting.
	AuthorSite = "site"
)

// Author is who wrote a message.
type Author struct {
	Kind string `json:"kind"`
	ID   uint64 `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Kinds of the entries of a conversation's log. Every entry has the next
// sequence number of its conversation and travels as a msg frame; a plain
// chat message has no kind.
const (
	KindMessage = ""       // a chat message
	KindNote    = "note"   // an internal note: always agents only
	KindEvent   = "event"  // something happened to the conversation; Event names it
	KindEdit    = "edit"   // the entry Ref now reads Text
	KindDelete  = "delete" // the entry Ref was deleted: its text is gone from storage
)

// Events, the Event of a KindEvent entry.
const (
	EventQueued      = "queued"
	EventAssigned    = "assigned"
	EventTransferred = "transferred"
	EventResolved    = "resolved"
	EventReopened    = "reopened"
	EventRated       = "rated"
	EventEmailed     = "emailed"
	// EventBlocked and EventUnblocked are internal: an agent blocked the
	// visitor (or their address), or lifted the block.
	EventBlocked   = "blocked"
	EventUnblocked = "unblocked"
)

// Message is one entry of a conversation's log: a chat message, or a note,
// an event, an edit or a deletion (Kind).
type Message struct {
	Conv uint64 `json:"conv"`
	Seq  uint64 `json:"seq"`
	// ID is the client-generated id; a resend with the same ID is not stored twice.
	ID   string `json:"id"`
	From Author `json:"from"`
	Text string `json:"text"`
	// At is the commit time in Unix milliseconds.
	At int64 `json:"at"`

	Kind string `json:"kind,omitempty"`
	// Event names what happened, for KindEvent.
	Event string `json:"event,omitempty"`
	// Ref is the seq of the entry an edit or a deletion refers to.
	Ref uint64 `json:"ref,omitempty"`
	// Internal entries are for agents only: a visitor never receives them.
	Internal bool `json:"internal,omitempty"`
	// Deleted says the text was removed (a later KindDelete entry says by whom).
	Deleted bool `json:"deleted,omitempty"`

	// To is the agent an assignment or a transfer gives the conversation
	// to (nil: its team's queue); Team and TeamName the team it is with
	// afterwards (assigned, transferred).
	To       *Author `json:"to,omitempty"`
	Team     string  `json:"team,omitempty"`
	TeamName string  `json:"teamName,omitempty"`

	// Card and Replies make an agent's message rich (rich.go).
	Card    *Card    `json:"card,omitempty"`
	Replies []string `json:"replies,omitempty"`
	// Files are a chat message's attachments.
	Files []File `json:"files,omitempty"`
}

// IsInternal says whether only agents may see entries of kind k with the
// internal flag set as given: notes always are.
func IsInternal(kind string, internal bool) bool {
	return internal || kind == KindNote
}
