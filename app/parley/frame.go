package parley

import (
	"encoding/json"
	"unicode/utf8"
)

// Frame types sent by clients.
const (
	TypeHello   = "hello"   // first frame: who I am and where I was
	TypeSend    = "send"    // a new message
	TypeResume  = "resume"  // replay a conversation after a sequence number
	TypeTyping  = "typing"  // ephemeral typing state
	TypeRead    = "read"    // read mark
	TypePage    = "page"    // visitor moved to another page
	TypeResolve = "resolve" // agent closes a conversation
	TypeEdit    = "edit"    // the author changes a message of theirs: ref, text
	TypeDelete  = "delete"  // the author deletes a message of theirs: ref
	// TypeIdentify (visitor): the shop says who the visitor is; see
	// identity.go.
	TypeIdentify = "identify"
	// TypeContext (visitor): what the shop's page says about the visitor
	// (attributes, cart, tracked events) and the device's clock; see
	// context.go. The server sends agents a context frame with the
	// visitor's whole context after each change.
	TypeContext = "context"
	// TypeDelivered: this device received the other side's entries up to
	// Seq, not necessarily seen (client → server, coalesced); the server
	// relays the other side's mark with From. Both ways, like TypeRead.
	TypeDelivered = "delivered"
	// TypeFAQ (visitor): the FAQ entries that answer Q, for the widget's
	// suggestions as the visitor types; the server answers with a faq
	// frame carrying Results (faq.go).
	TypeFAQ = "faq"
	// TypeFAQEvent (visitor): the visitor found Entry helpful (Event
	// FAQHelpful): "That helped" under a suggestion.
	TypeFAQEvent = "faq_event"
)

// FAQHelpful is the event of a faq_event frame.
const FAQHelpful = "helpful"

// Frame types sent by the server. TypeTyping and TypeRead go both ways.
const (
	TypeWelcome = "welcome" // answer to hello
	TypeAck     = "ack"     // a sent message is durable
	TypeMsg     = "msg"     // a durable message, in sequence order per conversation
	TypeSynced  = "synced"  // a replay has been sent up to Seq
	TypeConv    = "conv"    // a conversation was created or changed
	TypeError   = "error"   // a request was refused
	// TypeIdentified answers an identify: Visitor is who the device is
	// now; Token, when set, is the device's new token (it became another
	// visitor, the contact): the client says hello again with it.
	TypeIdentified = "identified"
	// TypeContactNote (to agents): a note about a contact was added,
	// edited or deleted (ContactNote; notes.go). Never to a visitor.
	TypeContactNote = "contact_note"
)

// Scopes of an agent connection (hello.scope).
const (
	// ScopeInbox follows every conversation of every site: the console's
	// inbox. An empty scope means the same.
	ScopeInbox = "inbox"
	// ScopeConversations follows only the conversations the connection
	// names: a bot, an integration or a window on one conversation.
	ScopeConversations = "conversations"
)

