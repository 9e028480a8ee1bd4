package console

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// InboxList renders a view of the inbox as links, newest first, each with
// the visitor, the last message, the unread count, the page and who has
// it; above them the view switcher with the live counts.
type InboxList struct {
	app.Compo

	// Conversations are in display order (Inbox.List): the pages loaded.
	Conversations []parley.Conversation
	// View is the view shown ("" is the open view); Switching is the one
	// asked for while its first page is on its way.
	View      string
	Switching string
	// Counts are the live counts of the views, the switcher's badges.
	Counts parley.Counts
	// Total counts every conversation of the view, loaded or not.
	Total    int
	Selected uint64
	Now      time.Time
	// More: there are pages after the ones loaded; Loading: one is on its
	// way. OnLoadMore asks for the next.
	More       bool
	Loading    bool
	OnLoadMore func(ctx app.Context)
	OnView     func(ctx app.Context, view string)
	// Tag is the tag the list is filtered by ("": none); OnTag filters by
	// another, "" for none.
	Tag   string
	OnTag func(ctx app.Context, tag string)
}

// Render implements app.Composer.
func (l *InboxList) Render() app.UI {
	var body app.UI = app.P().Class("inbox-empty").Text(EmptyText(l.View))
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
	count := countText(l.View, max(l.Total, len(l.Conversations)))
	if l.View == parley.ViewResolved {
		count = "Newest first"
	}
	return app.Div().Class("inbox").Body(
		app.Div().Class("inbox-head").Body(
			app.H2().Class("inbox-title").Text(ViewLabel(l.View)),
			app.Span().Class("inbox-count").Text(count),
			l.renderSwitcher(),
			l.renderTagFilter(),
		),
		body,
		more,
	)
}

// renderSwitcher is the row of views, each with its live count.
func (l *InboxList) renderSwitcher() app.UI {
	current := l.View
	if l.Switching != "" {
		current = l.Switching
	}
	if current == "" {
		current = parley.ViewOpen
	}
	return app.Nav().ID("inbox-views").Class("inbox-views").Aria("label", "Inbox views").Body(
		app.Range(InboxViews).Slice(func(i int) app.UI {
			view := InboxViews[i]
			class := "inbox-view"
			if view == current {
				class += " active"
			}
			var badge app.UI = app.Span().Class("view-count-none")
			if n, ok := ViewCount(l.Counts, view); ok {
				badge = app.Span().Class("view-count").Text(n)
				if n > 0 && view == parley.ViewQueue {
					badge = app.Span().Class("view-count view-count-waiting").Text(n)
				}
			}
			return app.Button().Class(class).Type("button").DataSet("view", view).
				Aria("pressed", view == current).
				OnClick(func(ctx app.Context, e app.Event) {
					if l.OnView != nil {
						l.OnView(ctx, view)
					}
				}).Body(app.Span().Text(ViewLabel(view)), badge)
		}),
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
		app.Div().Class("inbox-row").Body(
			app.Span().Class("inbox-page").Title(c.Page.URL).Text(page),
			l.renderHolder(c),
		),
		l.renderTags(c),
		renderInboxRating(c),
	)
}

// renderTags is a row's tags; a click on one filters the inbox by it.
func (l *InboxList) renderTags(c parley.Conversation) app.UI {
	if len(c.Tags) == 0 {
		return app.Span().Class("inbox-tags-none")
	}
	tags := c.Tags
	return app.Div().Class("inbox-row inbox-tags").Body(
		app.Range(tags).Slice(func(i int) app.UI {
			tag := tags[i]
			return app.Span().Class("tag-chip tag-chip-small").DataSet("tag", tag).Title("Show the conversations tagged " + tag).
				OnClick(func(ctx app.Context, e app.Event) {
					// The row is a link: the chip filters instead.
					e.PreventDefault()
					e.Call("stopPropagation")
					if l.OnTag != nil {
						l.OnTag(ctx, tag)
					}
				}).Text(tag)
		}),
	)
}

// renderTagFilter says which tag the list shows, with × to show all.
func (l *InboxList) renderTagFilter() app.UI {
	if l.Tag == "" {
		return app.Span().Class("tag-filter-none")
	}
	return app.Div().ID("tag-filter").Class("tag-filter").Body(
		app.Span().Text("Tagged "),
		app.Span().Class("tag-chip").Text(l.Tag),
		app.Button().Class("tag-remove").Type("button").Aria("label", "Show all tags").
			OnClick(func(ctx app.Context, e app.Event) {
				if l.OnTag != nil {
					l.OnTag(ctx, "")
				}
			}).Text("×"),
	)
}

// renderHolder says who has the conversation: waiting in the queue (and
// for how long), or the assignee's initials.
func (l *InboxList) renderHolder(c parley.Conversation) app.UI {
	switch {
	case c.Status == parley.StatusQueued:
		return app.Span().Class("inbox-waiting").Text("Waiting " + WaitingTime(c, l.Now))
	case c.Assignee != 0 && c.Status == parley.StatusOpen:
		return Avatar(c.AssigneeName, "avatar-small")
	}
	return app.Span().Class("inbox-holder-none")
}

func openCount(n int) string {
	if n == 1 {
		return "1 open"
	}
	return strconv.Itoa(n) + " open"
}
