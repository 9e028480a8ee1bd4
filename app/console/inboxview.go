package console

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// InboxList renders the open conversations as links, newest first, each
// with the visitor, the last message, the unread count and the page.
type InboxList struct {
	app.Compo

	// Conversations are in display order (Inbox.Open): the pages loaded.
	Conversations []parley.Conversation
	// Total counts every open conversation, loaded or not.
	Total    int
	Selected uint64
	Now      time.Time
	// More: there are pages after the ones loaded; Loading: one is on its
	// way. OnLoadMore asks for the next.
	More       bool
	Loading    bool
	OnLoadMore func(ctx app.Context)
}

// Render implements app.Composer.
func (l *InboxList) Render() app.UI {
	var body app.UI = app.P().Class("inbox-empty").Text("No open conversations. New chats appear here.")
	if len(l.Conversations) > 0 {
		body = app.Ul().Class("inbox-list").Body(
			app.Range(l.Conversations).Slice(func(i int) app.UI {
				return app.Li().Body(l.renderItem(l.Conversations[i]))
			}),
		)
	}
	var more app.UI = app.Span().Class("inbox-more-none")
	if l.More {
		label := "Load more"
		if l.Loading {
			label = "Loading…"
		}
		more = app.Div().Class("inbox-more").Body(
			app.Span().Class("inbox-shown").Text(strconv.Itoa(len(l.Conversations))+" of "+strconv.Itoa(max(l.Total, len(l.Conversations)))+" shown"),
			app.Button().ID("inbox-more").Class("button button-quiet").Type("button").
				Disabled(l.Loading).OnClick(l.onLoadMore).Text(label),
		)
	}
	return app.Div().Class("inbox").Body(
		app.Div().Class("inbox-head").Body(
			app.H2().Class("inbox-title").Text("Inbox"),
			app.Span().Class("inbox-count").Text(openCount(max(l.Total, len(l.Conversations)))),
		),
		body,
		more,
	)
}

func (l *InboxList) onLoadMore(ctx app.Context, e app.Event) {
	if l.OnLoadMore != nil && !l.Loading {
		l.OnLoadMore(ctx)
	}
}

func (l *InboxList) renderItem(c parley.Conversation) app.UI {
	class := "inbox-item"
	if c.Unread > 0 {
		class += " inbox-item-unread"
	}
	if c.ID == l.Selected {
		class += " selected"
	}
	var badge app.UI = app.Span().Class("unread-none")
	if c.Unread > 0 {
		badge = app.Span().Class("unread").Aria("label", strconv.Itoa(c.Unread)+" unread").Text(c.Unread)
	}
	page := c.Page.Title
	if page == "" {
		page = c.Page.URL
	}
	a := app.A().Class(class).Href(ConversationPath(c.ID)).DataSet("conv", c.ID)
	if c.ID == l.Selected {
		a = a.Aria("current", "page")
	}
	return a.Body(
		app.Div().Class("inbox-row").Body(
			app.Span().Class("inbox-name").Text(VisitorName(c)),
			app.Span().Class("inbox-time").Text(ui.ShortTime(c.Updated, l.Now)),
		),
		app.Div().Class("inbox-row").Body(
			app.Span().Class("inbox-preview").Text(c.LastText),
			badge,
		),
		app.Div().Class("inbox-page").Title(c.Page.URL).Text(page),
	)
}

func openCount(n int) string {
	if n == 1 {
		return "1 open"
	}
	return strconv.Itoa(n) + " open"
}
