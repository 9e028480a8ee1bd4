// Package parley holds Parley's domain types and wire frames: sites, agents,
// visitors, conversations, messages, the frames both sides of the websocket
// speak, the error type with codes, and the limits.
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

// Agent roles. Admins may change site settings and manage agents.
const (
	AgentRoleAdmin = "admin"
	AgentRoleAgent = "agent"
)

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
	// Color is the launcher and header colour, "#rrggbb".
	Color     string    `json:"color"`
	Proactive Proactive `json:"proactive"`
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
}

// Agent is a person who answers chats in the console.
type Agent struct {
	ID      uint64    `json:"id"`
	Email   string    `json:"email"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
}

// Visitor is a shop visitor, known by an unguessable token kept in the
// widget's storage. The token itself is never stored, only its hash.
type Visitor struct {
	ID      uint64    `json:"id"`
	Site    string    `json:"site"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// Conversation statuses.
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
	// LastSeq is the sequence number of the newest message.
	LastSeq uint64 `json:"lastSeq"`
	// LastText previews the newest message in the inbox.
	LastText string `json:"lastText,omitempty"`
	// Unread counts visitor messages no agent has read yet.
	Unread int `json:"unread"`
	// AgentRead and VisitorRead are the read marks of each side.
	AgentRead   uint64    `json:"agentRead"`
	VisitorRead uint64    `json:"visitorRead"`
	Page        Page      `json:"page"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
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

// Message is one durable chat message.
type Message struct {
	Conv uint64 `json:"conv"`
	Seq  uint64 `json:"seq"`
	// ID is the client-generated id; a resend with the same ID is not stored twice.
	ID   string `json:"id"`
	From Author `json:"from"`
	Text string `json:"text"`
	// At is the commit time in Unix milliseconds.
	At int64 `json:"at"`
}
