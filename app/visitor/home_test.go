package visitor_test

import (
	"slices"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func homeConv(id, lastSeq uint64, status, text string, updated time.Time) parley.Conversation {
	return parley.Conversation{ID: id, LastSeq: lastSeq, Status: status, LastText: text, Updated: updated}
}

// TestChatsLanding: the first welcome chooses the view. A new visitor
// gets the composer; one with exactly one conversation, open, lands in
// it; one with more, or only past ones, on the home.
func TestChatsLanding(t *testing.T) {
	for _, tt := range []struct {
		name   string
		convs  []parley.Conversation
		home   bool
		inConv uint64
	}{
		{"new visitor", nil, false, 0},
		{"one open", []parley.Conversation{homeConv(7, 2, parley.StatusOpen, "hi", t0)}, false, 7},
		{"one queued", []parley.Conversation{homeConv(7, 1, parley.StatusQueued, "hi", t0)}, false, 7},
		{"one resolved", []parley.Conversation{homeConv(7, 2, parley.StatusResolved, "bye", t0)}, true, 0},
		{"two open", []parley.Conversation{homeConv(9, 1, parley.StatusOpen, "b", t0), homeConv(7, 1, parley.StatusOpen, "a", t0)}, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := visitor.NewChats(len(tt.convs) > 0)
			ch, eff := cs.Apply(welcome(tt.convs...), t0)
			if eff.Token != "tok" {
				t.Errorf("token %q, want the welcome's", eff.Token)
			}
			if cs.AtHome != tt.home || ch != cs.Current || cs.Current.Conv != tt.inConv {
				t.Errorf("at home %v in conversation %d; want home %v, conversation %d", cs.AtHome, cs.Current.Conv, tt.home, tt.inConv)
			}
			if got, want := cs.HasHome(), len(tt.convs) > 0; got != want {
				t.Errorf("HasHome %v, want %v", got, want)
			}
			// A later welcome (a reconnect) moves nobody.
			at := cs.AtHome
			cs.Apply(welcome(), t0)
			if cs.AtHome != at {
				t.Errorf("a reconnect's welcome changed the view")
			}
		})
	}
}

// TestChatsRouteByConversation: each frame goes to its conversation's
// chat; the home lists open ones first, then past ones, the most recently
// active first, with previews and unread counts kept current live.
func TestChatsRouteByConversation(t *testing.T) {
	cs := visitor.NewChats(true)
	cs.Apply(welcome(
		homeConv(9, 2, parley.StatusResolved, "Thanks, bye", t0.Add(-time.Hour)),
		homeConv(7, 1, parley.StatusOpen, "Where is my order?", t0.Add(-2*time.Hour)),
		homeConv(5, 3, parley.StatusResolved, "Old one", t0.Add(-48*time.Hour)),
	), t0)
	if !cs.AtHome {
		t.Fatal("three conversations: want the home")
	}
	ids := func() []uint64 {
		var out []uint64
		for _, r := range cs.Rows("Coffee Shop", nil) {
			out = append(out, r.ID)
		}
		return out
	}
	if got, want := ids(), []uint64{7, 9, 5}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v: open first, then past ones, newest first", got, want)
	}

	// The history of 7 replays into 7's chat only.
	cs.Apply(msgFrame(7, 1, "v1", me, "Where is my order?"), t0)
	// A live reply in the old conversation 5: its row moves up among the
	// past ones and shows it unread.
	reply := msgFrame(5, 4, "a1", ann, "<b>It shipped</b>")
	reply.At = t0.UnixMilli()
	ch, _ := cs.Apply(reply, t0)
	if ch != cs.Chat(5) || cs.Chat(5).Thread.Len() != 1 || cs.Chat(7).Thread.Len() != 1 {
		t.Fatalf("the reply went to %+v; chat 5 holds %d, chat 7 %d", ch, cs.Chat(5).Thread.Len(), cs.Chat(7).Thread.Len())
	}
	if got, want := ids(), []uint64{7, 5, 9}; !slices.Equal(got, want) {
		t.Errorf("rows after a reply in 5: %v, want %v", got, want)
	}
	rows := cs.Rows("Coffee Shop", nil)
	if r := rows[1]; r.Preview != "<b>It shipped</b>" || r.Unread != 1 || r.Who != "Coffee Shop" || r.Status != "resolved" {
		t.Errorf("row of 5: %+v", r)
	}
	if cs.Unread() != 1 {
		t.Errorf("Unread %d, want 1", cs.Unread())
	}
	// An agents-only entry never reaches a visitor; were one to, it would
	// not be a preview.
	note := msgFrame(7, 2, "n1", ann, "secret note")
	note.Internal = true
	cs.Apply(note, t0)
	if c, _ := cs.Home.Conversation(7); c.LastText == "secret note" {
		t.Errorf("a note became the preview")
	}
	// A conv frame names the agent answering.
	c7 := homeConv(7, 1, parley.StatusOpen, "Where is my order?", t0.Add(-2*time.Hour))
	c7.AssigneeName = "Ann"
	cs.Apply(parley.Frame{Type: parley.TypeConv, Conversation: &c7}, t0)
	if r := cs.Rows("Coffee Shop", nil)[0]; r.Who != "Ann" || r.Status != "open" {
		t.Errorf("row of 7 after its conv frame: %+v", r)
	}

	// Opening a row shows that chat; typing and queue frames of another
	// conversation leave it alone.
	if !cs.Open(5) || cs.AtHome || cs.Current != cs.Chat(5) {
		t.Fatalf("Open(5): at home %v, current %d", cs.AtHome, cs.Current.Conv)
	}
	cs.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: ann}, t0)
	if n := cs.Chat(5).Typing.Names(t0); len(n) != 0 {
		t.Errorf("typing in 7 shows in 5: %v", n)
	}
	cs.Back()
	if !cs.AtHome {
		t.Error("Back: not at home")
	}
	if cs.Open(42) {
		t.Error("Open of an unknown conversation succeeded")
	}
}

