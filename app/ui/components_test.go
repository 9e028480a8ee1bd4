package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// load mounts c in a test engine and runs everything pending.
func load(tb testing.TB, c app.Composer) {
	tb.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		tb.Fatalf("loading %T: %v", c, err)
	}
	e.ConsumeAll()
}

// match fails the test unless want is found at path under root.
func match(tb testing.TB, want, root app.UI, path ...int) {
	tb.Helper()
	if err := app.Match(want, root, path...); err != nil {
		tb.Errorf("at %v: %v", path, err)
	}
}

// childCount returns how many children the element at path has, up to max.
func childCount(root app.UI, max int, path ...int) int {
	for n := 0; n <= max; n++ {
		p := append(append([]int(nil), path...), n)
		if err := app.Match(nil, root, p...); err != nil && isOutOfRange(err) {
			return n
		}
	}
	return max + 1
}

func isOutOfRange(err error) bool {
	return err != nil && strings.Contains(err.Error(), "out of range")
}

func TestMessageListOrderAndDuplicates(t *testing.T) {
	var th ui.Thread
	for _, m := range []parley.Message{
		msg(2, "b", agent, "Hello, how can I help?"),
		msg(1, "a", visitor, "hi"),
		msg(2, "b", agent, "Hello, how can I help?"),
		msg(3, "c", visitor, "see https://x.example/p"),
		msg(1, "a", visitor, "hi"),
	} {
		th.Add(m)
	}
	now := time.UnixMilli(3000)
	list := &ui.MessageList{Items: ui.Items(&th, ui.Pending{Self: visitor, Conv: 7}), Self: parley.AuthorVisitor, Now: now}
	load(t, list)

	match(t, app.Div().ID("messages").Class("messages"), list, 0)
	match(t, app.Text("Today"), list, 0, 0, 0, 0)
	if got, want := childCount(list, 10, 0), 4; got != want {
		t.Fatalf("got %d messages, want %d", got, want)
	}
	wantRows := []struct {
		class, seq, text string
	}{
		{"msg msg-visitor msg-mine", "1", "hi"},
		{"msg msg-agent", "2", "Hello, how can I help?"},
		{"msg msg-visitor msg-mine", "3", "see "},
	}
	for i, w := range wantRows {
		match(t, app.Div().Class(w.class).DataSet("key", "seq-"+w.seq).DataSet("seq", w.seq), list, 0, i+1)
		match(t, app.Div().Class("msg-text"), list, 0, i+1, 1)
		match(t, app.Text(w.text), list, 0, i+1, 1, 0)
	}
	// Others are named, one's own messages are not.
	match(t, app.Span().Class("msg-author-none"), list, 0, 1, 0)
	match(t, app.Div().Class("msg-author"), list, 0, 2, 0)
	match(t, app.Text("Ann"), list, 0, 2, 0, 0)
	// Links in a message are safe anchors.
	match(t, ui.LinkTo("https://x.example/p", ""), list, 0, 3, 1, 1)
}

func TestMessageListDeliveryStates(t *testing.T) {
	var th ui.Thread
	th.Add(msg(1, "a", visitor, "hi"))
	items := ui.Items(&th, ui.Pending{
		Self:   visitor,
		Conv:   7,
		Outbox: []parley.Frame{send("b", 7, "are you there?")},
		Failed: []ui.Failure{{Frame: send("c", 7, "spam"), Reason: "You are sending messages too fast."}},
	})
	list := &ui.MessageList{Items: items, Self: parley.AuthorVisitor, Now: time.UnixMilli(1000),
		OnRetry: func(app.Context, string) {}}
	load(t, list)

	if got, want := childCount(list, 10, 0), 4; got != want {
		t.Fatalf("got %d messages, want %d", got, want)
	}
	match(t, app.Div().Class("msg msg-visitor msg-mine msg-sending msg-cont").DataSet("key", "out-b"), list, 0, 2)
	match(t, app.Text("Sending…"), list, 0, 2, 4, 0, 0)

	match(t, app.Div().Class("msg msg-visitor msg-mine msg-failed msg-cont").DataSet("key", "out-c"), list, 0, 3)
	retry := app.Button().Type("button").Class("msg-retry").Title("You are sending messages too fast.").
		OnClick(func(app.Context, app.Event) {})
	match(t, retry, list, 0, 3, 4, 0)
	match(t, app.Text("Not sent — retry"), list, 0, 3, 4, 0, 0)

	// A delivered message shows its time instead.
	match(t, app.Time().Class("msg-time").DateTime("1970-01-01T00:00:01Z"), list, 0, 1, 4, 0)
}