// Frame is every websocket frame, in both directions, as one JSON object.
// Which fields are set depends on Type; docs/protocol.md lists them.
type Frame struct {
	Type string `json:"type"`

	// hello
	Role  Role         `json:"role,omitempty"`
	Site  string       `json:"site,omitempty"`
	Token string       `json:"token,omitempty"`
	Since []ResumeFrom `json:"since,omitempty"`
	// Scope (agents): ScopeInbox, the default, follows every conversation;
	// ScopeConversations only those named in Since, resumed or sent to.
	Scope string `json:"scope,omitempty"`
	// ResumeLink (visitors) is the token of a resume link from an email,
	// opened on this device: the device becomes that link's visitor, and
	// the welcome carries its new token. A link works once.
	ResumeLink string `json:"resumeLink,omitempty"`
	// Proof (a new visitor's hello) answers the Challenge of an earlier
	// refusal: see pow.go.
	Proof *Proof `json:"proof,omitempty"`

	// send, ack, msg, error: the client message id.
	ID string `json:"id,omitempty"`
	// Conv is the conversation; a visitor may leave it 0 on send.
	Conv uint64 `json:"conv,omitempty"`
	// Seq: ack/msg sequence number, read mark, synced position.
	Seq uint64 `json:"seq,omitempty"`
	// After: resume replays messages with a sequence number above it.
	After uint64 `json:"after,omitempty"`
	Text  string `json:"text,omitempty"`
	// Greeted: the visitor's first message answers the site's proactive greeting.
	Greeted bool `json:"greeted,omitempty"`
	// Dup marks an ack for a resend of a message that was already stored.
	Dup bool `json:"dup,omitempty"`
	// Fresh (send) says this is the first time the client sends this ID,
	// so no earlier copy can be stored: the server looks for one only among
	// its newest entries. Omit it for a resend, or when unsure.
	Fresh bool `json:"fresh,omitempty"`
	// New (a visitor's send with conv 0) starts a new conversation even
	// when the visitor has an open one: the widget's "New conversation".
	New bool `json:"new,omitempty"`

	// Files (send, msg): a chat message's attachments. A send names
	// them by id only; the msg carries the server's record of each.
	Files []File `json:"files,omitempty"`

	// msg
	From *Author `json:"from,omitempty"`
	At   int64   `json:"at,omitempty"`
	// Kind, Event, Ref, Internal and Deleted: see Message.
	Kind     string `json:"kind,omitempty"`
	Event    string `json:"event,omitempty"`
	Ref      uint64 `json:"ref,omitempty"`
	Internal bool   `json:"internal,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
	// Prev (msg, and ack to a visitor) is the seq of the previous entry the
	// visitor may see, when that is not Seq-1: agents-only entries lie in
	// between. See PrevSeq.
	Prev *uint64 `json:"prev,omitempty"`

	// To, Team, TeamName (msg of an event): see Message. Team and AgentID
	// (transfer) name where a conversation goes; Text is then the internal
	// reason.
	To       *Author `json:"to,omitempty"`
	Team     string  `json:"team,omitempty"`
	TeamName string  `json:"teamName,omitempty"`
	AgentID  uint64  `json:"agentId,omitempty"`

	// Topic, Name and Email (a visitor's send that starts a conversation):
	// the answers of the pre-chat form.
	Topic string `json:"topic,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`

	// ExternalID and Signature (identify): the shop's id of the visitor
	// and its signature, lowercase hex of HMAC-SHA256(secret, ExternalID).
	// Name and Email go with them.
	ExternalID string `json:"externalId,omitempty"`
	Signature  string `json:"signature,omitempty"`
	// Add and Remove (tag): the tags to add to and remove from Conv.
	Add    []string `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`

	// Score (rate): the visitor's answer, 0 included; Kind says which
	// question (RatingCSAT, the default, or RatingNPS), Text the comment.
	Score *int `json:"score,omitempty"`

	// Queue (queue): where the visitor's conversation Conv waits.
	Queue *QueueStatus `json:"queue,omitempty"`

	// typing: On is the new state; From says who types.
	On bool `json:"on,omitempty"`

	// page
	Page *Page `json:"page,omitempty"`

	// context (visitor): a partial update; see ContextUpdate. Track holds
	// up to MaxTrackPerFrame events, so the loader's backlog goes at once.
	Attributes map[string]string `json:"attributes,omitempty"`
	Cart       *Cart             `json:"cart,omitempty"`
	Track      []TrackedEvent    `json:"track,omitempty"`
	Device     *Device           `json:"device,omitempty"`
	Referrer   string            `json:"referrer,omitempty"`
	// Lang (visitor hello and context) is the language the widget speaks
	// (app/i18n: en, pl, ro, sl, de, fr, es), the one the visitor's emails
	// are written in. Unsupported: ignored at hello, refused in context.
	Lang string `json:"lang,omitempty"`
	// context (to agents): the visitor's whole context, Visitor saying whose.
	Context *VisitorContext `json:"context,omitempty"`
	// contact_note (to agents): the note as it is now, or Deleted.
	ContactNote *ContactNote `json:"contactNote,omitempty"`

	// welcome
	Visitor       *Visitor       `json:"visitor,omitempty"`
	Agent         *Agent         `json:"agent,omitempty"`
	Conversations []Conversation `json:"conversations,omitempty"`
	Limits        *Limits        `json:"limits,omitempty"`
	// Counts, Next and PageSize (an agent's inbox welcome): Conversations
	// is the first page of the open conversations, at most PageSize of
	// them; Counts says how many there are; Next is the cursor of the next
	// page for GET /api/conversations, "" when this page is all.
	Counts   *Counts `json:"counts,omitempty"`
	Next     string  `json:"next,omitempty"`
	PageSize int     `json:"pageSize,omitempty"`

	// Agents (an agent's inbox welcome) are the agents of the sites it is
	// a member of, itself included, each with only id, name, status and
	// capacity.
	Agents []Agent `json:"agents,omitempty"`
	// Status (presence from an agent, and hello): StatusOnline or
	// StatusAway. The server's presence frames carry Agent instead.
	Status string `json:"status,omitempty"`

	// conv
	Conversation *Conversation `json:"conversation,omitempty"`

	// Card and Replies (send from an agent, msg): a product card and
	// quick replies (rich.go).
	Card    *Card    `json:"card,omitempty"`
	Replies []string `json:"replies,omitempty"`

	// Open (a visitor's welcome, and site): whether the site answers chat
	// now, by its business hours and whether anyone is online; nil is
	// open. The widget switches to the site's offline mode when it is not.
	Open *OpenState `json:"open,omitempty"`

	// faq: Q is the visitor's text (at most MaxFAQQuery characters),
	// Lang (above) the widget's language; the answer carries Results
	// (possibly none). faq_event: Entry is the entry's id.
	Q       string      `json:"q,omitempty"`
	Results []FAQResult `json:"results,omitempty"`
	Entry   string      `json:"entry,omitempty"`

	// error
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Challenge (an error EChallenge refusing a hello) is the proof of
	// work to send with the next hello.
	Challenge *Challenge `json:"challenge,omitempty"`
}

