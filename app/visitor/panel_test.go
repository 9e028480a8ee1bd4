package visitor_test

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
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

// Paths into a loaded Panel: the component, its root div, then the slot.
const (
	slotHeader = iota
	slotBanner
	slotAnnouncement
	slotBody
	slotTyping
	slotNotice
	slotFAQ
	slotComposer
	slotPreview
	slotTranscript
)

func TestPanelSendingAndOffline(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 0, parley.StatusOpen)), t0)
	c.Apply(msgFrame(7, 1, "a", me, "hi"), t0)
	c.Outbox = []parley.Frame{{Type: parley.TypeSend, ID: "b", Conv: 7, Text: "anyone?"}}
	c.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: ann}, t0)

	p := &visitor.Panel{
		Color:     "#aa3366",
		Items:     c.Items(),
		Typing:    c.Typing.Names(t0),
		Banner:    visitor.Banner(client.Offline, true),
		Expect:    !c.AgentReplied(),
		ShowClose: true,
		Now:       t0,
		OnClose:   func(app.Context) {},
	}
	load(t, p)

	match(t, app.Div().ID("parley").Class("widget").Style("--parley-color", "#aa3366").Style("--parley-on-color", "#ffffff").Attr("role", "main"), p, 0)
	match(t, app.Text(visitor.DefaultTitle), p, 0, slotHeader, 0, 0)
	match(t, app.Button().ID("close").Class("widget-close").Type("button").Aria("label", "Close chat").
		Title("Close").OnClick(func(app.Context, app.Event) {}), p, 0, slotHeader, 1)

	match(t, app.Div().ID("offline").Class("banner banner-offline").Role("status"), p, 0, slotBanner)
	match(t, app.Text("Reconnecting… your messages will be sent"), p, 0, slotBanner, 0)

	// The body: no intro (there are messages), the list, the expectation.
	match(t, app.Span().Class("intro-none"), p, 0, slotBody, 0)
	match(t, app.Div().Class("msg msg-visitor msg-mine").DataSet("key", "seq-1").DataSet("seq", "1"), p, 0, slotBody, 1, 0, 1)
	match(t, app.Div().Class("msg msg-visitor msg-mine msg-sending msg-cont").DataSet("key", "out-b"), p, 0, slotBody, 1, 0, 2)
	match(t, app.Text("Sending…"), p, 0, slotBody, 1, 0, 2, 4, 0, 0)
	match(t, app.Text(visitor.ExpectText), p, 0, slotBody, 2, 0)

	match(t, app.Text("Ann is typing…"), p, 0, slotTyping, 0, 0, 1, 0)
}

func TestPanelOnlineEmpty(t *testing.T) {
	p := &visitor.Panel{Title: "Acme help", Color: "red;x:y", Expect: true, Now: t0}
	load(t, p)
	// An invalid colour never reaches the style attribute.
	match(t, app.Div().ID("parley").Class("widget").Attr("role", "main"), p, 0)
	match(t, app.Text("Acme help"), p, 0, slotHeader, 0, 0)
	match(t, app.Span().Class("widget-close-none"), p, 0, slotHeader, 1)
	match(t, app.Span().Class("banner-none"), p, 0, slotBanner)
	match(t, app.Text(visitor.IntroText), p, 0, slotBody, 0, 0)
	match(t, app.Span().Class("typing-none"), p, 0, slotTyping, 0, 0)
	match(t, app.Span().Class("notice-none"), p, 0, slotNotice)
	match(t, app.Div().Class("composer composer-empty"), p, 0, slotComposer, 0)
}