func TestTypingIndicator(t *testing.T) {
	idle := &ui.TypingIndicator{}
	load(t, idle)
	match(t, app.Div().Class("typing-slot").Aria("live", "polite"), idle, 0)
	match(t, app.Span().Class("typing-none"), idle, 0, 0)

	busy := &ui.TypingIndicator{Names: []string{"Ann"}}
	load(t, busy)
	match(t, app.Div().ID("typing").Class("typing"), busy, 0, 0)
	match(t, app.Text("Ann is typing…"), busy, 0, 0, 1, 0)
}

func TestComposer(t *testing.T) {
	c := &ui.Composer{Key: "7", MaxRunes: 4000, OnSend: func(app.Context, string) {}}
	load(t, c)
	match(t, app.Div().Class("composer composer-empty"), c, 0)
	match(t, app.Textarea().ID("composer").Class("composer-input").Rows(1).
		Placeholder("Write a message…").Aria("label", "Message").
		OnInput(func(app.Context, app.Event) {}).OnKeyDown(func(app.Context, app.Event) {}), c, 0, 0)
	match(t, app.Span().Class("composer-count").Aria("live", "polite"), c, 0, 1)
	match(t, app.Button().ID("send").Class("composer-send").Type("button").Aria("label", "Send").
		Title("Send (Enter)").OnClick(func(app.Context, app.Event) {}), c, 0, 2)
	if got, want := c.CompoID(), "composer-7"; got != want {
		t.Errorf("CompoID = %q, want %q", got, want)
	}
}

// TestMessageListEventsAndNotes: with Pending.Events, events with a text
// are centred lines of their own; notes are labelled internal.
func TestMessageListEventsAndNotes(t *testing.T) {
	var th ui.Thread
	ann := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	ola := parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ola"}
	site := parley.Author{Kind: parley.AuthorSite}
	for _, m := range []parley.Message{
		{Seq: 1, ID: "a", From: visitor, Text: "hi", At: 1000},
		{Seq: 2, From: site, Kind: parley.KindEvent, Event: parley.EventAssigned, To: &ola, Text: "Ola joined", At: 2000},
		{Seq: 3, ID: "n", From: ola, Kind: parley.KindNote, Text: "VIP customer", At: 3000},
		{Seq: 4, ID: "m", From: ann, Kind: parley.KindNote, Text: "<b>mine</b>", At: 4000},
		{Seq: 5, From: site, Kind: parley.KindEvent, Event: parley.EventRated, At: 5000},
	} {
		th.Add(m)
	}
	if got := len(ui.Items(&th, ui.Pending{Self: ann})); got != 3 {
		t.Errorf("without Events: %d rows, want 3 (no events)", got)
	}
	items := ui.Items(&th, ui.Pending{Self: ann, Events: true})
	list := &ui.MessageList{Items: items, Self: parley.AuthorAgent, SelfID: 1, Now: time.UnixMilli(5000)}
	load(t, list)
	if got, want := childCount(list, 10, 0), 5; got != want {
		t.Fatalf("got %d rows, want %d (an event without text is left out)", got, want)
	}
	match(t, app.Div().Class("msg-event").Role("note").DataSet("key", "seq-2").DataSet("seq", "2"), list, 0, 2)
	match(t, app.Text("Ola joined"), list, 0, 2, 0, 0)
	match(t, app.Div().Class("msg msg-agent msg-note").DataSet("key", "seq-3").DataSet("seq", "3"), list, 0, 3)
	match(t, app.Text("Ola · Note · only agents see this"), list, 0, 3, 0, 0)
	match(t, app.Div().Class("msg msg-agent msg-mine msg-note").DataSet("key", "seq-4").DataSet("seq", "4"), list, 0, 4)
	match(t, app.Text("Note · only agents see this"), list, 0, 4, 0, 0)
	match(t, app.Text("<b>mine</b>"), list, 0, 4, 1, 0)
}