// ResumeFrom asks for the messages of Conv after sequence After.
type ResumeFrom struct {
	Conv  uint64 `json:"conv"`
	After uint64 `json:"after"`
}

// MessageFrame is the msg frame for m.
func MessageFrame(m Message) Frame {
	from := m.From
	return Frame{Type: TypeMsg, Conv: m.Conv, Seq: m.Seq, ID: m.ID, From: &from, Text: m.Text, At: m.At,
		Kind: m.Kind, Event: m.Event, Ref: m.Ref, Internal: m.Internal, Deleted: m.Deleted,
		To: m.To, Team: m.Team, TeamName: m.TeamName, Card: m.Card, Replies: m.Replies, Files: m.Files}
}

// ToMessage returns the message a msg frame carries.
func (f Frame) ToMessage() Message {
	m := Message{Conv: f.Conv, Seq: f.Seq, ID: f.ID, Text: f.Text, At: f.At,
		Kind: f.Kind, Event: f.Event, Ref: f.Ref, Internal: f.Internal, Deleted: f.Deleted,
		To: f.To, Team: f.Team, TeamName: f.TeamName, Card: f.Card, Replies: f.Replies, Files: f.Files}
	if f.From != nil {
		m.From = *f.From
	}
	return m
}

// PrevSeq is the seq of the entry before this msg (or ack) in the stream of
// the visitor: Prev when set, else Seq-1. An agent sees every entry, so
// for an agent the previous entry is always Seq-1.
func (f Frame) PrevSeq() uint64 {
	if f.Prev != nil {
		return *f.Prev
	}
	if f.Seq == 0 {
		return 0
	}
	return f.Seq - 1
}

// ErrorFrame is the error frame for err; id names the client message it refers to, if any.
func ErrorFrame(err error, id string) Frame {
	return Frame{Type: TypeError, ID: id, Code: ErrorCode(err), Message: ErrorMessage(err)}
}

// Encode returns f as JSON.
func (f Frame) Encode() []byte {
	b, err := json.Marshal(f)
	if err != nil {
		// Frame holds only strings, numbers and plain structs: Marshal cannot fail.
		panic("parley: encoding frame: " + err.Error())
	}
	return b
}

// DecodeFrame parses one text frame. It refuses invalid UTF-8 before
// decoding, since encoding/json would silently replace it, and frames
// without a type. Errors are *Error with code EInvalid.
func DecodeFrame(data []byte) (Frame, error) {
	var f Frame
	if !utf8.Valid(data) {
		return f, Errorf(EInvalid, "The frame is not valid UTF-8.")
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Frame{}, Errorf(EInvalid, "The frame is not a JSON object of the expected shape.")
	}
	if f.Type == "" {
		return Frame{}, Errorf(EInvalid, "The frame has no type.")
	}
	return f, nil
}
