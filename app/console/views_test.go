package console_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func load(tb testing.TB, c app.Composer) {
	tb.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		tb.Fatalf("loading %T: %v", c, err)
	}
	e.ConsumeAll()
}

func match(tb testing.TB, want, root app.UI, path ...int) {
	tb.Helper()
	if err := app.Match(want, root, path...); err != nil {
		tb.Errorf("at %v: %v", path, err)
	}
}

func TestInboxList(t *testing.T) {
	var b console.Inbox
	b.Reset([]parley.Conversation{
		{ID: 3, Visitor: 30, VisitorName: "Vera", Status: parley.StatusOpen, Unread: 2, LastText: "hello?",
			Page: parley.Page{URL: "https://shop.example/p/1", Title: "Red shoes"}, Updated: t0.Add(-time.Minute)},
		{ID: 5, Visitor: 50, Status: parley.StatusOpen, LastText: "thanks", Page: parley.Page{URL: "https://shop.example/"},
			Updated: t0},
		{ID: 4, Visitor: 40, Status: parley.StatusResolved, Updated: t0.Add(time.Minute)},
	})
	l := &console.InboxList{Conversations: b.List(), Selected: 5, Now: t0}
	load(t, l)

	match(t, app.Text("2 open"), l, 0, 0, 1, 0)
	// Newest first: 5 (selected, read), then 3 (two unread).
	match(t, app.A().Class("inbox-item selected").Href("/console/c/5").DataSet("conv", 5).Aria("current", "page"), l, 0, 1, 0, 0)
	match(t, app.Text("Visitor 50"), l, 0, 1, 0, 0, 0, 0, 0)
	match(t, app.Text("10:00"), l, 0, 1, 0, 0, 0, 1, 0)
	match(t, app.Span().Class("unread-none"), l, 0, 1, 0, 0, 1, 1)
	match(t, app.Text("https://shop.example/"), l, 0, 1, 0, 0, 2, 0, 0)

	match(t, app.A().Class("inbox-item inbox-item-unread").Href("/console/c/3").DataSet("conv", 3), l, 0, 1, 1, 0)
	match(t, app.Text("Vera"), l, 0, 1, 1, 0, 0, 0, 0)
	match(t, app.Text("hello?"), l, 0, 1, 1, 0, 1, 0, 0)
	match(t, app.Span().Class("unread").Aria("label", "2 unread"), l, 0, 1, 1, 0, 1, 1)
	match(t, app.Text("2"), l, 0, 1, 1, 0, 1, 1, 0)
	match(t, app.Span().Class("inbox-page").Title("https://shop.example/p/1"), l, 0, 1, 1, 0, 2, 0)
	match(t, app.Text("Red shoes"), l, 0, 1, 1, 0, 2, 0, 0)
	if err := app.Match(app.Li(), l, 0, 1, 2); err == nil {
		t.Error("the resolved conversation is listed")
	}
}

func TestInboxListEmpty(t *testing.T) {
	l := &console.InboxList{Now: t0}
	load(t, l)
	match(t, app.Text("0 open"), l, 0, 0, 1, 0)
	match(t, app.P().Class("inbox-empty"), l, 0, 1)
}