// TestMessageListRichMessage: a product card renders as a picture, a link
// and a price, all text; quick replies are buttons on the newest row only,
// and a tap answers with the reply's text.
func TestMessageListRichMessage(t *testing.T) {
	card := &parley.Card{Title: "Espresso <b>Blend</b>", Price: "€14.90", URL: "https://shop.example/p/1", Image: "https://shop.example/1.jpg"}
	agent := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	list := &ui.MessageList{Self: parley.AuthorVisitor, Now: time.Unix(100, 0), Items: []ui.Item{
		{Key: "seq-1", Seq: 1, From: agent, Text: "Pick one", At: 1000, Replies: []string{"Old"}},
		{Key: "seq-2", Seq: 2, From: agent, Text: "Espresso", At: 2000, Card: card, Replies: []string{"Add to cart", "Milder"}},
	}, OnQuickReply: func(app.Context, string) {}}
	load(t, list)
	match(t, app.Div().Class("msg-card"), list, 0, 2, 2)
	match(t, app.Img().Class("msg-card-img").Src(card.Image).Alt(card.Title).Attr("loading", "lazy").Attr("referrerpolicy", "no-referrer"), list, 0, 2, 2, 0)
	match(t, app.A().Class("msg-card-title").Href(card.URL).Target("_blank").Rel("noopener noreferrer nofollow"), list, 0, 2, 2, 1, 0)
	match(t, app.Text("Espresso <b>Blend</b>"), list, 0, 2, 2, 1, 0, 0)
	match(t, app.Text("€14.90"), list, 0, 2, 2, 1, 1, 0)
	match(t, app.Span().Class("msg-replies-none"), list, 0, 1, 3)
	match(t, app.Div().Class("msg-replies").Role("group").Aria("label", "Quick replies"), list, 0, 2, 3)
	match(t, app.Text("Milder"), list, 0, 2, 3, 1, 0)
}

func TestComposerTakesFilesWhenTheSiteDoes(t *testing.T) {
	c := &ui.Composer{Key: "7", OnSend: func(app.Context, string) {}, OnFile: func(app.Context, app.Value) {},
		Files: parley.FileSettings{Types: []string{"image/png", "application/pdf"}}, Uploading: true}
	load(t, c)
	match(t, app.Input().ID(ui.AttachID).Type("file").Class("composer-file").Multiple(true).
		Accept("image/png,application/pdf").Aria("label", "Attach a file").
		OnChange(func(app.Context, app.Event) {}), c, 0, 4, 0)
	match(t, app.Text("Uploading…"), c, 0, 5, 0)

	off := &ui.Composer{Key: "8", OnFile: func(app.Context, app.Value) {}, Files: parley.FileSettings{Off: true}}
	load(t, off)
	match(t, app.Span().Class("composer-attach-none"), off, 0, 4)
}

func TestMessageListShowsFiles(t *testing.T) {
	img := parley.File{ID: strings.Repeat("a", 64), Name: "<b>parcel</b>.jpg", Type: "image/jpeg", Size: 2048, Width: 40, Height: 30}
	doc := parley.File{ID: strings.Repeat("b", 64), Name: "invoice.pdf", Type: "application/pdf", Size: 3 << 20}
	items := []ui.Item{{Key: "seq-1", Seq: 1, From: parley.Author{Kind: parley.AuthorVisitor}, At: 1, Files: []parley.File{img, doc}}}
	l := &ui.MessageList{Items: items, Self: parley.AuthorAgent, FileKey: ui.FileKey{Query: "c=1&exp=2&sig=x", Expires: 2}}
	load(t, l)
	href := "/files/" + img.ID + "?c=1&exp=2&sig=x"
	match(t, app.Img().Class("msg-file-preview").Src(href).Alt(img.Name).Loading("lazy").Width(40).Height(30), l, 0, 1, 5, 0, 0)
	match(t, app.Text("invoice.pdf · 3 MB"), l, 0, 1, 5, 1, 0)

	// Without a key, names only.
	l = &ui.MessageList{Items: items, Self: parley.AuthorAgent}
	load(t, l)
	match(t, app.Text("<b>parcel</b>.jpg · 2 KB"), l, 0, 1, 5, 0, 0)
}

// TestMessageListReceipts: one's own stored messages read Seen up to the
// other side's read mark, Delivered up to its delivered mark, Sent after.
func TestMessageListReceipts(t *testing.T) {
	var th ui.Thread
	th.Add(msg(1, "a", visitor, "one"))
	th.Add(msg(2, "b", visitor, "two"))
	th.Add(msg(3, "c", visitor, "three"))
	list := &ui.MessageList{Items: ui.Items(&th, ui.Pending{Self: visitor, Conv: 7}), Self: parley.AuthorVisitor,
		Now: time.UnixMilli(3000), PeerRead: 1, PeerDelivered: 2}
	load(t, list)
	for i, want := range []struct{ class, text string }{
		{"msg-receipt msg-seen", "Seen"},
		{"msg-receipt msg-delivered", "Delivered"},
		{"msg-receipt msg-sent", "Sent"},
	} {
		match(t, app.Span().Class(want.class), list, 0, i+1, 4, 2)
		match(t, app.Text(want.text), list, 0, i+1, 4, 2, 0)
	}
}
