package visitor

import (
	"slices"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Texts of the home.
const (
	NewConversationText = "New conversation"
	HomeHeading         = "Your conversations"
	BackLabel           = "Back to your conversations"
)

// HomeNewID is the id of the home's "New conversation" button; a row's is
// HomeRowID of its conversation.
const HomeNewID = "home-new"

// HomeRowID is the id of the home's row of conversation conv.
func HomeRowID(conv uint64) string { return "home-conv-" + strconv.FormatUint(conv, 10) }

// Home is the list of the visitor's conversations as the home shows them:
// the welcome's (their copies, newest first), kept current by conv and msg
// frames. It does no IO.
type Home struct {
	convs map[uint64]parley.Conversation
}

// Apply folds one server frame into the list.
func (h *Home) Apply(f parley.Frame) {
	if h.convs == nil {
		h.convs = make(map[uint64]parley.Conversation)
	}
	switch f.Type {
	case parley.TypeWelcome:
		for _, c := range f.Conversations {
			h.convs[c.ID] = c
		}
	case parley.TypeConv:
		if c := f.Conversation; c != nil {
			// The whole conversation: the last one received is right.
			h.convs[c.ID] = *c
		}
	case parley.TypeMsg:
		m := f.ToMessage()
		if m.Conv == 0 || m.Internal {
			return
		}
		c, ok := h.convs[m.Conv]
		if !ok {
			// Its conv frame may come later: it is open, it just began.
			c = parley.Conversation{ID: m.Conv, Status: parley.StatusOpen, Created: time.UnixMilli(m.At).UTC()}
		}
		// History replayed is older than the welcome's copy: ignored.
		if c.Advance(m) || !ok {
			h.convs[m.Conv] = c
		}
	}
}

// Len is how many conversations the visitor has.
func (h *Home) Len() int { return len(h.convs) }

// Conversation returns the visitor's copy of conversation id.
func (h *Home) Conversation(id uint64) (parley.Conversation, bool) {
	c, ok := h.convs[id]
	return c, ok
}

// List returns the conversations as the home lists them: the open ones
// first, then the past ones, each the most recently active first.
func (h *Home) List() []parley.Conversation {
	out := make([]parley.Conversation, 0, len(h.convs))
	for _, c := range h.convs {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b parley.Conversation) int {
		if ao, bo := a.IsOpen(), b.IsOpen(); ao != bo {
			if ao {
				return -1
			}
			return 1
		}
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	return out
}

// Chats is every conversation of the visitor as the widget holds them:
// a Chat each, the home's list, the conversation not started yet (the
// composer of a new visitor, or after "New conversation"), and what is on
// screen. It routes each frame to the Chat it concerns. It does no IO.
type Chats struct {
	Home Home
	// Current is the chat shown when not AtHome.
	Current *Chat
	AtHome  bool

	byID map[uint64]*Chat
	// fresh is the chat with no conversation yet, nil when none.
	fresh    *Chat
	limits   parley.Limits
	welcomed bool
	// outbox is the client's, as last told.
	outbox []parley.Frame
	// decided: the first welcome chose what to show.
	decided bool
}

// NewChats returns the chats of a widget that has heard nothing yet:
// returning says the visitor came with a token.
func NewChats(returning bool) *Chats {
	c := NewChat()
	c.Returning = returning
	return &Chats{Current: c, fresh: c, byID: make(map[uint64]*Chat), limits: parley.DefaultLimits}
}

func (cs *Chats) newChat() *Chat {
	c := NewChat()
	c.Limits = cs.limits
	c.welcomed = cs.welcomed
	return c
}

// Chat returns the chat of conversation id, nil when there is none.
func (cs *Chats) Chat(id uint64) *Chat { return cs.byID[id] }

// Apply folds one server frame into the chat it concerns, which it
// returns with the frame's effects.
func (cs *Chats) Apply(f parley.Frame, now time.Time) (*Chat, Effects) {
	cs.Home.Apply(f)
	switch f.Type {
	case parley.TypeWelcome:
		return cs.welcome(f, now)
	case parley.TypeError:
		if f.ID != "" {
			for _, ch := range cs.all() {
				if _, ok := ch.sent[f.ID]; ok {
					return ch, ch.Apply(f, now)
				}
			}
		}
	case parley.TypeMsg, parley.TypeAck, parley.TypeConv, parley.TypeTyping, parley.TypeRead, parley.TypeDelivered, parley.TypeQueue:
		id := f.Conv
		if f.Type == parley.TypeConv && f.Conversation != nil {
			id = f.Conversation.ID
		}
		if id == 0 {
			break
		}
		ch := cs.chatOf(id, f.ID)
		eff := ch.Apply(f, now)
		if ch.Conv != 0 && cs.byID[ch.Conv] == nil {
			cs.byID[ch.Conv] = ch
			if ch == cs.fresh {
				cs.fresh = nil
			}
			cs.spreadOutbox()
		}
		return ch, eff
	}
	return cs.Current, cs.Current.Apply(f, now)
}

// chatOf is the chat of a frame about conversation id, carrying client id
// sentID (its ack, or the visitor's own message): the conversation's; else
// the fresh chat while its first message waits for the conversation it
// starts; else a new chat, for a conversation begun elsewhere.
func (cs *Chats) chatOf(id uint64, sentID string) *Chat {
	_, ours := cs.sentByFresh(sentID)
	if ch := cs.byID[id]; ch != nil {
		if ours {
			// The fresh chat's message went to a conversation this
			// widget already holds (an ack lost, then the welcome): that
			// one takes it over.
			for k, v := range cs.fresh.sent {
				ch.sent[k] = v
			}
			if cs.Current == cs.fresh {
				cs.Current = ch
			}
			cs.fresh = nil
		}
		return ch
	}
	if f := cs.fresh; f != nil && (ours || len(f.sent) > 0 || len(f.Outbox) > 0) {
		return f
	}
	ch := cs.newChat()
	cs.byID[id] = ch
	cs.spreadOutbox()
	return ch
}

func (cs *Chats) sentByFresh(id string) (*Chat, bool) {
	if cs.fresh == nil || id == "" {
		return nil, false
	}
	_, ok := cs.fresh.sent[id]
	return cs.fresh, ok
}

// welcome gives each conversation of the welcome its chat, and on the
// first one chooses the view: a visitor with exactly one conversation, and
// it open, lands in it; one with others, or only past ones, on the home;
// a new visitor in the composer.
func (cs *Chats) welcome(f parley.Frame, now time.Time) (*Chat, Effects) {
	cs.welcomed = true
	if l := f.Limits; l != nil && l.MaxTextRunes > 0 {
		cs.limits.MaxTextRunes = l.MaxTextRunes
	}
	one := f
	one.Token = ""
	for _, conv := range f.Conversations {
		ch := cs.byID[conv.ID]
		if ch == nil {
			ch = cs.newChat()
			cs.byID[conv.ID] = ch
		}
		one.Conversations = []parley.Conversation{conv}
		ch.Apply(one, now)
	}
	if cs.fresh != nil {
		one.Conversations = nil
		cs.fresh.Apply(one, now)
	}
	cs.spreadOutbox()
	if !cs.decided {
		cs.decided = true
		if cs.Current == cs.fresh && cs.fresh.idle() {
			list := cs.Home.List()
			switch {
			case len(list) == 1 && list[0].IsOpen() && cs.byID[list[0].ID] != nil:
				cs.Current = cs.byID[list[0].ID]
			case len(list) > 0:
				cs.AtHome = true
			}
		}
	}
	return cs.Current, Effects{Token: f.Token}
}

// all returns every chat: the fresh one first.
func (cs *Chats) all() []*Chat {
	out := make([]*Chat, 0, len(cs.byID)+1)
	if cs.fresh != nil {
		out = append(out, cs.fresh)
	}
	for _, ch := range cs.byID {
		out = append(out, ch)
	}
	return out
}

// Open shows conversation id; false when the widget holds no such one.
func (cs *Chats) Open(id uint64) bool {
	ch := cs.byID[id]
	if ch == nil {
		return false
	}
	cs.Current, cs.AtHome = ch, false
	return true
}

// StartNew shows the composer of a new conversation. A visitor who has
// conversations asks for a new one explicitly (Chat.New): their open one
// would take the message otherwise.
func (cs *Chats) StartNew() {
	if cs.fresh == nil {
		cs.fresh = cs.newChat()
	}
	cs.fresh.New = cs.fresh.New || len(cs.byID) > 0 && cs.fresh.idle()
	cs.Current, cs.AtHome = cs.fresh, false
}

// Back shows the home.
func (cs *Chats) Back() { cs.AtHome = true }

// HasHome says whether there is a home to go back to: the visitor has a
// conversation besides the one shown, or the one shown exists.
func (cs *Chats) HasHome() bool { return cs.Home.Len() > 0 }

// SetOutbox gives each chat its part of the client's outbox: the frames
// of its conversation; a new conversation's (conv 0) go to the chat that
// sent them, else to the fresh one.
func (cs *Chats) SetOutbox(fs []parley.Frame) {
	cs.outbox = fs
	cs.spreadOutbox()
}

// spreadOutbox gives each chat its part of the outbox. A frame of a
// conversation no chat holds yet (an outbox restored before the welcome)
// waits for that chat.
func (cs *Chats) spreadOutbox() {
	parts := make(map[*Chat][]parley.Frame)
	for _, f := range cs.outbox {
		var to *Chat
		if f.Conv != 0 {
			if to = cs.byID[f.Conv]; to == nil {
				continue
			}
		} else {
			for _, ch := range cs.all() {
				if _, ok := ch.sent[f.ID]; ok {
					to = ch
					break
				}
			}
			if to == nil {
				to = cs.fresh
			}
		}
		if to == nil {
			to = cs.Current
		}
		parts[to] = append(parts[to], f)
	}
	for _, ch := range cs.all() {
		ch.Outbox = parts[ch]
	}
}

// Unread counts the agents' messages the visitor has not seen, in all
// their conversations.
func (cs *Chats) Unread() int {
	n := 0
	for _, ch := range cs.all() {
		n += ch.Unread()
	}
	return n
}

// OpenConversation reports whether the visitor has an open conversation;
// known is false until the server said so.
func (cs *Chats) OpenConversation() (open, known bool) {
	for _, ch := range cs.all() {
		if o, _ := ch.OpenConversation(); o {
			return true, cs.welcomed
		}
	}
	return false, cs.welcomed
}

// HomeRow is one conversation in the home's list.
type HomeRow struct {
	ID uint64
	// Who is the other party: the agent answering, else the topic, else
	// the site.
	Who string
	// Preview is the newest message the visitor may see, as text.
	Preview string
	At      time.Time
	// Status is "open", "waiting" (queued) or "resolved".
	Status string
	// Unread counts the agents' messages the visitor has not seen.
	Unread int
}

// Rows are the home's rows; title is the site's name, topics its pre-chat
// topics (to name a conversation's).
func (cs *Chats) Rows(title string, topics []parley.Topic) []HomeRow {
	list := cs.Home.List()
	rows := make([]HomeRow, 0, len(list))
	for _, c := range list {
		who := c.AssigneeName
		if who == "" && c.Topic != "" {
			for _, t := range topics {
				if t.ID == c.Topic {
					who = t.Name
				}
			}
		}
		if who == "" {
			who = title
		}
		if who == "" {
			who = DefaultTitle
		}
		status := "resolved"
		switch c.Status {
		case parley.StatusQueued:
			status = "waiting"
		case parley.StatusOpen:
			status = "open"
		}
		r := HomeRow{ID: c.ID, Who: who, Preview: c.LastText, At: c.Updated, Status: status}
		if ch := cs.byID[c.ID]; ch != nil {
			r.Unread = ch.Unread()
		}
		rows = append(rows, r)
	}
	return rows
}

// HomeView is the widget's home: the site's header and welcome, "New
// conversation", and the visitor's conversations. It only renders its
// props; Widget owns the state.
type HomeView struct {
	app.Compo

	// Lang is the visitor's language.
	Lang i18n.Lang

	Title string
	Color string
	Intro string
	Rows  []HomeRow
	Now   time.Time
	// Banner is the connection notice; Hours says the site is closed, and
	// Away is the shop's own away message then (AwayMessage).
	Banner    string
	Hours     string
	Away      string
	ShowClose bool
	// NoNew takes "New conversation" away: the site is closed and hides
	// its chat (Hours says so).
	NoNew   bool
	OnNew   func(ctx app.Context)
	OnOpen  func(ctx app.Context, conv uint64)
	OnClose func(ctx app.Context)
	// Announcement, when set, is the site's banner under the header.
	Announcement *AnnouncementBanner
}

// Render implements app.Composer.
func (h *HomeView) Render() app.UI {
	root := widgetRoot("widget widget-home", h.Color)
	title := h.Title
	if title == "" {
		title = h.Lang.T(DefaultTitle)
	}
	closeBtn := closeButton(h.Lang, h.ShowClose, h.OnClose)
	var hours app.UI = app.Span().Class("widget-hours-none")
	if h.Hours != "" {
		hours = app.P().ID("hours").Class("widget-hours").Role("status").Text(h.Hours)
	}
	var banner app.UI = app.Span().Class("banner-none")
	if h.Banner != "" {
		banner = app.Div().ID("offline").Class("banner banner-offline").Role("status").Text(h.Banner)
	}
	intro := h.Intro
	if intro == "" {
		intro = h.Lang.T(IntroText)
	}
	var away app.UI = app.Span().Class("away-message-none")
	if h.Away != "" {
		away = app.P().ID(AwayMessageID).Class("away-message").Text(h.Away)
	}
	var start app.UI = app.Span().Class("home-new-none")
	if !h.NoNew {
		onNew := h.OnNew
		start = app.Button().ID(HomeNewID).Class("home-new").Type("button").
			OnClick(func(ctx app.Context, e app.Event) {
				if onNew != nil {
					onNew(ctx)
				}
			}).
			Text(h.Lang.T(NewConversationText))
	}
	rows := make([]app.UI, 0, len(h.Rows))
	for _, r := range h.Rows {
		rows = append(rows, app.Li().Class("home-item").Body(h.row(r)))
	}
	return root.Body(
		app.Div().Class("widget-header").Body(
			app.H1().Class("widget-title").Text(title),
			closeBtn,
			hours,
		),
		banner,
		announcementSlot(h.Announcement),
		app.Div().ID(ui.ScrollerID).Class("widget-body home-body").Body(
			app.Div().Class("intro").Text(intro),
			away,
			start,
			app.H2().Class("home-heading").Text(h.Lang.T(HomeHeading)),
			app.Ul().ID("home-list").Class("home-list").Body(rows...),
		),
		app.Div().Class("widget-footer").Text(h.Lang.T("Powered by Parley")),
	)
}

func (h *HomeView) row(r HomeRow) app.UI {
	onOpen, id := h.OnOpen, r.ID
	l := h.Lang
	if r.Who == DefaultTitle {
		r.Who = l.T(DefaultTitle)
	}
	status := map[string]string{"open": l.T("Open"), "waiting": l.T("Waiting"), "resolved": l.T("Resolved")}[r.Status]
	var unread app.UI = app.Span().Class("home-unread-none")
	label := r.Who + ", " + status
	if r.Unread > 0 {
		n := strconv.Itoa(r.Unread)
		unread = app.Span().Class("home-unread").Aria("hidden", "true").Text(n)
		label += ", " + l.N(r.Unread, "%d unread", "%d unread", r.Unread)
	}
	preview := r.Preview
	if preview == "" {
		preview = l.T("No messages yet")
	}
	return app.Button().ID(HomeRowID(r.ID)).Class("home-row home-row-"+r.Status).Type("button").
		Aria("label", label+": "+preview).
		OnClick(func(ctx app.Context, e app.Event) {
			if onOpen != nil {
				onOpen(ctx, id)
			}
		}).
		Body(
			app.Span().Class("avatar").Aria("hidden", "true").Text(parley.Initials(r.Who)),
			app.Span().Class("home-row-main").Body(
				app.Span().Class("home-row-top").Body(
					app.Span().Class("home-row-who").Text(r.Who),
					app.Span().Class("home-row-status").Text(status),
					app.Span().Class("home-row-time").Text(ui.ShortTimeIn(l, r.At, h.Now)),
				),
				app.Span().Class("home-row-preview").Text(preview),
			),
			unread,
		)
}