// TestChatsNewConversation: "New conversation" gives a fresh chat whose
// first message asks for a new conversation (only the first); its ack
// makes it that conversation's chat, listed on the home; a refusal asks
// again with the next message.
func TestChatsNewConversation(t *testing.T) {
	cs := visitor.NewChats(true)
	cs.Apply(welcome(homeConv(7, 2, parley.StatusOpen, "hi", t0), homeConv(5, 2, parley.StatusResolved, "bye", t0)), t0)
	cs.StartNew()
	fresh := cs.Current
	if cs.AtHome || fresh.Conv != 0 || !fresh.New {
		t.Fatalf("StartNew: at home %v, conv %d, new %v", cs.AtHome, fresh.Conv, fresh.New)
	}
	if !fresh.TakeNew() {
		t.Fatal("the first message does not ask for a new conversation")
	}
	first := parley.Frame{Type: parley.TypeSend, ID: "m1", New: true, Text: "gift wrap?"}
	fresh.Sent(first)
	// The limit refused it: the next message asks again.
	cs.Apply(parley.Frame{Type: parley.TypeError, ID: "m1", Code: parley.EConflict, Message: "You have 5 open conversations already"}, t0)
	if len(fresh.Failed) != 1 || !fresh.TakeNew() || fresh.TakeNew() {
		t.Fatalf("after the refusal: failed %d; want the next message to ask for a new conversation, once", len(fresh.Failed))
	}
	second := parley.Frame{Type: parley.TypeSend, ID: "m2", New: true, Text: "gift wrap, please"}
	fresh.Sent(second)
	cs.SetOutbox([]parley.Frame{second, {Type: parley.TypeSend, ID: "x", Conv: 7, Text: "in seven"}})
	if len(fresh.Outbox) != 1 || fresh.Outbox[0].ID != "m2" || len(cs.Chat(7).Outbox) != 1 {
		t.Errorf("outbox split: fresh %+v, chat 7 %+v", fresh.Outbox, cs.Chat(7).Outbox)
	}
	// The server announces the new conversation, then acks.
	c11 := homeConv(11, 0, parley.StatusQueued, "", t0)
	cs.Apply(parley.Frame{Type: parley.TypeConv, Conversation: &c11}, t0)
	cs.Apply(parley.Frame{Type: parley.TypeAck, ID: "m2", Conv: 11, Seq: 1, At: t0.UnixMilli()}, t0)
	cs.Apply(msgFrame(11, 1, "m2", me, "gift wrap, please"), t0)
	if cs.Chat(11) != fresh || cs.Current != fresh || fresh.Conv != 11 || cs.Chat(7) == fresh {
		t.Fatalf("after the ack: chat 11 %p, fresh %p (conv %d)", cs.Chat(11), fresh, fresh.Conv)
	}
	if r := cs.Rows("Shop", nil); len(r) != 3 || r[0].ID != 11 && r[1].ID != 11 || r[0].Status == "resolved" {
		t.Errorf("rows %+v, want 11 among the open ones", r)
	}
	// Another "New conversation" is another fresh chat.
	cs.StartNew()
	if cs.Current == fresh || cs.Current.Conv != 0 || !cs.Current.New {
		t.Errorf("a second StartNew reused conversation %d", cs.Current.Conv)
	}
}

// TestChatsOutboxBeforeWelcome: an outbox restored from storage before the
// welcome waits for its conversation's chat: the visitor still lands in
// their one open conversation, the message shown there.
func TestChatsOutboxBeforeWelcome(t *testing.T) {
	cs := visitor.NewChats(true)
	cs.SetOutbox([]parley.Frame{{Type: parley.TypeSend, ID: "o1", Conv: 7, Text: "still there?"}})
	if len(cs.Current.Outbox) != 0 {
		t.Fatalf("the composer's chat holds conversation 7's message: %+v", cs.Current.Outbox)
	}
	cs.Apply(welcome(homeConv(7, 2, parley.StatusOpen, "hi", t0)), t0)
	if cs.AtHome || cs.Current.Conv != 7 || len(cs.Current.Outbox) != 1 {
		t.Errorf("after the welcome: home %v, conversation %d, outbox %+v; want conversation 7 with its message",
			cs.AtHome, cs.Current.Conv, cs.Current.Outbox)
	}
}