func TestConversationView(t *testing.T) {
	d := console.NewDesk()
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{open7}}, t0)
	d.Thread(7).Followed = true
	d.Apply(msg(7, 1, "a", vera, "hi"), t0)
	d.Apply(msg(7, 2, "b", ann, "Hello Vera"), t0)
	d.Apply(msg(7, 3, "c", bob, "Bob here"), t0)
	d.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: vera}, t0)
	conv := open7
	conv.Page = parley.Page{URL: "javascript:alert(1)", Title: "Evil"}

	v := &console.ConversationView{
		Conv: conv, Items: d.Items(7), Typing: d.TypingNames(7, t0), Loading: !d.Synced(7), Me: me.ID, Now: t0,
		OnResolve: func(app.Context) {},
	}
	load(t, v)

	match(t, app.Text("Vera"), v, 0, 0, 1, 0, 0)
	// A page URL that is not http(s) is shown, never linked.
	match(t, app.Span().Class("context-page").Text("javascript:alert(1)"), v, 0, 0, 1, 1, 1)
	match(t, app.Button().ID("resolve").Class("button").Type("button").Disabled(false).
		Title("Mark this conversation as done").OnClick(func(app.Context, app.Event) {}), v, 0, 0, 3)
	match(t, app.Div().Class("conv-loading"), v, 0, 1, 0)
	// The console's thread stays a live region; a day separator opens it.
	match(t, app.Div().ID("messages").Class("messages").Aria("live", "polite"), v, 0, 1, 1, 0)
	match(t, app.Div().Class("msg-day"), v, 0, 1, 1, 0, 0)
	// Mine on the right, the visitor and the other agent named on the left.
	match(t, app.Div().Class("msg msg-visitor").DataSet("key", "seq-1").DataSet("seq", "1"), v, 0, 1, 1, 0, 1)
	match(t, app.Div().Class("msg msg-agent msg-mine").DataSet("key", "seq-2").DataSet("seq", "2"), v, 0, 1, 1, 0, 2)
	match(t, app.Div().Class("msg msg-agent").DataSet("key", "seq-3").DataSet("seq", "3"), v, 0, 1, 1, 0, 3)
	match(t, app.Text("Bob"), v, 0, 1, 1, 0, 3, 0, 0)
	match(t, app.Text("Vera is typing…"), v, 0, 2, 0, 0, 1, 0)

	resolved := &console.ConversationView{Conv: parley.Conversation{ID: 9, Status: parley.StatusResolved}, Now: t0}
	load(t, resolved)
	match(t, app.Text("Resolved"), resolved, 0, 0, 2, 0)
	match(t, app.Button().ID("resolve").Class("button").Type("button").Disabled(true).
		Title("Mark this conversation as done").OnClick(func(app.Context, app.Event) {}), resolved, 0, 0, 3)
}

func TestLoginForm(t *testing.T) {
	f := &console.LoginForm{Error: "Too many attempts, try again in 14 minutes."}
	load(t, f)
	match(t, app.Input().ID("email").Type("email").Name("email").Attr("autocomplete", "username").
		Required(true).AutoFocus(true).OnInput(func(app.Context, app.Event) {}), f, 0, 0, 3)
	match(t, app.Input().ID("password").Type("password").Name("password").Attr("autocomplete", "current-password").
		Required(true).OnInput(func(app.Context, app.Event) {}), f, 0, 0, 5)
	match(t, app.Text("Too many attempts, try again in 14 minutes."), f, 0, 0, 6, 0)
	match(t, app.Button().ID("login").Class("button button-primary").Type("submit").Disabled(false), f, 0, 0, 7)
	match(t, app.Text("Log in"), f, 0, 0, 7, 0)

	busy := &console.LoginForm{Busy: true}
	load(t, busy)
	match(t, app.Span().Class("login-error-none"), busy, 0, 0, 6)
	match(t, app.Button().ID("login").Class("button button-primary").Type("submit").Disabled(true), busy, 0, 0, 7)
	match(t, app.Text("Logging in…"), busy, 0, 0, 7, 0)
}

func TestInboxListMore(t *testing.T) {
	convs := []parley.Conversation{
		{ID: 5, Visitor: 50, Status: parley.StatusOpen, Updated: t0},
		{ID: 3, Visitor: 30, Status: parley.StatusOpen, Updated: t0.Add(-time.Minute)},
	}
	l := &console.InboxList{Conversations: convs, Total: 120, More: true, Now: t0}
	load(t, l)
	match(t, app.Text("120 open"), l, 0, 0, 1, 0)
	match(t, app.Text("2 of 120 shown"), l, 0, 2, 0, 0)
	match(t, app.Button().ID("inbox-more").Class("button button-quiet").Type("button").Disabled(false).OnClick(nop).Text("Load more"), l, 0, 2, 1)

	l = &console.InboxList{Conversations: convs, Total: 120, More: true, Loading: true, Now: t0}
	load(t, l)
	match(t, app.Button().ID("inbox-more").Class("button button-quiet").Type("button").Disabled(true).OnClick(nop).Text("Loading…"), l, 0, 2, 1)

	l = &console.InboxList{Conversations: convs, Total: 2, Now: t0}
	load(t, l)
	match(t, app.Span().Class("inbox-more-none"), l, 0, 2)
}

