package ui

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// MessageList renders a conversation's rows as #messages, one .msg each,
// classed by author kind (.msg-visitor, .msg-agent, .msg-site), by whether
// the viewer wrote it (.msg-mine) and by delivery (.msg-sending, .msg-failed).
// An internal note is a .msg-note labelled as such; an event is a centred
// .msg-event line, not a bubble.
type MessageList struct {
	app.Compo

	Items []Item
	// Self is the author kind whose messages are the viewer's own; with
	// SelfID set, only that author's (another agent's replies are not).
	Self   string
	SelfID uint64
	// Now places message times relative to today.
	Now time.Time
	// OnRetry is called with the client id of a failed message to resend.
	OnRetry func(ctx app.Context, id string)
}

// Render implements app.Composer.
func (c *MessageList) Render() app.UI {
	return app.Div().ID("messages").Class("messages").Aria("live", "polite").Body(
		app.Range(c.Items).Slice(func(i int) app.UI {
			return c.renderItem(c.Items[i])
		}),
	)
}

func (c *MessageList) renderItem(it Item) app.UI {
	if it.Kind == parley.KindEvent {
		div := app.Div().Class("msg-event").Role("note").DataSet("key", it.Key)
		if it.Seq != 0 {
			div = div.DataSet("seq", strconv.FormatUint(it.Seq, 10))
		}
		var at app.UI = app.Span().Class("msg-time-none")
		if it.At != 0 {
			at = app.Time().Class("msg-time").
				DateTime(time.UnixMilli(it.At).UTC().Format(time.RFC3339)).
				Text(FormatTime(it.At, c.Now))
		}
		return div.Body(app.Span().Class("msg-event-text").Text(it.Text), at)
	}
	mine := it.From.Kind == c.Self && (c.SelfID == 0 || it.From.ID == c.SelfID)
	class := "msg msg-" + it.From.Kind
	if mine {
		class += " msg-mine"
	}
	switch it.Status {
	case Sending:
		class += " msg-sending"
	case Failed:
		class += " msg-failed"
	}
	if it.Local {
		class += " msg-local"
	}
	note := it.Kind == parley.KindNote
	if note {
		class += " msg-note"
	}

	div := app.Div().Class(class).DataSet("key", it.Key)
	if it.Seq != 0 {
		div = div.DataSet("seq", strconv.FormatUint(it.Seq, 10))
	}

	var author app.UI = app.Span().Class("msg-author-none")
	switch name := AuthorName(it.From); {
	case note && mine:
		author = app.Div().Class("msg-author").Text("Note · only agents see this")
	case note:
		author = app.Div().Class("msg-author").Text(name + " · Note · only agents see this")
	case !mine && name != "":
		author = app.Div().Class("msg-author").Text(name)
	}
	return div.Body(
		author,
		app.Div().Class("msg-text").Body(RichText(it.Text)...),
		c.renderMeta(it),
	)
}

func (c *MessageList) renderMeta(it Item) app.UI {
	switch it.Status {
	case Sending:
		return app.Div().Class("msg-meta").Body(
			app.Span().Class("msg-status").Text("Sending…"),
		)
	case Failed:
		id, onRetry := it.ID, c.OnRetry
		retry := app.Button().Type("button").Class("msg-retry").Text("Not sent — retry")
		if it.Reason != "" {
			retry = retry.Title(it.Reason)
		}
		if onRetry != nil {
			retry = retry.OnClick(func(ctx app.Context, e app.Event) { onRetry(ctx, id) })
		}
		return app.Div().Class("msg-meta").Body(retry)
	default:
		if it.At == 0 {
			return app.Div().Class("msg-meta")
		}
		return app.Div().Class("msg-meta").Body(
			app.Time().Class("msg-time").
				DateTime(time.UnixMilli(it.At).UTC().Format(time.RFC3339)).
				Text(FormatTime(it.At, c.Now)),
		)
	}
}

// AuthorName is how an author is named above their messages: agents and
// visitors by name (visitors without one as "Visitor"); the site's greeting
// carries no name.
func AuthorName(a parley.Author) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Kind == parley.AuthorVisitor:
		return "Visitor"
	case a.Kind == parley.AuthorAgent:
		return "Agent"
	default:
		return ""
	}
}