// Paths into a loaded HomeView: the component, its root div, then the slot.
const (
	homeHeader = iota
	homeBanner
	homeAnnouncement
	homeBody
)

func TestHomeView(t *testing.T) {
	h := &visitor.HomeView{
		Title: "Coffee Shop",
		Intro: "Hello there",
		Rows: []visitor.HomeRow{
			{ID: 7, Who: "Ann", Preview: "<script>x</script>", At: t0, Status: "open", Unread: 2},
			{ID: 5, Who: "Coffee Shop", At: t0.Add(-48 * time.Hour), Status: "resolved"},
		},
		Now:    t0,
		OnNew:  func(app.Context) {},
		OnOpen: func(app.Context, uint64) {},
	}
	load(t, h)
	match(t, app.Div().ID("parley").Class("widget widget-home").Attr("role", "main"), h, 0)
	match(t, app.Text("Coffee Shop"), h, 0, homeHeader, 0, 0)
	match(t, app.Span().Class("banner-none"), h, 0, homeBanner)
	match(t, app.Text("Hello there"), h, 0, homeBody, 0, 0)
	match(t, app.Button().ID(visitor.HomeNewID).Class("home-new").Type("button").OnClick(func(app.Context, app.Event) {}), h, 0, homeBody, 2)
	match(t, app.Text(visitor.NewConversationText), h, 0, homeBody, 2, 0)
	match(t, app.Text(visitor.HomeHeading), h, 0, homeBody, 3, 0)
	// Each row is a button, labelled for screen readers.
	match(t, app.Button().ID(visitor.HomeRowID(7)).Class("home-row home-row-open").Type("button").
		Aria("label", "Ann, Open, 2 unread: <script>x</script>").OnClick(func(app.Context, app.Event) {}), h, 0, homeBody, 4, 0, 0)
	match(t, app.Text("Ann"), h, 0, homeBody, 4, 0, 0, 1, 0, 0, 0)
	match(t, app.Text("Open"), h, 0, homeBody, 4, 0, 0, 1, 0, 1, 0)
	match(t, app.Text("10:00"), h, 0, homeBody, 4, 0, 0, 1, 0, 2, 0)
	// The preview is text, never markup.
	match(t, app.Text("<script>x</script>"), h, 0, homeBody, 4, 0, 0, 1, 1, 0)
	match(t, app.Text("2"), h, 0, homeBody, 4, 0, 0, 2, 0)
	match(t, app.Button().ID(visitor.HomeRowID(5)).Class("home-row home-row-resolved").Type("button").
		Aria("label", "Coffee Shop, Resolved: No messages yet").OnClick(func(app.Context, app.Event) {}), h, 0, homeBody, 4, 1, 0)
	match(t, app.Text("Mar 10"), h, 0, homeBody, 4, 1, 0, 1, 0, 2, 0)
	match(t, app.Span().Class("home-unread-none"), h, 0, homeBody, 4, 1, 0, 2)

	// A site that hides its chat while closed offers no new one.
	closed := &visitor.HomeView{Title: "Coffee Shop", Hours: "We're closed", NoNew: true, Now: t0}
	load(t, closed)
	match(t, app.Span().Class("home-new-none"), closed, 0, homeBody, 2)
	match(t, app.Text("We're closed"), closed, 0, homeHeader, 2, 0)
	match(t, app.Span().Class("away-message-none"), closed, 0, homeBody, 1)
	// The shop's away message shows under the welcome.
	closed = &visitor.HomeView{Title: "Coffee Shop", Hours: "We're closed", Away: "Back after the holidays.", NoNew: true, Now: t0}
	load(t, closed)
	match(t, app.P().ID(visitor.AwayMessageID).Class("away-message"), closed, 0, homeBody, 1)
	match(t, app.Text("Back after the holidays."), closed, 0, homeBody, 1, 0)
}

// TestPanelBack: the arrow back to the home shows when the widget has one.
func TestPanelBack(t *testing.T) {
	p := &visitor.Panel{Now: t0, OnBack: func(app.Context) {}}
	load(t, p)
	match(t, app.Button().ID("back").Class("widget-back").Type("button").Aria("label", visitor.BackLabel).
		Title(visitor.BackLabel).OnClick(func(app.Context, app.Event) {}), p, 0, slotHeader, 4)
	none := &visitor.Panel{Now: t0}
	load(t, none)
	match(t, app.Span().Class("widget-back-none"), none, 0, slotHeader, 4)
}

// The home's root is the chat's: the main landmark, in the site's colour
// with readable text on it.
func TestHomeViewColour(t *testing.T) {
	for _, color := range []string{"#ffd54f", "#aa3366"} {
		h := &visitor.HomeView{Color: color, Now: t0}
		load(t, h)
		bg, fg := parley.Readable(color)
		match(t, app.Div().ID("parley").Class("widget widget-home").Style("--parley-color", bg).Style("--parley-on-color", fg).Attr("role", "main"), h, 0)
	}
}