func nop(app.Context, app.Event) {}

// TestConversationViewIdentity: the visitor's email and whether the shop
// vouched for them, as text.
func TestConversationViewIdentity(t *testing.T) {
	for _, tc := range []struct{ identity, badge string }{
		{parley.IdentityVerified, "identity-badge identity-verified"},
		{parley.IdentityUnverified, "identity-badge identity-unverified"},
	} {
		conv := open7
		conv.VisitorName, conv.Email, conv.Identity = "<b>Ada</b>", "ada@example.com", tc.identity
		v := &console.ConversationView{Conv: conv, Me: me.ID, Now: t0}
		load(t, v)
		match(t, app.Text("<b>Ada</b>"), v, 0, 0, 1, 0, 0)
		match(t, app.Text("ada@example.com"), v, 0, 0, 1, 4, 0, 0)
		match(t, app.Span().Class(tc.badge).Title(map[string]string{
			parley.IdentityVerified:   "The shop signed this customer's identity",
			parley.IdentityUnverified: "Given by the page without the shop's signature: it may not be true",
		}[tc.identity]), v, 0, 0, 1, 4, 1)
		match(t, app.Text(tc.identity), v, 0, 0, 1, 4, 1, 0)
	}
}

// TestSearchHits: the snippet's marks become mark elements and the rest
// text, never HTML; each hit links to its conversation.
func TestSearchHits(t *testing.T) {
	s := &console.SearchHits{Query: "red", Total: 1, Now: t0, Hits: []parley.SearchHit{{
		Conv: 9, Seq: 2, From: parley.Author{Kind: parley.AuthorVisitor}, VisitorName: "Vera", At: t0.UnixMilli(),
		Snippet: "I want &lt;b&gt;<mark>red</mark>&lt;/b&gt; shoes",
	}}}
	load(t, s)
	match(t, app.Text("1 match"), s, 0, 0, 0)
	match(t, app.A().Class("search-hit").Href("/console/c/9").DataSet("conv", 9), s, 0, 1, 0, 0)
	match(t, app.Text("Vera"), s, 0, 1, 0, 0, 0, 0, 0)
	match(t, app.Text("I want <b>"), s, 0, 1, 0, 0, 1, 0)
	match(t, app.Mark(), s, 0, 1, 0, 0, 1, 1)
	match(t, app.Text("red"), s, 0, 1, 0, 0, 1, 1, 0)
	match(t, app.Text("</b> shoes"), s, 0, 1, 0, 0, 1, 2)

	// A hit on the contact or the tags says so.
	contact := &console.SearchHits{Query: "refund", Total: 1, Now: t0, Hits: []parley.SearchHit{{
		Conv: 9, Seq: 4, Kind: parley.SearchConversation, From: parley.Author{Kind: parley.AuthorVisitor}, VisitorName: "Vera", At: t0.UnixMilli(),
		Snippet: "Vera · tags: <mark>refund</mark>",
	}}}
	load(t, contact)
	match(t, app.Text("Vera (contact, tags)"), contact, 0, 1, 0, 0, 0, 0, 0)
	match(t, app.Text("refund"), contact, 0, 1, 0, 0, 1, 1, 0)

	empty := &console.SearchHits{Query: "zzz", Now: t0}
	load(t, empty)
	match(t, app.Text("Nothing found for “zzz”."), empty, 0, 0)
}
